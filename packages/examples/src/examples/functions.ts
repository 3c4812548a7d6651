/**
 * Functions: the model asks to call a local function, gets its result and answers with it.
 */
import type { Chat } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

const getWeather: Chat.Function = {
  name: "get_weather",
  description: "The weather forecast for a city",
  parameters: {
    type: "object",
    properties: {
      city: { type: "string", description: "City name, e.g. Moscow" },
      days: { type: "integer", description: "Number of days to forecast" }
    },
    required: ["city"]
  },
  few_shot_examples: [{ request: "Weather in Kazan for 3 days?", params: { city: "Kazan", days: 3 } }],
  return_parameters: {
    type: "object",
    properties: { forecast: { type: "string", description: "What the weather will be" } }
  }
}

/** The "local" implementation the model cannot run itself. */
const runWeather = (args: Readonly<Record<string, unknown>>) => ({
  city: args.city,
  forecast: `sunny, +21°C for ${typeof args.days === "number" ? args.days : 1} day(s)`
})

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const question: Chat.ChatRequestInput["messages"][number] = {
    role: "user",
    content: "What will the weather be in Moscow tomorrow?"
  }

  // Force the call so the example behaves the same everywhere; "auto" lets the model decide.
  const first = yield* gc.chat({
    messages: [question],
    functions: [getWeather],
    function_call: { name: "get_weather" }
  })
  const call = first.choices[0]?.message
  if (call?.function_call === undefined) {
    return yield* Console.log(`no function call: ${call?.content}`)
  }
  const args = call.function_call.arguments ?? {}
  yield* Console.log(`the model calls ${call.function_call.name}(${JSON.stringify(args)})`)

  const result = runWeather(args)
  const second = yield* gc.chat({
    messages: [
      question,
      // The assistant's call goes back as it was, with its functions_state_id.
      {
        role: "assistant",
        content: "",
        function_call: call.function_call,
        functions_state_id: call.functions_state_id
      },
      { role: "function", name: call.function_call.name, content: JSON.stringify(result) }
    ],
    functions: [getWeather]
  })
  yield* Console.log(second.choices[0]?.message.content)
})
