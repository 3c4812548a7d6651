import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"

/** A fresh emulator server and an undici client (its own connection pool). */
const withServer = (options?: NodeGigaChatEmulator.Options) =>
  Effect.provide(Layer.merge(NodeGigaChatEmulator.layerServer(options), NodeHttpClient.layerUndici))

/** A client authenticated against the server with a fresh OAuth token. */
const authedClient = Effect.gen(function*() {
  const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
  const client = yield* HttpClient.HttpClient
  const response = yield* client.execute(
    HttpClientRequest.post(server.authUrl).pipe(
      HttpClientRequest.setHeaders({
        authorization: `Basic ${GigaChatEmulator.defaultCredentials}`,
        rquid: crypto.randomUUID()
      }),
      HttpClientRequest.bodyUrlParams({ scope: GigaChatEmulator.defaultScope })
    )
  )
  assert.strictEqual(response.status, 200)
  const token = ((yield* response.json) as { access_token: string }).access_token
  return client.pipe(HttpClient.mapRequest(HttpClientRequest.bearerToken(token)))
})

const streamRequest = (url: string) =>
  HttpClientRequest.post(url).pipe(
    HttpClientRequest.bodyUnsafeJson({
      model: "GigaChat",
      stream: true,
      messages: [{ role: "user", content: "Count from 1 to 10" }]
    })
  )

/** Waits (in real time: the event comes from another process's view of the socket) until `check` holds. */
const eventually = (check: Effect.Effect<boolean>, label: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 200; i++) {
      if (yield* check) return
      yield* Effect.sleep("10 millis")
    }
    assert.fail(`never became true: ${label}`)
  })

const completeEvents = (text: string) => text.split("\n\n").slice(0, -1).filter((block) => block.trim() !== "")

