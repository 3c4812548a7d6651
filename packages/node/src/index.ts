/**
 * effect-gigachat for Node.js: the undici client with TLS settings and file helpers.
 *
 * @since 0.1.0
 */

/**
 * GigaChat on Node.js: the core services over undici with the TLS settings.
 *
 * @since 0.1.0
 */
export * as NodeGigaChat from "./NodeGigaChat.js"

/**
 * Files from disk, ready to upload.
 *
 * @since 0.1.0
 */
export * as NodeFile from "./NodeFile.js"
