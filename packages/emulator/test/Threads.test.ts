/**
 * The emulator's assistants, threads and chat storage over raw HTTP: state kept per emulator, runs that answer in
 * the thread over its history, streamed runs, storage in v1 and v2 chat, and the API's error shape for unknown ids.
 */
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

const { authUrl, baseUrl } = GigaChatEmulator
const v2Url = `${GigaChatEmulator.origin}/api/v2/chat/completions`

interface Answer {
  readonly status: number
  readonly body: any
  readonly text: string
}

/** A client of a fresh emulator, authenticated; `call` answers with the status and the parsed body. */
const client = Effect.gen(function*() {
  const http = yield* HttpClient.HttpClient
  const oauth = yield* http.execute(
    HttpClientRequest.post(authUrl).pipe(
      HttpClientRequest.setHeaders({
        authorization: `Basic ${GigaChatEmulator.defaultCredentials}`,
        rquid: "6f0b1291-c7f3-43c6-bb2e-9f3efb2dc98e"
      }),
      HttpClientRequest.bodyUrlParams({ scope: "GIGACHAT_API_PERS" })
    )
  )
  const token = ((yield* oauth.json) as any).access_token as string
  const authed = http.pipe(HttpClient.mapRequest(HttpClientRequest.bearerToken(token)))
  const send = (request: HttpClientRequest.HttpClientRequest): Effect.Effect<Answer, unknown> =>
    Effect.flatMap(authed.execute(request), (response) =>
      Effect.map(response.text, (text) => {
        let body: unknown = undefined
        try {
          body = JSON.parse(text)
        } catch {
          // an event stream stays text
        }
        return { status: response.status, body, text }
      }))
  return {
    get: (path: string) => send(HttpClientRequest.get(`${baseUrl}${path}`)),
    post: (path: string, body: unknown, url = `${baseUrl}${path}`) =>
      send(HttpClientRequest.post(url).pipe(HttpClientRequest.bodyUnsafeJson(body)))
  }
})

const withEmulator = Effect.provide(GigaChatEmulator.layerHttpClient())

/** The JSON payloads of an SSE body. */
const events = (text: string): Array<any> =>
  text.split("\n").filter((line) => line.startsWith("data:") && !line.includes("[DONE]")).map((line) =>
    JSON.parse(line.slice(5))
  )

describe("GigaChatEmulator assistants", () => {
  it.effect("create, get, modify (null keeps a field), detach a file, delete", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const created = yield* post("/assistants", {
        model: "GigaChat-Pro",
        name: "helper",
        description: null,
        instructions: "Answer briefly.",
        file_ids: null,
        metadata: { team: "a" }
      })
      assert.strictEqual(created.status, 200)
      const id = created.body.assistant_id as string
      assert.deepStrictEqual(Object.keys(created.body).sort(), ["assistant_id", "created_at"])

      const one = yield* get(`/assistants?assistant_id=${id}`)
      assert.strictEqual(one.body.data.length, 1)
      assert.strictEqual(one.body.data[0].instructions, "Answer briefly.")
      assert.deepStrictEqual(one.body.data[0].metadata, { team: "a" })

      const modified = yield* post("/assistants/modify", {
        assistant_id: id,
        name: "renamed",
        description: null,
        instructions: null,
        file_ids: null,
        metadata: null
      })
      assert.strictEqual(modified.body.name, "renamed")
      assert.strictEqual(modified.body.instructions, "Answer briefly.")
      assert.strictEqual(modified.body.model, "GigaChat-Pro")

      const missingFile = yield* post("/assistants/files/delete", { assistant_id: id, file_id: "nope" })
      assert.strictEqual(missingFile.status, 404)

      const deleted = yield* post("/assistants/delete", { assistant_id: id })
      assert.deepStrictEqual(deleted.body, { assistant_id: id, deleted: true })
      assert.strictEqual((yield* get("/assistants")).body.data.length, 0)
      const gone = yield* get(`/assistants?assistant_id=${id}`)
      assert.strictEqual(gone.status, 404)
      assert.deepStrictEqual(Object.keys(gone.body).sort(), ["message", "status"])
    }).pipe(withEmulator))

  it.effect("bad assistants: unknown model 404, no name 422, unknown file 400", () =>
    Effect.gen(function*() {
      const { post } = yield* client
      assert.strictEqual((yield* post("/assistants", { model: "Nope", name: "x" })).status, 404)
      assert.strictEqual((yield* post("/assistants", { model: "GigaChat", name: "" })).status, 422)
      assert.strictEqual((yield* post("/assistants", { model: "GigaChat", name: "x", file_ids: ["f"] })).status, 400)
    }).pipe(withEmulator))
})

