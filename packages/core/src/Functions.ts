/**
 * Schema of `POST /functions/convert`, which turns an OpenAPI description into chat functions.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Chat from "./Chat.js"

/**
 * The answer of `POST /functions/convert`: functions ready for `Chat.functions`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OpenApiFunctions = Schema.Struct({
  functions: Schema.Array(Chat.Function)
})

/**
 * The decoded value of the `OpenApiFunctions` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenApiFunctions extends Schema.Schema.Type<typeof OpenApiFunctions> {}
