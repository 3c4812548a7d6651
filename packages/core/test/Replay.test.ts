import { GigaChat } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { readdirSync, readFileSync } from "node:fs"
import { apiInteractions, fixturePath, readFixture, readJsonFixture } from "./utils/cassette.js"
import type { ReplayInteraction } from "./utils/replay.js"
import { interaction, makeReplay, replay } from "./utils/replay.js"

/** The recordings replayed below; the coverage tests fail when a v1 recording is added and not listed here. */
const replayedCassettes = [
  "test_chat_simple",
  "test_chat_model_not_found",
  "test_chat_response_format_json_schema",
  "test_chat_parse_json_schema",
  "test_stream_simple",
  "test_embeddings_single",
  "test_embeddings_multiple",
  "test_get_models",
  "test_get_model",
  "test_get_model_not_found",
  "test_tokens_count_single",
  "test_tokens_count_multiple"
] as const

const replayedFixtures = [
  "chat.json",
  "chat_completion.json",
  "chat_function.json",
  "chat_completion_function.json",
  "chat_completion_json.json",
  "chat_completion.stream",
  "embeddings.json",
  "tokens_count.json",
  "models.json",
  "model.json",
  "balance.json",
  "ai_check.json",
  "convert_functions.json",
  "get_file.json",
  "get_files.json",
  "post_files.json",
  "post_files_delete.json",
  "image.jpg",
  "assistants/get_assistants.json",
  "assistants/post_assistants.json",
  "assistants/post_assistant_modify.json",
  "assistants/post_assistant_delete.json",
  "assistants/post_assistant_files_delete.json",
  "threads/get_threads.json",
  "threads/post_threads_retrieve.json",
  "threads/post_threads_delete.txt",
  "threads/get_threads_messages.json",
  "threads/post_threads_messages.json",
  "threads/post_threads_run.json",
  "threads/get_threads_run.json",
  "threads/post_thread_messages_run.json",
  "threads/post_thread_messages_run.stream",
  "threads/post_thread_messages_rerun.json",
  "threads/post_thread_messages_rerun.stream"
] as const

/** Calls one method of the service. */
const withService = <A, E>(f: (gc: GigaChat.Service) => Effect.Effect<A, E>) => Effect.flatMap(GigaChat.GigaChat, f)

const cassette = (name: typeof replayedCassettes[number]) => name

const fixture = (name: typeof replayedFixtures[number]) => readFixture(name)

/** The one API interaction of a cassette, its request body parsed. */
const recordedRequest = (name: string) => {
  const [recorded] = apiInteractions(name)
  return { recorded: recorded!, body: JSON.parse(recorded!.request.body!) as Record<string, unknown> }
}

