import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import * as Completions from "@effect-gigachat/core/Completions"
import type * as GigaChatError from "@effect-gigachat/core/GigaChatError"
import * as Tool from "@effect-gigachat/core/Tool"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { readdirSync } from "node:fs"
import { apiInteractions, fixturePath, loadCassette } from "./utils/cassette.js"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, json, mockServices, sse } from "./utils/mockHttp.js"
import { interaction, replay } from "./utils/replay.js"

/** The recordings were made with `GIGACHAT_MODEL=GigaChat-3-Ultra`. */
const recorded: GigaChatConfig.Options = { model: "GigaChat-3-Ultra" }

const replayedCassettes = [
  "test_primary_chat_builtin_tools",
  "test_primary_chat_create_simple",
  "test_primary_chat_function_tool_roundtrip",
  "test_primary_chat_parse_json_schema",
  "test_primary_chat_regex_format",
  "test_primary_chat_stream_simple"
] as const

const cassette = (name: typeof replayedCassettes[number]) => name

/** The API interactions of a cassette with their request bodies parsed. */
const recordedBodies = (name: string) =>
  apiInteractions(name).map((recordedInteraction) => ({
    interaction: recordedInteraction,
    body: JSON.parse(recordedInteraction.request.body!) as Record<string, any>
  }))

const setup = (api: Handler, options: GigaChatConfig.Options = {}) => mockServices(api, { credentials, ...options })

const answer = (text: string, extra: Record<string, unknown> = {}) => ({
  model: "GigaChat:2",
  created_at: 1780000000,
  messages: [{ role: "assistant", content: [{ text }] }],
  finish_reason: "stop",
  usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 },
  ...extra
})

const frame = (event: string | undefined, data: unknown) =>
  `${event === undefined ? "" : `event: ${event}\n`}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`

const bodyOf = (request: { readonly body: string | undefined }) => JSON.parse(request.body!) as Record<string, any>

