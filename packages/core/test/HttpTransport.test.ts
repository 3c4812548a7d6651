import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat, HttpTransport, RequestContext } from "@effect-gigachat/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import { constFalse } from "effect/Function"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { loadCassette } from "./utils/cassette.js"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, json, mockServices, sse } from "./utils/mockHttp.js"

const completion = {
  choices: [{ message: { role: "assistant", content: "Hi!" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:1",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}

const setup = (api: Handler, options: GigaChatConfig.Options = {}) => mockServices(api, { credentials, ...options })

/** A tracer over `base` that records the name of every span it starts. */
const namingTracer = (base: Tracer.Tracer) => {
  const names: Array<string> = []
  const tracer = Tracer.make({
    span: (...args) => {
      names.push(args[0])
      return base.span(...args)
    },
    context: base.context
  })
  return { names, tracer }
}

describe("HttpTransport", () => {
  it.effect("events: the raw events of a stream with their x-headers, and an error object in place of one fails it", () => {
    let calls = 0
    const { api, layer } = setup(() =>
      ++calls === 1
        ? sse(["event: ping\ndata: {\"a\":1}\n\n", "data: not json\n\n"], { headers: { "x-request-id": "ev-1" } })
        : sse(["data: {\"a\":2}\n\n", "data: {\"status\":503,\"message\":\"busy\"}\n\n"])
    )
    return Effect.gen(function*() {
      const transport = yield* HttpTransport.HttpTransport
      const events = yield* Stream.runCollect(transport.events(HttpClientRequest.post("/stream")))
      assert.deepStrictEqual(
        Chunk.toReadonlyArray(events).map((event) => [event.event, event.data, event.xHeaders["x-request-id"]]),
        [["ping", "{\"a\":1}", "ev-1"], [undefined, "not json", "ev-1"]]
      )
      assert.strictEqual(api()[0]!.headers["accept"], "text/event-stream")
      assert.strictEqual(api()[0]!.url, "https://gigachat.test/api/v1/stream")
      const failed = yield* transport.events(HttpClientRequest.post("/stream")).pipe(Stream.either, Stream.runCollect)
      const [first, second] = Chunk.toReadonlyArray(failed)
      assert.strictEqual(Either.getOrThrow(first!).data, "{\"a\":2}")
      assert.strictEqual(Option.getOrThrow(Either.getLeft(second!))._tag, "ServerError")
    }).pipe(Effect.provide(layer))
  })

  it.effect("sends the chat request with the expected URL, headers and body", () => {
    const { api, layer } = setup(() => json(completion, { headers: { "x-request-id": "rid-1" } }))
    return Effect.gen(function*() {
      const answer = yield* GigaChat.chat("Hello")
      assert.strictEqual(answer.choices[0]?.message.content, "Hi!")
      assert.strictEqual(answer.xHeaders["x-request-id"], "rid-1")
      const [request] = api()
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.url, "https://gigachat.test/api/v1/chat/completions")
      assert.match(request?.headers["user-agent"] ?? "", /^effect-gigachat\//)
      assert.strictEqual(request?.headers["accept"], "application/json")
      assert.match(request?.headers["authorization"] ?? "", /^Bearer access-token-value/)
      assert.deepStrictEqual(JSON.parse(request?.body ?? ""), {
        model: "GigaChat",
        messages: [{ role: "user", content: "Hello" }]
      })
    }).pipe(Effect.provide(layer))
  })

  it.effect("maps every status to its error tag and keeps the body", () =>
    Effect.gen(function*() {
      const table: ReadonlyArray<[number, string]> = [
        [400, "BadRequestError"],
        [401, "AuthenticationError"],
        [403, "ForbiddenError"],
        [404, "NotFoundError"],
        [413, "RequestEntityTooLargeError"],
        [422, "UnprocessableEntityError"],
        [429, "RateLimitError"],
        [500, "ServerError"],
        [502, "ServerError"],
        [418, "ResponseError"],
        [204, "ResponseError"]
      ]
      for (const [status, tag] of table) {
        const { layer } = setup(() =>
          new Response(status === 204 ? null : `{"status":${status},"message":"failure ${status}"}`, { status })
        )
        const error = yield* Effect.flip(Effect.provide(GigaChat.chat("x"), layer))
        assert.strictEqual(error._tag, tag, `status ${status}`)
        if (status !== 204) assert.include(error.message, `failure ${status}`)
      }
    }))

  it.effect("does not retry a 400", () => {
    const { api, layer } = setup(() => new Response("{}", { status: 400 }), { maxRetries: 3 })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "BadRequestError")
      assert.strictEqual(api().length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("max_retries 2 makes 3 attempts on 503, with backoff on the clock", () => {
    const { api, layer } = setup(() => new Response("busy", { status: 503 }), { maxRetries: 2 })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(GigaChat.chat("x")))
      yield* TestClock.adjust("400 millis")
      assert.strictEqual(api().length, 1, "the first retry waits at least 0.5 s")
      yield* TestClock.adjust("10 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(api().length, 3)
    }).pipe(Effect.provide(layer))
  })

  it.effect("succeeds after transient failures", () => {
    const { api, layer } = setup((_, index) => index < 3 ? new Response("", { status: 502 }) : json(completion), {
      maxRetries: 3
    })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(GigaChat.chat("x"))
      yield* TestClock.adjust("1 minute")
      const answer = yield* Fiber.join(fiber)
      assert.strictEqual(answer.model, "GigaChat:1")
      // Index counts the OAuth request too: 2 failures, then success.
      assert.strictEqual(api().length, 3)
    }).pipe(Effect.provide(layer))
  })

  it.effect("honours Retry-After, capped by maxRetryAfter", () => {
    const { api, layer } = setup(
      (_, index) =>
        index === 1 ? new Response("slow down", { status: 429, headers: { "retry-after": "5" } }) : json(completion),
      { maxRetries: 1 }
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(GigaChat.chat("x"))
      yield* TestClock.adjust("4900 millis")
      assert.strictEqual(api().length, 1)
      yield* TestClock.adjust("100 millis")
      yield* Fiber.join(fiber)
      assert.strictEqual(api().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("cuts a huge Retry-After to maxRetryAfter", () => {
    const { api, layer } = setup(
      (_, index) =>
        index === 1 ? new Response("", { status: 429, headers: { "retry-after": "86400" } }) : json(completion),
      { maxRetries: 1, maxRetryAfter: "2 seconds" }
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(GigaChat.chat("x"))
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.strictEqual(api().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("uses a caller's Schedule, still only for retryable errors", () => {
    const { api, layer } = setup(() => new Response("", { status: 500 }), {
      retrySchedule: Schedule.recurs(4)
    })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "ServerError")
      assert.strictEqual(api().length, 5)
    }).pipe(Effect.provide(layer))
  })

  it.effect("invalid JSON and a wrong shape are DecodeErrors", () =>
    Effect.gen(function*() {
      const broken = setup(() => new Response("{not json", { headers: { "content-type": "application/json" } }))
      const notJson = yield* Effect.flip(Effect.provide(GigaChat.chat("x"), broken.layer))
      assert.strictEqual(notJson._tag, "DecodeError")
      assert.include(notJson.message, "not valid JSON")
      const shape = setup(() => json({ choices: "nope" }))
      const mismatch = yield* Effect.flip(Effect.provide(GigaChat.chat("x"), shape.layer))
      assert.strictEqual(mismatch._tag, "DecodeError")
      assert.include(mismatch.message, "choices")
    }))

  it.effect("a request that fails validation is never sent", () => {
    const { api, layer } = setup(() => json(completion))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(GigaChat.chat({ messages: [{ role: "user", content: "x" }], max_tokens: -1 }))
      assert.strictEqual(error._tag, "InvalidRequestError")
      assert.include(error.message, "max_tokens")
      assert.strictEqual(api().length, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("times out with a TimeoutError", () => {
    const { layer } = setup(() => Effect.as(Effect.never, json(completion)), { timeout: "2 seconds" })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(GigaChat.chat("x")))
      yield* TestClock.adjust("2 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TimeoutError")
    }).pipe(Effect.provide(layer))
  })

  it.effect("request-context headers reach the API, with withHeaders winning", () => {
    const { api, layer } = setup(() => json(completion))
    return Effect.gen(function*() {
      yield* GigaChat.chat("x").pipe(
        RequestContext.withSessionId("session-1"),
        RequestContext.withRequestId("request-1"),
        RequestContext.withHeaders({ "X-Custom": "yes", "User-Agent": "mine" })
      )
      const headers = api()[0]!.headers
      assert.strictEqual(headers["x-session-id"], "session-1")
      assert.strictEqual(headers["x-request-id"], "request-1")
      assert.strictEqual(headers["x-custom"], "yes")
      assert.strictEqual(headers["user-agent"], "mine")
    }).pipe(Effect.provide(layer))
  })

  it.effect("replays test_chat_simple.yaml: same request body, decoded answer", () => {
    const cassette = loadCassette("test_chat_simple")
    const recorded = cassette.find((interaction) => interaction.request.uri.endsWith("/chat/completions"))!
    const { api, layer } = setup(() =>
      new Response(recorded.response.body, { status: recorded.response.status, headers: recorded.response.headers })
    )
    return Effect.gen(function*() {
      const sent = JSON.parse(recorded.request.body!)
      const answer = yield* GigaChat.chat(sent)
      assert.deepStrictEqual(JSON.parse(api()[0]!.body!), sent)
      assert.strictEqual(answer.object, JSON.parse(recorded.response.body).object)
      assert.isAbove(answer.choices[0]!.message.content.length, 0)
      assert.isAbove(answer.usage.total_tokens, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("under Effect's built-in tracer the SDK makes its span: with httpSpans the request runs in it", () =>
    Effect.gen(function*() {
      const chains: Array<ReadonlyArray<string>> = []
      const handler = () =>
        Effect.map(Effect.option(Effect.currentSpan), (span) => {
          const chain: Array<string> = []
          let current: Tracer.AnySpan | undefined = span._tag === "Some" ? span.value : undefined
          while (current !== undefined) {
            chain.push(current._tag === "Span" ? current.name : "external")
            current = current._tag === "Span" && current.parent._tag === "Some" ? current.parent.value : undefined
          }
          chains.push(chain)
          return json(completion)
        })
      yield* GigaChat.chat("x").pipe(Effect.provide(setup(handler, { httpSpans: true }).layer), Effect.withSpan("app"))
      assert.deepStrictEqual(chains[0]!.slice(1), ["GigaChat.chat", "app"])
      // Without httpSpans no span is made inside a call, so the request runs in the caller's span.
      yield* GigaChat.chat("x").pipe(Effect.provide(setup(handler, {}).layer), Effect.withSpan("app"))
      assert.deepStrictEqual(chains[1], ["app"])
    }))

  it.effect("GigaChat spans with an installed tracer; the platform's http.client span only with httpSpans", () =>
    Effect.gen(function*() {
      const base = yield* Effect.tracer
      const spanNames = (httpSpans: boolean) => {
        const { names, tracer } = namingTracer(base)
        const { layer } = setup(() => json(completion), { httpSpans })
        return GigaChat.chat("x").pipe(Effect.provide(layer), Effect.withTracer(tracer), Effect.as(names))
      }
      const quiet = yield* spanNames(false)
      assert.include(quiet, "GigaChat.chat")
      assert.isFalse(quiet.some((name) => name.startsWith("http.client")), quiet.join(", "))
      const traced = yield* spanNames(true)
      assert.include(traced, "GigaChat.chat")
      assert.isTrue(traced.some((name) => name.startsWith("http.client")), traced.join(", "))
    }))

  it.effect("the SDK's untraced predicate leaves the application's requests traced; under another one it still holds", () =>
    Effect.gen(function*() {
      const { names, tracer } = namingTracer(yield* Effect.tracer)
      const own = HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response("{}"))))
      const { layer } = setup(() => json(completion))
      yield* Effect.gen(function*() {
        yield* GigaChat.chat("x")
        // The application's own request, on the same fiber, keeps the platform's span.
        yield* own.get("https://app.test/own")
        // A predicate set after the SDK's (here: trace everything) is overridden for the SDK's requests only.
        yield* GigaChat.chat("y").pipe(Effect.locally(HttpClient.currentTracerDisabledWhen, constFalse))
      }).pipe(Effect.provide(layer), Effect.withTracer(tracer))
      assert.strictEqual(names.filter((name) => name === "GigaChat.chat").length, 2)
      assert.deepStrictEqual(names.filter((name) => name.startsWith("http.client")), ["http.client GET"])
    }))
})
