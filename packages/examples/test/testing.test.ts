/**
 * Testing code that uses GigaChat, as an app would: the `Summarizer` of the compose example (src/examples/compose.ts)
 * gets its `GigaChat` through a layer, so a test picks which one.
 *
 * 1. A mock `GigaChat` from handlers (`GigaChat.layerMock`): no HTTP at all; the handler sees the request and decides
 *    the answer, or the error.
 * 2. The real SDK against the in-process emulator (`GigaChatEmulator.layer`): the whole client runs (auth, retries,
 *    decoding), the emulator can inject faults and records what it received. `TestClock` drives the retry delays.
 * 3. A replayed fixture: the real SDK over a mock `HttpClient` that serves a response recorded from the real API
 *    (test/fixtures/chat-simple.json), so decoding is checked against what GigaChat really sends.
 *
 * Run: `pnpm exec vitest run packages/examples/test/testing.test.ts`.
 */
import { GigaChat, GigaChatConfig, GigaChatError, XHeaders } from "@effect-gigachat/core"
import type { Chat } from "@effect-gigachat/core"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import { readFileSync } from "node:fs"
import { AppSettings, Documents, Summarizer } from "../src/examples/compose.js"

// The code under test, with the app's other services replaced by test values: only GigaChat varies below. What the
// GigaChat layer provides (the emulator's controls, for one) stays available to the test.
const TestDocuments = Documents.layerMemory([
  { id: "effect", title: "Effect", text: "Effect is a TypeScript library for typed errors and resource safety." }
])
const TestSettings = Layer.succeed(AppSettings, { summaryWords: 10, audience: "testers" })

const summarizerWith = <ROut, E, R>(gigachat: Layer.Layer<ROut | GigaChat.GigaChat, E, R>) =>
  Summarizer.layer.pipe(
    Layer.provideMerge(TestDocuments),
    Layer.provide(TestSettings),
    Layer.provideMerge(gigachat)
  )

const summarize = (id: string) => Effect.flatMap(Summarizer, (summarizer) => summarizer.summarize(id))

const storedSummary = (id: string) =>
  Effect.flatMap(Documents, (documents) => Effect.map(documents.get(id), (document) => document.summary))

/** The text of a chat request's message with the given role. */
const messageOf = (request: GigaChat.ChatInput, role: string): string | undefined =>
  typeof request === "string" ? undefined : request.messages.find((message) => message.role === role)?.content

describe("1. a mock GigaChat from handlers", () => {
  const completion = (content: string): XHeaders.WithXHeaders<Chat.ChatCompletion> => ({
    choices: [{ message: { role: "assistant", content }, index: 0, finish_reason: "stop" }],
    created: 1_700_000_000,
    model: "GigaChat",
    object: "chat.completion",
    usage: { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 },
    xHeaders: XHeaders.empty
  })

  it.effect("stores the model's answer, asking with the app's settings and the document", () => {
    const requests: Array<GigaChat.ChatInput> = []
    const gigachat = GigaChat.layerMock({
      chat: (request) => {
        requests.push(request)
        return Effect.succeed(completion("Effect: typed errors, safe resources."))
      }
    })
    return Effect.gen(function*() {
      const summary = yield* summarize("effect")
      assert.strictEqual(summary, "Effect: typed errors, safe resources.")
      assert.deepStrictEqual(yield* storedSummary("effect"), Option.some(summary))

      assert.strictEqual(requests.length, 1)
      assert.strictEqual(messageOf(requests[0]!, "system"), "Summarize for testers in at most 10 words.")
      assert.include(messageOf(requests[0]!, "user"), "Effect is a TypeScript library")
    }).pipe(Effect.provide(summarizerWith(gigachat)))
  })

  it.effect("passes a GigaChat error on as a typed failure and stores nothing", () => {
    const gigachat = GigaChat.layerMock({
      chat: () =>
        Effect.fail(
          new GigaChatError.RateLimitError({
            status: 429,
            method: "POST",
            url: "https://gigachat.devices.sberbank.ru/api/v1/chat/completions",
            body: "{\"status\":429,\"message\":\"Too Many Requests\"}",
            headers: {},
            retryAfter: Duration.seconds(30)
          })
        )
    })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(summarize("effect"))
      assert.strictEqual(error._tag, "RateLimitError")
      assert.deepStrictEqual(yield* storedSummary("effect"), Option.none())
    }).pipe(Effect.provide(summarizerWith(gigachat)))
  })

  it.effect("a missing document fails before GigaChat is called", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(summarize("nope"))
      assert.strictEqual(error._tag, "DocumentNotFound")
      // No `chat` handler: had the Summarizer called GigaChat, the mock would have died naming the method.
    }).pipe(Effect.provide(summarizerWith(GigaChat.layerMock({})))))
})

