/**
 * @since 0.1.0
 */
export * as NodeGigaChat from "./NodeGigaChat.js"

/**
 * @since 0.1.0
 */
export * as NodeGigaChatEmulator from "./NodeGigaChatEmulator.js"

/**
 * @since 0.1.0
 */
export * as NodeFile from "./NodeFile.js"
