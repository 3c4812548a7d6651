import { GigaChat, Tool } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
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

  it.effect("without a handler of its own, chatRunTools runs the v1 loop over the mocked chat", () => {
    const requests: Array<unknown> = []
    const call = {
      ...completion,
      choices: [{
        message: { role: "assistant", content: "", function_call: { name: "echo", arguments: { text: "ping" } } },
        index: 0,
        finish_reason: "function_call"
      }]
    }
    const mock = GigaChat.layerMock({
      chat: (request) => {
        requests.push(request)
        return Effect.succeed(requests.length === 1 ? call : completion)
      }
    })
    return Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const echo = yield* Tool.make("echo", { parameters: Schema.Struct({ text: Schema.String }) })
      const run = yield* gc.chatRunTools("say ping", {
        tools: [echo],
        handlers: { echo: ({ text }) => Effect.succeed({ echoed: text }) }
      })
      assert.strictEqual(run.steps, 2)
      assert.strictEqual(run.response.choices[0]!.message.content, "mocked")
      assert.deepStrictEqual(run.messages.at(-2), { role: "function", name: "echo", content: "{\"echoed\":\"ping\"}" })
    }).pipe(Effect.provide(mock))
  })
})
