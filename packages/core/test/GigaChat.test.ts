import type * as HttpBody from "@effect/platform/HttpBody"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { RecordedRequest } from "./utils/mockHttp.js"
import { json, tokenValue } from "./utils/mockHttp.js"
import { baseUrl, call, setup } from "./utils/mockService.js"

const completion = (message: Record<string, unknown>, finishReason = "stop") => ({
  choices: [{ message: { role: "assistant", ...message }, index: 0, finish_reason: finishReason }],
  created: 1,
  model: "GigaChat:1",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
})

const assertApiHeaders = (request: RecordedRequest, accept: string) => {
  assert.strictEqual(request.headers["accept"], accept)
  assert.strictEqual(request.headers["authorization"], `Bearer ${tokenValue}`)
  assert.match(request.headers["user-agent"] ?? "", /^effect-gigachat\//)
}

const bodyJson = (request: RecordedRequest): unknown => JSON.parse(request.body ?? "")

describe("GigaChat", () => {
  describe("chat", () => {
    it.effect("POST /chat/completions with the encoded request; the answer decoded with xHeaders", () => {
      const { contentTypes, layer, only } = setup(() =>
        json(completion({ content: "Hi!" }), { headers: { "x-request-id": "rid-1", "x-session-id": "sid-1" } })
      )
      return Effect.gen(function*() {
        const answer = yield* call(layer, (gc) =>
          gc.chat({
            messages: [{ role: "system", content: "Be brief" }, { role: "user", content: "Hello" }],
            temperature: 0.3,
            max_tokens: 10
          }))
        const request = only()
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, `${baseUrl}/chat/completions`)
        assertApiHeaders(request, "application/json")
        assert.strictEqual(contentTypes[0], "application/json")
        assert.deepStrictEqual(bodyJson(request), {
          model: "GigaChat",
          messages: [{ role: "system", content: "Be brief" }, { role: "user", content: "Hello" }],
          temperature: 0.3,
          max_tokens: 10
        })
        assert.deepStrictEqual(answer.choices[0]?.message, { role: "assistant", content: "Hi!" })
        assert.strictEqual(answer.xHeaders["x-request-id"], "rid-1")
        assert.strictEqual(answer.xHeaders["x-session-id"], "sid-1")
      })
    })

    it.effect("sends attachments (vision) and the settings' model, flags and profanity_check", () => {
      const { layer, only } = setup(() => json(completion({ content: "A cat" })), {
        model: "GigaChat-2-Max",
        flags: ["no_cache"],
        profanityCheck: false
      })
      return Effect.gen(function*() {
        yield* call(
          layer,
          (gc) => gc.chat({ messages: [{ role: "user", content: "What is on the picture?", attachments: ["file-1"] }] })
        )
        assert.deepStrictEqual(bodyJson(only()), {
          model: "GigaChat-2-Max",
          messages: [{ role: "user", content: "What is on the picture?", attachments: ["file-1"] }],
          profanity_check: false,
          flags: ["no_cache"]
        })
      })
    })

    it.effect("function calling: the whole request on the wire, and the function_call of the answer", () => {
      const answer = {
        ...completion({
          content: "",
          function_call: { name: "weather", arguments: { city: "Москва", days: 2 } },
          functions_state_id: "state-2"
        }, "function_call")
      }
      const { layer, only } = setup(() => json(answer))
      const weather = {
        name: "weather",
        description: "Weather forecast",
        parameters: {
          type: "object",
          properties: { city: { type: "string", description: "City" }, days: { type: "integer", minimum: 1 } },
          required: ["city"]
        },
        few_shot_examples: [{ request: "Погода в Москве на 2 дня", params: { city: "Москва", days: 2 } }],
        return_parameters: { type: "object", properties: { forecast: { type: "string" } } }
      }
      const messages = [
        { role: "user", content: "Погода в Москве?" },
        {
          role: "assistant",
          content: "",
          function_call: { name: "weather", arguments: { city: "Москва" } },
          functions_state_id: "state-1"
        },
        { role: "function", name: "weather", content: "{\"forecast\":\"sunny\"}" },
        { role: "user", content: "А на два дня?" }
      ]
      return Effect.gen(function*() {
        const result = yield* call(layer, (gc) =>
          gc.chat({
            model: "GigaChat-2-Pro",
            messages,
            functions: [weather],
            function_call: { name: "weather", partial_arguments: { city: "Москва" } },
            reasoning_effort: "high",
            repetition_penalty: 1.1,
            update_interval: 0,
            n: 1,
            storage: { is_stateful: true, limit: 5 },
            additional_fields: { custom: 1, model: "must-not-win" }
          }))
        assert.deepStrictEqual(bodyJson(only()), {
          model: "GigaChat-2-Pro",
          messages,
          functions: [weather],
          function_call: { name: "weather", partial_arguments: { city: "Москва" } },
          reasoning_effort: "high",
          repetition_penalty: 1.1,
          update_interval: 0,
          n: 1,
          storage: { is_stateful: true, limit: 5 },
          custom: 1
        })
        const message = result.choices[0]!.message
        assert.strictEqual(result.choices[0]?.finish_reason, "function_call")
        assert.deepStrictEqual(message.function_call, { name: "weather", arguments: { city: "Москва", days: 2 } })
        assert.strictEqual(message.functions_state_id, "state-2")
      })
    })

    it.effect("function_call \"auto\" and \"none\" go out as strings", () => {
      const { api, layer } = setup(() => json(completion({ content: "ok" })))
      return Effect.gen(function*() {
        for (const mode of ["auto", "none"] as const) {
          yield* call(layer, (gc) => gc.chat({ messages: [{ role: "user", content: "x" }], function_call: mode }))
        }
        assert.deepStrictEqual(api().map((request) => (bodyJson(request) as any).function_call), ["auto", "none"])
      })
    })

    it.effect("a message without role and a negative max_tokens fail with InvalidRequestError; nothing is sent", () => {
      const { layer, mock } = setup(() => json(completion({ content: "never" })))
      return Effect.gen(function*() {
        const noRole = yield* Effect.flip(call(layer, (gc) => gc.chat({ messages: [{ content: "Hi" } as any] })))
        assert.strictEqual(noRole._tag, "InvalidRequestError")
        assert.include(noRole.message, "messages[0].role")
        const negative = yield* Effect.flip(
          call(layer, (gc) => gc.chat({ messages: [{ role: "user", content: "Hi" }], max_tokens: -1 }))
        )
        assert.strictEqual(negative._tag, "InvalidRequestError")
        assert.include(negative.message, "max_tokens")
        const parse = yield* Effect.flip(
          call(layer, (gc) => gc.chatParse({ messages: [{ content: "Hi" } as any] }, Schema.String))
        )
        assert.strictEqual(parse._tag, "InvalidRequestError")
        assert.strictEqual(mock.requests.length, 0, "not even a token is fetched")
      })
    })
  })

  describe("chatParse", () => {
    const Answer = Schema.Struct({ city: Schema.String, temperature: Schema.Number })

    it.effect("sends response_format json_schema without $schema, strict by default, and decodes the answer", () => {
      const { layer, only } = setup(() => json(completion({ content: "{\"city\":\"Москва\",\"temperature\":-3}" })))
      return Effect.gen(function*() {
        const { completion: answer, parsed } = yield* call(layer, (gc) => gc.chatParse("Weather?", Answer))
        assert.deepStrictEqual(parsed, { city: "Москва", temperature: -3 })
        assert.strictEqual(answer.choices[0]?.finish_reason, "stop")
        const body = bodyJson(only()) as any
        assert.deepStrictEqual(body.response_format, {
          type: "json_schema",
          schema: {
            type: "object",
            required: ["city", "temperature"],
            properties: { city: { type: "string" }, temperature: { type: "number" } },
            additionalProperties: false
          },
          strict: true
        })
        assert.isFalse("$schema" in body.response_format.schema)
        assert.deepStrictEqual(body.messages, [{ role: "user", content: "Weather?" }])
      })
    })

    it.effect("a Schema.Class is sent as the object itself, its references inlined, as Python sends a model", () => {
      class Forecast extends Schema.Class<Forecast>("Forecast")({
        city: Schema.String,
        days: Schema.Int,
        hourly: Schema.Array(Schema.Struct({ hour: Schema.Int }).annotations({ identifier: "Hour" }))
      }) {}
      const { layer, only } = setup(() =>
        json(completion({ content: "{\"city\":\"Тула\",\"days\":2,\"hourly\":[{\"hour\":1}]}" }))
      )
      return Effect.gen(function*() {
        const { parsed } = yield* call(layer, (gc) => gc.chatParse("Forecast?", Forecast))
        assert.instanceOf(parsed, Forecast)
        const schema = (bodyJson(only()) as any).response_format.schema
        assert.strictEqual(schema.type, "object")
        assert.deepStrictEqual(schema.required, ["city", "days", "hourly"])
        assert.strictEqual(schema.properties.days.type, "integer")
        assert.strictEqual(schema.properties.hourly.items.properties.hour.type, "integer")
        assert.notInclude(JSON.stringify(schema), "$ref")
        assert.notProperty(schema, "$defs")
      })
    })

    it.effect("a recursive Schema keeps its references, with the definitions they point to", () => {
      interface Node {
        readonly name: string
        readonly children: ReadonlyArray<Node>
      }
      const Node = Schema.Struct({
        name: Schema.String,
        children: Schema.Array(Schema.suspend((): Schema.Schema<Node> => Node))
      }).annotations({ identifier: "Node" })
      const { layer, only } = setup(() => json(completion({ content: "{\"name\":\"a\",\"children\":[]}" })))
      return Effect.gen(function*() {
        yield* call(layer, (gc) => gc.chatParse("Tree?", Node))
        const schema = (bodyJson(only()) as any).response_format.schema
        assert.strictEqual(schema.type, "object")
        assert.deepStrictEqual(schema.properties.children.items, { $ref: "#/$defs/Node" })
        assert.strictEqual(schema.$defs.Node.type, "object")
      })
    })

    it.effect("strict: false is sent; the caller's other fields are kept", () => {
      const { layer, only } = setup(() => json(completion({ content: "{\"city\":\"Тула\",\"temperature\":1}" })))
      return Effect.gen(function*() {
        yield* call(layer, (gc) =>
          gc.chatParse(
            { model: "GigaChat-2-Max", messages: [{ role: "user", content: "x" }], temperature: 0 },
            Answer,
            { strict: false }
          ))
        const body = bodyJson(only()) as any
        assert.strictEqual(body.response_format.strict, false)
        assert.strictEqual(body.model, "GigaChat-2-Max")
        assert.strictEqual(body.temperature, 0)
      })
    })

    it.effect("finish_reason length fails with LengthFinishReasonError carrying the completion", () => {
      const { layer } = setup(() => json(completion({ content: "{\"city\":\"Мос" }, "length")))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.chatParse("x", Answer)))
        assert.strictEqual(error._tag, "LengthFinishReasonError")
        if (error._tag !== "LengthFinishReasonError") return
        assert.strictEqual((error.completion as any).choices[0].message.content, "{\"city\":\"Мос")
      })
    })

    it.effect("content that is not JSON fails with DecodeError", () => {
      const { layer } = setup(() => json(completion({ content: "Sure! Here it is: {city: Moscow}" })))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.chatParse("x", Answer)))
        assert.strictEqual(error._tag, "DecodeError")
        if (error._tag !== "DecodeError") return
        assert.include(error.description, "not valid JSON")
        assert.strictEqual(error.body, "Sure! Here it is: {city: Moscow}")
      })
    })

    it.effect("JSON of the wrong shape fails with DecodeError naming the field", () => {
      const { layer } = setup(() => json(completion({ content: "{\"city\":\"Москва\",\"temperature\":\"cold\"}" })))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.chatParse("x", Answer)))
        assert.strictEqual(error._tag, "DecodeError")
        if (error._tag !== "DecodeError") return
        assert.include(error.description, "does not match the schema")
        assert.include(error.description, "temperature")
      })
    })

    it.effect("a response without choices fails with DecodeError", () => {
      const { layer } = setup(() => json({ ...completion({ content: "" }), choices: [] }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.chatParse("x", Answer)))
        assert.strictEqual(error._tag, "DecodeError")
      })
    })

    it.effect("a Schema with no JSON Schema fails with InvalidRequestError, and nothing is sent", () => {
      const { api, layer } = setup(() => json(completion({ content: "{}" })))
      return Effect.gen(function*() {
        const Opaque = Schema.declare((u: unknown): u is Date => u instanceof Date)
        const error = yield* Effect.flip(call(layer, (gc) => gc.chatParse("x", Opaque)))
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.strictEqual(api().length, 0)
      })
    })
  })

  describe("embeddings", () => {
    const answer = {
      object: "list",
      model: "Embeddings",
      data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2], usage: { prompt_tokens: 2 } }]
    }

    it.effect("POST /embeddings with model Embeddings, not the chat model of the settings", () => {
      const { api, contentTypes, layer } = setup(() => json(answer, { headers: { "x-request-id": "e-1" } }), {
        model: "GigaChat-2-Max"
      })
      return Effect.gen(function*() {
        const result = yield* call(layer, (gc) => gc.embeddings("Hello"))
        const request = api()[0]!
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, `${baseUrl}/embeddings`)
        assertApiHeaders(request, "application/json")
        assert.strictEqual(contentTypes[0], "application/json")
        assert.deepStrictEqual(bodyJson(request), { input: ["Hello"], model: "Embeddings" })
        assert.deepStrictEqual(result.data[0]?.embedding, [0.1, 0.2])
        assert.strictEqual(result.xHeaders["x-request-id"], "e-1")

        yield* call(layer, (gc) => gc.embeddings(["a", "b"], { model: "EmbeddingsGigaR" }))
        assert.deepStrictEqual(bodyJson(api()[1]!), { input: ["a", "b"], model: "EmbeddingsGigaR" })
      })
    })
  })

  describe("request validation before sending", () => {
    it.effect("embeddings, tokensCount and checkAi check their bodies: a bad input is an InvalidRequestError naming it", () => {
      const { api, layer } = setup(() => json({}))
      return Effect.gen(function*() {
        const embeddings = yield* Effect.flip(call(layer, (gc) => gc.embeddings(["ok", 7 as unknown as string])))
        assert.strictEqual(embeddings._tag, "InvalidRequestError")
        assert.include(embeddings.message, "input[1]")
        const tokens = yield* Effect.flip(call(layer, (gc) => gc.tokensCount("x", { model: 42 as unknown as string })))
        assert.strictEqual(tokens._tag, "InvalidRequestError")
        assert.include(tokens.message, "model")
        const check = yield* Effect.flip(call(layer, (gc) => gc.checkAi(null as unknown as string, { model: "M" })))
        assert.strictEqual(check._tag, "InvalidRequestError")
        assert.include(check.message, "input")
        const noModel = yield* Effect.flip(call(layer, (gc) => gc.checkAi("text", {} as { model: string })))
        assert.strictEqual(noModel._tag, "InvalidRequestError")
        assert.include(noModel.message, "model")
        assert.strictEqual(api().length, 0, "nothing was sent")
      })
    })
  })

  describe("tokensCount", () => {
    it.effect("POST /tokens/count with the settings' model; an array with xHeaders", () => {
      const { api, layer } = setup(
        () =>
          json([{ object: "tokens", tokens: 3, characters: 5 }, { object: "tokens", tokens: 1, characters: 1 }], {
            headers: { "x-request-id": "t-1" }
          }),
        { model: "GigaChat-2-Pro" }
      )
      return Effect.gen(function*() {
        const counts = yield* call(layer, (gc) => gc.tokensCount(["Hello", "!"]))
        const request = api()[0]!
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, `${baseUrl}/tokens/count`)
        assertApiHeaders(request, "application/json")
        assert.deepStrictEqual(bodyJson(request), { model: "GigaChat-2-Pro", input: ["Hello", "!"] })
        assert.isTrue(Array.isArray(counts))
        assert.deepStrictEqual(counts.map((count) => count.tokens), [3, 1])
        assert.strictEqual(counts.xHeaders["x-request-id"], "t-1")

        yield* call(layer, (gc) => gc.tokensCount("x", { model: "GigaChat" }))
        assert.deepStrictEqual(bodyJson(api()[1]!), { model: "GigaChat", input: ["x"] })
      })
    })

    it.effect("an object where the array is expected is a DecodeError", () => {
      const { layer } = setup(() => json({ object: "tokens", tokens: 1, characters: 1 }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.tokensCount("x")))
        assert.strictEqual(error._tag, "DecodeError")
      })
    })
  })

  describe("models", () => {
    it.effect("GET /models keeps the server's type, also unknown ones", () => {
      const { layer, only } = setup(() =>
        json({
          object: "list",
          data: [
            { id: "GigaChat", object: "model", owned_by: "salutedevices", type: "chat" },
            { id: "Future", object: "model", owned_by: "salutedevices", type: "hologram" }
          ]
        })
      )
      return Effect.gen(function*() {
        const models = yield* call(layer, (gc) => gc.getModels())
        const request = only()
        assert.strictEqual(request.method, "GET")
        assert.strictEqual(request.url, `${baseUrl}/models`)
        assert.strictEqual(request.body, undefined)
        assertApiHeaders(request, "application/json")
        assert.deepStrictEqual(models.data.map((model) => model.type), ["chat", "hologram"])
      })
    })

    it.effect("GET /models/{id} keeps the : of a versioned id, as httpx sends it", () => {
      const { layer, only } = setup(() =>
        json({ id: "GigaChat-2-Max:2.0.28.2", object: "model", owned_by: "me", type: "chat" })
      )
      return Effect.gen(function*() {
        yield* call(layer, (gc) => gc.getModel("GigaChat-2-Max:2.0.28.2"))
        assert.strictEqual(only().url, `${baseUrl}/models/GigaChat-2-Max:2.0.28.2`)
      })
    })

    it.effect("GET /models/{id} URL-encodes the id", () => {
      const { layer, only } = setup(() => json({ id: "a/b c", object: "model", owned_by: "me", type: "chat" }))
      return Effect.gen(function*() {
        const model = yield* call(layer, (gc) => gc.getModel("a/b c"))
        assert.strictEqual(only().method, "GET")
        assert.strictEqual(only().url, `${baseUrl}/models/a%2Fb%20c`)
        assert.strictEqual(model.id, "a/b c")
      })
    })

    it.effect("a 404 is a NotFoundError with the server's message", () => {
      const { layer } = setup(() => json({ status: 404, message: "No such model" }, { status: 404 }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.getModel("Nope")))
        assert.strictEqual(error._tag, "NotFoundError")
        assert.include(error.message, "No such model")
      })
    })
  })

  describe("balance and AI check", () => {
    it.effect("GET /balance", () => {
      const { layer, only } = setup(() => json({ balance: [{ usage: "GigaChat", value: 900000 }] }))
      return Effect.gen(function*() {
        const balance = yield* call(layer, (gc) => gc.getBalance())
        assert.strictEqual(only().method, "GET")
        assert.strictEqual(only().url, `${baseUrl}/balance`)
        assertApiHeaders(only(), "application/json")
        assert.deepStrictEqual(balance.balance, [{ usage: "GigaChat", value: 900000 }])
      })
    })

    it.effect("a 403 on /balance (not a prepaid account) is a ForbiddenError", () => {
      const { layer } = setup(() =>
        json({ status: 403, message: "Balance is available only for prepaid clients" }, { status: 403 })
      )
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.getBalance()))
        assert.strictEqual(error._tag, "ForbiddenError")
        assert.include(error.message, "prepaid")
      })
    })

    it.effect("POST /ai/check with {input, model}; the deprecated bare model string sends the same", () => {
      const { api, contentTypes, layer, only } = setup(() =>
        json({ category: "ai", characters: 10, tokens: 3, ai_intervals: [[0, 10]] })
      )
      return Effect.gen(function*() {
        const result = yield* call(layer, (gc) => gc.checkAi("Some text", { model: "GigaCheckDetection" }))
        yield* call(layer, (gc) => gc.checkAi("Some text", "GigaCheckDetection"))
        assert.deepStrictEqual(bodyJson(api()[1]!), bodyJson(api()[0]!))
        assert.strictEqual(only().method, "POST")
        assert.strictEqual(only().url, `${baseUrl}/ai/check`)
        assert.strictEqual(contentTypes[0], "application/json")
        assert.deepStrictEqual(bodyJson(only()), { input: "Some text", model: "GigaCheckDetection" })
        assert.strictEqual(result.category, "ai")
        assert.deepStrictEqual(result.ai_intervals, [[0, 10]])
      })
    })
  })

  describe("files", () => {
    const uploaded = (filename: string, purpose = "general") => ({
      id: "file-1",
      object: "file",
      bytes: 3,
      created_at: 1,
      filename,
      purpose,
      access_policy: "private"
    })

    /** The parts of a multipart body, parsed back by the Fetch API. */
    const parts = (body: HttpBody.HttpBody) =>
      Effect.promise(async () => {
        assert.strictEqual(body._tag, "Uint8Array")
        const bytes = body._tag === "Uint8Array" ? new Uint8Array(body.body) : new Uint8Array()
        const form = await new Response(bytes, { headers: { "content-type": body.contentType ?? "" } }).formData()
        const file = form.get("file") as File
        return {
          names: Array.from(form.keys()),
          filename: file.name,
          type: file.type,
          bytes: new Uint8Array(await file.arrayBuffer()),
          purpose: form.get("purpose")
        }
      })

    it.effect("POST /files as multipart bytes: the file part with its name, type and bytes, and purpose general", () => {
      const { bodies, contentTypes, layer, only } = setup(() => json(uploaded("photo.jpg")))
      return Effect.gen(function*() {
        const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0])
        const result = yield* call(layer, (gc) => gc.uploadFile({ file: bytes, filename: "photo.jpg" }))
        const request = only()
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, `${baseUrl}/files`)
        assertApiHeaders(request, "application/json")
        assert.match(contentTypes[0] ?? "", /^multipart\/form-data; boundary=/)
        const sent = yield* parts(bodies[0]!)
        assert.deepStrictEqual(sent, {
          names: ["file", "purpose"],
          filename: "photo.jpg",
          type: "image/jpeg",
          bytes,
          purpose: "general"
        })
        assert.strictEqual(result.id, "file-1")
        assert.strictEqual(result.access_policy, "private")
      })
    })

    it.effect("the MIME type: given, else the Blob's, else guessed from the name, else octet-stream", () => {
      const { bodies, layer } = setup(() => json(uploaded("any")))
      return Effect.gen(function*() {
        const bytes = new Uint8Array([1, 2, 3])
        yield* call(
          layer,
          (gc) => gc.uploadFile({ file: bytes, filename: "notes.bin", mimeType: "text/plain", purpose: "assistant" })
        )
        yield* call(layer, (gc) => gc.uploadFile({ file: new Blob([bytes], { type: "audio/ogg" }), filename: "a.mp3" }))
        yield* call(layer, (gc) => gc.uploadFile({ file: new Blob([bytes]), filename: "scan.PDF" }))
        yield* call(layer, (gc) => gc.uploadFile({ file: bytes, filename: "data.xyz" }))
        yield* call(layer, (gc) => gc.uploadFile({ file: bytes, filename: "README" }))
        yield* call(layer, (gc) => gc.uploadFile({ file: bytes, filename: "odd.constructor" }))
        const sent = yield* Effect.forEach(bodies, parts)
        assert.deepStrictEqual(sent.map((part) => [part.filename, part.type, part.purpose]), [
          ["notes.bin", "text/plain", "assistant"],
          ["a.mp3", "audio/ogg", "general"],
          ["scan.PDF", "application/pdf", "general"],
          ["data.xyz", "application/octet-stream", "general"],
          ["README", "application/octet-stream", "general"],
          ["odd.constructor", "application/octet-stream", "general"]
        ])
        for (const part of sent) assert.deepStrictEqual(part.bytes, bytes)
      })
    })

    it.effect("a 413 on upload is a RequestEntityTooLargeError", () => {
      const { layer } = setup(() => new Response("<html>413 Request Entity Too Large</html>", { status: 413 }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(
          call(layer, (gc) => gc.uploadFile({ file: new Uint8Array(16), filename: "big.pdf" }))
        )
        assert.strictEqual(error._tag, "RequestEntityTooLargeError")
        if (error._tag !== "RequestEntityTooLargeError") return
        assert.strictEqual(error.status, 413)
        assert.include(error.body, "Request Entity Too Large")
      })
    })

    it.effect("GET /files/{id}, GET /files and POST /files/{id}/delete, ids URL-encoded", () => {
      const { api, layer } = setup((request) => {
        if (request.url.endsWith("/delete")) return json({ id: "a b", object: "file", deleted: true })
        if (request.url.endsWith("/files")) return json({ data: [uploaded("x.txt"), uploaded("y.txt")] })
        return json(uploaded("x.txt"))
      })
      return Effect.gen(function*() {
        const file = yield* call(layer, (gc) => gc.getFile("a b"))
        const files = yield* call(layer, (gc) => gc.getFiles())
        const deleted = yield* call(layer, (gc) => gc.deleteFile("a b"))
        assert.deepStrictEqual(api().map((request) => [request.method, request.url]), [
          ["GET", `${baseUrl}/files/a%20b`],
          ["GET", `${baseUrl}/files`],
          ["POST", `${baseUrl}/files/a%20b/delete`]
        ])
        for (const request of api()) assertApiHeaders(request, "application/json")
        assert.strictEqual(file.filename, "x.txt")
        assert.deepStrictEqual(files.data.map((entry) => entry.filename), ["x.txt", "y.txt"])
        assert.strictEqual(deleted.deleted, true)
      })
    })

    it.effect("getFileContent: GET /files/{id}/content with Accept */*, the bytes and their type", () => {
      const bytes = new Uint8Array([0, 1, 2, 250, 251, 252])
      const { layer, only } = setup(() =>
        new Response(bytes, { status: 200, headers: { "content-type": "application/pdf", "x-request-id": "c-1" } })
      )
      return Effect.gen(function*() {
        const content = yield* call(layer, (gc) => gc.getFileContent("f/1"))
        assert.strictEqual(only().method, "GET")
        assert.strictEqual(only().url, `${baseUrl}/files/f%2F1/content`)
        assertApiHeaders(only(), "*/*")
        assert.deepStrictEqual(content.bytes, bytes)
        assert.strictEqual(content.contentType, "application/pdf")
        assert.strictEqual(content.xHeaders["x-request-id"], "c-1")
      })
    })

    it.effect("getImage: Accept application/jpg, the content as base64", () => {
      const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x10])
      const { layer, only } = setup(() =>
        new Response(bytes, { status: 200, headers: { "content-type": "image/jpeg", "x-request-id": "i-1" } })
      )
      return Effect.gen(function*() {
        const image = yield* call(layer, (gc) => gc.getImage("img"))
        assert.strictEqual(only().url, `${baseUrl}/files/img/content`)
        assertApiHeaders(only(), "application/jpg")
        assert.strictEqual(image.content, "/9j/ABA=")
        assert.strictEqual(image.xHeaders["x-request-id"], "i-1")
      })
    })

    it.effect("getImage encodes base64 without Node's Buffer (core runs in browsers and edge runtimes too)", () => {
      const { layer } = setup(() => new Response(new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x10]), { status: 200 }))
      const original = Buffer.prototype.toString
      let base64Calls = 0
      // Node's HTTP stack keeps using Buffer itself, so only base64 encoding through it is counted.
      const counting = function(this: Buffer, ...args: Parameters<Buffer["toString"]>) {
        if (args[0] === "base64") base64Calls++
        return original.apply(this, args)
      }
      return Effect.gen(function*() {
        const image = yield* Effect.acquireUseRelease(
          Effect.sync(() => {
            Buffer.prototype.toString = counting
          }),
          () => call(layer, (gc) => gc.getImage("img")),
          () =>
            Effect.sync(() => {
              Buffer.prototype.toString = original
            })
        )
        assert.strictEqual(image.content, "/9j/ABA=")
        assert.strictEqual(base64Calls, 0)
      })
    })

    it.effect("a 404 on file content is a NotFoundError", () => {
      const { layer } = setup(() => json({ status: 404, message: "file not found" }, { status: 404 }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.getFileContent("missing")))
        assert.strictEqual(error._tag, "NotFoundError")
        assert.include(error.message, "file not found")
      })
    })
  })

  describe("functionsConvert", () => {
    it.effect("POST /functions/convert with the OpenAPI text as the raw body", () => {
      const openapi = "openapi: 3.0.0\npaths:\n  /sms:\n    post: {}\n"
      const { contentTypes, layer, only } = setup(() =>
        json({ functions: [{ name: "send_sms", parameters: { type: "object", properties: {} } }] })
      )
      return Effect.gen(function*() {
        const result = yield* call(layer, (gc) => gc.functionsConvert(openapi))
        assert.strictEqual(only().method, "POST")
        assert.strictEqual(only().url, `${baseUrl}/functions/convert`)
        assert.strictEqual(only().body, openapi)
        assert.strictEqual(contentTypes[0], "text/plain")
        assert.strictEqual(result.functions[0]?.name, "send_sms")
      })
    })
  })

  describe("getToken", () => {
    it.effect("fetches the OAuth token ahead of the first call, once", () => {
      const { layer, mock } = setup(() => json({}))
      return Effect.gen(function*() {
        const token = yield* call(layer, (gc) => Effect.zipRight(gc.getToken(), gc.getToken()))
        assert.isTrue(Option.isSome(token))
        if (Option.isNone(token)) return
        assert.strictEqual(Redacted.value(token.value.access_token), tokenValue)
        assert.strictEqual(mock.requests.length, 1)
        assert.include(mock.requests[0]!.url, "/oauth")
      })
    })

    it.effect("is None when no token source is configured", () => {
      const { layer, mock } = setup(() => json({}), { credentials: undefined })
      return Effect.gen(function*() {
        const token = yield* call(layer, (gc) => gc.getToken())
        assert.isTrue(Option.isNone(token))
        assert.strictEqual(mock.requests.length, 0)
      })
    })
  })
})
