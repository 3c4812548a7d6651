import { GigaChatEmbeddingModel, GigaChatLanguageModel, GigaChatTool } from "@effect-gigachat/ai"
import type * as Completions from "@effect-gigachat/core/Completions"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatError from "@effect-gigachat/core/GigaChatError"
import * as XHeaders from "@effect-gigachat/core/XHeaders"
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Telemetry from "@effect/ai/Telemetry"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const stateId = "5c0d2bc6-3f1a-4d7e-9a3b-1f2e3d4c5b6a"
const xHeaders: XHeaders.XHeaders = { ...XHeaders.empty, "x-request-id": "req-1" }

type Body = Record<string, any>

/** A `GigaChat` whose v2 calls record their request and answer with the given responses, in turn. */
const mock = (options: {
  readonly responses?: ReadonlyArray<Completions.ChatCompletionResponse>
  readonly chunks?: ReadonlyArray<ReadonlyArray<Completions.ChatCompletionChunk>>
  readonly fail?: GigaChatError.GigaChatError
  readonly config?: GigaChatLanguageModel.ConfigOptions
}) => {
  const requests: Array<Body> = []
  const uploads: Array<{ readonly filename: string; readonly mimeType: string | undefined }> = []
  let next = 0
  const layer = GigaChatLanguageModel.layer({ model: "GigaChat-2-Max", config: options.config }).pipe(
    Layer.provide(GigaChat.layerMock({
      uploadFile: (file) =>
        Effect.sync(() => {
          uploads.push({ filename: file.filename, mimeType: file.mimeType })
          return {
            id: `file-${uploads.length}`,
            object: "file",
            bytes: 3,
            created_at: 0,
            filename: file.filename,
            purpose: "general",
            xHeaders
          }
        }),
      getFileContent: (id) =>
        Effect.succeed({ bytes: new Uint8Array([1, 2, 3]), contentType: `image/png;${id}`, xHeaders }),
      completions: {
        create: (request) =>
          Effect.suspend(() => {
            requests.push(request as Body)
            if (options.fail !== undefined) return Effect.fail(options.fail)
            return Effect.succeed({ ...options.responses![next++], xHeaders })
          }),
        stream: (request) => {
          requests.push(request as Body)
          const stream = Stream.fromChunks(
            ...(options.chunks ?? []).map((chunk) => Chunk.fromIterable(chunk.map((event) => ({ ...event, xHeaders }))))
          )
          return options.fail === undefined ? stream : Stream.concat(stream, Stream.fail(options.fail))
        }
      }
    }))
  )
  return { layer, requests, uploads }
}

const text = (
  value: string,
  extra: Partial<Completions.ChatCompletionResponse> = {}
): Completions.ChatCompletionResponse => ({
  model: "GigaChat-2-Max:2.0.28.2",
  created_at: 1_700_000_000,
  messages: [{ role: "assistant", content: [{ text: value }] }],
  finish_reason: "stop",
  usage: { input_tokens: 10, output_tokens: 3, total_tokens: 13, input_tokens_details: { cached_tokens: 4 } },
  ...extra
})

const GetWeather = Tool.make("get_weather", {
  description: "Current weather",
  parameters: {
    city: Schema.String,
    unit: Schema.optional(Schema.Literal("celsius", "fahrenheit"))
  },
  success: Schema.Struct({ temperature: Schema.Number })
})

const Weather = Toolkit.make(GetWeather)
const WeatherHandlers = Weather.toLayer({ get_weather: () => Effect.succeed({ temperature: 21 }) })

