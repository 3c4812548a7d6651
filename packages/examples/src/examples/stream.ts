/**
 * Stream: prints the answer token by token as it arrives, then the finish reason and the tokens it cost.
 */
import { Chat, GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const chunks = gc.stream({
    messages: [{ role: "user", content: "Write a four-line poem about streams of tokens." }]
  })
  // Each delta is written without a line break the moment its chunk is decoded; the chunks are also folded into
  // the completion a non-streaming call would have returned.
  const completion = yield* chunks.pipe(
    Stream.tap((chunk) => {
      const delta = chunk.choices[0]?.delta.content
      return delta ? Effect.sync(() => process.stdout.write(delta)) : Effect.void
    }),
    Chat.finalCompletion
  )
  yield* Console.log("")
  yield* Console.log(
    `finish reason ${completion.choices[0]?.finish_reason ?? "none"}, model ${completion.model}, ` +
      `${completion.usage.total_tokens} tokens`
  )
})
