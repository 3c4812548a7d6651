/**
 * The GigaChat emulator: a GigaChat-compatible app for tests, examples and local development, in-process or served
 * on a 127.0.0.1 socket. Kept out of `@effect-gigachat/core` and `@effect-gigachat/node` so that applications do not
 * load it.
 *
 * @since 0.1.0
 */

/**
 * A GigaChat-compatible emulator for tests, examples and local development: the app, its fault knobs and request
 * log, and an in-process `HttpClient`.
 *
 * @since 0.1.0
 */
export * as GigaChatEmulator from "./GigaChatEmulator.js"

/**
 * The emulator served on a 127.0.0.1 socket (Node.js).
 *
 * @since 0.1.0
 */
export * as NodeGigaChatEmulator from "./NodeGigaChatEmulator.js"
