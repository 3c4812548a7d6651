/**
 * Streaming over real sockets: a node:http server on 127.0.0.1 writes server-sent events slowly, and every way a
 * consumer can stop early (taking a prefix, a timeout, interrupting the fiber) must close the connection, which
 * the server observes as its response closing before it was finished.
 */
import type { Chat, GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"

interface ReceivedRequest {
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  readonly body: string
}

/** How the server's response to a chat request ended. */
interface Closed {
  /** `true` when the server ended the response itself; `false` when the client went away first. */
  readonly finished: boolean
  readonly framesSent: number
}

interface Behaviour {
  /** Frames to send; the first goes out at once, the next ones every `intervalMillis`. */
  readonly frames: number
  readonly intervalMillis: number
  /** After all frames: `done` sends `data: [DONE]` and ends, `hang` keeps the response open, `reset` kills the socket. */
  readonly then: "done" | "hang" | "reset"
  /** Default `text/event-stream`. */
  readonly contentType?: string
  /** The text of frame `index`; default a chunk with the content `token-<index> `. */
  readonly frame?: (index: number) => string
}

const frame = (index: number): string =>
  `data: ${
    JSON.stringify({
      choices: [{ delta: { content: `token-${index} ` }, index: 0 }],
      created: 1700000000,
      model: "GigaChat:local",
      object: "chat.completion"
    })
  }\n\n`

/** A local SSE server for the test's scope; `closed` completes when the first chat response closes. */
const makeServer = (behaviour: Behaviour) =>
  Effect.gen(function*() {
    const closed = yield* Deferred.make<Closed>()
    const requests: Array<ReceivedRequest> = []
    const timers = new Set<NodeJS.Timeout>()
    const server = Http.createServer((req, res) => {
      const parts: Array<Buffer> = []
      req.on("data", (part: Buffer) => parts.push(part))
      req.on("end", () => {
        requests.push({ url: req.url ?? "", headers: req.headers, body: Buffer.concat(parts).toString("utf8") })
        let sent = 0
        const send = () => {
          if (sent < behaviour.frames) {
            res.write((behaviour.frame ?? frame)(sent++))
            return
          }
          stop()
          if (behaviour.then === "done") res.end("data: [DONE]\n\n")
          else if (behaviour.then === "reset") res.socket?.destroy()
        }
        const timer = setInterval(send, behaviour.intervalMillis)
        timers.add(timer)
        const stop = () => {
          clearInterval(timer)
          timers.delete(timer)
        }
        res.on("close", () => {
          stop()
          Deferred.unsafeDone(closed, Exit.succeed({ finished: res.writableEnded, framesSent: sent }))
        })
        res.writeHead(200, {
          "content-type": behaviour.contentType ?? "text/event-stream",
          "x-request-id": "local-rid"
        })
        send()
      })
    })
    yield* Effect.acquireRelease(
      Effect.async<void, Error>((resume) => {
        server.once("error", (error) => resume(Effect.fail(error)))
        server.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          for (const timer of timers) clearInterval(timer)
          server.closeAllConnections()
          server.close(() => resume(Effect.void))
        })
    )
    const { port } = server.address() as AddressInfo
    return { closed, requests, baseUrl: `http://127.0.0.1:${port}/api/v1` }
  })

const clientLayer = (baseUrl: string, options: GigaChatConfig.Options = {}) =>
  NodeGigaChat.layer({ baseUrl, authUrl: `${baseUrl}/oauth`, accessToken: "t", ...options })

/** Bounded wait for the server to see the response close. */
const awaitClose = (closed: Deferred.Deferred<Closed>) =>
  Deferred.await(closed).pipe(
    Effect.timeoutFail({
      duration: "5 seconds",
      onTimeout: () => new Error("the server did not see the connection close within 5 seconds")
    })
  )

const contents = (chunks: Chunk.Chunk<Chat.ChatCompletionChunk>) =>
  Chunk.toReadonlyArray(chunks).map((chunk) => chunk.choices[0]?.delta.content)

describe("GigaChat.stream over a local server", () => {
  it.scopedLive("decodes a whole stream and the server finishes its response", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 3, intervalMillis: 5, then: "done" })
      const chunks = yield* Stream.runCollect(GigaChat.stream("Count")).pipe(
        Effect.provide(clientLayer(server.baseUrl))
      )
      assert.deepStrictEqual(contents(chunks), ["token-0 ", "token-1 ", "token-2 "])
      assert.isTrue(Chunk.toReadonlyArray(chunks).every((chunk) => chunk.xHeaders["x-request-id"] === "local-rid"))
      const [request] = server.requests
      assert.strictEqual(request?.url, "/api/v1/chat/completions")
      assert.strictEqual(request?.headers["accept"], "text/event-stream")
      assert.strictEqual(request?.headers["cache-control"], "no-store")
      assert.strictEqual(request?.headers["authorization"], "Bearer t")
      assert.strictEqual(Object.keys(JSON.parse(request?.body ?? "{}")).at(-1), "stream")
      const closed = yield* awaitClose(server.closed)
      assert.isTrue(closed.finished, "a stream read to its end is finished by the server, not cut")
    }))

  it.scopedLive("Stream.take(2) closes the connection while the server is still writing", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 1000, intervalMillis: 20, then: "done" })
      yield* Effect.gen(function*() {
        const chunks = yield* Stream.runCollect(Stream.take(GigaChat.stream("Count"), 2))
        assert.deepStrictEqual(contents(chunks), ["token-0 ", "token-1 "])
        const closed = yield* awaitClose(server.closed)
        assert.isFalse(closed.finished)
        assert.isBelow(closed.framesSent, 1000)
      }).pipe(Effect.provide(clientLayer(server.baseUrl)))
    }))

  it.scopedLive("Stream.timeout ends the stream and closes the connection of a stalled server", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 1, intervalMillis: 60_000, then: "hang" })
      yield* Effect.gen(function*() {
        const chunks = yield* Stream.runCollect(Stream.timeout(GigaChat.stream("Count"), "300 millis"))
        assert.deepStrictEqual(contents(chunks), ["token-0 "])
        const closed = yield* awaitClose(server.closed)
        assert.isFalse(closed.finished)
      }).pipe(Effect.provide(clientLayer(server.baseUrl)))
    }))

  it.scopedLive("interrupting the consuming fiber closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 1000, intervalMillis: 20, then: "done" })
      yield* Effect.gen(function*() {
        const firstChunk = yield* Deferred.make<void>()
        const fiber = yield* GigaChat.stream("Count").pipe(
          Stream.tap(() => Deferred.succeed(firstChunk, undefined)),
          Stream.runDrain,
          Effect.fork
        )
        yield* Deferred.await(firstChunk).pipe(Effect.timeout("5 seconds"))
        const exit = yield* Fiber.interrupt(fiber)
        assert.isTrue(Exit.isInterrupted(exit))
        const closed = yield* awaitClose(server.closed)
        assert.isFalse(closed.finished)
        assert.isBelow(closed.framesSent, 1000)
      }).pipe(Effect.provide(clientLayer(server.baseUrl)))
    }))

  it.scopedLive("a connection reset after 2 chunks ends with a TransportError, without a second request", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 2, intervalMillis: 5, then: "reset" })
      const items = yield* Stream.runCollect(Stream.either(GigaChat.stream("Count"))).pipe(
        Effect.provide(clientLayer(server.baseUrl, { maxRetries: 2 }))
      )
      const [first, second, last, ...rest] = Chunk.toReadonlyArray(items)
      assert.deepStrictEqual([first, second].map((item) => item && Either.getOrThrow(item).choices[0]?.delta.content), [
        "token-0 ",
        "token-1 "
      ])
      assert.deepStrictEqual(rest, [])
      const error = Either.flip(last!).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(server.requests.length, 1)
    }))

  it.scopedLive("a 200 page that is not an event stream fails with a DecodeError and lets go of the connection", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 1000, intervalMillis: 20, then: "hang", contentType: "text/html" })
      yield* Effect.gen(function*() {
        const error = yield* Effect.flip(Stream.runDrain(GigaChat.stream("Count")))
        assert.strictEqual(error._tag, "DecodeError")
        assert.include(error.message, "text/html")
        const closed = yield* awaitClose(server.closed)
        assert.isFalse(closed.finished)
      }).pipe(Effect.provide(clientLayer(server.baseUrl)))
    }))

  it.scopedLive("an error object in the stream fails the stream and closes the connection", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({
        frames: 1000,
        intervalMillis: 20,
        then: "done",
        frame: (index) => index === 1 ? `data: {"status":500,"message":"model failure"}\n\n` : frame(index)
      })
      yield* Effect.gen(function*() {
        const items = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.either(GigaChat.stream("Count"))))
        assert.strictEqual(items.length, 2)
        assert.strictEqual(Either.getOrThrow(items[0]!).choices[0]?.delta.content, "token-0 ")
        const error = Either.flip(items[1]!).pipe(Either.getOrThrow)
        assert.strictEqual(error._tag, "ServerError")
        assert.include(error.message, "model failure")
        const closed = yield* awaitClose(server.closed)
        assert.isFalse(closed.finished)
      }).pipe(Effect.provide(clientLayer(server.baseUrl)))
    }))

  it.scopedLive("a server silent for longer than the timeout fails with a TimeoutError and is disconnected", () =>
    Effect.gen(function*() {
      const server = yield* makeServer({ frames: 1, intervalMillis: 60_000, then: "hang" })
      yield* Effect.gen(function*() {
        const items = Chunk.toReadonlyArray(yield* Stream.runCollect(Stream.either(GigaChat.stream("Count"))))
        assert.strictEqual(items.length, 2)
        assert.strictEqual(Either.getOrThrow(items[0]!).choices[0]?.delta.content, "token-0 ")
        assert.strictEqual(Either.flip(items[1]!).pipe(Either.getOrThrow)._tag, "TimeoutError")
        const closed = yield* awaitClose(server.closed)
        assert.isFalse(closed.finished)
      }).pipe(Effect.provide(clientLayer(server.baseUrl, { timeout: "300 millis" })))
    }))
})
