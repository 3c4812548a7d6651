import * as Completions from "@effect-gigachat/core/Completions"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { apiInteractions, type Interaction } from "./utils/cassette.js"

const noDefaults: Completions.RequestDefaults = { model: undefined, profanityCheck: undefined, flags: undefined }
/** The recordings were made with `GIGACHAT_MODEL=GigaChat-3-Ultra` and no profanity/flags settings. */
const recordedDefaults: Completions.RequestDefaults = { ...noDefaults, model: "GigaChat-3-Ultra" }

const decodeResponse = Schema.decodeUnknown(Completions.ChatCompletionResponse)
const decodeChunk = Schema.decodeUnknown(Completions.ChatCompletionChunk)

const encode = (input: Completions.ChatCompletionRequestInput, defaults = noDefaults, stream = false) =>
  Completions.encodeRequest(input, defaults, stream)

const invalid = (input: unknown, defaults = noDefaults) =>
  Completions.encodeRequest(input as Completions.ChatCompletionRequestInput, defaults, false).pipe(Effect.flip)

const user = (content: string) => ({ role: "user", content })

/** The named events of an SSE body, split on blank lines (the real decoder lives in the Sse module). */
const sseEvents = (body: string): ReadonlyArray<Record<string, unknown>> =>
  body.split(/\r?\n\r?\n/).filter((block) => block.trim() !== "").map((block) => {
    let event: string | undefined
    const data: Array<string> = []
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim()
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""))
    }
    const payload = JSON.parse(data.join("\n")) as Record<string, unknown>
    return event === undefined || "event" in payload ? payload : { ...payload, event }
  })

const isStream = (interaction: Interaction) =>
  (interaction.response.headers["content-type"] ?? "").startsWith("text/event-stream")

const decodeChunks = (interaction: Interaction) =>
  Effect.forEach(sseEvents(interaction.response.body), (event) => decodeChunk(event))

const primaryCassettes = [
  "test_primary_chat_builtin_tools",
  "test_primary_chat_create_simple",
  "test_primary_chat_function_tool_roundtrip",
  "test_primary_chat_parse_json_schema",
  "test_primary_chat_regex_format",
  "test_primary_chat_stream_simple"
] as const

const orderStatusSpecification = {
  name: "get_order_status",
  description: "Get delivery status for an order.",
  parameters: {
    type: "object",
    properties: { order_id: { type: "string", description: "Order identifier." } },
    required: ["order_id"]
  },
  return_parameters: {
    type: "object",
    properties: { order_id: { type: "string" }, status: { type: "string" }, eta: { type: "string" } },
    required: ["order_id", "status", "eta"]
  }
}

/** Checks that `encodeRequest` reproduces the recorded body of `interaction` from a natural input. */
const assertRecordedBody = (
  interaction: Interaction,
  input: Completions.ChatCompletionRequestInput,
  stream = false
) =>
  Effect.gen(function*() {
    const body = yield* encode(input, recordedDefaults, stream)
    assert.deepStrictEqual(body, JSON.parse(interaction.request.body!))
    // what goes on the wire is the JSON of that object
    assert.deepStrictEqual(JSON.parse(JSON.stringify(body)), JSON.parse(interaction.request.body!))
  })