describe("Replay of the v1 cassettes", () => {
  it.effect("test_chat_simple: chat", () =>
    Effect.gen(function*() {
      const name = cassette("test_chat_simple")
      const { body, recorded } = recordedRequest(name)
      const answer = yield* replay(name, GigaChat.chat("Say 'Hello' and nothing else"))
      assert.strictEqual(body.model, "GigaChat")
      assert.deepStrictEqual(answer.choices[0]?.message, { role: "assistant", content: "Hello." })
      assert.strictEqual(answer.choices[0]?.finish_reason, "stop")
      assert.strictEqual(answer.model, "GigaChat:2.0.28.2")
      assert.deepStrictEqual(answer.usage, {
        prompt_tokens: 17,
        completion_tokens: 3,
        total_tokens: 20,
        precached_prompt_tokens: 2
      })
      assert.strictEqual(answer.xHeaders["x-request-id"], recorded.response.headers["x-request-id"])
      assert.strictEqual(answer.xHeaders["x-session-id"], recorded.response.headers["x-session-id"])
    }))

  it.effect("test_chat_model_not_found: NotFoundError with the server's message", () =>
    Effect.gen(function*() {
      const name = cassette("test_chat_model_not_found")
      const error = yield* replay(
        name,
        Effect.flip(GigaChat.chat({ model: "NonExistentModel", messages: [{ role: "user", content: "Hello" }] }))
      )
      assert.strictEqual(error._tag, "NotFoundError")
      if (error._tag !== "NotFoundError") return
      assert.strictEqual(error.status, 404)
      assert.include(error.message, "No such model")
      assert.strictEqual(error.requestId, "ea602be2-54b3-46a2-a288-420c9fee7292")
    }))

  it.effect("test_chat_response_format_json_schema: a passthrough response_format and chatParse", () =>
    Effect.gen(function*() {
      const name = cassette("test_chat_response_format_json_schema")
      const { body } = recordedRequest(name)
      // The recorded request as a caller would write it: the response_format object goes out unchanged.
      const answer = yield* replay(name, GigaChat.chat(body as GigaChat.ChatInput))
      assert.deepStrictEqual(JSON.parse(answer.choices[0]!.message.content), { answer: "ok", n: 3 })
      assert.strictEqual(answer.object, "chat.completions")

      // The same request through chatParse: the Schema below generates exactly the recorded JSON Schema.
      const Answer = Schema.Struct({
        answer: Schema.String,
        n: Schema.Number.annotations({ jsonSchema: { type: "integer" } })
      })
      const parsed = yield* replay(
        name,
        GigaChat.chatParse({ model: "GigaChat-3-Ultra", messages: body.messages as any }, Answer)
      )
      assert.deepStrictEqual(parsed.parsed, { answer: "ok", n: 3 })
      assert.strictEqual(parsed.completion.model, "GigaChat-3-Ultra:32.3.7.3")
    }))

  it.effect("test_chat_parse_json_schema: chatParse sends the schema and decodes the answer", () =>
    Effect.gen(function*() {
      const name = cassette("test_chat_parse_json_schema")
      const { body, recorded } = recordedRequest(name)
      const recordedSchema = (body.response_format as { schema: object }).schema
      // The recording was made with a Pydantic model; its JSON Schema is pinned with a `jsonSchema` annotation
      // (the way a caller reproduces a given JSON Schema), while decoding still checks 0 <= n <= 10.
      const Out = Schema.Struct({
        answer: Schema.String,
        n: Schema.Int.pipe(Schema.between(0, 10))
      }).annotations({ jsonSchema: recordedSchema })
      const { completion, parsed } = yield* replay(
        name,
        GigaChat.chatParse({ model: "GigaChat-3-Ultra", messages: body.messages as any }, Out)
      )
      assert.deepStrictEqual(parsed, { answer: "ok", n: 3 })
      assert.strictEqual(completion.choices[0]?.finish_reason, "stop")
      assert.strictEqual(completion.xHeaders["x-request-id"], recorded.response.headers["x-request-id"])
    }))

  it.effect("test_stream_simple: stream", () =>
    Effect.gen(function*() {
      const name = cassette("test_stream_simple")
      const { recorded } = recordedRequest(name)
      const session = makeReplay(name)
      const chunks = yield* GigaChat.stream("Count from 1 to 3").pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.provide(session.layer)
      )
      assert.strictEqual(session.unused(), 0)
      assert.strictEqual(session.apiRequests[0]?.headers["accept"], "text/event-stream")
      const expected = recorded.response.body
        .split("\n")
        .filter((line) => line.startsWith("data: {"))
        .map((line) => JSON.parse(line.slice("data: ".length)))
      assert.strictEqual(chunks.length, expected.length)
      assert.strictEqual(
        chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""),
        expected.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")
      )
      assert.isTrue(chunks.every((chunk) => chunk.xHeaders["x-request-id"] === "a6c1229b-a0aa-4f75-96a0-3b74f1defd62"))
      const last = chunks[chunks.length - 1]!
      assert.strictEqual(last.choices[0]?.finish_reason, "stop")
      assert.deepStrictEqual(last.usage, expected[expected.length - 1].usage)
    }))

  it.effect("test_embeddings_single and test_embeddings_multiple: embeddings with the default model", () =>
    Effect.gen(function*() {
      for (
        const [name, input] of [
          ["test_embeddings_single", "Hello, world!"],
          ["test_embeddings_multiple", ["First text", "Second text"]]
        ] as const
      ) {
        const { recorded } = recordedRequest(cassette(name))
        const answer = yield* replay(name, GigaChat.embeddings(input))
        const expected = JSON.parse(recorded.response.body)
        assert.strictEqual(answer.model, "Embeddings")
        assert.strictEqual(answer.data.length, typeof input === "string" ? 1 : input.length)
        assert.deepStrictEqual(
          answer.data.map((embedding) => embedding.embedding),
          expected.data.map((e: any) => e.embedding)
        )
        assert.strictEqual(answer.xHeaders["x-request-id"], recorded.response.headers["x-request-id"])
      }
    }))

  it.effect("test_get_models: getModels keeps each model's type", () =>
    Effect.gen(function*() {
      const models = yield* replay(cassette("test_get_models"), withService((gc) => gc.getModels()))
      assert.strictEqual(models.object, "list")
      assert.strictEqual(models.data.length, 20)
      assert.deepStrictEqual(models.data[0], {
        id: "GigaChat",
        object: "model",
        owned_by: "salutedevices",
        type: "chat"
      })
      assert.includeMembers(models.data.map((model) => model.type), ["chat", "embedder"])
    }))

  it.effect("test_get_model: getModel", () =>
    Effect.gen(function*() {
      const model = yield* replay(cassette("test_get_model"), withService((gc) => gc.getModel("GigaChat")))
      assert.strictEqual(model.id, "GigaChat")
      assert.strictEqual(model.type, "chat")
      assert.strictEqual(model.xHeaders["x-request-id"], "086b5cde-e457-4994-9290-e0e257249bc3")
    }))

  it.effect("test_get_model_not_found: NotFoundError with the server's message", () =>
    Effect.gen(function*() {
      const error = yield* replay(
        cassette("test_get_model_not_found"),
        Effect.flip(withService((gc) => gc.getModel("NonExistentModel")))
      )
      assert.strictEqual(error._tag, "NotFoundError")
      if (error._tag !== "NotFoundError") return
      assert.include(error.message, "No such model")
      assert.strictEqual(error.url, "https://gigachat.devices.sberbank.ru/api/v1/models/NonExistentModel")
    }))

  it.effect("test_tokens_count_single and test_tokens_count_multiple: tokensCount", () =>
    Effect.gen(function*() {
      const single = yield* replay(cassette("test_tokens_count_single"), GigaChat.tokensCount("Hello, world!"))
      assert.deepStrictEqual(Array.from(single), [{ object: "tokens", tokens: 4, characters: 13 }])
      assert.strictEqual(single.xHeaders["x-request-id"], "72eda110-3950-47f0-8960-75ffd2ea7767")
      const multiple = yield* replay(
        cassette("test_tokens_count_multiple"),
        GigaChat.tokensCount(["First text", "Second text"])
      )
      assert.deepStrictEqual(Array.from(multiple), [
        { object: "tokens", tokens: 2, characters: 10 },
        { object: "tokens", tokens: 2, characters: 11 }
      ])
    }))

  it("covers every v1 cassette", () => {
    const v1 = readdirSync(fixturePath("cassettes/"))
      .filter((file) => file.endsWith(".yaml") && !file.startsWith("test_primary_"))
      .map((file) => file.replace(/\.yaml$/, ""))
    assert.isAbove(v1.length, 0)
    assert.sameMembers([...replayedCassettes], v1)
  })
})