describe("GigaChatEmulator threads", () => {
  it.effect("messages added to a new thread are kept; a run answers over them and getRun shows its messages", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const added = yield* post("/threads/messages", {
        thread_id: null,
        model: null,
        assistant_id: null,
        messages: [{ role: "user", content: "Count from 1 to 3" }]
      })
      assert.strictEqual(added.status, 200)
      const threadId = added.body.thread_id as string
      assert.strictEqual(added.body.messages.length, 1)

      const started = yield* post("/threads/run", { thread_id: threadId, assistant_id: null })
      assert.deepStrictEqual([started.body.status, started.body.thread_id], ["in_progress", threadId])
      const result = yield* get(`/threads/run?thread_id=${threadId}`)
      assert.strictEqual(result.body.status, "ready")
      assert.deepStrictEqual(result.body.messages.map((m: any) => [m.role, m.content]), [["assistant", "1, 2, 3"]])

      const messages = yield* get(`/threads/messages?thread_id=${threadId}`)
      assert.deepStrictEqual(messages.body.messages.map((m: any) => m.role), ["user", "assistant"])
      assert.deepStrictEqual(messages.body.messages[0].attachments, [])
      const last = yield* get(`/threads/messages?thread_id=${threadId}&limit=1`)
      assert.deepStrictEqual(last.body.messages.map((m: any) => m.content), ["1, 2, 3"])
    }).pipe(withEmulator))

  it.effect("runMessages continues a thread with its history; rerun replaces the last answer", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const first = yield* post("/threads/messages/run", {
        thread_id: null,
        assistant_id: null,
        model: "GigaChat",
        messages: [{ role: "user", content: "Say hello" }]
      })
      assert.strictEqual(first.body.object, "threads.messages.run")
      assert.strictEqual(first.body.message.content, "hello")
      assert.strictEqual(first.body.finish_reason, "stop")
      const threadId = first.body.thread_id as string
      const second = yield* post("/threads/messages/run", {
        thread_id: threadId,
        assistant_id: null,
        model: null,
        messages: [{ role: "user", content: "Say again" }]
      })
      assert.strictEqual(second.body.thread_id, threadId)
      assert.strictEqual(second.body.message.content, "again")
      // the model saw the earlier exchange
      assert.isAbove(second.body.usage.prompt_tokens, first.body.usage.prompt_tokens)
      const rerun = yield* post("/threads/messages/rerun", { thread_id: threadId, temperature: 0.1 })
      assert.strictEqual(rerun.body.message.content, "again")
      assert.notStrictEqual(rerun.body.message_id, second.body.message_id)
      const messages = yield* get(`/threads/messages?thread_id=${threadId}`)
      assert.deepStrictEqual(messages.body.messages.map((m: any) => m.content), [
        "Say hello",
        "hello",
        "Say again",
        "again"
      ])
      assert.strictEqual(messages.body.messages[3].message_id, rerun.body.message_id)
    }).pipe(withEmulator))

  it.effect("a streamed run sends thread chunks with ids and usage on each, and stores the whole answer", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const streamed = yield* post("/threads/messages/run", {
        thread_id: null,
        assistant_id: null,
        model: null,
        messages: [{ role: "user", content: "Count from 1 to 5" }],
        update_interval: null,
        stream: true
      })
      assert.strictEqual(streamed.status, 200)
      assert.isTrue(streamed.text.trimEnd().endsWith("data: [DONE]"))
      const chunks = events(streamed.text)
      assert.isAbove(chunks.length, 1)
      const threadId = chunks[0].thread_id
      for (const chunk of chunks) {
        assert.strictEqual(chunk.object, "threads.messages.run")
        assert.strictEqual(chunk.thread_id, threadId)
        assert.strictEqual(chunk.message_id, chunks[0].message_id)
        assert.isDefined(chunk.usage)
      }
      const text = chunks.map((c) => c.choices[0].delta.content ?? "").join("")
      assert.strictEqual(text, "1, 2, 3, 4, 5")
      assert.strictEqual(chunks[chunks.length - 1].choices[0].finish_reason, "stop")
      const stored = yield* get(`/threads/messages?thread_id=${threadId}`)
      assert.strictEqual(stored.body.messages[1].content, "1, 2, 3, 4, 5")
      assert.strictEqual(stored.body.messages[1].message_id, chunks[0].message_id)
      const rerun = yield* post("/threads/messages/rerun", { thread_id: threadId, stream: true })
      assert.strictEqual(events(rerun.text).map((c) => c.choices[0].delta.content ?? "").join(""), "1, 2, 3, 4, 5")
      const run = yield* post("/threads/run", { thread_id: threadId, assistant_id: null, stream: true })
      assert.strictEqual(events(run.text)[0].thread_id, threadId)
    }).pipe(withEmulator))

  it.effect("an assistant's thread gets its model and instructions; threads list, retrieve and delete", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const assistant = yield* post("/assistants", { model: "GigaChat-Max", name: "a", instructions: "Be brief." })
      const assistantId = assistant.body.assistant_id as string
      const withAssistant = yield* post("/threads/messages/run", {
        thread_id: null,
        assistant_id: assistantId,
        model: null,
        messages: [{ role: "user", content: "Hi" }]
      })
      const bare = yield* post("/threads/messages/run", {
        thread_id: null,
        assistant_id: null,
        model: null,
        messages: [{ role: "user", content: "Hi" }]
      })
      assert.strictEqual(withAssistant.body.model, "GigaChat-Max:emulator")
      // the instructions are part of the prompt
      assert.isAbove(withAssistant.body.usage.prompt_tokens, bare.body.usage.prompt_tokens)
      const threadId = withAssistant.body.thread_id as string

      const mine = yield* get(`/threads?assistants_ids=${assistantId}`)
      assert.deepStrictEqual(mine.body.threads.map((t: any) => [t.id, t.assistant_id, t.model]), [
        [threadId, assistantId, "GigaChat-Max"]
      ])
      assert.strictEqual((yield* get("/threads")).body.threads.length, 2)
      assert.strictEqual((yield* get("/threads?limit=1")).body.threads.length, 1)
      const retrieved = yield* post("/threads/retrieve", { threads_ids: [threadId] })
      assert.deepStrictEqual(Object.keys(retrieved.body.threads[0]).sort(), [
        "assistant_id",
        "created_at",
        "id",
        "model",
        "run_lock",
        "status",
        "updated_at"
      ])
      assert.strictEqual((yield* post("/threads/delete", { thread_id: threadId })).status, 200)
      assert.strictEqual((yield* get(`/threads/messages?thread_id=${threadId}`)).status, 404)
      assert.strictEqual((yield* post("/threads", {})).body.model, "GigaChat")
    }).pipe(withEmulator))

  it.effect("a thread id that does not exist is 404 in the API's error shape, everywhere", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const answers = [
        yield* get("/threads/messages?thread_id=nope"),
        yield* get("/threads/run?thread_id=nope"),
        yield* post("/threads/run", { thread_id: "nope" }),
        yield* post("/threads/messages", { thread_id: "nope", messages: [{ role: "user", content: "x" }] }),
        yield* post("/threads/messages/run", { thread_id: "nope", messages: [{ role: "user", content: "x" }] }),
        yield* post("/threads/messages/rerun", { thread_id: "nope" }),
        yield* post("/threads/retrieve", { threads_ids: ["nope"] }),
        yield* post("/threads/delete", { thread_id: "nope" }),
        yield* post("/chat/completions", {
          messages: [{ role: "user", content: "x" }],
          storage: { is_stateful: true, thread_id: "nope" }
        }),
        yield* post("", { messages: [{ role: "user", content: "x" }], storage: { thread_id: "nope" } }, v2Url)
      ]
      for (const answer of answers) {
        assert.strictEqual(answer.status, 404)
        assert.strictEqual(answer.body.status, 404)
        assert.include(answer.body.message, "nope")
      }
    }).pipe(withEmulator))

  it.effect("each emulator keeps its own threads, and reset forgets them", () =>
    Effect.gen(function*() {
      const made = yield* Effect.flatMap(client, ({ post }) => post("/threads", {})).pipe(withEmulator)
      const elsewhere = yield* Effect.flatMap(
        client,
        ({ get }) => get(`/threads/messages?thread_id=${made.body.id}`)
      ).pipe(withEmulator)
      assert.strictEqual(elsewhere.status, 404)
      const afterReset = yield* Effect.gen(function*() {
        const thread = yield* Effect.flatMap(client, ({ post }) => post("/threads", {}))
        yield* Effect.flatMap(GigaChatEmulator.GigaChatEmulator, (emulator) => emulator.reset)
        // reset also forgets the tokens: a new client signs in again
        return yield* Effect.flatMap(client, ({ get }) => get(`/threads/messages?thread_id=${thread.body.id}`))
      }).pipe(withEmulator)
      assert.strictEqual(afterReset.status, 404)
    }))
})

