import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import * as Completions from "@effect-gigachat/core/Completions"
import * as Tool from "@effect-gigachat/core/Tool"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type { Handler, RecordedRequest } from "./utils/mockHttp.js"
import { credentials, json, makeMockHttp, oauthAnswer } from "./utils/mockHttp.js"

/** A mock server; `api` gets the index of the request among the API (non-OAuth) requests. */
const setup = (api: Handler) => {
  let apiIndex = 0
  const mock = makeMockHttp((request) =>
    request.url.includes("/oauth")
      ? Effect.map(Clock.currentTimeMillis, (now) => oauthAnswer(now))
      : api(request, apiIndex++)
  )
  const layer = GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer({
      baseUrl: "https://gigachat.test/api/v1",
      authUrl: "https://auth.test/api/v2/oauth",
      credentials
    })),
    Layer.provide(mock.layer)
  )
  return { layer, api: () => mock.requests.filter((request) => !request.url.includes("/oauth")) }
}

const bodyOf = (request: RecordedRequest) => JSON.parse(request.body!) as Record<string, any>

/** A v2 answer calling functions, with the server's singular `tool_state_id`. */
const callsAnswer = (stateId: string, calls: ReadonlyArray<{ readonly name: string; readonly arguments: unknown }>) =>
  json({
    model: "GigaChat:2",
    messages: [{
      role: "assistant",
      tool_state_id: stateId,
      content: calls.map((call) => ({ function_call: call }))
    }],
    finish_reason: "function_call"
  })

const textAnswer = (text: string) =>
  json({
    model: "GigaChat:2",
    messages: [{ role: "assistant", tool_state_id: "final", content: [{ text }] }],
    finish_reason: "stop"
  })

/** Arguments arrive as strings and are decoded into numbers; the result's Date is encoded as an ISO string. */
const makeTools = Effect.all({
  convert: Tool.make("convert_currency", {
    description: "Converts an amount of money.",
    parameters: Schema.Struct({
      amount: Schema.NumberFromString,
      from: Schema.Literal("USD", "EUR", "RUB"),
      to: Schema.Literal("USD", "EUR", "RUB")
    }),
    success: Schema.Struct({ amount: Schema.Number, rate: Schema.Number })
  }),
  clock: Tool.make("current_time", {
    description: "The current time in a time zone.",
    parameters: Schema.Struct({ timezone: Schema.optional(Schema.String) }),
    success: Schema.Struct({ now: Schema.Date })
  })
})

class RatesUnavailable extends Data.TaggedError("RatesUnavailable")<{ readonly currency: string }> {}

class Rates extends Context.Tag("test/Rates")<Rates, { readonly rate: (from: string, to: string) => number }>() {}

const user = (content: string): Completions.ChatMessageInput => ({ role: "user", content })