describe("GigaChatLanguageModel: the request", () => {
  it.effect("messages, uploaded files, tool calls and results with their state id, and the configuration", () => {
    const { layer, requests, uploads } = mock({
      responses: [text("ok"), text("ok")],
      config: { model_options: { temperature: 0.3 }, flags: ["a"] }
    })
    const image = new Uint8Array([1, 2, 3])
    const prompt = [
      { role: "system", content: "Be brief." },
      {
        role: "user",
        content: [
          { type: "text", text: "What is here?" },
          { type: "file", mediaType: "image/png", data: image },
          { type: "file", mediaType: "application/pdf", data: "ignored", options: { gigachat: { fileId: "known-id" } } }
        ]
      },
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "thinking" },
          { type: "text", text: "Let me look." },
          { type: "tool-call", id: stateId, name: "get_weather", params: { city: "Paris" }, providerExecuted: false }
        ]
      },
      {
        role: "tool",
        content: [{
          type: "tool-result",
          id: stateId,
          name: "get_weather",
          result: { temperature: 21 },
          isFailure: false,
          providerExecuted: false
        }]
      },
      {
        role: "tool",
        content: [{
          type: "tool-result",
          id: "id_from_another_provider",
          name: "get_weather",
          result: "unavailable",
          isFailure: true,
          providerExecuted: false
        }]
      }
    ] as const
    return Effect.gen(function*() {
      yield* LanguageModel.generateText({ prompt }).pipe(
        GigaChatLanguageModel.withConfigOverride({ model_options: { max_tokens: 100 } })
      )
      yield* LanguageModel.generateText({ prompt })
      assert.deepStrictEqual(requests[0], {
        model: "GigaChat-2-Max",
        model_options: { temperature: 0.3, max_tokens: 100 },
        flags: ["a"],
        messages: [
          { role: "system", content: [{ text: "Be brief." }] },
          {
            role: "user",
            content: [
              { text: "What is here?" },
              { files: [{ id: "file-1", mime: "image/png" }] },
              { files: [{ id: "known-id", mime: "application/pdf" }] }
            ]
          },
          {
            role: "assistant",
            content: [{ text: "Let me look." }, {
              function_call: { name: "get_weather", arguments: { city: "Paris" } }
            }],
            tools_state_id: stateId
          },
          {
            role: "tool",
            content: [{ function_result: { name: "get_weather", result: { temperature: 21 } } }],
            tools_state_id: stateId
          },
          { role: "tool", content: [{ function_result: { name: "get_weather", result: { error: "unavailable" } } }] }
        ]
      })
      // the same bytes in the next call are not uploaded again
      assert.deepStrictEqual(uploads, [{ filename: "file.png", mimeType: "image/png" }])
      assert.deepStrictEqual(requests[1].messages[1].content[1], { files: [{ id: "file-1", mime: "image/png" }] })
      assert.deepStrictEqual(requests[1].model_options, { temperature: 0.3 })
    }).pipe(Effect.provide(layer))
  })

  it.effect("tools: specifications through the core's rules, built-in tools, and the tool choice", () => {
    const { layer, requests } = mock({ responses: [text("a"), text("b"), text("c"), text("d"), text("e")] })
    const Tools = Toolkit.make(GetWeather, GigaChatTool.WebSearch({ type: "actual_info_web_search" }))
    const handlers = Tools.toLayer({ get_weather: () => Effect.succeed({ temperature: 21 }) })
    return Effect.gen(function*() {
      yield* LanguageModel.generateText({ prompt: "hi", toolkit: Tools })
      yield* LanguageModel.generateText({ prompt: "hi", toolkit: Tools, toolChoice: "required" })
      yield* LanguageModel.generateText({ prompt: "hi", toolkit: Tools, toolChoice: { tool: "GigaChatWebSearch" } })
      yield* LanguageModel.generateText({
        prompt: "hi",
        toolkit: Tools,
        toolChoice: { oneOf: ["get_weather"], mode: "required" }
      })
      assert.deepStrictEqual(requests[0].tools, [
        { web_search: { type: "actual_info_web_search" } },
        {
          functions: {
            specifications: [{
              name: "get_weather",
              description: "Current weather",
              parameters: {
                type: "object",
                required: ["city"],
                properties: {
                  city: { type: "string", description: "" },
                  unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "" }
                }
              }
            }]
          }
        }
      ])
      assert.deepStrictEqual(requests.map((request) => request.tool_config), [
        { mode: "auto" },
        // no "required" in GigaChat: the model decides among several tools
        { mode: "auto" },
        { mode: "forced", tool_name: "web_search" },
        // ...and is forced when one tool is left
        { mode: "forced", function_name: "get_weather" }
      ])
      assert.strictEqual(requests[3].tools.length, 1)
      // without a toolkit no tools are sent
      yield* LanguageModel.generateText({ prompt: "hi" })
      assert.isUndefined(requests[4].tools)
      assert.isUndefined(requests[4].tool_config)
    }).pipe(Effect.provide(handlers), Effect.provide(layer))
  })

  it.effect("a tool whose Schema GigaChat cannot take fails with MalformedInput naming the field", () => {
    const { layer, requests } = mock({ responses: [text("a")] })
    const Bad = Toolkit.make(Tool.make("pick", { parameters: { value: Schema.Union(Schema.String, Schema.Number) } }))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "hi", toolkit: Bad }))
      assert.strictEqual(error._tag, "MalformedInput")
      assert.include(error.message, "parameters.value")
      assert.strictEqual(requests.length, 0)
    }).pipe(Effect.provide(Bad.toLayer({ pick: () => Effect.void })), Effect.provide(layer))
  })

  it.effect("a file given by URL fails with MalformedInput; nothing is sent", () => {
    const { layer, requests } = mock({ responses: [text("a")] })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(LanguageModel.generateText({
        prompt: [{
          role: "user",
          content: [{ type: "file", mediaType: "image/png", data: new URL("https://example.invalid/a.png") }]
        }]
      }))
      assert.strictEqual(error._tag, "MalformedInput")
      assert.include(error.message, "options.gigachat.fileId")
      assert.strictEqual(requests.length, 0)
    }).pipe(Effect.provide(layer))
  })
})

