/**
 * Structured output: the answer as typed data, checked with an Effect Schema.
 */
import { Chat, GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

// The JSON Schema sent as response_format is generated from this Schema; the answer is decoded with it.
const Recipe = Schema.Struct({
  title: Schema.String,
  servings: Schema.Number,
  ingredients: Schema.Array(Schema.Struct({ name: Schema.String, amount: Schema.String })),
  steps: Schema.Array(Schema.String)
})

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const { completion, parsed } = yield* gc.chatParse(
    { messages: [{ role: "user", content: "Give me a simple pancake recipe." }] },
    Recipe
  )
  // `parsed` is typed as Recipe: a cut answer is a LengthFinishReasonError, a wrong one a DecodeError.
  yield* Console.log(`${parsed.title} (${parsed.servings} servings)`)
  for (const ingredient of parsed.ingredients) yield* Console.log(`- ${ingredient.name}: ${ingredient.amount}`)
  for (const [i, step] of parsed.steps.entries()) yield* Console.log(`${i + 1}. ${step}`)
  yield* Console.log(`${completion.usage.total_tokens} tokens`)

  // The same Schema for a streamed answer: Chat.jsonResponseFormat builds the response_format chatParse sends, and
  // the text of its deltas is decoded with the Schema (a wrong answer is a ParseError).
  const request = { messages: [{ role: "user" as const, content: "Another pancake recipe, please." }] }
  const text = yield* Stream.mkString(
    Chat.streamText(gc.stream({ ...request, response_format: yield* Chat.jsonResponseFormat(Recipe) }))
  )
  const streamed = yield* Schema.decode(Schema.parseJson(Recipe))(text)
  yield* Console.log(`streamed: ${streamed.title}, ${streamed.steps.length} steps`)
})
