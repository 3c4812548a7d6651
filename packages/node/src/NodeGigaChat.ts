/**
 * GigaChat on Node.js: the core services over undici, with TLS settings from the configuration (extra CA bundle added
 * to Node's roots, certificate verification toggle, mTLS client certificate with an optional passphrase). API calls
 * and the OAuth server each get their own client and connection pool, closed when the layer's scope closes: only the
 * API's presents the client certificate and is limited by `maxConnections`.
 *
 * @example
 * ```ts
 * import { GigaChat } from "@effect-gigachat/core"
 * import { NodeGigaChat } from "@effect-gigachat/node"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.flatMap(GigaChat.GigaChat, (gc) => gc.chat("Hello!"))
 * Effect.runPromise(Effect.provide(program, NodeGigaChat.layer({ model: "GigaChat-2-Max" })))
 * ```
 *
 * @since 0.1.0
 */
import type { Auth, GigaChatConfig, HttpTransport } from "@effect-gigachat/core"
import type * as GigaChat from "@effect-gigachat/core/GigaChat"
import type * as Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/nodeGigaChat.js"

/**
 * The TLS options given to undici, built from the configuration. The private key and its passphrase stay
 * `Redacted`, so printing or logging these options shows neither.
 *
 * @since 0.1.0
 * @category models
 */
export interface TlsOptions {
  /** Node's default roots followed by the certificates of `caBundleFile`; absent without a bundle (Node's roots). */
  readonly ca?: ReadonlyArray<string> | undefined
  /** The client certificate (PEM) for mTLS. */
  readonly cert?: string | undefined
  /** The client key (PEM), possibly encrypted. */
  readonly key?: Redacted.Redacted<string> | undefined
  /** The passphrase of an encrypted client key. */
  readonly passphrase?: Redacted.Redacted<string> | undefined
  /** Verify the server's certificate: `verifySslCerts`, forced on when a CA bundle is given. */
  readonly rejectUnauthorized: boolean
}

/**
 * Reads and checks the CA bundle and client certificate files named by the configuration, so every mistake fails
 * here, once, with a `ConfigError` naming the setting (e.g. `GIGACHAT_KEY_FILE_PASSWORD` for a wrong passphrase)
 * instead of on every request. A CA file may be a PEM bundle or one DER certificate; a certificate file may hold
 * the key too. With `verifySslCerts: false` (and no CA bundle) a warning is logged.
 *
 * @since 0.1.0
 * @category constructors
 */
export const tlsOptions: (config: GigaChatConfig.Service) => Effect.Effect<TlsOptions, ConfigError.ConfigError> =
  internal.tlsOptions

/**
 * How `layer` talks HTTP: `"package"` (the default) is the package's own client over undici's dispatcher,
 * `"platform"` is `@effect/platform-node`'s `NodeHttpClient.makeUndici` over the same dispatcher (the same TLS
 * settings, pool and backstop timeouts). Both are built on the platform's `HttpClient.make` and pass the same
 * conformance tests. `httpSpans: true` uses the platform's client.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientOptions {
  /** `"package"` (the default) or `"platform"`. */
  readonly httpClient?: "package" | "platform" | undefined
}

/**
 * The options of {@link layer}: the settings (`GigaChatConfig.Options`) and the choice of client.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options extends GigaChatConfig.Options, ClientOptions {}

/**
 * The two clients of a GigaChat on Node, each over an undici agent of its own, so that a token fetch never waits
 * behind API calls for a pooled connection.
 *
 * @since 0.2.0
 * @category models
 */
export interface HttpClients {
  /**
   * For API calls (and the password flow's `/token`, an API call): the CA bundle, the verification setting, the mTLS
   * client certificate and the `maxConnections` limit.
   */
  readonly api: HttpClient.HttpClient
  /**
   * For the OAuth server: the CA bundle and the verification setting, no client certificate and no pool limit, as the
   * Python SDK's OAuth transport.
   */
  readonly oauth: HttpClient.HttpClient
}

/**
 * The API's undici agent: the configured TLS settings (CA bundle and client certificate in one TLS configuration)
 * and connection limit (`maxConnections`), destroyed when the scope closes. It follows no redirect. As a backstop for
 * a client used on its own, it gives every request undici's header and body timeouts of the configured `timeout`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDispatcher: (
  config: GigaChatConfig.Service
) => Effect.Effect<Undici.Dispatcher, ConfigError.ConfigError, Scope.Scope> = internal.makeDispatcher

/**
 * The OAuth server's undici agent: the CA bundle and verification setting of {@link makeDispatcher}, without the
 * client certificate and without the connection limit.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeOAuthDispatcher: (
  config: GigaChatConfig.Service
) => Effect.Effect<Undici.Dispatcher, ConfigError.ConfigError, Scope.Scope> = internal.makeOAuthDispatcher

/**
 * Both clients (see {@link HttpClients}) from one reading of the TLS files, their agents destroyed when the scope
 * closes. Each is the package's own client over undici's dispatcher, or with `httpClient: "platform"` (or
 * `httpSpans`) the platform's `NodeHttpClient.makeUndici` over the same agent.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeHttpClients: (
  config: GigaChatConfig.Service,
  options?: ClientOptions
) => Effect.Effect<HttpClients, ConfigError.ConfigError, Scope.Scope> = internal.makeHttpClients

/**
 * The API's `HttpClient` (`HttpClients.api`) configured from `GigaChatConfig`: the package's own client over undici's
 * dispatcher, or with `httpSpans` the platform's. The transport enforces the timeout; the agent's undici timeouts are
 * a backstop. Read or discard every body you get from it: once 64 KiB of a body nobody reads are waiting, its socket
 * is paused, and the connection is let go only when the response is garbage collected.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient: Layer.Layer<
  HttpClient.HttpClient,
  ConfigError.ConfigError,
  GigaChatConfig.GigaChatConfig
> = internal.layerHttpClient

/**
 * The OAuth server's `HttpClient` (`HttpClients.oauth`), for `Auth.layer` when the services are assembled by hand:
 *
 * ```ts
 * Auth.layer.pipe(Layer.provide(NodeGigaChat.layerOAuthClient))
 * ```
 *
 * @since 0.2.0
 * @category layers
 */
export const layerOAuthClient: Layer.Layer<
  HttpClient.HttpClient,
  ConfigError.ConfigError,
  GigaChatConfig.GigaChatConfig
> = internal.layerOAuthClient

/**
 * Everything over undici, with settings from the options, then `GIGACHAT_*` variables, then defaults. API calls and
 * the OAuth server each have their own client (see {@link HttpClients}). Fails with a `ConfigError` naming the setting
 * when a setting does not parse or a TLS file cannot be used.
 *
 * To use `@effect/platform-node`'s undici client instead of the package's own, add `httpClient: "platform"`:
 *
 * ```ts
 * NodeGigaChat.layer({ model: "GigaChat-2-Max", httpClient: "platform" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<
  GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig,
  ConfigError.ConfigError
> => internal.layer(options)

/**
 * Everything over undici, for settings provided separately (e.g. `GigaChatConfig.layer(...)`), with the package's
 * own client (the platform's with `httpSpans`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices: Layer.Layer<
  GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth,
  ConfigError.ConfigError,
  GigaChatConfig.GigaChatConfig
> = internal.layerServicesWith()

/**
 * {@link layerServices} with the choice of client, e.g. `layerServicesWith({ httpClient: "platform" })`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerServicesWith: (
  options: ClientOptions
) => Layer.Layer<
  GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth,
  ConfigError.ConfigError,
  GigaChatConfig.GigaChatConfig
> = internal.layerServicesWith
