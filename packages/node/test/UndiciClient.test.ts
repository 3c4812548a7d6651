/**
 * The `HttpClient` of `NodeGigaChat.layerHttpClient` (internal/undiciClient.ts) over a node:http server on
 * 127.0.0.1: request bodies of every kind arrive, bodies are read once and cached, a 1 MiB body arrives whole, and
 * leaving a body or a request early lets go of the connection. The pause and resume of the socket are tested on
 * the handler itself with a recording controller.
 * With `httpSpans` the platform's client (and its span) is used instead.
 */
import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as V8 from "node:v8"
import * as Vm from "node:vm"
import * as UndiciClient from "../src/internal/undiciClient.js"

const big = Buffer.alloc(1024 * 1024 + 7, "abcdefghij")

// `gc` from a context made after the flag is set; the flag alone does not define it in the running one.
V8.setFlagsFromString("--expose-gc")
const collectGarbage = Vm.runInNewContext("gc") as () => void

interface Received {
  readonly method: string
  readonly url: string
  readonly body: string
}

/**
 * `/echo` answers the request body; `/big` 1 MiB in 64 KiB writes; `/bom` JSON after a BOM; `/slow` headers and one
 * event, then nothing; `/stalled` headers and 256 KiB, then nothing; `/hang` no answer; anything else 404.
 */
const makeServer = Effect.gen(function*() {
  const received: Array<Received> = []
  const closed = yield* Deferred.make<string>()
  const arrived = yield* Deferred.make<void>()
  const server = Http.createServer((req, res) => {
    const parts: Array<Buffer> = []
    req.on("data", (part: Buffer) => parts.push(part))
    req.on("end", () => {
      const body = Buffer.concat(parts).toString("utf8")
      received.push({ method: req.method ?? "", url: req.url ?? "", body })
      Deferred.unsafeDone(arrived, Effect.void)
      res.on("close", () => {
        if (!res.writableFinished) Deferred.unsafeDone(closed, Effect.succeed(req.url ?? ""))
      })
      if (req.url === "/echo") {
        res.writeHead(200, { "content-type": "text/plain", "set-cookie": "a=1", "X-Twice": ["a", "b"] }).end(body)
      } else if (req.url === "/big") {
        res.writeHead(200, { "content-type": "application/octet-stream" })
        for (let i = 0; i < big.length; i += 65536) res.write(big.subarray(i, i + 65536))
        res.end()
      } else if (req.url === "/bom") {
        res.writeHead(200, { "content-type": "application/json" }).end("\uFEFF{\"ok\":true}")
      } else if (req.url === "/slow") {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.write("data: 1\n\n")
      } else if (req.url === "/stalled") {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.write(Buffer.alloc(256 * 1024, "data: x\n\n"))
      } else if (req.url !== "/hang") {
        res.writeHead(404, { "content-type": "application/json" }).end("{\"status\":404,\"message\":\"no\"}")
      }
    })
  })
  yield* Effect.acquireRelease(
    Effect.async<void>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.void))
    }),
    () =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, received, closed, arrived }
})

const clientLayer = (options: GigaChatConfig.Options = {}) =>
  NodeGigaChat.layerHttpClient.pipe(Layer.provide(GigaChatConfig.layer({ timeout: "5 seconds", ...options })))