describe("NodeGigaChatEmulator", () => {
  it.live("serves the emulator on 127.0.0.1: OAuth, chat, SSE, files over a real socket", () =>
    Effect.gen(function*() {
      const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.isAbove(server.port, 0)
      assert.strictEqual(server.baseUrl, `${server.url}/api/v1`)
      assert.strictEqual(server.authUrl, `${server.url}/api/v2/oauth`)
      const client = yield* authedClient

      const chat = yield* client.execute(
        HttpClientRequest.post(`${server.baseUrl}/chat/completions`).pipe(
          HttpClientRequest.bodyUnsafeJson({ model: "GigaChat", messages: [{ role: "user", content: "Say 1, 2, 3" }] })
        )
      )
      assert.strictEqual(chat.status, 200)
      assert.strictEqual(((yield* chat.json) as any).choices[0].message.content, "1, 2, 3")

      const v1 = yield* client.execute(streamRequest(`${server.baseUrl}/chat/completions`))
      assert.strictEqual(v1.headers["content-type"], "text/event-stream")
      const v1Text = yield* v1.text
      assert.isTrue(v1Text.endsWith("data: [DONE]\n\n"))

      const v2 = yield* client.execute(streamRequest(`${server.url}/api/v2/chat/completions`))
      const v2Events = completeEvents(yield* v2.text)
      assert.isTrue(v2Events[0].startsWith("event: response.message.delta\n"))
      assert.isTrue(v2Events[v2Events.length - 1].startsWith("event: response.message.done\n"))

      const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) % 256)
      const form = new FormData()
      form.append("file", new Blob([bytes], { type: "application/pdf" }), "doc.pdf")
      form.append("purpose", "general")
      // undici (NodeHttpClient.layerUndici) cannot send Node 20's global FormData ("action is not a function"),
      // so the form is encoded to bytes first.
      const encoded = new Response(form)
      const multipart = new Uint8Array(yield* Effect.promise(() => encoded.arrayBuffer()))
      const uploaded = (yield* Effect.flatMap(
        client.execute(
          HttpClientRequest.post(`${server.baseUrl}/files`).pipe(
            HttpClientRequest.setBody(HttpBody.uint8Array(multipart, encoded.headers.get("content-type")!))
          )
        ),
        (response) => response.json
      )) as { id: string; bytes: number }
      assert.strictEqual(uploaded.bytes, bytes.length)
      const content = yield* client.get(`${server.baseUrl}/files/${uploaded.id}/content`)
      assert.strictEqual(content.headers["content-type"], "application/pdf")
      assert.deepStrictEqual(new Uint8Array(yield* content.arrayBuffer), bytes)
      assert.strictEqual((yield* client.post(`${server.baseUrl}/files/${uploaded.id}/delete`)).status, 200)
      assert.strictEqual((yield* client.get(`${server.baseUrl}/files/${uploaded.id}`)).status, 404)

      const requests = yield* server.emulator.requests
      assert.deepStrictEqual(requests.map((r) => `${r.method} ${r.path}`).slice(0, 2), [
        "POST /api/v2/oauth",
        "POST /api/v1/chat/completions"
      ])
    }).pipe(withServer()))

  it.live("dropAfterChunks over a socket: the client gets the events, then an error instead of a clean end", () =>
    Effect.gen(function*() {
      const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      const client = yield* authedClient
      yield* emulator.addFault({ route: "POST /api/*/chat/completions", dropAfterChunks: 3 })
      for (const url of [`${server.baseUrl}/chat/completions`, `${server.url}/api/v2/chat/completions`]) {
        const response = yield* client.execute(streamRequest(url))
        assert.strictEqual(response.status, 200)
        const received = yield* Ref.make("")
        const result = yield* response.stream.pipe(
          Stream.decodeText(),
          Stream.runForEach((text) => Ref.update(received, (all) => all + text)),
          Effect.either
        )
        assert.isTrue(Either.isLeft(result), "the body must not end cleanly")
        assert.strictEqual(completeEvents(yield* Ref.get(received)).length, 3)
      }
    }).pipe(withServer()))

  it.live("malformedFrame and status faults over a socket", () =>
    Effect.gen(function*() {
      const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
      const client = yield* authedClient
      const limited = yield* client.get(`${server.baseUrl}/models`)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers["retry-after"], "1")
      assert.strictEqual((yield* client.get(`${server.baseUrl}/models`)).status, 200)
      yield* server.emulator.addFault({ route: "POST /api/v1/chat/completions", malformedFrame: true })
      const text = yield* Effect.flatMap(
        client.execute(streamRequest(`${server.baseUrl}/chat/completions`)),
        (response) => response.text
      )
      const data = completeEvents(text).map((event) => event.split("\n").find((line) => line.startsWith("data:"))!)
      assert.throws(() => JSON.parse(data[1].slice(5)))
      assert.strictEqual(data[data.length - 1], "data: [DONE]")
    }).pipe(
      withServer({ faults: [{ route: "GET /api/v1/models", times: 1, status: 429, headers: { "retry-after": "1" } }] })
    ))

  it.live("openConnections goes back to 0 when the client's scope closes", () =>
    Effect.gen(function*() {
      const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
      assert.strictEqual(yield* server.openConnections, 0)
      yield* Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const responses = yield* Effect.all(
          Array.from({ length: 3 }, () => Effect.flatMap(client.get(`${server.baseUrl}/balance`), (r) => r.text)),
          { concurrency: 3 }
        )
        assert.strictEqual(responses.length, 3)
        assert.isAbove(yield* server.openConnections, 0) // keep-alive connections stay open while the client lives
      }).pipe(Effect.provide(NodeHttpClient.layerUndici))
      yield* eventually(Effect.map(server.openConnections, (n) => n === 0), "connections closed")
    }).pipe(Effect.provide(NodeGigaChatEmulator.layerServer())))

  it.live("interrupting a streaming client closes its connection on the server", () =>
    Effect.gen(function*() {
      const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
      yield* server.emulator.addFault({ route: "POST /api/v1/chat/completions", chunkDelay: "50 millis" })
      yield* Effect.gen(function*() {
        const client = yield* authedClient
        const first = yield* client.execute(streamRequest(`${server.baseUrl}/chat/completions`)).pipe(
          Effect.flatMap((response) => response.stream.pipe(Stream.take(1), Stream.runCollect))
        )
        assert.strictEqual(first.length, 1)
      }).pipe(Effect.provide(NodeHttpClient.layerUndici))
      yield* eventually(Effect.map(server.emulator.activeRequests, (n) => n === 0), "stream ended on the server")
      yield* eventually(Effect.map(server.openConnections, (n) => n === 0), "connections closed")
    }).pipe(Effect.provide(NodeGigaChatEmulator.layerServer())))

  it.live("stops listening when its scope closes", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(
        Effect.gen(function*() {
          const server = yield* NodeGigaChatEmulator.make()
          const client = yield* HttpClient.HttpClient
          assert.strictEqual((yield* client.get(`${server.baseUrl}/models`)).status, 401)
          return server.baseUrl
        })
      )
      const client = yield* HttpClient.HttpClient
      const after = yield* Effect.either(client.get(`${url}/models`))
      assert.isTrue(Either.isLeft(after))
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
