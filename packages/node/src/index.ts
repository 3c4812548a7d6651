/**
 * @since 0.1.0
 */
export * as NodeGigaChat from "./NodeGigaChat.js"
