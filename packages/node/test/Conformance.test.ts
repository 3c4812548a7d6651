/**
 * One transport suite for both HTTP clients the package can run on: its own (`internal/undiciClient.ts`) and
 * `@effect/platform-node`'s `NodeHttpClient.makeUndici`, each over the API agent `NodeGigaChat.makeDispatcher` builds
 * (the same TLS settings, pool limit and backstop timeouts), under the core services (`GigaChat.layerServices`).
 * The fixed bugs at the end go through `NodeGigaChat.layer({ httpClient })`, where they lived.
 *
 * Timeouts run on the `TestClock`: a call or a stream times out when the test clock reaches the configured timeout,
 * and only then. Waits for what a socket does (`waitFor`, `allClosed`) poll in real time until it happens.
 */
import type { GigaChatError } from "@effect-gigachat/core"
import { GigaChat, GigaChatConfig, RequestContext } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Undici from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as TestServices from "effect/TestServices"
import type * as Http from "node:http"
import * as Net from "node:net"
import type * as Tls from "node:tls"
import * as UndiciClient from "../src/internal/undiciClient.js"
import type { LocalServer } from "./reliability/harness.js"
import { check, chunkFrame, completionJson, eventually, httpServer, Ledger, tcpServer } from "./reliability/harness.js"
import type { Certificates } from "./utils/certificates.js"
import { hasOpenssl, makeCertificates } from "./utils/certificates.js"

interface Kind {
  readonly name: "package" | "platform"
  readonly make: (dispatcher: Undici.Dispatcher) => HttpClient.HttpClient
}

const kinds: ReadonlyArray<Kind> = [
  { name: "package", make: UndiciClient.make },
  { name: "platform", make: NodeHttpClient.makeUndici }
]

/**
 * The timeout of the timed cases, on the TestClock: far longer than a test may run (vitest's 20 s), so that undici's
 * backstop timers, which run in real time, never fire: a timeout seen here can only be the transport's.
 */
const timeout = Duration.minutes(10)

let certificates: Certificates | undefined
const file = (name: string) => certificates!.file(name)
beforeAll(() => {
  if (hasOpenssl) certificates = makeCertificates()
})
afterAll(() => certificates?.remove())

const ledger = new Ledger("conformance")

/** The core services over `kind`'s client on the API agent NodeGigaChat builds for `options`. */
const sdk = (kind: Kind, options: GigaChatConfig.Options) =>
  Effect.flatMap(
    NodeGigaChat.makeDispatcher(GigaChatConfig.make(options)),
    (dispatcher) =>
      Layer.build(
        GigaChat.layerServices.pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, kind.make(dispatcher))),
          Layer.provideMerge(GigaChatConfig.layer(options))
        )
      )
  )

/** `NodeGigaChat.layer` with `kind`'s client. */
const nodeLayer = (kind: Kind, options: GigaChatConfig.Options) =>
  Layer.build(NodeGigaChat.layer({ ...options, httpClient: kind.name }))

/** The exit of `fiber`: once the test clock has passed the timeout, the call ends (else the test times out). */
const settled = <A, E>(fiber: Fiber.Fiber<A, E>) => Fiber.await(fiber)

/** Waits in real time until `condition` holds (a socket event). */
const waitFor = (condition: () => boolean, label: string) =>
  TestServices.provideLive(eventually(Effect.sync(condition), label))

/** Waits in real time until the server has no open connection. */
const allClosed = (server: LocalServer) =>
  TestServices.provideLive(eventually(Effect.map(server.openConnections, (n) => n === 0), "the connection closed"))

/** The single typed error `exit` failed with (no defect, no interruption), which must be tagged `tag`. */
const failure = <A, E>(exit: Exit.Exit<A, E>, tag: GigaChatError.GigaChatError["_tag"]) => {
  const outcome = check(ledger, tag, exit)
  if (outcome._tag === "Success") return assert.fail(`expected ${tag}, got a success`)
  assert.strictEqual(outcome.error._tag, tag, outcome.error.message)
  return outcome.error
}

const success = <A, E>(exit: Exit.Exit<A, E>): A => {
  const outcome = check(ledger, "success", exit)
  if (outcome._tag === "Failure") return assert.fail(`expected a success, got ${outcome.error.message}`)
  return outcome.value
}

const sse = { "content-type": "text/event-stream" }
const json = { "content-type": "application/json" }

const contentOf = (body: Buffer): string => {
  const request = JSON.parse(body.toString("utf8")) as { messages: Array<{ content: string }> }
  return request.messages[0]?.content ?? ""
}

