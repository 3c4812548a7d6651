/**
 * Fault injection over real loopback sockets: `NodeGigaChat.layer` against the emulator server (its fault knobs)
 * and against small node:http / TCP servers for what the emulator cannot do (resets, stalls, raw bytes). Each
 * fault is a named test asserting the exact error `_tag` the user gets; every outcome goes through the ledger,
 * which fails on a defect, an interruption, a hang or a secret in an error, a configuration rendering or a log line.
 */
import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import { NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import {
  assertNoLeaks,
  chunkFrame,
  closedPort,
  completionJson,
  emulatorOptions,
  eventually,
  expectFailure,
  expectSuccess,
  httpServer,
  learnFromEmulator,
  Ledger,
  secrets,
  tcpServer,
  withClient
} from "./harness.js"

const ledger = new Ledger("faults over real sockets (reliability/faults.test.ts)")

afterAll(() => {
  for (const line of ledger.summary()) console.log(line)
  assertNoLeaks(ledger)
})

const chatRoute = "POST /api/v1/chat/completions"

/** An emulator server for the test's scope; its issued tokens and request count go to the ledger at the end. */
const emulator = (options: NodeGigaChatEmulator.Options = {}) =>
  Effect.gen(function*() {
    const server = yield* NodeGigaChatEmulator.make({ ...emulatorOptions, ...options })
    yield* Effect.addFinalizer(() => learnFromEmulator(ledger, server))
    return server
  })

/** Client options for an emulator (OAuth with the suite's credentials). */
const against = (server: { readonly baseUrl: string; readonly authUrl: string }, options = {}) => ({
  baseUrl: server.baseUrl,
  authUrl: server.authUrl,
  ...options
})

/** Client options for a server that takes any token: no OAuth round trip. */
const withToken = (server: { readonly baseUrl: string }, options: GigaChatConfig.Options = {}) => ({
  baseUrl: server.baseUrl,
  authUrl: "http://127.0.0.1:9/unused",
  credentials: undefined,
  accessToken: secrets.accessToken,
  ...options
})

/** Collects the streamed delta contents, then returns the stream's error (or success) through the ledger. */
const streamContents = (received: Array<string>) =>
  Stream.runForEach(
    GigaChat.stream("Count from 1 to 10"),
    (chunk) => Effect.sync(() => received.push(chunk.choices[0]?.delta.content ?? ""))
  )

const chatRequests = (server: NodeGigaChatEmulator.Service) =>
  Effect.map(
    server.emulator.requests,
    (requests) => requests.filter((r) => r.path.endsWith("/chat/completions")).length
  )

const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const value = yield* effect
    return [value, Date.now() - start] as const
  })

const htmlBadGateway = [
  "<html>",
  "<head><title>502 Bad Gateway</title></head>",
  "<body>",
  "<center><h1>502 Bad Gateway</h1></center>",
  "<hr><center>nginx</center>",
  ...Array.from({ length: 40 }, (_, i) => `<!-- a padding comment to make the page longer, line ${i} -->`),
  "</body>",
  "</html>"
].join("\r\n")

