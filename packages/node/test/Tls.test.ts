/**
 * TLS over real sockets: an HTTPS server on 127.0.0.1 whose certificate is signed by a CA generated in the test
 * with the machine's `openssl` (`utils/certificates.ts`). Keys and certificates go to a temporary directory that is
 * removed afterwards; none is committed.
 */
import { GigaChat, GigaChatConfig, HttpTransport } from "@effect-gigachat/core"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Https from "node:https"
import type * as Tls from "node:tls"
import type { Certificates } from "./utils/certificates.js"
import { hasOpenssl, makeCertificates } from "./utils/certificates.js"
import { listen, serverTls } from "./utils/servers.js"

const passphrase = "key-passphrase-do-not-leak"

let certificates: Certificates | undefined
const file = (name: string) => certificates!.file(name)
const read = (name: string) => certificates!.read(name)

beforeAll(() => {
  if (!hasOpenssl) return
  certificates = makeCertificates()
  const { openssl } = certificates
  openssl("pkey", "-in", "client.key", "-aes256", "-passout", `pass:${passphrase}`, "-out", "client-encrypted.key")
  openssl("x509", "-in", "test-root-ca.pem", "-outform", "der", "-out", "test-root-ca.der")
  Fs.writeFileSync(file("client-with-key.pem"), read("client.pem") + read("client.key"))
  Fs.writeFileSync(file("not-a-certificate.pem"), "hello\n")
})

afterAll(() => certificates?.remove())

const completion = {
  choices: [{ message: { role: "assistant", content: "over TLS" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:tls",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}

interface Received {
  readonly method: string
  readonly url: string
  readonly headers: Http.IncomingHttpHeaders
  /** The CN of the client certificate, when the client presented one. */
  readonly clientCertificate: string | undefined
}

/** Answers OAuth, chat and a redirect to `redirectTo`; records every request. */
const handler =
  (received: Array<Received>, redirectTo: string) => (req: Http.IncomingMessage, res: Http.ServerResponse) => {
    req.resume()
    req.on("end", () => {
      const socket = req.socket as Tls.TLSSocket
      const peer = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        clientCertificate: peer?.subject?.CN === undefined ? undefined : String(peer.subject.CN)
      })
      const send = (status: number, body: unknown, headers: Http.OutgoingHttpHeaders = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers })
        res.end(JSON.stringify(body))
      }
      if (req.url === "/api/v2/oauth") return send(200, { access_token: "tls-token", expires_at: Date.now() + 1800000 })
      if (req.url === "/api/v1/chat/completions") return send(200, completion)
      if (req.url === "/api/v1/redirect") return send(302, {}, { location: `${redirectTo}/stolen` })
      send(404, { status: 404, message: "no route" })
    })
  }

/** A plain HTTP server on another origin, recording what reaches it. */
const otherOrigin = Effect.gen(function*() {
  const received: Array<Received> = []
  const server = Http.createServer(handler(received, "http://unused"))
  const port = yield* listen(server)
  return { received, url: `http://127.0.0.1:${port}` }
})

const httpsServer = (options: { readonly requireClientCertificate?: boolean } = {}) =>
  Effect.gen(function*() {
    const other = yield* otherOrigin
    const received: Array<Received> = []
    const server = Https.createServer(serverTls(read, options.requireClientCertificate), handler(received, other.url))
    const port = yield* listen(server)
    const origin = `https://127.0.0.1:${port}`
    const settings: GigaChatConfig.Options = {
      baseUrl: `${origin}/api/v1`,
      authUrl: `${origin}/api/v2/oauth`,
      accessToken: "explicit-token",
      timeout: "5 seconds"
    }
    return { received, settings, other }
  })

const chat = (options: GigaChatConfig.Options) =>
  GigaChat.chat("hello").pipe(Effect.provide(NodeGigaChat.layer(options)))

/** The layer's build result alone: its ConfigError, or nothing. */
const buildLayer = (options: GigaChatConfig.Options) =>
  Effect.either(Effect.provide(Effect.void, NodeGigaChat.layer(options)))

const assertConfigError = (
  result: Either.Either<void, ConfigError.ConfigError>,
  path: string,
  fragment: string
) => {
  assert.isTrue(Either.isLeft(result), "the layer must fail")
  if (Either.isLeft(result)) {
    const error = result.left
    assert.isTrue(ConfigError.isInvalidData(error), String(error))
    if (ConfigError.isInvalidData(error)) assert.deepStrictEqual(error.path, [path])
    assert.include(String(error), fragment)
    assert.notInclude(String(error), passphrase)
    assert.notInclude(JSON.stringify(error), passphrase)
  }
}

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

