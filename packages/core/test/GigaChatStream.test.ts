import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import type * as Chat from "@effect-gigachat/core/Chat"
import type * as GigaChatError from "@effect-gigachat/core/GigaChatError"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { apiInteractions, readFixture } from "./utils/cassette.js"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, mockServices, sse } from "./utils/mockHttp.js"

const setup = (api: Handler, options: GigaChatConfig.Options = {}) => mockServices(api, { credentials, ...options })

const chunk = (content: string, extra: Record<string, unknown> = {}) => ({
  choices: [{ delta: { content }, index: 0 }],
  created: 1700000000,
  model: "GigaChat:1",
  object: "chat.completion",
  ...extra
})

const frame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`

/** Cuts a text into pieces of `size` characters, so frames and lines straddle the reads. */
const pieces = (text: string, size: number): Array<string> => {
  const out: Array<string> = []
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size))
  return out
}

/** A 200 event stream whose body is the UTF-8 bytes of `text` cut every `size` bytes (splitting Cyrillic letters). */
const byteSse = (text: string, size: number, headers: Record<string, string> = {}): Response => {
  const bytes = new TextEncoder().encode(text)
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let start = 0; start < bytes.length; start += size) controller.enqueue(bytes.slice(start, start + size))
        controller.close()
      }
    }),
    { status: 200, headers: { "content-type": "text/event-stream", ...headers } }
  )
}

/** An event stream that sends `parts` one read at a time, then calls `end` (error or stay open). */
const pulledSse = (parts: ReadonlyArray<string>, end: (controller: ReadableStreamDefaultController) => void) => {
  const encoder = new TextEncoder()
  let index = 0
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (index < parts.length) controller.enqueue(encoder.encode(parts[index++]))
        else end(controller)
      }
    }),
    { status: 200, headers: { "content-type": "text/event-stream" } }
  )
}

/** Every element, then the error (if any) as a final `Left`. */
const collectEither = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(
    Stream.runCollect(Stream.either(stream)),
    (items) => Chunk.toReadonlyArray(items)
  )

/** Collects a stream while the test clock moves a minute on: long enough for any backoff of the retry tests. */
const collectPastBackoff = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Stream.runCollect(stream))
    yield* TestClock.adjust("1 minute")
    return Chunk.toReadonlyArray(yield* Fiber.join(fiber))
  })

const contents = (chunks: ReadonlyArray<Chat.ChatCompletionChunk>) =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content)

describe("GigaChat.stream", () => {
  it.effect("sends stream: true last, with Accept: text/event-stream and Cache-Control: no-store", () => {
    const { api, layer } = setup(() =>
      sse(pieces(frame(chunk("Hel")) + frame(chunk("lo")) + "data: [DONE]\n\n", 7), {
        headers: { "x-request-id": "rid-7", "x-session-id": "sid-7", "x-client-id": "cid-7" }
      })
    )
    return Effect.gen(function*() {
      const chunks = Chunk.toReadonlyArray(
        yield* Stream.runCollect(GigaChat.stream({ messages: [{ role: "user", content: "Hi" }], temperature: 0.5 }))
      )
      assert.deepStrictEqual(contents(chunks), ["Hel", "lo"])
      for (const chunk of chunks) {
        assert.deepStrictEqual(chunk.xHeaders, {
          "x-request-id": "rid-7",
          "x-session-id": "sid-7",
          "x-client-id": "cid-7"
        })
      }
      const [request] = api()
      assert.strictEqual(api().length, 1)
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.url, "https://gigachat.test/api/v1/chat/completions")
      assert.strictEqual(request?.headers["accept"], "text/event-stream")
      assert.strictEqual(request?.headers["cache-control"], "no-store")
      assert.match(request?.headers["authorization"] ?? "", /^Bearer /)
      const body = JSON.parse(request?.body ?? "") as Record<string, unknown>
      assert.strictEqual(Object.keys(body).at(-1), "stream")
      assert.strictEqual(body.stream, true)
      assert.deepStrictEqual(body.messages, [{ role: "user", content: "Hi" }])
      assert.strictEqual(body.temperature, 0.5)
    }).pipe(Effect.provide(layer))
  })

  it.effect("with an installed tracer, the GigaChat.stream span holds the request and ends after the last chunk", () =>
    Effect.gen(function*() {
      const base = yield* Effect.tracer
      const events: Array<string> = []
      const tracer = Tracer.make({
        span: (...args) => {
          const span = base.span(...args)
          events.push(`start ${span.name}`)
          const end = span.end.bind(span)
          span.end = (endTime, exit) => {
            events.push(`end ${span.name}`)
            end(endTime, exit)
          }
          return span
        },
        context: base.context
      })
      const { layer } = setup(() =>
        Effect.map(Effect.option(Effect.currentSpan), (span) => {
          events.push(`request in ${Option.match(span, { onNone: () => "none", onSome: (span) => span.name })}`)
          return sse([frame(chunk("a")), frame(chunk("b")), "data: [DONE]\n\n"])
        })
      )
      yield* Stream.runForEach(GigaChat.stream("x"), (chunk) =>
        Effect.sync(() => {
          events.push(`chunk ${chunk.choices[0]?.delta.content}`)
        })).pipe(Effect.provide(layer), Effect.withTracer(tracer))
      assert.deepStrictEqual(events, [
        "start GigaChat.stream",
        "start GigaChat.Auth.oauth",
        "end GigaChat.Auth.oauth",
        "request in GigaChat.stream",
        "chunk a",
        "chunk b",
        "end GigaChat.stream"
      ])
    }))

  it.effect("replays test_stream_simple.yaml, cut every 5 bytes, to the recorded chunks", () => {
    const [recorded] = apiInteractions("test_stream_simple")
    assert.isDefined(recorded)
    const { api, layer } = setup(() => byteSse(recorded.response.body, 5, recorded.response.headers))
    return Effect.gen(function*() {
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(GigaChat.stream("Count from 1 to 3")))
      assert.deepStrictEqual(JSON.parse(api()[0]?.body ?? ""), JSON.parse(recorded.request.body ?? ""))
      assert.strictEqual(chunks.length, 5)
      assert.deepStrictEqual(contents(chunks), [
        "$1\\, 2\\, 3$  \n\n**Подробный разбор:",
        "**\n- Начинаем счёт с единицы.",
        "\n- Добавляем следующее число — двойку.",
        "\n- Заканчиваем счётом числом три.",
        ""
      ])
      assert.strictEqual(chunks[0]?.choices[0]?.delta.role, "assistant")
      assert.strictEqual(chunks[0]?.model, "GigaChat:2.0.28.2")
      assert.strictEqual(chunks[4]?.choices[0]?.finish_reason, "stop")
      assert.deepStrictEqual(chunks[4]?.usage, {
        prompt_tokens: 17,
        completion_tokens: 42,
        total_tokens: 59,
        precached_prompt_tokens: 2
      })
      assert.strictEqual(chunks[0]?.xHeaders["x-request-id"], "a6c1229b-a0aa-4f75-96a0-3b74f1defd62")
      assert.strictEqual(chunks[4]?.xHeaders["x-session-id"], "d1102deb-406b-4f42-ba4d-3b7ccc402570")
    }).pipe(Effect.provide(layer))
  })

  it.effect("replays responses/chat_completion.stream, cut every 3 bytes, to its three chunks", () => {
    const { layer } = setup(() => byteSse(readFixture("chat_completion.stream"), 3))
    return Effect.gen(function*() {
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(GigaChat.stream("Hi")))
      assert.strictEqual(chunks.length, 3)
      assert.match(chunks[0]?.choices[0]?.delta.content ?? "", /^Конечно, у человечества/)
      assert.match(chunks[0]?.choices[0]?.delta.content ?? "", /с умом$/)
      assert.deepStrictEqual(contents(chunks).slice(1), [".", ""])
      assert.strictEqual(chunks[2]?.choices[0]?.finish_reason, "stop")
      assert.isTrue(chunks.every((chunk) => chunk.model === "GigaChat:v1.2.19.2"))
    }).pipe(Effect.provide(layer))
  })

  it.effect("[DONE] ends the stream even when the server keeps the body open", () => {
    const { layer } = setup(() =>
      pulledSse(
        [frame(chunk("a")), "data: [DONE]\n\n", frame(chunk("after done"))],
        () => {} // never closes
      )
    )
    return Effect.gen(function*() {
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(GigaChat.stream("Hi")))
      assert.deepStrictEqual(contents(chunks), ["a"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("a 200 answer that is not text/event-stream fails with a DecodeError naming the type, once", () => {
    const { api, layer } = setup(
      () =>
        new Response("<html>maintenance</html>", {
          status: 200,
          headers: { "content-type": "text/html; charset=utf-8" }
        }),
      {
        maxRetries: 2
      }
    )
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(GigaChat.stream("Hi")))
      assert.strictEqual(error._tag, "DecodeError")
      assert.include(error.message, "text/html")
      assert.include(error.message, "/chat/completions")
      assert.strictEqual((error as GigaChatError.DecodeError).body, "<html>maintenance</html>")
      assert.strictEqual(api().length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an error status before the stream fails with the same typed error as chat", () =>
    Effect.gen(function*() {
      const table: ReadonlyArray<[number, GigaChatError.GigaChatError["_tag"]]> = [
        [400, "BadRequestError"],
        [401, "AuthenticationError"],
        [429, "RateLimitError"],
        [500, "ServerError"]
      ]
      for (const [status, tag] of table) {
        const answer = () =>
          new Response(`{"status":${status},"message":"failure ${status}"}`, {
            status,
            headers: { "content-type": "application/json", "x-request-id": `rid-${status}` }
          })
        const streamed = setup(answer)
        const streamError = yield* Effect.flip(Effect.provide(Stream.runDrain(GigaChat.stream("x")), streamed.layer))
        const chatError = yield* Effect.flip(Effect.provide(GigaChat.chat("x"), setup(answer).layer))
        assert.strictEqual(streamError._tag, tag, `status ${status}`)
        assert.strictEqual(chatError._tag, tag, `status ${status}`)
        assert.include(streamError.message, `failure ${status}`)
        assert.strictEqual((streamError as GigaChatError.StatusError).requestId, `rid-${status}`)
      }
    }))

  it.effect("re-authenticates on a 401 to a cached token before the stream starts", () => {
    const { layer, mock } = setup(() =>
      mock.to("/oauth").length === 1
        ? new Response(`{"status":401,"message":"expired"}`, { status: 401 })
        : sse([frame(chunk("ok"))])
    )
    return Effect.gen(function*() {
      yield* GigaChat.getToken()
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(GigaChat.stream("Hi")))
      assert.deepStrictEqual(contents(chunks), ["ok"])
      assert.strictEqual(mock.to("/oauth").length, 2)
      assert.strictEqual(mock.to("/chat/completions").length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a 401 to a token fetched for this stream is its answer: one OAuth request, one API request", () => {
    const { layer, mock } = setup(() => new Response(`{"status":401,"message":"wrong scope"}`, { status: 401 }))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runCollect(GigaChat.stream("Hi")))
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(mock.to("/oauth").length, 1)
      assert.strictEqual(mock.to("/chat/completions").length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an error object in the stream fails with a ServerError after the chunks before it", () => {
    const { layer } = setup(() =>
      sse(pieces(
        frame(chunk("one")) + frame(chunk("two")) + `data: {"status":500,"message":"Internal model failure"}\n\n` +
          frame(chunk("never")),
        11
      ))
    )
    return Effect.gen(function*() {
      const items = yield* collectEither(GigaChat.stream("Hi"))
      assert.strictEqual(items.length, 3)
      assert.deepStrictEqual(items.slice(0, 2).map((item) => Either.getOrThrow(item).choices[0]?.delta.content), [
        "one",
        "two"
      ])
      const last = items[2]!
      const error = Either.flip(last).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "ServerError")
      assert.include(error.message, "Internal model failure")
    }).pipe(Effect.provide(layer))
  })

  it.effect("a final frame without the closing blank line is still delivered", () => {
    const { layer } = setup(() =>
      sse([frame(chunk("first")), `data: ${JSON.stringify(chunk("last", { usage: undefined }))}`])
    )
    return Effect.gen(function*() {
      const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(GigaChat.stream("Hi")))
      assert.deepStrictEqual(contents(chunks), ["first", "last"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("an event that is not JSON fails with a DecodeError after the chunks before it", () => {
    const { layer } = setup(() => sse([frame(chunk("fine")), "data: {\"choices\": [\n\n", frame(chunk("never"))]))
    return Effect.gen(function*() {
      const items = yield* collectEither(GigaChat.stream("Hi"))
      assert.strictEqual(items.length, 2)
      assert.strictEqual(Either.getOrThrow(items[0]!).choices[0]?.delta.content, "fine")
      const error = Either.flip(items[1]!).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "DecodeError")
      assert.include(error.message, "not valid JSON")
      assert.strictEqual((error as GigaChatError.DecodeError).body, "{\"choices\": [")
    }).pipe(Effect.provide(layer))
  })

  it.effect("an event that does not match the chunk shape fails with a DecodeError", () => {
    const { layer } = setup(() => sse([frame({ choices: "nope", created: 1 })]))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Stream.runDrain(GigaChat.stream("Hi")))
      assert.strictEqual(error._tag, "DecodeError")
      assert.include(error.message, "expected shape")
    }).pipe(Effect.provide(layer))
  })

  it.effect("an event larger than maxSseEventSize fails with a DecodeError", () => {
    const { layer } = setup(() => sse(pieces(frame(chunk("short")) + frame(chunk("x".repeat(500))), 64)), {
      maxSseEventSize: 300
    })
    return Effect.gen(function*() {
      const items = yield* collectEither(GigaChat.stream("Hi"))
      assert.strictEqual(items.length, 2)
      assert.strictEqual(Either.getOrThrow(items[0]!).choices[0]?.delta.content, "short")
      const error = Either.flip(items[1]!).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "DecodeError")
      assert.include(error.message, "https://gigachat.test/api/v1/chat/completions")
      assert.include(error.message, "size limit of 300")
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries a 503 before the stream and emits the chunks of the good answer once", () => {
    const { api, layer } = setup(
      (_, index) =>
        index === 1
          ? new Response("busy", { status: 503 })
          : sse([frame(chunk("a")), frame(chunk("b")), "data: [DONE]\n\n"]),
      { maxRetries: 2 }
    )
    return Effect.gen(function*() {
      const chunks = yield* collectPastBackoff(GigaChat.stream("Hi"))
      assert.deepStrictEqual(contents(chunks), ["a", "b"])
      assert.strictEqual(api().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an error object sent as the first event is retried; the chunks carry the good answer's headers", () => {
    const { api, layer } = setup(
      (_, index) =>
        index === 1
          ? sse([`data: {"status":503,"message":"Service temporarily unavailable"}\n\n`], {
            headers: { "x-request-id": "rid-busy" }
          })
          : sse([frame(chunk("a")), frame(chunk("b")), "data: [DONE]\n\n"], {
            headers: { "x-request-id": "rid-good" }
          }),
      { maxRetries: 2 }
    )
    return Effect.gen(function*() {
      const chunks = yield* collectPastBackoff(GigaChat.stream("Hi"))
      assert.deepStrictEqual(contents(chunks), ["a", "b"])
      assert.deepStrictEqual(chunks.map((chunk) => chunk.xHeaders["x-request-id"]), ["rid-good", "rid-good"])
      assert.strictEqual(api().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a connection that breaks before the first event is retried after the backoff", () => {
    const { api, layer } = setup(
      (_, index) =>
        index === 1
          ? pulledSse([": keep-alive\n"], (controller) => controller.error(new TypeError("terminated")))
          : sse([frame(chunk("a")), "data: [DONE]\n\n"]),
      { maxRetries: 1 }
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Stream.runCollect(GigaChat.stream("Hi")))
      yield* TestClock.adjust("400 millis")
      // The first retry waits 0.5 s at least (backoff factor 0.5, attempt 0).
      assert.strictEqual(api().length, 1)
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(contents(Chunk.toReadonlyArray(yield* Fiber.join(fiber))), ["a"])
      assert.strictEqual(api().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries before the headers and before the first event share one budget", () => {
    // A 503 status, then an error event, then the answer: two retries, which maxRetries 1 does not allow.
    const { api, layer } = setup(
      (_, index) =>
        index === 1
          ? new Response("busy", { status: 503 })
          : index === 2
          ? sse([`data: {"status":503,"message":"still busy"}\n\n`])
          : sse([frame(chunk("late")), "data: [DONE]\n\n"]),
      { maxRetries: 1 }
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(Stream.runDrain(GigaChat.stream("Hi"))))
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "ServerError")
      assert.include(error.message, "still busy")
      assert.strictEqual(api().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an error event that is not retryable, or with retries off, fails at once with its error", () => {
    const failing = (status: number, maxRetries: number) => {
      const { api, layer } = setup(() => sse([`data: {"status":${status},"message":"failure ${status}"}\n\n`]), {
        maxRetries
      })
      return Effect.map(
        Effect.flip(Stream.runDrain(GigaChat.stream("Hi"))).pipe(Effect.provide(layer)),
        (error) => [error._tag, api().length] as const
      )
    }
    return Effect.gen(function*() {
      assert.deepStrictEqual(yield* failing(400, 2), ["BadRequestError", 1])
      assert.deepStrictEqual(yield* failing(503, 0), ["ServerError", 1])
    })
  })

  it.effect("a connection that breaks after 2 chunks ends with a TransportError: no retry, no duplicate", () => {
    const { api, layer } = setup(
      () =>
        pulledSse(
          [frame(chunk("a")), frame(chunk("b"))],
          (controller) => controller.error(new TypeError("terminated: other side closed"))
        ),
      { maxRetries: 2 }
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(collectEither(GigaChat.stream("Hi")))
      yield* TestClock.adjust("1 minute")
      const items = yield* Fiber.join(fiber)
      assert.strictEqual(items.length, 3)
      assert.deepStrictEqual(items.slice(0, 2).map((item) => Either.getOrThrow(item).choices[0]?.delta.content), [
        "a",
        "b"
      ])
      const error = Either.flip(items[2]!).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(api().length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a body that stalls longer than the timeout fails with a TimeoutError after the chunks so far", () => {
    const { layer } = setup(() => pulledSse([frame(chunk("a"))], () => {}), { timeout: "10 seconds" })
    return Effect.gen(function*() {
      const first = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        collectEither(GigaChat.stream("Hi").pipe(Stream.tap(() => Deferred.succeed(first, undefined))))
      )
      yield* Deferred.await(first)
      yield* TestClock.adjust("9 seconds")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "9 seconds of silence are within the timeout")
      yield* TestClock.adjust("2 seconds")
      const items = yield* Fiber.join(fiber)
      assert.strictEqual(items.length, 2)
      const error = Either.flip(items[1]!).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "TimeoutError")
    }).pipe(Effect.provide(layer))
  })

  it.effect("a consumer slower than the timeout does not time the stream out: only waits for the server count", () => {
    const { layer } = setup(() => sse([frame(chunk("a")), frame(chunk("b")), "data: [DONE]\n\n"]), {
      timeout: "10 seconds"
    })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        collectEither(GigaChat.stream("Hi").pipe(Stream.tap(() => Effect.sleep("1 minute"))))
      )
      yield* TestClock.adjust("3 minutes")
      const items = yield* Fiber.join(fiber)
      assert.deepStrictEqual(items.map((item) => Either.getOrThrow(item).choices[0]?.delta.content), ["a", "b"])
    }).pipe(Effect.provide(layer))
  })
})

describe("streaming helpers", () => {
  const functionStream = [
    frame({
      choices: [{ delta: { role: "assistant", content: "", reasoning_content: "Think " }, index: 0 }],
      created: 1,
      model: "GigaChat:1",
      object: "chat.completion"
    }),
    frame({
      choices: [{ delta: { reasoning_content: "hard." }, index: 0 }],
      created: 1,
      model: "GigaChat:1",
      object: "chat.completion"
    }),
    frame({
      choices: [{
        delta: {
          content: "",
          function_call: { name: "weather", arguments: { city: "Москва" } },
          functions_state_id: "state-1"
        },
        index: 0,
        finish_reason: "function_call"
      }],
      created: 2,
      model: "GigaChat:1",
      object: "chat.completion",
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
    }),
    "data: [DONE]\n\n"
  ]

  it.effect("streamText gives the non-empty text deltas", () => {
    const { layer } = setup(() =>
      sse([frame(chunk("При")), frame(chunk("")), frame(chunk("вет")), frame(chunk("!", { usage: undefined }))])
    )
    return Effect.gen(function*() {
      const texts = yield* Stream.runCollect(GigaChat.streamText(GigaChat.stream("Hi")))
      assert.deepStrictEqual(Chunk.toReadonlyArray(texts), ["При", "вет", "!"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("finalCompletion folds content, finish_reason, usage and xHeaders", () => {
    const { layer } = setup(() =>
      sse([
        frame({ ...chunk("Hel"), choices: [{ delta: { role: "assistant", content: "Hel" }, index: 0 }] }),
        frame(chunk("lo")),
        frame({
          ...chunk(""),
          choices: [{ delta: { content: "" }, index: 0, finish_reason: "stop" }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }
        }),
        "data: [DONE]\n\n"
      ], { headers: { "x-request-id": "rid-final" } })
    )
    return Effect.gen(function*() {
      const completion = yield* GigaChat.finalCompletion(GigaChat.stream("Hi"))
      assert.deepStrictEqual(completion.choices, [{
        index: 0,
        message: { role: "assistant", content: "Hello" },
        finish_reason: "stop"
      }])
      assert.deepStrictEqual(completion.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 })
      assert.strictEqual(completion.model, "GigaChat:1")
      assert.strictEqual(completion.xHeaders["x-request-id"], "rid-final")
    }).pipe(Effect.provide(layer))
  })

  it.effect("finalCompletion folds a function call, its state id and the reasoning", () => {
    const { layer } = setup(() => sse(pieces(functionStream.join(""), 9)))
    return Effect.gen(function*() {
      const completion = yield* GigaChat.finalCompletion(GigaChat.stream("Weather?"))
      assert.deepStrictEqual(completion.choices, [{
        index: 0,
        message: {
          role: "assistant",
          content: "",
          reasoning_content: "Think hard.",
          function_call: { name: "weather", arguments: { city: "Москва" } },
          functions_state_id: "state-1"
        },
        finish_reason: "function_call"
      }])
      assert.deepStrictEqual(completion.usage, { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 })
      assert.strictEqual(completion.created, 2)
    }).pipe(Effect.provide(layer))
  })

  it("accumulate keeps choices apart by index and sorts them", () => {
    const base = { created: 1, model: "GigaChat:1", object: "chat.completion" }
    const completion = GigaChat.accumulate([
      { ...base, choices: [{ delta: { role: "assistant", content: "B1" }, index: 1 }] },
      { ...base, choices: [{ delta: { role: "assistant", content: "A1" }, index: 0 }] },
      { ...base, choices: [{ delta: { content: "B2" }, index: 1, finish_reason: "length" }] },
      { ...base, choices: [{ delta: { content: "A2" }, index: 0, finish_reason: "stop" }] }
    ])
    assert.deepStrictEqual(
      completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
      [
        [0, "A1A2", "stop"],
        [1, "B1B2", "length"]
      ]
    )
    assert.deepStrictEqual(completion.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
  })
})
