/**
 * @effect/ai: a program written against LanguageModel only (text, a stream, an object, a tool), run on GigaChat
 * by providing one layer, GigaChatLanguageModel.model(...).
 */
import { GigaChatLanguageModel } from "@effect-gigachat/ai"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Prompt from "@effect/ai/Prompt"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

// ---------------------------------------------------------------------------------------------------------------
// The program: it knows LanguageModel, Tool and Toolkit, nothing about GigaChat.
// ---------------------------------------------------------------------------------------------------------------

const GetWeather = Tool.make("get_weather", {
  description: "The weather forecast for a city",
  parameters: { city: Schema.String.annotations({ description: "City name, e.g. Moscow" }) },
  success: Schema.Struct({ city: Schema.String, forecast: Schema.String, temperature: Schema.Number })
})

const Weather = Toolkit.make(GetWeather)

const WeatherHandlers = Weather.toLayer({
  get_weather: ({ city }) => Effect.succeed({ city, forecast: "sunny", temperature: 21 })
})

const Contact = Schema.Struct({ name: Schema.String, email: Schema.String })

const program = Effect.gen(function*() {
  const answer = yield* LanguageModel.generateText({ prompt: "Count from 1 to 3" })
  yield* Console.log(`text: ${answer.text} (${answer.finishReason}, ${answer.usage.totalTokens} tokens)`)

  yield* Console.log("stream:")
  yield* LanguageModel.streamText({ prompt: "Count from 1 to 5" }).pipe(
    Stream.runForEach((part) => part.type === "text-delta" ? Console.log(`  ${part.delta}`) : Effect.void)
  )

  const contact = yield* LanguageModel.generateObject({
    prompt: "Extract the contact: {\"name\":\"Ada\",\"email\":\"ada@example.org\"}",
    schema: Contact,
    objectName: "contact"
  })
  yield* Console.log(`object: ${contact.value.name} <${contact.value.email}>`)

  // one round of tool calls: the model calls the tool and the toolkit runs it; the calls and results go back with
  // the history, and the model answers
  const question = Prompt.make("Use get_weather: what is the weather in Moscow?")
  const call = yield* LanguageModel.generateText({ prompt: question, toolkit: Weather })
  for (const result of call.toolResults) yield* Console.log(`tool: ${result.name} -> ${JSON.stringify(result.result)}`)
  const final = yield* LanguageModel.generateText({
    prompt: Prompt.merge(question, Prompt.fromResponseParts(call.content)),
    toolkit: Weather
  })
  yield* Console.log(`answer: ${final.text}`)
}).pipe(Effect.provide(WeatherHandlers))

// ---------------------------------------------------------------------------------------------------------------
// The one line that picks the provider (it needs the GigaChat service, which `pnpm example` provides).
// ---------------------------------------------------------------------------------------------------------------

export const example = program.pipe(Effect.provide(GigaChatLanguageModel.model("GigaChat-2-Max")))
