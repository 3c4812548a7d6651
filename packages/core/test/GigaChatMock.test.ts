import { GigaChat, GigaChatEmulator } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"

const completion = {
  choices: [{ message: { role: "assistant", content: "mocked" }, index: 0, finish_reason: "stop" }],
  created: 0,
  model: "mock",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  xHeaders: { "x-request-id": undefined, "x-session-id": undefined, "x-client-id": undefined }
}

describe("GigaChat.layerMock", () => {
  it.effect("answers with the given handlers", () =>
    Effect.gen(function*() {
      const answer = yield* GigaChat.chat("hi")
      assert.strictEqual(answer.choices[0]!.message.content, "mocked")
      const chunks = yield* Stream.runCollect(GigaChat.stream("hi"))
      assert.strictEqual(Chunk.size(chunks), 0)
    }).pipe(Effect.provide(GigaChat.layerMock({ chat: () => Effect.succeed(completion), stream: () => Stream.empty }))))

  it.effect("a method without a handler dies with a message naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.flatMap(GigaChat.GigaChat, (gc) => gc.getBalance()))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.include(Cause.pretty((exit as Exit.Failure<unknown, unknown>).cause), "getBalance")
      const streamExit = yield* Effect.exit(
        Stream.runDrain(Stream.unwrap(Effect.map(GigaChat.GigaChat, (gc) => gc.completions.stream("x"))))
      )
      assert.include(Cause.pretty((streamExit as Exit.Failure<unknown, unknown>).cause), "completions.stream")
    }).pipe(Effect.provide(GigaChat.layerMock({}))))
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
})