describe("Replay helper", () => {
  it.effect("fails the test when the request body differs from the recording", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(replay("test_chat_simple", GigaChat.chat("Say 'Hi' and nothing else")))
      assert.isTrue(exit._tag === "Failure" && Cause.pretty(exit.cause).includes("differs from the recording"))
    }))

  it.effect("fails the test when a recorded request is never sent", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(replay("test_chat_simple", Effect.void))
      assert.isTrue(exit._tag === "Failure" && Cause.pretty(exit.cause).includes("never sent"))
    }))

  it.effect("compares bodies as JSON, not as bytes", () =>
    Effect.gen(function*() {
      // The recording has Python's spacing and key order; the SDK sends compact JSON.
      const recorded = interaction("POST", "/tokens/count", { body: "[]" }, "{\"input\": [\"x\"],   \"model\": \"M\"}")
      const counts = yield* replay([recorded], GigaChat.tokensCount("x", { model: "M" }))
      assert.strictEqual(counts.length, 0)
    }))
})

/** An interaction answering with the JSON fixture `name`. */
const jsonFixture = (
  method: string,
  path: string,
  name: typeof replayedFixtures[number],
  requestBody?: unknown
): ReplayInteraction =>
  interaction(
    method,
    path,
    { body: fixture(name), headers: { "x-request-id": `rid-${name}` } },
    requestBody === undefined || requestBody === "multipart" ? requestBody : JSON.stringify(requestBody)
  )

