/**
 * Tools: a typed function-calling loop. Each tool's arguments and result are Effect Schemas; the SDK sends their
 * JSON Schemas, decodes the model's arguments, runs the handler, sends the result back with the tools state id, and
 * repeats until the model answers.
 */
import { Completions, GigaChat, Tool } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat

  const getWeather = yield* Tool.make("get_weather", {
    description: "The weather forecast for a city.",
    parameters: Schema.Struct({
      city: Schema.String.annotations({ description: "City name, e.g. Moscow" }),
      unit: Schema.optional(Schema.Literal("celsius", "fahrenheit"))
    }),
    success: Schema.Struct({ city: Schema.String, forecast: Schema.String, temperature: Schema.Number }),
    fewShotExamples: [{ request: "Weather in Kazan in fahrenheit?", params: { city: "Kazan", unit: "fahrenheit" } }]
  })

  const run = yield* gc.completions.runTools({
    messages: [{ role: "user", content: "Use get_weather: what will the weather be tomorrow in Moscow?" }],
    // forced for the first request only, so the example behaves the same everywhere; leave it out to let the
    // model decide
    tool_config: { mode: "forced", function_name: "get_weather" }
  }, {
    tools: [getWeather],
    handlers: {
      // `city` and `unit` are typed from the Schema; the result must match `success`
      get_weather: ({ city, unit }) =>
        Effect.gen(function*() {
          yield* Console.log(`-> get_weather(${JSON.stringify({ city, unit })})`)
          const celsius = 21
          return {
            city,
            forecast: "sunny",
            temperature: unit === "fahrenheit" ? Math.round(celsius * 9 / 5 + 32) : celsius
          }
        })
    },
    maxSteps: 5
  })

  yield* Console.log(Completions.text(run.response))
  yield* Console.log(`${run.steps} requests, ${run.messages.length} messages in the conversation`)
})
