import * as Chat from "@effect-gigachat/core/Chat"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { apiInteractions, readFixture, readJsonFixture } from "./utils/cassette.js"

const noDefaults: Chat.RequestDefaults = { model: undefined, profanityCheck: undefined, flags: undefined }

const decodeJson = <A, I>(schema: Schema.Schema<A, I>, text: string) =>
  Schema.decodeUnknown(Schema.parseJson(schema))(text)

const invalid = (request: unknown) =>
  Chat.encodeRequest(request as Chat.ChatRequestInput, noDefaults, false).pipe(Effect.flip)

describe("Chat", () => {
  describe("responses", () => {
    it.effect("decodes the ChatCompletion fixtures", () =>
      Effect.gen(function*() {
        const plain = yield* Schema.decodeUnknown(Chat.ChatCompletion)(readJsonFixture("chat_completion.json"))
        assert.strictEqual(plain.choices[0].finish_reason, "stop")
        assert.strictEqual(plain.choices[0].message.reasoning_content, "... some reasoning ...")
        assert.strictEqual(plain.usage.total_tokens, 86)
        assert.strictEqual(plain.object, "chat.completion")

        const fn = yield* Schema.decodeUnknown(Chat.ChatCompletion)(readJsonFixture("chat_completion_function.json"))
        assert.strictEqual(fn.choices[0].finish_reason, "function_call")
        assert.deepStrictEqual(fn.choices[0].message.function_call, {
          name: "fc",
          arguments: { location: "Москва", num_days: 0 }
        })
        // the old `system_tokens` field is ignored
        assert.deepStrictEqual(fn.usage, { prompt_tokens: 138, completion_tokens: 21, total_tokens: 159 })

        const json = yield* Schema.decodeUnknown(Chat.ChatCompletion)(readJsonFixture("chat_completion_json.json"))
        assert.deepStrictEqual(JSON.parse(json.choices[0].message.content), {
          steps: ["Step 1: Subtract 7 from both sides", "Step 2: Divide by 8"],
          final_answer: "x = -3.75"
        })
      }))

    it.effect("decodes the request fixtures as Chat", () =>
      Effect.gen(function*() {
        const chat = yield* Schema.decodeUnknown(Chat.Chat)(readJsonFixture("chat.json"))
        assert.strictEqual(chat.messages.length, 3)
        assert.strictEqual(chat.temperature, 0.7)

        const withFunctions = yield* Schema.decodeUnknown(Chat.Chat)(readJsonFixture("chat_function.json"))
        const fn = withFunctions.functions![0]
        assert.strictEqual(fn.name, "fc")
        assert.deepStrictEqual(fn.parameters!.required, ["location", "num_days"])
        assert.deepStrictEqual(withFunctions.flags, ["some_flag"])
      }))

    it.effect("decodes every chunk of the stream fixture", () =>
      Effect.gen(function*() {
        const lines = readFixture("chat_completion.stream").split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trim())
          .filter((data) => data !== "[DONE]")
        assert.strictEqual(lines.length, 3)
        const chunks = yield* Effect.forEach(lines, (data) => decodeJson(Chat.ChatCompletionChunk, data))
        assert.strictEqual(chunks[0].choices[0].delta.role, "assistant")
        assert.strictEqual(chunks[1].choices[0].delta.role, undefined)
        assert.strictEqual(chunks[2].choices[0].finish_reason, "stop")
      }))

    it.effect("decodes the 200 responses of the v1 chat cassettes", () =>
      Effect.gen(function*() {
        for (
          const name of ["test_chat_simple", "test_chat_response_format_json_schema", "test_chat_parse_json_schema"]
        ) {
          const [interaction] = apiInteractions(name)
          assert.strictEqual(interaction.response.status, 200)
          const completion = yield* decodeJson(Chat.ChatCompletion, interaction.response.body)
          assert.strictEqual(completion.choices[0].message.role, "assistant")
          assert.isNumber(completion.usage.precached_prompt_tokens)
        }
      }))

    it.effect("decodes the chunks of the recorded stream, usage on the last one", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_stream_simple")
        assert.strictEqual(interaction.response.status, 200)
        const data = interaction.response.body.split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trim())
          .filter((payload) => payload !== "[DONE]")
        assert.isAbove(data.length, 1)
        const chunks = yield* Effect.forEach(data, (payload) => decodeJson(Chat.ChatCompletionChunk, payload))
        const last = chunks[chunks.length - 1]
        assert.strictEqual(last.choices[0].finish_reason, "stop")
        assert.deepStrictEqual(last.usage, {
          prompt_tokens: 17,
          completion_tokens: 42,
          total_tokens: 59,
          precached_prompt_tokens: 2
        })
        const text = chunks.map((chunk) => chunk.choices[0].delta.content ?? "").join("")
        assert.include(text, "1")
      }))

    it.effect("tolerates unknown fields, roles, finish reasons and nulls", () =>
      Effect.gen(function*() {
        const completion = yield* Schema.decodeUnknown(Chat.ChatCompletion)({
          choices: [{
            message: { role: "tool_result", extra: 1 },
            index: 0,
            finish_reason: "something_new",
            logprobs: null
          }],
          created: 1,
          model: "GigaChat",
          object: "chat.completion",
          thread_id: null,
          usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, precached_prompt_tokens: null },
          brand_new_field: { nested: true }
        })
        assert.strictEqual(completion.choices[0].message.role, "tool_result")
        assert.strictEqual(completion.choices[0].message.content, "")
        assert.strictEqual(completion.choices[0].finish_reason, "something_new")
        assert.isFalse("thread_id" in completion)
        assert.isFalse("brand_new_field" in completion)
        assert.isFalse("extra" in completion.choices[0].message)

        const chunk = yield* Schema.decodeUnknown(Chat.ChatCompletionChunk)({
          choices: [{ delta: { role: "function_in_progress", functions_state_id: "f1", whatever: [] }, index: 0 }],
          created: 2,
          model: "GigaChat",
          object: "chat.completion"
        })
        assert.deepStrictEqual(chunk.choices[0].delta, { role: "function_in_progress", functions_state_id: "f1" })
      }))

    it.effect("reads function arguments sent as a JSON string as the object; a string that is not one fails", () =>
      Effect.gen(function*() {
        const completion = (args: unknown) => ({
          choices: [{
            message: { role: "assistant", content: "", function_call: { name: "f", arguments: args } },
            index: 0,
            finish_reason: "function_call"
          }],
          created: 1,
          model: "GigaChat",
          object: "chat.completion",
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }
        })
        const decode = Schema.decodeUnknown(Chat.ChatCompletion)
        const fromString = yield* decode(completion("{\"city\":\"Moscow\"}"))
        assert.deepStrictEqual(fromString.choices[0].message.function_call?.arguments, { city: "Moscow" })
        const fromObject = yield* decode(completion({ city: "Moscow" }))
        assert.deepStrictEqual(fromObject.choices[0].message.function_call?.arguments, { city: "Moscow" })
        const notJson = yield* Effect.flip(decode(completion("{not json")))
        assert.strictEqual(notJson._tag, "ParseError")
        const notAnObject = yield* Effect.flip(decode(completion("[1, 2]")))
        assert.strictEqual(notAnObject._tag, "ParseError")
      }))

    it.effect("rejects a completion without choices", () =>
      Effect.gen(function*() {
        const error = yield* Schema.decodeUnknown(Chat.ChatCompletion)({ created: 1, model: "m", object: "o" }).pipe(
          Effect.flip
        )
        assert.strictEqual(error._tag, "ParseError")
      }))
  })

  describe("encodeRequest", () => {
    it("encodeRequestEither gives the body, or the InvalidRequestError naming the field, without an effect", () => {
      assert.deepStrictEqual(
        Chat.encodeRequestEither(Chat.fromPrompt("Hi"), noDefaults, true),
        Either.right({ model: "GigaChat", messages: [{ role: "user", content: "Hi" }], stream: true })
      )
      const error = Chat.encodeRequestEither(
        { messages: [{ content: "no role" }] } as unknown as Chat.ChatRequestInput,
        noDefaults,
        false
      )
      assert.isTrue(Either.isLeft(error) && error.left._tag === "InvalidRequestError")
      assert.match(Either.isLeft(error) ? error.left.description : "", /messages\[0\]\.role/)
    })

    it.effect("fills model, keeps content and omits stream", () =>
      Effect.gen(function*() {
        const body = yield* Chat.encodeRequest(Chat.fromPrompt("Hi"), noDefaults, false)
        assert.deepStrictEqual(body, { model: "GigaChat", messages: [{ role: "user", content: "Hi" }] })
        assert.deepStrictEqual(Object.keys(body), ["model", "messages"])
      }))

    it.effect("sends content \"\" for a message without content and drops undefined and null", () =>
      Effect.gen(function*() {
        const body = yield* Chat.encodeRequest(
          {
            messages: [{ role: "assistant", function_call: { name: "fc", arguments: { a: 1 } }, name: undefined }],
            temperature: undefined,
            top_p: null
          },
          noDefaults,
          false
        )
        assert.deepStrictEqual(body, {
          model: "GigaChat",
          messages: [{ role: "assistant", content: "", function_call: { name: "fc", arguments: { a: 1 } } }]
        })
      }))

    it.effect("takes model, profanity_check and flags from the defaults only when the request has none", () =>
      Effect.gen(function*() {
        const defaults: Chat.RequestDefaults = { model: "GigaChat-2-Max", profanityCheck: true, flags: ["f1"] }
        const filled = yield* Chat.encodeRequest(Chat.fromPrompt("x"), defaults, false)
        assert.deepStrictEqual(filled, {
          model: "GigaChat-2-Max",
          messages: [{ role: "user", content: "x" }],
          profanity_check: true,
          flags: ["f1"]
        })
        const explicit = yield* Chat.encodeRequest(
          { ...Chat.fromPrompt("x"), model: "GigaChat-2", profanity_check: false, flags: [] },
          defaults,
          false
        )
        assert.deepStrictEqual(explicit, {
          model: "GigaChat-2",
          messages: [{ role: "user", content: "x" }],
          profanity_check: false,
          flags: []
        })
      }))

    it.effect("sends no model when storage names an assistant or a thread", () =>
      Effect.gen(function*() {
        const defaults: Chat.RequestDefaults = { model: "GigaChat-2-Max", profanityCheck: undefined, flags: undefined }
        const assistant = yield* Chat.encodeRequest(
          { ...Chat.fromPrompt("x"), storage: { is_stateful: true, assistant_id: "a1" } },
          defaults,
          false
        )
        assert.deepStrictEqual(assistant, {
          messages: [{ role: "user", content: "x" }],
          storage: { is_stateful: true, assistant_id: "a1" }
        })
        const thread = yield* Chat.encodeRequest(
          { ...Chat.fromPrompt("x"), storage: { is_stateful: true, thread_id: "t1", limit: 5 } },
          defaults,
          false
        )
        assert.isFalse("model" in thread)
        const stateful = yield* Chat.encodeRequest(
          { ...Chat.fromPrompt("x"), storage: { is_stateful: true } },
          defaults,
          false
        )
        assert.strictEqual(stateful.model, "GigaChat-2-Max")
      }))

    it.effect("merges additional_fields underneath the explicit fields", () =>
      Effect.gen(function*() {
        const body = yield* Chat.encodeRequest(
          {
            ...Chat.fromPrompt("x"),
            temperature: 0.5,
            additional_fields: { temperature: 1.5, model: "other", top_k: 3, stream: true }
          },
          noDefaults,
          false
        )
        assert.deepStrictEqual(body, {
          model: "GigaChat",
          messages: [{ role: "user", content: "x" }],
          temperature: 0.5,
          top_k: 3
        })
      }))

    it.effect("appends stream: true when streaming, whatever the request says", () =>
      Effect.gen(function*() {
        const streamed = yield* Chat.encodeRequest({ ...Chat.fromPrompt("x"), stream: false }, noDefaults, true)
        assert.deepStrictEqual(streamed, {
          model: "GigaChat",
          messages: [{ role: "user", content: "x" }],
          stream: true
        })
        assert.strictEqual(Object.keys(streamed).at(-1), "stream")
        const plain = yield* Chat.encodeRequest({ ...Chat.fromPrompt("x"), stream: true }, noDefaults, false)
        assert.isFalse("stream" in plain)
      }))

    it.effect("encodes functions, function_call, ranker, reasoning and a passthrough response_format", () =>
      Effect.gen(function*() {
        const body = yield* Chat.encodeRequest(
          {
            messages: [{ role: "user", content: "weather?" }],
            functions: [{
              name: "fc",
              parameters: { properties: { city: { type: "string", format: "city-name" } }, minProperties: 1 },
              few_shot_examples: [{ request: "Moscow?", params: { city: "Moscow" } }]
            }],
            function_call: { name: "fc", partial_arguments: { city: "Moscow" } },
            function_ranker: { enabled: true, top_n: 3 },
            response_format: { type: "text" },
            reasoning_effort: "high"
          },
          noDefaults,
          false
        )
        assert.deepStrictEqual(body, {
          model: "GigaChat",
          messages: [{ role: "user", content: "weather?" }],
          function_call: { name: "fc", partial_arguments: { city: "Moscow" } },
          functions: [{
            name: "fc",
            // unknown JSON-schema keys are kept, `type` defaults to "object"
            parameters: {
              type: "object",
              properties: { city: { type: "string", format: "city-name" } },
              minProperties: 1
            },
            few_shot_examples: [{ request: "Moscow?", params: { city: "Moscow" } }]
          }],
          function_ranker: { enabled: true, top_n: 3 },
          response_format: { type: "text" },
          reasoning_effort: "high"
        })
      }))

    it.effect("reproduces the body recorded in test_chat_simple", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_chat_simple")
        const body = yield* Chat.encodeRequest(Chat.fromPrompt("Say 'Hello' and nothing else"), noDefaults, false)
        assert.deepStrictEqual(body, JSON.parse(interaction.request.body!))
      }))

    it.effect("reproduces the body recorded in test_stream_simple", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_stream_simple")
        const body = yield* Chat.encodeRequest(Chat.fromPrompt("Count from 1 to 3"), noDefaults, true)
        assert.deepStrictEqual(body, JSON.parse(interaction.request.body!))
      }))

    it.effect("reproduces the body recorded in test_chat_response_format_json_schema", () =>
      Effect.gen(function*() {
        const [interaction] = apiInteractions("test_chat_response_format_json_schema")
        const body = yield* Chat.encodeRequest(
          {
            model: "GigaChat-3-Ultra",
            messages: [{ role: "user", content: "Return {\"answer\":\"ok\",\"n\":3} exactly." }],
            response_format: {
              type: "json_schema",
              schema: {
                type: "object",
                properties: { answer: { type: "string" }, n: { type: "integer" } },
                required: ["answer", "n"],
                additionalProperties: false
              },
              strict: true
            }
          },
          noDefaults,
          false
        )
        assert.deepStrictEqual(body, JSON.parse(interaction.request.body!))
        assert.strictEqual(JSON.stringify(body), JSON.stringify(JSON.parse(interaction.request.body!)))
      }))

    it.effect("rejects a message without role, naming the field", () =>
      Effect.gen(function*() {
        const error = yield* invalid({ messages: [{ content: "x" }] })
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.description, "messages[0].role")
        assert.include(error.description, "missing")
      }))

    it.effect("rejects out-of-range numbers, naming each field", () =>
      Effect.gen(function*() {
        const messages = [{ role: "user", content: "x" }]
        const maxTokens = yield* invalid({ messages, max_tokens: -1 })
        assert.include(maxTokens.description, "max_tokens")
        const fractional = yield* invalid({ messages, max_tokens: 1.5 })
        assert.include(fractional.description, "max_tokens")
        const n = yield* invalid({ messages, n: 0 })
        assert.include(n.description, "n:")
        const temperature = yield* invalid({ messages, temperature: -0.1 })
        assert.strictEqual(temperature.description, "temperature: Expected a non-negative number, actual -0.1")
        assert.include(temperature.message, "Invalid request")
        const all = yield* invalid({ messages: [{}], temperature: -1, top_p: 2 })
        assert.include(all.description, "messages[0].role")
        assert.include(all.description, "temperature")
        assert.include(all.description, "top_p")
      }))

    it.effect("rejects a wrong function_call and reasoning_effort", () =>
      Effect.gen(function*() {
        const messages = [{ role: "user", content: "x" }]
        const functionCall = yield* invalid({ messages, function_call: "always" })
        assert.strictEqual(
          functionCall.description,
          "function_call: Expected \"auto\" | \"none\" | ChatFunctionCall, actual \"always\""
        )
        const effort = yield* invalid({ messages, reasoning_effort: "max" })
        assert.include(effort.description, "reasoning_effort")
        const missing = yield* invalid({})
        assert.include(missing.description, "messages")
      }))

    it.effect("jsonResponseFormat: the Schema's JSON Schema with its root inlined, strict unless told otherwise", () =>
      Effect.gen(function*() {
        class Person extends Schema.Class<Person>("Person")({ name: Schema.String, age: Schema.Int }) {}
        const format = yield* Chat.jsonResponseFormat(Person)
        assert.strictEqual(format.type, "json_schema")
        assert.strictEqual(format.strict, true)
        assert.strictEqual(format.schema.type, "object")
        assert.deepStrictEqual(format.schema.required, ["name", "age"])
        assert.notProperty(format.schema, "$defs")
        assert.notProperty(format.schema, "$schema")
        assert.strictEqual((yield* Chat.jsonResponseFormat(Person, { strict: false })).strict, false)
        // it is a valid `response_format` of a request
        assert.isTrue(Either.isRight(
          Chat.encodeRequestEither({ ...Chat.fromPrompt("Who?"), response_format: format }, noDefaults, false)
        ))
      }))

    it.effect("jsonResponseFormat: a Schema with no JSON Schema is an InvalidRequestError", () =>
      Effect.gen(function*() {
        const Opaque = Schema.declare((u): u is Date => u instanceof Date)
        const error = yield* Effect.flip(Chat.jsonResponseFormat(Opaque))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.message, "response_format")
      }))

    it("fromPrompt builds a one-message request", () => {
      assert.deepStrictEqual(Chat.fromPrompt("hello"), { messages: [{ role: "user", content: "hello" }] })
    })
  })
})
