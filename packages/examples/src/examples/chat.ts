/**
 * Chat: one question, one answer, and the tokens it cost.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const answer = yield* gc.chat({
    messages: [
      { role: "system", content: "You are a concise assistant." },
      { role: "user", content: "What is Effect for TypeScript? Answer in one sentence." }
    ]
  })
  yield* Console.log(answer.choices[0]?.message.content)
  yield* Console.log(`model ${answer.model}, ${answer.usage.total_tokens} tokens`)
})
