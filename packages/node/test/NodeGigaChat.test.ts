import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Tls from "node:tls"
import { listen } from "./utils/servers.js"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "gigachat-node-"))
afterAll(() => Fs.rmSync(dir, { recursive: true, force: true }))

// A public root stands in for the Russian Trusted Root CA: only its parsing and placement are tested here.
const somePublicRoot = Tls.rootCertificates[0]!
const pemFile = Path.join(dir, "root.pem")
Fs.writeFileSync(pemFile, somePublicRoot)
const derFile = Path.join(dir, "root.cer")
Fs.writeFileSync(derFile, new Crypto.X509Certificate(somePublicRoot).raw)

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const completion = {
  choices: [{ message: { role: "assistant", content: "Hi!" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:node",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}

/** A plain HTTP API that holds every answer `holdMillis`, counting sockets and concurrent requests. */
const slowServer = (holdMillis: number) =>
  Effect.gen(function*() {
    const stats = { sockets: 0, inFlight: 0, maxInFlight: 0, requests: 0 }
    const server = Http.createServer((req, res) => {
      req.resume()
      stats.requests++
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      setTimeout(() => {
        stats.inFlight--
        res.writeHead(200, { "content-type": "application/json" })
        res.end(JSON.stringify(completion))
      }, holdMillis)
    })
    server.on("connection", () => stats.sockets++)
    const port = yield* listen(server)
    return { stats, baseUrl: `http://127.0.0.1:${port}/api/v1` }
  })

describe("NodeGigaChat", () => {
  describe("tlsOptions", () => {
    it.effect("defaults: verification on, Node's own roots, no client certificate, nothing logged", () => {
      const logs = captureLogs()
      return Effect.gen(function*() {
        const tls = yield* NodeGigaChat.tlsOptions(GigaChatConfig.make())
        assert.deepStrictEqual(tls, { rejectUnauthorized: true })
        assert.deepStrictEqual(logs.lines, [])
      }).pipe(Effect.provide(logs.layer))
    })

    it.effect("caBundleFile is added to Node's roots, not put in their place", () =>
      Effect.gen(function*() {
        const tls = yield* NodeGigaChat.tlsOptions(GigaChatConfig.make({ caBundleFile: pemFile }))
        assert.strictEqual(tls.ca?.length, Tls.rootCertificates.length + 1)
        assert.deepStrictEqual(tls.ca?.slice(0, Tls.rootCertificates.length), [...Tls.rootCertificates])
        assert.strictEqual(tls.ca?.at(-1)?.trim(), somePublicRoot.trim())
        assert.isTrue(tls.rejectUnauthorized)
      }))

    it.effect("a DER certificate file (.cer) is read and turned into PEM", () =>
      Effect.gen(function*() {
        const tls = yield* NodeGigaChat.tlsOptions(GigaChatConfig.make({ caBundleFile: derFile }))
        const added = tls.ca?.at(-1) ?? ""
        assert.match(added, /^-----BEGIN CERTIFICATE-----/)
        assert.strictEqual(
          new Crypto.X509Certificate(added).fingerprint256,
          new Crypto.X509Certificate(somePublicRoot).fingerprint256
        )
      }))

    it.effect("verifySslCerts: false turns verification off with a loud warning", () => {
      const logs = captureLogs()
      return Effect.gen(function*() {
        const tls = yield* NodeGigaChat.tlsOptions(GigaChatConfig.make({ verifySslCerts: false }))
        assert.isFalse(tls.rejectUnauthorized)
        assert.strictEqual(logs.lines.length, 1)
        assert.include(logs.lines[0], "level=WARN")
        assert.include(logs.lines[0], "VERIFICATION IS DISABLED")
        assert.include(logs.lines[0], "GIGACHAT_CA_BUNDLE_FILE")
      }).pipe(Effect.provide(logs.layer))
    })

    it.effect("a CA bundle keeps verification on even with verifySslCerts: false, and says so", () => {
      const logs = captureLogs()
      return Effect.gen(function*() {
        const tls = yield* NodeGigaChat.tlsOptions(
          GigaChatConfig.make({ verifySslCerts: false, caBundleFile: pemFile })
        )
        assert.isTrue(tls.rejectUnauthorized)
        assert.isTrue(logs.lines.some((line) => line.includes("is ignored because caBundleFile is set")))
      }).pipe(Effect.provide(logs.layer))
    })
  })

  it.effect("GIGACHAT_CA_BUNDLE_FILE from the environment: an unreadable file fails the layer, naming the variable", () =>
    Effect.gen(function*() {
      const missing = Path.join(dir, "no-such-ca.pem")
      const error = yield* Effect.flip(
        Effect.provide(
          Effect.void,
          NodeGigaChat.layer().pipe(
            Layer.provide(
              Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["GIGACHAT_CA_BUNDLE_FILE", missing]])))
            )
          )
        )
      )
      assert.isTrue(ConfigError.isInvalidData(error))
      if (ConfigError.isInvalidData(error)) assert.deepStrictEqual(error.path, ["GIGACHAT_CA_BUNDLE_FILE"])
      assert.include(String(error), missing)
    }))

  it.scopedLive("maxConnections limits the agent's connections to the API", () =>
    Effect.gen(function*() {
      const limited = yield* slowServer(100)
      const calls = Effect.all(Array.from({ length: 4 }, () => GigaChat.chat("x")), { concurrency: "unbounded" })
      yield* calls.pipe(
        Effect.provide(NodeGigaChat.layer({ baseUrl: limited.baseUrl, accessToken: "t", maxConnections: 1 }))
      )
      assert.strictEqual(limited.stats.requests, 4)
      assert.strictEqual(limited.stats.maxInFlight, 1)
      assert.strictEqual(limited.stats.sockets, 1)

      const unlimited = yield* slowServer(100)
      yield* calls.pipe(Effect.provide(NodeGigaChat.layer({ baseUrl: unlimited.baseUrl, accessToken: "t" })))
      assert.isAbove(unlimited.stats.maxInFlight, 1, "without the limit the calls run side by side")
    }))

  it.scopedLive("layerServices takes its settings from a separate GigaChatConfig layer", () =>
    Effect.gen(function*() {
      const server = yield* slowServer(0)
      const answer = yield* GigaChat.chat("x").pipe(
        Effect.provide(
          NodeGigaChat.layerServices.pipe(
            Layer.provide(GigaChatConfig.layer({ baseUrl: server.baseUrl, accessToken: "t" }))
          )
        )
      )
      assert.strictEqual(answer.model, "GigaChat:node")
    }))
})