describe("connection faults", () => {
  it.scopedLive("connection refused (a port that was just closed) → TransportError", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const server = { baseUrl: `http://127.0.0.1:${port}/api/v1` }
      const error = yield* expectFailure(
        ledger,
        "connection refused",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
      assert.match(error.description, /ECONNREFUSED/)
      assert.strictEqual(error.url, `${server.baseUrl}/chat/completions`)
      // with retries on, every attempt is refused and the last error is the user's
      yield* expectFailure(
        ledger,
        "connection refused, stream, retries on",
        "TransportError",
        Stream.runDrain(GigaChat.stream("Hi")).pipe(
          withClient(ledger, withToken(server, { maxRetries: 2, retryBackoffFactor: 0.01 }))
        )
      )
    }))

  it.scopedLive("reset before headers (RST once the request is read) → TransportError", () =>
    Effect.gen(function*() {
      const server = yield* tcpServer((socket) => socket.resetAndDestroy())
      const error = yield* expectFailure(
        ledger,
        "reset before headers",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
      assert.match(error.description, /ECONNRESET|UND_ERR_SOCKET|other side closed|socket/i)
      yield* expectFailure(
        ledger,
        "reset before headers, stream",
        "TransportError",
        Stream.runDrain(GigaChat.stream("Hi")).pipe(withClient(ledger, withToken(server)))
      )
      assert.strictEqual(server.requests(), 2)
    }))

  it.scopedLive("closed before headers (FIN, no response) → TransportError", () =>
    Effect.gen(function*() {
      const server = yield* tcpServer((socket) => socket.end())
      yield* expectFailure(
        ledger,
        "closed before headers",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
    }))

  it.scopedLive("garbage instead of an HTTP response → TransportError", () =>
    Effect.gen(function*() {
      const server = yield* tcpServer((socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n\x00\xff\xfe garbage\r\n\r\n"))
      yield* expectFailure(
        ledger,
        "garbage response",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
    }))

  it.scopedLive("reset mid-body of a JSON answer → TransportError", () =>
    Effect.gen(function*() {
      const body = Buffer.from(completionJson("x".repeat(10_000)))
      const server = yield* httpServer((_, __, response, self) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
        response.write(body.subarray(0, 4_000))
        self.later(50, () => response.socket?.resetAndDestroy())
      })
      const error = yield* expectFailure(
        ledger,
        "reset mid-body (JSON)",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server, { maxRetries: 0 })))
      )
      assert.match(error.description, /response body could not be read/)
    }))

  it.scopedLive("connection closed mid-body of a JSON answer (FIN before content-length) → TransportError", () =>
    Effect.gen(function*() {
      const body = Buffer.from(completionJson("y".repeat(10_000)))
      const server = yield* httpServer((_, __, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
        response.write(body.subarray(0, 4_000), () => response.socket?.end())
      })
      yield* expectFailure(
        ledger,
        "closed mid-body (JSON)",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
    }))

  it.scopedLive("reset mid-stream (SSE) → the events before it, once each, then TransportError; no retry", () =>
    Effect.gen(function*() {
      const server = yield* httpServer((_, __, response, self) => {
        response.writeHead(200, { "content-type": "text/event-stream" })
        response.write(chunkFrame("a0") + chunkFrame("a1") + chunkFrame("a2"))
        self.later(200, () => response.socket?.resetAndDestroy())
      })
      const received: Array<string> = []
      yield* expectFailure(
        ledger,
        "reset mid-stream (SSE)",
        "TransportError",
        streamContents(received).pipe(
          withClient(ledger, withToken(server, { maxRetries: 3, retryBackoffFactor: 0.01 }))
        )
      )
      // A reset may discard bytes the client had not read yet, so a prefix is all that can be required; what
      // arrived arrived once and in order, and a broken stream is not sent again (no duplicated chunks).
      assert.deepStrictEqual(received, ["a0", "a1", "a2"].slice(0, received.length))
      assert.strictEqual(server.requests(), 1)
    }))

  it.scopedLive("emulator dropAfterChunks mid-stream (v1 and v2) → the events before it, then TransportError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: "POST /api/*/chat/completions", dropAfterChunks: 3 })
      const options = against(server, { maxRetries: 3, retryBackoffFactor: 0.01 })
      const received: Array<string> = []
      yield* expectFailure(
        ledger,
        "dropAfterChunks (v1 stream)",
        "TransportError",
        streamContents(received).pipe(withClient(ledger, options))
      )
      assert.strictEqual(received.length, 3)
      assert.strictEqual(new Set(received.map((content, i) => `${i}:${content}`)).size, 3)
      let v2Events = 0
      yield* expectFailure(
        ledger,
        "dropAfterChunks (v2 stream)",
        "TransportError",
        Stream.runForEach(GigaChat.completionsStream("Count from 1 to 10"), () => Effect.sync(() => v2Events++)).pipe(
          withClient(ledger, options)
        )
      )
      assert.strictEqual(v2Events, 3)
      assert.strictEqual(yield* chatRequests(server), 2, "a stream broken after its headers is not retried")
    }))
})

describe("timeouts", () => {
  it.scopedLive("headers slower than the timeout → TimeoutError, and the connection is closed", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, latency: "4 seconds" })
      const error = yield* expectFailure(
        ledger,
        "headers slower than the timeout",
        "TimeoutError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
      assert.isTrue(Duration.equals(error.timeout, Duration.seconds(1)))
      yield* eventually(Effect.map(server.openConnections, (n) => n === 0), "the timed-out connection is closed")
      yield* expectFailure(
        ledger,
        "stream headers slower than the timeout",
        "TimeoutError",
        Stream.runDrain(GigaChat.stream("Hi")).pipe(withClient(ledger, withToken(server)))
      )
    }))

  it.scopedLive("a JSON body that stalls after the headers → TimeoutError, and the connection is closed", () =>
    Effect.gen(function*() {
      const body = Buffer.from(completionJson("z".repeat(1_000)))
      const server = yield* httpServer((_, __, response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
        response.write(body.subarray(0, 100))
      })
      yield* expectFailure(
        ledger,
        "JSON body stalls",
        "TimeoutError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
      yield* eventually(Effect.map(server.openConnections, (n) => n === 0), "the stalled connection is closed")
    }))

  it.scopedLive("a stream that stalls after two events → those events, then TimeoutError; connection closed", () =>
    Effect.gen(function*() {
      const server = yield* httpServer((_, __, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" })
        response.write(chunkFrame("s0") + chunkFrame("s1"))
      })
      const received: Array<string> = []
      yield* expectFailure(
        ledger,
        "SSE body stalls",
        "TimeoutError",
        streamContents(received).pipe(withClient(ledger, withToken(server)))
      )
      assert.deepStrictEqual(received, ["s0", "s1"])
      yield* eventually(Effect.map(server.openConnections, (n) => n === 0), "the stalled stream's connection is closed")
    }))

  it.scopedLive("emulator chunkDelay longer than the timeout → TimeoutError before the first event", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, chunkDelay: "3 seconds" })
      const received: Array<string> = []
      yield* expectFailure(
        ledger,
        "chunkDelay beyond the timeout",
        "TimeoutError",
        streamContents(received).pipe(withClient(ledger, against(server)))
      )
      assert.deepStrictEqual(received, [])
    }))
})

describe("status faults", () => {
  it.scopedLive("5xx storm with retries on: maxRetries 3 → 4 attempts, then ServerError (chat and stream)", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 500 })
      const options = against(server, { maxRetries: 3, retryBackoffFactor: 0.01 })
      const error = yield* expectFailure(
        ledger,
        "5xx storm (chat)",
        "ServerError",
        GigaChat.chat("Hi").pipe(withClient(ledger, options))
      )
      assert.strictEqual(error.status, 500)
      assert.strictEqual(yield* chatRequests(server), 4)
      yield* expectFailure(
        ledger,
        "5xx storm (stream)",
        "ServerError",
        Stream.runDrain(GigaChat.stream("Hi")).pipe(withClient(ledger, options))
      )
      assert.strictEqual(yield* chatRequests(server), 8)
    }))

  it.scopedLive("a short 5xx burst with retries on: two 503s, then the answer", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 503, times: 2 })
      const answer = yield* expectSuccess(
        ledger,
        "5xx burst then success",
        GigaChat.chat("Say 1, 2, 3").pipe(
          withClient(ledger, against(server, { maxRetries: 3, retryBackoffFactor: 0.01 }))
        )
      )
      assert.strictEqual(answer.choices[0]?.message.content, "1, 2, 3")
      assert.strictEqual(yield* chatRequests(server), 3)
    }))

  it.scopedLive("429 with a huge Retry-After: each wait is cut to maxRetryAfter, then RateLimitError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 429, headers: { "retry-after": "86400" } })
      const error = yield* expectFailure(
        ledger,
        "429 with Retry-After: 86400",
        "RateLimitError",
        GigaChat.chat("Hi").pipe(
          withClient(ledger, against(server, { maxRetries: 2, maxRetryAfter: "150 millis" }))
        )
      )
      // the error reports what the server asked for; the client waited only the cap
      assert.isTrue(Duration.equals(error.retryAfter!, Duration.seconds(86400)))
      // Two waits of Retry-After (a day each) would outlast the test: the cap is what lets it finish. The cap's
      // exact timing is tested on the TestClock in core's HttpTransport.test.ts.
      assert.strictEqual(yield* chatRequests(server), 3)

      yield* server.emulator.clearFaults
      const tomorrow = new Date(Date.now() + 86_400_000).toUTCString()
      yield* server.emulator.addFault({ route: chatRoute, status: 429, headers: { "retry-after": tomorrow } })
      const dated = yield* expectFailure(
        ledger,
        "429 with Retry-After as an HTTP date a day ahead",
        "RateLimitError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server, { maxRetries: 1, maxRetryAfter: "100 millis" })))
      )
      assert.isAbove(Duration.toSeconds(dated.retryAfter!), 86_000)
    }))

  it.scopedLive("the Retry-After cap is configurable: 429 (Retry-After: 3600), a wait of maxRetryAfter, success", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      for (const cap of [100, 700]) {
        yield* server.emulator.addFault({ route: chatRoute, status: 429, times: 1, headers: { "retry-after": "3600" } })
        const answer = yield* expectSuccess(
          ledger,
          `429 (Retry-After: 3600) with maxRetryAfter ${cap} ms`,
          GigaChat.chat("Say 1, 2, 3").pipe(
            withClient(ledger, against(server, { maxRetries: 1, maxRetryAfter: Duration.millis(cap) }))
          )
        )
        assert.strictEqual(answer.choices[0]?.message.content, "1, 2, 3")
      }
    }))

  it.scopedLive("an HTML 502 page from a proxy → ServerError with the page in body (chat and stream)", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 502, contentType: "text/html", body: htmlBadGateway })
      const error = yield* expectFailure(
        ledger,
        "HTML 502 from a proxy",
        "ServerError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
      assert.strictEqual(error.status, 502)
      assert.strictEqual(error.body, htmlBadGateway)
      assert.isTrue(error.message.startsWith(`502 POST ${server.baseUrl}/chat/completions`))
      assert.isBelow(error.message.length, 600, "the message shows only the start of the page")
      const streamed = yield* expectFailure(
        ledger,
        "HTML 502 from a proxy (stream)",
        "ServerError",
        Stream.runDrain(GigaChat.stream("Hi")).pipe(withClient(ledger, against(server)))
      )
      assert.include(streamed.body, "<title>502 Bad Gateway</title>")
    }))

  it.scopedLive("401 on every API call → AuthenticationError after at most one new token, not a loop", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 401 })
      const call = Effect.flatMap(GigaChat.GigaChat, (gc) => gc.chat("Hi"))
      yield* Effect.gen(function*() {
        // A token fetched for this call is refused: no second try (reference §2.5).
        yield* expectFailure(ledger, "401 on every call", "AuthenticationError", call)
        assert.strictEqual(yield* server.emulator.oauthRequests, 1)
        assert.strictEqual(yield* chatRequests(server), 1)
        // A cached token is refused: one new token, one second try.
        yield* expectFailure(ledger, "401 on every call, cached token", "AuthenticationError", call)
        assert.strictEqual(yield* server.emulator.oauthRequests, 2)
        assert.strictEqual(yield* chatRequests(server), 3)
      }).pipe(withClient(ledger, against(server, { maxRetries: 3, retryBackoffFactor: 0.01 })))
    }))
})

describe("bodies that do not decode", () => {
  it.scopedLive("200 with invalid JSON → DecodeError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, invalidJson: true })
      const error = yield* expectFailure(
        ledger,
        "200 with invalid JSON",
        "DecodeError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server, { maxRetries: 3 })))
      )
      assert.match(error.description, /not valid JSON/)
      assert.strictEqual(yield* chatRequests(server), 1, "a body that does not decode is not retried")
    }))

  it.scopedLive("200 with valid JSON of the wrong shape → DecodeError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 200, body: "{\"result\":\"ok\",\"choices\":{}}" })
      const error = yield* expectFailure(
        ledger,
        "200 with JSON of the wrong shape",
        "DecodeError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
      assert.match(error.description, /expected shape/)
      yield* server.emulator.addFault({ route: "GET /api/v1/models", status: 200, body: "[1, 2, 3]" })
      yield* expectFailure(
        ledger,
        "200 with JSON of the wrong shape (models)",
        "DecodeError",
        Effect.flatMap(GigaChat.GigaChat, (client) => client.getModels()).pipe(withClient(ledger, against(server)))
      )
    }))

  it.scopedLive("200 with a wrong content type: chat decodes the JSON; an HTML page → DecodeError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({
        route: chatRoute,
        times: 1,
        status: 200,
        contentType: "text/plain; charset=utf-8",
        body: completionJson("typed as text/plain")
      })
      const answer = yield* expectSuccess(
        ledger,
        "200 JSON typed text/plain",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
      assert.strictEqual(answer.choices[0]?.message.content, "typed as text/plain")
      yield* server.emulator.addFault({
        route: chatRoute,
        times: 1,
        status: 200,
        contentType: "text/html",
        body: htmlBadGateway
      })
      const error = yield* expectFailure(
        ledger,
        "200 HTML page",
        "DecodeError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
      assert.match(error.description, /text\/html/)
    }))

  it.scopedLive("200 with a wrong content type on a stream → DecodeError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({
        route: chatRoute,
        status: 200,
        contentType: "application/json",
        body: chunkFrame("x") + "data: [DONE]\n\n"
      })
      const error = yield* expectFailure(
        ledger,
        "stream answered as application/json",
        "DecodeError",
        Stream.runDrain(GigaChat.stream("Hi")).pipe(withClient(ledger, against(server)))
      )
      assert.match(error.description, /text\/event-stream, got application\/json/)
    }))

  it.scopedLive("invalid UTF-8 in a JSON body: in a string → U+FFFD; outside strings → DecodeError", () =>
    Effect.gen(function*() {
      const [before, after] = completionJson("MARK").split("MARK")
      const bodies = [
        Buffer.concat([Buffer.from(before), Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0xc3, 0x28]), Buffer.from(after)]),
        Buffer.concat([Buffer.from("{\"choices\": "), Buffer.from([0xff, 0xfe]), Buffer.from("}")])
      ]
      let index = 0
      const server = yield* httpServer((_, __, response) => {
        const body = bodies[index++ % bodies.length]
        response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
        response.end(body)
      })
      const answer = yield* expectSuccess(
        ledger,
        "invalid UTF-8 inside a JSON string",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
      assert.strictEqual(answer.choices[0]?.message.content, "ok\uFFFD\uFFFD\uFFFD(")
      yield* expectFailure(
        ledger,
        "invalid UTF-8 outside JSON strings",
        "DecodeError",
        GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server)))
      )
    }))

  it.scopedLive("invalid UTF-8 in an SSE event → U+FFFD in the chunk; bytes split across writes still decode", () =>
    Effect.gen(function*() {
      const [before, after] = chunkFrame("MARK").split("MARK")
      const server = yield* httpServer((_, __, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" })
        response.write(Buffer.concat([Buffer.from(before), Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28])]))
        response.write(Buffer.concat([Buffer.from(after), Buffer.from(before), Buffer.from([0xd0])]))
        // the second byte of "П" (d0 9f) arrives in the next write
        response.end(Buffer.concat([Buffer.from([0x9f]), Buffer.from(after), Buffer.from("data: [DONE]\n\n")]))
      })
      const received: Array<string> = []
      yield* expectSuccess(
        ledger,
        "invalid UTF-8 in SSE",
        streamContents(received).pipe(withClient(ledger, withToken(server)))
      )
      assert.deepStrictEqual(received, ["bad\uFFFD(", "П"])
    }))
})

describe("50 MB bodies", () => {
  const size = 50 * 1024 * 1024

  const memory = () => process.memoryUsage()
  const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`

  it.scopedLive("a 50 MB JSON answer decodes", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: chatRoute, status: 200, body: completionJson("x".repeat(size)) })
      const before = memory()
      const [answer, millis] = yield* elapsed(
        expectSuccess(
          ledger,
          "50 MB JSON answer",
          GigaChat.chat("Hi").pipe(withClient(ledger, against(server, { timeout: "30 seconds" })))
        )
      )
      const after = memory()
      assert.strictEqual(answer.choices[0]?.message.content.length, size)
      ledger.notes.push(
        `50 MB JSON answer: decoded in ${millis} ms; rss ${mib(before.rss)} → ${mib(after.rss)}, heap ${
          mib(before.heapUsed)
        } → ${mib(after.heapUsed)}`
      )
    }), { timeout: 60_000 })

  it.scopedLive(
    "a 50 MB error page → ServerError with a bounded body; the connection is let go",
    () =>
      Effect.gen(function*() {
        const page = "E".repeat(size)
        const server = yield* httpServer((_, __, response) => {
          response.writeHead(500, { "content-type": "text/plain", "content-length": page.length })
          response.end(page)
        })
        const [error, millis] = yield* elapsed(
          expectFailure(
            ledger,
            "50 MB error page",
            "ServerError",
            GigaChat.chat("Hi").pipe(withClient(ledger, withToken(server, { timeout: "30 seconds" })))
          )
        )
        assert.isBelow(error.body.length, 9_000)
        assert.isBelow(error.message.length, 600)
        ledger.notes.push(`50 MB error page: ServerError after ${millis} ms with a ${error.body.length}-character body`)
        yield* eventually(
          Effect.map(server.openConnections, (n) => n === 0),
          "the connection of the error page is closed"
        )
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "a 50 MB stream event → DecodeError (over maxSseEventSize); the connection is closed",
    () =>
      Effect.gen(function*() {
        const frame = chunkFrame("x".repeat(size))
        const server = yield* httpServer((_, __, response) => {
          response.writeHead(200, { "content-type": "text/event-stream" })
          response.end(frame)
        })
        const [error, millis] = yield* elapsed(
          expectFailure(
            ledger,
            "50 MB stream event",
            "DecodeError",
            Stream.runDrain(GigaChat.stream("Hi")).pipe(
              withClient(ledger, withToken(server, { timeout: "30 seconds" }))
            )
          )
        )
        assert.match(error.description, /larger|size|limit/i)
        ledger.notes.push(`50 MB stream event: DecodeError after ${millis} ms`)
        yield* eventually(
          Effect.map(server.openConnections, (n) => n === 0),
          "the oversize stream's connection is closed"
        )
      }),
    { timeout: 60_000 }
  )
})

describe("OAuth faults", () => {
  it.scopedLive("the OAuth endpoint down (connection refused) → TransportError; no API request is sent", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      const port = yield* closedPort
      const error = yield* expectFailure(
        ledger,
        "OAuth endpoint down",
        "TransportError",
        GigaChat.chat("Hi").pipe(
          withClient(ledger, { baseUrl: server.baseUrl, authUrl: `http://127.0.0.1:${port}/oauth` })
        )
      )
      assert.match(error.description, /ECONNREFUSED/)
      assert.strictEqual(yield* chatRequests(server), 0)
    }))

  it.scopedLive("the OAuth endpoint answers garbage → DecodeError without the body", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({
        route: "POST /api/v2/oauth",
        times: 1,
        status: 200,
        contentType: "text/html",
        body: `<html>login page ${secrets.oauthToken}</html>`
      })
      const error = yield* expectFailure(
        ledger,
        "OAuth answers HTML",
        "DecodeError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
      assert.match(error.description, /token response is not valid JSON/)
      yield* server.emulator.addFault({
        route: "POST /api/v2/oauth",
        times: 1,
        status: 200,
        body: JSON.stringify({ token: secrets.oauthToken, expires: 1 })
      })
      const shape = yield* expectFailure(
        ledger,
        "OAuth answers JSON without a token",
        "DecodeError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
      assert.match(shape.description, /neither/)
      assert.strictEqual(yield* chatRequests(server), 0)
    }))

  it.scopedLive("the OAuth endpoint resets the connection → TransportError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      const oauth = yield* tcpServer((socket) => socket.resetAndDestroy())
      yield* expectFailure(
        ledger,
        "OAuth resets the connection",
        "TransportError",
        GigaChat.chat("Hi").pipe(withClient(ledger, { baseUrl: server.baseUrl, authUrl: oauth.authUrl }))
      )
    }))

  it.scopedLive("the OAuth endpoint is slower than the timeout → TimeoutError", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      yield* server.emulator.addFault({ route: "POST /api/v2/oauth", latency: "4 seconds" })
      yield* expectFailure(
        ledger,
        "OAuth slower than the timeout",
        "TimeoutError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server)))
      )
    }))

  it.scopedLive("an already-expired token that the API refuses → AuthenticationError, one OAuth request per call", () =>
    Effect.gen(function*() {
      const server = yield* emulator({ tokenLifetime: 0 })
      yield* Effect.gen(function*() {
        for (let call = 1; call <= 4; call++) {
          yield* expectFailure(ledger, "OAuth returns an expired token", "AuthenticationError", GigaChat.chat("Hi"))
          // The token is fetched for the call, so its 401 is not tried again (reference §2.5).
          assert.strictEqual(yield* server.emulator.oauthRequests, call)
        }
        yield* Effect.all(
          Array.from(
            { length: 8 },
            () =>
              expectFailure(
                ledger,
                "OAuth returns an expired token (concurrent)",
                "AuthenticationError",
                GigaChat.chat("Hi")
              )
          ),
          { concurrency: "unbounded" }
        )
        assert.isAtMost(yield* server.emulator.oauthRequests, 4 + 8)
      }).pipe(withClient(ledger, against(server)))
    }))

  it.scopedLive("an already-expired token that the API accepts → every call succeeds with one OAuth request", () =>
    Effect.gen(function*() {
      const server = yield* emulator({ accessToken: secrets.oauthToken })
      const oauth = yield* httpServer((_, __, response) => {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify({ access_token: secrets.oauthToken, expires_at: Date.now() - 60_000 }))
      })
      yield* Effect.gen(function*() {
        for (let call = 1; call <= 5; call++) {
          yield* expectSuccess(ledger, "OAuth returns an expired token the API accepts", GigaChat.chat("Hi"))
          assert.strictEqual(oauth.requests(), call)
        }
        yield* Effect.all(
          Array.from(
            { length: 10 },
            () => expectSuccess(ledger, "expired token, concurrent calls", GigaChat.chat("Hi"))
          ),
          { concurrency: "unbounded" }
        )
        assert.isAtMost(oauth.requests(), 5 + 10)
      }).pipe(withClient(ledger, { baseUrl: server.baseUrl, authUrl: oauth.authUrl }))
    }))

  it.scopedLive("a token that expires during a long run is renewed without a failed call", () =>
    Effect.gen(function*() {
      const server = yield* emulator({ tokenLifetime: "400 millis" })
      yield* Effect.gen(function*() {
        for (let call = 0; call < 14; call++) {
          yield* expectSuccess(ledger, "token expires during a long run", GigaChat.chat("Say 1, 2, 3"))
          yield* Effect.sleep("100 millis")
        }
      }).pipe(withClient(ledger, against(server, { tokenExpiryBuffer: 0 })))
      const issued = yield* server.emulator.issuedTokens
      assert.isAtLeast(issued, 3, "the run outlives several tokens")
      assert.isAtMost(issued, 14)
    }))

  it.scopedLive("tokenExpiryBuffer longer than the token's life: one OAuth request per call, not a loop", () =>
    Effect.gen(function*() {
      const server = yield* emulator({ tokenLifetime: "2 seconds" })
      yield* Effect.gen(function*() {
        for (let call = 1; call <= 5; call++) {
          yield* expectSuccess(ledger, "token shorter-lived than the expiry buffer", GigaChat.chat("Hi"))
          assert.strictEqual(yield* server.emulator.oauthRequests, call)
        }
      }).pipe(withClient(ledger, against(server)))
    }))
})

describe("secrets", () => {
  it("the scanner finds a planted secret, including one learnt after the text was seen", () => {
    const probe = new Ledger("probe")
    probe.scan("planted", `Authorization: Basic ${secrets.credentials}`)
    probe.scan("later", "Bearer emulator.0000-learnt-later")
    assert.strictEqual(probe.leaks.length, 1)
    probe.learn("emulator.0000-learnt-later")
    assert.strictEqual(probe.leaks.length, 2)
  })

  it.scopedLive("password flow: wrong password → AuthenticationError; right one works; the password never shows", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      const password = { credentials: undefined, user: secrets.user }
      yield* expectFailure(
        ledger,
        "password flow, wrong password",
        "AuthenticationError",
        GigaChat.chat("Hi").pipe(
          withClient(ledger, against(server, { ...password, password: `${secrets.password}-no` }))
        )
      )
      yield* expectSuccess(
        ledger,
        "password flow",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server, { ...password, password: secrets.password })))
      )
    }))

  it.scopedLive("refused credentials → AuthenticationError; a warning for a key that is not base64 names no secret", () =>
    Effect.gen(function*() {
      const server = yield* emulator()
      const wrongKey = btoa(`someone-else:${secrets.clientSecret}`)
      ledger.learn(wrongKey)
      yield* expectFailure(
        ledger,
        "OAuth refuses the credentials",
        "AuthenticationError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server, { credentials: wrongKey })))
      )
      const before = ledger.logLines
      // a client secret pasted in place of the authorization key: the SDK warns, without quoting it
      yield* expectFailure(
        ledger,
        "client secret given as the authorization key",
        "AuthenticationError",
        GigaChat.chat("Hi").pipe(withClient(ledger, against(server, { credentials: `${secrets.clientSecret}!` })))
      )
      assert.isAbove(ledger.logLines, before, "the warning was logged (and scanned)")
    }))
})
