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
import type * as Tls from "node:tls"
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
 * How `layer` talks HTTP: which client, through which proxy, with which TLS settings or dispatcher.
 *
 * - `httpClient`: `"package"` (the default) is the package's own client over undici's dispatcher, `"platform"` is
 *   `@effect/platform-node`'s `NodeHttpClient.makeUndici` over the same dispatcher (the same TLS settings, proxy,
 *   pool and backstop timeouts). Both are built on the platform's `HttpClient.make` and pass the same conformance
 *   tests. `httpSpans: true` uses the platform's client.
 * - `proxy`: see {@link ClientOptions.proxy}; by default `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` are honoured.
 * - `tls`: Node TLS connect options that replace the TLS settings of the configuration (see {@link ClientOptions.tls}).
 * - `dispatcher`: an undici dispatcher of your own, used as it is (see {@link ClientOptions.dispatcher}).
 *
 * @since 0.2.0
 * @category models
 */
export interface ClientOptions {
  /** `"package"` (the default) or `"platform"`; either runs over the same dispatcher, so over the same proxy. */
  readonly httpClient?: "package" | "platform" | undefined
  /**
   * The proxy for every request, API and OAuth alike: an `http://` or `https://` URL (credentials in the URL are sent
   * as `Proxy-Authorization: Basic`; a URL without a scheme means `http://`). `false` or `null`: no proxy, whatever
   * the environment says.
   *
   * Not set (the default): the environment, read through Effect `Config` (so any `ConfigProvider`), each variable in
   * lower case first, as curl and httpx read them: `HTTPS_PROXY` for `https://` origins, `HTTP_PROXY` for `http://`
   * ones, `ALL_PROXY` for either when its own is not set, and `NO_PROXY` for the hosts that go direct (comma
   * separated; a name covers its subdomains; `host:port` limits an entry to a port; `*` means every host). Loopback
   * addresses are not exempt by themselves: list them in `NO_PROXY`.
   *
   * `https://` origins go through a `CONNECT` tunnel, so TLS (the CA, the verification setting, the client
   * certificate) stays end to end with GigaChat; `http://` ones (e.g. a local emulator) are forwarded by the proxy.
   * An `https://` proxy is itself verified with the same CA and verification setting. `maxConnections` limits the
   * tunnels to each `https://` origin as it limits direct connections (forwarded `http://` requests share the
   * connections to the proxy, unlimited). A failure of the proxy (refused, `407`, a
   * tunnel it will not open) is a `TransportError`, or a `ResponseError` with the proxy's status for a forwarded
   * request. A bad URL fails the layer with a `ConfigError` naming `proxy` or the variable.
   */
  readonly proxy?: string | URL | false | null | undefined
  /**
   * Node TLS connect options used whole for both agents (API and OAuth), as the Python SDK takes an `ssl_context`:
   * e.g. `{ ca, cert, key, servername, minVersion }` or `{ secureContext }`. They replace the TLS settings of the
   * configuration: `caBundleFile`, `certFile`, `keyFile`, `keyFilePassword` and `verifySslCerts` are then not read
   * (a warning names those that are set). A client certificate given here is presented to the OAuth server too.
   * `maxConnections` and the proxy still apply (through a proxy these options secure the tunnelled connection, and
   * their `ca` and `rejectUnauthorized` an `https://` proxy).
   */
  readonly tls?: Tls.ConnectionOptions | undefined
  /**
   * An undici dispatcher of your own (an `Agent`, a `ProxyAgent`, a `MockAgent`, one composed with interceptors…),
   * for both the API and the OAuth server, or one for each as `{ api, oauth }`. It is used as it is, and it stays
   * yours: the layer does not close it. Everything that would shape the layer's own agent is then ignored:
   * `caBundleFile`, `certFile`, `keyFile`, `keyFilePassword`, `verifySslCerts` and `maxConnections` (a warning
   * names those that are set), the proxy variables of the environment, and undici's backstop header and body
   * timeouts (the SDK's own `timeout`, enforced by the transport with Effect's clock, still applies). Setting `tls`
   * or `proxy` with it fails the layer with a `ConfigError`: configure them on the dispatcher.
   */
  readonly dispatcher?:
    | Undici.Dispatcher
    | { readonly api: Undici.Dispatcher; readonly oauth: Undici.Dispatcher }
    | undefined
}

/**
 * The options of {@link layer}: the settings (`GigaChatConfig.Options`) and how to talk HTTP (the client, the proxy,
 * your own TLS options or dispatcher: {@link ClientOptions}).
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
 * and connection limit (`maxConnections`), through the proxy of the environment or of `options.proxy`, destroyed
 * when the scope closes. It follows no redirect. As a backstop for a client used on its own, it gives every request
 * undici's header and body timeouts of the configured `timeout`. With `options.dispatcher` it is that dispatcher
 * (not destroyed).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDispatcher: (
  config: GigaChatConfig.Service,
  options?: ClientOptions
) => Effect.Effect<Undici.Dispatcher, ConfigError.ConfigError, Scope.Scope> = internal.makeDispatcher

/**
 * The OAuth server's undici agent: the CA bundle, verification setting and proxy of {@link makeDispatcher}, without
 * the client certificate and without the connection limit.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeOAuthDispatcher: (
  config: GigaChatConfig.Service,
  options?: ClientOptions
) => Effect.Effect<Undici.Dispatcher, ConfigError.ConfigError, Scope.Scope> = internal.makeOAuthDispatcher

/**
 * Both clients (see {@link HttpClients}) from one reading of the TLS files and of the proxy settings, their agents
 * destroyed when the scope closes. Each is the package's own client over undici's dispatcher, or with
 * `httpClient: "platform"` (or `httpSpans`) the platform's `NodeHttpClient.makeUndici` over the same agent (so through
 * the same proxy). With `options.dispatcher`, both run over your dispatcher(s), which are not closed.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeHttpClients: (
  config: GigaChatConfig.Service,
  options?: ClientOptions
) => Effect.Effect<HttpClients, ConfigError.ConfigError, Scope.Scope> = internal.makeHttpClients

/**
 * The API's `HttpClient` (`HttpClients.api`) configured from `GigaChatConfig` and the proxy variables of the
 * environment: the package's own client over undici's dispatcher, or with `httpSpans` the platform's. The transport enforces the timeout; the agent's undici timeouts are
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
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` are honoured; `proxy` sets a proxy (or `false` turns it off), `tls`
 * takes Node TLS options whole and `dispatcher` an undici dispatcher of your own (see {@link ClientOptions}):
 *
 * ```ts
 * NodeGigaChat.layer({ proxy: "http://proxy.corp:3128", tls: { ca: corporateRootPem } })
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