describe("GigaChatEmulator chat storage", () => {
  it.effect("v1: storage answers with thread_id and message_id, and the conversation continues in the thread", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const first = yield* post("/chat/completions", {
        model: "GigaChat",
        messages: [{ role: "user", content: "Say one" }],
        storage: { is_stateful: true }
      })
      assert.strictEqual(first.body.choices[0].message.content, "one")
      const threadId = first.body.thread_id as string
      assert.isString(first.body.message_id)
      const second = yield* post("/chat/completions", {
        messages: [{ role: "user", content: "Say two" }],
        storage: { is_stateful: true, thread_id: threadId }
      })
      assert.strictEqual(second.body.thread_id, threadId)
      assert.isAbove(second.body.usage.prompt_tokens, first.body.usage.prompt_tokens)
      const streamed = yield* post("/chat/completions", {
        messages: [{ role: "user", content: "Say three" }],
        storage: { is_stateful: true, thread_id: threadId },
        stream: true
      })
      const chunks = events(streamed.text)
      assert.isTrue(chunks.every((c) => c.thread_id === threadId && c.message_id === chunks[0].message_id))
      const stored = yield* get(`/threads/messages?thread_id=${threadId}`)
      assert.deepStrictEqual(stored.body.messages.map((m: any) => m.content), [
        "Say one",
        "one",
        "Say two",
        "two",
        "Say three",
        "three"
      ])
      assert.strictEqual(stored.body.messages[5].message_id, chunks[0].message_id)
      const plain = yield* post("/chat/completions", { messages: [{ role: "user", content: "Say x" }] })
      assert.isUndefined(plain.body.thread_id)
    }).pipe(withEmulator))

  it.effect("v2: storage {} starts a thread, storage.thread_id continues it, events carry the ids", () =>
    Effect.gen(function*() {
      const { get, post } = yield* client
      const first = yield* post("", { messages: [{ role: "user", content: "Say one" }], storage: {} }, v2Url)
      assert.strictEqual(first.status, 200)
      const threadId = first.body.thread_id as string
      assert.isString(first.body.message_id)
      const second = yield* post("", {
        messages: [{ role: "user", content: [{ text: "Say two" }] }],
        storage: { thread_id: threadId },
        stream: true
      }, v2Url)
      const chunks = events(second.text)
      assert.isTrue(chunks.every((c) => c.thread_id === threadId))
      const stored = yield* get(`/threads/messages?thread_id=${threadId}`)
      assert.deepStrictEqual(stored.body.messages.map((m: any) => [m.role, m.content]), [
        ["user", "Say one"],
        ["assistant", "one"],
        ["user", "Say two"],
        ["assistant", "two"]
      ])
      const assistant = yield* post("/assistants", { model: "GigaChat-Max", name: "a" })
      const viaAssistant = yield* post("", {
        assistant_id: assistant.body.assistant_id,
        messages: [{ role: "user", content: "Say three" }]
      }, v2Url)
      assert.strictEqual(viaAssistant.body.model, "GigaChat-Max:emulator")
      const thread = yield* post("/threads/retrieve", { threads_ids: [viaAssistant.body.thread_id] })
      assert.strictEqual(thread.body.threads[0].assistant_id, assistant.body.assistant_id)
    }).pipe(withEmulator))
})
