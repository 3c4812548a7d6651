import { Batches, GigaChat } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { json, tokenValue } from "./utils/mockHttp.js"
import { baseUrl, call, setup } from "./utils/mockService.js"

const batch = (fields: Record<string, unknown> = {}) => ({
  id: "batch_1",
  method: "chat_completions",
  request_counts: { total: 2 },
  status: "created",
  created_at: 1726478395,
  updated_at: 1726478395,
  ...fields
})

const completion = (content: string) => ({
  choices: [{ message: { role: "assistant", content }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:1",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
})

describe("Batches", () => {
  describe("create", () => {
    it.effect("POST /batches?method=chat_completions with the JSONL as octet-stream: ids, defaults, no final newline", () => {
      const { api, bodies, layer } = setup(() => json(batch(), { headers: { "x-request-id": "rid-7" } }), {
        model: "GigaChat-2-Max",
        flags: ["no_cache"]
      })
      return Effect.gen(function*() {
        const created = yield* call(layer, (gc) =>
          gc.batches.create({
            method: "chat_completions",
            requests: [
              "What is 2 + 2?",
              { id: "poem", request: { messages: [{ role: "user", content: "A haiku" }], max_tokens: 50 } },
              { messages: [{ role: "user", content: "Hi" }], model: "GigaChat" }
            ]
          }))
        const [request] = api()
        assert.strictEqual(api().length, 1)
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, `${baseUrl}/batches?method=chat_completions`)
        assert.strictEqual(request.headers["authorization"], `Bearer ${tokenValue}`)
        assert.strictEqual(request.headers["accept"], "application/json")
        assert.strictEqual(bodies[0].contentType, "application/octet-stream")
        const lines = (request.body ?? "").split("\n")
        assert.isFalse((request.body ?? "").endsWith("\n"))
        assert.deepStrictEqual(lines.map((line) => JSON.parse(line)), [
          {
            id: "1",
            request: {
              model: "GigaChat-2-Max",
              messages: [{ role: "user", content: "What is 2 + 2?" }],
              flags: ["no_cache"]
            }
          },
          {
            id: "poem",
            request: {
              model: "GigaChat-2-Max",
              messages: [{ role: "user", content: "A haiku" }],
              max_tokens: 50,
              flags: ["no_cache"]
            }
          },
          {
            id: "3",
            request: { model: "GigaChat", messages: [{ role: "user", content: "Hi" }], flags: ["no_cache"] }
          }
        ])
        assert.strictEqual(created.id, "batch_1")
        assert.strictEqual(created.status, "created")
        assert.deepStrictEqual(created.request_counts, { total: 2 })
        assert.strictEqual(created.created_at, 1726478395)
        assert.strictEqual(created.xHeaders["x-request-id"], "rid-7")
      })
    })

    it.effect("POST /batches?method=embedder: one {id, request: {input, model}} line per task", () => {
      const { api, layer } = setup(() => json(batch({ method: "embedder" })))
      return Effect.gen(function*() {
        const created = yield* call(layer, (gc) =>
          gc.batches.create({
            method: "embedder",
            requests: ["one text", { id: "x", request: { input: ["a", "b"], model: "EmbeddingsGigaR" } }]
          }))
        assert.strictEqual(api()[0].url, `${baseUrl}/batches?method=embedder`)
        assert.strictEqual(
          api()[0].body,
          "{\"id\":\"1\",\"request\":{\"input\":[\"one text\"],\"model\":\"Embeddings\"}}\n" +
            "{\"id\":\"x\",\"request\":{\"input\":[\"a\",\"b\"],\"model\":\"EmbeddingsGigaR\"}}"
        )
        assert.strictEqual(created.method, "embedder")
      })
    })

    it.effect("bad input is an InvalidRequestError naming the field, and nothing is sent", () => {
      const { api, layer } = setup(() => json(batch()))
      const fail = (input: unknown) => Effect.flip(call(layer, (gc) => gc.batches.create(input as Batches.CreateInput)))
      return Effect.gen(function*() {
        const empty = yield* fail({ method: "chat_completions", requests: [] })
        assert.strictEqual(empty._tag, "InvalidRequestError")
        assert.include(empty.message, "requests: a batch needs at least one request")
        const method = yield* fail({ method: "completions", requests: ["hi"] })
        assert.strictEqual(method._tag, "InvalidRequestError")
        assert.include(method.message, "method: expected \"chat_completions\" | \"embedder\", actual \"completions\"")
        const duplicate = yield* fail({
          method: "chat_completions",
          requests: [{ id: "a", request: "x" }, { id: "a", request: "y" }]
        })
        assert.include(duplicate.message, "requests[1].id: \"a\" is used by an earlier task")
        const chat = yield* fail({
          method: "chat_completions",
          requests: ["ok", { request: { messages: [{ content: "no role" }] } }]
        })
        assert.include(chat.message, "requests[1].request: messages[0].role: is missing")
        const embeddings = yield* fail({ method: "embedder", requests: [{ input: [1, 2] }] })
        assert.include(embeddings.message, "requests[0].request: input[0]: Expected string, actual 1")
        assert.strictEqual(api().length, 0)
      })
    })
  })

  describe("get and list", () => {
    it.effect("get: GET /batches?batch_id=… (encoded) and the batch of any of the three answer shapes", () => {
      const shapes = [
        [batch({ id: "b 1", status: "in_progress" })],
        { batches: [batch({ id: "b 1", status: "in_progress" })] },
        batch({ id: "b 1", status: "in_progress" })
      ]
      let answered = 0
      const { api, layer } = setup(() => json(shapes[answered++]))
      return Effect.gen(function*() {
        for (let i = 0; i < shapes.length; i++) {
          const found = yield* call(layer, (gc) => gc.batches.get("b 1"))
          assert.strictEqual(found.id, "b 1")
          assert.strictEqual(found.status, "in_progress")
        }
        assert.deepStrictEqual(api().map((request) => [request.method, request.url, request.body ?? ""]), [
          ["GET", `${baseUrl}/batches?batch_id=b+1`, ""],
          ["GET", `${baseUrl}/batches?batch_id=b+1`, ""],
          ["GET", `${baseUrl}/batches?batch_id=b+1`, ""]
        ])
      })
    })

    it.effect("get and waitFor with an empty id: an InvalidRequestError naming batch_id, and nothing is sent", () => {
      const { api, layer } = setup(() => json([]))
      return Effect.gen(function*() {
        for (
          const run of [(gc: GigaChat.Service) => gc.batches.get(""), (gc: GigaChat.Service) => gc.batches.waitFor("")]
        ) {
          const error = yield* Effect.flip(call(layer, run))
          assert.strictEqual(error._tag, "InvalidRequestError")
          assert.include(error.message, "batch_id")
        }
        assert.strictEqual(api().length, 0)
      })
    })

    it.effect("get: an answer without the batch is a DecodeError; a 404 is a NotFoundError", () => {
      let answered = 0
      const { layer } = setup(() =>
        answered++ === 0 ? json([]) : json({ status: 404, message: "batch not found" }, { status: 404 })
      )
      return Effect.gen(function*() {
        const missing = yield* Effect.flip(call(layer, (gc) => gc.batches.get("nope")))
        assert.strictEqual(missing._tag, "DecodeError")
        assert.include(missing.message, "lists no batch \"nope\"")
        const notFound = yield* Effect.flip(call(layer, (gc) => gc.batches.get("nope")))
        assert.strictEqual(notFound._tag, "NotFoundError")
      })
    })

    it.effect("list: GET /batches without a query; every shape read as { batches }, unknown fields and statuses kept", () => {
      const item = batch({
        status: "completed",
        output_file_id: "file_123",
        request_counts: { total: 3, completed: 2, failed: 1 },
        future_field: true
      })
      const shapes = [[item], { batches: [item] }, item, { batches: [batch({ status: "validating" })] }]
      let answered = 0
      const { api, layer } = setup(() => json(shapes[answered++]))
      return Effect.gen(function*() {
        for (let i = 0; i < 3; i++) {
          const list = yield* call(layer, (gc) => gc.batches.list())
          assert.strictEqual(list.batches.length, 1)
          assert.strictEqual(list.batches[0].output_file_id, "file_123")
          assert.deepStrictEqual(list.batches[0].request_counts, { total: 3, completed: 2, failed: 1 })
          assert.strictEqual((list.batches[0] as unknown as Record<string, unknown>).future_field, true)
        }
        const open = yield* call(layer, (gc) => gc.batches.list())
        assert.strictEqual(open.batches[0].status, "validating")
        assert.isTrue(Batches.isFinished(open.batches[0]))
        assert.strictEqual(api()[0].url, `${baseUrl}/batches`)
        assert.strictEqual(api()[0].method, "GET")
      })
    })

    it.effect("a batch without its id is a DecodeError", () => {
      const { layer } = setup(() => json([{ method: "chat_completions", status: "created" }]))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(call(layer, (gc) => gc.batches.list()))
        assert.strictEqual(error._tag, "DecodeError")
      })
    })
  })

  describe("results", () => {
    const resultFile = [
      JSON.stringify({ id: "1", result: completion("4") }),
      "",
      JSON.stringify({ id: "2", error: { status: 422, message: "Invalid params" } }),
      "{not json",
      JSON.stringify({ id: "4", result: { choices: "nope" } }),
      JSON.stringify({ id: "5", result: completion("five") }) + "\r"
    ].join("\n") + "\n"

    it.effect("GET /files/{output_file_id}/content, decoded line by line; failed lines are BatchResultErrors", () => {
      const { api, layer } = setup(() =>
        new Response(resultFile, { headers: { "content-type": "application/octet-stream" } })
      )
      return Effect.gen(function*() {
        const lines = yield* call(
          layer,
          (gc) => gc.batches.chatResults(batch({ status: "completed", output_file_id: "file_123" }) as Batches.Batch)
        )
        assert.strictEqual(api()[0].method, "GET")
        assert.strictEqual(api()[0].url, `${baseUrl}/files/file_123/content`)
        // The results are the output file, fetched as gc.getFileContent fetches any file.
        assert.strictEqual(api()[0].headers["accept"], "*/*")
        assert.strictEqual(lines.length, 5)
        const [first, second, third, fourth, fifth] = lines
        assert.isTrue(Either.isRight(first))
        if (Either.isRight(first)) {
          assert.strictEqual(first.right.id, "1")
          assert.strictEqual(first.right.result.choices[0].message.content, "4")
        }
        assert.isTrue(Either.isLeft(second))
        if (Either.isLeft(second)) {
          assert.strictEqual(second.left._tag, "BatchResultError")
          assert.strictEqual(second.left.line, 3)
          assert.strictEqual(second.left.id, "2")
          assert.strictEqual(second.left.status, 422)
          assert.strictEqual(second.left.message, "Batch result line 3 (task \"2\"): 422 Invalid params")
        }
        assert.isTrue(
          Either.isLeft(third) && third.left.line === 4 && third.left.description === "the line is not JSON"
        )
        assert.isTrue(
          Either.isLeft(fourth) && fourth.left.id === "4" && fourth.left.description.startsWith("result: choices")
        )
        assert.isTrue(Either.isRight(fifth) && fifth.right.result.choices[0].message.content === "five")
      })
    })

    it.effect("embeddingsResults takes a file id and decodes Embeddings answers", () => {
      const file = JSON.stringify({
        id: "1",
        result: { object: "list", model: "Embeddings", data: [{ object: "embedding", index: 0, embedding: [0.5, 1] }] }
      })
      const { api, layer } = setup(() => new Response(file))
      return Effect.gen(function*() {
        const [line] = yield* call(layer, (gc) => gc.batches.embeddingsResults("out/1"))
        assert.strictEqual(api()[0].url, `${baseUrl}/files/out%2F1/content`)
        assert.isTrue(Either.isRight(line) && line.right.result.data[0].embedding[1] === 1)
      })
    })

    it.effect("a batch without output_file_id is an InvalidRequestError and nothing is sent", () => {
      const { api, layer } = setup(() => new Response(""))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(
          call(layer, (gc) => gc.batches.chatResults(batch({ status: "in_progress" }) as Batches.Batch))
        )
        assert.strictEqual(error._tag, "InvalidRequestError")
        assert.include(error.message, "output_file_id: batch \"batch_1\" has no results yet (status in_progress)")
        assert.strictEqual(api().length, 0)
      })
    })
  })

  describe("waitFor", () => {
    /** Lets the forked fiber run until it waits on the clock (or ends): the mock's answers resolve as promises. */
    const settle = (fiber: Fiber.RuntimeFiber<unknown, unknown>) =>
      Effect.gen(function*() {
        for (let i = 0; i < 1000; i++) {
          if ((yield* TestClock.sleeps()).length > 0 || fiber.unsafePoll() !== null) return
          yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        }
      })

    /** Answers created, in_progress, then completed from the `completeAt` poll on; records each poll's clock time. */
    const polling = (completeAt: number) => {
      const times: Array<number> = []
      const session = setup(() =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const index = times.length
          times.push(now)
          return json([
            batch(
              index >= completeAt
                ? { status: "completed", output_file_id: "file_1" }
                : { status: index === 0 ? "created" : "in_progress" }
            )
          ])
        })
      )
      return { ...session, times }
    }

    it.effect("polls on the default schedule (1 s, doubling) until the batch is completed", () => {
      const { layer, times } = polling(3)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(call(layer, (gc) => gc.batches.waitFor("batch_1")))
        for (let i = 0; i < 10 && fiber.unsafePoll() === null; i++) {
          yield* settle(fiber)
          yield* TestClock.adjust("1 second")
        }
        const done = yield* Fiber.join(fiber)
        assert.strictEqual(done.status, "completed")
        assert.strictEqual(done.output_file_id, "file_1")
        assert.deepStrictEqual(times, [0, 1000, 3000, 7000])
      })
    })

    it.effect("a caller's schedule replaces the default; when it ends, the last batch is returned unfinished", () => {
      const spaced = polling(100)
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(call(spaced.layer, (gc) =>
          gc.batches.waitFor(batch() as Batches.Batch, {
            schedule: Schedule.spaced("10 seconds").pipe(Schedule.intersect(Schedule.recurs(2)))
          })))
        for (let i = 0; i < 40 && fiber.unsafePoll() === null; i++) {
          yield* settle(fiber)
          yield* TestClock.adjust("1 second")
        }
        const last = yield* Fiber.join(fiber)
        assert.strictEqual(last.status, "in_progress")
        assert.isFalse(Batches.isFinished(last))
        assert.deepStrictEqual(spaced.times, [0, 10_000, 20_000])
      })
    })

    it.effect("a batch finished at the first look is returned without waiting", () => {
      const { layer, times } = polling(0)
      return Effect.gen(function*() {
        const done = yield* call(layer, (gc) => gc.batches.waitFor("batch_1"))
        assert.strictEqual(done.status, "completed")
        assert.deepStrictEqual(times, [0])
      })
    })
  })

  describe("layerMock", () => {
    it.effect("batches methods come from the handlers; a missing one dies naming it", () =>
      Effect.gen(function*() {
        const layer = GigaChat.layerMock({
          batches: { get: (id) => Effect.succeed({ ...batch({ id }), xHeaders: {} } as any) }
        })
        const found = yield* Effect.provide(Effect.flatMap(GigaChat.GigaChat, (gc) => gc.batches.get("b9")), layer)
        assert.strictEqual(found.id, "b9")
        const exit = yield* Effect.provide(
          Effect.exit(Effect.flatMap(GigaChat.GigaChat, (gc) => gc.batches.list())),
          layer
        )
        assert.isTrue(exit._tag === "Failure" && String(exit.cause).includes("no handler for batches.list"))
      }))
  })
})
