/**
 * Schemas of `POST /ai/check`, which estimates whether a text was written by a model.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The body of `POST /ai/check`. The model is required, e.g. `GigaCheckClassification` or `GigaCheckDetection`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AiCheckRequest = Schema.Struct({
  input: Schema.String,
  model: Schema.String
})

/**
 * The decoded value of the `AiCheckRequest` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface AiCheckRequest extends Schema.Schema.Type<typeof AiCheckRequest> {}

/**
 * The verdict: `ai`, `human`, `mixed` or any other string the server may add.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AiCheckCategory = Schema.Union(Schema.Literal("ai", "human", "mixed"), Schema.String)

/**
 * The answer of `POST /ai/check`. `ai_intervals` are the `[start, end]` character ranges judged written by a model.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AiCheckResult = Schema.Struct({
  category: AiCheckCategory,
  characters: Schema.Number,
  tokens: Schema.Number,
  ai_intervals: Schema.optionalWith(Schema.Array(Schema.Array(Schema.Number)), { nullable: true })
})

/**
 * The decoded value of the `AiCheckResult` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface AiCheckResult extends Schema.Schema.Type<typeof AiCheckResult> {}