describe("Replay of the response fixtures", () => {
  it.effect("chat.json → chat → chat_completion.json", () =>
    Effect.gen(function*() {
      const request = JSON.parse(fixture("chat.json"))
      // Unknown message keys (here a misplaced reasoning_effort) are dropped, as the Python SDK's model does.
      const { reasoning_effort: _, ...firstMessage } = request.messages[0]
      const expectedBody = { ...request, messages: [firstMessage, ...request.messages.slice(1)] }
      const answer = yield* replay(
        [jsonFixture("POST", "/chat/completions", "chat_completion.json", expectedBody)],
        GigaChat.chat(request)
      )
      assert.strictEqual(answer.choices[0]?.message.reasoning_content, "... some reasoning ...")
      assert.strictEqual(answer.usage.total_tokens, 86)
      assert.strictEqual(answer.xHeaders["x-request-id"], "rid-chat_completion.json")
    }))

  it.effect("chat_function.json → chat with functions → chat_completion_function.json", () =>
    Effect.gen(function*() {
      const request = JSON.parse(fixture("chat_function.json"))
      const answer = yield* replay(
        [jsonFixture("POST", "/chat/completions", "chat_completion_function.json", request)],
        GigaChat.chat(request)
      )
      const choice = answer.choices[0]!
      assert.strictEqual(choice.finish_reason, "function_call")
      assert.deepStrictEqual(choice.message.function_call, {
        name: "fc",
        arguments: { location: "Москва", num_days: 0 }
      })
      assert.strictEqual(choice.message.content, "")
    }))

  it.effect("chat_completion_json.json → chatParse", () =>
    Effect.gen(function*() {
      const Solution = Schema.Struct({ steps: Schema.Array(Schema.String), final_answer: Schema.String })
      const expectedBody = {
        model: "GigaChat",
        messages: [{ role: "user", content: "Solve 8x + 7 = -23" }],
        response_format: {
          type: "json_schema",
          schema: {
            type: "object",
            required: ["steps", "final_answer"],
            properties: { steps: { type: "array", items: { type: "string" } }, final_answer: { type: "string" } },
            additionalProperties: false
          },
          strict: true
        }
      }
      const { parsed } = yield* replay(
        [jsonFixture("POST", "/chat/completions", "chat_completion_json.json", expectedBody)],
        GigaChat.chatParse("Solve 8x + 7 = -23", Solution)
      )
      assert.deepStrictEqual(parsed, {
        steps: ["Step 1: Subtract 7 from both sides", "Step 2: Divide by 8"],
        final_answer: "x = -3.75"
      })
    }))

  it.effect("chat_completion.stream → stream", () =>
    Effect.gen(function*() {
      const text = fixture("chat_completion.stream")
      const recorded = interaction("POST", "/chat/completions", {
        body: text,
        headers: { "content-type": "text/event-stream" }
      }, JSON.stringify({ model: "GigaChat", messages: [{ role: "user", content: "Hi" }], stream: true }))
      const chunks = yield* replay([recorded], Stream.runCollect(GigaChat.stream("Hi")))
      assert.strictEqual(Chunk.size(chunks), 3)
      assert.isTrue(
        Chunk.toReadonlyArray(chunks).map((chunk) => chunk.choices[0]?.delta.content).join("").endsWith("с умом.")
      )
    }))

  it.effect("embeddings.json → embeddings", () =>
    Effect.gen(function*() {
      const answer = yield* replay(
        [jsonFixture("POST", "/embeddings", "embeddings.json", { input: ["Hello"], model: "Embeddings" })],
        GigaChat.embeddings("Hello")
      )
      assert.deepStrictEqual(
        answer.data.map((embedding) => embedding.embedding),
        (readJsonFixture("embeddings.json") as any).data.map((e: any) => e.embedding)
      )
    }))

  it.effect("tokens_count.json → tokensCount", () =>
    Effect.gen(function*() {
      const counts = yield* replay(
        [jsonFixture("POST", "/tokens/count", "tokens_count.json", { model: "GigaChat", input: ["Hi"] })],
        GigaChat.tokensCount("Hi")
      )
      assert.isTrue(Array.isArray(counts))
      assert.deepStrictEqual(Array.from(counts), [{ object: "tokens", tokens: 7, characters: 36 }])
      assert.strictEqual(counts.xHeaders["x-request-id"], "rid-tokens_count.json")
    }))

  it.effect("models.json → getModels, model.json → getModel", () =>
    Effect.gen(function*() {
      const models = yield* replay([jsonFixture("GET", "/models", "models.json")], withService((gc) => gc.getModels()))
      assert.deepStrictEqual(models.data.map((model) => model.id), ["GigaChat:v1.2.19.2"])
      const model = yield* replay(
        [jsonFixture("GET", "/models/GigaChat:v1.2.19.2", "model.json")],
        withService((gc) => gc.getModel("GigaChat:v1.2.19.2"))
      )
      assert.strictEqual(model.owned_by, "salutedevices")
    }))

  it.effect("balance.json → getBalance", () =>
    Effect.gen(function*() {
      const balance = yield* replay(
        [jsonFixture("GET", "/balance", "balance.json")],
        withService((gc) => gc.getBalance())
      )
      assert.deepStrictEqual(balance.balance.map((entry) => [entry.usage, entry.value]), [
        ["embeddings", 9999967],
        ["GigaChat-Pro", 991490],
        ["GigaChat-Max", 50000],
        ["GigaChat", 900000]
      ])
    }))

  it.effect("ai_check.json → checkAi", () =>
    Effect.gen(function*() {
      const text = "Some text to check"
      const result = yield* replay(
        [jsonFixture("POST", "/ai/check", "ai_check.json", { input: text, model: "GigaCheckDetection" })],
        withService((gc) => gc.checkAi(text, { model: "GigaCheckDetection" }))
      )
      assert.strictEqual(result.category, "mixed")
      assert.deepStrictEqual(result.ai_intervals, [[1, 262], [415, 533]])
    }))

  it.effect("convert_functions.json → functionsConvert (raw text body)", () =>
    Effect.gen(function*() {
      const openapi = "openapi: 3.0.0\ninfo:\n  title: SMS\n"
      const converted = yield* replay(
        [jsonFixture("POST", "/functions/convert", "convert_functions.json")].map((recorded) => ({
          ...recorded,
          request: { ...recorded.request, body: openapi }
        })),
        withService((gc) => gc.functionsConvert(openapi))
      )
      const sms = converted.functions[0]!
      assert.strictEqual(sms.name, "send_sms")
      assert.deepStrictEqual(sms.parameters?.required, ["version", "employeeId", "text"])
      assert.strictEqual(sms.few_shot_examples?.[0]?.params.employeeId, "111111")
    }))

  it.effect("get_file.json → getFile, get_files.json → getFiles", () =>
    Effect.gen(function*() {
      const file = yield* replay(
        [jsonFixture("GET", "/files/123", "get_file.json")],
        withService((gc) => gc.getFile("123"))
      )
      assert.deepStrictEqual({ ...file, xHeaders: undefined }, {
        ...(readJsonFixture("get_file.json") as object),
        xHeaders: undefined
      })
      const files = yield* replay(
        [jsonFixture("GET", "/files", "get_files.json")],
        withService((gc) => gc.getFiles())
      )
      assert.deepStrictEqual(files.data.map((entry) => entry.filename), ["invoicesample.pdf", "123.jpg"])
    }))

  it.effect("post_files.json → uploadFile, post_files_delete.json → deleteFile", () =>
    Effect.gen(function*() {
      const uploaded = yield* replay(
        [jsonFixture("POST", "/files", "post_files.json", "multipart")],
        withService((gc) => gc.uploadFile({ file: new Uint8Array([1, 2, 3]), filename: "image.jpg" }))
      )
      assert.strictEqual(uploaded.id, "c757a9c5-de04-498f-baa3-efcc54de7853")
      assert.strictEqual(uploaded.purpose, "general")
      const deleted = yield* replay(
        [jsonFixture("POST", "/files/123/delete", "post_files_delete.json")],
        withService((gc) => gc.deleteFile("123"))
      )
      assert.deepStrictEqual({ id: deleted.id, deleted: deleted.deleted }, { id: "123", deleted: true })
    }))

  it.effect("image.jpg → getImage (base64) and getFileContent (bytes)", () =>
    Effect.gen(function*() {
      const bytes = new Uint8Array(readFileSync(fixturePath("responses/image.jpg")))
      const answer = (accept: string) =>
        interaction("GET", "/files/img-1/content", { body: bytes, headers: { "content-type": accept } })
      const image = yield* replay(
        [answer("image/jpeg")],
        withService((gc) => gc.getImage("img-1"))
      )
      assert.strictEqual(image.content, Buffer.from(bytes).toString("base64"))
      const content = yield* replay(
        [answer("image/jpeg")],
        withService((gc) => gc.getFileContent("img-1"))
      )
      assert.strictEqual(content.bytes.length, 42966)
      assert.deepStrictEqual(content.bytes, bytes)
      assert.strictEqual(content.contentType, "image/jpeg")
    }))

  it("covers every response fixture, assistants/ and threads/ included", () => {
    /** The files under `responses/<folder>`, as paths relative to `responses/`. */
    const filesUnder = (folder: string): Array<string> =>
      readdirSync(fixturePath(`responses/${folder}`), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? filesUnder(`${folder}${entry.name}/`)
          : entry.isFile()
          ? [`${folder}${entry.name}`]
          : []
      )
    const files = filesUnder("")
    assert.includeMembers(files, ["assistants/get_assistants.json", "threads/get_threads.json"])
    assert.sameMembers([...replayedFixtures], files)
  })
})

