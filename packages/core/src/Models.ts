/**
 * Schemas of `GET /models` and `GET /models/{id}`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * What a model is for: `chat`, `filter`, `aicheck`, `embedder` or any other string the server may add.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelType = Schema.Union(Schema.Literal("chat", "filter", "aicheck", "embedder"), Schema.String)

/**
 * One model. `object` is `"model"`, `owned_by` is e.g. `"salutedevices"`. Unlike the Python SDK, `type` is kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Model = Schema.Struct({
  id: Schema.String,
  object: Schema.String,
  owned_by: Schema.String,
  type: Schema.optionalWith(ModelType, { nullable: true })
})

/**
 * The decoded value of the `Model` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Model extends Schema.Schema.Type<typeof Model> {}

/**
 * The answer of `GET /models`. `object` is `"list"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Models = Schema.Struct({
  data: Schema.Array(Model),
  object: Schema.String
})

/**
 * The decoded value of the `Models` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Models extends Schema.Schema.Type<typeof Models> {}
