import { GigaChatEmbeddingModel, GigaChatLanguageModel } from "@effect-gigachat/ai"
import * as Chat from "@effect-gigachat/core/Chat"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as AiChat from "@effect/ai/Chat"
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/** The provider over the in-process emulator, with the emulator's service to inspect what was sent. */
const Emulated = Layer.mergeAll(
  GigaChatLanguageModel.layer({ model: "GigaChat-2-Max" }),
  GigaChatEmbeddingModel.layer({ model: "Embeddings" })
).pipe(Layer.provideMerge(GigaChatEmulator.layer()))

const v2Bodies = Effect.map(
  Effect.flatMap(GigaChatEmulator.GigaChatEmulator, (emulator) => emulator.requests),
  (requests) =>
    requests.filter((request) => request.path === "/api/v2/chat/completions").map((request) =>
      JSON.parse(request.body) as {
        readonly model: string
        readonly messages: ReadonlyArray<{
          readonly role: string
          readonly content: ReadonlyArray<Record<string, any>>
          readonly tools_state_id?: string
        }>
        readonly model_options?: Record<string, any>
        readonly tools?: ReadonlyArray<Record<string, any>>
        readonly tool_config?: Record<string, any>
      }
    )
)

const GetOrderStatus = Tool.make("get_order_status", {
  description: "The status of an order",
  parameters: { orderId: Schema.String.annotations({ description: "The order id" }) },
  success: Schema.Struct({ orderId: Schema.String, status: Schema.String })
})

const GetDeliveryDate = Tool.make("get_delivery_date", {
  description: "When an order will be delivered",
  parameters: { orderId: Schema.String },
  success: Schema.Struct({ orderId: Schema.String, date: Schema.String })
})

const Orders = Toolkit.make(GetOrderStatus, GetDeliveryDate)