describe("GigaChatLanguageModel: the response", () => {
  it.effect("reasoning, text, sources, a tool call with the state id as its id, finish reason and usage", () => {
    const { layer } = mock({
      responses: [{
        model: "GigaChat-2-Max:2.0.28.2",
        created_at: 1_700_000_000,
        message_id: "msg-1",
        messages: [
          { role: "reasoning", content: [{ text: "The user wants the weather." }] },
          {
            role: "assistant",
            tools_state_id: stateId,
            content: [
              { text: "Checking.", inline_data: { sources: { "1": { url: "https://example.org/w", title: "W" } } } },
              { function_call: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
              // a function the call did not offer is dropped: the toolkit could not run it
              { function_call: { name: "text2image", arguments: {} } }
            ]
          }
        ],
        finish_reason: "function_call",
        usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15, input_tokens_details: { cached_tokens: 2 } }
      }]
    })
    return Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "Weather in Paris?", toolkit: Weather })
      const parts = response.content.map((part) => part.type)
      assert.deepStrictEqual(parts, [
        "response-metadata",
        "reasoning",
        "text",
        "source",
        "tool-call",
        "finish",
        "tool-result"
      ])
      assert.strictEqual(response.reasoningText, "The user wants the weather.")
      assert.strictEqual(response.text, "Checking.")
      assert.strictEqual(response.finishReason, "tool-calls")
      assert.deepStrictEqual(
        { ...response.usage },
        { inputTokens: 10, outputTokens: 5, totalTokens: 15, cachedInputTokens: 2 }
      )
      const [call] = response.toolCalls
      assert.strictEqual(call.id, stateId)
      assert.deepStrictEqual(call.params, { city: "Paris" })
      assert.deepStrictEqual(response.toolResults[0].result, { temperature: 21 })
      const metadata = response.content[0]
      assert.deepStrictEqual(metadata.type === "response-metadata" ? metadata.id : undefined, Option.some("msg-1"))
      assert.deepStrictEqual(
        metadata.type === "response-metadata" ? Option.map(metadata.timestamp, DateTime.formatIso) : undefined,
        Option.some("2023-11-14T22:13:20.000Z")
      )
      const source = response.content[3]
      assert.strictEqual(
        source.type === "source" && source.sourceType === "url" && source.url.toString(),
        "https://example.org/w"
      )
    }).pipe(Effect.provide(WeatherHandlers), Effect.provide(layer))
  })

  it.effect("finish reasons: blacklist is content-filter, length is length, an unknown one is unknown", () => {
    const { layer } = mock({
      responses: [
        text("x", { finish_reason: "blacklist" }),
        text("x", { finish_reason: "length" }),
        text("x", { finish_reason: "something_new" })
      ]
    })
    return Effect.gen(function*() {
      const reasons: Array<string> = []
      for (let i = 0; i < 3; i++) reasons.push((yield* LanguageModel.generateText({ prompt: "hi" })).finishReason)
      assert.deepStrictEqual(reasons, ["content-filter", "length", "unknown"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("a built-in tool's run is a provider-executed call with its result; generated files are file parts", () => {
    const { layer } = mock({
      responses: [{
        model: "GigaChat-2-Max",
        messages: [{
          role: "assistant",
          content: [
            { tool_execution: { name: "image_generate", status: "success" } },
            { files: [{ id: "img-1", mime: "image/jpeg", target: "image" }] },
            { text: "Here it is." }
          ]
        }],
        finish_reason: "stop"
      }]
    })
    const Tools = Toolkit.make(GigaChatTool.ImageGenerate({}))
    return Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "Draw a cat", toolkit: Tools })
      const call = response.content.find((part) => part.type === "tool-call")
      const result = response.content.find((part) => part.type === "tool-result")
      assert.isTrue(call?.type === "tool-call" && call.providerExecuted)
      assert.strictEqual(call?.type === "tool-call" && call.name, "GigaChatImageGenerate")
      assert.deepStrictEqual(result?.type === "tool-result" && result.result, {
        name: "image_generate",
        status: "success"
      })
      const file = response.content.find((part) => part.type === "file")
      assert.strictEqual(file?.type === "file" && file.mediaType, "image/jpeg")
      assert.deepStrictEqual(file?.type === "file" && [...file.data], [1, 2, 3])
      assert.strictEqual(response.text, "Here it is.")
      assert.strictEqual(response.finishReason, "stop")
    }).pipe(Effect.provide(Tools.toLayer({})), Effect.provide(layer))
  })

  it.effect("structured output as a forced function (structuredOutput: \"function\") reads its arguments", () => {
    const { layer, requests } = mock({
      config: { structuredOutput: "function" },
      responses: [{
        messages: [{
          role: "assistant",
          content: [{ function_call: { name: "answer", arguments: { answer: "ok", n: 3 } } }]
        }],
        finish_reason: "function_call"
      }]
    })
    return Effect.gen(function*() {
      const response = yield* LanguageModel.generateObject({
        prompt: "Answer",
        schema: Schema.Struct({ answer: Schema.String, n: Schema.Number }),
        objectName: "answer"
      })
      assert.deepStrictEqual(response.value, { answer: "ok", n: 3 })
      assert.deepStrictEqual(requests[0].tool_config, { mode: "forced", function_name: "answer" })
      assert.strictEqual(requests[0].tools[0].functions.specifications[0].name, "answer")
      assert.isUndefined(requests[0].model_options)
    }).pipe(Effect.provide(layer))
  })
})

