/**
 * GigaChat on Node.js: the core services over an undici `HttpClient` whose TLS settings come from the
 * configuration (extra CA bundle added to Node's roots, certificate verification toggle, mTLS client certificate
 * with an optional passphrase) and whose connection pool is closed when the layer's scope closes.
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
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import type * as Undici from "@effect/platform-node/Undici"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
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
 * An undici agent with the configured TLS settings (CA bundle and client certificate in one TLS configuration) and
 * connection limit (`maxConnections`), destroyed when the scope closes. It follows no redirect.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeDispatcher: (
  config: GigaChatConfig.Service
) => Effect.Effect<Undici.Dispatcher, ConfigError.ConfigError, Scope.Scope> = internal.makeDispatcher

/**
 * An undici `HttpClient` configured from `GigaChatConfig`. Unless `httpSpans` is set, it is the package's own client
 * over undici's dispatcher: no per-request span, abort controller, finalizer or Node stream, which leaves about a
 * third of the platform client's CPU per request. It enforces the timeout with undici's header and body timeouts and
 * says so with `HttpTransport.TimeoutsByClient` and `HttpTransport.UntracedClient`. Read or discard every body you
 * get from it: once 64 KiB of a body nobody reads are waiting, its socket is paused (undici's body timeout does not
 * run while paused), and the connection is let go only when the response is garbage collected.
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
 * Everything over an undici client, with settings from the options, then `GIGACHAT_*` variables, then defaults.
 * Fails with a `ConfigError` naming the setting when a setting does not parse or a TLS file cannot be used.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: GigaChatConfig.Options = {}
): Layer.Layer<
  GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig,
  ConfigError.ConfigError
> => internal.layer(options)

/**
 * Everything over an undici client, for settings provided separately (e.g. `GigaChatConfig.layer(...)`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices: Layer.Layer<
  GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth,
  ConfigError.ConfigError,
  GigaChatConfig.GigaChatConfig
> = Layer.provide(GigaChat.layerServices, layerHttpClient)
