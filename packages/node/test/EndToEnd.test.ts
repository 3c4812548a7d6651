import { GigaChat } from "@effect-gigachat/core"
import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { assert, describe, layer } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

// The SDK through NodeGigaChat (undici) over loopback sockets against the emulator server.
describe("end to end over loopback", () => {
  layer(NodeGigaChatEmulator.layer(), { excludeTestServices: true })("NodeGigaChat ↔ emulator", (it) => {
    it.effect("authenticates once, then chats", () =>
      Effect.gen(function*() {
        const emulator = yield* GigaChatEmulator.GigaChatEmulator
        const before = yield* emulator.oauthRequests
        const gc = yield* GigaChat.GigaChat
        const first = yield* gc.chat("Hello over a socket")
        const second = yield* gc.chat({ messages: [{ role: "user", content: "And again" }] })
        assert.include(first.choices[0]!.message.content, "Hello over a socket")
        assert.include(second.choices[0]!.message.content, "And again")
        assert.isString(first.xHeaders["x-request-id"])
        assert.isAtMost((yield* emulator.oauthRequests) - before, 1)
      }))

    it.effect("streams chunks and folds them into the same answer", () =>
      Effect.gen(function*() {
        const chunks = yield* Stream.runCollect(GigaChat.stream("Stream this prompt"))
        assert.isAbove(Chunk.size(chunks), 1)
        const folded = GigaChat.accumulate(chunks)
        assert.include(folded.choices[0]!.message.content, "Stream this prompt")
        assert.strictEqual(folded.choices[0]!.finish_reason, "stop")
        assert.isAbove(folded.usage.total_tokens, 0)
      }))

    it.effect("embeds texts with the real dimension", () =>
      Effect.gen(function*() {
        const result = yield* GigaChat.embeddings(["один", "two"])
        assert.strictEqual(result.data.length, 2)
        assert.strictEqual(result.data[0]!.embedding.length, 1024)
      }))

    it.effect("files round trip: upload, list, content equals the bytes, delete", () =>
      Effect.gen(function*() {
        const gc = yield* GigaChat.GigaChat
        const bytes = new Uint8Array(Array.from({ length: 2048 }, (_, i) => i % 256))
        const uploaded = yield* gc.uploadFile({ file: bytes, filename: "blob.bin", mimeType: "application/pdf" })
        const listed = yield* gc.getFiles()
        assert.isTrue(listed.data.some((file) => file.id === uploaded.id))
        const content = yield* gc.getFileContent(uploaded.id)
        assert.deepStrictEqual(content.bytes, bytes)
        const deleted = yield* gc.deleteFile(uploaded.id)
        assert.isTrue(deleted.deleted)
        const gone = yield* Effect.flip(gc.getFile(uploaded.id))
        assert.strictEqual(gone._tag, "NotFoundError")
      }))

    it.effect("server errors arrive as typed errors", () =>
      Effect.gen(function*() {
        const gc = yield* GigaChat.GigaChat
        const missing = yield* Effect.flip(gc.getModel("NonExistentModel"))
        assert.strictEqual(missing._tag, "NotFoundError")
        assert.include(missing.message, "No such model")
        const emulator = yield* GigaChatEmulator.GigaChatEmulator
        yield* emulator.addFault({
          route: "POST /api/v1/tokens/count",
          times: 1,
          status: 429,
          headers: { "retry-after": "7" }
        })
        const limited = yield* Effect.flip(gc.tokensCount("x"))
        assert.strictEqual(limited._tag, "RateLimitError")
      }))
  })

  // Retries without a delay: the test runs on the live clock.
  layer(NodeGigaChatEmulator.layer({}, { retrySchedule: Schedule.recurs(1) }), { excludeTestServices: true })(
    "NodeGigaChat ↔ emulator, retrying",
    (it) => {
      it.effect("a stream whose connection drops before the first chunk is retried; one after it is not", () =>
        Effect.gen(function*() {
          const emulator = yield* GigaChatEmulator.GigaChatEmulator
          const route = "POST /api/v1/chat/completions"
          const streams = Effect.map(
            emulator.requests,
            (requests) =>
              requests.filter((request) => request.path === "/api/v1/chat/completions").map((request) => request.body)
          )
          yield* emulator.addFault({ route, times: 1, dropAfterChunks: 0 })
          const chunks = yield* Stream.runCollect(GigaChat.stream("Dropped once"))
          assert.include(GigaChat.accumulate(chunks).choices[0]!.message.content, "Dropped once")
          assert.strictEqual((yield* streams).length, 2)
          yield* emulator.addFault({ route, times: 1, dropAfterChunks: 2 })
          const error = yield* Effect.flip(Stream.runDrain(GigaChat.stream("Dropped later")))
          assert.strictEqual(error._tag, "TransportError")
          assert.strictEqual((yield* streams).length, 3)
        }))
    }
  )
})
