/**
 * GigaChat as an `@effect/ai` `LanguageModel`, over the v2 chat API (`POST /api/v2/chat/completions`) of the core's
 * `GigaChat` service: `generateText`, `streamText` and `generateObject`, tools from a `Toolkit`, GigaChat's built-in
 * tools (`GigaChatTool`), reasoning, web sources, uploaded and generated files, usage and GenAI telemetry.
 *
 * A program written against `LanguageModel` runs on GigaChat by providing `GigaChatLanguageModel.model(...)` over a
 * `GigaChat` layer, and on another provider by providing that provider's model instead.
 *
 * @example
 * ```ts
 * import { GigaChatLanguageModel } from "@effect-gigachat/ai"
 * import type { GigaChat } from "@effect-gigachat/core"
 * import { LanguageModel } from "@effect/ai"
 * import * as Effect from "effect/Effect"
 * import type * as Layer from "effect/Layer"
 *
 * const program = LanguageModel.generateText({ prompt: "Hello!" }).pipe(
 *   Effect.map((response) => response.text)
 * )
 *
 * // any layer of the core's GigaChat service: NodeGigaChat.layer(), GigaChatEmulator.layer(), GigaChat.layerMock(...)
 * declare const GigaChatLive: Layer.Layer<GigaChat.GigaChat>
 *
 * const runnable = program.pipe(
 *   Effect.provide(GigaChatLanguageModel.model("GigaChat-2-Max")),
 *   Effect.provide(GigaChatLive)
 * )
 * ```
 *
 * @since 0.2.0
 */
import type * as Completions from "@effect-gigachat/core/Completions"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as IdGenerator from "@effect/ai/IdGenerator"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { toAiError } from "./internal/errors.js"
import * as internalPrompt from "./internal/prompt.js"
import * as internalResponse from "./internal/response.js"

/**
 * The request fields a configuration may set: GigaChat's own v2 request fields (the body minus `messages`,
 * `tools` and `tool_config`, which the call builds), plus how structured output is asked for.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConfigOptions {
  /** The model; the layer's `model` when absent. */
  readonly model?: string | undefined
  /** `temperature`, `top_p`, `max_tokens`, `repetition_penalty`, `update_interval`, `reasoning`, ... */
  readonly model_options?: Schema.Schema.Encoded<typeof Completions.ChatModelOptions> | undefined
  readonly filter_config?: Schema.Schema.Encoded<typeof Completions.ChatFilterConfig> | undefined
  readonly ranker_options?: Schema.Schema.Encoded<typeof Completions.ChatRankerOptions> | undefined
  readonly user_info?: Schema.Schema.Encoded<typeof Completions.ChatUserInfo> | undefined
  readonly storage?: Schema.Schema.Encoded<typeof Completions.ChatStorage> | boolean | undefined
  readonly assistant_id?: string | undefined
  readonly disable_filter?: boolean | undefined
  readonly profanity_check?: boolean | undefined
  readonly flags?: ReadonlyArray<string> | undefined
  /**
   * How `generateObject` asks for JSON: `"response_format"` (the default) sends the Schema as
   * `model_options.response_format` (`json_schema`); `"function"` forces a function whose parameters are the
   * Schema (for models without `response_format`) and reads its arguments as the answer.
   */
  readonly structuredOutput?: "response_format" | "function" | undefined
  /** `strict` of the `json_schema` response format (default true). */
  readonly strict?: boolean | undefined
  /** Any other request field, sent as given. */
  readonly [key: string]: unknown
}

/**
 * The per-request configuration: set by `withConfigOverride` for one effect, merged over the layer's.
 *
 * @since 0.2.0
 * @category context
 */
export class Config extends Context.Tag("@effect-gigachat/ai/GigaChatLanguageModel/Config")<Config, ConfigOptions>() {}

/**
 * Sends the given request fields with every call of the effect (merged over the layer's configuration; fields of
 * `model_options` are merged one by one).
 *
 * @example
 * ```ts
 * import { GigaChatLanguageModel } from "@effect-gigachat/ai"
 * import { LanguageModel } from "@effect/ai"
 *
 * const precise = LanguageModel.generateText({ prompt: "2 + 2?" }).pipe(
 *   GigaChatLanguageModel.withConfigOverride({ model_options: { temperature: 0 } })
 * )
 * ```
 *
 * @since 0.2.0
 * @category configuration
 */
