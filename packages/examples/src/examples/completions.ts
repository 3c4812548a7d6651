/**
 * Completions: the v2 chat API — one answer with its usage, the same question streamed as named events, and an
 * answer constrained by a regular expression.
 */
import { Completions, GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const messages = [
    // `content` may be a string: it is sent as `[{ "text": ... }]`
    { role: "system", content: "You are a concise assistant." },
    { role: "user", content: "What is a Schema in Effect for TypeScript? Answer in one sentence." }
  ]

  // POST /api/v2/chat/completions (resolved from the v1 base URL, or the chatCompletionsUrl setting)
  const response = yield* gc.completions.create({ messages, model_options: { temperature: 0.3 } })
  yield* Console.log(Completions.text(response))
  yield* Console.log(
    `model ${response.model}, finish reason ${response.finish_reason}, ` +
      `${response.usage?.input_tokens} in / ${response.usage?.output_tokens} out tokens`
  )

  // The stream: one chunk per server-sent event, named in `event`; `Completions.accumulateChunk` folds them into
  // the response a non-streaming call would have returned.
  const folded = yield* gc.completions.stream({ messages }).pipe(
    Stream.tap((chunk) => {
      const delta = Completions.text(chunk)
      return delta === "" ? Effect.void : Effect.sync(() => process.stdout.write(delta))
    }),
    Stream.runFold(Completions.emptyResponse, Completions.accumulateChunk)
  )
  yield* Console.log("")
  yield* Console.log(`streamed: finish reason ${folded.finish_reason}, ${folded.usage?.total_tokens} tokens`)

  // Structured output without a Schema: the answer must match the regular expression.
  const ticket = yield* gc.completions.create({
    messages: [{ role: "user", content: "Generate one support ticket code." }],
    model_options: { response_format: { type: "regex", regex: "[A-Z]{3}-\\d{4}" } }
  })
  yield* Console.log(`ticket code: ${Completions.text(ticket)}`)
})
