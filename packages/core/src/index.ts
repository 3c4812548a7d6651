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
