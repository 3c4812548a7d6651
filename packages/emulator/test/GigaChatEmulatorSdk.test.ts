import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import * as Completions from "@effect-gigachat/core/Completions"
import * as Tool from "@effect-gigachat/core/Tool"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
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

  it.effect("v2 tool loop: a function named in the prompt is called, then the result is described", () =>
    Effect.gen(function*() {
      const getOrderStatus = yield* Tool.make("get_order_status", {
        description: "Delivery status of an order.",
        parameters: Schema.Struct({ order_id: Schema.String }),
        success: Schema.Struct({ status: Schema.String })
      })
      const ids: Array<string> = []
      const run = yield* GigaChat.completionsRunTools("Call get_order_status for order A-1024.", {
        tools: [getOrderStatus],
        handlers: {
          get_order_status: ({ order_id }) => Effect.sync(() => (ids.push(order_id), { status: "packed" }))
        }
      }).pipe(Effect.provide(sdkOverEmulator))
      assert.deepStrictEqual(ids, ["A-1024"])
      assert.strictEqual(run.steps, 2)
      assert.include(Completions.text(run.response), "packed")
    }))

  it.effect("v1 tool loop: the function is called, then its result is described", () =>
    Effect.gen(function*() {
      const weather = yield* Tool.make("get_weather", {
        description: "Weather in a city.",
        parameters: Schema.Struct({ city: Schema.String })
      })
      const run = yield* GigaChat.chatRunTools("Use get_weather for Moscow.", {
        tools: [weather],
        handlers: { get_weather: ({ city }) => Effect.succeed({ city, temperature: 21 }) }
      }).pipe(Effect.provide(sdkOverEmulator))
      assert.strictEqual(run.steps, 2)
      assert.include(run.response.choices[0]?.message.content, "21")
    }))
})

describe("GigaChatEmulator.layer", () => {
  it.effect("gives GigaChat backed by the in-process emulator, with its fault knobs", () =>
    Effect.gen(function*() {
      const answer = yield* GigaChat.chat("ping")
      assert.include(answer.choices[0]!.message.content, "ping")
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      yield* emulator.addFault({ route: "GET /api/v1/balance", times: 1, status: 503 })
      const error = yield* Effect.flip(Effect.flatMap(GigaChat.GigaChat, (gc) => gc.getBalance()))
      assert.strictEqual(error._tag, "ServerError")
      const balance = yield* Effect.flatMap(GigaChat.GigaChat, (gc) => gc.getBalance())
      assert.isAbove(balance.balance.length, 0)
    }).pipe(Effect.provide(GigaChatEmulator.layer())))

  it.effect("the timeout aborts an in-process stream whose events stop coming, and a late answer", () =>
    Effect.gen(function*() {
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      yield* emulator.addFault({ route: "POST /api/v1/chat/completions", times: 1, chunkDelay: "1 minute" })
      const stalled = yield* Effect.fork(Stream.runCollect(GigaChat.stream("count to three")))
      yield* TestClock.adjust("11 seconds")
      const streamError = yield* Effect.flip(Fiber.join(stalled))
      assert.strictEqual(streamError._tag, "TimeoutError")
      yield* emulator.addFault({ route: "POST /api/v1/chat/completions", times: 1, latency: "1 minute" })
      const late = yield* Effect.fork(GigaChat.chat("ping"))
      yield* TestClock.adjust("11 seconds")
      const chatError = yield* Effect.flip(Fiber.join(late))
      assert.strictEqual(chatError._tag, "TimeoutError")
    }).pipe(Effect.provide(GigaChatEmulator.layer({}, { timeout: "10 seconds" }))))
})