/** At least `n` bytes of UTF-8 text, mostly two-byte characters, so that reads split characters. */
const bigText = (n: number) => "ГигаЧат-".repeat(Math.ceil(n / 13))

/** A TCP server that accepts connections and never reads from them nor answers; counts open sockets. */
const silentServer = Effect.gen(function*() {
  const sockets = new Set<Net.Socket>()
  const server = Net.createServer((socket) => {
    socket.pause()
    socket.on("error", () => {})
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  const port = yield* Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
    }),
    () =>
      Effect.async<void>((resume) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )
  return {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    open: () => sockets.size,
    /** Reads again: a paused socket does not see the other side close it. */
    resume: () => {
      for (const socket of sockets) socket.resume()
    }
  }
})

const peerName = (request: Http.IncomingMessage): string | undefined => {
  const socket = request.socket as Tls.TLSSocket
  const name = socket.getPeerCertificate?.()?.subject?.CN
  return name === undefined ? undefined : String(name)
}

for (const kind of kinds) {
  describe(`transport conformance: the ${kind.name} client`, () => {
    describe("timeouts (TestClock)", () => {
      it.scoped("headers that never come → TimeoutError at the timeout; the connection is closed", () =>
        Effect.gen(function*() {
          const server = yield* httpServer(() => {})
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t", timeout })
          const fiber = yield* Effect.fork(Effect.provide(GigaChat.chat("hello"), context))
          yield* waitFor(() => server.requests() === 1, "the request arrived")
          yield* TestClock.adjust(timeout)
          failure(yield* settled(fiber), "TimeoutError")
          yield* allClosed(server)
        }))

      it.scoped("a JSON body that stalls midway → TimeoutError; the connection is closed", () =>
        Effect.gen(function*() {
          const body = completionJson("stalled")
          let written = false
          const server = yield* httpServer((_request, _body, response) => {
            response.writeHead(200, { ...json, "content-length": String(body.length) })
            response.write(body.slice(0, 40), () => {
              written = true
            })
          })
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t", timeout })
          const fiber = yield* Effect.fork(Effect.provide(GigaChat.chat("hello"), context))
          yield* waitFor(() => written, "half of the body was sent")
          yield* TestClock.adjust(timeout)
          failure(yield* settled(fiber), "TimeoutError")
          yield* allClosed(server)
        }))

      it.scoped("a stream that pauses longer than the timeout → its events, then TimeoutError", () =>
        Effect.gen(function*() {
          const server = yield* httpServer((_request, _body, response) => {
            response.writeHead(200, sse)
            response.write(chunkFrame("a") + chunkFrame("b"))
          })
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t", timeout })
          const received: Array<string> = []
          const fiber = yield* Effect.fork(
            Stream.runForEach(
              GigaChat.stream("hello"),
              (chunk) => Effect.sync(() => received.push(chunk.choices[0]?.delta.content ?? ""))
            ).pipe(Effect.provide(context))
          )
          yield* waitFor(() => received.length === 2, "two events arrived")
          yield* TestClock.adjust(timeout)
          failure(yield* settled(fiber), "TimeoutError")
          assert.deepStrictEqual(received, ["a", "b"])
          yield* allClosed(server)
        }))

      it.scoped("a stream whose every pause is shorter than the timeout runs past it", () =>
        Effect.gen(function*() {
          const open: Array<Http.ServerResponse> = []
          const server = yield* httpServer((_request, _body, response) => {
            response.writeHead(200, sse)
            response.write(chunkFrame("0"))
            open.push(response)
          })
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t", timeout })
          const received: Array<string> = []
          const fiber = yield* Effect.fork(
            Stream.runForEach(
              GigaChat.stream("hello"),
              (chunk) => Effect.sync(() => received.push(chunk.choices[0]?.delta.content ?? ""))
            ).pipe(Effect.provide(context))
          )
          yield* waitFor(() => received.length === 1, "the first event arrived")
          // Three pauses of 0.7 timeout each: 2.1 timeouts in all.
          for (const next of ["1", "2", "3"]) {
            yield* TestClock.adjust(Duration.times(timeout, 0.7))
            open[0]!.write(chunkFrame(next))
            yield* waitFor(() => received.length === Number(next) + 1, `event ${next} arrived`)
          }
          open[0]!.end("data: [DONE]\n\n")
          success(yield* settled(fiber))
          assert.deepStrictEqual(received, ["0", "1", "2", "3"])
        }))
    })

    describe("interruption closes the connection", () => {
      it.scopedLive("of a call waiting for its headers", () =>
        Effect.gen(function*() {
          const server = yield* httpServer(() => {})
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t" })
          const fiber = yield* Effect.fork(Effect.provide(GigaChat.chat("hello"), context))
          yield* eventually(Effect.sync(() => server.requests() === 1), "the request arrived")
          yield* Fiber.interrupt(fiber)
          yield* allClosed(server)
        }))

      it.scopedLive("of a stream waiting for its next event", () =>
        Effect.gen(function*() {
          const server = yield* httpServer((_request, _body, response) => {
            response.writeHead(200, sse)
            response.write(chunkFrame("a"))
          })
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t" })
          let received = 0
          const fiber = yield* Effect.fork(
            Stream.runForEach(GigaChat.stream("hello"), () => Effect.sync(() => received++)).pipe(
              Effect.provide(context)
            )
          )
          yield* eventually(Effect.sync(() => received === 1), "the first event arrived")
          yield* Fiber.interrupt(fiber)
          yield* allClosed(server)
        }))
    })

    describe.skipIf(!hasOpenssl)("TLS", () => {
      const tlsServer = (requireClientCertificate: boolean) => {
        const clients: Array<string | undefined> = []
        return Effect.map(
          httpServer((request, _body, response) => {
            clients.push(peerName(request))
            response.writeHead(200, json).end(completionJson("over TLS"))
          }, {
            tls: {
              key: certificates!.read("server.key"),
              cert: certificates!.read("server.pem"),
              ...(requireClientCertificate
                ? { requestCert: true, rejectUnauthorized: true, ca: [certificates!.read("test-root-ca.pem")] }
                : {})
            }
          }),
          (server) => ({ server, clients })
        )
      }

      it.scopedLive("a server signed by the CA of caBundleFile is accepted", () =>
        Effect.gen(function*() {
          const { server } = yield* tlsServer(false)
          const context = yield* sdk(kind, {
            baseUrl: server.baseUrl,
            accessToken: "t",
            caBundleFile: file("test-root-ca.pem")
          })
          const answer = success(yield* Effect.exit(Effect.provide(GigaChat.chat("hello"), context)))
          assert.strictEqual(answer.choices[0]?.message.content, "over TLS")
        }))

      it.scopedLive("a server signed by an unknown CA is refused with a TransportError; no request is sent", () =>
        Effect.gen(function*() {
          const { server } = yield* tlsServer(false)
          const context = yield* sdk(kind, {
            baseUrl: server.baseUrl,
            accessToken: "t",
            caBundleFile: file("other-ca.pem")
          })
          const error = failure(yield* Effect.exit(Effect.provide(GigaChat.chat("hello"), context)), "TransportError")
          assert.match(error.message, /certificate/i)
          assert.strictEqual(server.requests(), 0)
        }))

      it.scopedLive("the client certificate is presented to a server that requires one (mTLS)", () =>
        Effect.gen(function*() {
          const { clients, server } = yield* tlsServer(true)
          const context = yield* sdk(kind, {
            baseUrl: server.baseUrl,
            accessToken: "t",
            caBundleFile: file("test-root-ca.pem"),
            certFile: file("client.pem"),
            keyFile: file("client.key")
          })
          success(yield* Effect.exit(Effect.provide(GigaChat.chat("hello"), context)))
          assert.deepStrictEqual(clients, ["client"])
        }))
    })

    it.scopedLive("maxConnections: never more requests in flight nor sockets than the limit", () =>
      Effect.gen(function*() {
        const limit = 2
        const calls = 6
        const held: Array<Http.ServerResponse> = []
        let inFlight = 0
        let maxInFlight = 0
        const server = yield* httpServer((_request, _body, response) => {
          inFlight++
          maxInFlight = Math.max(maxInFlight, inFlight)
          held.push(response)
        })
        const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t", maxConnections: limit })
        const fiber = yield* Effect.fork(
          Effect.all(Array.from({ length: calls }, () => GigaChat.chat("x")), { concurrency: "unbounded" }).pipe(
            Effect.provide(context)
          )
        )
        // Answers one held request at a time, each once the pool is full (or all that are left have arrived).
        for (let answered = 0; answered < calls; answered++) {
          const expected = Math.min(limit, calls - answered)
          yield* eventually(Effect.sync(() => inFlight >= expected), `${expected} requests in flight`)
          inFlight--
          // The harness's server says `keep-alive: timeout=0`, and undici would open a new socket for every request.
          held.shift()!.writeHead(200, { ...json, "keep-alive": "timeout=5" }).end(completionJson("ok"))
        }
        assert.strictEqual((yield* Fiber.join(fiber)).length, calls)
        assert.strictEqual(maxInFlight, limit)
        assert.strictEqual(server.connections(), limit)
      }))

    describe("a body dropped by the server → TransportError, not a defect or a hang", () => {
      it.scopedLive("a JSON answer closed before its content-length", () =>
        Effect.gen(function*() {
          const body = completionJson("dropped")
          const server = yield* tcpServer((socket) => {
            socket.end(
              `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n` +
                body.slice(0, 30)
            )
          })
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t" })
          failure(yield* Effect.exit(Effect.provide(GigaChat.chat("hello"), context)), "TransportError")
        }))

      it.scopedLive("an event stream closed before its last chunk: its events, then TransportError", () =>
        Effect.gen(function*() {
          const frames = chunkFrame("a") + chunkFrame("b")
          const server = yield* tcpServer((socket) => {
            socket.end(
              "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
                `${Buffer.byteLength(frames).toString(16)}\r\n${frames}\r\n`
            )
          })
          const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t" })
          const received: Array<string> = []
          const exit = yield* Effect.exit(
            Stream.runForEach(
              GigaChat.stream("hello"),
              (chunk) => Effect.sync(() => received.push(chunk.choices[0]?.delta.content ?? ""))
            ).pipe(Effect.provide(context))
          )
          failure(exit, "TransportError")
          assert.deepStrictEqual(received, ["a", "b"])
        }))
    })

    it.scopedLive("5 MiB each way arrive intact: a chat prompt and its echo, an upload, a file's content", () =>
      Effect.gen(function*() {
        const size = 5 * 1024 * 1024
        const prompt = bigText(size)
        const file = new Uint8Array(size).map((_, i) => (i * 7919) % 251)
        const uploads: Array<Uint8Array> = []
        const server = yield* httpServer((request, body, response) => {
          if (request.url === "/api/v1/chat/completions") {
            response.writeHead(200, json).end(completionJson(contentOf(body)))
          } else if (request.url === "/api/v1/files") {
            new Response(new Uint8Array(body), { headers: { "content-type": request.headers["content-type"] ?? "" } })
              .formData()
              .then((form) => (form.get("file") as Blob).arrayBuffer())
              .then((bytes) => {
                uploads.push(new Uint8Array(bytes))
                response.writeHead(200, json).end(JSON.stringify({
                  id: "file-1",
                  object: "file",
                  bytes: bytes.byteLength,
                  created_at: 1,
                  filename: "big.bin",
                  purpose: "general"
                }))
              })
          } else {
            response.writeHead(200, { "content-type": "application/octet-stream" }).end(file)
          }
        })
        const context = yield* sdk(kind, { baseUrl: server.baseUrl, accessToken: "t" })
        const gc = yield* Effect.provide(GigaChat.GigaChat, context)

        const answer = success(yield* Effect.exit(gc.chat(prompt)))
        assert.isAtLeast(Buffer.byteLength(prompt), size)
        assert.isTrue(answer.choices[0]?.message.content === prompt, "the echoed prompt differs")

        const uploaded = success(yield* Effect.exit(gc.uploadFile({ file, filename: "big.bin" })))
        assert.strictEqual(uploaded.bytes, size)
        assert.isTrue(Buffer.from(uploads[0]!).equals(Buffer.from(file)), "the uploaded bytes differ")

        const content = success(yield* Effect.exit(gc.getFileContent("file-1")))
        assert.isTrue(Buffer.from(content.bytes).equals(Buffer.from(file)), "the downloaded bytes differ")
      }))
  })

  describe(`fixed bugs: NodeGigaChat.layer({ httpClient: "${kind.name}" })`, () => {
    it.scoped("the timeout covers the wait for a pooled connection: three calls, maxConnections 1, all time out at once", () =>
      Effect.gen(function*() {
        const server = yield* httpServer(() => {})
        const context = yield* nodeLayer(kind, {
          baseUrl: server.baseUrl,
          accessToken: "t",
          timeout,
          maxConnections: 1
        })
        const fibers = yield* Effect.forEach(
          [1, 2, 3],
          () => Effect.fork(Effect.provide(GigaChat.chat("hello"), context))
        )
        yield* waitFor(() => server.requests() === 1, "the first request arrived")
        // The two others wait for the only connection; the test clock reaching the timeout ends all three.
        yield* TestClock.adjust(timeout)
        for (const fiber of fibers) failure(yield* settled(fiber), "TimeoutError")
        assert.strictEqual(server.requests(), 1)
      }))

    it.scoped("a stalled upload (the server never reads the body) → TimeoutError; the connection is closed", () =>
      Effect.gen(function*() {
        const server = yield* silentServer
        const context = yield* nodeLayer(kind, { baseUrl: server.baseUrl, accessToken: "t", timeout })
        // More than the kernel's socket buffers hold, so the upload stalls.
        const file = new Uint8Array(32 * 1024 * 1024)
        const fiber = yield* Effect.fork(
          Effect.provide(GigaChat.uploadFile({ file, filename: "stalled.bin" }), context)
        )
        yield* waitFor(() => server.open() === 1, "the connection was accepted")
        yield* TestClock.adjust(timeout)
        failure(yield* settled(fiber), "TimeoutError")
        server.resume()
        yield* waitFor(() => server.open() === 0, "the connection closed")
      }))

    it.scopedLive.skipIf(!hasOpenssl)(
      "OAuth has its own connections, without the client certificate: a token fetch does not wait behind API calls",
      () =>
        Effect.gen(function*() {
          const seen: Array<{ readonly url: string; readonly client: string | undefined }> = []
          const held: Array<Http.ServerResponse> = []
          const server = yield* httpServer((request, _body, response) => {
            seen.push({ url: request.url ?? "", client: peerName(request) })
            if (request.url === "/api/v2/oauth") {
              response.writeHead(200, json).end(
                JSON.stringify({ access_token: "oauth-token", expires_at: Date.now() + 1_800_000 })
              )
            } else if (request.headers["authorization"] === "Bearer caller") {
              held.push(response)
            } else {
              response.writeHead(200, json).end(completionJson(String(request.headers["authorization"])))
            }
          }, {
            tls: {
              key: certificates!.read("server.key"),
              cert: certificates!.read("server.pem"),
              // Asked for, not required: the server records who presents one.
              requestCert: true,
              rejectUnauthorized: false,
              ca: [certificates!.read("test-root-ca.pem")]
            }
          })
          const context = yield* nodeLayer(kind, {
            baseUrl: server.baseUrl,
            authUrl: server.authUrl,
            credentials: "Y2xpZW50OnNlY3JldA==",
            caBundleFile: file("test-root-ca.pem"),
            certFile: file("client.pem"),
            keyFile: file("client.key"),
            maxConnections: 1
          })
          // A caller's own token: the first call needs no token and holds the only API connection.
          const first = yield* Effect.fork(
            GigaChat.chat("first").pipe(RequestContext.withAuthorization("Bearer caller"), Effect.provide(context))
          )
          yield* eventually(Effect.sync(() => held.length === 1), "the first call is in flight")
          const second = yield* Effect.fork(Effect.provide(GigaChat.chat("second"), context))
          yield* eventually(
            Effect.sync(() => seen.some((request) => request.url === "/api/v2/oauth")),
            "the token fetch reached the OAuth server while the first call holds the API connection"
          )
          assert.isTrue(Option.isNone(yield* Fiber.poll(first)), "the first call is still open")
          held[0]!.writeHead(200, json).end(completionJson("first"))
          assert.strictEqual(success(yield* Fiber.await(first)).choices[0]?.message.content, "first")
          assert.strictEqual(
            success(yield* Fiber.await(second)).choices[0]?.message.content,
            "Bearer oauth-token"
          )
          assert.deepStrictEqual(seen, [
            { url: "/api/v1/chat/completions", client: "client" },
            { url: "/api/v2/oauth", client: undefined },
            { url: "/api/v1/chat/completions", client: "client" }
          ])
        })
    )

    it.scoped("the clients are the ones asked for", () =>
      Effect.gen(function*() {
        const server = yield* httpServer((_request, _body, response) => {
          response.writeHead(200, json).end("{}")
        })
        const clients = yield* NodeGigaChat.makeHttpClients(GigaChatConfig.make({}), { httpClient: kind.name })
        for (const client of [clients.api, clients.oauth]) {
          // In a scope of its own, the platform's `HttpClient.make` hands over the client's own response.
          const response = yield* HttpClient.withScope(client).execute(HttpClientRequest.get(server.url))
          assert.strictEqual(response.status, 200)
          assert.strictEqual(response instanceof UndiciClient.UndiciResponse, kind.name === "package")
        }
      }).pipe(TestServices.provideLive))
  })
}