describe("2. the in-process emulator", () => {
  const chatRoute = "POST /api/v1/chat/completions"

  it.effect("summarizes through the real client, and the emulator saw the prompt", () =>
    Effect.gen(function*() {
      const summary = yield* summarize("effect")
      // The emulator's replies are deterministic: it echoes the last user message.
      assert.include(summary, "Effect is a TypeScript library")

      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      const chats = (yield* emulator.requests).filter((request) => request.path === "/api/v1/chat/completions")
      assert.strictEqual(chats.length, 1)
      const body = JSON.parse(chats[0]!.body) as { messages: Array<{ role: string; content: string }> }
      assert.deepStrictEqual(body.messages[0], {
        role: "system",
        content: "Summarize for testers in at most 10 words."
      })
    }).pipe(Effect.provide(summarizerWith(GigaChatEmulator.layer()))))

  it.effect("a 429 with Retry-After is retried once the TestClock has moved", () =>
    Effect.gen(function*() {
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      yield* emulator.addFault({ route: chatRoute, times: 1, status: 429, headers: { "retry-after": "2" } })

      const fiber = yield* Effect.fork(summarize("effect"))
      // The client waits for Retry-After on the TestClock: nothing is sent again until it moves 2 seconds.
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* chatCount(emulator), 1)
      yield* TestClock.adjust("1 second")
      const summary = yield* Fiber.join(fiber)

      assert.include(summary, "Effect is a TypeScript library")
      assert.strictEqual(yield* chatCount(emulator), 2)
    }).pipe(Effect.provide(summarizerWith(GigaChatEmulator.layer({}, { maxRetries: 2 })))))

  it.effect("without retries the 429 reaches the caller as RateLimitError with its Retry-After", () => {
    const emulatorLayer = GigaChatEmulator.layer({
      faults: [{ route: chatRoute, status: 429, headers: { "retry-after": "7" } }]
    })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(summarize("effect"))
      assert.strictEqual(error._tag, "RateLimitError")
      if (error._tag === "RateLimitError") {
        assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
      }
    }).pipe(Effect.provide(summarizerWith(emulatorLayer)))
  })
})

const chatCount = (emulator: GigaChatEmulator.Service) =>
  Effect.map(
    emulator.requests,
    (requests) => requests.filter((request) => request.path === "/api/v1/chat/completions").length
  )

describe("3. a replayed fixture", () => {
  // A response recorded from the real API; see the file's description.
  interface Recorded {
    readonly request: { readonly method: string; readonly uri: string }
    readonly response: { readonly status: number; readonly headers: Record<string, string>; readonly body: string }
  }
  const fixture = JSON.parse(readFileSync(new URL("fixtures/chat-simple.json", import.meta.url), "utf8")) as {
    readonly interactions: ReadonlyArray<Recorded>
  }

  /**
   * An HttpClient that answers each request with the recorded interaction of the same method and path, and keeps
   * what it was sent. Anything unrecorded is a 404, which the SDK turns into a NotFoundError.
   */
  const replay = (interactions: ReadonlyArray<Recorded>) => {
    const sent: Array<{ readonly method: string; readonly url: string; readonly body: string }> = []
    const client = HttpClient.make((request, url) =>
      Effect.sync(() => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        sent.push({ method: request.method, url: url.toString(), body })
        const recorded = interactions.find((interaction) =>
          interaction.request.method === request.method && new URL(interaction.request.uri).pathname === url.pathname
        )
        const response = recorded === undefined
          ? new Response("{\"status\":404,\"message\":\"Not found\"}", { status: 404 })
          : new Response(recorded.response.body, {
            status: recorded.response.status,
            headers: recorded.response.headers
          })
        return HttpClientResponse.fromWeb(request, response)
      })
    )
    return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
  }

  it.effect("decodes what the real API answered", () => {
    const http = replay(fixture.interactions)
    // The real client with the real default URLs; only the HttpClient under it is replaced.
    const gigachat = GigaChat.layerServices.pipe(
      Layer.provide(GigaChatConfig.layer({ credentials: "dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ=" })),
      Layer.provide(http.layer)
    )
    return Effect.gen(function*() {
      const summary = yield* summarize("effect")
      assert.strictEqual(summary, "Hello.")

      // OAuth first, then the chat, both where the real API lives.
      assert.deepStrictEqual(http.sent.map((request) => `${request.method} ${request.url}`), [
        "POST https://ngw.devices.sberbank.ru:9443/api/v2/oauth",
        "POST https://gigachat.devices.sberbank.ru/api/v1/chat/completions"
      ])
      const body = JSON.parse(http.sent[1]!.body) as { model: string; messages: ReadonlyArray<{ role: string }> }
      assert.strictEqual(body.model, "GigaChat")
      assert.deepStrictEqual(body.messages.map((message) => message.role), ["system", "user"])
    }).pipe(Effect.provide(summarizerWith(gigachat)))
  })

  it.effect("the recorded x-headers reach the caller", () => {
    const http = replay(fixture.interactions)
    const gigachat = GigaChat.layerServices.pipe(
      Layer.provide(GigaChatConfig.layer({ credentials: "dGVzdC1jbGllbnQ6dGVzdC1zZWNyZXQ=" })),
      Layer.provide(http.layer)
    )
    return Effect.gen(function*() {
      const answer = yield* GigaChat.chat("Say 'Hello' and nothing else")
      assert.strictEqual(answer.model, "GigaChat:2.0.28.2")
      assert.deepStrictEqual(answer.usage, {
        prompt_tokens: 17,
        completion_tokens: 3,
        total_tokens: 20,
        precached_prompt_tokens: 2
      })
      assert.strictEqual(answer.xHeaders["x-request-id"], "4c4994bb-1d5a-4b1d-ac15-fd5036950252")
    }).pipe(Effect.provide(gigachat))
  })
})