describe.skipIf(!hasOpenssl)("TLS over a real HTTPS server (openssl-generated CA)", () => {
  it.scopedLive("without the CA: a TransportError naming the certificate problem, no request reaches the server", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const error = yield* Effect.flip(chat(server.settings))
      assert.strictEqual(error._tag, "TransportError")
      if (error._tag === "TransportError") assert.match(error.description, /certificate/i)
      assert.strictEqual(server.received.length, 0)
    }))

  it.scopedLive("with caBundleFile (PEM): OAuth and the API call succeed", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const { accessToken: _, ...settings } = server.settings
      const answer = yield* chat({
        ...settings,
        credentials: "Y2xpZW50OnNlY3JldA==",
        caBundleFile: file("test-root-ca.pem")
      })
      assert.strictEqual(answer.choices[0]?.message.content, "over TLS")
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/api/v2/oauth", "/api/v1/chat/completions"])
      assert.strictEqual(server.received[1]?.headers["authorization"], "Bearer tls-token")
    }))

  it.scopedLive("with caBundleFile as a DER certificate (.cer): succeeds", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const answer = yield* chat({ ...server.settings, caBundleFile: file("test-root-ca.der") })
      assert.strictEqual(answer.model, "GigaChat:tls")
    }))

  it.scopedLive("with the wrong CA: still a TransportError", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const error = yield* Effect.flip(chat({ ...server.settings, caBundleFile: file("other-ca.pem") }))
      assert.strictEqual(error._tag, "TransportError")
    }))

  it.scopedLive("verifySslCerts: false succeeds, with a loud warning", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const logs = captureLogs()
      const answer = yield* chat({ ...server.settings, verifySslCerts: false }).pipe(Effect.provide(logs.layer))
      assert.strictEqual(answer.model, "GigaChat:tls")
      assert.isTrue(logs.lines.some((line) => line.includes("level=WARN") && line.includes("VERIFICATION IS DISABLED")))
    }))

  it.scopedLive("caBundleFile wins over verifySslCerts: false (as in the Python SDK): the wrong CA still fails", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const error = yield* Effect.flip(
        chat({ ...server.settings, verifySslCerts: false, caBundleFile: file("other-ca.pem") })
      )
      assert.strictEqual(error._tag, "TransportError")
    }))

  describe("mTLS: a server that requires a client certificate", () => {
    it.scopedLive("rejects a client without a certificate", () =>
      Effect.gen(function*() {
        const server = yield* httpsServer({ requireClientCertificate: true })
        const error = yield* Effect.flip(chat({ ...server.settings, caBundleFile: file("test-root-ca.pem") }))
        assert.strictEqual(error._tag, "TransportError")
        assert.strictEqual(server.received.length, 0)
      }))

    it.scopedLive("accepts certFile + keyFile, loaded together with caBundleFile", () =>
      Effect.gen(function*() {
        const server = yield* httpsServer({ requireClientCertificate: true })
        const answer = yield* chat({
          ...server.settings,
          caBundleFile: file("test-root-ca.pem"),
          certFile: file("client.pem"),
          keyFile: file("client.key")
        })
        assert.strictEqual(answer.model, "GigaChat:tls")
        assert.strictEqual(server.received[0]?.clientCertificate, "client")
      }))

    it.scopedLive("accepts an encrypted key with keyFilePassword; the passphrase shows nowhere", () =>
      Effect.gen(function*() {
        const server = yield* httpsServer({ requireClientCertificate: true })
        const logs = captureLogs()
        const options: GigaChatConfig.Options = {
          ...server.settings,
          caBundleFile: file("test-root-ca.pem"),
          certFile: file("client.pem"),
          keyFile: file("client-encrypted.key"),
          keyFilePassword: passphrase
        }
        const answer = yield* chat(options).pipe(Effect.provide(logs.layer))
        assert.strictEqual(answer.model, "GigaChat:tls")
        assert.strictEqual(server.received[0]?.clientCertificate, "client")
        for (const line of logs.lines) assert.notInclude(line, passphrase)
        const tls = yield* NodeGigaChat.tlsOptions(GigaChatConfig.make(options))
        assert.notInclude(JSON.stringify(tls), passphrase)
        assert.notInclude(JSON.stringify(tls), "PRIVATE KEY")
        assert.notInclude(String(tls.passphrase), passphrase)
        assert.strictEqual(Redacted.value(tls.passphrase!), passphrase)
      }))

    it.scopedLive("layerHttpClient presents the client certificate; layerOAuthClient, for the OAuth server, does not", () =>
      Effect.gen(function*() {
        const server = yield* httpsServer({ requireClientCertificate: true })
        const settings = GigaChatConfig.layer({
          ...server.settings,
          caBundleFile: file("test-root-ca.pem"),
          certFile: file("client.pem"),
          keyFile: file("client.key")
        })
        const post = (
          client: Layer.Layer<HttpClient.HttpClient, ConfigError.ConfigError, GigaChatConfig.GigaChatConfig>
        ) =>
          Effect.flatMap(
            HttpClient.HttpClient,
            (http) => http.execute(HttpClientRequest.post(server.settings.authUrl!))
          )
            .pipe(Effect.provide(Layer.provide(client, settings)), Effect.either)
        const api = yield* post(NodeGigaChat.layerHttpClient)
        assert.isTrue(Either.isRight(api) && api.right.status === 200)
        const oauth = yield* post(NodeGigaChat.layerOAuthClient)
        assert.isTrue(Either.isLeft(oauth), "the server requires a certificate the OAuth client must not have")
        assert.deepStrictEqual(server.received.map((r) => r.clientCertificate), ["client"])
      }))

    it.scopedLive("accepts a certificate file that holds the key as well", () =>
      Effect.gen(function*() {
        const server = yield* httpsServer({ requireClientCertificate: true })
        const answer = yield* chat({
          ...server.settings,
          caBundleFile: file("test-root-ca.pem"),
          certFile: file("client-with-key.pem")
        })
        assert.strictEqual(answer.model, "GigaChat:tls")
      }))
  })

  describe("a TLS file that cannot be used fails the layer with a ConfigError naming the setting", () => {
    it.effect("wrong passphrase → GIGACHAT_KEY_FILE_PASSWORD", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({
          certFile: file("client.pem"),
          keyFile: file("client-encrypted.key"),
          keyFilePassword: "wrong-passphrase"
        })
        assertConfigError(result, "GIGACHAT_KEY_FILE_PASSWORD", "client-encrypted.key")
      }))

    it.effect("encrypted key without a passphrase → GIGACHAT_KEY_FILE_PASSWORD", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ certFile: file("client.pem"), keyFile: file("client-encrypted.key") })
        assertConfigError(result, "GIGACHAT_KEY_FILE_PASSWORD", "is encrypted")
      }))

    it.effect("unreadable key file → GIGACHAT_KEY_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ certFile: file("client.pem"), keyFile: file("missing.key") })
        assertConfigError(result, "GIGACHAT_KEY_FILE", "missing.key")
      }))

    it.effect("a key file that is no key → GIGACHAT_KEY_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ certFile: file("client.pem"), keyFile: file("not-a-certificate.pem") })
        assertConfigError(result, "GIGACHAT_KEY_FILE", "not-a-certificate.pem")
      }))

    it.effect("unreadable certificate file → GIGACHAT_CERT_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ certFile: file("missing.pem"), keyFile: file("client.key") })
        assertConfigError(result, "GIGACHAT_CERT_FILE", "missing.pem")
      }))

    it.effect("a certificate that does not match the key → GIGACHAT_CERT_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ certFile: file("server.pem"), keyFile: file("client.key") })
        assertConfigError(result, "GIGACHAT_CERT_FILE", "server.pem")
      }))

    it.effect("a certificate without a key → GIGACHAT_KEY_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ certFile: file("client.pem") })
        assertConfigError(result, "GIGACHAT_KEY_FILE", "no private key")
      }))

    it.effect("a key without a certificate → GIGACHAT_CERT_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ keyFile: file("client.key") })
        assertConfigError(result, "GIGACHAT_CERT_FILE", "without its certificate")
      }))

    it.effect("unreadable CA bundle → GIGACHAT_CA_BUNDLE_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ caBundleFile: file("missing-ca.pem") })
        assertConfigError(result, "GIGACHAT_CA_BUNDLE_FILE", "missing-ca.pem")
      }))

    it.effect("a CA bundle without a certificate → GIGACHAT_CA_BUNDLE_FILE", () =>
      Effect.gen(function*() {
        const result = yield* buildLayer({ caBundleFile: file("not-a-certificate.pem") })
        assertConfigError(result, "GIGACHAT_CA_BUNDLE_FILE", "no readable certificate")
      }))
  })

  it.scopedLive("a redirect is not followed: a 302 is a ResponseError and the other origin gets no request", () =>
    Effect.gen(function*() {
      const server = yield* httpsServer()
      const error = yield* Effect.flatMap(
        HttpTransport.HttpTransport,
        (transport) => Effect.flip(transport.text(HttpClientRequest.get("/redirect")))
      ).pipe(Effect.provide(NodeGigaChat.layer({ ...server.settings, caBundleFile: file("test-root-ca.pem") })))
      assert.strictEqual(error._tag, "ResponseError")
      if (error._tag === "ResponseError") {
        assert.strictEqual(error.status, 302)
        assert.strictEqual(error.headers["location"], `${server.other.url}/stolen`)
      }
      assert.deepStrictEqual(server.received.map((r) => r.url), ["/api/v1/redirect"])
      assert.strictEqual(server.received[0]?.headers["authorization"], "Bearer explicit-token")
      assert.deepStrictEqual(server.other.received, [])
    }))
})
