/**
 * Resolved settings of the GigaChat client: every setting of the official Python SDK, with the same defaults,
 * readable from `GIGACHAT_*` environment variables through Effect `Config`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import type * as GigaChatError from "./GigaChatError.js"
import * as internal from "./internal/gigachatConfig.js"
import { version } from "./internal/version.js"

/**
 * The OAuth scopes of GigaChat: personal, business (prepaid) and corporate (postpaid) accounts.
 *
 * @since 0.1.0
 * @category models
 */
export type Scope = "GIGACHAT_API_PERS" | "GIGACHAT_API_B2B" | "GIGACHAT_API_CORP" | (string & {})

/**
 * A secret given by the caller: a `Redacted` value, or a plain string that is wrapped at once.
 *
 * @since 0.1.0
 * @category models
 */
export type Secret = Redacted.Redacted<string> | string

/**
 * A duration setting in code: a `Duration` or a duration string such as `"30 seconds"` or `"500 millis"`, never a
 * bare number, whose unit would be a guess (Effect reads milliseconds, the Python SDK and `GIGACHAT_TIMEOUT`
 * seconds).
 *
 * @since 0.2.0
 * @category models
 */
export type DurationSetting = Duration.Duration | Exclude<Duration.DurationInput, number | bigint>

/**
 * The settings a caller may give. Every field is optional; what is missing comes from the environment
 * (with `layerConfig`) or from the defaults. An empty (or all-space) text or secret counts as missing, in code and in
 * `GIGACHAT_*` variables, as the Python SDK's truth tests (`if credentials:`) treat it: a `GIGACHAT_CREDENTIALS=` line
 * left empty in a `.env` file does not hide a user and password that are set.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** API base URL. `GIGACHAT_BASE_URL`, default `https://gigachat.devices.sberbank.ru/api/v1`. */
  readonly baseUrl?: string | undefined
  /** OAuth endpoint. `GIGACHAT_AUTH_URL`, default `https://ngw.devices.sberbank.ru:9443/api/v2/oauth`. */
  readonly authUrl?: string | undefined
  /** The base64 authorization key (`client_id:client_secret`). `GIGACHAT_CREDENTIALS`. */
  readonly credentials?: Secret | undefined
  /** OAuth scope. `GIGACHAT_SCOPE`, default `GIGACHAT_API_PERS`. */
  readonly scope?: Scope | undefined
  /** A ready access token, used as is. `GIGACHAT_ACCESS_TOKEN`. */
  readonly accessToken?: Secret | undefined
  /** Default chat model. `GIGACHAT_MODEL`; requests fall back to `"GigaChat"`. */
  readonly model?: string | undefined
  /** Default `profanity_check` of chat requests. `GIGACHAT_PROFANITY_CHECK`. */
  readonly profanityCheck?: boolean | undefined
  /** User of the password flow (`POST {baseUrl}/token`). `GIGACHAT_USER`. */
  readonly user?: string | undefined
  /** Password of the password flow. `GIGACHAT_PASSWORD`. */
  readonly password?: Secret | undefined
  /**
   * Timeout of a request (from the moment it is sent, a wait for a free connection included), and of the pause
   * between two reads of a stream. `GIGACHAT_TIMEOUT` (seconds), default 30 s. Write a `Duration` or a duration
   * string: `"30 seconds"`, `Duration.seconds(30)`. A bare number is not accepted by the type (Effect reads it as
   * milliseconds, Python as seconds); from JavaScript it is read as seconds, as `GIGACHAT_TIMEOUT` is.
   */
  readonly timeout?: DurationSetting | undefined
  /** Verify the server's TLS certificate. `GIGACHAT_VERIFY_SSL_CERTS`, default true. */
  readonly verifySslCerts?: boolean | undefined
  /** A PEM file of extra trusted CAs (e.g. the Russian Trusted Root CA). `GIGACHAT_CA_BUNDLE_FILE`. */
  readonly caBundleFile?: string | undefined
  /** Client certificate (PEM) for mTLS. `GIGACHAT_CERT_FILE`. */
  readonly certFile?: string | undefined
  /** Client key (PEM) for mTLS. `GIGACHAT_KEY_FILE`. */
  readonly keyFile?: string | undefined
  /** Passphrase of an encrypted client key. `GIGACHAT_KEY_FILE_PASSWORD`. */
  readonly keyFilePassword?: Secret | undefined
  /** Default `flags` of chat requests. `GIGACHAT_FLAGS` (JSON array or comma separated). */
  readonly flags?: ReadonlyArray<string> | undefined
  /** Most concurrent connections to the API. `GIGACHAT_MAX_CONNECTIONS`. */
  readonly maxConnections?: number | undefined
  /** Retries after the first attempt; 0 disables retrying. `GIGACHAT_MAX_RETRIES`, default 0. */
  readonly maxRetries?: number | undefined
  /** Backoff base in seconds: the n-th retry waits `factor * 2^n` plus jitter. `GIGACHAT_RETRY_BACKOFF_FACTOR`, 0.5. */
  readonly retryBackoffFactor?: number | undefined
  /** Statuses that are retried besides 429, 5xx and network errors. `GIGACHAT_RETRY_ON_STATUS_CODES`. */
  readonly retryOnStatusCodes?: ReadonlyArray<number> | undefined
  /**
   * The longest `Retry-After` honoured; longer ones are cut to it. `GIGACHAT_MAX_RETRY_AFTER` (seconds), 60 s. A
   * `Duration` or a duration string; a number from JavaScript is read as seconds.
   */
  readonly maxRetryAfter?: DurationSetting | undefined
  /**
   * Refresh a token this long before it expires. `GIGACHAT_TOKEN_EXPIRY_BUFFER_MS`, default 60 s. A `Duration` or a
   * duration string; a number from JavaScript is read as milliseconds, as the variable is.
   */
  readonly tokenExpiryBuffer?: DurationSetting | undefined
  /** Override of the v2 chat URL (absolute, or a path). `GIGACHAT_CHAT_COMPLETIONS_URL`. */
  readonly chatCompletionsUrl?: string | undefined
  /** Largest server-sent event accepted, in characters. `GIGACHAT_MAX_SSE_EVENT_SIZE`, default 10 MiB. */
  readonly maxSseEventSize?: number | undefined
  /** A retry policy replacing the one built from `maxRetries` and friends. Its input is the error of an attempt. */
  readonly retrySchedule?: Schedule.Schedule<unknown, GigaChatError.GigaChatError> | undefined
  /**
   * Also trace every HTTP attempt with `@effect/platform`'s `http.client` span (method, URL, status, redacted headers)
   * under the SDK's own `GigaChat.*` span of the call, which is always made. These per-attempt spans cost about as
   * much CPU as the rest of a request, so they are off unless asked for. On Node, `true` also switches to the
   * platform's undici client, which creates them. `GIGACHAT_HTTP_SPANS`, default false.
   */
  readonly httpSpans?: boolean | undefined
  /**
   * The lowest level the SDK logs at (see `Telemetry`): `"Warning"` keeps the retries and the 429 and 5xx answers and
   * drops the token refreshes, `"None"` turns the SDK's logs off. The application's logger still filters by its own
   * minimum level (Effect's default shows `Info` and above). `GIGACHAT_LOG_LEVEL`, default `"Debug"`.
   */
  readonly logLevel?: LogLevel.Literal | undefined
  /**
   * Most API calls in flight at once (streams not counted); more wait in line, and the timeout counts the wait.
   * GigaChat accounts have a concurrency limit, and a queue is better than a storm of 429s. A positive whole number
   * (0 or less sets no limit). `GIGACHAT_MAX_CONCURRENT_REQUESTS`, default no limit.
   */
  readonly maxConcurrentRequests?: number | undefined
  /**
   * Most streams open at once; more wait in line until one ends, and the timeout counts the wait. A positive whole
   * number (0 or less sets no limit). `GIGACHAT_MAX_CONCURRENT_STREAMS`, default no limit.
   */
  readonly maxConcurrentStreams?: number | undefined
}

