/**
 * The fast path of decoding (internal/typeGuard.ts) returns a value that already has the Schema's type as it is.
 * That is only right for a schema whose every typed value decodes to an equal value: checked here, as a property,
 * for every schema that takes the fast path.
 */
import { Chat, Embeddings } from "@effect-gigachat/core"
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