describe("GigaChatLanguageModel: the stream", () => {
  const done = (extra: Partial<Completions.ChatCompletionChunk>): Completions.ChatCompletionChunk => ({
    event: "response.message.done",
    usage: { input_tokens: 7, output_tokens: 4, total_tokens: 11 },
    ...extra
  })
  const delta = (role: string | undefined, content: Completions.ChatContentPart): Completions.ChatCompletionChunk => ({
    event: "response.message.delta",
    model: "GigaChat-2-Max",
    messages: [{ ...(role !== undefined ? { role } : {}), content: [content] }]
  })

  it.effect("reasoning then text, each block closed; deltas of one read merged; the call after the state id came", () => {
    const { layer } = mock({
      chunks: [
        [delta("reasoning", { text: "Hm" }), delta(undefined, { text: "m." })],
        [delta("assistant", { text: "Hel" }), delta("assistant", { text: "lo" })],
        [delta("assistant", { function_call: { name: "get_weather", arguments: { city: "Oslo" } } })],
        [done({ finish_reason: "function_call", tools_state_id: stateId })]
      ]
    })
    return Effect.gen(function*() {
      const parts = Chunk.toReadonlyArray(
        yield* Stream.runCollect(LanguageModel.streamText({ prompt: "Weather?", toolkit: Weather }))
      )
      assert.deepStrictEqual(parts.map((part) => part.type), [
        "response-metadata",
        "reasoning-start",
        "reasoning-delta",
        "reasoning-end",
        "text-start",
        "text-delta",
        "text-end",
        "tool-params-start",
        "tool-params-delta",
        "tool-params-end",
        "tool-call",
        "finish",
        "tool-result"
      ])
      const reasoning = parts[2]
      assert.strictEqual(reasoning.type === "reasoning-delta" && reasoning.delta, "Hmm.")
      const textDelta = parts[5]
      assert.strictEqual(textDelta.type === "text-delta" && textDelta.delta, "Hello")
      const call = parts[10]
      assert.strictEqual(call.type === "tool-call" && call.id, stateId)
      assert.deepStrictEqual(call.type === "tool-call" && call.params, { city: "Oslo" })
      const finish = parts[11]
      assert.strictEqual(finish.type === "finish" && finish.reason, "tool-calls")
      assert.strictEqual(finish.type === "finish" && finish.usage.totalTokens, 11)
    }).pipe(Effect.provide(WeatherHandlers), Effect.provide(layer))
  })

  it.effect("the done event's repeated text is not doubled; without deltas it is the text", () => {
    const repeated = mock({
      chunks: [[delta("assistant", { text: "Hi" })], [
        done({ finish_reason: "stop", messages: [{ role: "assistant", content: [{ text: "Hi" }] }] })
      ]]
    })
    const only = mock({
      chunks: [[done({ finish_reason: "stop", messages: [{ role: "assistant", content: [{ text: "Whole" }] }] })]]
    })
    const textOf = (layer: Layer.Layer<LanguageModel.LanguageModel>) =>
      Stream.runCollect(LanguageModel.streamText({ prompt: "hi" })).pipe(
        Effect.map((parts) =>
          Chunk.toReadonlyArray(parts).flatMap((part) => part.type === "text-delta" ? [part.delta] : []).join("")
        ),
        Effect.provide(layer)
      )
    return Effect.gen(function*() {
      assert.strictEqual(yield* textOf(repeated.layer), "Hi")
      assert.strictEqual(yield* textOf(only.layer), "Whole")
    })
  })

  it.effect("an error in the stream fails it with the AiError of its status, the GigaChat error as cause", () => {
    const failure = new GigaChatError.ServerError({
      status: 500,
      method: "POST",
      url: "http://x/api/v2/chat/completions",
      body: "{}",
      headers: {},
      requestId: "req-9"
    })
    const { layer } = mock({ chunks: [[delta("assistant", { text: "partial" })]], fail: failure })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(LanguageModel.streamText({ prompt: "hi" })))
      assert.strictEqual(error._tag, "HttpResponseError")
      assert.strictEqual(error._tag === "HttpResponseError" && error.response.status, 500)
      assert.isTrue((error as Error).cause instanceof GigaChatError.ServerError)
      assert.strictEqual(((error as Error).cause as GigaChatError.ServerError).requestId, "req-9")
      assert.strictEqual(error._tag === "HttpResponseError" && error.response.headers["x-request-id"], "req-9")
    }).pipe(Effect.provide(layer))
  })
})