describe("GigaChat.completions", () => {
  describe("replays of the test_primary_* cassettes", () => {
    it("every test_primary_* cassette is replayed here", () => {
      const recordings = readdirSync(fixturePath("cassettes/"))
        .filter((file) => file.startsWith("test_primary_") && file.endsWith(".yaml"))
        .map((file) => file.slice(0, -".yaml".length))
        .sort()
      assert.deepStrictEqual(recordings, [...replayedCassettes].sort())
    })

    it.effect("test_primary_chat_create_simple: create", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_create_simple")
        const [{ interaction: recordedInteraction }] = recordedBodies(name)
        const response = yield* replay(name, GigaChat.completionsCreate("Say 'Hello' and nothing else"), recorded)
        assert.strictEqual(Completions.text(response), "Hello")
        assert.strictEqual(response.model, "GigaChat-3-Ultra:32.3.18.5")
        assert.strictEqual(response.created_at, 1780321855)
        assert.strictEqual(response.finish_reason, "stop")
        assert.deepStrictEqual(response.usage, {
          input_tokens: 19,
          input_tokens_details: { prompt_tokens: 19, cached_tokens: 0 },
          output_tokens: 2,
          total_tokens: 21
        })
        assert.strictEqual(response.xHeaders["x-request-id"], recordedInteraction.response.headers["x-request-id"])
        assert.strictEqual(response.xHeaders["x-session-id"], recordedInteraction.response.headers["x-session-id"])
      }))

    it.effect("test_primary_chat_stream_simple: stream, named events, accumulate", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_stream_simple")
        const [{ interaction: recordedInteraction }] = recordedBodies(name)
        const chunks = Chunk.toReadonlyArray(
          yield* replay(
            name,
            Stream.runCollect(
              GigaChat.completionsStream({ messages: [{ role: "user", content: "Count from 1 to 3" }] })
            ),
            recorded
          )
        )
        assert.deepStrictEqual(chunks.map((chunk) => chunk.event), ["response.message.delta", "response.message.done"])
        assert.deepStrictEqual(chunks[0].messages, [{ role: "assistant", content: [{ text: "1, 2, 3" }] }])
        for (const chunk of chunks) {
          assert.strictEqual(chunk.xHeaders["x-request-id"], recordedInteraction.response.headers["x-request-id"])
        }
        const folded = Completions.accumulate(chunks)
        assert.strictEqual(Completions.text(folded), "1, 2, 3")
        assert.strictEqual(folded.finish_reason, "stop")
        assert.strictEqual(folded.usage?.output_tokens, 8)
      }))

    it.effect("test_primary_chat_parse_json_schema: parse", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_parse_json_schema")
        const [{ body }] = recordedBodies(name)
        const recordedSchema = body.model_options.response_format.schema
        // The recording was made with a Pydantic model; its JSON Schema is pinned with a `jsonSchema` annotation,
        // while decoding still checks 0 <= n <= 10.
        const StructuredAnswer = Schema.Struct({
          answer: Schema.String,
          n: Schema.Int.pipe(Schema.between(0, 10))
        }).annotations({ jsonSchema: recordedSchema })
        const { completion, parsed } = yield* replay(
          name,
          GigaChat.completionsParse("Return {\"answer\":\"ok\",\"n\":3} exactly.", StructuredAnswer),
          recorded
        )
        assert.deepStrictEqual(parsed, { answer: "ok", n: 3 })
        assert.strictEqual(completion.finish_reason, "stop")
        assert.strictEqual(completion.usage?.total_tokens, 45)
      }))

    it.effect("test_primary_chat_regex_format: a regex response_format through create", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_regex_format")
        const response = yield* replay(
          name,
          GigaChat.completionsCreate({
            messages: [{ role: "user", content: "Generate one support ticket code." }],
            // the top-level shorthand moves into model_options
            response_format: { type: "regex", regex: "[A-Z]{3}-\\d{4}" }
          }),
          recorded
        )
        assert.strictEqual(Completions.text(response), "TKT-2023")
        assert.match(Completions.text(response), /^[A-Z]{3}-\d{4}$/)
      }))

    it.effect("test_primary_chat_function_tool_roundtrip: create twice by hand", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_function_tool_roundtrip")
        const getOrderStatus = yield* orderStatusTool
        const final = yield* replay(
          name,
          Effect.gen(function*() {
            const messages: Array<Completions.ChatMessageInput> = [
              { role: "user", content: "Check order A-1024 and answer naturally." }
            ]
            const first = yield* GigaChat.completionsCreate({
              messages,
              tool_config: { mode: "forced", function_name: "get_order_status" },
              tools: [Tool.toV2Tool(getOrderStatus)]
            })
            assert.strictEqual(first.finish_reason, "function_call")
            // the server's `tool_state_id` is read as `tools_state_id`
            const [assistant] = first.messages
            assert.strictEqual(assistant.tools_state_id, "019e8373-dc9a-7883-af60-ebb20b79e1e1")
            assert.notProperty(assistant, "tool_state_id")
            const [call] = Completions.functionCalls(first)
            const args = yield* Tool.decodeArguments(getOrderStatus, call.arguments)
            const result = yield* Tool.encodeResult(getOrderStatus, { ...args, status: "packed", eta: "tomorrow" })
            return yield* GigaChat.completionsCreate({
              messages: [
                ...messages,
                assistant,
                {
                  role: "tool",
                  tools_state_id: assistant.tools_state_id,
                  content: [{ function_result: { name: call.name, result } }]
                }
              ],
              tools: [Tool.toV2Tool(getOrderStatus)]
            })
          }),
          recorded
        )
        assert.strictEqual(
          Completions.text(final),
          "Order A-1024 is currently packed and scheduled for delivery tomorrow."
        )
      }))

    it.effect("test_primary_chat_function_tool_roundtrip: runTools sends the recorded requests", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_function_tool_roundtrip")
        const getOrderStatus = yield* orderStatusTool
        const calls: Array<{ readonly order_id: string }> = []
        const run = yield* replay(
          name,
          GigaChat.completionsRunTools({
            messages: [{ role: "user", content: "Check order A-1024 and answer naturally." }],
            tool_config: { mode: "forced", function_name: "get_order_status" }
          }, {
            tools: [getOrderStatus],
            handlers: {
              get_order_status: (args) =>
                Effect.sync(() => {
                  calls.push(args)
                  return { order_id: args.order_id, status: "packed", eta: "tomorrow" }
                })
            }
          }),
          recorded
        )
        assert.deepStrictEqual(calls, [{ order_id: "A-1024" }])
        assert.strictEqual(run.steps, 2)
        assert.strictEqual(
          Completions.text(run.response),
          "Order A-1024 is currently packed and scheduled for delivery tomorrow."
        )
        assert.deepStrictEqual(run.messages.map((message) => message.role), ["user", "assistant", "tool", "assistant"])
      }))

    it.effect("test_primary_chat_builtin_tools: web search, code interpreter, URL extraction, image", () =>
      Effect.gen(function*() {
        const name = cassette("test_primary_chat_builtin_tools")
        const [search, code, url, image] = yield* replay(
          name,
          Effect.all([
            GigaChat.completionsCreate({
              messages: [{ role: "user", content: "What is new in the latest stable Python release?" }],
              tool_config: { mode: "forced", tool_name: "web_search" },
              tools: [{ web_search: { type: "actual_info_web_search" } }]
            }),
            GigaChat.completionsCreate({
              messages: [{ role: "user", content: "Calculate the sum of the first 20 prime numbers. Use code." }],
              tool_config: { mode: "auto" },
              tools: ["code_interpreter"]
            }),
            GigaChat.completionsCreate({
              messages: [{
                role: "user",
                content: "Read https://docs.python.org/3/library/pathlib.html and list three use cases for pathlib."
              }],
              tool_config: { mode: "forced", tool_name: "url_content_extraction" },
              tools: ["url_content_extraction"]
            }),
            GigaChat.completionsCreate({
              messages: [{ role: "user", content: "Create a simple square icon concept for a Python SDK release." }],
              tool_config: { mode: "forced", tool_name: "image_generate" },
              tools: ["image_generate"]
            })
          ]),
          recorded
        )
        const sources = search.messages[0].content?.[0].inline_data?.sources
        assert.deepStrictEqual(sources?.["2"]?.url, "https://realpython.com/python-news-february-2026/")
        assert.include(Completions.text(search), "[sources=[2]]")
        assert.strictEqual(search.usage?.input_tokens_details?.cached_tokens, 2557)
        assert.strictEqual(search.messages[0].tools_state_id, "019e8374-28b2-741f-a05c-54c968fd20c2")
        assert.strictEqual(Completions.text(code), "The sum of the first 20 prime numbers is 639.")
        assert.include(Completions.text(url), "pathlib")
        assert.deepStrictEqual(image.messages[0].content?.[0].files, [
          { id: "f4b17167-3fa4-40aa-80c6-c737ee40d961", mime: "image/jpeg", target: "image" }
        ])
      }))

    it.effect("test_primary_chat_builtin_tools: downloadImages fetches the generated image", () =>
      Effect.gen(function*() {
        const imageInteraction = loadCassette("test_primary_chat_builtin_tools").filter((recordedInteraction) =>
          recordedInteraction.request.body?.includes("image_generate") === true
        )
        const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])
        const files = yield* replay(
          [
            ...imageInteraction,
            interaction("GET", "/files/f4b17167-3fa4-40aa-80c6-c737ee40d961/content", {
              body: jpeg,
              headers: { "content-type": "image/jpeg", "x-request-id": "file-request" }
            })
          ],
          Effect.gen(function*() {
            const response = yield* GigaChat.completionsCreate({
              messages: [{ role: "user", content: "Create a simple square icon concept for a Python SDK release." }],
              tool_config: { mode: "forced", tool_name: "image_generate" },
              tools: ["image_generate"]
            })
            return yield* GigaChat.completionsDownloadImages(response)
          }),
          recorded
        )
        assert.strictEqual(files.length, 1)
        assert.strictEqual(files[0].file.id, "f4b17167-3fa4-40aa-80c6-c737ee40d961")
        assert.deepStrictEqual(Array.from(files[0].content.bytes), Array.from(jpeg))
        assert.strictEqual(files[0].content.contentType, "image/jpeg")
        assert.strictEqual(files[0].content.xHeaders["x-request-id"], "file-request")
      }))
  })

  describe("URL", () => {
    const cases: ReadonlyArray<{
      readonly baseUrl: string
      readonly override?: string
      readonly expected: string
    }> = [
      { baseUrl: "https://gigachat.test/api/v1", expected: "https://gigachat.test/api/v2/chat/completions" },
      { baseUrl: "https://gigachat.test/api/v1/", expected: "https://gigachat.test/api/v2/chat/completions" },
      { baseUrl: "https://gigachat.test/v1", expected: "https://gigachat.test/v2/chat/completions" },
      { baseUrl: "http://127.0.0.1:8089/api/v3", expected: "http://127.0.0.1:8089/api/v2/chat/completions" },
      { baseUrl: "https://proxy.test/gigachat", expected: "https://proxy.test/gigachat/chat/completions" },
      {
        baseUrl: "https://gigachat.test/api/v1",
        override: "https://other.test/custom/completions",
        expected: "https://other.test/custom/completions"
      },
      {
        baseUrl: "https://gigachat.test/api/v1",
        override: "/api/v3/chat/completions",
        expected: "https://gigachat.test/api/v3/chat/completions"
      },
      {
        baseUrl: "https://gigachat.test/prefix/api/v1",
        override: "/v2/chat/completions",
        expected: "https://gigachat.test/v2/chat/completions"
      },
      {
        baseUrl: "https://gigachat.test/api/v1",
        override: "beta/completions",
        expected: "https://gigachat.test/api/v1/beta/completions"
      }
    ]
    for (const { baseUrl, expected, override } of cases) {
      it.effect(`${baseUrl}${override === undefined ? "" : ` + ${override}`} → ${expected}`, () =>
        Effect.gen(function*() {
          const { api, layer } = setup(
            (request) =>
              request.body?.includes("\"stream\":true") === true
                ? sse([frame("response.message.done", { finish_reason: "stop" })])
                : json(answer("ok")),
            { baseUrl, chatCompletionsUrl: override }
          )
          yield* Effect.provide(
            Effect.gen(function*() {
              const gc = yield* GigaChat.GigaChat
              yield* gc.completions.create("hi")
              yield* Stream.runDrain(gc.completions.stream("hi"))
            }),
            layer
          )
          assert.deepStrictEqual(api().map((request) => `${request.method} ${request.url}`), [
            `POST ${expected}`,
            `POST ${expected}`
          ])
        }))
    }

    it.effect("the v1 chat keeps its own URL", () =>
      Effect.gen(function*() {
        const { api, layer } = setup((request) =>
          request.url.includes("/v2/")
            ? json(answer("v2"))
            : json({
              choices: [{ message: { role: "assistant", content: "v1" }, index: 0, finish_reason: "stop" }],
              created: 1,
              model: "GigaChat",
              object: "chat.completion",
              usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }
            })
        )
        yield* Effect.provide(Effect.all([GigaChat.chat("hi"), GigaChat.completionsCreate("hi")]), layer)
        assert.deepStrictEqual(api().map((request) => request.url), [
          "https://gigachat.test/api/v1/chat/completions",
          "https://gigachat.test/api/v2/chat/completions"
        ])
      }))
  })

  describe("create", () => {
    it.effect("sends the normalized body with the client settings and decodes the answer", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(() =>
          json({
            ...answer("done"),
            created: 1780000001,
            created_at: undefined,
            tool_state_id: "state-1",
            surprise: { kept: true }
          }, { headers: { "x-request-id": "req-1", "x-session-id": "ses-1" } }), {
          model: "GigaChat-2-Max",
          profanityCheck: true,
          flags: ["beta"]
        })
        const response = yield* Effect.provide(
          GigaChat.completionsCreate({
            messages: [{ role: "user", content: ["a", { text: "b" }], tool_state_id: "old-state" }],
            storage: true,
            tools: ["web_search"],
            reasoning: { effort: "medium" }
          }),
          layer
        )
        assert.deepStrictEqual(bodyOf(api()[0]), {
          model: "GigaChat-2-Max",
          messages: [{ role: "user", content: [{ text: "a" }, { text: "b" }], tools_state_id: "old-state" }],
          model_options: { reasoning: { effort: "medium" } },
          storage: {},
          tools: [{ web_search: {} }],
          disable_filter: false,
          flags: ["beta"]
        })
        assert.strictEqual(api()[0].headers["content-type"], "application/json")
        assert.strictEqual(response.tools_state_id, "state-1")
        assert.strictEqual(response.created_at, 1780000001)
        assert.deepStrictEqual((response as any).surprise, { kept: true })
        assert.deepStrictEqual(response.xHeaders, {
          "x-request-id": "req-1",
          "x-session-id": "ses-1",
          "x-client-id": undefined
        })
      }))

    it.effect("storage: false and profanity_check in the request", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(() => json(answer("ok")), { profanityCheck: true })
        yield* Effect.provide(
          GigaChat.completionsCreate({
            messages: [{ role: "user", content: "x" }],
            storage: false,
            profanity_check: false
          }),
          layer
        )
        const body = bodyOf(api()[0])
        assert.notProperty(body, "storage")
        assert.notProperty(body, "profanity_check")
        assert.strictEqual(body.disable_filter, true)
      }))

    it.effect("an invalid request fails with InvalidRequestError and sends nothing", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(() => json(answer("never")))
        const error = yield* Effect.provide(
          Effect.flip(GigaChat.completionsCreate({ messages: [], tools: ["functions" as any] })),
          layer
        )
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.message, "messages")
        assert.include(error.message, "\"functions\" is not a built-in tool")
        assert.strictEqual(api().length, 0)
      }))

    it.effect("a status error is typed, with the v2 URL", () =>
      Effect.gen(function*() {
        const { layer } = setup(() => json({ status: 404, message: "No such model" }, { status: 404 }))
        const error = yield* Effect.provide(Effect.flip(GigaChat.completionsCreate("hi")), layer)
        assert.strictEqual(error._tag, "NotFoundError")
        if (error._tag !== "NotFoundError") return
        assert.strictEqual(error.url, "https://gigachat.test/api/v2/chat/completions")
      }))

    it.effect("a body that is not a response is a DecodeError", () =>
      Effect.gen(function*() {
        const { layer } = setup(() => json({ choices: [] }))
        const error = yield* Effect.provide(Effect.flip(GigaChat.completionsCreate("hi")), layer)
        assert.strictEqual(error._tag, "DecodeError")
      }))
  })

  describe("stream", () => {
    it.effect("sends stream: true and accepts text/event-stream", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(() => sse([frame("response.message.done", { finish_reason: "stop" })]))
        yield* Effect.provide(Stream.runDrain(GigaChat.completionsStream("hi")), layer)
        const [request] = api()
        assert.strictEqual(bodyOf(request).stream, true)
        assert.strictEqual(request.headers.accept, "text/event-stream")
      }))

    it.effect("injects the event name unless the payload has one; keeps events without a name", () =>
      Effect.gen(function*() {
        const { layer } = setup(() =>
          sse([
            frame("response.message.delta", { messages: [{ role: "assistant", content: [{ text: "a" }] }] }),
            frame("response.tool.completed", { event: "server.name", tool_execution: { name: "web_search" } }),
            frame(undefined, { messages: [{ content: [{ text: "b" }] }] }),
            frame("response.message.done", { finish_reason: "stop", tool_state_id: "s" })
          ], { headers: { "x-request-id": "stream-1" } })
        )
        const chunks = Chunk.toReadonlyArray(
          yield* Effect.provide(Stream.runCollect(GigaChat.completionsStream("hi")), layer)
        )
        assert.deepStrictEqual(chunks.map((chunk) => chunk.event), [
          "response.message.delta",
          "server.name",
          undefined,
          "response.message.done"
        ])
        assert.strictEqual(chunks[3].tools_state_id, "s")
        assert.isTrue(chunks.every((chunk) => chunk.xHeaders["x-request-id"] === "stream-1"))
        assert.strictEqual(Completions.text(Completions.accumulate(chunks)), "ab")
      }))

    it.effect("data: [DONE] ends the stream", () =>
      Effect.gen(function*() {
        const { layer } = setup(() =>
          sse([
            frame("response.message.delta", { messages: [{ role: "assistant", content: [{ text: "a" }] }] }),
            "data: [DONE]\n\n",
            frame("response.message.delta", { messages: [{ content: [{ text: "never" }] }] })
          ])
        )
        const chunks = yield* Effect.provide(Stream.runCollect(GigaChat.completionsStream("hi")), layer)
        assert.strictEqual(Completions.text(Completions.accumulate(chunks)), "a")
      }))

    it.effect("an error object in the stream fails it with the typed error after the chunks before it", () =>
      Effect.gen(function*() {
        const { layer } = setup(() =>
          sse([
            frame("response.message.delta", { messages: [{ role: "assistant", content: [{ text: "a" }] }] }),
            frame("error", { status: 429, message: "Too many requests" })
          ])
        )
        const seen: Array<string> = []
        const error = yield* Effect.provide(
          Effect.flip(
            Stream.runForEach(
              GigaChat.completionsStream("hi"),
              (chunk) => Effect.sync(() => seen.push(Completions.text(chunk)))
            )
          ),
          layer
        )
        assert.deepStrictEqual(seen, ["a"])
        assert.strictEqual(error._tag, "RateLimitError")
      }))

    it.effect("an error object as the first event is retried under the retry policy", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(
          (_, index) =>
            index === 1
              ? sse([frame("error", { status: 429, message: "Too many requests" })])
              : sse([
                frame("response.message.delta", { messages: [{ role: "assistant", content: [{ text: "a" }] }] }),
                frame("response.message.done", { finish_reason: "stop" })
              ]),
          { maxRetries: 1 }
        )
        const fiber = yield* Effect.fork(Effect.provide(Stream.runCollect(GigaChat.completionsStream("hi")), layer))
        yield* TestClock.adjust("1 minute")
        const chunks = yield* Fiber.join(fiber)
        assert.strictEqual(Completions.text(Completions.accumulate(chunks)), "a")
        assert.strictEqual(api().length, 2)
      }))

    it.effect("invalid JSON and a wrong shape are DecodeErrors", () =>
      Effect.gen(function*() {
        const invalid = setup(() => sse([frame("response.message.delta", "{not json")]))
        const notJson = yield* Effect.provide(
          Effect.flip(Stream.runDrain(GigaChat.completionsStream("hi"))),
          invalid.layer
        )
        assert.strictEqual(notJson._tag, "DecodeError")
        const wrong = setup(() => sse([frame("response.message.delta", { messages: "nope" })]))
        const shape = yield* Effect.provide(Effect.flip(Stream.runDrain(GigaChat.completionsStream("hi"))), wrong.layer)
        assert.strictEqual(shape._tag, "DecodeError")
        assert.include(shape.message, "https://gigachat.test/api/v2/chat/completions")
      }))
  })

  describe("parse", () => {
    const Person = Schema.Struct({ name: Schema.String, age: Schema.Number })

    const parseWith = (body: unknown, options?: GigaChat.ParseOptions) => {
      const session = setup(() => json(body))
      return Effect.provide(
        GigaChat.completionsParse(
          {
            messages: [{ role: "user", content: "Who?" }],
            model_options: { temperature: 0.2 }
          },
          Person,
          options
        ),
        session.layer
      ).pipe(Effect.map((result) => ({ ...result, requests: session.api() })))
    }

    it.effect("sends the JSON Schema (without $schema) in model_options.response_format and decodes the text", () =>
      Effect.gen(function*() {
        const { completion, parsed, requests } = yield* parseWith(answer("{\"name\":\"Ann\",\"age\":30}"))
        assert.deepStrictEqual(parsed, { name: "Ann", age: 30 })
        assert.strictEqual(completion.finish_reason, "stop")
        const options = bodyOf(requests[0]).model_options
        assert.strictEqual(options.temperature, 0.2)
        assert.strictEqual(options.response_format.type, "json_schema")
        assert.strictEqual(options.response_format.strict, true)
        assert.notProperty(options.response_format.schema, "$schema")
        assert.deepStrictEqual(options.response_format.schema.required, ["name", "age"])
      }))

    it.effect("strict: false is sent", () =>
      Effect.gen(function*() {
        const { requests } = yield* parseWith(answer("{\"name\":\"Ann\",\"age\":30}"), { strict: false })
        assert.strictEqual(bodyOf(requests[0]).model_options.response_format.strict, false)
      }))

    it.effect("reads the first assistant message with text, after reasoning messages", () =>
      Effect.gen(function*() {
        const { parsed } = yield* parseWith({
          messages: [
            { role: "reasoning", content: [{ text: "thinking" }] },
            { role: "assistant", content: [{ text: "{\"name\":" }, { text: "\"Bo\",\"age\":4}" }] },
            { role: "assistant", content: [{ text: "not json" }] }
          ]
        })
        assert.deepStrictEqual(parsed, { name: "Bo", age: 4 })
      }))

    const failure = (body: unknown) => Effect.flip(parseWith(body))

    it.effect("no messages → DecodeError", () =>
      Effect.gen(function*() {
        const error = yield* failure({ messages: [] })
        assert.strictEqual(error._tag, "DecodeError")
        assert.include(error.message, "no messages")
      }))

    it.effect("no assistant text → DecodeError", () =>
      Effect.gen(function*() {
        const error = yield* failure({ messages: [{ role: "assistant", content: [{ files: [{ id: "f" }] }] }] })
        assert.strictEqual(error._tag, "DecodeError")
      }))

    it.effect("finish_reason length on the response or on the message → LengthFinishReasonError", () =>
      Effect.gen(function*() {
        const top = yield* failure(answer("{\"name\":\"A", { finish_reason: "length" }))
        assert.strictEqual(top._tag, "LengthFinishReasonError")
        const onMessage = yield* failure({
          messages: [{ role: "assistant", content: [{ text: "{\"name\":\"A" }], finish_reason: "length" }]
        })
        assert.strictEqual(onMessage._tag, "LengthFinishReasonError")
        if (onMessage._tag !== "LengthFinishReasonError") return
        assert.strictEqual(
          Completions.text(onMessage.completion as Completions.ChatCompletionResponse),
          "{\"name\":\"A"
        )
      }))

    it.effect("invalid JSON → DecodeError with the text", () =>
      Effect.gen(function*() {
        const error = yield* failure(answer("Ann, 30"))
        assert.strictEqual(error._tag, "DecodeError")
        if (error._tag !== "DecodeError") return
        assert.strictEqual(error.body, "Ann, 30")
      }))

    it.effect("a value of the wrong shape → DecodeError", () =>
      Effect.gen(function*() {
        const error = yield* failure(answer("{\"name\":\"Ann\",\"age\":\"thirty\"}"))
        assert.strictEqual(error._tag, "DecodeError")
        assert.include(error.message, "age")
      }))

    it.effect("a Schema without a JSON Schema is an InvalidRequestError and nothing is sent", () =>
      Effect.gen(function*() {
        const session = setup(() => json(answer("{}")))
        const Opaque = Schema.declare((u): u is Map<string, string> => u instanceof Map)
        const error: GigaChatError.GigaChatError = yield* Effect.provide(
          Effect.flip(GigaChat.completionsParse("x", Opaque)),
          session.layer
        )
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(session.api().length, 0)
      }))
  })

  describe("downloadImages", () => {
    it.effect("downloads each image once, in order, and skips other targets", () =>
      Effect.gen(function*() {
        const { api, layer } = setup((request) =>
          new Response(new TextEncoder().encode(request.url), { headers: { "content-type": "image/png" } })
        )
        const files = yield* Effect.provide(
          GigaChat.completionsDownloadImages({
            messages: [
              {
                role: "assistant",
                content: [
                  { files: [{ id: "img-1", target: "image" }, { id: "audio-1", target: "audio" }] },
                  { text: "and again" },
                  { files: [{ id: "img-2", target: "image" }, { id: "img-1", target: "image" }] }
                ]
              }
            ]
          }),
          layer
        )
        assert.deepStrictEqual(files.map((file) => file.file.id), ["img-1", "img-2"])
        assert.deepStrictEqual(api().map((request) => `${request.method} ${request.url}`), [
          "GET https://gigachat.test/api/v1/files/img-1/content",
          "GET https://gigachat.test/api/v1/files/img-2/content"
        ])
        assert.strictEqual(new TextDecoder().decode(files[1].content.bytes), api()[1].url)
      }))

    it.effect("an answer without images downloads nothing", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(() => json({}))
        const files = yield* Effect.provide(GigaChat.completionsDownloadImages(answer("no images")), layer)
        assert.deepStrictEqual(files, [])
        assert.strictEqual(api().length, 0)
      }))
  })
})

const orderStatusTool = Tool.make("get_order_status", {
  description: "Get delivery status for an order.",
  parameters: Schema.Struct({ order_id: Schema.String.annotations({ description: "Order identifier." }) }),
  success: Schema.Struct({ order_id: Schema.String, status: Schema.String, eta: Schema.String })
})
