/**
 * Schemas of `POST /embeddings`: the request and the vectors it returns.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { decodesToItself } from "./internal/typeGuard.js"

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
 * A vector of numbers, checked in one loop: a per-element Schema costs several times `JSON.parse` on 1,024 or
 * 2,560 numbers, and this is the largest answer the API sends.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Vector: Schema.Schema<ReadonlyArray<number>> = Schema.declare(
  (u: unknown): u is ReadonlyArray<number> => {
    if (!Array.isArray(u)) return false
    for (let i = 0; i < u.length; i++) {
      if (typeof u[i] !== "number") return false
    }
    return true
  },
  {
    identifier: "Vector",
    description: "an array of numbers",
    jsonSchema: { type: "array", items: { type: "number" } },
    arbitrary: () => (fc) => fc.array(fc.double({ noNaN: true }))
  }
)

/**
 * The vector of one input text; `index` is the position of the text in the request. `object` is `"embedding"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Embedding = Schema.Struct({
  embedding: Vector,
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
export const Embeddings = decodesToItself(Schema.Struct({
  data: Schema.Array(Embedding),
  model: Schema.optionalWith(Schema.String, { nullable: true }),
  object: Schema.String
}))

/**
 * The decoded value of the `Embeddings` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Embeddings extends Schema.Schema.Type<typeof Embeddings> {}