describe("GigaChatLanguageModel: errors and telemetry", () => {
  it.effect("each kind of GigaChat error maps to its AiError, keeping the GigaChat error", () =>
    Effect.gen(function*() {
      const failures: ReadonlyArray<readonly [GigaChatError.GigaChatError, string]> = [
        [
          new GigaChatError.RateLimitError({
            status: 429,
            method: "POST",
            url: "http://x/api/v2/chat/completions?a=1",
            body: "slow down",
            headers: { "retry-after": "3" },
            retryAfter: Duration.seconds(3)
          }),
          "HttpResponseError"
        ],
        [
          new GigaChatError.TimeoutError({ method: "POST", url: "http://x/y", timeout: Duration.seconds(5) }),
          "HttpRequestError"
        ],
        [
          new GigaChatError.TransportError({ method: "POST", url: "http://x/y", description: "reset" }),
          "HttpRequestError"
        ],
        [new GigaChatError.DecodeError({ description: "bad JSON" }), "MalformedOutput"],
        [
          new GigaChatError.InvalidRequestError({ description: "model_options.temperature: negative" }),
          "MalformedInput"
        ]
      ]
      for (const [failure, tag] of failures) {
        const { layer } = mock({ fail: failure })
        const error = yield* Effect.flip(Effect.provide(LanguageModel.generateText({ prompt: "hi" }), layer))
        assert.strictEqual(error._tag, tag)
        // Effect.fail inside a span hands on a proxy of the error (it carries the span): the same error, not `===`
        const cause = (error as Error).cause as GigaChatError.GigaChatError
        assert.isTrue(cause instanceof failure.constructor, `${tag}: the GigaChat error is the cause`)
        assert.strictEqual(cause.message, failure.message)
        if (error._tag === "HttpResponseError") {
          assert.include(error.description ?? "", "(retry after 3s)")
          assert.deepStrictEqual(error.request.urlParams, [["a", "1"]])
        }
        if (error._tag === "HttpRequestError") assert.strictEqual(error.reason, "Transport")
      }
    }))

  it.effect("the span carries the GenAI attributes: system, models, tokens, finish reasons", () => {
    const { layer } = mock({ responses: [text("ok")], config: { model_options: { temperature: 0.5, max_tokens: 50 } } })
    let attributes: ReadonlyMap<string, unknown> = new Map()
    const transformer = Layer.succeed(Telemetry.CurrentSpanTransformer, (options) => {
      attributes = options.span.attributes
    })
    return Effect.gen(function*() {
      yield* LanguageModel.generateText({ prompt: "hi" })
      assert.strictEqual(attributes.get("gen_ai.system"), "gigachat")
      assert.strictEqual(attributes.get("gen_ai.operation.name"), "chat")
      assert.strictEqual(attributes.get("gen_ai.request.model"), "GigaChat-2-Max")
      assert.strictEqual(attributes.get("gen_ai.request.temperature"), 0.5)
      assert.strictEqual(attributes.get("gen_ai.request.max_tokens"), 50)
      assert.strictEqual(attributes.get("gen_ai.response.model"), "GigaChat-2-Max:2.0.28.2")
      assert.deepStrictEqual(attributes.get("gen_ai.response.finish_reasons"), ["stop"])
      assert.strictEqual(attributes.get("gen_ai.usage.input_tokens"), 10)
      assert.strictEqual(attributes.get("gen_ai.usage.output_tokens"), 3)
      assert.strictEqual(attributes.get("gen_ai.gigachat.response.request_id"), "req-1")
    }).pipe(Effect.provide(Layer.merge(layer, transformer)))
  })

  it.effect("a stream's span gets the response model, finish reason and tokens from its events", () => {
    const { layer } = mock({
      chunks: [[{
        event: "response.message.delta",
        model: "GigaChat-2-Max:2.0.28.2",
        messages: [{ role: "assistant", content: [{ text: "Hi" }] }]
      }], [{
        event: "response.message.done",
        finish_reason: "length",
        usage: { input_tokens: 5, output_tokens: 2, total_tokens: 7 }
      }]]
    })
    let attributes: ReadonlyMap<string, unknown> = new Map()
    const transformer = Layer.succeed(Telemetry.CurrentSpanTransformer, (options) => {
      attributes = options.span.attributes
    })
    return Effect.gen(function*() {
      yield* Stream.runDrain(LanguageModel.streamText({ prompt: "hi" }))
      assert.strictEqual(attributes.get("gen_ai.system"), "gigachat")
      assert.strictEqual(attributes.get("gen_ai.response.model"), "GigaChat-2-Max:2.0.28.2")
      assert.deepStrictEqual(attributes.get("gen_ai.response.finish_reasons"), ["length"])
      assert.strictEqual(attributes.get("gen_ai.usage.input_tokens"), 5)
      assert.strictEqual(attributes.get("gen_ai.usage.output_tokens"), 2)
    }).pipe(Effect.provide(Layer.merge(layer, transformer)))
  })
})

