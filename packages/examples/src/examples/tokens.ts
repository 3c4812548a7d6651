/**
 * Tokens: how many tokens and characters each text costs, before sending it.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const texts = ["Hello, world!", "Привет, мир!", "Effect is a TypeScript library for typed, composable programs."]
  // One count per input, in order; the model defaults to the client's model.
  const counts = yield* gc.tokensCount(texts, { model: "GigaChat" })
  for (const [i, count] of counts.entries()) {
    yield* Console.log(
      `${String(count.tokens).padStart(3)} tokens, ${String(count.characters).padStart(3)} chars: ${texts[i]}`
    )
  }
})
