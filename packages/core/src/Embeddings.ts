/**
 * Schemas of `POST /embeddings`: the request and the vectors it returns.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The body of `POST /embeddings`. The model is `"Embeddings"` unless another is named (e.g. `"EmbeddingsGigaR"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingsRequest = Schema.Struct({
  input: Schema.Array(Schema.String),
  model: Schema.String
})

/**
 * The decoded value of the `EmbeddingsRequest` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingsRequest extends Schema.Schema.Type<typeof EmbeddingsRequest> {}

/**
 * The token count of one embedded text.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EmbeddingUsage = Schema.Struct({
  prompt_tokens: Schema.Number
})

/**
 * The decoded value of the `EmbeddingUsage` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface EmbeddingUsage extends Schema.Schema.Type<typeof EmbeddingUsage> {}

/**
 * The vector of one input text; `index` is the position of the text in the request. `object` is `"embedding"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Embedding = Schema.Struct({
  embedding: Schema.Array(Schema.Number),
  usage: Schema.optionalWith(EmbeddingUsage, { nullable: true }),
  index: Schema.Number,
  object: Schema.String
})

/**
 * The decoded value of the `Embedding` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Embedding extends Schema.Schema.Type<typeof Embedding> {}

/**
 * The answer of `POST /embeddings`. `object` is `"list"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Embeddings = Schema.Struct({
  data: Schema.Array(Embedding),
  model: Schema.optionalWith(Schema.String, { nullable: true }),
  object: Schema.String
})

/**
 * The decoded value of the `Embeddings` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Embeddings extends Schema.Schema.Type<typeof Embeddings> {}