describe("tool loops", () => {
  describe("v2: GigaChat.completions.runTools", () => {
    it.effect("runs two tool calls, then returns the answer; each request carries the previous turns", () =>
      Effect.gen(function*() {
        const { convert, clock } = yield* makeTools
        const { api, layer } = setup((_, index) =>
          index === 0
            ? callsAnswer("state-1", [{
              name: "convert_currency",
              arguments: { amount: "100", from: "USD", to: "RUB" }
            }])
            : index === 1
            ? callsAnswer("state-2", [{ name: "current_time", arguments: "{\"timezone\":\"Europe/Moscow\"}" }])
            : textAnswer("100 USD is 9000 RUB as of noon.")
        )
        const seen: Array<unknown> = []
        const run = yield* GigaChat.completionsRunTools({
          messages: [user("How much is 100 USD in RUB, and what time is it?")],
          tools: ["web_search"]
        }, {
          tools: [convert, clock],
          handlers: {
            convert_currency: (args) =>
              Effect.map(Rates, (rates) => {
                seen.push(args)
                const rate = rates.rate(args.from, args.to)
                return { amount: args.amount * rate, rate }
              }),
            current_time: (args) =>
              Effect.sync(() => {
                seen.push(args)
                return { now: new Date("2026-06-01T12:00:00.000Z") }
              })
          }
        }).pipe(Effect.provide(layer), Effect.provideService(Rates, { rate: () => 90 }))

        assert.deepStrictEqual(seen, [{ amount: 100, from: "USD", to: "RUB" }, { timezone: "Europe/Moscow" }])
        assert.strictEqual(run.steps, 3)
        assert.strictEqual(Completions.text(run.response), "100 USD is 9000 RUB as of noon.")
        const bodies = api().map(bodyOf)
        assert.strictEqual(bodies.length, 3)
        // the typed tools come after the request's own tools, on every request
        for (const body of bodies) {
          assert.deepStrictEqual(body.tools, [{ web_search: {} }, Tool.toV2Tool([convert, clock])])
        }
        assert.deepStrictEqual(bodies[1].messages.slice(1), [
          {
            role: "assistant",
            tools_state_id: "state-1",
            content: [{
              function_call: { name: "convert_currency", arguments: { amount: "100", from: "USD", to: "RUB" } }
            }]
          },
          {
            role: "tool",
            tools_state_id: "state-1",
            content: [{ function_result: { name: "convert_currency", result: { amount: 9000, rate: 90 } } }]
          }
        ])
        assert.deepStrictEqual(bodies[2].messages.slice(3), [
          {
            role: "assistant",
            tools_state_id: "state-2",
            content: [{ function_call: { name: "current_time", arguments: "{\"timezone\":\"Europe/Moscow\"}" } }]
          },
          {
            role: "tool",
            tools_state_id: "state-2",
            content: [{ function_result: { name: "current_time", result: { now: "2026-06-01T12:00:00.000Z" } } }]
          }
        ])
        assert.deepStrictEqual(bodies[2].messages.slice(0, 3), bodies[1].messages)
        // the whole conversation, ending with the answer
        assert.deepStrictEqual(run.messages.map((message) => message.role), [
          "user",
          "assistant",
          "tool",
          "assistant",
          "tool",
          "assistant"
        ])
      }))

    it.effect("answers every call of one answer with its own tool message, in order", () =>
      Effect.gen(function*() {
        const { clock } = yield* makeTools
        const { api, layer } = setup((_, index) =>
          index === 0
            ? callsAnswer("s", [
              { name: "current_time", arguments: { timezone: "UTC" } },
              { name: "current_time", arguments: { timezone: "Asia/Tokyo" } }
            ])
            : textAnswer("done")
        )
        yield* GigaChat.completionsRunTools("times?", {
          tools: [clock],
          handlers: { current_time: (args) => Effect.succeed({ now: new Date(args.timezone === "UTC" ? 0 : 1000) }) }
        }).pipe(Effect.provide(layer))
        const messages = bodyOf(api()[1]).messages as ReadonlyArray<Record<string, any>>
        assert.deepStrictEqual(messages.map((message) => message.role), ["user", "assistant", "tool", "tool"])
        assert.deepStrictEqual(messages.slice(2).map((message) => message.content[0].function_result.result.now), [
          "1970-01-01T00:00:00.000Z",
          "1970-01-01T00:00:01.000Z"
        ])
      }))

    it.effect("the typed specifications join the request's own functions entry", () =>
      Effect.gen(function*() {
        const { clock } = yield* makeTools
        const { api, layer } = setup(() => textAnswer("no call"))
        const legacy = { name: "legacy", description: "Untyped.", parameters: { type: "object", properties: {} } }
        const run = yield* GigaChat.completionsRunTools({
          messages: [user("hi")],
          tools: ["code_interpreter", { functions: { specifications: [legacy] } }]
        }, {
          tools: [clock],
          handlers: { current_time: () => Effect.succeed({ now: new Date(0) }) }
        }).pipe(Effect.provide(layer))
        assert.strictEqual(run.steps, 1)
        assert.deepStrictEqual(bodyOf(api()[0]).tools, [
          { code_interpreter: {} },
          { functions: { specifications: [legacy, clock.specification] } }
        ])
      }))

    it.effect("a forced tool_config is sent with the first request only", () =>
      Effect.gen(function*() {
        const { clock } = yield* makeTools
        const { api, layer } = setup((_, index) =>
          index === 0 ? callsAnswer("s", [{ name: "current_time", arguments: {} }]) : textAnswer("noon")
        )
        yield* GigaChat.completionsRunTools({
          messages: [user("time?")],
          tool_config: { mode: "forced", function_name: "current_time" }
        }, {
          tools: [clock],
          handlers: { current_time: () => Effect.succeed({ now: new Date(0) }) }
        }).pipe(Effect.provide(layer))
        const [first, second] = api().map(bodyOf)
        assert.deepStrictEqual(first.tool_config, { mode: "forced", function_name: "current_time" })
        assert.notProperty(second, "tool_config")
      }))

    it.effect("the step limit fails with ToolLoopLimitError after maxSteps requests", () =>
      Effect.gen(function*() {
        const { clock } = yield* makeTools
        const { api, layer } = setup(() => callsAnswer("s", [{ name: "current_time", arguments: {} }]))
        let runs = 0
        const error = yield* GigaChat.completionsRunTools("loop forever", {
          tools: [clock],
          handlers: { current_time: () => Effect.sync(() => ({ now: new Date(runs++) })) },
          maxSteps: 2
        }).pipe(Effect.provide(layer), Effect.flip)
        assert.strictEqual(error._tag, "ToolLoopLimitError")
        assert.include(error.message, "maxSteps")
        assert.include(error.message, "current_time")
        assert.strictEqual(api().length, 2)
        assert.strictEqual(runs, 1)
        if (error._tag !== "ToolLoopLimitError") return
        assert.strictEqual(error.maxSteps, 2)
        assert.deepStrictEqual(error.functions, ["current_time"])
      }))

    it.effect("a handler's failure surfaces typed and stops the loop", () =>
      Effect.gen(function*() {
        const { convert } = yield* makeTools
        const { api, layer } = setup(() =>
          callsAnswer("s", [{ name: "convert_currency", arguments: { amount: "1", from: "EUR", to: "USD" } }])
        )
        const error = yield* GigaChat.completionsRunTools("convert", {
          tools: [convert],
          handlers: { convert_currency: (args) => Effect.fail(new RatesUnavailable({ currency: args.from })) }
        }).pipe(
          Effect.provide(layer),
          Effect.catchTag("RatesUnavailable", (e) => Effect.succeed(`no rates for ${e.currency}`)),
          Effect.flip,
          Effect.flip
        )
        assert.strictEqual(error, "no rates for EUR")
        assert.strictEqual(api().length, 1)
      }))

    it.effect("arguments the Schema refuses and unknown functions are DecodeErrors", () =>
      Effect.gen(function*() {
        const { convert } = yield* makeTools
        const handlers = { convert_currency: () => Effect.succeed({ amount: 1, rate: 1 }) }
        const badArguments = setup(() =>
          callsAnswer("s", [{ name: "convert_currency", arguments: { amount: "1", from: "GBP", to: "USD" } }])
        )
        const refused = yield* GigaChat.completionsRunTools("x", { tools: [convert], handlers }).pipe(
          Effect.provide(badArguments.layer),
          Effect.flip
        )
        assert.strictEqual(refused._tag, "DecodeError")
        assert.include(refused.message, "convert_currency")
        const unknown = setup(() => callsAnswer("s", [{ name: "delete_everything", arguments: {} }]))
        const notATool = yield* GigaChat.completionsRunTools("x", { tools: [convert], handlers }).pipe(
          Effect.provide(unknown.layer),
          Effect.flip
        )
        assert.strictEqual(notATool._tag, "DecodeError")
        assert.include(notATool.message, "delete_everything")
      }))

    it.effect("bad options fail with InvalidRequestError before anything is sent", () =>
      Effect.gen(function*() {
        const { clock, convert } = yield* makeTools
        const { api, layer } = setup(() => textAnswer("never"))
        const handlers = { current_time: () => Effect.succeed({ now: new Date(0) }) }
        const zeroSteps = yield* GigaChat.completionsRunTools("x", { tools: [clock], handlers, maxSteps: 0 }).pipe(
          Effect.provide(layer),
          Effect.flip
        )
        assert.strictEqual(zeroSteps._tag, "InvalidRequestError")
        const missing = yield* GigaChat.completionsRunTools("x", {
          tools: [clock, convert],
          handlers: handlers as unknown as GigaChat.ToolHandlers<typeof clock | typeof convert>
        }).pipe(Effect.provide(layer), Effect.flip)
        assert.strictEqual(missing._tag, "InvalidRequestError")
        assert.include(missing.message, "convert_currency")
        const duplicate = yield* GigaChat.completionsRunTools("x", { tools: [clock, clock], handlers }).pipe(
          Effect.provide(layer),
          Effect.flip
        )
        assert.strictEqual(duplicate._tag, "InvalidRequestError")
        assert.strictEqual(api().length, 0)
      }))
  })

  describe("v1: GigaChat.chatRunTools", () => {
    const v1Answer = (message: Record<string, unknown>, finishReason: string) =>
      json({
        choices: [{ message: { role: "assistant", content: "", ...message }, index: 0, finish_reason: finishReason }],
        created: 1,
        model: "GigaChat:1",
        object: "chat.completion",
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }
      })

    it.effect("runs two calls with function messages, then returns the answer", () =>
      Effect.gen(function*() {
        const { clock, convert } = yield* makeTools
        const { api, layer } = setup((_, index) =>
          index === 0
            ? v1Answer({
              function_call: { name: "convert_currency", arguments: { amount: "2", from: "EUR", to: "USD" } },
              functions_state_id: "v1-state-1"
            }, "function_call")
            : index === 1
            ? v1Answer(
              { function_call: { name: "current_time", arguments: {} }, functions_state_id: "v1-state-2" },
              "function_call"
            )
            : v1Answer({ content: "2 EUR is 2.2 USD." }, "stop")
        )
        const run = yield* GigaChat.chatRunTools({
          messages: [{ role: "user", content: "2 EUR in USD?" }],
          function_call: { name: "convert_currency" }
        }, {
          tools: [convert, clock],
          handlers: {
            convert_currency: (args) => Effect.succeed({ amount: args.amount * 1.1, rate: 1.1 }),
            current_time: () => Effect.succeed({ now: new Date(0) })
          }
        }).pipe(Effect.provide(layer))
        assert.strictEqual(run.steps, 3)
        assert.strictEqual(run.response.choices[0]?.message.content, "2 EUR is 2.2 USD.")
        const bodies = api().map(bodyOf)
        assert.deepStrictEqual(bodies[0].functions, [convert.specification, clock.specification])
        assert.deepStrictEqual(bodies[0].function_call, { name: "convert_currency" })
        assert.notProperty(bodies[1], "function_call")
        assert.deepStrictEqual(bodies[2].messages, [
          { role: "user", content: "2 EUR in USD?" },
          {
            role: "assistant",
            content: "",
            function_call: { name: "convert_currency", arguments: { amount: "2", from: "EUR", to: "USD" } },
            functions_state_id: "v1-state-1"
          },
          { role: "function", name: "convert_currency", content: JSON.stringify({ amount: 2.2, rate: 1.1 }) },
          {
            role: "assistant",
            content: "",
            function_call: { name: "current_time", arguments: {} },
            functions_state_id: "v1-state-2"
          },
          { role: "function", name: "current_time", content: JSON.stringify({ now: "1970-01-01T00:00:00.000Z" }) }
        ])
        assert.deepStrictEqual(run.messages.map((message) => message.role), [
          "user",
          "assistant",
          "function",
          "assistant",
          "function",
          "assistant"
        ])
      }))

    it.effect("arguments sent as a JSON string (as some proxies do) are parsed, and sent back as the object", () =>
      Effect.gen(function*() {
        const { convert } = yield* makeTools
        const { api, layer } = setup((_, index) =>
          index === 0
            ? v1Answer({
              function_call: {
                name: "convert_currency",
                arguments: "{\"amount\":\"3\",\"from\":\"EUR\",\"to\":\"USD\"}"
              }
            }, "function_call")
            : v1Answer({ content: "3.3 USD." }, "stop")
        )
        const seen: Array<number> = []
        const run = yield* GigaChat.chatRunTools("3 EUR in USD?", {
          tools: [convert],
          handlers: {
            convert_currency: (args) =>
              Effect.sync(() => seen.push(args.amount)).pipe(Effect.as({ amount: 3.3, rate: 1.1 }))
          }
        }).pipe(Effect.provide(layer))
        assert.deepStrictEqual(seen, [3])
        assert.strictEqual(run.response.choices[0]?.message.content, "3.3 USD.")
        assert.deepStrictEqual(bodyOf(api()[1]!).messages[1].function_call, {
          name: "convert_currency",
          arguments: { amount: "3", from: "EUR", to: "USD" }
        })
      }))

    it.effect("the step limit and handler errors", () =>
      Effect.gen(function*() {
        const { clock } = yield* makeTools
        const always = setup(() =>
          v1Answer({ function_call: { name: "current_time", arguments: {} } }, "function_call")
        )
        const limit = yield* GigaChat.chatRunTools("t", {
          tools: [clock],
          handlers: { current_time: () => Effect.succeed({ now: new Date(0) }) },
          maxSteps: 3
        }).pipe(Effect.provide(always.layer), Effect.flip)
        assert.strictEqual(limit._tag, "ToolLoopLimitError")
        assert.strictEqual(always.api().length, 3)
        const failing = setup(() =>
          v1Answer({ function_call: { name: "current_time", arguments: {} } }, "function_call")
        )
        const error = yield* GigaChat.chatRunTools("t", {
          tools: [clock],
          handlers: { current_time: () => Effect.fail(new RatesUnavailable({ currency: "none" })) }
        }).pipe(Effect.provide(failing.layer), Effect.flip)
        assert.strictEqual(error._tag, "RatesUnavailable")
        assert.strictEqual(failing.api().length, 1)
      }))
  })

  it("handler types follow the tools (compile-time)", () => {
    const check = (tool: Tool.Tool<"echo", { readonly text: string }, { readonly text: string }, number, number>) => [
      GigaChat.completionsRunTools("x", {
        tools: [tool],
        // @ts-expect-error the handler must return the tool's success type
        handlers: { echo: (args) => Effect.succeed(args.text) }
      }),
      GigaChat.completionsRunTools("x", {
        tools: [tool],
        // @ts-expect-error a handler is required for every tool
        handlers: {}
      }),
      GigaChat.completionsRunTools("x", {
        tools: [tool],
        // @ts-expect-error the arguments are typed
        handlers: { echo: (args) => Effect.succeed(args.missing as number) }
      }),
      GigaChat.completionsRunTools("x", {
        tools: [tool],
        handlers: { echo: (args) => Effect.succeed(args.text.length) }
      })
    ]
    assert.isFunction(check)
  })
})
