import { GigaChat, GigaChatConfig, GigaChatEmulator } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

/** The SDK's own services over the in-process emulator: what `GigaChatEmulator.layer()` will give. */
const sdkOverEmulator = GigaChat.layerServices.pipe(
  Layer.provideMerge(GigaChatConfig.layer({
    baseUrl: GigaChatEmulator.baseUrl,
    authUrl: GigaChatEmulator.authUrl,
    credentials: Redacted.make(GigaChatEmulator.defaultCredentials)
  })),
  Layer.provideMerge(GigaChatEmulator.layerHttpClient())
)

describe("GigaChatEmulator with the SDK", () => {
  it.effect("every GigaChat method decodes the emulator's answers", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      const token = yield* gc.getToken()
      assert.isTrue(Option.isSome(token))
      const chat = yield* gc.chat("Count from 1 to 3")
      assert.strictEqual(chat.choices[0].message.content, "1, 2, 3")
      assert.isDefined(chat.xHeaders["x-request-id"])
      const chunks = yield* Stream.runCollect(gc.stream("Count from 1 to 5"))
      assert.strictEqual(
        Chunk.toReadonlyArray(chunks).map((c) => c.choices[0]?.delta.content ?? "").join(""),
        "1, 2, 3, 4, 5"
      )
      const parsed = yield* gc.chatParse(
        "Return {\"answer\":\"ok\",\"n\":3} exactly.",
        Schema.Struct({ answer: Schema.String, n: Schema.Number })
      )
      assert.deepStrictEqual(parsed.parsed, { answer: "ok", n: 3 })
      const embeddings = yield* gc.embeddings(["one", "two"])
      assert.strictEqual(embeddings.data[1].embedding.length, 1024)
      const counts = yield* gc.tokensCount(["Hello, world!"])
      assert.strictEqual(counts[0].tokens, 4)
      const models = yield* gc.getModels()
      assert.isAbove(models.data.length, 10)
      assert.strictEqual((yield* gc.getModel("GigaChat")).id, "GigaChat")
      assert.isAbove((yield* gc.getBalance()).balance.length, 0)
      const verdict = yield* gc.checkAi("Some text. More text.", "GigaCheckDetection")
      assert.include(["ai", "human", "mixed"], verdict.category)
      const bytes = new Uint8Array([1, 2, 3, 4, 5])
      const file = yield* gc.uploadFile({ file: bytes, filename: "a.bin", mimeType: "application/octet-stream" })
      assert.strictEqual((yield* gc.getFile(file.id)).bytes, 5)
      assert.strictEqual((yield* gc.getFiles()).data.length, 1)
      const content = yield* gc.getFileContent(file.id)
      assert.deepStrictEqual(content.bytes, bytes)
      assert.strictEqual(content.contentType, "application/octet-stream")
      const converted = yield* gc.functionsConvert(JSON.stringify({
        paths: { "/ping": { get: { operationId: "ping", summary: "Ping", responses: {} } } }
      }))
      assert.strictEqual(converted.functions[0].name, "ping")
      const deleted = yield* gc.deleteFile(file.id)
      assert.isTrue(deleted.deleted)
      const missing = yield* Effect.flip(gc.getModel("NonExistentModel"))
      assert.strictEqual(missing._tag, "NotFoundError")
      assert.strictEqual(yield* emulator.oauthRequests, 1)
    }).pipe(Effect.provide(sdkOverEmulator)))

  it.effect("tokens expire on the emulator's clock and the SDK gets a new one", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      yield* gc.getBalance()
      yield* gc.getBalance()
      assert.strictEqual(yield* emulator.oauthRequests, 1)
      yield* TestClock.adjust("30 minutes")
      yield* gc.getBalance()
      assert.strictEqual(yield* emulator.oauthRequests, 2)
    }).pipe(Effect.provide(sdkOverEmulator)))
})