/** The stream one method of the service returns. */
const streamOf = <A, E>(f: (gc: GigaChat.Service) => Stream.Stream<A, E>) =>
  Stream.unwrap(Effect.map(GigaChat.GigaChat, f))

/** An interaction answering with the SSE fixture `name`. */
const sseFixture = (path: string, name: typeof replayedFixtures[number], requestBody: unknown): ReplayInteraction =>
  interaction(
    "POST",
    path,
    { body: fixture(name), headers: { "content-type": "text/event-stream", "x-request-id": `rid-${name}` } },
    JSON.stringify(requestBody)
  )

/** The `data:` events of an SSE fixture, parsed (the final `[DONE]` left out). */
const sseEvents = (name: typeof replayedFixtures[number]): ReadonlyArray<any> =>
  fixture(name)
    .split("\n")
    .filter((line) => line.startsWith("data: {"))
    .map((line) => JSON.parse(line.slice("data: ".length)))

describe("Replay of the assistants/ and threads/ response fixtures", () => {
  it.effect("assistants/get_assistants.json → assistants.get (all, and one by assistant_id)", () =>
    Effect.gen(function*() {
      const name = "assistants/get_assistants.json"
      const all = yield* replay([jsonFixture("GET", "/assistants", name)], withService((gc) => gc.assistants.get()))
      assert.deepStrictEqual(all.data.map((assistant) => assistant.assistant_id), ["111", "222"])
      const first = all.data[0]!
      assert.strictEqual(first.name, "lonely")
      assert.strictEqual(first.instructions, "Assistant")
      assert.strictEqual(first.model, "GigaChat-Pro")
      assert.strictEqual(first.created_at, 1715684019)
      assert.strictEqual(first.updated_at, 1715684019)
      assert.deepStrictEqual(first.metadata, { test: 234 })
      assert.deepStrictEqual(first.file_ids, ["222"])
      assert.strictEqual(all.xHeaders["x-request-id"], `rid-${name}`)
      // The same answer to the query for one assistant: the id goes out as the `assistant_id` query key.
      const one = yield* replay(
        [jsonFixture("GET", "/assistants?assistant_id=111", name)],
        withService((gc) => gc.assistants.get("111"))
      )
      assert.strictEqual(one.data[0]?.assistant_id, "111")
    }))

  it.effect("assistants/post_assistants.json → assistants.create", () =>
    Effect.gen(function*() {
      const created = yield* replay(
        [jsonFixture("POST", "/assistants", "assistants/post_assistants.json", {
          model: "GigaChat-Pro",
          name: "lonely",
          description: null,
          instructions: "Assistant",
          file_ids: ["222"],
          metadata: { test: 234 }
        })],
        withService((gc) =>
          gc.assistants.create({
            model: "GigaChat-Pro",
            name: "lonely",
            instructions: "Assistant",
            file_ids: ["222"],
            metadata: { test: 234 }
          })
        )
      )
      assert.strictEqual(created.assistant_id, "111")
      assert.strictEqual(created.created_at, 1715684019)
      assert.strictEqual(created.xHeaders["x-request-id"], "rid-assistants/post_assistants.json")
    }))

  it.effect("assistants/post_assistant_modify.json → assistants.update", () =>
    Effect.gen(function*() {
      const updated = yield* replay(
        [jsonFixture("POST", "/assistants/modify", "assistants/post_assistant_modify.json", {
          assistant_id: "111",
          name: "lonely_assistant",
          description: null,
          instructions: null,
          file_ids: null,
          metadata: null
        })],
        withService((gc) => gc.assistants.update("111", { name: "lonely_assistant" }))
      )
      assert.strictEqual(updated.assistant_id, "111")
      assert.strictEqual(updated.name, "lonely_assistant")
      assert.strictEqual(updated.model, "GigaChat-Pro")
      assert.strictEqual(updated.updated_at, 1715684158)
      assert.deepStrictEqual(updated.file_ids, ["222"])
      assert.deepStrictEqual(updated.metadata, { test: 234 })
    }))

  it.effect("assistants/post_assistant_delete.json → assistants.delete", () =>
    Effect.gen(function*() {
      const id = "5a18157d-7f0b-4bf9-b4e9-f01271808104"
      const deleted = yield* replay(
        [jsonFixture("POST", "/assistants/delete", "assistants/post_assistant_delete.json", { assistant_id: id })],
        withService((gc) => gc.assistants.delete(id))
      )
      assert.deepStrictEqual({ assistant_id: deleted.assistant_id, deleted: deleted.deleted }, {
        assistant_id: id,
        deleted: true
      })
    }))

  it.effect("assistants/post_assistant_files_delete.json → assistants.deleteFile", () =>
    Effect.gen(function*() {
      const deleted = yield* replay(
        [
          jsonFixture("POST", "/assistants/files/delete", "assistants/post_assistant_files_delete.json", {
            assistant_id: "111",
            file_id: "222"
          })
        ],
        withService((gc) => gc.assistants.deleteFile("111", "222"))
      )
      assert.deepStrictEqual({ file_id: deleted.file_id, deleted: deleted.deleted }, { file_id: "222", deleted: true })
    }))

  it.effect("threads/get_threads.json → threads.list", () =>
    Effect.gen(function*() {
      const threads = yield* replay(
        [jsonFixture("GET", "/threads?limit=3", "threads/get_threads.json")],
        withService((gc) => gc.threads.list({ limit: 3 }))
      )
      assert.deepStrictEqual(threads.threads.map((thread) => thread.id), [
        "2cc91bae-34f7-4ee4-bcae-f5f71880deda",
        "9b1cc6d9-0eeb-46de-b01f-6f74c9a82df7",
        "2fb1bb2b-1459-49be-8f94-ed5604c01786"
      ])
      // decoded as recorded: no field dropped or added
      assert.deepStrictEqual(threads.threads[0], (readJsonFixture("threads/get_threads.json") as any).threads[0])
      assert.isTrue(threads.threads.every((thread) => thread.status === "ready" && thread.assistant_id === undefined))
      assert.strictEqual(threads.xHeaders["x-request-id"], "rid-threads/get_threads.json")
    }))

  it.effect("threads/post_threads_retrieve.json → threads.retrieve", () =>
    Effect.gen(function*() {
      const id = "1715fc00-8ca8-40f2-8a97-371a9f26a163"
      const threads = yield* replay(
        [jsonFixture("POST", "/threads/retrieve", "threads/post_threads_retrieve.json", { threads_ids: [id] })],
        withService((gc) => gc.threads.retrieve([id]))
      )
      assert.strictEqual(threads.threads.length, 1)
      const thread = threads.threads[0]!
      assert.strictEqual(thread.id, id)
      assert.strictEqual(thread.assistant_id, "c795ebec-bf23-469d-983d-0b53e5244a29")
      assert.strictEqual(thread.model, "GigaChat-Pro")
      assert.strictEqual(thread.status, "ready")
      assert.strictEqual(thread.run_lock, false)
      assert.strictEqual(thread.updated_at, 1720624694)
    }))

  it.effect("threads/post_threads_delete.txt → threads.delete (a text body)", () =>
    Effect.gen(function*() {
      const id = "93d6b96b-ae36-4be6-ac3a-44cee7613c3a"
      const body = fixture("threads/post_threads_delete.txt")
      assert.strictEqual(body, "")
      const deleted = yield* replay(
        [
          interaction(
            "POST",
            "/threads/delete",
            { body, headers: { "content-type": "text/plain" } },
            JSON.stringify({ thread_id: id })
          )
        ],
        withService((gc) => gc.threads.delete(id))
      )
      assert.isTrue(deleted)
    }))

  it.effect("threads/get_threads_messages.json → threads.getMessages", () =>
    Effect.gen(function*() {
      const id = "fc4a58e8-1410-4684-b473-066eabeca000"
      const answer = yield* replay(
        [jsonFixture("GET", `/threads/messages?thread_id=${id}&limit=2`, "threads/get_threads_messages.json")],
        withService((gc) => gc.threads.getMessages(id, { limit: 2 }))
      )
      assert.strictEqual(answer.thread_id, id)
      const [question, reply] = answer.messages
      assert.strictEqual(answer.messages.length, 2)
      assert.strictEqual(question?.message_id, "77b2cfe2-706e-4749-9507-7b89d555ad8a")
      assert.strictEqual(question?.role, "user")
      assert.strictEqual(question?.content, "Какой окрас кота?")
      assert.deepStrictEqual(question?.attachments, [
        { file_id: "7ec30261-5360-4b12-9e9f-408bc481db51", name: "1695931383_gas-kvas-com-p-kartinki-s-kotami-9.jpeg" }
      ])
      assert.strictEqual(question?.created_at, 1715126198)
      assert.strictEqual(question?.model, "GigaChat-Pro")
      assert.strictEqual(reply?.message_id, "de208428-3d4a-47f4-a4e3-a81a98e3cfeb")
      assert.strictEqual(reply?.role, "assistant")
      assert.isTrue(reply?.content.startsWith("У кота на картинке табби окрас"))
      assert.strictEqual(reply?.finish_reason, "stop")
      // No attachments in the recording: decoded as an empty list.
      assert.deepStrictEqual(reply?.attachments, [])
    }))

  it.effect("threads/post_threads_messages.json → threads.addMessages (a new thread)", () =>
    Effect.gen(function*() {
      const answer = yield* replay(
        [jsonFixture("POST", "/threads/messages", "threads/post_threads_messages.json", {
          thread_id: null,
          model: null,
          assistant_id: null,
          messages: [{ role: "user", content: "Какой окрас кота?" }]
        })],
        withService((gc) => gc.threads.addMessages(undefined, "Какой окрас кота?"))
      )
      assert.strictEqual(answer.thread_id, "93d6b96b-ae36-4be6-ac3a-44cee7613c3a")
      assert.deepStrictEqual(answer.messages, [
        { message_id: "baf19b28-e6d0-4fd0-a3b4-2d30ed687d64", created_at: 1715685479 }
      ])
    }))

  it.effect("threads/post_threads_run.json → threads.run, threads/get_threads_run.json → threads.getRun", () =>
    Effect.gen(function*() {
      const started = yield* replay(
        [jsonFixture("POST", "/threads/run", "threads/post_threads_run.json", {
          thread_id: "93d6b96b-ae36-4be6-ac3a-44cee7613c3a",
          assistant_id: null
        })],
        withService((gc) => gc.threads.run("93d6b96b-ae36-4be6-ac3a-44cee7613c3a"))
      )
      assert.deepStrictEqual({ ...started, xHeaders: undefined }, {
        status: "in_progress",
        thread_id: "93d6b96b-ae36-4be6-ac3a-44cee7613c3a",
        created_at: 1715685511,
        xHeaders: undefined
      })

      const id = "fc4a58e8-1410-4684-b473-066eabeca000"
      const result = yield* replay(
        [jsonFixture("GET", `/threads/run?thread_id=${id}`, "threads/get_threads_run.json")],
        withService((gc) => gc.threads.getRun(id))
      )
      assert.strictEqual(result.status, "ready")
      assert.strictEqual(result.thread_id, id)
      assert.strictEqual(result.updated_at, 1715126200)
      assert.strictEqual(result.model, "GigaChat-Pro")
      assert.deepStrictEqual(result.messages?.map((message) => [message.role, message.message_id]), [
        ["user", "77b2cfe2-706e-4749-9507-7b89d555ad8a"],
        ["assistant", "de208428-3d4a-47f4-a4e3-a81a98e3cfeb"]
      ])
      assert.strictEqual(result.messages?.[0]?.attachments[0]?.file_id, "7ec30261-5360-4b12-9e9f-408bc481db51")
      assert.strictEqual(result.messages?.[1]?.finish_reason, "stop")
      assert.strictEqual(result.messages?.[1]?.model, undefined)
    }))

  it.effect("threads/post_thread_messages_run.json → threads.runMessages (a new thread)", () =>
    Effect.gen(function*() {
      const answer = yield* replay(
        [jsonFixture("POST", "/threads/messages/run", "threads/post_thread_messages_run.json", {
          thread_id: null,
          assistant_id: null,
          model: "GigaChat-Pro",
          messages: [{ role: "user", content: "Привет!" }]
        })],
        withService((gc) => gc.threads.runMessages("Привет!", { model: "GigaChat-Pro" }))
      )
      assert.strictEqual(answer.object, "threads.messages.run")
      assert.strictEqual(answer.model, "GigaChat-Pro:2.2.25.3")
      assert.strictEqual(answer.thread_id, "b549e2ec-a691-409d-aa6f-ff6a1271db47")
      assert.strictEqual(answer.message_id, "4c600221-1aaa-4c9d-9edb-572e465f4ee8")
      assert.strictEqual(answer.created, 1715686918)
      assert.deepStrictEqual(answer.usage, { prompt_tokens: 12, completion_tokens: 15, total_tokens: 27 })
      assert.strictEqual(answer.message.role, "assistant")
      assert.strictEqual(answer.message.content, "Здравствуйте! Я могу вам чем-нибудь помочь?")
      assert.strictEqual(answer.finish_reason, "stop")
      assert.strictEqual(answer.xHeaders["x-request-id"], "rid-threads/post_thread_messages_run.json")
    }))

  it.effect("threads/post_thread_messages_rerun.json → threads.rerunMessages", () =>
    Effect.gen(function*() {
      const id = "228d95e6-be1e-44a4-9bc0-dee90f00dc32"
      const answer = yield* replay(
        [jsonFixture("POST", "/threads/messages/rerun", "threads/post_thread_messages_rerun.json", { thread_id: id })],
        withService((gc) => gc.threads.rerunMessages(id))
      )
      assert.strictEqual(answer.thread_id, id)
      assert.strictEqual(answer.message_id, "337f0998-3194-40cf-a66b-7e6709db356c")
      assert.strictEqual(answer.created, 1715686966)
      assert.deepStrictEqual(answer.usage, { prompt_tokens: 12, completion_tokens: 15, total_tokens: 27 })
      assert.deepStrictEqual([answer.message.role, answer.message.content], [
        "assistant",
        "Здравствуйте! Я могу вам чем-нибудь помочь?"
      ])
      assert.strictEqual(answer.finish_reason, "stop")
    }))

  it.effect("threads/post_thread_messages_run.stream → threads.runMessagesStream", () =>
    Effect.gen(function*() {
      const name = "threads/post_thread_messages_run.stream"
      const threadId = "9b1cc6d9-0eeb-46de-b01f-6f74c9a82df7"
      const chunks = yield* replay(
        [sseFixture("/threads/messages/run", name, {
          thread_id: threadId,
          assistant_id: null,
          model: null,
          messages: [{ role: "user", content: "Привет! Кто ты?" }],
          update_interval: null,
          stream: true
        })],
        Stream.runCollect(streamOf((gc) => gc.threads.runMessagesStream("Привет! Кто ты?", { threadId })))
      ).pipe(Effect.map(Chunk.toReadonlyArray))
      assert.strictEqual(chunks.length, 2)
      assert.strictEqual(chunks.length, sseEvents(name).length)
      assert.strictEqual(
        chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""),
        "Здравствуйте! Я GigaChat, генеративная языковая модель. Готова ответить на ваши вопросы. Чем могу вам помочь?"
      )
      assert.isTrue(chunks.every((chunk) => chunk.thread_id === threadId))
      assert.isTrue(chunks.every((chunk) => chunk.message_id === "fd753d3f-f1f5-498f-b5dd-da380607d470"))
      assert.isTrue(chunks.every((chunk) => chunk.object === "threads.messages.run"))
      assert.isTrue(chunks.every((chunk) => chunk.model === "GigaChat-Pro:2.2.25.3"))
      assert.strictEqual(chunks[0]?.choices[0]?.delta.role, "assistant")
      assert.deepStrictEqual(chunks[0]?.usage, { prompt_tokens: 64, completion_tokens: 23, total_tokens: 87 })
      assert.deepStrictEqual(chunks[1]?.usage, { prompt_tokens: 0, completion_tokens: 8, total_tokens: 8 })
      assert.strictEqual(chunks[1]?.choices[0]?.finish_reason, "stop")
      assert.strictEqual(chunks[1]?.created, 1715684409)
      assert.strictEqual(chunks[0]?.xHeaders["x-request-id"], `rid-${name}`)
    }))

  it.effect("threads/post_thread_messages_rerun.stream → threads.rerunMessagesStream", () =>
    Effect.gen(function*() {
      const name = "threads/post_thread_messages_rerun.stream"
      const threadId = "2cc91bae-34f7-4ee4-bcae-f5f71880deda"
      const events = sseEvents(name)
      const chunks = yield* replay(
        [sseFixture("/threads/messages/rerun", name, { thread_id: threadId, update_interval: null, stream: true })],
        Stream.runCollect(streamOf((gc) => gc.threads.rerunMessagesStream(threadId)))
      ).pipe(Effect.map(Chunk.toReadonlyArray))
      assert.strictEqual(chunks.length, 73)
      assert.strictEqual(chunks.length, events.length)
      const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")
      assert.strictEqual(text, events.map((event) => event.choices[0].delta.content).join(""))
      assert.isTrue(text.startsWith("Я попыталась написать стихотворение о том, что такое LLM"))
      assert.isTrue(text.endsWith("И всем, кто интересуется правом."))
      assert.isTrue(chunks.every((chunk) => chunk.thread_id === threadId))
      assert.isTrue(chunks.every((chunk) => chunk.message_id === "f7968272-89b5-4d28-a0b1-b74dcfb56f37"))
      assert.deepStrictEqual(chunks[0]?.usage, { prompt_tokens: 69, completion_tokens: 77, total_tokens: 146 })
      // Every later chunk counts its own token.
      assert.strictEqual(chunks.reduce((sum, chunk) => sum + (chunk.usage?.completion_tokens ?? 0), 0), 77 + 72)
      const last = chunks[chunks.length - 1]!
      assert.strictEqual(last.choices[0]?.finish_reason, "stop")
      assert.strictEqual(last.choices[0]?.delta.content, "")
      assert.strictEqual(last.created, 1715684770)
    }))
})
