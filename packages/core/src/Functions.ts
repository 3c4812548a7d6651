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

/**
 * One finding of `POST /functions/validate`: what is wrong and where (`(root)`, `$.parameters`, ...).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FunctionValidationIssue = Schema.Struct({
  description: Schema.String,
  schema_location: Schema.optionalWith(Schema.String, { nullable: true })
})

/**
 * The decoded value of the `FunctionValidationIssue` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface FunctionValidationIssue extends Schema.Schema.Type<typeof FunctionValidationIssue> {}

/**
 * The answer of `POST /functions/validate`. The server answers an invalid function with HTTP 200 too: `status` in the
 * body is then not 200, `message` is `"Incorrect function syntax"` and `errors` lists the problems; a valid function
 * may come with `warnings` (see `isValid`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FunctionValidation = Schema.Struct({
  status: Schema.Number,
  message: Schema.String,
  json_ai_rules_version: Schema.optionalWith(Schema.String, { nullable: true }),
  errors: Schema.optionalWith(Schema.Array(FunctionValidationIssue), { nullable: true }),
  warnings: Schema.optionalWith(Schema.Array(FunctionValidationIssue), { nullable: true })
})

/**
 * The decoded value of the `FunctionValidation` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface FunctionValidation extends Schema.Schema.Type<typeof FunctionValidation> {}

/**
 * True when the server found the function valid: status 200 in the body and no `errors` (warnings allowed).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isValid = (validation: FunctionValidation): boolean =>
  validation.status === 200 && (validation.errors === undefined || validation.errors.length === 0)

/**
 * A function description as a caller writes it (the encoded side of `Chat.Function`), the body of
 * `POST /functions/validate`.
 *
 * @since 0.2.0
 * @category models
 */
export type FunctionInput = Schema.Schema.Encoded<typeof Chat.Function>
