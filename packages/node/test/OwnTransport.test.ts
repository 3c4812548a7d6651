/**
 * The user's own TLS options (`tls`, as the Python SDK's `ssl_context`) and the user's own undici dispatcher
 * (`dispatcher`), against an HTTPS server on 127.0.0.1 whose certificate is signed by a CA generated in the test
 * (`utils/certificates.ts`).
 */
import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as Undici from "@effect/platform-node/Undici"
import { assert, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as Tls from "node:tls"
import { hasOpenssl, useCertificates } from "./utils/certificates.js"
import { httpsGigaChat } from "./utils/servers.js"

const { file, read } = useCertificates()

const completion = {
  choices: [{ message: { role: "assistant", content: "own TLS" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:own",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}

/** An HTTPS GigaChat (OAuth and chat) that requires a client certificate signed by the test CA. */
const httpsServer = Effect.gen(function*() {
  const { origin, received } = yield* httpsGigaChat(read, {
    token: "own-token",
    completion,
    requireClientCertificate: true
  })
  const settings: GigaChatConfig.Options = {
    baseUrl: `${origin}/api/v1`,
    authUrl: `${origin}/api/v2/oauth`,
    credentials: "Y2xpZW50OnNlY3JldA==",
    timeout: "5 seconds"
  }
  return { received, settings }
})

// No proxy variables from the machine: the environment is this empty provider.
const chat = (options: NodeGigaChat.Options) =>
  GigaChat.chat("hello").pipe(
    Effect.provide(NodeGigaChat.layer(options)),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
  )

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const clientTls = () => ({ ca: [read("test-root-ca.pem")], cert: read("client.pem"), key: read("client.key") })

describe.skipIf(!hasOpenssl)("tls: Node TLS options given whole", () => {
  it.scopedLive("used for OAuth and the API; the configuration's TLS settings are ignored, with a warning", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer
      const logs = captureLogs()
      // The configuration's CA is the wrong one and its key file does not exist: neither is read.
      const answer = yield* chat({
        ...server.settings,
        caBundleFile: file("other-ca.pem"),
        keyFile: file("missing.key"),
        tls: clientTls()
      }).pipe(Effect.provide(logs.layer))
      assert.strictEqual(answer.choices[0]?.message.content, "own TLS")
      // As an ssl_context in the Python SDK, the options serve the OAuth server too (its certificate included).
      assert.deepStrictEqual(server.received, [
        { url: "/api/v2/oauth", clientCertificate: "client" },
        { url: "/api/v1/chat/completions", clientCertificate: "client" }
      ])
      const warning = logs.lines.find((line) => line.includes("level=WARN"))
      assert.include(warning, "caBundleFile, keyFile are ignored")
    }))

  it.scopedLive("a secureContext works as an SSLContext would; without the client certificate the server refuses", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer
      const secureContext = Tls.createSecureContext(clientTls())
      const answer = yield* chat({ ...server.settings, tls: { secureContext } })
      assert.strictEqual(answer.model, "GigaChat:own")
      const refused = yield* Effect.flip(chat({ ...server.settings, tls: { ca: [read("test-root-ca.pem")] } }))
      assert.strictEqual(refused._tag, "TransportError")
    }))
})

describe.skipIf(!hasOpenssl)("dispatcher: an undici dispatcher of the user's own", () => {
  it.scopedLive("is used for every request, as it is, and the layer leaves it open", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer
      const agent = new Undici.Agent({ connect: clientTls() })
      yield* Effect.addFinalizer(() => Effect.promise(() => agent.close()))
      const origins: Array<string> = []
      const counted = agent.compose((dispatch) => (options, handler) => {
        origins.push(`${options.method} ${options.path}`)
        return dispatch(options, handler)
      })
      const logs = captureLogs()
      // verifySslCerts: false and maxConnections would shape the layer's own agent: here they are ignored.
      const answer = yield* chat({ ...server.settings, verifySslCerts: false, maxConnections: 1, dispatcher: counted })
        .pipe(Effect.provide(logs.layer))
      assert.strictEqual(answer.model, "GigaChat:own")
      assert.deepStrictEqual(origins, ["POST /api/v2/oauth", "POST /api/v1/chat/completions"])
      assert.isTrue(logs.lines.some((line) => line.includes("verifySslCerts, maxConnections are ignored")))
      // The layer's scope is closed; the agent is still the user's, open and usable.
      assert.isFalse(agent.closed || agent.destroyed)
      const again = yield* chat({ ...server.settings, httpClient: "platform", dispatcher: counted })
      assert.strictEqual(again.model, "GigaChat:own")
      assert.strictEqual(origins.length, 4)
    }))

  it.scopedLive("{ api, oauth }: each server gets its own", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer
      const seen: Array<string> = []
      const make = (name: string) => {
        const agent = new Undici.Agent({ connect: clientTls() })
        return agent.compose((dispatch) => (options, handler) => {
          seen.push(`${name} ${options.path}`)
          return dispatch(options, handler)
        })
      }
      const api = make("api")
      const oauth = make("oauth")
      yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all([api.close(), oauth.close()])))
      yield* chat({ ...server.settings, dispatcher: { api, oauth } })
      assert.deepStrictEqual(seen, ["oauth /api/v2/oauth", "api /api/v1/chat/completions"])
    }))

  it.effect("with tls or proxy: a ConfigError naming dispatcher", () =>
    Effect.gen(function*() {
      const agent = new Undici.Agent()
      const build = (options: NodeGigaChat.Options) =>
        Effect.either(Effect.provide(Effect.void, NodeGigaChat.layer(options)))
      for (const options of [{ tls: {} }, { proxy: "http://127.0.0.1:3128" }]) {
        const result = yield* build({ ...options, dispatcher: agent })
        assert.isTrue(Either.isLeft(result) && ConfigError.isInvalidData(result.left))
        if (Either.isLeft(result) && ConfigError.isInvalidData(result.left)) {
          assert.deepStrictEqual(result.left.path, ["dispatcher"])
          assert.include(result.left.message, Object.keys(options)[0]!)
        }
      }
      yield* Effect.promise(() => agent.close())
    }))
})
