import { Functions, GigaChat, Tool } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { json, tokenValue } from "./utils/mockHttp.js"
import { baseUrl, call, setup } from "./utils/mockService.js"

describe("filterCheck", () => {
  it.effect("POST /filter/check with model GigaFilter, the messages and settings as JSON; the verdict decoded", () => {
    const { api, bodies, layer } = setup(() =>
      json({ is_profane: true, usage: { filter_tokens: 35 }, extra: 1 }, { headers: { "x-request-id": "rid-f" } })
    )
    return Effect.gen(function*() {
      const result = yield* call(layer, (gc) =>
        gc.filterCheck({
          settings: { neuro: true, blacklist: true, whitelist: false },
          messages: [
            { role: "user", content: "Hello", attachments: ["file-1"] },
            { role: "function", content: "{\"temperature\": \"27\"}", functions_state_id: "77d3" }
          ],
          functions: [{ name: "get_weather", parameters: { properties: { city: { type: "string" } } } }]
        }))
      const [request] = api()
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.url, `${baseUrl}/filter/check`)
      assert.strictEqual(request.headers["authorization"], `Bearer ${tokenValue}`)
      assert.strictEqual(bodies[0].contentType, "application/json")
      assert.deepStrictEqual(JSON.parse(request.body ?? ""), {
        model: "GigaFilter",
        settings: { neuro: true, blacklist: true, whitelist: false },
        messages: [
          { role: "user", content: "Hello", attachments: ["file-1"] },
          { role: "function", content: "{\"temperature\": \"27\"}", functions_state_id: "77d3" }
        ],
        functions: [{ name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } }]
      })
      assert.strictEqual(result.is_profane, true)
      assert.deepStrictEqual(result.usage, { filter_tokens: 35 })
      assert.strictEqual(result.xHeaders["x-request-id"], "rid-f")
    })
  })

  it.effect("a text is one user message; a message without content is sent with content \"\"", () => {
    const { api, layer } = setup(() => json({ is_profane: false }))
    return Effect.gen(function*() {
      // the accessor, with the service from the context
      const result = yield* Effect.provide(GigaChat.filterCheck("Nice weather"), layer)
      yield* call(layer, (gc) => gc.filterCheck({ model: "GigaFilter-2", messages: [{ role: "assistant" }] }))
      assert.deepStrictEqual(JSON.parse(api()[0].body ?? ""), {
        model: "GigaFilter",
        messages: [{ role: "user", content: "Nice weather" }]
      })
      assert.deepStrictEqual(JSON.parse(api()[1].body ?? ""), {
        model: "GigaFilter-2",
        messages: [{ role: "assistant", content: "" }]
      })
      assert.strictEqual(result.is_profane, false)
      assert.strictEqual(result.usage, undefined)
    })
  })

  it.effect("no messages, a message without role or an unknown key are InvalidRequestErrors naming the field", () => {
    const { api, layer } = setup(() => json({ is_profane: false }))
    return Effect.gen(function*() {
      const empty = yield* Effect.flip(call(layer, (gc) => gc.filterCheck({ messages: [] })))
      assert.strictEqual(empty._tag, "InvalidRequestError")
      assert.include(empty.message, "messages[0]: is missing")
      const role = yield* Effect.flip(call(layer, (gc) => gc.filterCheck({ messages: [{ content: "x" } as any] })))
      assert.include(role.message, "messages[0].role: is missing")
      const extra = yield* Effect.flip(
        call(layer, (gc) => gc.filterCheck({ messages: [{ role: "user", content: "x" }], setings: {} } as any))
      )
      assert.include(extra.message, "setings")
      assert.strictEqual(api().length, 0)
    })
  })

  it.effect("a 403 is a ForbiddenError; a body without is_profane a DecodeError", () => {
    const forbidden = setup(() => json({ status: 403, message: "Permission denied" }, { status: 403 }))
    const broken = setup(() => json({ usage: { filter_tokens: 1 } }))
    return Effect.gen(function*() {
      const denied = yield* Effect.flip(call(forbidden.layer, (gc) => gc.filterCheck("hi")))
      assert.strictEqual(denied._tag, "ForbiddenError")
      const decode = yield* Effect.flip(call(broken.layer, (gc) => gc.filterCheck("hi")))
      assert.strictEqual(decode._tag, "DecodeError")
      assert.include(decode.message, "is_profane")
    })
  })
})

describe("functionsValidate", () => {
  const weather = {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] }
  }

  it.effect("POST /functions/validate with the function itself as the body; a valid verdict with warnings", () => {
    const { api, layer } = setup(() =>
      json({
        status: 200,
        message: "Function is valid",
        json_ai_rules_version: "1.0.5",
        warnings: [{ description: "few_shot_examples are missing", schema_location: "(root)" }]
      })
    )
    return Effect.gen(function*() {
      const result = yield* call(layer, (gc) => gc.functionsValidate(weather))
      assert.strictEqual(api()[0].method, "POST")
      assert.strictEqual(api()[0].url, `${baseUrl}/functions/validate`)
      assert.deepStrictEqual(JSON.parse(api()[0].body ?? ""), weather)
      assert.strictEqual(result.json_ai_rules_version, "1.0.5")
      assert.deepStrictEqual(result.warnings, [{
        description: "few_shot_examples are missing",
        schema_location: "(root)"
      }])
      assert.isTrue(Functions.isValid(result))
    })
  })

  it.effect("an invalid function is a 200 with errors: decoded, and isValid is false", () => {
    const { layer } = setup(() =>
      json({
        status: 422,
        message: "Incorrect function syntax",
        json_ai_rules_version: "1.0.5",
        errors: [{ description: "description is required", schema_location: "$.parameters" }]
      })
    )
    return Effect.gen(function*() {
      const result = yield* call(layer, (gc) => gc.functionsValidate({ name: "f", parameters: { properties: {} } }))
      assert.isFalse(Functions.isValid(result))
      assert.strictEqual(result.errors?.[0]?.schema_location, "$.parameters")
    })
  })

  it.effect("a Tool is sent as its specification; a function without a name is an InvalidRequestError", () => {
    const { api, layer } = setup(() => json({ status: 200, message: "Function is valid" }))
    return Effect.gen(function*() {
      const tool = yield* Tool.make("get_time", {
        description: "The time in a city",
        parameters: Schema.Struct({ city: Schema.String })
      })
      yield* Effect.provide(GigaChat.functionsValidate(tool), layer)
      assert.deepStrictEqual(JSON.parse(api()[0].body ?? ""), Tool.toV1Function(tool))
      const error = yield* Effect.flip(call(layer, (gc) => gc.functionsValidate({ description: "x" } as any)))
      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, "name: is missing")
      assert.strictEqual(api().length, 1)
    })
  })
})
