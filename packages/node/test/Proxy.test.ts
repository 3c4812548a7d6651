/**
 * Proxies over real sockets, all on 127.0.0.1: a small HTTP proxy written here that records what goes through it
 * (plain requests it forwards, and `CONNECT` tunnels), the emulator over plain HTTP, and an HTTPS server whose
 * certificate is signed by a CA generated in the test (`utils/certificates.ts`). The proxy variables are given
 * through a `ConfigProvider`, never by changing `process.env`.
 */
import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeGigaChat } from "@effect-gigachat/node"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Net from "node:net"
import { hasOpenssl, useCertificates } from "./utils/certificates.js"
import { httpsGigaChat, listen } from "./utils/servers.js"

interface Forwarded {
  /** The request line's target: an absolute URL for a forwarded request. */
  readonly url: string
  readonly proxyAuthorization: string | undefined
}

interface Tunnel {
  /** The `CONNECT` authority, `host:port`. */
  readonly authority: string
  readonly proxyAuthorization: string | undefined
}

/** An HTTP proxy on 127.0.0.1 that forwards plain requests, opens `CONNECT` tunnels, and records both. */
const proxyServer = Effect.gen(function*() {
  const forwarded: Array<Forwarded> = []
  const tunnels: Array<Tunnel> = []
  const sockets = new Set<Net.Socket>()
  const server = Http.createServer((req, res) => {
    forwarded.push({ url: req.url ?? "", proxyAuthorization: req.headers["proxy-authorization"] })
    const target = new URL(req.url ?? "")
    const { "proxy-authorization": _, "proxy-connection": __, ...headers } = req.headers
    const upstream = Http.request(
      { host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on("error", () => res.destroy())
    req.pipe(upstream)
  })
  server.on("connect", (req: Http.IncomingMessage, client: Net.Socket, head: Buffer) => {
    const authority = req.url ?? ""
    tunnels.push({ authority, proxyAuthorization: req.headers["proxy-authorization"] })
    const [host, port] = authority.split(":")
    const upstream = Net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n")
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    sockets.add(client)
    upstream.on("error", () => client.destroy())
    client.on("error", () => upstream.destroy())
  })
  yield* listen(server, () => {
    for (const socket of sockets) socket.destroy()
  })
  return { forwarded, tunnels, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
})

const { file, read } = useCertificates()

const completion = {
  choices: [{ message: { role: "assistant", content: "through the tunnel" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:proxied",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}

/** An HTTPS GigaChat (OAuth and chat) with the test CA's certificate; records each request's path and client CN. */
const httpsServer = (options: { readonly requireClientCertificate?: boolean } = {}) =>
  Effect.gen(function*() {
    const { origin, port, received } = yield* httpsGigaChat(read, { token: "proxied-token", completion, ...options })
    const settings: GigaChatConfig.Options = {
      baseUrl: `${origin}/api/v1`,
      authUrl: `${origin}/api/v2/oauth`,
      credentials: "Y2xpZW50OnNlY3JldA==",
      caBundleFile: file("test-root-ca.pem"),
      timeout: "5 seconds"
    }
    return { received, settings, port }
  })

/** The variables of a process environment, as a `ConfigProvider` (nothing else is read from `process.env`). */
const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const chat = (options: NodeGigaChat.Options) => GigaChat.chat("hello").pipe(Effect.provide(NodeGigaChat.layer(options)))

describe("proxies", () => {
  it.scopedLive("HTTP_PROXY: plain http requests, OAuth's and the API's, are forwarded by the proxy", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const emulator = yield* NodeGigaChatEmulator.make()
      const answer = yield* chat(GigaChatEmulator.clientOptions(emulator)).pipe(withEnv({ HTTP_PROXY: proxy.url }))
      assert.strictEqual(answer.choices[0]?.finish_reason, "stop")
      // Absolute URLs in the request line: forwarded, not tunneled.
      assert.deepStrictEqual(proxy.forwarded.map((f) => f.url), [
        emulator.authUrl,
        `${emulator.baseUrl}/chat/completions`
      ])
      assert.deepStrictEqual(proxy.tunnels, [])
    }))

  it.scopedLive("the lower-case http_proxy is read too, and the platform's client goes through the same proxy", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const emulator = yield* NodeGigaChatEmulator.make()
      yield* chat({ ...GigaChatEmulator.clientOptions(emulator), httpClient: "platform" }).pipe(
        withEnv({ http_proxy: proxy.url })
      )
      assert.strictEqual(proxy.forwarded.length, 2)
    }))

  it.scopedLive("the proxy option: used for every request, with the URL's credentials as Proxy-Authorization", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const emulator = yield* NodeGigaChatEmulator.make()
      const withCredentials = proxy.url.replace("http://", "http://proxy-user:proxy%20pass@")
      yield* chat({ ...GigaChatEmulator.clientOptions(emulator), proxy: withCredentials }).pipe(withEnv({}))
      assert.strictEqual(proxy.forwarded.length, 2)
      const expected = `Basic ${Buffer.from("proxy-user:proxy pass").toString("base64")}`
      assert.deepStrictEqual(proxy.forwarded.map((f) => f.proxyAuthorization), [expected, expected])
      // The proxy's credentials stop at the proxy.
      const seen = yield* emulator.emulator.requests
      assert.isTrue(seen.every((request) => request.headers["proxy-authorization"] === undefined))
    }))

  it.scopedLive("proxy: false ignores the environment; NO_PROXY sends a listed host direct", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const emulator = yield* NodeGigaChatEmulator.make()
      const settings = GigaChatEmulator.clientOptions(emulator)
      yield* chat({ ...settings, proxy: false }).pipe(withEnv({ HTTP_PROXY: proxy.url }))
      yield* chat(settings).pipe(
        withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: `example.org, 127.0.0.1:${emulator.port}` })
      )
      yield* chat(settings).pipe(withEnv({ HTTP_PROXY: proxy.url, no_proxy: "*" }))
      assert.deepStrictEqual(proxy.forwarded, [])
      // A NO_PROXY entry for another port does not apply.
      yield* chat(settings).pipe(withEnv({ HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${emulator.port + 1}` }))
      assert.strictEqual(proxy.forwarded.length, 2)
    }))

  it.effect("a proxy URL that does not parse fails the layer with a ConfigError naming the variable, not its value", () =>
    Effect.gen(function*() {
      const build = (options: NodeGigaChat.Options, env: Record<string, string>) =>
        Effect.either(Effect.provide(Effect.void, NodeGigaChat.layer(options))).pipe(withEnv(env))
      const cases: ReadonlyArray<readonly [Either.Either<void, ConfigError.ConfigError>, string]> = [
        [yield* build({}, { HTTPS_PROXY: "http://user:s3cret@[bad" }), "HTTPS_PROXY"],
        [yield* build({}, { ALL_PROXY: "socks4://user:s3cret@127.0.0.1:1080" }), "ALL_PROXY"],
        [yield* build({ proxy: "ftp://user:s3cret@127.0.0.1:21" }, {}), "proxy"]
      ]
      for (const [result, setting] of cases) {
        assert.isTrue(Either.isLeft(result) && ConfigError.isInvalidData(result.left), setting)
        if (Either.isLeft(result) && ConfigError.isInvalidData(result.left)) {
          assert.deepStrictEqual(result.left.path, [setting])
          assert.include(result.left.message, setting)
          assert.notInclude(String(result.left), "s3cret")
        }
      }
    }))
})

describe.skipIf(!hasOpenssl)("a CONNECT tunnel to an HTTPS server with its own CA", () => {
  it.scopedLive("HTTPS_PROXY: OAuth and the API call go through tunnels; TLS, with the CA bundle, is end to end", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const server = yield* httpsServer()
      const answer = yield* chat(server.settings).pipe(withEnv({ HTTPS_PROXY: proxy.url }))
      assert.strictEqual(answer.choices[0]?.message.content, "through the tunnel")
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/api/v2/oauth", "/api/v1/chat/completions"])
      // One tunnel for each agent (OAuth, API); nothing readable went through the proxy.
      assert.deepStrictEqual(proxy.tunnels.map((t) => t.authority), [
        `127.0.0.1:${server.port}`,
        `127.0.0.1:${server.port}`
      ])
      assert.deepStrictEqual(proxy.forwarded, [])
    }))

  it.scopedLive("the mTLS client certificate is presented through the tunnel, to the API only", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const server = yield* httpsServer({ requireClientCertificate: true })
      const { credentials: _, ...settings } = server.settings
      const answer = yield* chat({
        ...settings,
        accessToken: "token",
        certFile: file("client.pem"),
        keyFile: file("client.key"),
        proxy: proxy.url
      }).pipe(withEnv({}))
      assert.strictEqual(answer.model, "GigaChat:proxied")
      assert.deepStrictEqual(server.received.map((r) => r.clientCertificate), ["client"])
      assert.strictEqual(proxy.tunnels.length, 1)
    }))

  it.scopedLive("through the tunnel the server's certificate is still verified: without the CA, a TransportError", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const server = yield* httpsServer()
      const { caBundleFile: _, ...settings } = server.settings
      const error = yield* Effect.flip(chat(settings).pipe(withEnv({ HTTPS_PROXY: proxy.url })))
      assert.strictEqual(error._tag, "TransportError")
      assert.strictEqual(proxy.tunnels.length, 1)
      assert.deepStrictEqual(server.received, [])
    }))

  it.scopedLive("NO_PROXY bypasses the tunnel; HTTP_PROXY alone is not used for https (as httpx)", () =>
    Effect.gen(function*() {
      const proxy = yield* proxyServer
      const server = yield* httpsServer()
      yield* chat(server.settings).pipe(withEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" }))
      yield* chat(server.settings).pipe(withEnv({ HTTP_PROXY: proxy.url }))
      assert.deepStrictEqual(proxy.tunnels, [])
      assert.strictEqual(server.received.length, 4)
      // ALL_PROXY covers https when HTTPS_PROXY is not set.
      yield* chat(server.settings).pipe(withEnv({ all_proxy: proxy.url }))
      assert.strictEqual(proxy.tunnels.length, 2)
    }))

  it.scopedLive("a proxy that refuses connections: a TransportError, and the server gets nothing", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      // A port that was free a moment ago: nothing listens on it.
      const closed = Net.createServer()
      const port = yield* Effect.async<number>((resume) => {
        closed.listen(0, "127.0.0.1", () => {
          const { port } = closed.address() as AddressInfo
          closed.close(() => resume(Effect.succeed(port)))
        })
      })
      const error = yield* Effect.flip(chat({ ...server.settings, proxy: `http://127.0.0.1:${port}` }))
      assert.strictEqual(error._tag, "TransportError")
      assert.deepStrictEqual(server.received, [])
    }))
})
