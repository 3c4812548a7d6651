/**
 * Completions parse: structured output with the v2 chat API — the Schema's JSON Schema goes into
 * `model_options.response_format`, and the answer is decoded into a typed value.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const Book = Schema.Struct({
  title: Schema.String,
  author: Schema.String,
  year: Schema.Int.annotations({ description: "Year of first publication" }),
  genres: Schema.Array(Schema.Literal("novel", "poetry", "drama", "essay", "other"))
}).annotations({ title: "Book", description: "A book and its first publication" })

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const { completion, parsed } = yield* gc.completions.parse(
    "Describe the novel 'War and Peace' as JSON.",
    Book
  ).pipe(
    // a cut answer cannot be parsed: ask again with more room, once
    Effect.catchTag("LengthFinishReasonError", () =>
      gc.completions.parse({
        messages: [{ role: "user", content: "Describe the novel 'War and Peace' as JSON." }],
        model_options: { max_tokens: 2048 }
      }, Book))
  )
  // `parsed` is typed as Book
  yield* Console.log(`${parsed.title} by ${parsed.author} (${parsed.year}): ${parsed.genres.join(", ")}`)
  yield* Console.log(`${completion.usage?.total_tokens} tokens`)
})
