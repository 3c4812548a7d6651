/**
 * Embeddings: vectors for three sentences and which two are closest in meaning.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const cosine = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): number => {
  let dot = 0
  let normA = 0
  let normB = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    normA += a[i]! * a[i]!
    normB += b[i]! * b[i]!
  }
  return dot / (Math.sqrt(normA) * Math.sqrt(normB))
}

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const texts = ["The cat sleeps on the sofa.", "A kitten is napping on the couch.", "Stock prices fell sharply today."]
  // The model defaults to "Embeddings"; pass { model: "EmbeddingsGigaR" } for another embedder.
  const result = yield* gc.embeddings(texts)
  const vectors = result.data.map((item) => item.embedding)
  yield* Console.log(`model ${result.model ?? "?"}: ${vectors.length} vectors of ${vectors[0]?.length} dimensions`)
  for (let i = 0; i < texts.length; i++) {
    for (let j = i + 1; j < texts.length; j++) {
      yield* Console.log(`similarity ${cosine(vectors[i]!, vectors[j]!).toFixed(3)}: "${texts[i]}" ~ "${texts[j]}"`)
    }
  }
})
