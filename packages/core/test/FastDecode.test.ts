/**
 * The fast path of decoding (internal/typeGuard.ts) returns a value that already has the Schema's type as it is.
 * That is only right for a schema whose every typed value decodes to an equal value: checked here, as a property,
 * for every schema that takes the fast path.
 */
import { Chat, Completions, Embeddings } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as FastDecode from "../src/internal/typeGuard.js"
import { completion } from "./utils/fixtures.js"

const marked: ReadonlyArray<readonly [string, Schema.Schema<any, any>]> = [
  ["Chat.Chat (requests)", Chat.Chat],
  ["Chat.ChatCompletion", Chat.ChatCompletion],
  ["Chat.ChatCompletionChunk", Chat.ChatCompletionChunk],
  ["Embeddings.Embeddings", Embeddings.Embeddings]
]

/**
 * An own `__proto__` key (JSON.parse makes one from `{"__proto__": 0}`) is the one thing the decoder cannot copy:
 * assigning it to the copy sets the copy's prototype. The fast path keeps the key as it came.
 */
const hasProtoKey = (u: unknown): boolean =>
  typeof u === "object" && u !== null &&
  (Object.hasOwn(u, "__proto__") || Object.values(u).some(hasProtoKey))

describe("FastDecode", () => {
  for (const [name, schema] of marked) {
    it(`${name}: every value of the type decodes to an equal value`, () => {
      const decode = Schema.decodeUnknownSync(schema, { onExcessProperty: "preserve" })
      FastCheck.assert(
        FastCheck.property(Arbitrary.make(Schema.typeSchema(schema)), (value) => {
          FastCheck.pre(!hasProtoKey(value))
          assert.deepStrictEqual(decode(value), value)
        }),
        { numRuns: 300 }
      )
    })
  }

  // The v2 schemas reshape on decode; their shortcut answers for the common answers and chunks (text messages, ids,
  // usage) what decoding gives. Checked on inputs of every shape the server may send (the encoded side, with and
  // without nulls), on values of the type, and on plain text chunks.
  for (
    const [name, schema] of [
      ["Completions.ChatCompletionResponse", Completions.ChatCompletionResponse],
      ["Completions.ChatCompletionChunk", Completions.ChatCompletionChunk]
    ] as const
  ) {
    it(`${name}: where the shortcut answers, its answer is what decoding gives`, () => {
      const untyped = schema as Schema.Schema<unknown, unknown>
      const shortcut = FastDecode.shortcutOf(untyped)!
      const decode = Schema.decodeUnknownSync(untyped, { onExcessProperty: "preserve" })
      const is = Schema.is(untyped)
      let answered = 0
      const check = (input: unknown) => {
        FastCheck.pre(!hasProtoKey(input))
        const before = JSON.stringify(input)
        const result = shortcut(input)
        assert.strictEqual(JSON.stringify(input), before)
        if (result === undefined || !is(result)) return
        answered++
        assert.deepStrictEqual(result, decode(input))
      }
      const part = FastCheck.record({ text: FastCheck.string() }, { requiredKeys: [] })
      const message = FastCheck.record({
        role: FastCheck.constantFrom("assistant", "user", "function"),
        content: FastCheck.oneof(FastCheck.string(), FastCheck.array(part, { maxLength: 3 })),
        message_id: FastCheck.string(),
        tools_state_id: FastCheck.string(),
        finish_reason: FastCheck.string()
      }, { requiredKeys: ["role"] })
      const simple = FastCheck.record({
        model: FastCheck.string(),
        created_at: FastCheck.integer({ min: 0 }),
        event: FastCheck.string(),
        finish_reason: FastCheck.string(),
        usage: FastCheck.record({ input_tokens: FastCheck.nat(), output_tokens: FastCheck.nat() }, {
          requiredKeys: []
        }),
        messages: FastCheck.array(message, { maxLength: 3 })
      }, { requiredKeys: ["messages"] })
      FastCheck.assert(FastCheck.property(Arbitrary.make(Schema.encodedSchema(untyped)), check), { numRuns: 200 })
      FastCheck.assert(FastCheck.property(Arbitrary.make(Schema.typeSchema(untyped)), check), { numRuns: 200 })
      FastCheck.assert(FastCheck.property(simple, check), { numRuns: 300 })
      // The property saw the shortcut answer, not only inputs that take the decoder.
      assert.isAbove(answered, 100)
    }, 60_000)
  }

  it("a v2 text delta takes the shortcut: a new value with the content as a part, the input untouched", () => {
    const decode = FastDecode.decoder(Completions.ChatCompletionChunk)
    const input = { model: "GigaChat-2-Max", created_at: 1760434637, messages: [{ role: "assistant", content: "Hi" }] }
    const before = structuredClone(input)
    const decoded = Either.getOrThrow(decode(input))
    assert.deepStrictEqual(decoded, Schema.decodeUnknownSync(Completions.ChatCompletionChunk)(input))
    assert.deepStrictEqual(decoded.messages?.[0]?.content, [{ text: "Hi" }])
    assert.deepStrictEqual(input, before)
    const parts = { model: "GigaChat-2-Max", messages: [{ role: "assistant", content: [{ text: "Hi" }] }] }
    assert.strictEqual(Either.getOrThrow(decode(parts)), parts)
    // Anything else takes the decoder: a null is dropped, an alias renamed.
    assert.notProperty(Either.getOrThrow(decode({ ...parts, finish_reason: null })), "finish_reason")
    assert.strictEqual(Either.getOrThrow(decode({ ...parts, tool_state_id: "s" })).tools_state_id, "s")
  })

  it("a value of the type is returned as it is; the decoder is built once per schema", () => {
    const decode = FastDecode.decoder(Chat.ChatCompletion)
    assert.strictEqual(FastDecode.decoder(Chat.ChatCompletion), decode)
    const result = decode(completion)
    assert.isTrue(Either.isRight(result))
    assert.strictEqual(Either.getOrThrow(result), completion)
  })

  it("nulls and missing defaults take the decoder", () => {
    const decode = FastDecode.decoder(Chat.ChatCompletion)
    const input = {
      ...completion,
      thread_id: null,
      choices: [{ message: { role: "assistant", function_call: { name: "f" } }, index: 0 }]
    }
    const result = Either.getOrThrow(decode(input))
    assert.deepStrictEqual(result, Schema.decodeUnknownSync(Chat.ChatCompletion)(input))
    assert.notProperty(result, "thread_id")
    assert.strictEqual(result.choices[0]!.message.content, "")
  })

  it("fields the schema does not know are kept on both paths", () => {
    const decode = FastDecode.decoder(Chat.ChatCompletion)
    const usage = { ...completion.usage, new_counter: 7 }
    const fast = Either.getOrThrow(decode({ ...completion, usage, region: "ru" }))
    const slow = Either.getOrThrow(decode({ ...completion, usage, region: "ru", thread_id: null }))
    for (const result of [fast, slow]) {
      assert.propertyVal(result, "region", "ru")
      assert.propertyVal(result.usage, "new_counter", 7)
    }
  })

  it("requests (unknown fields dropped): a typed request is taken as it is, one with an unknown field is decoded", () => {
    const decode = FastDecode.makeDecoder(Chat.Chat, { unknownFields: "drop" })
    const request = { messages: [{ role: "user", content: "Hi" }] }
    assert.strictEqual(Either.getOrThrow(decode(request)), request)
    const decoded = Either.getOrThrow(decode({ ...request, max_token: 5 }))
    assert.notProperty(decoded, "max_token")
    assert.deepStrictEqual(decoded, request)
  })

  it("an invalid value fails as the plain decoder does", () => {
    const result = FastDecode.decoder(Chat.ChatCompletion)({ ...completion, created: "yesterday" })
    assert.isTrue(Either.isLeft(result))
  })

  it("an unmarked schema is decoded every time", () => {
    const schema = Schema.Struct({ a: Schema.Number })
    const input = { a: 1 }
    assert.notStrictEqual(Either.getOrThrow(FastDecode.decoder(schema)(input)), input)
  })
})
