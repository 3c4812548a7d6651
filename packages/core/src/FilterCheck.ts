/**
 * Schemas of `POST /filter/check`: asks the content filter (the `GigaFilter` model) whether a conversation is
 * profane or otherwise disallowed, without generating an answer.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"
import * as Chat from "./Chat.js"

const optional = <S extends Schema.Schema.All>(self: S) => Schema.optionalWith(self, { nullable: true })

/**
 * The model the filter uses unless another is named.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultModel = "GigaFilter"

/**
 * Which checks run; the server runs them all when `settings` is left out. `unnormalized_history: true` keeps the
 * messages as they are (no merging of consecutive messages, no trailing `system` turned into `user`).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FilterCheckSettings = Schema.Struct({
  neuro: Schema.optional(Schema.Boolean),
  blacklist: Schema.optional(Schema.Boolean),
  whitelist: Schema.optional(Schema.Boolean),
  unnormalized_history: Schema.optional(Schema.Boolean)
})

/**
 * The decoded value of the `FilterCheckSettings` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface FilterCheckSettings extends Schema.Schema.Type<typeof FilterCheckSettings> {}

/**
 * The body of `POST /filter/check`: v1 chat messages (their `attachments` are checked too), optional settings, and
 * functions (sent as context; the server does not check them).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FilterCheckRequest = Schema.Struct({
  model: Schema.String,
  settings: Schema.optional(FilterCheckSettings),
  messages: Schema.NonEmptyArray(Chat.Messages),
  functions: Schema.optional(Schema.Array(Chat.Function))
})

/**
 * The decoded value of the `FilterCheckRequest` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface FilterCheckRequest extends Schema.Schema.Type<typeof FilterCheckRequest> {}

/**
 * What `gc.filterCheck` takes beside a plain text: the request with an optional `model`.
 *
 * @since 0.2.0
 * @category models
 */
export interface FilterCheckInput {
  readonly model?: string | undefined
  readonly settings?: FilterCheckSettings | undefined
  readonly messages: ReadonlyArray<Chat.MessagesEncoded>
  readonly functions?: ReadonlyArray<Schema.Schema.Encoded<typeof Chat.Function>> | undefined
}

/**
 * The tokens the filter spent.
 *
 * @since 0.2.0
 * @category schemas
 */
export const FilterCheckUsage = Schema.Struct({
  filter_tokens: Schema.Number
})

/**
 * The answer of `POST /filter/check`: `is_profane` is true when the content is disallowed.
 *
 * @since 0.2.0
 * @category schemas
 */
export const FilterCheckResult = Schema.Struct({
  is_profane: Schema.Boolean,
  usage: optional(FilterCheckUsage)
})

/**
 * The decoded value of the `FilterCheckResult` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface FilterCheckResult extends Schema.Schema.Type<typeof FilterCheckResult> {}
