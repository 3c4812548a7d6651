/**
 * Schema of `GET /balance` (prepaid accounts only; others get 403).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * What is left for one kind of usage, e.g. `GigaChat`, `GigaChat-Pro`, `GigaChat-Max`, `embeddings`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const BalanceValue = Schema.Struct({
  usage: Schema.String,
  value: Schema.Number
})

/**
 * The decoded value of the `BalanceValue` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface BalanceValue extends Schema.Schema.Type<typeof BalanceValue> {}

/**
 * The answer of `GET /balance`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Balance = Schema.Struct({
  balance: Schema.Array(BalanceValue)
})

/**
 * The decoded value of the `Balance` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Balance extends Schema.Schema.Type<typeof Balance> {}
