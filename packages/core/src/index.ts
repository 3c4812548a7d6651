/**
 * effect-gigachat: the Effect-native client for the GigaChat API. Every module is exported as a namespace.
 *
 * @since 0.1.0
 */

/**
 * Typed errors: one tag per failure the server, the network or the caller can cause.
 *
 * @since 0.1.0
 */
export * as GigaChatError from "./GigaChatError.js"

/**
 * The `x-*` response headers attached to every decoded response.
 *
 * @since 0.1.0
 */
export * as XHeaders from "./XHeaders.js"

/**
 * The server-sent events decoder (and encoder) shared by the v1 and v2 streams.
 *
 * @since 0.1.0
 */
export * as Sse from "./Sse.js"

/**
 * The GigaChat API as a service: chat, streaming, structured output, embeddings, files and more.
 *
 * @since 0.1.0
 */
export * as GigaChat from "./GigaChat.js"

/**
 * Settings, from options, `GIGACHAT_*` variables and defaults.
 *
 * @since 0.1.0
 */
export * as GigaChatConfig from "./GigaChatConfig.js"

/**
 * Access tokens: cached, refreshed early, fetched once for concurrent callers.
 *
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * The only place that talks to the `HttpClient`: headers, auth, status mapping, retry, decoding.
 *
 * @since 0.1.0
 */
export * as HttpTransport from "./HttpTransport.js"

/**
 * Fiber-local request headers (session, request, client ids and more).
 *
 * @since 0.1.0
 */
export * as RequestContext from "./RequestContext.js"

/**
 * The access token model and the two shapes of token responses.
 *
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"

/**
 * Schemas of the AI-text detection endpoint.
 *
 * @since 0.1.0
 */
export * as AiCheck from "./AiCheck.js"

/**
 * Schemas of the assistants API and the `gc.assistants` service type.
 *
 * @since 0.2.0
 */
export * as Assistants from "./Assistants.js"

/**
 * Schemas of the balance endpoint.
 *
 * @since 0.1.0
 */
export * as Balance from "./Balance.js"

/**
 * The batch API: schemas of the batch object, the typed tasks and result lines, and the `gc.batches` service type.
 *
 * @since 0.2.0
 */
export * as Batches from "./Batches.js"

/**
 * Schemas of the v1 chat API and its request encoding.
 *
 * @since 0.1.0
 */
export * as Chat from "./Chat.js"

/**
 * Schemas of the embeddings endpoint.
 *
 * @since 0.1.0
 */
export * as Embeddings from "./Embeddings.js"

/**
 * Schemas of the files endpoints.
 *
 * @since 0.1.0
 */
export * as Files from "./Files.js"

/**
 * Schemas of the content filter endpoint (`POST /filter/check`).
 *
 * @since 0.2.0
 */
export * as FilterCheck from "./FilterCheck.js"

/**
 * Schemas of the OpenAPI-to-functions conversion endpoint.
 *
 * @since 0.1.0
 */
export * as Functions from "./Functions.js"

/**
 * Schemas of the models endpoints.
 *
 * @since 0.1.0
 */
export * as Models from "./Models.js"

/**
 * Schemas of the token counting endpoint.
 *
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.js"

/**
 * Schemas of the threads API (threads, their messages and runs) and the `gc.threads` service type.
 *
 * @since 0.2.0
 */
export * as Threads from "./Threads.js"

/**
 * Schemas of the v2 chat API (`/api/v2/chat/completions`) and its request encoding.
 *
 * @since 0.1.0
 */
export * as Completions from "./Completions.js"

/**
 * Typed function tools: Effect Schemas turned into GigaChat function specifications.
 *
 * @since 0.1.0
 */
export * as Tool from "./Tool.js"

/**
 * What the SDK reports about its own work: the metrics it records with `effect/Metric`, the attributes of its spans
 * and metrics, and the logs it writes through Effect's logger.
 *
 * @since 0.2.0
 */
export * as Telemetry from "./Telemetry.js"
