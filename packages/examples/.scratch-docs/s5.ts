import { GigaChat, GigaChatEmulator } from "@effect-gigachat/core"
import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import type { Chat, XHeaders } from "@effect-gigachat/core"
declare const cannedCompletion: XHeaders.WithXHeaders<Chat.ChatCompletion>

// 1. A mock GigaChat from handlers: no HTTP at all.
const mock = GigaChat.layerMock({ chat: () => Effect.succeed(cannedCompletion) })

// 2. The real services against the in-process emulator: no sockets, no credentials.
it.effect("summarizes", () =>
  Effect.gen(function*() {
    const answer = yield* GigaChat.chat("Summarize: Effect is a TypeScript library")
    assert.include(answer.choices[0]!.message.content, "Effect")
  }).pipe(Effect.provide(GigaChatEmulator.layer())))

// ... with faults: the next chat answers 429 once, the client retries after Retry-After.
it.effect("survives a rate limit", () =>
  Effect.gen(function*() {
    const emulator = yield* GigaChatEmulator.GigaChatEmulator
    yield* emulator.addFault({ route: "POST /api/v1/chat/completions", times: 1, status: 429, headers: { "retry-after": "1" } })
    const fiber = yield* Effect.fork(GigaChat.chat("hi"))
    yield* TestClock.adjust("1 second")
    yield* Fiber.join(fiber)
  }).pipe(Effect.provide(GigaChatEmulator.layer({}, { maxRetries: 1 }))))
export { mock }
