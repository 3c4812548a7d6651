import { GigaChat } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const program = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const answer = yield* gc.chat("Tell me a joke about type systems")
  yield* Console.log(answer.choices[0]?.message.content)
})

// Settings come from the options, then GIGACHAT_* variables, then the defaults.
Effect.runPromise(program.pipe(Effect.provide(NodeGigaChat.layer({ model: "GigaChat-2-Max" }))))
