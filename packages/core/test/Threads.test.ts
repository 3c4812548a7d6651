/**
 * The wire format of `gc.threads` against a recording mock client (paths, query keys, JSON bodies with the `null`s
 * the reference sends, decoded answers, streams and their retry rule, typed errors), then storage in chat requests
 * (`continueThread`, `thread_id` / `message_id` decoded) and the per-call chat URLs of `RequestContext`.
 */
import { Chat, Completions, GigaChat, RequestContext } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, json, mockServices, sse } from "./utils/mockHttp.js"

const base = "https://gigachat.test/api/v1"

const thread = {
  id: "2cc91bae-34f7-4ee4-bcae-f5f71880deda",
  model: "GigaChat-Pro",
  created_at: 1715684634,
  updated_at: 1715684764,
  status: "ready",
  run_lock: false
}

const usage = { prompt_tokens: 12, completion_tokens: 15, total_tokens: 27 }

const threadCompletion = {
  object: "threads.messages.run",
  model: "GigaChat-Pro:2.2.25.3",
  thread_id: "t1",
  message_id: "m2",
  created: 1715686918,
  usage,
  message: { content: "Hello! How can I help?", role: "assistant" },
  finish_reason: "stop"
}

const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
  choices: [{ delta: { content }, index: 0, ...extra }],
  created: 1715684767,
  model: "GigaChat-Pro:2.2.25.3",
  object: "threads.messages.run",
  usage: { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 },
  thread_id: "t1",
  message_id: "m2"
})