/**
 * The resolved settings: every option with its value or its default.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly baseUrl: string
  readonly authUrl: string
  readonly credentials: Redacted.Redacted<string> | undefined
  readonly scope: Scope
  readonly accessToken: Redacted.Redacted<string> | undefined
  readonly model: string | undefined
  readonly profanityCheck: boolean | undefined
  readonly user: string | undefined
  readonly password: Redacted.Redacted<string> | undefined
  readonly timeout: Duration.Duration
  readonly verifySslCerts: boolean
  readonly caBundleFile: string | undefined
  readonly certFile: string | undefined
  readonly keyFile: string | undefined
  readonly keyFilePassword: Redacted.Redacted<string> | undefined
  readonly flags: ReadonlyArray<string> | undefined
  readonly maxConnections: number | undefined
  readonly maxRetries: number
  readonly retryBackoffFactor: number
  readonly retryOnStatusCodes: ReadonlyArray<number>
  readonly maxRetryAfter: Duration.Duration
  readonly tokenExpiryBuffer: Duration.Duration
  readonly chatCompletionsUrl: string | undefined
  readonly maxSseEventSize: number
  readonly retrySchedule: Schedule.Schedule<unknown, GigaChatError.GigaChatError> | undefined
  readonly httpSpans: boolean
  readonly logLevel: LogLevel.LogLevel
  readonly maxConcurrentRequests: number | undefined
  readonly maxConcurrentStreams: number | undefined
}

/**
 * The settings service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class GigaChatConfig extends Context.Tag("@effect-gigachat/core/GigaChatConfig")<GigaChatConfig, Service>() {}

/**
 * The `User-Agent` the client sends: `effect-gigachat/<the version of @effect-gigachat/core>`.
 *
 * @since 0.1.0
 * @category constants
 */
export const userAgent: string = `effect-gigachat/${version}`

