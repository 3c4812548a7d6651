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
import * as Proxies from "./proxy.js"
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
 * Undici's connect options from the TLS settings of the configuration: one TLS configuration holding the CA and the
 * client certificate together (the httpx bug of reference §2.6 lost the certificate when both were set); the OAuth
 * agent's have no client certificate.
 */
const connectOptions = (tls: TlsOptions, clientCertificate: boolean): ConnectOptions => ({
  rejectUnauthorized: tls.rejectUnauthorized,
  ...(tls.ca !== undefined ? { ca: [...tls.ca] } : {}),
  ...(clientCertificate && tls.cert !== undefined ? { cert: tls.cert } : {}),
  ...(clientCertificate && tls.key !== undefined ? { key: Redacted.value(tls.key) } : {}),
  ...(clientCertificate && tls.passphrase !== undefined ? { passphrase: Redacted.value(tls.passphrase) } : {})
})

type ConnectOptions = Tls.ConnectionOptions

// Node's TLS options are what undici's connector takes; its type differs only in how it spells "absent".
const forUndici = (connect: ConnectOptions) => connect as Undici.buildConnector.BuildOptions

/** What an https:// proxy itself is checked with: the CA and verification of the connection, no client certificate. */
const proxyTlsOf = (connect: ConnectOptions): ConnectOptions => ({
  ...(connect.ca !== undefined ? { ca: connect.ca } : {}),
  ...(connect.rejectUnauthorized !== undefined ? { rejectUnauthorized: connect.rejectUnauthorized } : {})
})

/**
 * One agent: its TLS connect options and connection limit, directly or through the proxies of `proxy`. Undici follows
 * no redirect by default, so a token is never sent to another origin by a `Location` header.
 */
const scopedAgent = (
  config: GigaChatConfig.Service,
  connect: ConnectOptions,
  connections: number | undefined,
  proxy: Proxies.ProxySettings | undefined
) =>
  Effect.acquireRelease(
    Effect.sync((): Undici.Dispatcher => {
      const timeoutMillis = Duration.toMillis(config.timeout)
      const options: Undici.Agent.Options = {
        connect: forUndici(connect),
        ...(connections !== undefined ? { connections } : {})
      }
      if (proxy === undefined) return new TimedAgent(timeoutMillis, options)
      return new Proxies.ProxyRouter(proxy, timeoutMillis, new Undici.Agent(options), (url) =>
        new Undici.ProxyAgent({
          uri: url.href,
          // Through a tunnel (CONNECT) to an https origin the TLS is end to end: the request's own settings.
          requestTls: forUndici(connect),
          proxyTls: forUndici(proxyTlsOf(connect)),
          // Plain http requests are forwarded by the proxy, as curl and httpx send them; https ones are tunneled.
          proxyTunnel: false,
          ...(connections !== undefined ? { connections } : {})
        }))
    }),
    (agent) => Effect.promise(() => agent.destroy())
  )

const apiConnections = (config: GigaChatConfig.Service) =>
  config.maxConnections !== undefined && config.maxConnections > 0 ? config.maxConnections : undefined

/** The names of the TLS settings that are set in the configuration, for the warning that they are ignored. */
const tlsSettingsSet = (config: GigaChatConfig.Service): Array<string> => [
  ...(config.caBundleFile !== undefined ? ["caBundleFile"] : []),
  ...(config.certFile !== undefined ? ["certFile"] : []),
  ...(config.keyFile !== undefined ? ["keyFile"] : []),
  ...(config.keyFilePassword !== undefined ? ["keyFilePassword"] : []),
  ...(!config.verifySslCerts ? ["verifySslCerts"] : [])
]

const warnIgnored = (names: ReadonlyArray<string>, because: string) =>
  names.length === 0
    ? Effect.void
    : Effect.logWarning(`GigaChat: ${names.join(", ")} ${names.length === 1 ? "is" : "are"} ignored: ${because}`)

