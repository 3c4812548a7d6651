/**
 * End-to-end tests of the backend over loopback: the emulator on a socket, GigaChat over undici pointed at it, the
 * backend over that GigaChat, and an HTTP client calling the backend — everything on 127.0.0.1, real time, waits
 * bounded by `eventually`.
 */
import { GigaChatConfig, Sse } from "@effect-gigachat/core"
import type { GigaChat } from "@effect-gigachat/core"
import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Readline from "node:readline"
import { ChatAnswer } from "../src/backend/routes.js"
import * as Server from "../src/backend/server.js"

const chatRoute = "POST /api/v1/chat/completions"

/** Polls `read` until `done` holds, for at most `within`; fails the test otherwise. */
const eventually = <A, E, R>(
  what: string,
  read: Effect.Effect<A, E, R>,
  done: (a: A) => boolean,
  within: Duration.DurationInput = "5 seconds"
) =>
  read.pipe(
    Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: done }),
    Effect.timeoutFail({
      duration: within,
      onTimeout: () => new Error(`not within ${Duration.format(within)}: ${what}`)
    })
  )

interface Setup {
  readonly emulator: NodeGigaChatEmulator.Service
  readonly backend: Server.Service
  /** Shuts the backend down (its graceful shutdown), as the end of its layer's scope would. */
  readonly closeBackend: Effect.Effect<void>
  /** Closes the GigaChat client (its undici agent). */
  readonly closeGigaChat: Effect.Effect<void>
}

/**
 * The emulator lives in the test's scope; GigaChat and the backend get scopes of their own so that a test can close
 * them in the order a process does, and look at what is left open in between.
 */
const setup = (
  options: { readonly backend?: Server.Options; readonly faults?: ReadonlyArray<GigaChatEmulator.Fault> }
) =>
  Effect.gen(function*() {
    const emulator = yield* NodeGigaChatEmulator.make({ faults: options.faults })
    const gigachatScope = yield* Scope.make()
    const backendScope = yield* Scope.make()
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(Scope.close(backendScope, Exit.void), Scope.close(gigachatScope, Exit.void))
    )
    const gigachat: Context.Context<GigaChat.GigaChat> = yield* Layer.buildWithScope(
      NodeGigaChat.layerServices.pipe(
        Layer.provide(GigaChatConfig.layer({
          baseUrl: emulator.baseUrl,
          authUrl: emulator.authUrl,
          credentials: GigaChatEmulator.defaultCredentials
        }))
      ),
      gigachatScope
    )
    const backend = yield* Server.make(options.backend).pipe(
      Effect.provide(gigachat),
      Scope.extend(backendScope)
    )
    return {
      emulator,
      backend,
      closeBackend: Scope.close(backendScope, Exit.void),
      closeGigaChat: Scope.close(gigachatScope, Exit.void)
    } satisfies Setup
  })

const chatRequest = (url: string, content: string, headers: Record<string, string> = {}) =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.bodyUnsafeJson({ messages: [{ role: "user", content }] }),
    HttpClientRequest.setHeaders(headers)
  )

/** The events of `POST /chat/stream`, read as they arrive; stopping early closes the connection. */
const streamEvents = (origin: string, content: string) =>
  Stream.unwrap(
    Effect.map(
      Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(chatRequest(`${origin}/chat/stream`, content))),
      (response) => Sse.decode()(response.stream)
    )
  )

const postChat = (origin: string, content: string, headers?: Record<string, string>) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(chatRequest(`${origin}/chat`, content, headers)))

const deltas = (events: Iterable<Sse.Event>): string =>
  Array.from(events).filter((event) => event.event === undefined).map((event) =>
    (JSON.parse(event.data) as { delta: string }).delta
  ).join("")

const chatRequestsSeen = (emulator: NodeGigaChatEmulator.Service) =>
  Effect.map(
    emulator.emulator.requests,
    (requests) => requests.filter((request) => request.path === "/api/v1/chat/completions")
  )

// A reply of 100 chunks, 200 ms apart: 20 seconds if nobody cuts it short.
const slowStream = { route: chatRoute, chunkDelay: "200 millis" } as const
const longPrompt = "count from 1 to 100"

const quiet = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  self.pipe(Effect.provide(NodeHttpClient.layerUndici), Effect.provide(Logger.remove(Logger.defaultLogger)))

