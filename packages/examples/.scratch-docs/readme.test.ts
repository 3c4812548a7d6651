import { GigaChat, GigaChatEmulator } from "@effect-gigachat/core"
import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"

it.effect("summarizes", () =>
  Effect.gen(function*() {
    const answer = yield* GigaChat.chat("Summarize: Effect is a TypeScript library")
    assert.include(answer.choices[0]!.message.content, "Effect")
  }).pipe(Effect.provide(GigaChatEmulator.layer())))

it.effect("survives a rate limit", () =>
  Effect.gen(function*() {
    const emulator = yield* GigaChatEmulator.GigaChatEmulator
    yield* emulator.addFault({ route: "POST /api/v1/chat/completions", times: 1, status: 429, headers: { "retry-after": "1" } })
    const fiber = yield* Effect.fork(GigaChat.chat("hi"))
    yield* TestClock.adjust("1 second")
    yield* Fiber.join(fiber)
    const reqs = (yield* emulator.requests).filter((r) => r.path === "/api/v1/chat/completions")
    assert.strictEqual(reqs.length, 2)
  }).pipe(Effect.provide(GigaChatEmulator.layer({}, { maxRetries: 1 }))))

it.effect("retryOnStatusCodes does not stop 429/501 retry", () =>
  Effect.gen(function*() {
    const emulator = yield* GigaChatEmulator.GigaChatEmulator
    yield* emulator.addFault({ route: "POST /api/v1/chat/completions", times: 1, status: 501 })
    const fiber = yield* Effect.fork(GigaChat.chat("hi"))
    yield* TestClock.adjust("10 seconds")
    yield* Fiber.join(fiber)
    const reqs = (yield* emulator.requests).filter((r) => r.path === "/api/v1/chat/completions")
    assert.strictEqual(reqs.length, 2)
  }).pipe(Effect.provide(GigaChatEmulator.layer({}, { maxRetries: 1, retryOnStatusCodes: [] }))))