/**
 * The defaults of the Python SDK.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: Service = {
  baseUrl: "https://gigachat.devices.sberbank.ru/api/v1",
  authUrl: "https://ngw.devices.sberbank.ru:9443/api/v2/oauth",
  credentials: undefined,
  scope: "GIGACHAT_API_PERS",
  accessToken: undefined,
  model: undefined,
  profanityCheck: undefined,
  user: undefined,
  password: undefined,
  timeout: Duration.seconds(30),
  verifySslCerts: true,
  caBundleFile: undefined,
  certFile: undefined,
  keyFile: undefined,
  keyFilePassword: undefined,
  flags: undefined,
  maxConnections: undefined,
  maxRetries: 0,
  retryBackoffFactor: 0.5,
  retryOnStatusCodes: [429, 500, 502, 503, 504],
  maxRetryAfter: Duration.seconds(60),
  tokenExpiryBuffer: Duration.seconds(60),
  chatCompletionsUrl: undefined,
  maxSseEventSize: 10 * 1024 * 1024,
  retrySchedule: undefined,
  httpSpans: false,
  logLevel: LogLevel.Debug,
  maxConcurrentRequests: undefined,
  maxConcurrentStreams: undefined
}

/**
 * Resolves options over the defaults (no environment).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Service => internal.resolve(defaults, options)

/**
 * Reads every `GIGACHAT_*` variable through Effect `Config` (so any `ConfigProvider` works), by its name or, when
 * that is not set, in lower case (`gigachat_timeout`), as the Python SDK's pydantic-settings match names in any case.
 * A value that does not parse fails with a `ConfigError` naming the variable.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Options> = internal.config

/**
 * Options over `GIGACHAT_*` settings over defaults.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeConfig = (options: Options = {}): Effect.Effect<Service, ConfigError.ConfigError> =>
  Effect.map(config, (fromEnv) => internal.resolve(internal.resolve(defaults, fromEnv), options))

/**
 * Settings from the given options and the defaults only: `GIGACHAT_*` variables are not read.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<GigaChatConfig> =>
  Layer.succeed(GigaChatConfig, make(options))

/**
 * Settings from the given options, then `GIGACHAT_*` variables (through Effect `Config`, so any `ConfigProvider`
 * works), then the defaults. This is what `NodeGigaChat.layer` reads.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerEnv = (options: Options = {}): Layer.Layer<GigaChatConfig, ConfigError.ConfigError> =>
  Layer.effect(GigaChatConfig, makeConfig(options))

/**
 * Settings from `Config` values, as `@effect/ai-openai`'s `layerConfig` takes them: each field a `Config` (or a plain
 * value), over the defaults. Without an argument every `GIGACHAT_*` variable is read (`GigaChatConfig.config`).
 *
 * The 0.1 form, plain options with no `Config` among them, still reads them over `GIGACHAT_*` variables (as
 * `layerEnv` does) and is deprecated.
 *
 * @example
 * ```ts
 * import { GigaChatConfig } from "@effect-gigachat/core"
 * import * as Config from "effect/Config"
 *
 * const settings = GigaChatConfig.layerConfig({
 *   credentials: Config.redacted("MY_APP_GIGACHAT_KEY"),
 *   model: Config.withDefault(Config.string("MY_APP_MODEL"), "GigaChat-2-Max")
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Options> | ConfigFields | Options = internal.config
): Layer.Layer<GigaChatConfig, ConfigError.ConfigError> =>
  Layer.effect(GigaChatConfig, internal.fromConfigInput(config, defaults, makeConfig))

/**
 * The argument of `layerConfig`: each setting as a `Config` of its value, or as the value itself.
 *
 * @since 0.2.0
 * @category models
 */
export type ConfigFields = { readonly [K in keyof Options]?: Config.Config<Options[K]> | Options[K] }

/**
 * Resolves a request path against the base URL as the Python SDK does: an absolute URL is kept; a path that starts
 * with a version (`/v2/...`, `/api/v2/...`) is anchored at the origin of the base URL; any other path is appended
 * to the base URL.
 *
 * @since 0.1.0
 * @category utils
 */
export const resolveUrl: (baseUrl: string, path: string) => string = internal.resolveUrl

/**
 * Does this configuration fetch tokens by itself (OAuth credentials, or user and password)?
 *
 * @since 0.1.0
 * @category utils
 */
export const canFetchToken = (self: Service): boolean =>
  self.credentials !== undefined || (self.user !== undefined && self.password !== undefined)

/**
 * Wraps a plain string in `Redacted`; a `Redacted` value is kept as it is.
 *
 * @since 0.1.0
 * @category utils
 */
export const secret = (value: Secret): Redacted.Redacted<string> =>
  Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * The `HttpClient` as the SDK uses it: no trace-context headers sent to the API, and `@effect/platform`'s
 * per-attempt `http.client` span only when `httpSpans` is set.
 *
 * @since 0.1.0
 * @category utils
 */
export const configureClient: (client: HttpClient.HttpClient, config: Service) => HttpClient.HttpClient =
  internal.configureClient