describe("GigaChatLanguageModel over the emulator", () => {
  it.effect("generateText: the answer's text, finish reason, usage and model", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "Count from 1 to 3" })
      assert.strictEqual(response.text, "1, 2, 3")
      assert.strictEqual(response.finishReason, "stop")
      assert.isAbove(response.usage.inputTokens ?? 0, 0)
      assert.isAbove(response.usage.outputTokens ?? 0, 0)
      const metadata = response.content.find((part) => part.type === "response-metadata")
      assert.isDefined(metadata?.modelId)
      const [body] = yield* v2Bodies
      assert.strictEqual(body.model, "GigaChat-2-Max")
      assert.deepStrictEqual(body.messages, [{ role: "user", content: [{ text: "Count from 1 to 3" }] }])
    }).pipe(Effect.provide(Emulated)))

  it.effect("streamText: the deltas fold into the same text, in an opened and closed block", () =>
    Effect.gen(function*() {
      const whole = yield* LanguageModel.generateText({ prompt: "Count from 1 to 5" })
      const parts = Chunk.toReadonlyArray(
        yield* Stream.runCollect(LanguageModel.streamText({ prompt: "Count from 1 to 5" }))
      )
      const text = parts.flatMap((part) => part.type === "text-delta" ? [part.delta] : []).join("")
      assert.strictEqual(text, whole.text)
      assert.strictEqual(text, "1, 2, 3, 4, 5")
      const types = parts.map((part) => part.type)
      assert.strictEqual(types[0], "response-metadata")
      assert.strictEqual(types[1], "text-start")
      assert.deepStrictEqual(types.slice(-2), ["text-end", "finish"])
      const finish = parts[parts.length - 1]
      assert.strictEqual(finish.type === "finish" && finish.reason, "stop")
      assert.isAbove(finish.type === "finish" ? finish.usage.outputTokens ?? 0 : 0, 0)
    }).pipe(Effect.provide(Emulated)))

  it.effect("generateObject: the Schema goes out as response_format and the answer decodes with it", () =>
    Effect.gen(function*() {
      const Answer = Schema.Struct({ answer: Schema.String, n: Schema.Number })
      const response = yield* LanguageModel.generateObject({
        prompt: "Return {\"answer\":\"ok\",\"n\":3} exactly.",
        schema: Answer,
        objectName: "answer"
      })
      assert.deepStrictEqual(response.value, { answer: "ok", n: 3 })
      const [body] = yield* v2Bodies
      assert.strictEqual(body.model_options?.response_format.type, "json_schema")
      assert.strictEqual(body.model_options?.response_format.strict, true)
      assert.deepStrictEqual(body.model_options?.response_format.schema.required, ["answer", "n"])
    }).pipe(Effect.provide(Emulated)))

  it.effect("generateObject: a Schema.Class goes out as the object itself, as GigaChat.chatParse sends it", () =>
    Effect.gen(function*() {
      class Answer extends Schema.Class<Answer>("Answer")({ answer: Schema.String, n: Schema.Int }) {}
      yield* Effect.exit(
        LanguageModel.generateObject({ prompt: "Return {\"answer\":\"ok\",\"n\":3} exactly.", schema: Answer })
      )
      const [body] = yield* v2Bodies
      assert.deepStrictEqual(
        body.model_options?.response_format,
        yield* Chat.jsonResponseFormat(Answer)
      )
      assert.strictEqual(body.model_options?.response_format.schema.type, "object")
    }).pipe(Effect.provide(Emulated)))

  it.effect("generateObject: a Schema with no JSON Schema fails as MalformedInput, nothing sent", () =>
    Effect.gen(function*() {
      const Opaque = Schema.Struct({ when: Schema.declare((u): u is Date => u instanceof Date) })
      const error = yield* Effect.flip(LanguageModel.generateObject({ prompt: "Now?", schema: Opaque }))
      assert.strictEqual(error._tag, "MalformedInput")
      assert.deepStrictEqual(yield* v2Bodies, [])
    }).pipe(Effect.provide(Emulated)))

  it.effect("a Toolkit loop calls two tools, sends their results back and answers", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<ReadonlyArray<string>>([])
      const handlers = Orders.toLayer({
        get_order_status: ({ orderId }) =>
          Effect.as(Ref.update(calls, (all) => [...all, `status ${orderId}`]), { orderId, status: "shipped" }),
        get_delivery_date: ({ orderId }) =>
          Effect.as(Ref.update(calls, (all) => [...all, `date ${orderId}`]), { orderId, date: "2026-12-24" })
      })
      const chat = yield* AiChat.empty
      // one user turn: ask, run the tools the model calls, and ask again until it answers in text
      const turn = (prompt: string) =>
        Effect.gen(function*() {
          let response = yield* chat.generateText({ prompt, toolkit: Orders })
          let steps = 1
          while (response.finishReason === "tool-calls" && steps < 5) {
            response = yield* chat.generateText({ prompt: [], toolkit: Orders })
            steps++
          }
          return { response, steps }
        }).pipe(Effect.provide(handlers))
      const first = yield* turn("Call get_order_status for order A-1024.")
      const second = yield* turn("Now call get_delivery_date for order A-1024.")
      assert.deepStrictEqual(yield* Ref.get(calls), ["status A-1024", "date A-1024"])
      assert.strictEqual(first.steps, 2)
      assert.strictEqual(second.steps, 2)
      assert.include(first.response.text, "shipped")
      assert.include(second.response.text, "2026-12-24")
      const bodies = yield* v2Bodies
      assert.strictEqual(bodies.length, 4)
      // the tools go out through the core's function-schema rules
      const specifications = bodies[0].tools?.[0].functions.specifications
      assert.deepStrictEqual(specifications[0], {
        name: "get_order_status",
        description: "The status of an order",
        parameters: {
          type: "object",
          required: ["orderId"],
          properties: { orderId: { type: "string", description: "The order id" } }
        }
      })
      assert.deepStrictEqual(bodies[0].tool_config, { mode: "auto" })
      // the call and its result go back with the tools_state_id of the answer that made the call
      const sent = bodies[1].messages
      const call = sent[1]
      const result = sent[2]
      assert.strictEqual(call.role, "assistant")
      assert.deepStrictEqual(call.content, [{
        function_call: { name: "get_order_status", arguments: { orderId: "A-1024" } }
      }])
      assert.match(call.tools_state_id ?? "", /^[0-9a-f-]{36}$/)
      assert.strictEqual(result.role, "tool")
      assert.strictEqual(result.tools_state_id, call.tools_state_id)
      assert.deepStrictEqual(result.content, [{
        function_result: { name: "get_order_status", result: { orderId: "A-1024", status: "shipped" } }
      }])
      // the second turn carries the whole first one
      assert.strictEqual(bodies[3].messages.length, 7)
    }).pipe(Effect.provide(Emulated)))

  it.effect("EmbeddingModel: concurrent texts are embedded in one request", () =>
    Effect.gen(function*() {
      const model = yield* EmbeddingModel.EmbeddingModel
      const vectors = yield* Effect.all(
        [model.embed("one"), model.embed("two"), model.embed("three")],
        { concurrency: "unbounded", batching: true }
      )
      assert.strictEqual(vectors.length, 3)
      for (const vector of vectors) assert.strictEqual(vector.length, 1024)
      assert.notDeepEqual(vectors[0], vectors[1])
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      const requests = (yield* emulator.requests).filter((request) => request.path === "/api/v1/embeddings")
      assert.strictEqual(requests.length, 1)
      assert.deepStrictEqual(JSON.parse(requests[0].body), { input: ["one", "two", "three"], model: "Embeddings" })
    }).pipe(Effect.provide(Emulated)))

  it.effect("Chat keeps its history across turns, streamed turns included", () =>
    Effect.gen(function*() {
      const chat = yield* AiChat.empty
      const first = yield* chat.generateText({ prompt: "Count from 1 to 3" })
      yield* Stream.runDrain(chat.streamText({ prompt: "Count from 1 to 5" }))
      yield* chat.generateText({ prompt: "Thanks!" })
      const bodies = yield* v2Bodies
      assert.deepStrictEqual(bodies[2].messages, [
        { role: "user", content: [{ text: "Count from 1 to 3" }] },
        { role: "assistant", content: [{ text: first.text }] },
        { role: "user", content: [{ text: "Count from 1 to 5" }] },
        { role: "assistant", content: [{ text: "1, 2, 3, 4, 5" }] },
        { role: "user", content: [{ text: "Thanks!" }] }
      ])
    }).pipe(Effect.provide(Emulated)))

  it.effect("a server error becomes an HttpResponseError that keeps the GigaChat error as its cause", () =>
    Effect.gen(function*() {
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      yield* emulator.addFault({
        route: "POST /api/v2/chat/completions",
        status: 400,
        times: 1,
        body: JSON.stringify({ status: 400, message: "Bad model options" })
      })
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "Hello" }))
      assert.strictEqual(error._tag, "HttpResponseError")
      if (error._tag !== "HttpResponseError") return
      assert.strictEqual(error.response.status, 400)
      assert.strictEqual(error.reason, "StatusCode")
      assert.include(error.body ?? "", "Bad model options")
      const cause = (error as Error).cause as { readonly _tag: string; readonly status: number; requestId?: string }
      assert.strictEqual(cause._tag, "BadRequestError")
      assert.strictEqual(cause.status, 400)
      assert.isDefined(cause.requestId)
      assert.strictEqual(error.response.headers["x-request-id"], cause.requestId)
    }).pipe(Effect.provide(Emulated)))
})