describe("Completions", () => {
  describe("cassettes", () => {
    it.effect("decodes every response body of every test_primary_* cassette", () =>
      Effect.gen(function*() {
        let decoded = 0
        for (const name of primaryCassettes) {
          for (const interaction of apiInteractions(name)) {
            assert.strictEqual(interaction.response.status, 200, name)
            if (isStream(interaction)) {
              const chunks = yield* decodeChunks(interaction)
              assert.isAbove(chunks.length, 0, name)
              for (const chunk of chunks) assert.isString(chunk.event, name)
            } else {
              const raw = JSON.parse(interaction.response.body) as {
                readonly messages: ReadonlyArray<Record<string, unknown>>
              }
              const response = yield* decodeResponse(raw)
              assert.isAbove(response.messages.length, 0, name)
              raw.messages.forEach((message, i) => {
                // the server's singular `tool_state_id` is renamed
                assert.strictEqual(response.messages[i].tools_state_id, message.tool_state_id, name)
                assert.isFalse("tool_state_id" in response.messages[i], name)
              })
            }
            decoded++
          }
        }
        assert.strictEqual(decoded, 10)
      }))

    it.effect("test_primary_chat_create_simple: request body and answer", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_primary_chat_create_simple")
        yield* assertRecordedBody(interaction, { messages: [user("Say 'Hello' and nothing else")] })
        const response = yield* decodeResponse(JSON.parse(interaction.response.body))
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
        assert.deepStrictEqual(Completions.functionCalls(response), [])
      }))

    it.effect("test_primary_chat_stream_simple: request body, chunks and accumulate", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_primary_chat_stream_simple")
        yield* assertRecordedBody(interaction, { messages: [user("Count from 1 to 3")] }, true)
        const body = yield* encode({ messages: [user("Count from 1 to 3")] }, recordedDefaults, true)
        assert.strictEqual(Object.keys(body).at(-1), "stream")

        const chunks = yield* decodeChunks(interaction)
        assert.deepStrictEqual(chunks.map((chunk) => chunk.event), ["response.message.delta", "response.message.done"])
        const response = Completions.accumulate(chunks)
        assert.strictEqual(Completions.text(response), "1, 2, 3")
        assert.strictEqual(response.finish_reason, "stop")
        assert.strictEqual(response.model, "GigaChat-3-Ultra:32.3.18.5")
        assert.strictEqual(response.created_at, 1780321864)
        assert.deepStrictEqual(response.usage, {
          input_tokens: 19,
          input_tokens_details: { prompt_tokens: 19, cached_tokens: 0 },
          output_tokens: 8,
          total_tokens: 27
        })
        assert.isFalse("event" in response)
        // the folded answer decodes as a response
        yield* decodeResponse(response)
      }))

    it.effect("test_primary_chat_parse_json_schema: top-level response_format moves into model_options", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_primary_chat_parse_json_schema")
        const schema = {
          description: "Structured answer returned by response_format=json_schema.",
          properties: {
            answer: { title: "Answer", type: "string" },
            n: { maximum: 10, minimum: 0, title: "N", type: "integer" }
          },
          required: ["answer", "n"],
          title: "StructuredAnswer",
          type: "object"
        }
        yield* assertRecordedBody(interaction, {
          messages: [user("Return {\"answer\":\"ok\",\"n\":3} exactly.")],
          response_format: { type: "json_schema", schema, strict: true }
        })
        // the same body from model_options directly
        yield* assertRecordedBody(interaction, {
          messages: [user("Return {\"answer\":\"ok\",\"n\":3} exactly.")],
          model_options: { response_format: { type: "json_schema", schema, strict: true } }
        })
        const response = yield* decodeResponse(JSON.parse(interaction.response.body))
        assert.deepStrictEqual(JSON.parse(Completions.text(response)), { answer: "ok", n: 3 })
      }))

    it.effect("test_primary_chat_regex_format: request body and answer", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_primary_chat_regex_format")
        yield* assertRecordedBody(interaction, {
          messages: [user("Generate one support ticket code.")],
          model_options: { response_format: { type: "regex", regex: "[A-Z]{3}-\\d{4}" } }
        })
        const response = yield* decodeResponse(JSON.parse(interaction.response.body))
        assert.match(Completions.text(response), /^[A-Z]{3}-\d{4}$/)
      }))

    it.effect("test_primary_chat_function_tool_roundtrip: call, result, answer", () =>
      Effect.gen(function*() {
        const [first, second] = apiInteractions("test_primary_chat_function_tool_roundtrip")
        const question = user("Check order A-1024 and answer naturally.")
        const tools = [{ functions: { specifications: [orderStatusSpecification] } }]
        yield* assertRecordedBody(first, {
          messages: [question],
          tool_config: { mode: "forced", function_name: "get_order_status" },
          tools
        })

        const call = yield* decodeResponse(JSON.parse(first.response.body))
        assert.strictEqual(call.finish_reason, "function_call")
        assert.deepStrictEqual(Completions.functionCalls(call), [
          { name: "get_order_status", arguments: { order_id: "A-1024" } }
        ])
        const assistant = call.messages[0]
        assert.strictEqual(assistant.tools_state_id, "019e8373-dc9a-7883-af60-ebb20b79e1e1")

        // the assistant message goes back as decoded; the tool message uses the server's spelling of the state id
        yield* assertRecordedBody(second, {
          messages: [
            question,
            assistant,
            {
              role: "tool",
              content: [{
                function_result: {
                  name: "get_order_status",
                  result: { order_id: "A-1024", status: "packed", eta: "tomorrow" }
                }
              }],
              tool_state_id: assistant.tools_state_id
            }
          ],
          tools
        })
        const answer = yield* decodeResponse(JSON.parse(second.response.body))
        assert.strictEqual(
          Completions.text(answer),
          "Order A-1024 is currently packed and scheduled for delivery tomorrow."
        )
      }))

    it.effect("test_primary_chat_builtin_tools: web search, code, url extraction, image", () =>
      Effect.gen(function*() {
        const [search, code, url, image] = apiInteractions("test_primary_chat_builtin_tools")
        yield* assertRecordedBody(search, {
          messages: [user("What is new in the latest stable Python release?")],
          tool_config: { mode: "forced", tool_name: "web_search" },
          tools: [{ web_search: { type: "actual_info_web_search" } }]
        })
        yield* assertRecordedBody(code, {
          messages: [user("Calculate the sum of the first 20 prime numbers. Use code.")],
          tool_config: { mode: "auto" },
          tools: ["code_interpreter"]
        })
        yield* assertRecordedBody(url, {
          messages: [user("Read https://docs.python.org/3/library/pathlib.html and list three use cases for pathlib.")],
          tool_config: { mode: "forced", tool_name: "url_content_extraction" },
          tools: ["url_content_extraction"]
        })
        yield* assertRecordedBody(image, {
          messages: [user("Create a simple square icon concept for a Python SDK release.")],
          tool_config: { mode: "forced", tool_name: "image_generate" },
          tools: ["image_generate"]
        })

        const searched = yield* decodeResponse(JSON.parse(search.response.body))
        const sources = searched.messages[0].content![0].inline_data!.sources!
        assert.deepStrictEqual(Object.keys(sources), ["1", "2"])
        assert.strictEqual(sources["2"].url, "https://realpython.com/python-news-february-2026/")
        assert.deepStrictEqual(searched.messages[0].content![0].inline_data!.images, [])

        const generated = yield* decodeResponse(JSON.parse(image.response.body))
        assert.deepStrictEqual(generated.messages[0].content![0].files, [
          { id: "f4b17167-3fa4-40aa-80c6-c737ee40d961", mime: "image/jpeg", target: "image" }
        ])
        assert.strictEqual(
          Completions.text(generated),
          "A simple square icon concept for a Python SDK release has been created."
        )
        assert.strictEqual(generated.usage!.input_tokens_details!.cached_tokens, 830)
      }))
  })

  describe("request normalization", () => {
    it("encodeRequestEither gives the body, or the InvalidRequestError, without an effect", () => {
      const body = Completions.encodeRequestEither({ messages: [user("hi")] }, noDefaults, true)
      assert.isTrue(Either.isRight(body))
      const sent = Either.isRight(body) ? body.right : {}
      assert.strictEqual(sent.stream, true)
      assert.isArray(sent.messages)
      const error = Completions.encodeRequestEither(
        { messages: "not a list" } as unknown as Completions.ChatCompletionRequestInput,
        noDefaults,
        false
      )
      assert.isTrue(Either.isLeft(error) && error.left._tag === "InvalidRequestError")
      assert.match(Either.isLeft(error) ? error.left.description : "", /messages/)
    })

    it.effect("storage: true → {}, false → left out, an object as given", () =>
      Effect.gen(function*() {
        const messages = [user("hi")]
        assert.deepStrictEqual((yield* encode({ messages, storage: true })).storage, {})
        assert.isFalse("storage" in (yield* encode({ messages, storage: false })))
        assert.isFalse("storage" in (yield* encode({ messages })))
        assert.deepStrictEqual((yield* encode({ messages, storage: { limit: 3, metadata: { a: 1 } } })).storage, {
          limit: 3,
          metadata: { a: 1 }
        })
      }))

    it.effect("disable_filter: request's own, else !profanity_check, else !defaults.profanityCheck", () =>
      Effect.gen(function*() {
        const messages = [user("hi")]
        const table: ReadonlyArray<
          readonly [
            disable: boolean | undefined,
            profanity: boolean | undefined,
            setting: boolean | undefined,
            boolean | undefined
          ]
        > = [
          [undefined, undefined, undefined, undefined],
          [undefined, undefined, true, false],
          [undefined, undefined, false, true],
          [undefined, true, undefined, false],
          [undefined, false, undefined, true],
          [undefined, true, false, false],
          [undefined, false, true, true],
          [true, undefined, undefined, true],
          [false, undefined, true, false],
          [true, true, true, true],
          [false, false, false, false]
        ]
        for (const [disable, profanity, setting, expected] of table) {
          const body = yield* encode(
            {
              messages,
              ...(disable !== undefined ? { disable_filter: disable } : {}),
              ...(profanity !== undefined ? { profanity_check: profanity } : {})
            },
            { ...noDefaults, profanityCheck: setting }
          )
          const label = `disable_filter=${disable} profanity_check=${profanity} setting=${setting}`
          assert.strictEqual(body.disable_filter, expected, label)
          assert.strictEqual("disable_filter" in body, expected !== undefined, label)
          assert.isFalse("profanity_check" in body, label)
        }
      }))

    it.effect("tool shorthand: built-in names become objects, other strings fail naming the entry", () =>
      Effect.gen(function*() {
        const body = yield* encode({
          messages: [user("hi")],
          tools: [
            "web_search",
            "code_interpreter",
            "image_generate",
            "url_content_extraction",
            "model_3d_generate",
            { functions: { specifications: [orderStatusSpecification] } }
          ]
        })
        assert.deepStrictEqual(body.tools, [
          { web_search: {} },
          { code_interpreter: {} },
          { image_generate: {} },
          { url_content_extraction: {} },
          { model_3d_generate: {} },
          { functions: { specifications: [orderStatusSpecification] } }
        ])

        const error = yield* invalid({ messages: [user("hi")], tools: ["web_search", "functions"] })
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.description, "tools[1]")
        assert.include(error.description, "\"functions\" is not a built-in tool")
        assert.notInclude(error.description, "tools[0]")
      }))

    it.effect("tool_state_id / functions_state_id → tools_state_id on the request and on messages", () =>
      Effect.gen(function*() {
        const body = yield* encode({
          messages: [
            { role: "assistant", content: "x", tool_state_id: "a" },
            { role: "tool", content: "y", functions_state_id: "b" },
            { role: "tool", content: "z", tools_state_id: "c", tool_state_id: "ignored" }
          ],
          tool_state_id: "top"
        })
        assert.strictEqual(body.tools_state_id, "top")
        assert.isFalse("tool_state_id" in body)
        const messages = body.messages as ReadonlyArray<Record<string, unknown>>
        assert.deepStrictEqual(messages.map((message) => message.tools_state_id), ["a", "b", "c"])
        for (const message of messages) {
          assert.isFalse("tool_state_id" in message)
          assert.isFalse("functions_state_id" in message)
        }
        const fromFunctionsAlias = yield* encode({ messages: [user("hi")], functions_state_id: "f" })
        assert.strictEqual(fromFunctionsAlias.tools_state_id, "f")
        assert.isFalse("functions_state_id" in fromFunctionsAlias)
      }))

    it.effect("content shorthands: string, one part, a list of strings and parts", () =>
      Effect.gen(function*() {
        const body = yield* encode({
          messages: [
            { role: "system", content: "be brief" },
            { role: "user", content: { files: [{ id: "file-1" }] } },
            { role: "user", content: ["look at", { text: "this" }, { files: [{ id: "file-2", mime: "image/png" }] }] },
            { role: "assistant" }
          ]
        })
        assert.deepStrictEqual(body.messages, [
          { content: [{ text: "be brief" }], role: "system" },
          { content: [{ files: [{ id: "file-1" }] }], role: "user" },
          {
            content: [{ text: "look at" }, { text: "this" }, { files: [{ id: "file-2", mime: "image/png" }] }],
            role: "user"
          },
          { role: "assistant" }
        ])
      }))

    it.effect("reasoning and response_format move into model_options; model_options wins", () =>
      Effect.gen(function*() {
        const moved = yield* encode({
          messages: [user("hi")],
          reasoning: { effort: "medium" },
          response_format: { type: "regex", regex: "\\d+" },
          model_options: { temperature: 0.5 }
        })
        assert.deepStrictEqual(moved.model_options, {
          temperature: 0.5,
          reasoning: { effort: "medium" },
          response_format: { type: "regex", regex: "\\d+" }
        })
        assert.isFalse("reasoning" in moved)
        assert.isFalse("response_format" in moved)

        const kept = yield* encode({
          messages: [user("hi")],
          reasoning: { effort: "low" },
          response_format: { type: "text" },
          model_options: { reasoning: { effort: "high" }, response_format: { type: "json_schema", schema: {} } }
        })
        assert.deepStrictEqual(kept.model_options, {
          reasoning: { effort: "high" },
          response_format: { type: "json_schema", schema: {} }
        })
        // `type` defaults to "text"
        const text = yield* encode({ messages: [user("hi")], response_format: {} })
        assert.deepStrictEqual(text.model_options, { response_format: { type: "text" } })
      }))

    it.effect("model: the request's, else defaults.model, else GigaChat; none with assistant_id or thread_id", () =>
      Effect.gen(function*() {
        const messages = [user("hi")]
        assert.strictEqual((yield* encode({ messages })).model, "GigaChat")
        assert.strictEqual(
          (yield* encode({ messages }, { ...noDefaults, model: "GigaChat-2-Max" })).model,
          "GigaChat-2-Max"
        )
        assert.strictEqual(
          (yield* encode({ messages, model: "GigaChat-2-Pro" }, { ...noDefaults, model: "GigaChat-2-Max" })).model,
          "GigaChat-2-Pro"
        )
        assert.isFalse("model" in (yield* encode({ messages, assistant_id: "asst" }, recordedDefaults)))
        assert.isFalse("model" in (yield* encode({ messages, storage: { thread_id: "t-1" } }, recordedDefaults)))
        const keys = Object.keys(yield* encode({ messages, tools: ["web_search"] }))
        assert.deepStrictEqual(keys, ["model", "messages", "tools"])
      }))

    it.effect("flags come from the defaults when the request has none; stream only when asked", () =>
      Effect.gen(function*() {
        const messages = [user("hi")]
        const defaults = { ...noDefaults, flags: ["a", "b"] }
        assert.deepStrictEqual((yield* encode({ messages }, defaults)).flags, ["a", "b"])
        assert.deepStrictEqual((yield* encode({ messages, flags: ["c"] }, defaults)).flags, ["c"])
        assert.isFalse("flags" in (yield* encode({ messages })))
        const input = { messages, stream: false } as Completions.ChatCompletionRequestInput
        assert.isFalse("stream" in (yield* encode(input)))
        assert.strictEqual((yield* encode(input, noDefaults, true)).stream, true)
      }))

    it.effect("unknown fields are sent as given, null fields are left out", () =>
      Effect.gen(function*() {
        const body = yield* encode({
          messages: [{ role: "user", content: "hi", custom_message_field: 1 }],
          user_info: { timezone: "Europe/Moscow" },
          filter_config: { request_content: { neuro: true }, response_content: { blacklist: false } },
          ranker_options: { enabled: true, top_n: 3, embeddings_model: "Embeddings" },
          thread_hint: { a: [1, 2] },
          assistant_id: null,
          model_options: { max_tokens: 10, top_logprobs: 2, unnormalized_history: true, preset: null }
        })
        assert.deepStrictEqual(body, {
          model: "GigaChat",
          messages: [{ content: [{ text: "hi" }], role: "user", custom_message_field: 1 }],
          model_options: { max_tokens: 10, unnormalized_history: true, top_logprobs: 2 },
          filter_config: { request_content: { neuro: true }, response_content: { blacklist: false } },
          ranker_options: { enabled: true, top_n: 3, embeddings_model: "Embeddings" },
          user_info: { timezone: "Europe/Moscow" },
          thread_hint: { a: [1, 2] }
        })
      }))

    it.effect("invalid requests fail with InvalidRequestError naming each field", () =>
      Effect.gen(function*() {
        const missingRole = yield* invalid({ messages: [{ content: "hi" }] })
        assert.strictEqual(missingRole._tag, "InvalidRequestError")
        assert.include(missingRole.description, "messages[0].role: is missing")

        const empty = yield* invalid({ messages: [] })
        assert.include(empty.description, "messages")

        const ranges = yield* invalid({
          messages: [user("hi")],
          model_options: { top_p: 2, max_tokens: -1 },
          tool_config: { mode: "always" }
        })
        assert.include(ranges.description, "model_options.top_p")
        assert.include(ranges.description, "model_options.max_tokens")
        assert.include(ranges.description, "tool_config.mode")

        const badPart = yield* invalid({ messages: [{ role: "user", content: [{ files: [{ mime: "x" }] }] }] })
        assert.include(badPart.description, "messages[0].content")
        assert.include(badPart.description, "id")

        const notAnObject = yield* invalid("hello")
        assert.strictEqual(notAnObject._tag, "InvalidRequestError")
      }))
  })

  describe("response normalization", () => {
    it.effect("created → created_at, numeric strings, tool_state_id → tools_state_id, unknown fields kept", () =>
      Effect.gen(function*() {
        const response = yield* decodeResponse({
          model: "GigaChat",
          created: "1780321855",
          tool_state_id: "top",
          messages: [{
            role: "assistant",
            functions_state_id: "m",
            content: [{ text: "hi", future_part_field: true }],
            future_message_field: { x: 1 }
          }],
          future_field: [1],
          finish_reason: "something_new"
        })
        assert.strictEqual(response.created_at, 1780321855)
        assert.isFalse("created" in response)
        assert.strictEqual(response.tools_state_id, "top")
        assert.isFalse("tool_state_id" in response)
        assert.strictEqual(response.messages[0].tools_state_id, "m")
        assert.deepStrictEqual(response.future_field, [1])
        assert.deepStrictEqual(response.messages[0].future_message_field, { x: 1 })
        assert.strictEqual(response.messages[0].content![0].future_part_field, true)
        assert.strictEqual(response.finish_reason, "something_new")

        const both = yield* decodeResponse({ created_at: 2, created: 1, messages: [] })
        assert.strictEqual(both.created_at, 2)
        assert.strictEqual(both.created, 1)

        const nulls = yield* decodeResponse({ messages: [], thread_id: null, usage: null })
        assert.isUndefined(nulls.thread_id)
      }))

    it.effect("chunks: string content, a numeric-string created_at, tool events, error done", () =>
      Effect.gen(function*() {
        const chunk = yield* decodeChunk({
          event: "response.message.delta",
          model: "GigaChat-2-Max",
          created_at: "167890456789",
          messages: [{ role: "assistant", content: "primary chunk" }]
        })
        assert.strictEqual(chunk.created_at, 167890456789)
        assert.deepStrictEqual(chunk.messages![0].content, [{ text: "primary chunk" }])

        const done = yield* decodeChunk({
          event: "response.message.done",
          finish_reason: "error",
          tool_state_id: "s",
          additional_data: {
            execution_steps: [{ ts_start: "1", event_type: "execute_ranker", step: { functions_in: ["a"] } }]
          }
        })
        assert.strictEqual(done.tools_state_id, "s")
        assert.strictEqual(done.finish_reason, "error")
        const listed = yield* decodeChunk({ additional_data: [{ type: "tool_call", name: "image_generation" }] })
        assert.deepStrictEqual(listed.additional_data, [{ type: "tool_call", name: "image_generation" }])

        const bad = yield* decodeChunk({ created_at: "soon" }).pipe(Effect.flip)
        assert.strictEqual(bad._tag, "ParseError")
      }))
  })

  describe("accumulate", () => {
    it.effect("folds deltas, tool events and the done event into one response", () =>
      Effect.gen(function*() {
        const chunks = yield* Effect.forEach([
          {
            event: "response.message.delta",
            model: "GigaChat",
            created_at: "100",
            messages: [{
              role: "assistant",
              content: [{ text: "Hel", logprobs: [{ chosen: { token: "Hel", token_id: 1, logprob: -0.1 } }] }]
            }]
          },
          {
            event: "response.tool.in_progress",
            created_at: 101,
            messages: [{
              role: "reasoning",
              content: [{ tool_execution: { name: "image_generate", status: "running" } }]
            }]
          },
          {
            event: "response.tool.completed",
            messages: [{
              role: "reasoning",
              content: [{ tool_execution: { name: "image_generate", status: "success", censored: false } }]
            }]
          },
          { event: "response.message.delta", messages: [{ role: "assistant", content: "lo" }] },
          {
            event: "response.message.delta",
            messages: [{
              content: [{ text: ", world", logprobs: [{ chosen: { token: "w", token_id: 2, logprob: -0.2 } }] }]
            }]
          },
          { event: "response.message.delta", messages: [{ content: [{ files: [{ id: "img", target: "image" }] }] }] },
          {
            event: "response.message.delta",
            messages: [{ content: [{ function_call: { name: "f", arguments: { a: 1 } } }] }]
          },
          {
            event: "response.message.done",
            model: "GigaChat:1.0",
            finish_reason: "function_call",
            tool_state_id: "state-1",
            usage: { input_tokens: 5, output_tokens: 7, total_tokens: 12 }
          }
        ], (event) => decodeChunk(event))

        const response = Completions.accumulate(chunks)
        assert.strictEqual(Completions.text(response), "Hello, world")
        assert.strictEqual(response.finish_reason, "function_call")
        assert.strictEqual(response.tools_state_id, "state-1")
        assert.strictEqual(response.model, "GigaChat:1.0")
        assert.strictEqual(response.created_at, 100)
        assert.deepStrictEqual(response.usage, { input_tokens: 5, output_tokens: 7, total_tokens: 12 })
        assert.deepStrictEqual(Completions.functionCalls(response), [{ name: "f", arguments: { a: 1 } }])
        assert.deepStrictEqual(response.messages.map((message) => message.role), [
          "assistant",
          "reasoning",
          "assistant"
        ])
        assert.deepStrictEqual(response.messages[1].content, [
          { tool_execution: { name: "image_generate", status: "success", censored: false } }
        ])
        const answer = response.messages[2]
        assert.deepStrictEqual(answer.content!.map((part) => Object.keys(part)), [
          ["text", "logprobs"],
          ["files"],
          ["function_call"]
        ])
        assert.strictEqual(answer.content![0].logprobs!.length, 1)
        assert.strictEqual(answer.content![0].text, "lo, world")
        // the state id is put on the assistant message, which can be sent back as it is
        assert.strictEqual(answer.tools_state_id, "state-1")
        assert.strictEqual(response.messages[0].tools_state_id, undefined)

        // folding step by step gives the same result
        const stepwise = chunks.reduce(Completions.accumulateChunk, Completions.emptyResponse)
        assert.deepStrictEqual(stepwise, response)
        assert.deepStrictEqual(Completions.accumulate([]), { messages: [] })
      }))

    it.effect("the final messages a done event may repeat are not added twice; without deltas they are the answer", () =>
      Effect.gen(function*() {
        const delta = (text: string) => ({
          event: "response.message.delta",
          messages: [{ role: "assistant", content: text }]
        })
        const done = {
          event: "response.message.done",
          finish_reason: "stop",
          messages: [{
            role: "assistant",
            content: [{ function_call: { name: "f", arguments: {} } }, { text: "1, 2, 3" }]
          }]
        }
        const repeated = Completions.accumulate(
          yield* Effect.forEach([delta("1, 2"), delta(", 3"), done], (event) => decodeChunk(event))
        )
        assert.strictEqual(Completions.text(repeated), "1, 2, 3")
        // A part only the done event has is kept; one the deltas brought is not added again.
        assert.deepStrictEqual(Completions.functionCalls(repeated), [{ name: "f", arguments: {} }])
        assert.strictEqual(repeated.finish_reason, "stop")
        const withCall = Completions.accumulate(
          yield* Effect.forEach(
            [
              delta("1, 2"),
              {
                event: "response.message.delta",
                messages: [{ content: [{ function_call: { name: "f", arguments: {} } }] }]
              },
              delta(", 3"),
              done
            ],
            (event) => decodeChunk(event)
          )
        )
        assert.deepStrictEqual(Completions.functionCalls(withCall), [{ name: "f", arguments: {} }])
        assert.strictEqual(Completions.text(withCall), "1, 2, 3")
        // Reasoning text from the deltas does not hide the answer's text sent only at the end.
        const reasoned = Completions.accumulate(
          yield* Effect.forEach([
            { event: "response.message.delta", messages: [{ role: "reasoning", content: "thinking" }] },
            done
          ], (event) => decodeChunk(event))
        )
        assert.deepStrictEqual(reasoned.messages.map((message) => message.role), ["reasoning", "assistant"])
        assert.strictEqual(Completions.text(reasoned), "1, 2, 3")
        const only = Completions.accumulate([yield* decodeChunk(done)])
        assert.strictEqual(Completions.text(only), "1, 2, 3")
        assert.deepStrictEqual(Completions.functionCalls(only), [{ name: "f", arguments: {} }])
      }))
  })

  describe("resolveUrl", () => {
    it("resolves the v2 chat URL like the Python SDK", () => {
      const table: ReadonlyArray<readonly [base: string, override: string | undefined, expected: string]> = [
        [
          "https://gigachat.devices.sberbank.ru/api/v1",
          undefined,
          "https://gigachat.devices.sberbank.ru/api/v2/chat/completions"
        ],
        [
          "https://gigachat.devices.sberbank.ru/api/v1/",
          undefined,
          "https://gigachat.devices.sberbank.ru/api/v2/chat/completions"
        ],
        ["https://host/v1", undefined, "https://host/v2/chat/completions"],
        ["https://host:8443/prefix/api/v3", undefined, "https://host:8443/prefix/api/v2/chat/completions"],
        ["http://127.0.0.1:9000", undefined, "http://127.0.0.1:9000/chat/completions"],
        ["http://127.0.0.1:9000/", undefined, "http://127.0.0.1:9000/chat/completions"],
        ["https://host/custom", undefined, "https://host/custom/chat/completions"],
        ["https://host/api/v1beta", undefined, "https://host/api/v1beta/chat/completions"],
        ["https://host/api/v1", "https://other/x/chat", "https://other/x/chat"],
        ["https://host/api/v1", "/api/v2/chat/completions", "https://host/api/v2/chat/completions"],
        ["https://host/api/v1", "/v2/chat/completions", "https://host/v2/chat/completions"],
        ["https://host/api/v1", "/v3", "https://host/v3"],
        ["https://host/api/v1", "/custom/chat", "https://host/api/v1/custom/chat"],
        ["https://host/api/v1/", "chat/completions", "https://host/api/v1/chat/completions"],
        ["https://host/api/v1", "/version2/chat", "https://host/api/v1/version2/chat"],
        ["https://host/api/v1", "", "https://host/api/v2/chat/completions"]
      ]
      for (const [base, override, expected] of table) {
        assert.strictEqual(Completions.resolveUrl(base, override), expected, `${base} + ${override}`)
      }
    })
  })
})
