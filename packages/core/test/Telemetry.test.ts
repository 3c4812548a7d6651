import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import * as GigaChatConfigModule from "@effect-gigachat/core/GigaChatConfig"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as MetricState from "effect/MetricState"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, json, mockServices, sse, tokenValue } from "./utils/mockHttp.js"

const completion = (model: string, extra: Record<string, unknown> = {}) => ({
  choices: [{ message: { role: "assistant", content: "Hi" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model,
  object: "chat.completion",
  usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
  ...extra
})

const setup = (api: Handler, config: GigaChatConfig.Options = {}) => mockServices(api, { credentials, ...config })

/** The spans ended while `effect` ran, by name. */
const withSpans = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const base = yield* Effect.tracer
    const spans: Array<Tracer.Span> = []
    const tracer = Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: base.context
    })
    const result = yield* Effect.either(Effect.withTracer(effect, tracer))
    return { result, span: (name: string) => spans.find((span) => span.name === name) }
  })

interface Logged {
  readonly level: string
  readonly message: string
  readonly annotations: Record<string, unknown>
}

/** The logs written while `effect` ran, every level let through by the application's logger. */
const withLogs = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const logs: Array<Logged> = []
    const logger = Logger.make(({ annotations, logLevel, message }) => {
      const record: Record<string, unknown> = {}
      for (const [key, value] of annotations) record[key] = value
      logs.push({
        level: logLevel.label,
        message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
        annotations: record
      })
    })
    const result = yield* Effect.either(effect).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.All)
    )
    return { result, logs }
  })

/** A metric's state for the pair whose labels include `labels` (the registry is shared by the whole process). */
const metricState = (name: string, labels: Record<string, string>) =>
  Effect.map(Metric.snapshot, (pairs) => {
    const found = pairs.filter((pair) =>
      pair.metricKey.name === name &&
      Object.entries(labels).every(([key, value]) =>
        pair.metricKey.tags.some((tag) => tag.key === key && tag.value === value)
      )
    )
    return found.map((pair) => pair.metricState)
  })

const counterTotal = (name: string, labels: Record<string, string>) =>
  Effect.map(
    metricState(name, labels),
    (states) => states.reduce((sum, state) => sum + (MetricState.isCounterState(state) ? Number(state.count) : 0), 0)
  )

const histogram = (name: string, labels: Record<string, string>) =>
  Effect.map(metricState(name, labels), (states) => {
    const [state] = states
    return state !== undefined && MetricState.isHistogramState(state) ? state : undefined
  })

const chunk = (model: string, content: string, last = false) =>
  `data: ${
    JSON.stringify({
      choices: [{ delta: { content }, index: 0, ...(last ? { finish_reason: "stop" } : {}) }],
      created: 1,
      model,
      object: "chat.completion",
      ...(last ? { usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } } : {})
    })
  }\n\n`