/** The connect options of the API's and the OAuth server's agents: the user's `tls` whole, or the configuration's. */
const connectPair = (
  config: GigaChatConfig.Service,
  options: ClientOptions
): Effect.Effect<{ readonly api: ConnectOptions; readonly oauth: ConnectOptions }, ConfigError.ConfigError> =>
  options.tls !== undefined
    ? Effect.as(
      warnIgnored(tlsSettingsSet(config), "the tls option replaces the TLS settings of the configuration"),
      { api: options.tls, oauth: options.tls }
    )
    : Effect.map(tlsOptions(config), (tls) => ({ api: connectOptions(tls, true), oauth: connectOptions(tls, false) }))

// Checked by shape: a dispatcher from another copy of undici is not an instance of this one's class.
const ownDispatchers = (dispatcher: NonNullable<ClientOptions["dispatcher"]>) =>
  "dispatch" in dispatcher && typeof dispatcher.dispatch === "function"
    ? { api: dispatcher as Undici.Dispatcher, oauth: dispatcher as Undici.Dispatcher }
    : dispatcher as { readonly api: Undici.Dispatcher; readonly oauth: Undici.Dispatcher }

/** A dispatcher of the user's own is used as it is: the settings that shape an agent cannot apply to it. */
const checkOwnDispatcher = (config: GigaChatConfig.Service, options: ClientOptions) => {
  const proxy = options.proxy !== undefined && options.proxy !== false && options.proxy !== null
  if (options.tls !== undefined || proxy) {
    const given = [...(options.tls !== undefined ? ["tls"] : []), ...(proxy ? ["proxy"] : [])].join(" and ")
    return Effect.fail(
      ConfigError.InvalidData(
        ["dispatcher"],
        `dispatcher: ${given} cannot be combined with a dispatcher of your own; configure them on the dispatcher`
      )
    )
  }
  return warnIgnored(
    [...tlsSettingsSet(config), ...(apiConnections(config) !== undefined ? ["maxConnections"] : [])],
    "the dispatcher option is used as it is"
  )
}

type Role = "api" | "oauth"

/**
 * The dispatchers of `roles`: the user's own (not closed here), or agents made from the settings, closed with the
 * scope. The OAuth agent has no client certificate and no pool limit (reference §2.2, §3.4).
 */
const makeDispatchers = (
  config: GigaChatConfig.Service,
  options: ClientOptions,
  roles: ReadonlyArray<Role>
): Effect.Effect<Partial<Record<Role, Undici.Dispatcher>>, ConfigError.ConfigError, Scope.Scope> =>
  options.dispatcher !== undefined
    ? Effect.as(checkOwnDispatcher(config, options), ownDispatchers(options.dispatcher))
    : Effect.gen(function*() {
      // Read once: the files are checked and the verification warning logged once for both agents.
      const connect = yield* connectPair(config, options)
      const proxy = yield* Proxies.proxySettings(options)
      const dispatchers: Partial<Record<Role, Undici.Dispatcher>> = {}
      for (const role of roles) {
        dispatchers[role] = yield* scopedAgent(
          config,
          connect[role],
          role === "api" ? apiConnections(config) : undefined,
          proxy
        )
      }
      return dispatchers
    })

const makeOne = (role: Role) => (config: GigaChatConfig.Service, options: ClientOptions = {}) =>
  Effect.map(makeDispatchers(config, options, [role]), (dispatchers) => dispatchers[role]!)

/** @internal */
export const makeDispatcher = makeOne("api")

/** @internal */
export const makeOAuthDispatcher = makeOne("oauth")

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
    const dispatchers = yield* makeDispatchers(config, options, ["api", "oauth"])
    const make = yield* clientOver(usesPlatformClient(config, options))
    return { api: make(dispatchers.api!), oauth: make(dispatchers.oauth!) }
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
export const layerHttpClient = layerClient((config) => makeDispatcher(config))

/** @internal */
export const layerOAuthClient = layerClient((config) => makeOAuthDispatcher(config))

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
  const { dispatcher, httpClient, proxy, tls, ...settings } = options
  return Layer.provideMerge(
    layerServicesWith({ dispatcher, httpClient, proxy, tls }),
    GigaChatConfig.layerEnv(settings)
  )
}
