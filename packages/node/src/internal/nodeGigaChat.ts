// The modules themselves, not the package index: the index loads every module, the emulator included.
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatConfig from "@effect-gigachat/core/GigaChatConfig"
import * as HttpTransport from "@effect-gigachat/core/HttpTransport"
import * as Undici from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Tls from "node:tls"
import type { TlsOptions } from "../NodeGigaChat.js"
import * as UndiciClient from "./undiciClient.js"

interface Setting {
  /** The environment variable, used as the ConfigError path. */
  readonly env: string
  /** The option name, quoted in the message. */
  readonly option: string
}

const caBundleFile: Setting = { env: "GIGACHAT_CA_BUNDLE_FILE", option: "caBundleFile" }
const certFile: Setting = { env: "GIGACHAT_CERT_FILE", option: "certFile" }
const keyFile: Setting = { env: "GIGACHAT_KEY_FILE", option: "keyFile" }
const keyFilePassword: Setting = { env: "GIGACHAT_KEY_FILE_PASSWORD", option: "keyFilePassword" }

const invalid = (setting: Setting, message: string) =>
  ConfigError.InvalidData([setting.env], `${setting.option}: ${message}`)

// OpenSSL and Node messages name the failing routine, never the key material or the passphrase.
const reason = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

const readFile = (setting: Setting, path: string) =>
  Effect.try({
    try: () => Fs.readFileSync(path),
    catch: (cause) => invalid(setting, `cannot read ${path}: ${reason(cause)}`)
  })

const pemCertificates = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * The certificates of a CA file as PEM. PEM bundles and a single DER certificate (the `.cer` form in which CAs are
 * often downloaded) are accepted; each certificate is parsed, because Node ignores a CA it cannot read and the
 * mistake would only show as a verification failure on every request.
 */
const readCaBundle = (path: string) =>
  Effect.flatMap(readFile(caBundleFile, path), (bytes) =>
    Effect.try({
      try: () => {
        const blocks = bytes.toString("latin1").match(pemCertificates)
        if (blocks === null) return [new Crypto.X509Certificate(bytes).toString()]
        for (const block of blocks) new Crypto.X509Certificate(block)
        return blocks
      },
      catch: (cause) =>
        invalid(caBundleFile, `${path} holds no readable certificate (PEM or DER expected): ${reason(cause)}`)
    }))

const isEncryptedKey = (pem: string): boolean =>
  pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || pem.includes("Proc-Type: 4,ENCRYPTED")

/** Parses the key now, so a wrong passphrase or a broken file fails the layer instead of every request. */
const checkKey = (key: string, path: string, passphrase: string | undefined) =>
  Effect.try({
    try: () => Crypto.createPrivateKey(passphrase === undefined ? { key } : { key, passphrase }),
    catch: (cause) => {
      if (isEncryptedKey(key)) {
        return passphrase === undefined
          ? invalid(keyFilePassword, `the key ${path} is encrypted: set the passphrase`)
          : invalid(keyFilePassword, `the passphrase does not decrypt the key ${path}: ${reason(cause)}`)
      }
      return invalid(keyFile, `${path} is not a usable private key: ${reason(cause)}`)
    }
  })

/** @internal */
export const tlsOptions = (config: GigaChatConfig.Service): Effect.Effect<TlsOptions, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    // An extra CA is added to Node's roots, not put in their place: the public roots keep working.
    const ca = config.caBundleFile === undefined
      ? undefined
      : [...Tls.rootCertificates, ...(yield* readCaBundle(config.caBundleFile))]

    let cert: string | undefined
    let key: Redacted.Redacted<string> | undefined
    const passphrase = config.keyFilePassword
    if (config.certFile === undefined) {
      if (config.keyFile !== undefined) {
        return yield* Effect.fail(invalid(certFile, `a key (${config.keyFile}) is set without its certificate`))
      }
    } else {
      cert = (yield* readFile(certFile, config.certFile)).toString("utf8")
      // As with httpx, the certificate file may hold the key as well.
      const keyPath = config.keyFile ?? (cert.includes("PRIVATE KEY-----") ? config.certFile : undefined)
      if (keyPath === undefined) {
        return yield* Effect.fail(
          invalid(keyFile, `the certificate ${config.certFile} has no private key in it: set the key file`)
        )
      }
      const keyPem = keyPath === config.certFile ? cert : (yield* readFile(keyFile, keyPath)).toString("utf8")
      yield* checkKey(keyPem, keyPath, passphrase === undefined ? undefined : Redacted.value(passphrase))
      const certPath = config.certFile
      yield* Effect.try({
        try: () =>
          Tls.createSecureContext({
            cert,
            key: keyPem,
            ...(passphrase !== undefined ? { passphrase: Redacted.value(passphrase) } : {})
          }),
        catch: (cause) => invalid(certFile, `cannot use ${certPath} with the key ${keyPath}: ${reason(cause)}`)
      })
      key = Redacted.make(keyPem)
    }

    // As in the Python SDK, a CA bundle wins over verifySslCerts: false.
    const rejectUnauthorized = config.verifySslCerts || ca !== undefined
    if (!config.verifySslCerts && ca !== undefined) {
      yield* Effect.logWarning(
        "GigaChat: verifySslCerts: false is ignored because caBundleFile is set; certificates are verified " +
          "against Node's roots and the bundle."
      )
    } else if (!rejectUnauthorized) {
      yield* Effect.logWarning(
        "GigaChat: TLS CERTIFICATE VERIFICATION IS DISABLED (verifySslCerts: false / GIGACHAT_VERIFY_SSL_CERTS=false). " +
          "Anyone on the network path can read and change the traffic, tokens included. Add the Russian Trusted " +
          "Root CA with caBundleFile / GIGACHAT_CA_BUNDLE_FILE instead."
      )
    }
    const options: TlsOptions = {
      rejectUnauthorized,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(key !== undefined && passphrase !== undefined ? { passphrase } : {})
    }
    return options
  })

