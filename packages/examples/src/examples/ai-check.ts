/**
 * AI check: was a text written by a model? The verdict and the parts that look generated.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const text = "Artificial intelligence is transforming the way we live and work. " +
  "It offers unprecedented opportunities for innovation across all sectors of the economy. " +
  "My grandmother, though, still writes her shopping lists on the back of old envelopes."

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  // The model is required: GigaCheckClassification (a verdict) or GigaCheckDetection (with intervals).
  const result = yield* gc.checkAi(text, { model: "GigaCheckDetection" })
  yield* Console.log(`category: ${result.category} (${result.characters} characters, ${result.tokens} tokens)`)
  for (const [start, end] of result.ai_intervals ?? []) {
    yield* Console.log(`looks generated [${start}, ${end}): "${text.slice(start, end)}"`)
  }
})