describe("backend over loopback", () => {
  it.scopedLive("POST /chat answers with JSON and passes the session id on to GigaChat", () =>
    quiet(Effect.gen(function*() {
      const { backend, emulator } = yield* setup({})

      const given = yield* postChat(backend.url, "Say hello", { "x-session-id": "e2e-session-1" })
      assert.strictEqual(given.status, 200)
      assert.strictEqual(given.headers["x-session-id"], "e2e-session-1")
      const answer = yield* HttpClientResponse.schemaBodyJson(ChatAnswer)(given)
      assert.deepStrictEqual([answer.sessionId, answer.answer, answer.finishReason], ["e2e-session-1", "hello", "stop"])
      assert.isAbove(answer.usage.totalTokens, 0)

      // Without a session id the backend makes one, and GigaChat sees the same one.
      const generated = yield* postChat(backend.url, "Say bye")
      const generatedId = generated.headers["x-session-id"]
      assert.match(generatedId ?? "", /^[0-9a-f-]{36}$/)

      const seen = yield* chatRequestsSeen(emulator)
      assert.deepStrictEqual(seen.map((request) => request.headers["x-session-id"]), ["e2e-session-1", generatedId])

      const bad = yield* postChat(backend.url, "hi", { "x-session-id": "not a valid id!" })
      assert.strictEqual(bad.status, 400)
      const malformed = yield* Effect.flatMap(
        HttpClient.HttpClient,
        (client) => client.execute(HttpClientRequest.post(`${backend.url}/chat`).pipe(HttpClientRequest.bodyText("{")))
      )
      assert.strictEqual(malformed.status, 400)
    })))

  it.scopedLive("POST /chat/stream relays the tokens as server-sent events", () =>
    quiet(Effect.gen(function*() {
      const { backend } = yield* setup({})
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(streamEvents(backend.url, "count from 1 to 5")))
      assert.strictEqual(deltas(events), "1, 2, 3, 4, 5")
      const last = events[events.length - 1]
      assert.strictEqual(last?.event, "done")
      assert.strictEqual((JSON.parse(last?.data ?? "{}") as { finishReason: string }).finishReason, "stop")
    })))

  it.scopedLive("GigaChat failures become statuses and error events, with no upstream details", () =>
    quiet(Effect.gen(function*() {
      const { backend, emulator } = yield* setup({})
      yield* emulator.emulator.addFault({ route: chatRoute, times: 1, status: 429, headers: { "retry-after": "3" } })
      const limited = yield* postChat(backend.url, "Say hi")
      assert.strictEqual(limited.status, 503)
      assert.strictEqual(limited.headers["retry-after"], "3")
      assert.deepStrictEqual(yield* limited.json, { error: "RateLimitError" })

      const unknownModel = yield* Effect.flatMap(HttpClient.HttpClient, (client) =>
        client.execute(
          HttpClientRequest.post(`${backend.url}/chat`).pipe(
            HttpClientRequest.bodyUnsafeJson({ messages: [{ role: "user", content: "hi" }], model: "NoSuchModel" })
          )
        ))
      assert.strictEqual(unknownModel.status, 400)
      assert.deepStrictEqual(yield* unknownModel.json, { error: "NotFoundError" })

      // Once the stream has started, a failure is its last event.
      yield* emulator.emulator.addFault({ route: chatRoute, times: 1, dropAfterChunks: 2 })
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(streamEvents(backend.url, longPrompt)))
      assert.strictEqual(deltas(events), "1, 2, ")
      const last = events[events.length - 1]
      assert.deepStrictEqual([last?.event, last?.data], ["error", JSON.stringify({ error: "TransportError" })])
    })))

  it.scopedLive("a client that disconnects mid-stream aborts the backend's request to GigaChat and frees its slot", () =>
    quiet(Effect.gen(function*() {
      const { backend, emulator } = yield* setup({ backend: { maxConcurrentChats: 1 }, faults: [slowStream] })

      const whileConnected = Effect.gen(function*() {
        // The upstream stream is running and the only chat slot is taken.
        assert.strictEqual(yield* emulator.emulator.activeRequests, 1)
        assert.strictEqual((yield* postChat(backend.url, "Say hi")).status, 429)
      })
      const firstTwo = yield* streamEvents(backend.url, longPrompt).pipe(
        Stream.zipWithIndex,
        Stream.tap(([, index]) => index === 1 ? whileConnected : Effect.void),
        Stream.take(2),
        Stream.runCollect
      )
      assert.strictEqual(deltas(Chunk.map(firstTwo, ([event]) => event)), "1, 2, ")

      // The client is gone. The whole reply would take 20 s; the upstream request ends at once instead.
      yield* eventually("the emulator's stream is cancelled", emulator.emulator.activeRequests, (n) => n === 0)
      yield* eventually("the backend's request is over", backend.inFlight, (n) => n === 0)
      assert.strictEqual((yield* chatRequestsSeen(emulator)).length, 1)

      // The slot is free again.
      const after = yield* postChat(backend.url, "Say hi")
      assert.strictEqual(after.status, 200)
    })))

  it.scopedLive(
    "ten clients that disconnect midway leave no request and no connection open to GigaChat",
    () =>
      quiet(Effect.gen(function*() {
        const { backend, emulator } = yield* setup({
          backend: { maxConcurrentChats: 20 },
          faults: [slowStream]
        })
        // Each client reads three tokens of a 100-token reply (20 s at this pace), then hangs up.
        const clients = yield* Effect.all(
          Array.from(
            { length: 10 },
            () => streamEvents(backend.url, longPrompt).pipe(Stream.take(3), Stream.runCollect)
          ),
          { concurrency: "unbounded" }
        )
        assert.deepStrictEqual(
          clients.map((events) => deltas(events)),
          Array.from({ length: 10 }, () => "1, 2, 3, ")
        )
        yield* eventually("the emulator's streams are cancelled", emulator.emulator.activeRequests, (n) => n === 0)
        yield* eventually("the backend's requests are over", backend.inFlight, (n) => n === 0)
        // The aborted streams' sockets are closed at once; the OAuth request's idle one when undici's keep-alive ends.
        yield* eventually(
          "no connection is left open to the emulator",
          emulator.openConnections,
          (n) => n === 0,
          "10 seconds"
        )
        assert.strictEqual((yield* chatRequestsSeen(emulator)).length, 10)
      })),
    { timeout: 20_000 }
  )

  it.scopedLive(
    "shutdown lets ten streams in flight finish within the grace period and refuses new requests",
    () =>
      quiet(Effect.gen(function*() {
        const { backend, closeBackend, emulator } = yield* setup({
          // Far longer than the streams: shutdown must end when they do, not when the grace period does.
          backend: { maxConcurrentChats: 20, shutdownGracePeriod: "1 hour" },
          faults: [{ route: chatRoute, chunkDelay: "40 millis" }]
        })
        const started = yield* Effect.makeSemaphore(0)
        const readers = yield* Effect.forEach(
          Array.from({ length: 10 }),
          () =>
            streamEvents(backend.url, "count from 1 to 40").pipe(
              Stream.zipWithIndex,
              Stream.tap(([, index]) => index === 0 ? started.release(1) : Effect.void),
              Stream.map(([event]) => event),
              Stream.runCollect,
              Effect.fork
            )
        )
        // Every stream has its first token: all ten are in flight, with about 1.6 s to go.
        yield* started.take(10)
        assert.strictEqual(yield* backend.inFlight, 10)

        const stopping = yield* Effect.fork(closeBackend)
        // Until shutdown begins a new request is answered; from then on it is refused (the port is closed) or gets a 503.
        const refused = yield* Effect.exit(postChat(backend.url, "Say hi")).pipe(
          Effect.filterOrFail((exit) => Exit.isFailure(exit) || exit.value.status === 503, () => "still accepted"),
          Effect.retry(Schedule.spaced("20 millis")),
          Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => new Error("new requests are still accepted") })
        )
        if (Exit.isSuccess(refused)) assert.deepStrictEqual(yield* refused.value.json, { error: "ShuttingDown" })

        const expected = Array.from({ length: 40 }, (_, i) => i + 1).join(", ")
        for (const reader of readers) {
          const events = Chunk.toReadonlyArray(yield* Fiber.join(reader))
          assert.strictEqual(deltas(events), expected)
          assert.strictEqual(events[events.length - 1]?.event, "done")
        }
        yield* Fiber.join(stopping)
        assert.strictEqual(yield* backend.inFlight, 0)
        yield* eventually("the backend's connections are closed", backend.openConnections, (n) => n === 0)
        assert.strictEqual(yield* emulator.emulator.activeRequests, 0)
      })),
    { timeout: 20_000 }
  )

  it.scopedLive("shutdown ends the streams still open at the end of the grace period and leaves no connection open", () =>
    quiet(Effect.gen(function*() {
      // The reply would take 20 s; after a grace period of 300 ms the stream ends with a ShuttingDown event.
      const { backend, closeBackend, closeGigaChat, emulator } = yield* setup({
        backend: { shutdownGracePeriod: "300 millis" },
        faults: [slowStream]
      })
      const firstEvent = yield* Deferred.make<void>()
      const reader = yield* streamEvents(backend.url, longPrompt).pipe(
        Stream.tap(() => Deferred.succeed(firstEvent, undefined)),
        Stream.runCollect,
        Effect.fork
      )
      yield* Deferred.await(firstEvent)
      assert.strictEqual(yield* backend.inFlight, 1)

      yield* closeBackend

      const events = Chunk.toReadonlyArray(yield* Fiber.join(reader))
      const last = events[events.length - 1]
      assert.deepStrictEqual([last?.event, last?.data], ["error", JSON.stringify({ error: "ShuttingDown" })])

      yield* eventually("the backend's connections are closed", backend.openConnections, (n) => n === 0)
      assert.strictEqual(yield* backend.inFlight, 0)
      const refused = yield* Effect.exit(postChat(backend.url, "Say hi"))
      assert.isTrue(Exit.isFailure(refused), "the backend no longer accepts connections")
      yield* eventually("the upstream stream is cancelled", emulator.emulator.activeRequests, (n) => n === 0)

      // Then the GigaChat layer's scope closes, as it would after the backend's in a process: no socket is left.
      yield* closeGigaChat
      yield* eventually("GigaChat's connections are closed", emulator.openConnections, (n) => n === 0)
    })))

  it.scopedLive("shutdown interrupts a plain request still running after the grace period", () =>
    quiet(Effect.gen(function*() {
      const { backend, closeBackend, emulator } = yield* setup({
        backend: { shutdownGracePeriod: "300 millis" },
        faults: [{ route: chatRoute, latency: "30 seconds" }]
      })
      const call = yield* Effect.fork(postChat(backend.url, "Say hi"))
      yield* eventually("the request reaches GigaChat", emulator.emulator.activeRequests, (n) => n === 1)

      // The upstream answer would take 30 s: a 503 now means shutdown interrupted it after the grace period.
      yield* closeBackend
      const response = yield* Fiber.join(call)
      assert.strictEqual(response.status, 503)
      assert.strictEqual(yield* backend.inFlight, 0)
      yield* eventually("the backend's connections are closed", backend.openConnections, (n) => n === 0)
    })))

  it.live("the service started with main.ts exits 0 on SIGTERM, after stopping", () =>
    Effect.gen(function*() {
      const env: Record<string, string> = { PATH: process.env.PATH ?? "", BACKEND_PORT: "0", LOG_FORMAT: "json" }
      const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", "src/backend/main.ts"], {
        cwd: new URL("..", import.meta.url),
        env,
        stdio: ["ignore", "pipe", "pipe"]
      })
      const exited = Effect.async<number | null>((resume) => {
        if (child.exitCode !== null) return resume(Effect.succeed(child.exitCode))
        child.once("exit", (code) => resume(Effect.succeed(code)))
      })
      yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))

      const messages: Array<{ readonly message: unknown; readonly annotations: Record<string, unknown> }> = []
      const listening = yield* Deferred.make<string>()
      Readline.createInterface({ input: child.stdout }).on("line", (line) => {
        if (!line.startsWith("{")) return
        const entry = JSON.parse(line) as { message: unknown; annotations: Record<string, unknown> }
        messages.push(entry)
        if (entry.message === "listening") Deferred.unsafeDone(listening, Exit.succeed(String(entry.annotations.url)))
      })
      const url = yield* Deferred.await(listening).pipe(Effect.timeoutFail({
        duration: "15 seconds",
        onTimeout: () => new Error("main.ts did not start")
      }))

      const response = yield* postChat(url, "Say hi").pipe(Effect.provide(NodeHttpClient.layerUndici))
      assert.strictEqual(response.status, 200)

      child.kill("SIGTERM")
      const code = yield* exited.pipe(Effect.timeoutFail({
        duration: "10 seconds",
        onTimeout: () => new Error("main.ts did not exit")
      }))
      assert.strictEqual(code, 0)
      const said = messages.map((entry) => entry.message)
      assert.includeMembers(said, ["shutting down", "stopped"])
      assert.isBelow(said.indexOf("shutting down"), said.indexOf("stopped"))
    }).pipe(Effect.scoped), { timeout: 30_000 })
})
