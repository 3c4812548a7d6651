// The modules themselves, not the package index: the index loads every module of core.
import * as Auth from "@effect-gigachat/core/Auth"
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
import type * as Scope from "effect/Scope"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Tls from "node:tls"
import type { ClientOptions, HttpClients, Options, TlsOptions } from "../NodeGigaChat.js"
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
 * An agent that gives every request the configured timeout for the headers and for each pause in the body, as a
 * backstop for a client used on its own: the platform's client sets both to "none" per request. The SDK does not rely
 * on it: HttpTransport and Auth time every call with Effect's Clock, from its start.
 */
class TimedAgent extends Undici.Agent {
  constructor(readonly timeoutMillis: number, options: Undici.Agent.Options) {
    super(options)
  }
  override dispatch(options: Undici.Agent.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    return super.dispatch({ ...options, headersTimeout: this.timeoutMillis, bodyTimeout: this.timeoutMillis }, handler)
  }
}

/**
 * The API agent's options: one TLS configuration holding the CA and the client certificate together (the httpx bug of
 * reference §2.6 lost the certificate when both were set), and the `maxConnections` limit. Undici follows no redirect
 * by default, so a token is never sent to another origin by a `Location` header.
 */
const apiAgentOptions = (config: GigaChatConfig.Service, tls: TlsOptions): Undici.Agent.Options => ({
  connect: {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca !== undefined ? { ca: [...tls.ca] } : {}),
    ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls.key !== undefined ? { key: Redacted.value(tls.key) } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: Redacted.value(tls.passphrase) } : {})
  },
  ...(config.maxConnections !== undefined && config.maxConnections > 0 ? { connections: config.maxConnections } : {})
})

/** The OAuth agent's options: the same verification and CA, no client certificate and no pool limit (§2.2, §3.4). */
const oauthAgentOptions = (tls: TlsOptions): Undici.Agent.Options => ({
  connect: {
    rejectUnauthorized: tls.rejectUnauthorized,
    ...(tls.ca !== undefined ? { ca: [...tls.ca] } : {})
  }
})

const scopedAgent = (config: GigaChatConfig.Service, options: Undici.Agent.Options) =>
  Effect.acquireRelease(
    Effect.sync(() => new TimedAgent(Duration.toMillis(config.timeout), options)),
    (agent) => Effect.promise(() => agent.destroy())
  )

/** @internal */
export const makeDispatcher = (config: GigaChatConfig.Service) =>
  Effect.flatMap(tlsOptions(config), (tls) => scopedAgent(config, apiAgentOptions(config, tls)))

/** @internal */
export const makeOAuthDispatcher = (config: GigaChatConfig.Service) =>
  Effect.flatMap(tlsOptions(config), (tls) => scopedAgent(config, oauthAgentOptions(tls)))

/** @internal */
export const usesPlatformClient = (config: GigaChatConfig.Service, options: ClientOptions = {}): boolean =>
  config.httpSpans || options.httpClient === "platform"

// The platform's client is loaded only when asked for: its modules lengthen the SDK's start-up.
const clientOver = (platform: boolean) =>
  platform
    ? Effect.map(
      Effect.promise(() => import("@effect/platform-node/NodeHttpClient")),
      (NodeHttpClient) => (dispatcher: Undici.Dispatcher) => NodeHttpClient.makeUndici(dispatcher)
    )
    : Effect.succeed(UndiciClient.make)

/** @internal */
export const makeHttpClients = (
  config: GigaChatConfig.Service,
  options: ClientOptions = {}
): Effect.Effect<HttpClients, ConfigError.ConfigError, Scope.Scope> =>
  Effect.gen(function*() {
    // Read once: the files are checked and the verification warning logged once for both clients.
    const tls = yield* tlsOptions(config)
    const api = yield* scopedAgent(config, apiAgentOptions(config, tls))
    const oauth = yield* scopedAgent(config, oauthAgentOptions(tls))
    const make = yield* clientOver(usesPlatformClient(config, options))
    return { api: make(api), oauth: make(oauth) }
  })

const layerClient = (
  makeAgent: (config: GigaChatConfig.Service) => Effect.Effect<Undici.Dispatcher, ConfigError.ConfigError, Scope.Scope>
) =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.flatMap(
      GigaChatConfig.GigaChatConfig,
      (config) =>
        Effect.zipWith(makeAgent(config), clientOver(usesPlatformClient(config)), (agent, make) => make(agent))
    )
  )

/** @internal */
export const layerHttpClient = layerClient(makeDispatcher)

/** @internal */
export const layerOAuthClient = layerClient(makeOAuthDispatcher)

/**
 * The services over the two clients: Auth gets the OAuth client when it fetches tokens with `credentials`; the
 * password flow's `POST {baseUrl}/token` is an API call (reference §2.3), so then it gets the API client.
 */
const servicesOver = (config: GigaChatConfig.Service, clients: HttpClients) =>
  GigaChat.layer.pipe(
    Layer.provideMerge(HttpTransport.layer),
    Layer.provideMerge(
      Layer.provide(
        Auth.layer,
        Layer.succeed(HttpClient.HttpClient, config.credentials !== undefined ? clients.oauth : clients.api)
      )
    ),
    Layer.provide(Layer.succeed(HttpClient.HttpClient, clients.api))
  )

/** @internal */
export const layerServicesWith = (options: ClientOptions = {}) =>
  Layer.unwrapScoped(
    Effect.flatMap(
      GigaChatConfig.GigaChatConfig,
      (config) => Effect.map(makeHttpClients(config, options), (clients) => servicesOver(config, clients))
    )
  )

/** @internal */
export const layer = (options: Options) => {
  const { httpClient, ...settings } = options
  return Layer.provideMerge(
    layerServicesWith(httpClient === undefined ? {} : { httpClient }),
    GigaChatConfig.layerEnv(settings)
  )
}