describe("NodeGigaChat's undici HttpClient", () => {
  it.scoped("sends bytes, text, empty and streamed bodies; caches the body it read", () =>
    Effect.gen(function*() {
      const { origin, received } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const bytes = yield* client.execute(
        HttpClientRequest.post(`${origin}/echo`, { body: HttpBody.uint8Array(new TextEncoder().encode("bytes")) })
      )
      assert.strictEqual(bytes.status, 200)
      assert.strictEqual(yield* bytes.text, "bytes")
      assert.strictEqual(yield* bytes.text, "bytes")
      assert.deepStrictEqual(new Uint8Array(yield* bytes.arrayBuffer), new TextEncoder().encode("bytes"))
      assert.strictEqual(bytes.headers["content-type"], "text/plain")
      // names in lower case, a repeated header's values joined, as the platform's Headers.fromInput does
      assert.strictEqual(bytes.headers["x-twice"], "a, b")
      assert.strictEqual(bytes.cookies.cookies["a"]?.value, "1")

      const json = yield* client.execute(HttpClientRequest.post(`${origin}/echo`, { body: HttpBody.text("[1,2]") }))
      assert.deepStrictEqual(yield* json.json, [1, 2])

      const empty = yield* client.execute(HttpClientRequest.get(`${origin}/echo`))
      assert.strictEqual(yield* empty.text, "")

      const streamed = yield* client.execute(
        HttpClientRequest.post(`${origin}/echo`, {
          body: HttpBody.stream(Stream.make("str", "eam").pipe(Stream.encodeText), "text/plain")
        })
      )
      assert.strictEqual(yield* streamed.text, "stream")
      assert.deepStrictEqual(received.map((r) => r.body), ["bytes", "[1,2]", "", "stream"])
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("a client with request steps of its own (mapRequest, mapRequestEffect) sends the request they make", () =>
    Effect.gen(function*() {
      const { origin, received } = yield* makeServer
      const client = (yield* HttpClient.HttpClient).pipe(
        HttpClient.mapRequest(HttpClientRequest.prependUrl(origin)),
        HttpClient.mapRequestEffect((request) => Effect.succeed(HttpClientRequest.bodyText(request, "mapped")))
      )
      const response = yield* client.execute(HttpClientRequest.post("/echo"))
      assert.strictEqual(yield* response.text, "mapped")
      const refused = yield* Effect.flip(
        HttpClient.mapRequestEffect(client, () => Effect.fail("no request")).execute(HttpClientRequest.post("/echo"))
      )
      assert.strictEqual(refused, "no request")
      assert.deepStrictEqual(received.map((r) => `${r.url} ${r.body}`), ["/echo mapped"])
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("a 1 MiB body arrives whole, read at once or as a stream", () =>
    Effect.gen(function*() {
      const { origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const whole = yield* client.execute(HttpClientRequest.get(`${origin}/big`))
      assert.isTrue(Buffer.from(yield* whole.arrayBuffer).equals(big))
      const streamed = yield* client.execute(HttpClientRequest.get(`${origin}/big`))
      const parts = yield* Stream.runCollect(streamed.stream)
      assert.isTrue(Buffer.concat(Chunk.toArray(parts)).equals(big))
    }).pipe(Effect.provide(clientLayer())))

  it.effect("bytes nobody reads pause the socket beyond 64 KiB; a whole read or a stream pull resumes it", () =>
    Effect.gen(function*() {
      const calls: Array<string> = []
      const controller = {
        paused: false,
        aborted: false,
        reason: null,
        pause() {
          calls.push("pause")
          this.paused = true
        },
        resume() {
          calls.push("resume")
          this.paused = false
        },
        abort() {
          calls.push("abort")
        }
      }
      const part = new Uint8Array(40 * 1024).fill(7)
      const receive = (exchange: UndiciClient.Exchange) => {
        exchange.onRequestStart(controller)
        exchange.onResponseData(controller, part)
        exchange.onResponseData(controller, part)
      }

      const whole = new UndiciClient.Exchange(HttpClientRequest.get("http://127.0.0.1/"), undefined)
      receive(whole)
      assert.deepStrictEqual(calls, ["pause"])
      const read = yield* Effect.fork(whole.readAll())
      yield* Effect.yieldNow()
      assert.deepStrictEqual(calls, ["pause", "resume"])
      // a whole read takes bytes as they come: no pause for it however much arrives
      whole.onResponseData(controller, part)
      whole.onResponseData(controller, part)
      whole.onResponseEnd()
      assert.strictEqual((yield* Fiber.join(read)).length, 4 * part.length)
      assert.deepStrictEqual(calls, ["pause", "resume"])

      calls.length = 0
      const streamed = new UndiciClient.Exchange(HttpClientRequest.get("http://127.0.0.1/"), undefined)
      receive(streamed)
      assert.deepStrictEqual(calls, ["pause"])
      assert.strictEqual(streamed.claimStream(), "stream")
      assert.strictEqual(streamed.take()?.length, 2)
      assert.deepStrictEqual(calls, ["pause", "resume"])
    }))

  it.scoped("readers of one body each get all of it; a second stream reader fails instead of splitting it", () =>
    Effect.gen(function*() {
      const { origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(HttpClientRequest.get(`${origin}/big`))
      const [a, b] = yield* Effect.all([response.arrayBuffer, response.arrayBuffer], { concurrency: 2 })
      assert.isTrue(Buffer.from(a).equals(big))
      assert.isTrue(Buffer.from(b).equals(big))
      // read as a whole first: a stream then gets the same bytes
      const again = yield* Stream.runCollect(response.stream)
      assert.isTrue(Buffer.concat(Chunk.toArray(again)).equals(big))

      // In a scope, as the transport sends requests: unscoped, the platform's `HttpClient.make` wraps the response so
      // that any stream reader that ends (the one refused here too) aborts the exchange.
      const streamed = yield* HttpClient.withScope(client).execute(HttpClientRequest.get(`${origin}/big`))
      const [first, second] = yield* Effect.all([
        Effect.either(Stream.runCollect(streamed.stream)),
        Effect.either(Stream.runCollect(streamed.stream))
      ], { concurrency: 2 })
      const outcomes = [first, second].map((outcome) => outcome._tag).sort()
      assert.deepStrictEqual(outcomes, ["Left", "Right"])
      const whole = first._tag === "Right" ? first.right : second._tag === "Right" ? second.right : Chunk.empty()
      assert.isTrue(Buffer.concat(Chunk.toArray(whole)).equals(big))
      assert.strictEqual((yield* Effect.either(streamed.text))._tag, "Left")
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("text drops a UTF-8 BOM, as the platform's responses do", () =>
    Effect.gen(function*() {
      const { origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(HttpClientRequest.get(`${origin}/bom`))
      assert.deepStrictEqual(yield* response.json, { ok: true })
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("leaving a stream early closes the connection", () =>
    Effect.gen(function*() {
      const { closed, origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(HttpClientRequest.get(`${origin}/slow`))
      const first = yield* Stream.runCollect(Stream.take(response.stream, 1))
      assert.strictEqual(new TextDecoder().decode(Chunk.unsafeGet(first, 0)), "data: 1\n\n")
      assert.strictEqual(yield* Deferred.await(closed), "/slow")
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("interrupting a stream that waits for the next read closes the connection", () =>
    Effect.gen(function*() {
      const { closed, origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(HttpClientRequest.get(`${origin}/slow`))
      const first = yield* Deferred.make<string>()
      const reading = yield* Effect.fork(
        Stream.runForEach(response.stream, (bytes) => Deferred.succeed(first, new TextDecoder().decode(bytes)))
      )
      assert.strictEqual(yield* Deferred.await(first), "data: 1\n\n")
      // The reader now waits for bytes that never come.
      yield* Fiber.interrupt(reading)
      assert.strictEqual(yield* Deferred.await(closed), "/slow")
      // A body timeout longer than the test's: only the interruption can close the connection in time.
    }).pipe(Effect.provide(clientLayer({ timeout: "10 minutes" }))))

  it.scoped("interrupting a read of the whole body before its end closes the connection", () =>
    Effect.gen(function*() {
      const { closed, origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const response = yield* client.execute(HttpClientRequest.get(`${origin}/slow`))
      const reading = yield* Effect.fork(response.text)
      // Interrupted once it waits for the rest of the body, not before it has started to read.
      yield* Effect.repeat(Effect.zipRight(Effect.yieldNow(), Fiber.status(reading)), {
        until: (status) => status._tag === "Suspended"
      })
      yield* Fiber.interrupt(reading)
      assert.strictEqual(yield* Deferred.await(closed), "/slow")
      // A body timeout longer than the test's: only the interruption can close the connection in time.
    }).pipe(Effect.provide(clientLayer({ timeout: "10 minutes" }))))

  it.scoped("a response dropped unread, its socket paused, closes the connection once garbage collected", () =>
    Effect.gen(function*() {
      const { closed, origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      // The response is not kept: nothing can read its body any more.
      yield* Effect.asVoid(client.execute(HttpClientRequest.get(`${origin}/stalled`)))
      // Undici does not time out a paused body, and the timeout is longer than the test's anyway: only the
      // collection of the response can close the connection.
      const collectThenLook = Effect.sync(collectGarbage).pipe(
        // Finalization callbacks run on a later turn of the event loop.
        Effect.zipRight(Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))),
        Effect.zipRight(Deferred.poll(closed))
      )
      yield* Effect.repeat(collectThenLook, { until: Option.isSome })
      assert.strictEqual(yield* Deferred.await(closed), "/stalled")
    }).pipe(Effect.provide(clientLayer({ timeout: "10 minutes" }))))

  it.scoped("interrupting a request before its headers closes the connection", () =>
    Effect.gen(function*() {
      const { arrived, closed, origin } = yield* makeServer
      const client = yield* HttpClient.HttpClient
      const fiber = yield* Effect.fork(client.execute(HttpClientRequest.get(`${origin}/hang`)))
      yield* Deferred.await(arrived)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(yield* Deferred.await(closed), "/hang")
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("a refused connection is a RequestError with undici's cause", () =>
    Effect.gen(function*() {
      const client = yield* HttpClient.HttpClient
      const error = yield* Effect.flip(client.execute(HttpClientRequest.get("http://127.0.0.1:1/")))
      assert.strictEqual(error._tag, "RequestError")
      assert.match(String((error.cause as { code?: string }).code), /ECONNREFUSED/)
    }).pipe(Effect.provide(clientLayer())))

  it.scoped("the platform's http.client span only with httpSpans", () =>
    Effect.gen(function*() {
      const { origin } = yield* makeServer
      const spansOf = (httpSpans: boolean) =>
        Effect.gen(function*() {
          const names: Array<string> = []
          const tracer = Tracer.make({
            span: (name, parent, context, links, startTime, kind) => {
              names.push(name)
              return Effect.runSync(Effect.tracer).span(name, parent, context, links, startTime, kind)
            },
            context: (f) => f()
          })
          yield* GigaChat.getModels().pipe(
            Effect.provide(
              NodeGigaChat.layer({
                baseUrl: `${origin}/echo-models`,
                accessToken: "t",
                httpSpans,
                timeout: "5 seconds"
              })
            ),
            Effect.withTracer(tracer),
            Effect.ignore
          )
          return names
        })
      assert.deepStrictEqual(yield* spansOf(false), ["GigaChat.getModels"])
      assert.deepStrictEqual(yield* spansOf(true), ["GigaChat.getModels", "http.client GET"])
    }))
})
