/**
 * Batches: several chat requests sent as one file, processed later, their answers decoded line by line.
 */
import { Batches, GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  // A prompt gets its position as id ("1"); a task may name its own. The SDK writes and uploads the JSONL file.
  const batch = yield* gc.batches.create({
    method: "chat_completions",
    requests: [
      "Count from 1 to 5",
      { id: "greeting", request: { messages: [{ role: "user", content: "Say hello" }], max_tokens: 20 } },
      { id: "weather", request: "What's the weather like in Rome today?" }
    ]
  })
  yield* Console.log(`batch ${batch.id}: ${batch.status}, ${batch.request_counts.total} tasks`)

  // The emulator finishes in seconds, the real API may take hours: ask often at first, then once a minute.
  const done = yield* gc.batches.waitFor(batch, {
    schedule: Schedule.exponential("200 millis").pipe(Schedule.union(Schedule.spaced("1 minute")))
  })
  const counts = done.request_counts
  yield* Console.log(`${done.status}: ${counts.completed ?? 0} answered, ${counts.failed ?? 0} failed`)
  if (!Batches.isFinished(done)) return

  // One entry per line of the result file: the typed answer, or the error of that line.
  for (const line of yield* gc.batches.chatResults(done)) {
    yield* Either.match(line, {
      onLeft: (error) => Console.log(`failed: ${error.message}`),
      onRight: ({ id, result }) => Console.log(`${id}: ${result.choices[0]?.message.content}`)
    })
  }
})
