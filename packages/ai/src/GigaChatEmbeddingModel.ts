/**
 * GigaChat as an `@effect/ai` `EmbeddingModel`, on `POST /embeddings` of the core's `GigaChat` service. Concurrent
 * `embed` calls are batched into one request (up to `maxBatchSize` texts, 90 by default, and `maxBatchChars`
 * characters, 1,000,000 by default, the limits langchain's GigaChat embeddings use).
 *
 * @example
 * ```ts
 * import { GigaChatEmbeddingModel } from "@effect-gigachat/ai"
 * import { EmbeddingModel } from "@effect/ai"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const model = yield* EmbeddingModel.EmbeddingModel
 *   return yield* model.embedMany(["one", "two"])
 * }).pipe(Effect.provide(GigaChatEmbeddingModel.model("Embeddings")))
 * ```
 *
 * @since 0.2.0
 */
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import { providerName } from "@effect-gigachat/core/Telemetry"
import * as AiError from "@effect/ai/AiError"
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as AiModel from "@effect/ai/Model"
import * as Telemetry from "@effect/ai/Telemetry"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { toAiError } from "./internal/errors.js"

/**
 * Options of `make` and `layer`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** `Embeddings` (1024 dimensions), `EmbeddingsGigaR` (2560), ... */
  readonly model: string
  /** The most texts in one request (default 90). */
  readonly maxBatchSize?: number | undefined
  /** The most characters in one request: a larger batch is sent as several requests (default 1,000,000). */
  readonly maxBatchChars?: number | undefined
  /** Remember the vectors of texts already embedded. */
  readonly cache?: { readonly capacity: number; readonly timeToLive: Duration.DurationInput } | undefined
}

/** Splits texts into runs of at most `maxChars` characters (a longer text goes alone). */
const byChars = (inputs: ReadonlyArray<string>, maxChars: number): Array<Array<number>> => {
  const groups: Array<Array<number>> = []
  let current: Array<number> = []
  let chars = 0
  inputs.forEach((input, index) => {
    if (current.length > 0 && chars + input.length > maxChars) {
      groups.push(current)
      current = []
      chars = 0
    }
    current.push(index)
    chars += input.length
  })
  if (current.length > 0) groups.push(current)
  return groups
}

/**
 * Each vector of an answer with the index of its input in the whole batch. An answer that does not give exactly one
 * vector per input of its group is a `MalformedOutput`: a missing one would leave its input without an answer.
 */
const inOrder = (
  data: ReadonlyArray<{ readonly index: number; readonly embedding: ReadonlyArray<number> }>,
  indexes: ReadonlyArray<number>
): Effect.Effect<Array<{ readonly index: number; readonly embeddings: Array<number> }>, AiError.AiError> => {
  const seen = new Set(data.map((item) => item.index))
  const complete = data.length === indexes.length && seen.size === indexes.length &&
    data.every((item) => Number.isInteger(item.index) && item.index >= 0 && item.index < indexes.length)
  return complete
    ? Effect.succeed(data.map((item) => ({ index: indexes[item.index]!, embeddings: [...item.embedding] })))
    : Effect.fail(
      new AiError.MalformedOutput({
        module: "GigaChatEmbeddingModel",
        method: "embedMany",
        description: `expected one vector for each of the ${indexes.length} inputs (indexes 0 to ${
          indexes.length - 1
        }), got the indexes ${JSON.stringify(data.map((item) => item.index))}`
      })
    )
}

/**
 * Builds the `EmbeddingModel` service over the `GigaChat` service of the context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<EmbeddingModel.Service, never, GigaChat.GigaChat> =>
  Effect.gen(function*() {
    const gc = yield* GigaChat.GigaChat
    const maxChars = options.maxBatchChars ?? 1_000_000
    const embedGroup = (inputs: ReadonlyArray<string>, indexes: ReadonlyArray<number>) =>
      gc.embeddings(indexes.map((index) => inputs[index]), { model: options.model }).pipe(
        Effect.tap((response) =>
          Effect.flatMap(Effect.currentSpan, (span) =>
            Effect.sync(() =>
              Telemetry.addGenAIAnnotations(span, {
                system: providerName,
                operation: { name: "embeddings" },
                request: { model: options.model },
                response: { model: response.model ?? undefined },
                usage: {
                  inputTokens: response.data.reduce((sum, item) => sum + (item.usage?.prompt_tokens ?? 0), 0)
                }
              })
            )).pipe(Effect.ignore)
        ),
        Effect.mapError((error) => toAiError("GigaChatEmbeddingModel", "embedMany", error)),
        Effect.flatMap((response) => inOrder(response.data, indexes)),
        Effect.withSpan("GigaChatEmbeddingModel.embedMany", { captureStackTrace: false })
      )
    return yield* EmbeddingModel.make({
      maxBatchSize: options.maxBatchSize ?? 90,
      ...(options.cache !== undefined ? { cache: options.cache } : {}),
      embedMany: (inputs) =>
        Effect.map(
          Effect.forEach(byChars(inputs, maxChars), (group) => embedGroup(inputs, group)),
          (results) => results.flat()
        )
    })
  })

/**
 * The `EmbeddingModel` layer over the `GigaChat` service.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<EmbeddingModel.EmbeddingModel, never, GigaChat.GigaChat> =>
  Layer.effect(EmbeddingModel.EmbeddingModel, make(options))

/**
 * The model as an `@effect/ai` `Model` named `gigachat`.
 *
 * @since 0.2.0
 * @category models
 */
export const model = (
  name: string,
  options?: Omit<Options, "model">
): AiModel.Model<"gigachat", EmbeddingModel.EmbeddingModel, GigaChat.GigaChat> =>
  AiModel.make("gigachat", layer({ ...options, model: name }))