describe("GigaChatEmbeddingModel", () => {
  it.effect("a batch over the character budget is split into requests; each vector goes to its text", () => {
    const requests: Array<ReadonlyArray<string>> = []
    const layer = GigaChatEmbeddingModel.layer({ model: "EmbeddingsGigaR", maxBatchChars: 8 }).pipe(
      Layer.provide(GigaChat.layerMock({
        embeddings: (texts, options) =>
          Effect.sync(() => {
            const input = typeof texts === "string" ? [texts] : texts
            requests.push(input)
            assert.strictEqual(options?.model, "EmbeddingsGigaR")
            // answered out of order: the index says which text a vector is for
            const data = input.map((text, index) => ({
              object: "embedding",
              index,
              embedding: [text.length, index],
              usage: { prompt_tokens: 1 }
            })).reverse()
            return { object: "list", data, xHeaders }
          })
      }))
    )
    return Effect.gen(function*() {
      const model = yield* EmbeddingModel.EmbeddingModel
      const vectors = yield* Effect.all(
        [model.embed("abcd"), model.embed("efg"), model.embed("hijklm")],
        { concurrency: "unbounded", batching: true }
      )
      assert.deepStrictEqual(requests, [["abcd", "efg"], ["hijklm"]])
      assert.deepStrictEqual(vectors, [[4, 0], [3, 1], [6, 0]])
    }).pipe(Effect.provide(layer))
  })

  it.effect("an answer without one vector per text (a missing or repeated index) is a MalformedOutput", () => {
    const answers = [[0], [0, 0], [0, 2]]
    let answered = 0
    const layer = GigaChatEmbeddingModel.layer({ model: "Embeddings" }).pipe(
      Layer.provide(GigaChat.layerMock({
        embeddings: () =>
          Effect.sync(() => ({
            object: "list",
            data: answers[answered++]!.map((index) => ({ object: "embedding", index, embedding: [index] })),
            xHeaders
          }))
      }))
    )
    return Effect.gen(function*() {
      const model = yield* EmbeddingModel.EmbeddingModel
      for (let i = 0; i < answers.length; i++) {
        const error = yield* Effect.flip(model.embedMany(["a", "b"]))
        assert.strictEqual(error._tag, "MalformedOutput")
        assert.include(error.message, "one vector for each of the 2 inputs")
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failed request is an AiError with the GigaChat error as its cause", () => {
    const failure = new GigaChatError.NotFoundError({
      status: 404,
      method: "POST",
      url: "http://x/api/v1/embeddings",
      body: "No such model",
      headers: {}
    })
    const layer = GigaChatEmbeddingModel.layer({ model: "Nope" }).pipe(
      Layer.provide(GigaChat.layerMock({ embeddings: () => Effect.fail(failure) }))
    )
    return Effect.gen(function*() {
      const model = yield* EmbeddingModel.EmbeddingModel
      const error = yield* Effect.flip(model.embed("text"))
      assert.strictEqual(error._tag, "HttpResponseError")
      assert.strictEqual(error._tag === "HttpResponseError" && error.response.status, 404)
      assert.isTrue((error as Error).cause instanceof GigaChatError.NotFoundError)
    }).pipe(Effect.provide(layer))
  })
})
