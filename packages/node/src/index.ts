/**
 * effect-gigachat for Node.js: the undici client with TLS settings, the emulator server and file helpers.
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
 * The emulator served on a 127.0.0.1 socket.
 *
 * @since 0.1.0
 */
export * as NodeGigaChatEmulator from "./NodeGigaChatEmulator.js"

/**
 * Files from disk, ready to upload.
 *
 * @since 0.1.0
 */
export * as NodeFile from "./NodeFile.js"