// Metrics live in one registry per process: tests that read their deltas must not overlap with calls of others.
describe.sequential("Telemetry", () => {
  describe("spans", () => {
    it.effect("a chat call's span has the GenAI attributes, the finish reasons and the request id", () => {
      const { layer } = setup(() => json(completion("GigaChat:span-1"), { headers: { "x-request-id": "req-span-1" } }))
      return Effect.gen(function*() {
        const { result, span } = yield* withSpans(GigaChat.chat({ model: "GigaChat-Pro", messages: [] }))
        assert.isTrue(Either.isRight(result))
        const attributes = Object.fromEntries(span("GigaChat.chat")?.attributes ?? [])
        assert.deepInclude(attributes, {
          "gen_ai.provider.name": "gigachat",
          "gen_ai.system": "gigachat",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "GigaChat-Pro",
          "gen_ai.response.model": "GigaChat:span-1",
          "gen_ai.usage.input_tokens": 7,
          "gen_ai.usage.output_tokens": 3,
          "gigachat.request_id": "req-span-1"
        })
        assert.deepStrictEqual(attributes["gen_ai.response.finish_reasons"], ["stop"])
      }).pipe(Effect.provide(layer))
    })

    it.effect("a failed call's span has the error type and the request id of the answer", () => {
      const { layer } = setup(() =>
        json({ status: 500, message: "boom" }, { status: 500, headers: { "x-request-id": "req-500" } })
      )
      return Effect.gen(function*() {
        const { result, span } = yield* withSpans(GigaChat.embeddings("text"))
        assert.isTrue(Either.isLeft(result))
        const attributes = Object.fromEntries(span("GigaChat.embeddings")?.attributes ?? [])
        assert.deepInclude(attributes, {
          "gen_ai.operation.name": "embeddings",
          "gen_ai.request.model": "Embeddings",
          "error.type": "ServerError",
          "gigachat.request_id": "req-500"
        })
      }).pipe(Effect.provide(layer))
    })

    it.effect("a stream's span counts its chunks and has the usage and finish reason of the last one", () => {
      const model = "GigaChat:stream-span"
      const { layer } = setup(() =>
        sse([chunk(model, "a"), chunk(model, "b"), chunk(model, "", true), "data: [DONE]\n\n"], {
          headers: { "x-request-id": "req-stream" }
        })
      )
      return Effect.gen(function*() {
        const before = yield* counterTotal("gigachat.client.stream.chunks", {
          "gigachat.endpoint": "/chat/completions"
        })
        const { result, span } = yield* withSpans(Stream.runDrain(GigaChat.stream("Hi")))
        assert.isTrue(Either.isRight(result))
        const attributes = Object.fromEntries(span("GigaChat.stream")?.attributes ?? [])
        assert.deepInclude(attributes, {
          "gen_ai.operation.name": "chat",
          "gen_ai.response.model": model,
          "gen_ai.usage.input_tokens": 5,
          "gen_ai.usage.output_tokens": 2,
          "gigachat.stream.chunks": 3,
          "gigachat.request_id": "req-stream"
        })
        assert.deepStrictEqual(attributes["gen_ai.response.finish_reasons"], ["stop"])
        const after = yield* counterTotal("gigachat.client.stream.chunks", { "gigachat.endpoint": "/chat/completions" })
        assert.strictEqual(after - before, 3)
        const usage = yield* histogram("gen_ai.client.token.usage", {
          "gen_ai.response.model": model,
          "gen_ai.token.type": "output"
        })
        assert.strictEqual(usage?.sum, 2)
      }).pipe(Effect.provide(layer))
    })
  })

  describe("metrics", () => {
    it.effect("a call records its duration and token usage under the GenAI names and attributes", () => {
      const model = "GigaChat:metrics-1"
      const { layer } = setup(() => Effect.as(Effect.sleep("250 millis"), json(completion(model))))
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(GigaChat.chat({ model: "GigaChat-Max", messages: [] }))
        yield* TestClock.adjust("250 millis")
        yield* Fiber.join(fiber)
        const labels = {
          "gen_ai.provider.name": "gigachat",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "GigaChat-Max",
          "gen_ai.response.model": model
        }
        const duration = yield* histogram("gen_ai.client.operation.duration", labels)
        assert.strictEqual(duration?.count, 1)
        assert.strictEqual(duration?.sum, 0.25)
        const input = yield* histogram("gen_ai.client.token.usage", { ...labels, "gen_ai.token.type": "input" })
        const output = yield* histogram("gen_ai.client.token.usage", { ...labels, "gen_ai.token.type": "output" })
        assert.strictEqual(input?.sum, 7)
        assert.strictEqual(output?.sum, 3)
      }).pipe(Effect.provide(layer))
    })

    it.effect("requests are counted by endpoint and status, retries by the error retried", () => {
      let calls = 0
      const { layer } = setup(
        () => calls++ === 0 ? json({ status: 503 }, { status: 503 }) : json({ balance: [] }),
        { maxRetries: 2 }
      )
      return Effect.gen(function*() {
        const count = (labels: Record<string, string>) =>
          counterTotal("gigachat.client.requests", { "gigachat.endpoint": "/balance", ...labels })
        const before503 = yield* count({ "http.response.status_code": "503" })
        const before200 = yield* count({ "http.response.status_code": "200" })
        const beforeRetries = yield* counterTotal("gigachat.client.retries", {
          "gigachat.endpoint": "/balance",
          "error.type": "ServerError"
        })
        const fiber = yield* Effect.fork(GigaChat.getBalance())
        yield* TestClock.adjust("1 minute")
        yield* Fiber.join(fiber)
        assert.strictEqual((yield* count({ "http.response.status_code": "503" })) - before503, 1)
        assert.strictEqual((yield* count({ "http.response.status_code": "200" })) - before200, 1)
        const retries = yield* counterTotal("gigachat.client.retries", {
          "gigachat.endpoint": "/balance",
          "error.type": "ServerError"
        })
        assert.strictEqual(retries - beforeRetries, 1)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a file's id is not a label: its requests count under /files/{id}/delete", () => {
      const { layer } = setup(() => json({ id: "file-1", deleted: true }))
      return Effect.gen(function*() {
        const count = (endpoint: string) => counterTotal("gigachat.client.requests", { "gigachat.endpoint": endpoint })
        const before = yield* count("/files/{id}/delete")
        yield* GigaChat.deleteFile("file-1")
        yield* GigaChat.deleteFile("file-2")
        assert.strictEqual((yield* count("/files/{id}/delete")) - before, 2)
        assert.strictEqual(yield* count("/files/file-1/delete"), 0)
      }).pipe(Effect.provide(layer))
    })

    it.effect("token fetches are counted", () => {
      const { layer } = setup(() => json(completion("GigaChat")))
      return Effect.gen(function*() {
        const before = yield* counterTotal("gigachat.client.token_refreshes", {})
        yield* GigaChat.chat("Hi")
        yield* GigaChat.chat("Hi again")
        assert.strictEqual((yield* counterTotal("gigachat.client.token_refreshes", {})) - before, 1)
      }).pipe(Effect.provide(layer))
    })
  })

  describe("logs", () => {
    it.effect("a retry is logged at warning with the endpoint, attempt, status, request id and wait", () => {
      let calls = 0
      const { layer } = setup(
        () =>
          calls++ === 0
            ? json({ status: 503, message: "busy" }, { status: 503, headers: { "x-request-id": "req-retry" } })
            : json(completion("GigaChat")),
        { maxRetries: 1 }
      )
      return Effect.gen(function*() {
        const fiber = yield* Effect.fork(withLogs(GigaChat.chat("Hi")))
        yield* TestClock.adjust("1 minute")
        const { logs, result } = yield* Fiber.join(fiber)
        assert.isTrue(Either.isRight(result))
        const answered = logs.find((log) => log.message.includes("answered 503"))
        assert.deepInclude(answered, { level: "WARN" })
        assert.deepInclude(answered?.annotations, {
          "gigachat.endpoint": "/chat/completions",
          "http.response.status_code": 503,
          "gigachat.request_id": "req-retry"
        })
        const retry = logs.find((log) => log.message.startsWith("GigaChat: retrying"))
        assert.deepInclude(retry, { level: "WARN" })
        assert.deepInclude(retry?.annotations, {
          "gigachat.endpoint": "/chat/completions",
          "gigachat.attempt": 1,
          "error.type": "ServerError",
          "http.response.status_code": 503,
          "gigachat.request_id": "req-retry"
        })
        // 0.5 s × 2^0 plus up to 0.5 s of jitter
        const wait = retry?.annotations["gigachat.retry_wait_ms"] as number
        assert.isAtLeast(wait, 500)
        assert.isAtMost(wait, 1000)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a 429 is logged with the wait the server asked for", () => {
      const { layer } = setup(() => json({ status: 429 }, { status: 429, headers: { "retry-after": "3" } }))
      return Effect.gen(function*() {
        const { logs, result } = yield* withLogs(GigaChat.chat("Hi"))
        assert.isTrue(Either.isLeft(result))
        const logged = logs.find((log) => log.message.includes("answered 429"))
        assert.deepInclude(logged?.annotations, { "http.response.status_code": 429, "gigachat.retry_after_ms": 3000 })
      }).pipe(Effect.provide(layer))
    })

    it.effect("a token fetch is logged at debug, and no log holds a secret", () => {
      const { layer } = setup(() => json(completion("GigaChat")))
      return Effect.gen(function*() {
        const { logs } = yield* withLogs(GigaChat.chat("Hi"))
        const fetched = logs.find((log) => log.message === "GigaChat: fetched an access token")
        assert.deepInclude(fetched, { level: "DEBUG" })
        assert.deepInclude(fetched?.annotations, { "gigachat.endpoint": "/oauth" })
        const text = JSON.stringify(logs)
        assert.notInclude(text, tokenValue)
        assert.notInclude(text, credentials)
      }).pipe(Effect.provide(layer))
    })

    it.effect("an access token of the settings that the server rejects is logged before the credentials are used", () => {
      const { layer } = setup(
        (request) =>
          request.headers["authorization"] === "Bearer settings-token"
            ? json({ status: 401, message: "expired" }, { status: 401 })
            : json(completion("GigaChat")),
        { accessToken: "settings-token" }
      )
      return Effect.gen(function*() {
        const { logs, result } = yield* withLogs(GigaChat.chat("Hi"))
        assert.isTrue(Either.isRight(result))
        const rejected = logs.find((log) => log.message.includes("rejected the access token of the settings"))
        assert.deepInclude(rejected, { level: "WARN" })
        assert.deepInclude(rejected?.annotations, {
          "gigachat.endpoint": "/chat/completions",
          "http.response.status_code": 401
        })
        assert.notInclude(JSON.stringify(logs), "settings-token")
      }).pipe(Effect.provide(layer))
    })

    it.effect("logLevel Warning drops the debug logs and None drops them all", () =>
      Effect.gen(function*() {
        const run = (logLevel: GigaChatConfig.Options["logLevel"]) => {
          const { layer } = setup(() => json({ status: 500 }, { status: 500 }), { logLevel })
          return Effect.map(withLogs(GigaChat.chat("Hi").pipe(Effect.provide(layer))), ({ logs }) =>
            logs.filter((log) => log.message.startsWith("GigaChat:")).map((log) => log.level))
        }
        assert.deepStrictEqual(yield* run(undefined), ["DEBUG", "WARN"])
        assert.deepStrictEqual(yield* run("Warning"), ["WARN"])
        assert.deepStrictEqual(yield* run("None"), [])
      }))
  })

  describe("concurrency limits", () => {
    it.effect("calls over maxConcurrentRequests wait in line, one at a time", () =>
      Effect.gen(function*() {
        let inFlight = 0
        let most = 0
        const { api, layer } = setup(
          () =>
            Effect.gen(function*() {
              inFlight++
              most = Math.max(most, inFlight)
              yield* Effect.sleep("1 second")
              inFlight--
              return json(completion("GigaChat"))
            }),
          { maxConcurrentRequests: 1 }
        )
        const fiber = yield* Effect.fork(
          Effect.all([GigaChat.chat("1"), GigaChat.chat("2"), GigaChat.chat("3")], { concurrency: "unbounded" }).pipe(
            Effect.provide(layer)
          )
        )
        yield* TestClock.adjust("2500 millis")
        assert.strictEqual(api().length, 3)
        assert.isNull(fiber.unsafePoll())
        yield* TestClock.adjust("500 millis")
        const answers = yield* Fiber.join(fiber)
        assert.strictEqual(answers.length, 3)
        assert.strictEqual(most, 1)
      }))

    it.effect("the timeout counts the wait: three calls behind a silent server all end at the timeout", () =>
      Effect.gen(function*() {
        const { layer } = setup(() => Effect.never, { maxConcurrentRequests: 1, timeout: "1 second" })
        const fiber = yield* Effect.fork(
          Effect.all([GigaChat.chat("1"), GigaChat.chat("2"), GigaChat.chat("3")].map(Effect.either), {
            concurrency: "unbounded"
          }).pipe(Effect.provide(layer))
        )
        yield* TestClock.adjust("1 second")
        // All three have ended at 1 s: a call given a fresh timeout after its wait would still be running.
        const polled = yield* Fiber.poll(fiber)
        assert.isTrue(Option.isSome(polled))
        const results = yield* Fiber.join(fiber)
        assert.deepStrictEqual(
          results.map((result) => Either.isLeft(result) ? result.left._tag : "answered"),
          ["TimeoutError", "TimeoutError", "TimeoutError"]
        )
      }))

    it.effect("an interrupted waiter leaves the line: its request is never sent", () =>
      Effect.gen(function*() {
        const release = yield* Deferred.make<void>()
        const { api, layer } = setup(
          (request) =>
            Effect.as(
              request.body?.includes("first") ? Deferred.await(release) : Effect.void,
              json(completion("GigaChat"))
            ),
          { maxConcurrentRequests: 1 }
        )
        return yield* Effect.gen(function*() {
          const first = yield* Effect.fork(GigaChat.chat("first"))
          yield* TestClock.adjust("10 millis")
          const second = yield* Effect.fork(GigaChat.chat("second"))
          const third = yield* Effect.fork(GigaChat.chat("third"))
          yield* TestClock.adjust("10 millis")
          yield* Fiber.interrupt(second)
          yield* Deferred.succeed(release, undefined)
          yield* Fiber.join(first)
          yield* Fiber.join(third)
          assert.deepStrictEqual(
            api().map((request) =>
              (JSON.parse(request.body ?? "{}") as { messages: Array<{ content: string }> }).messages[0]?.content
            ),
            ["first", "third"]
          )
        }).pipe(Effect.provide(layer))
      }))

    it.effect("streams over maxConcurrentStreams wait until an open one ends", () =>
      Effect.gen(function*() {
        const { api, layer } = setup(() => sse([chunk("GigaChat", "a"), "data: [DONE]\n\n"]), {
          maxConcurrentStreams: 1
        })
        return yield* Effect.gen(function*() {
          const gate = yield* Deferred.make<void>()
          // The first stream stays open until the gate opens: the second is not sent before.
          const first = yield* Effect.fork(
            Stream.runForEach(GigaChat.stream("first"), () => Deferred.await(gate))
          )
          yield* TestClock.adjust("10 millis")
          const second = yield* Effect.fork(Stream.runDrain(GigaChat.stream("second")))
          yield* TestClock.adjust("10 millis")
          assert.strictEqual(api().length, 1)
          yield* Deferred.succeed(gate, undefined)
          yield* Fiber.join(first)
          yield* Fiber.join(second)
          assert.strictEqual(api().length, 2)
        }).pipe(Effect.provide(layer))
      }))
  })

  describe("settings", () => {
    it.effect("GIGACHAT_LOG_LEVEL and the concurrency limits are read from the environment", () =>
      Effect.gen(function*() {
        const read = (map: Record<string, string>) =>
          Effect.either(Effect.withConfigProvider(
            GigaChatConfigModule.config,
            ConfigProvider.fromMap(new Map(Object.entries(map)))
          ))
        const options = yield* read({
          GIGACHAT_LOG_LEVEL: "warning",
          GIGACHAT_MAX_CONCURRENT_REQUESTS: "4",
          GIGACHAT_MAX_CONCURRENT_STREAMS: "2"
        })
        assert.isTrue(Either.isRight(options))
        if (Either.isRight(options)) {
          const resolved = GigaChatConfigModule.make(options.right)
          assert.strictEqual(resolved.logLevel, LogLevel.Warning)
          assert.strictEqual(resolved.maxConcurrentRequests, 4)
          assert.strictEqual(resolved.maxConcurrentStreams, 2)
        }
        const bad = yield* read({ GIGACHAT_MAX_CONCURRENT_REQUESTS: "0" })
        assert.isTrue(Either.isLeft(bad))
        assert.include(String(Either.isLeft(bad) ? bad.left : ""), "GIGACHAT_MAX_CONCURRENT_REQUESTS")
        const level = yield* read({ GIGACHAT_LOG_LEVEL: "loud" })
        assert.isTrue(Either.isLeft(level))
      }))
  })
})
