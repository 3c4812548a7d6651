/**
 * GigaChat as an `@effect/ai` provider.
 *
 * @since 0.2.0
 */

/**
 * GigaChat as an `@effect/ai` `EmbeddingModel` (`POST /embeddings`).
 *
 * @since 0.2.0
 */
export * as GigaChatEmbeddingModel from "./GigaChatEmbeddingModel.js"

/**
 * GigaChat as an `@effect/ai` `LanguageModel` (the v2 chat API).
 *
 * @since 0.2.0
 */
export * as GigaChatLanguageModel from "./GigaChatLanguageModel.js"

/**
 * GigaChat's built-in tools as `@effect/ai` provider-defined tools.
 *
 * @since 0.2.0
 */
export * as GigaChatTool from "./GigaChatTool.js"