const frames = (...chunks: ReadonlyArray<unknown>) => [
  ...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`),
  "data: [DONE]\n\n"
]

const setup = (handler: Handler, options: { readonly maxRetries?: number } = {}) =>
  mockServices(handler, { credentials, ...options })

const run = <A, E>(
  layer: ReturnType<typeof setup>["layer"],
  f: (gc: GigaChat.Service) => Effect.Effect<A, E>
) => Effect.flatMap(GigaChat.GigaChat, f).pipe(Effect.provide(layer))

const collect = <A, E>(
  layer: ReturnType<typeof setup>["layer"],
  f: (gc: GigaChat.Service) => Stream.Stream<A, E>
) =>
  Effect.gen(function*() {
    // the clock moves on while the stream runs: long enough for any retry backoff
    const fiber = yield* Effect.fork(
      Effect.flatMap(GigaChat.GigaChat, (gc) => Stream.runCollect(Stream.either(f(gc)))).pipe(Effect.provide(layer))
    )
    yield* TestClock.adjust("1 minute")
    return Chunk.toReadonlyArray(yield* Fiber.join(fiber))
  })

const body = (text: string | undefined) => JSON.parse(text ?? "null")

describe("gc.threads", () => {
  it.effect("list sends assistants_ids once per id, limit and before only when truthy", () => {
    const { api, layer } = setup(() => json({ threads: [thread] }))
    return Effect.gen(function*() {
      const listed = yield* run(layer, (gc) => gc.threads.list({ assistantsIds: ["a", "b"], limit: 0 }))
      yield* run(layer, (gc) => gc.threads.list({ limit: 5, before: 1715684000 }))
      yield* run(layer, (gc) => gc.threads.list())
      assert.strictEqual(api()[0]!.method, "GET")
      assert.strictEqual(api()[0]!.url, `${base}/threads?assistants_ids=a&assistants_ids=b`)
      assert.strictEqual(api()[1]!.url, `${base}/threads?limit=5&before=1715684000`)
      assert.strictEqual(api()[2]!.url, `${base}/threads`)
      assert.deepStrictEqual(listed.threads[0], thread)
    })
  })

  it.effect("create posts {} to /threads and decodes the thread; retrieve and delete send the ids", () => {
    const { api, layer } = setup((request) =>
      request.url.endsWith("/threads/delete")
        ? new Response("", { status: 200 })
        : request.url.endsWith("/threads/retrieve")
        ? json({ threads: [{ ...thread, assistant_id: "as1" }] })
        : json(thread)
    )
    return Effect.gen(function*() {
      const created = yield* run(layer, (gc) => gc.threads.create())
      const retrieved = yield* run(layer, (gc) => gc.threads.retrieve([thread.id]))
      const deleted = yield* run(layer, (gc) => gc.threads.delete(thread.id))
      assert.deepStrictEqual(api().map((r) => [r.method, r.url, r.body]), [
        ["POST", `${base}/threads`, "{}"],
        ["POST", `${base}/threads/retrieve`, JSON.stringify({ threads_ids: [thread.id] })],
        ["POST", `${base}/threads/delete`, JSON.stringify({ thread_id: thread.id })]
      ])
      assert.strictEqual(created.id, thread.id)
      assert.strictEqual(created.status, "ready")
      assert.strictEqual(retrieved.threads[0]!.assistant_id, "as1")
      assert.isTrue(deleted)
    })
  })

  it.effect("getMessages is GET /threads/messages?thread_id=…&limit=…, content and attachments defaulted", () => {
    const { api, layer } = setup(() =>
      json({
        thread_id: "t1",
        messages: [
          { message_id: "m1", role: "user", content: "Hi", created_at: 1, model: "GigaChat-Pro" },
          { message_id: "m2", role: "assistant", created_at: 2, finish_reason: "stop", attachments: null }
        ]
      })
    )
    return Effect.gen(function*() {
      const result = yield* run(layer, (gc) => gc.threads.getMessages("t1", { limit: 2 }))
      assert.strictEqual(api()[0]!.url, `${base}/threads/messages?thread_id=t1&limit=2`)
      assert.deepStrictEqual(result.messages.map((m) => [m.role, m.content, m.attachments]), [
        ["user", "Hi", []],
        ["assistant", "", []]
      ])
      assert.strictEqual(result.messages[1]!.finish_reason, "stop")
    })
  })

  it.effect("addMessages sends thread_id, model and assistant_id (null) and the messages with their content", () => {
    const { api, layer } = setup(() => json({ thread_id: "t1", messages: [{ created_at: 1, message_id: "m1" }] }))
    return Effect.gen(function*() {
      const added = yield* run(layer, (gc) =>
        gc.threads.addMessages("t1", [
          "What colour is the cat?",
          { role: "user", attachments: ["f1"] }
        ]))
      assert.strictEqual(api()[0]!.url, `${base}/threads/messages`)
      assert.deepStrictEqual(body(api()[0]!.body), {
        thread_id: "t1",
        model: null,
        assistant_id: null,
        messages: [
          { role: "user", content: "What colour is the cat?" },
          { role: "user", content: "", attachments: ["f1"] }
        ]
      })
      assert.strictEqual(added.messages[0]!.message_id, "m1")
      yield* run(layer, (gc) => gc.threads.addMessages(undefined, "Hi"))
      assert.strictEqual(body(api()[1]!.body).thread_id, null)
    })
  })

  it.effect("run puts the options first and thread_id, assistant_id (null) last; getRun queries thread_id", () => {
    const { api, layer } = setup((request) =>
      request.method === "GET"
        ? json({ status: "ready", thread_id: "t1", updated_at: 5, model: "GigaChat-Pro", messages: [] })
        : json({ status: "in_progress", thread_id: "t1", created_at: 4 })
    )
    return Effect.gen(function*() {
      const started = yield* run(layer, (gc) => gc.threads.run("t1", { threadOptions: { temperature: 0.5, limit: 4 } }))
      const result = yield* run(layer, (gc) => gc.threads.getRun("t1"))
      assert.strictEqual(api()[0]!.url, `${base}/threads/run`)
      assert.strictEqual(
        api()[0]!.body,
        JSON.stringify({ temperature: 0.5, limit: 4, thread_id: "t1", assistant_id: null })
      )
      assert.strictEqual(api()[1]!.url, `${base}/threads/run?thread_id=t1`)
      assert.strictEqual(started.status, "in_progress")
      assert.strictEqual(result.status, "ready")
    })
  })

  it.effect("runMessages sends the client's model for a new thread and null when a thread or assistant is named", () => {
    const { api, layer } = setup(() => json(threadCompletion))
    return Effect.gen(function*() {
      const answer = yield* run(layer, (gc) => gc.threads.runMessages("Hello"))
      yield* run(layer, (gc) => gc.threads.runMessages(["Again"], { threadId: "t1", threadOptions: { max_tokens: 9 } }))
      yield* run(layer, (gc) => gc.threads.runMessages(["Again"], { assistantId: "as1", model: "GigaChat-Max" }))
      assert.strictEqual(api()[0]!.url, `${base}/threads/messages/run`)
      assert.strictEqual(
        api()[0]!.body,
        JSON.stringify({
          thread_id: null,
          assistant_id: null,
          model: "GigaChat",
          messages: [{ role: "user", content: "Hello" }]
        })
      )
      assert.strictEqual(
        api()[1]!.body,
        JSON.stringify({
          max_tokens: 9,
          thread_id: "t1",
          assistant_id: null,
          model: null,
          messages: [{ role: "user", content: "Again" }]
        })
      )
      assert.strictEqual(body(api()[2]!.body).model, null)
      assert.strictEqual(answer.thread_id, "t1")
      assert.strictEqual(answer.message.content, "Hello! How can I help?")
      assert.strictEqual(answer.usage.total_tokens, 27)
    })
  })

  it.effect("rerunMessages is POST /threads/messages/rerun with the thread id after the options", () => {
    const { api, layer } = setup(() => json(threadCompletion))
    return Effect.gen(function*() {
      const answer = yield* run(layer, (gc) => gc.threads.rerunMessages("t1", { threadOptions: { top_p: 0.3 } }))
      assert.strictEqual(api()[0]!.url, `${base}/threads/messages/rerun`)
      assert.strictEqual(api()[0]!.body, JSON.stringify({ top_p: 0.3, thread_id: "t1" }))
      assert.strictEqual(answer.finish_reason, "stop")
    })
  })

  it.effect("the streams add stream: true (and update_interval, null when unset) and decode every chunk", () => {
    const { api, layer } = setup(() => sse(frames(chunk("Hel"), chunk("lo", { finish_reason: "stop" }))))
    return Effect.gen(function*() {
      const first = yield* collect(layer, (gc) => gc.threads.runMessagesStream("Hi", { threadId: "t1" }))
      yield* collect(layer, (gc) => gc.threads.rerunMessagesStream("t1", { updateInterval: 0.5 }))
      yield* collect(layer, (gc) => gc.threads.runStream("t1", { assistantId: "as1" }))
      assert.deepStrictEqual(api().map((r) => [r.url, r.body]), [
        [
          `${base}/threads/messages/run`,
          JSON.stringify({
            thread_id: "t1",
            assistant_id: null,
            model: null,
            messages: [{ role: "user", content: "Hi" }],
            update_interval: null,
            stream: true
          })
        ],
        [`${base}/threads/messages/rerun`, JSON.stringify({ thread_id: "t1", update_interval: 0.5, stream: true })],
        [`${base}/threads/run`, JSON.stringify({ thread_id: "t1", assistant_id: "as1", stream: true })]
      ])
      const chunks = first.map((item) => {
        assert.strictEqual(item._tag, "Right")
        return item._tag === "Right" ? item.right : undefined
      })
      assert.deepStrictEqual(chunks.map((c) => c?.choices[0]?.delta.content), ["Hel", "lo"])
      assert.deepStrictEqual(chunks.map((c) => [c?.thread_id, c?.message_id]), [["t1", "m2"], ["t1", "m2"]])
      assert.strictEqual(chunks[1]?.choices[0]?.finish_reason, "stop")
    })
  })

  it.effect("a stream retries a 503 before its first chunk, and never after it (no chunk twice)", () => {
    let calls = 0
    const { api, layer } = setup(() => {
      calls++
      if (calls === 1) return new Response("busy", { status: 503 })
      if (calls === 2) {
        return sse([`data: ${JSON.stringify(chunk("a"))}\n\n`, "data: {\"status\": 503, \"message\": \"down\"}\n\n"])
      }
      return sse(frames(chunk("never")))
    }, { maxRetries: 3 })
    return Effect.gen(function*() {
      const items = yield* collect(layer, (gc) => gc.threads.rerunMessagesStream("t1"))
      assert.strictEqual(api().length, 2)
      assert.strictEqual(items.length, 2)
      assert.strictEqual(items[0]!._tag === "Right" ? items[0]!.right.choices[0]?.delta.content : undefined, "a")
      assert.strictEqual(items[1]!._tag === "Left" ? items[1]!.left._tag : undefined, "ServerError")
    })
  })

  it.effect("bad input is an InvalidRequestError naming the field, and nothing is sent", () => {
    const { api, layer } = setup(() => json(threadCompletion))
    return Effect.gen(function*() {
      const empty = yield* Effect.flip(run(layer, (gc) => gc.threads.runMessages([])))
      assert.strictEqual(empty._tag, "InvalidRequestError")
      assert.match(empty.message, /messages/)
      const noRole = yield* Effect.flip(run(layer, (gc) => gc.threads.addMessages("t1", [{ content: "x" } as any])))
      assert.match(noRole.message, /messages\[0\]\.role/)
      const hot = yield* Effect.flip(
        run(layer, (gc) => gc.threads.rerunMessages("t1", { threadOptions: { temperature: -1 } }))
      )
      assert.match(hot.message, /temperature/)
      const noThread = yield* Effect.flip(run(layer, (gc) => gc.threads.getMessages("")))
      assert.match(noThread.message, /thread_id/)
      const noRun = yield* Effect.flip(run(layer, (gc) => gc.threads.run("")))
      assert.match(noRun.message, /thread_id/)
      const streamed = yield* collect(layer, (gc) => gc.threads.runMessagesStream([]))
      assert.strictEqual(streamed[0]!._tag === "Left" ? streamed[0]!.left._tag : undefined, "InvalidRequestError")
      assert.strictEqual(api().length, 0)
    })
  })

  it.effect("a thread that does not exist is the server's NotFoundError", () => {
    const { layer } = setup(() => json({ status: 404, message: "thread not found" }, { status: 404 }))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(run(layer, (gc) => gc.threads.getMessages("nope")))
      assert.strictEqual(error._tag, "NotFoundError")
      const streamed = yield* collect(layer, (gc) => gc.threads.rerunMessagesStream("nope"))
      assert.strictEqual(streamed[0]!._tag === "Left" ? streamed[0]!.left._tag : undefined, "NotFoundError")
    })
  })
})

const v1Completion = {
  choices: [{ message: { role: "assistant", content: "Ann" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:1",
  object: "chat.completion",
  thread_id: "t9",
  message_id: "m9",
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }
}

describe("storage", () => {
  it.effect("v1: thread_id and message_id are decoded, and continueThread sends the thread without a model", () => {
    const { api, layer } = setup(() => json(v1Completion))
    return Effect.gen(function*() {
      const first = yield* run(
        layer,
        (gc) => gc.chat({ messages: [{ role: "user", content: "I am Ann" }], storage: { is_stateful: true } })
      )
      assert.deepStrictEqual([first.thread_id, first.message_id], ["t9", "m9"])
      yield* run(
        layer,
        (gc) => gc.chat(Chat.continueThread(first, "Who am I?", { storage: { is_stateful: true, limit: 5 } }))
      )
      assert.deepStrictEqual(body(api()[1]!.body), {
        messages: [{ role: "user", content: "Who am I?" }],
        storage: { is_stateful: true, limit: 5, thread_id: "t9" }
      })
    })
  })

  it.effect("v1 streams carry thread_id and message_id, and accumulate keeps them", () => {
    const { layer } = setup(() =>
      sse([
        `data: ${JSON.stringify({ ...v1Completion, choices: [{ delta: { content: "A" }, index: 0 }] })}\n\n`,
        "data: [DONE]\n\n"
      ])
    )
    return Effect.gen(function*() {
      const completion = yield* Chat.finalCompletion(
        Stream.unwrap(
          Effect.map(GigaChat.GigaChat, (gc) => gc.stream(Chat.continueThread({ thread_id: "t9" }, "more")))
        )
      ).pipe(Effect.provide(layer))
      assert.deepStrictEqual([completion.thread_id, completion.message_id], ["t9", "m9"])
    })
  })

  it.effect("v2: continueThread sends storage.thread_id and no model; storage: true is {}", () => {
    const { api, layer } = setup(() =>
      json({
        model: "GigaChat",
        created_at: 1,
        thread_id: "t2",
        message_id: "m2",
        messages: [{ role: "assistant", content: [{ text: "ok" }] }]
      })
    )
    return Effect.gen(function*() {
      const first = yield* run(
        layer,
        (gc) => gc.completions.create({ messages: [{ role: "user", content: "hi" }], storage: true })
      )
      assert.deepStrictEqual([first.thread_id, first.message_id], ["t2", "m2"])
      yield* run(layer, (gc) => gc.completions.create(Completions.continueThread(first, "again")))
      assert.deepStrictEqual(body(api()[0]!.body).storage, {})
      const next = body(api()[1]!.body)
      assert.deepStrictEqual(next.storage, { thread_id: "t2" })
      assert.isUndefined(next.model)
      assert.deepStrictEqual(next.messages, [{ content: [{ text: "again" }], role: "user" }])
    })
  })
})

describe("RequestContext chat URLs", () => {
  it.effect("withChatUrl and withChatCompletionsUrl move the chat calls of one fiber only", () => {
    const { api, layer } = setup((request) =>
      request.url.includes("/v2/") || request.url.includes("/proxy-v2")
        ? json({ model: "GigaChat", created_at: 1, messages: [{ role: "assistant", content: [{ text: "ok" }] }] })
        : json(v1Completion)
    )
    return Effect.gen(function*() {
      yield* Effect.all([
        run(layer, (gc) => gc.chat("a")).pipe(RequestContext.withChatUrl("/proxy/chat")),
        run(layer, (gc) => gc.chat("b"))
      ], { concurrency: 2 })
      yield* run(layer, (gc) => gc.chat("c")).pipe(RequestContext.withChatUrl("https://other.test/v1/chat"))
      yield* run(layer, (gc) => gc.completions.create("d")).pipe(RequestContext.withChatCompletionsUrl("/proxy-v2"))
      yield* run(layer, (gc) => gc.completions.create("e")).pipe(RequestContext.withChatCompletionsUrl(""))
      yield* run(layer, (gc) => Stream.runDrain(gc.stream("f").pipe(Stream.catchAll(() => Stream.empty)))).pipe(
        RequestContext.withChatUrl("/v1/streamed")
      )
      const urlOf = (content: string) => api().find((r) => (r.body ?? "").includes(`"${content}"`))?.url
      assert.strictEqual(urlOf("a"), `${base}/proxy/chat`)
      assert.strictEqual(urlOf("b"), `${base}/chat/completions`)
      assert.strictEqual(urlOf("c"), "https://other.test/v1/chat")
      assert.strictEqual(urlOf("d"), `${base}/proxy-v2`)
      assert.strictEqual(urlOf("e"), "https://gigachat.test/api/v2/chat/completions")
      assert.strictEqual(urlOf("f"), "https://gigachat.test/v1/streamed")
    })
  })
})

describe("GigaChat.layerMock", () => {
  it.effect("mocks the assistants and threads namespaces; a method without a handler dies naming it", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const listed = yield* gc.threads.list()
      assert.deepStrictEqual(listed.threads.map((t) => t.id), [thread.id])
      const exit = yield* Effect.exit(gc.assistants.get())
      assert.isTrue(exit._tag === "Failure" && String(exit.cause).includes("assistants.get"))
      const streamed = yield* Effect.exit(Stream.runDrain(gc.threads.runStream("t1")))
      assert.isTrue(streamed._tag === "Failure" && String(streamed.cause).includes("threads.runStream"))
    }).pipe(Effect.provide(GigaChat.layerMock({
      threads: {
        list: () =>
          Effect.succeed({
            threads: [thread],
            xHeaders: { "x-request-id": undefined, "x-session-id": undefined, "x-client-id": undefined }
          })
      }
    }))))
})