/**
 * An agent that gives every request the configured timeout for the response headers and for each pause in the
 * body. `@effect/platform-node`'s client sets both to "none" per request, leaving timeouts to Effect timers; undici's
 * own are cheaper (no timer fiber per request), and HttpTransport skips its timers when `TimeoutsByClient` is set.
 */
class TimedAgent extends Undici.Agent {
  constructor(readonly timeoutMillis: number, options: Undici.Agent.Options) {
    super(options)
  }
  override dispatch(options: Undici.Agent.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    return super.dispatch({ ...options, headersTimeout: this.timeoutMillis, bodyTimeout: this.timeoutMillis }, handler)
  }
}

const agentOptions = (config: GigaChatConfig.Service): Effect.Effect<Undici.Agent.Options, ConfigError.ConfigError> =>
  Effect.map(tlsOptions(config), (tls) => ({
    // One TLS configuration holds the CA and the client certificate together (the httpx bug of reference §2.6 lost
    // the certificate when both were set). Undici follows no redirect by default, so a token is never sent to
    // another origin by a `Location` header.
    connect: {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca !== undefined ? { ca: [...tls.ca] } : {}),
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: Redacted.value(tls.key) } : {}),
      ...(tls.passphrase !== undefined ? { passphrase: Redacted.value(tls.passphrase) } : {})
    },
    headersTimeout: Duration.toMillis(config.timeout),
    bodyTimeout: Duration.toMillis(config.timeout),
    ...(config.maxConnections !== undefined && config.maxConnections > 0 ? { connections: config.maxConnections } : {})
  }))

const scopedAgent = <A extends Undici.Agent>(make: () => A) =>
  Effect.acquireRelease(Effect.sync(make), (agent) => Effect.promise(() => agent.destroy()))

/**
 * For any client, the platform's included: the timeouts are set on every request.
 *
 * @internal
 */
export const makeDispatcher = (config: GigaChatConfig.Service) =>
  Effect.flatMap(
    agentOptions(config),
    (options) => scopedAgent(() => new TimedAgent(Duration.toMillis(config.timeout), options))
  )

/** @internal */
export const makeHttpClient = (config: GigaChatConfig.Service) =>
  config.httpSpans
    // The platform's client is kept for `httpSpans`, whose per-attempt span only it creates. It is loaded only
    // then: its modules add about a sixth to the SDK's start-up time.
    ? Effect.zipWith(
      makeDispatcher(config),
      Effect.promise(() => import("@effect/platform-node/NodeHttpClient")),
      (dispatcher, NodeHttpClient) => NodeHttpClient.makeUndici(dispatcher)
    )
    // Ours sets no per-request timeouts, so the agent's own apply.
    : Effect.map(
      Effect.flatMap(agentOptions(config), (options) => scopedAgent(() => new Undici.Agent(options))),
      UndiciClient.make
    )

/** @internal */
export const layerHttpClient = Layer.unwrapEffect(
  Effect.map(
    GigaChatConfig.GigaChatConfig,
    (config) =>
      Layer.scoped(HttpClient.HttpClient, makeHttpClient(config)).pipe(
        Layer.merge(Layer.succeed(HttpTransport.TimeoutsByClient, true)),
        Layer.merge(Layer.succeed(HttpTransport.UntracedClient, !config.httpSpans))
      )
  )
)

/** @internal */
export const layer = (options: GigaChatConfig.Options) =>
  GigaChat.layerServices.pipe(
    Layer.provide(layerHttpClient),
    Layer.provideMerge(GigaChatConfig.layerConfig(options))
  )
