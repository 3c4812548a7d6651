/**
 * @since 0.1.0
 */
export * as GigaChatError from "./GigaChatError.js"

/**
 * @since 0.1.0
 */
export * as XHeaders from "./XHeaders.js"

/**
 * @since 0.1.0
 */
export * as Sse from "./Sse.js"

/**
 * @since 0.1.0
 */
export * as GigaChat from "./GigaChat.js"

/**
 * @since 0.1.0
 */
export * as GigaChatConfig from "./GigaChatConfig.js"

/**
 * @since 0.1.0
 */
export * as Auth from "./Auth.js"

/**
 * @since 0.1.0
 */
export * as HttpTransport from "./HttpTransport.js"

/**
 * @since 0.1.0
 */
export * as RequestContext from "./RequestContext.js"

/**
 * @since 0.1.0
 */
export * as AccessToken from "./AccessToken.js"

/**
 * @since 0.1.0
 */
export * as AiCheck from "./AiCheck.js"

/**
 * @since 0.1.0
 */
export * as Balance from "./Balance.js"

/**
 * @since 0.1.0
 */
export * as Chat from "./Chat.js"

/**
 * @since 0.1.0
 */
export * as Embeddings from "./Embeddings.js"

/**
 * @since 0.1.0
 */
export * as Files from "./Files.js"

/**
 * @since 0.1.0
 */
export * as Functions from "./Functions.js"

/**
 * @since 0.1.0
 */
export * as Models from "./Models.js"

/**
 * @since 0.1.0
 */
export * as Tokens from "./Tokens.js"

/**
 * @since 0.1.0
 */
export * as GigaChatEmulator from "./GigaChatEmulator.js"

/**
 * @since 0.1.0
 */
export * as Completions from "./Completions.js"

/**
 * @since 0.1.0
 */
export * as Tool from "./Tool.js"
