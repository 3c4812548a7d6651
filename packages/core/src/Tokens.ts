/**
 * Schemas of `POST /tokens/count`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The body of `POST /tokens/count`: the texts to count, each counted separately.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokensCountRequest = Schema.Struct({
  model: Schema.String,
  input: Schema.Array(Schema.String)
})

/**
 * The decoded value of the `TokensCountRequest` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokensCountRequest extends Schema.Schema.Type<typeof TokensCountRequest> {}

/**
 * The counts of one text. `object` is `"tokens"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokensCount = Schema.Struct({
  tokens: Schema.Number,
  characters: Schema.Number,
  object: Schema.String
})

/**
 * The decoded value of the `TokensCount` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokensCount extends Schema.Schema.Type<typeof TokensCount> {}

/**
 * The answer of `POST /tokens/count`: a JSON array with one {@link TokensCount} per input text, in order.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokensCountList = Schema.Array(TokensCount)

/**
 * The decoded value of the `TokensCountList` schema.
 *
 * @since 0.1.0
 * @category models
 */
export type TokensCountList = typeof TokensCountList.Type