export const withConfigOverride: {
  (overrides: ConfigOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: ConfigOptions): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(self: Effect.Effect<A, E, R>, overrides: ConfigOptions): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(Config),
    (config) =>
      Effect.provideService(
        self,
        Config,
        config._tag === "Some" ? mergeConfig(config.value, overrides) : overrides
      )
  ))

const mergeConfig = (base: ConfigOptions, overrides: ConfigOptions): ConfigOptions => {
  const merged: Record<string, unknown> = { ...base, ...overrides }
  if (base.model_options !== undefined && overrides.model_options !== undefined) {
    merged.model_options = { ...base.model_options, ...overrides.model_options }
  }
  return merged as ConfigOptions
}

/**
 * Options of `make` and `layer`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  /** The model, e.g. `GigaChat-2-Max`. */
  readonly model: string
  /** Request fields sent with every call. */
  readonly config?: ConfigOptions | undefined
}

/**
 * Builds the `LanguageModel` service over the `GigaChat` service of the context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<LanguageModel.Service, never, GigaChat.GigaChat> =>
  Effect.gen(function*() {
    const gc = yield* GigaChat.GigaChat
    const uploads = internalPrompt.makeUploads()

    const prepare = (providerOptions: LanguageModel.ProviderOptions) =>
      Effect.gen(function*() {
        const override = yield* Effect.serviceOption(Config)
        const config = override._tag === "Some"
          ? mergeConfig(options.config ?? {}, override.value)
          : options.config ?? {}
        const { strict, structuredOutput, ...fields } = config
        const prepared = yield* internalPrompt.prepareRequest(
          gc,
          uploads,
          providerOptions,
          { model: options.model, ...fields },
          { structuredOutput: structuredOutput ?? "response_format", strict: strict ?? true }
        )
        internalResponse.annotateRequest(providerOptions.span, prepared.request)
        const idGenerator = yield* IdGenerator.IdGenerator
        const ctx: internalResponse.Context = {
          gc,
          options: providerOptions,
          idGenerator,
          jsonFunction: prepared.jsonFunction
        }
        return { request: prepared.request, ctx }
      })

    return yield* LanguageModel.make({
      generateText: (providerOptions) =>
        Effect.flatMap(prepare(providerOptions), ({ ctx, request }) =>
          gc.completions.create(request).pipe(
            Effect.mapError((error) => toAiError("GigaChatLanguageModel", "generateText", error)),
            Effect.flatMap((response) => internalResponse.makeResponse(ctx, response))
          )),
      streamText: (providerOptions) =>
        Stream.unwrap(Effect.map(prepare(providerOptions), ({ ctx, request }) => {
          const state = new internalResponse.StreamState(ctx)
          return gc.completions.stream(request).pipe(
            Stream.mapError((error) => toAiError("GigaChatLanguageModel", "streamText", error)),
            Stream.mapChunks(state.onChunk),
            Stream.concat(Stream.flattenChunks(Stream.fromEffect(state.flush)))
          )
        }))
    })
  })

/**
 * The `LanguageModel` layer over the `GigaChat` service.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<LanguageModel.LanguageModel, never, GigaChat.GigaChat> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

/**
 * The model as an `@effect/ai` `Model`: a layer (also usable in an `ExecutionPlan`) that provides the
 * `LanguageModel` and names the provider `gigachat`.
 *
 * @example
 * ```ts
 * import { GigaChatLanguageModel } from "@effect-gigachat/ai"
 *
 * const GigaChat2Max = GigaChatLanguageModel.model("GigaChat-2-Max", { model_options: { temperature: 0.2 } })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export const model = (
  name: string,
  config?: ConfigOptions
): AiModel.Model<"gigachat", LanguageModel.LanguageModel, GigaChat.GigaChat> =>
  AiModel.make("gigachat", layer({ model: name, config }))
