import * as Chat from "@effect-gigachat/core/Chat"
import * as Completions from "@effect-gigachat/core/Completions"
import * as Tool from "@effect-gigachat/core/Tool"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { apiInteractions } from "./utils/cassette.js"

const Address = Schema.Struct({
  city: Schema.String.annotations({ description: "City name" }),
  zip: Schema.optional(Schema.String)
}).annotations({ identifier: "Address" })

const Forecast = Schema.Struct({
  address: Address,
  unit: Schema.Literal("celsius", "fahrenheit").annotations({ description: "Temperature unit" }),
  days: Schema.optional(Schema.Int.annotations({ description: "How many days" })),
  tags: Schema.Array(Schema.String),
  level: Schema.Enums({ Low: "low", High: "high" })
})

const makeForecast = Tool.make("get_forecast", {
  description: "Weather forecast for an address.",
  parameters: Forecast,
  success: Schema.Struct({ temperature: Schema.Number }),
  fewShotExamples: [{
    request: "Weather in Moscow?",
    params: { address: { city: "Moscow" }, unit: "celsius", tags: [], level: "low" }
  }]
})

const failure = <A, E>(effect: Effect.Effect<A, E>) => Effect.flip(effect)

describe("Tool", () => {
  describe("make", () => {
    it.effect("accepts a nested struct, a literal enum, Schema.Enums and optional fields", () =>
      Effect.gen(function*() {
        const tool = yield* makeForecast
        assert.strictEqual(tool.name, "get_forecast")
        assert.deepStrictEqual(tool.specification, {
          name: "get_forecast",
          description: "Weather forecast for an address.",
          parameters: {
            type: "object",
            required: ["address", "unit", "tags", "level"],
            properties: {
              address: {
                type: "object",
                required: ["city"],
                properties: {
                  city: { type: "string", description: "City name" },
                  zip: { type: "string", description: "" }
                },
                description: ""
              },
              unit: { type: "string", enum: ["celsius", "fahrenheit"], description: "Temperature unit" },
              days: { type: "integer", description: "How many days", title: "int" },
              tags: { type: "array", items: { type: "string" }, description: "" },
              level: { type: "string", enum: ["low", "high"], description: "" }
            }
          },
          few_shot_examples: [{
            request: "Weather in Moscow?",
            params: { address: { city: "Moscow" }, unit: "celsius", tags: [], level: "low" }
          }],
          return_parameters: {
            type: "object",
            required: ["temperature"],
            properties: { temperature: { type: "number" } }
          }
        })
        assert.deepStrictEqual(Tool.toV1Function(tool), tool.specification)
        assert.deepStrictEqual(Tool.toV2Tool(tool), { functions: { specifications: [tool.specification] } })
        const json = JSON.stringify(tool.specification)
        for (const construct of ["$ref", "$defs", "$schema", "additionalProperties", "anyOf", "$comment"]) {
          assert.notInclude(json, construct)
        }
      }))

    it.effect("rejects a union of two object shapes with an error naming the field", () =>
      Effect.gen(function*() {
        const error = yield* failure(Tool.make("pay", {
          description: "Pay.",
          parameters: Schema.Struct({
            amount: Schema.Number,
            method: Schema.Union(
              Schema.Struct({ card: Schema.String }),
              Schema.Struct({ iban: Schema.String })
            )
          })
        }))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.description, "tool \"pay\"")
        assert.include(error.description, "parameters.method")
        assert.include(error.description, "anyOf")
        assert.include(error.description, "different object shapes")
      }))

    it.effect("rejects other constructs GigaChat cannot take, naming field and construct", () =>
      Effect.gen(function*() {
        interface Category {
          readonly name: string
          readonly children: ReadonlyArray<Category>
        }
        const Category: Schema.Schema<Category> = Schema.Struct({
          name: Schema.String,
          children: Schema.Array(Schema.suspend(() => Category))
        }).annotations({ identifier: "Category" })
        const cases: ReadonlyArray<readonly [Schema.Schema<any, any>, ReadonlyArray<string>]> = [
          [Schema.Struct({ tree: Category }), ["parameters.tree.children[]", "recursive", "Category"]],
          [Schema.Struct({ id: Schema.Union(Schema.String, Schema.Number) }), ["parameters.id", "string | number"]],
          [Schema.Struct({ code: Schema.Literal("a", 1) }), ["parameters.code", "literals of different types"]],
          [Schema.Struct({ pair: Schema.Tuple(Schema.String, Schema.Number) }), ["parameters.pair", "tuple"]],
          [Schema.String, ["parameters", "object schema"]],
          [Schema.Struct({ at: Schema.DateFromSelf }), ["parameters", "cannot build a JSON schema"]]
        ]
        for (const [parameters, fragments] of cases) {
          const error = yield* failure(Tool.make("f", { description: "", parameters }))
          assert.strictEqual(error._tag, "InvalidRequestError")
          for (const fragment of fragments) assert.include(error.description, fragment)
        }
        const emptyName = yield* failure(Tool.make("", { parameters: Schema.Struct({}) }))
        assert.include(emptyName.description, "name")
        const badExample = yield* failure(Tool.make("f", {
          parameters: Schema.Struct({ n: Schema.Int }),
          fewShotExamples: [{ request: "x", params: { n: 1.5 } }, { request: "y", params: { n: 1 } }]
        }))
        assert.include(badExample.description, "fewShotExamples[0].params: n: ")
        assert.notInclude(badExample.description, "fewShotExamples[1]")
      }))

    it.effect("flattens what is safe: NullOr, optional NullOr, nullable literal unions, $ref, empty structs", () =>
      Effect.gen(function*() {
        const tool = yield* Tool.make("find", {
          parameters: Schema.Struct({
            note: Schema.NullOr(Schema.String).annotations({ description: "A note" }),
            sort: Schema.optional(Schema.NullOr(Schema.Literal("asc", "desc"))),
            scores: Schema.Record({ key: Schema.String, value: Schema.Number })
          }).annotations({ identifier: "FindParams", description: "Find things." })
        })
        // the description comes from the Schema's annotation when none is given
        assert.strictEqual(tool.description, "Find things.")
        assert.deepStrictEqual(tool.specification.parameters, {
          type: "object",
          required: ["note", "scores"],
          properties: {
            note: { type: "string", description: "A note" },
            sort: { type: "string", enum: ["asc", "desc"], description: "" },
            scores: {
              type: "object",
              required: [],
              properties: {},
              additionalProperties: { type: "number" },
              description: ""
            }
          }
        })
        const noArguments = yield* Tool.make("now", { description: "Current time.", parameters: Schema.Struct({}) })
        assert.deepStrictEqual(noArguments.specification.parameters, { type: "object", properties: {} })
        assert.deepStrictEqual(yield* Tool.decodeArguments(noArguments, undefined), {})
        // A function without parameters may get an empty string as its arguments.
        assert.deepStrictEqual(yield* Tool.decodeArguments(noArguments, ""), {})
        assert.deepStrictEqual(yield* Tool.decodeArguments(noArguments, " "), {})
      }))

    it.effect("reproduces the specification recorded in test_primary_chat_function_tool_roundtrip", () =>
      Effect.gen(function*() {
        const getOrderStatus = yield* Tool.make("get_order_status", {
          description: "Get delivery status for an order.",
          parameters: Schema.Struct({ order_id: Schema.String.annotations({ description: "Order identifier." }) }),
          success: Schema.Struct({ order_id: Schema.String, status: Schema.String, eta: Schema.String })
        })
        const [first, second] = apiInteractions("test_primary_chat_function_tool_roundtrip")
        const body = yield* Completions.encodeRequest(
          {
            messages: [{ role: "user", content: "Check order A-1024 and answer naturally." }],
            tool_config: { mode: "forced", function_name: getOrderStatus.name },
            tools: [Tool.toV2Tool(getOrderStatus)]
          },
          { model: "GigaChat-3-Ultra", profanityCheck: undefined, flags: undefined },
          false
        )
        assert.deepStrictEqual(body, JSON.parse(first.request.body!))

        // the model's call decodes into the typed arguments; the typed result encodes for function_result
        const response = yield* Schema.decodeUnknown(Completions.ChatCompletionResponse)(
          JSON.parse(first.response.body)
        )
        const [call] = Completions.functionCalls(response)
        const args = yield* Tool.decodeArguments(getOrderStatus, call.arguments)
        assert.deepStrictEqual(args, { order_id: "A-1024" })
        const result = yield* Tool.encodeResult(getOrderStatus, {
          order_id: args.order_id,
          status: "packed",
          eta: "tomorrow"
        })
        const recorded = JSON.parse(second.request.body!) as {
          readonly messages: ReadonlyArray<{ readonly content: ReadonlyArray<Record<string, any>> }>
        }
        assert.deepStrictEqual(recorded.messages[2].content[0].function_result.result, result)
      }))
  })

  describe("decodeArguments", () => {
    it.effect("decodes arguments given as an object or as a JSON string", () =>
      Effect.gen(function*() {
        const tool = yield* makeForecast
        const expected = {
          address: { city: "Tver" },
          unit: "celsius" as const,
          days: 3,
          tags: ["a"],
          level: "high" as const
        }
        const fromObject = yield* Tool.decodeArguments(tool, {
          address: { city: "Tver" },
          unit: "celsius",
          days: 3,
          tags: ["a"],
          level: "high"
        })
        assert.deepStrictEqual(fromObject, expected)
        const fromString = yield* Tool.decodeArguments(
          tool,
          "{\"address\":{\"city\":\"Tver\"},\"unit\":\"celsius\",\"days\":3,\"tags\":[\"a\"],\"level\":\"high\"}"
        )
        assert.deepStrictEqual(fromString, expected)
      }))

    it.effect("decodes with transformations of the Schema", () =>
      Effect.gen(function*() {
        const tool = yield* Tool.make("at", {
          description: "",
          parameters: Schema.Struct({ when: Schema.DateFromString, count: Schema.NumberFromString })
        })
        assert.deepStrictEqual(tool.specification.parameters.properties.count, {
          type: "string",
          description: "a string to be decoded into a number"
        })
        const args = yield* Tool.decodeArguments(tool, { when: "2026-01-02T00:00:00.000Z", count: "5" })
        assert.strictEqual(args.when.toISOString(), "2026-01-02T00:00:00.000Z")
        assert.strictEqual(args.count, 5)
      }))

    it.effect("fails with DecodeError on bad arguments and on invalid JSON", () =>
      Effect.gen(function*() {
        const tool = yield* makeForecast
        const bad = yield* failure(Tool.decodeArguments(tool, { address: {}, unit: "kelvin", tags: [], level: "low" }))
        assert.strictEqual(bad._tag, "DecodeError")
        assert.include(bad.description, "get_forecast")
        assert.include(bad.description, "address.city")
        assert.include(bad.description, "unit")
        assert.include(bad.body ?? "", "kelvin")

        const notJson = yield* failure(Tool.decodeArguments(tool, "{\"address\": "))
        assert.strictEqual(notJson._tag, "DecodeError")
        assert.include(notJson.description, "not valid JSON")
        assert.strictEqual(notJson.body, "{\"address\": ")

        const notAnObject = yield* failure(Tool.decodeArguments(tool, 42))
        assert.strictEqual(notAnObject._tag, "DecodeError")
      }))
  })

  describe("encodeResult and grouping", () => {
    it.effect("encodes a result with the success Schema, passes it through without one", () =>
      Effect.gen(function*() {
        const withDate = yield* Tool.make("stamp", {
          description: "",
          parameters: Schema.Struct({}),
          success: Schema.Struct({ at: Schema.DateFromString, n: Schema.Int })
        })
        assert.deepStrictEqual(yield* Tool.encodeResult(withDate, { at: new Date("2026-01-02T00:00:00.000Z"), n: 1 }), {
          at: "2026-01-02T00:00:00.000Z",
          n: 1
        })
        const invalid = yield* failure(Tool.encodeResult(withDate, { at: new Date(0), n: 1.5 }))
        assert.strictEqual(invalid._tag, "InvalidRequestError")
        assert.include(invalid.description, "stamp")
        assert.include(invalid.description, "n: ")

        const plain = yield* Tool.make("plain", { description: "", parameters: Schema.Struct({}) })
        assert.strictEqual(plain.success, undefined)
        assert.isFalse("return_parameters" in plain.specification)
        assert.deepStrictEqual(yield* Tool.encodeResult(plain, "anything"), "anything")
      }))

    it.effect("groups several tools into one v2 entry, usable in v1 functions too", () =>
      Effect.gen(function*() {
        const a = yield* Tool.make("a", { description: "A", parameters: Schema.Struct({ x: Schema.String }) })
        const b = yield* Tool.make("b", { description: "B", parameters: Schema.Struct({}) })
        assert.isTrue(Tool.isTool(a))
        assert.isFalse(Tool.isTool({ name: "a" }))
        const entry = Tool.toV2Tool([a, b])
        assert.deepStrictEqual(entry.functions.specifications.map((spec) => spec.name), ["a", "b"])
        const body = yield* Completions.encodeRequest(
          { messages: [{ role: "user", content: "hi" }], tools: [entry, "web_search"] },
          { model: undefined, profanityCheck: undefined, flags: undefined },
          false
        )
        assert.deepStrictEqual(body.tools, [
          { functions: { specifications: [a.specification, b.specification] } },
          { web_search: {} }
        ])
        assert.deepStrictEqual([a, b].map(Tool.toV1Function), [a.specification, b.specification])

        const v1 = yield* Chat.encodeRequest(
          { messages: [{ role: "user", content: "hi" }], functions: [a, b].map(Tool.toV1Function) },
          { model: undefined, profanityCheck: undefined, flags: undefined },
          false
        )
        assert.deepStrictEqual(v1.functions, [a.specification, b.specification])
      }))
  })
})
