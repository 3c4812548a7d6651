import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { constTrue } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Options, Service } from "../GigaChatConfig.js"

const secret = (value: Redacted.Redacted<string> | string | undefined) =>
  value === undefined || Redacted.isRedacted(value) ? value : Redacted.make(value)

/**
 * An empty (or all-space) string or secret, which counts as not given: the Python SDK tests its settings for truth
 * (`if credentials:`), so a `GIGACHAT_CREDENTIALS=` line left empty in a `.env` file means no credentials.
 */
const isBlank = (value: unknown): boolean =>
  typeof value === "string" ? value.trim() === "" : Redacted.isRedacted(value) && isBlank(Redacted.value(value))

/**
 * A duration option. The type takes no bare number, but JavaScript can pass one: it is read in the unit of the
 * setting's `GIGACHAT_*` variable, never silently as Effect's milliseconds where the variable means seconds.
 */
const duration = (value: unknown, unit: "seconds" | "millis"): Duration.Duration =>
  typeof value === "number"
    ? (unit === "seconds" ? fromSeconds(value) : Duration.millis(value))
    : Duration.decode(value as Duration.DurationInput)

/** Seconds as the Python SDK and `GIGACHAT_TIMEOUT` give them, fractions included. */
const fromSeconds = (seconds: number): Duration.Duration => Duration.millis(Math.round(seconds * 1000))

/** A concurrency limit: a positive whole number; anything else (0, a negative) sets none. */
const limit = (value: number | undefined): number | undefined =>
  value === undefined || !(value >= 1) ? undefined : Math.floor(value)

/** @internal */
export const resolve = (base: Service, options: Options): Service => {
  const pick = <K extends keyof Options>(key: K): Exclude<Options[K], undefined> | undefined =>
    isBlank(options[key]) ? undefined : options[key] as Exclude<Options[K], undefined> | undefined
  return {
    baseUrl: pick("baseUrl") ?? base.baseUrl,
    authUrl: pick("authUrl") ?? base.authUrl,
    credentials: secret(pick("credentials")) ?? base.credentials,
    scope: pick("scope") ?? base.scope,
    accessToken: secret(pick("accessToken")) ?? base.accessToken,
    model: pick("model") ?? base.model,
    profanityCheck: pick("profanityCheck") ?? base.profanityCheck,
    user: pick("user") ?? base.user,
    password: secret(pick("password")) ?? base.password,
    timeout: options.timeout === undefined ? base.timeout : duration(options.timeout, "seconds"),
    verifySslCerts: pick("verifySslCerts") ?? base.verifySslCerts,
    caBundleFile: pick("caBundleFile") ?? base.caBundleFile,
    certFile: pick("certFile") ?? base.certFile,
    keyFile: pick("keyFile") ?? base.keyFile,
    keyFilePassword: secret(pick("keyFilePassword")) ?? base.keyFilePassword,
    flags: pick("flags") ?? base.flags,
    maxConnections: pick("maxConnections") ?? base.maxConnections,
    // The Python SDK treats a negative count as "retrying disabled".
    maxRetries: Math.max(0, pick("maxRetries") ?? base.maxRetries),
    retryBackoffFactor: pick("retryBackoffFactor") ?? base.retryBackoffFactor,
    retryOnStatusCodes: pick("retryOnStatusCodes") ?? base.retryOnStatusCodes,
    maxRetryAfter: options.maxRetryAfter === undefined
      ? base.maxRetryAfter
      : duration(options.maxRetryAfter, "seconds"),
    tokenExpiryBuffer: options.tokenExpiryBuffer === undefined
      ? base.tokenExpiryBuffer
      : duration(options.tokenExpiryBuffer, "millis"),
    chatCompletionsUrl: pick("chatCompletionsUrl") ?? base.chatCompletionsUrl,
    maxSseEventSize: pick("maxSseEventSize") ?? base.maxSseEventSize,
    retrySchedule: pick("retrySchedule") ?? base.retrySchedule,
    httpSpans: pick("httpSpans") ?? base.httpSpans,
    logLevel: options.logLevel === undefined ? base.logLevel : levelOf(options.logLevel) ?? base.logLevel,
    maxConcurrentRequests: limit(pick("maxConcurrentRequests")) ?? base.maxConcurrentRequests,
    maxConcurrentStreams: limit(pick("maxConcurrentStreams")) ?? base.maxConcurrentStreams
  }
}

const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), (option) => option._tag === "Some" ? option.value : undefined)

/**
 * An optional variable, read by its name or, when that is not set, in lower case: the Python SDK's pydantic-settings
 * match names in any case (`gigachat_credentials=...` works there). A value that does not parse is an error, not a
 * reason to look further.
 */
const variable = <A>(name: string, read: (name: string) => Config.Config<A>): Config.Config<A | undefined> =>
  optional(Config.orElseIf(read(name), { if: ConfigError.isMissingDataOnly, orElse: () => read(name.toLowerCase()) }))

/** A text setting; set but blank counts as not set (see `isBlank`). */
const text = (name: string): Config.Config<string | undefined> =>
  Config.map(variable(name, Config.string), (value) => isBlank(value) ? undefined : value)

/** A secret setting; set but blank counts as not set (see `isBlank`). */
const secretText = (name: string): Config.Config<Redacted.Redacted<string> | undefined> =>
  Config.map(variable(name, (key) => Config.redacted(key)), (value) => isBlank(value) ? undefined : value)

const invalid = (name: string, message: string) => ConfigError.InvalidData([name], message)

const nonNegative = (name: string, kind: "integer" | "number") =>
  Config.mapOrFail(
    kind === "integer" ? Config.integer(name) : Config.number(name),
    (n) => n >= 0 ? Either.right(n) : Either.left(invalid(name, `Expected a non-negative ${kind}, but received ${n}`))
  )

const positive = (name: string) =>
  Config.mapOrFail(
    Config.integer(name),
    (n) => n >= 1 ? Either.right(n) : Either.left(invalid(name, `Expected a positive integer, but received ${n}`))
  )

const seconds = (name: string) => Config.map(nonNegative(name, "number"), fromSeconds)

/** Accepts a JSON array (as the Python SDK does) or a comma separated list. */
const list = <A>(name: string, parse: (item: unknown) => A | undefined, what: string) =>
  Config.mapOrFail(Config.string(name), (raw): Either.Either<ReadonlyArray<A>, ConfigError.ConfigError> => {
    const text = raw.trim()
    let items: ReadonlyArray<unknown>
    if (text.startsWith("[")) {
      try {
        const json: unknown = JSON.parse(text)
        if (!Array.isArray(json)) return Either.left(invalid(name, `Expected a JSON array of ${what}`))
        items = json
      } catch {
        return Either.left(invalid(name, `Expected a JSON array or a comma separated list of ${what}`))
      }
    } else {
      items = text === "" ? [] : text.split(",").map((item) => item.trim())
    }
    const out: Array<A> = []
    for (const item of items) {
      const parsed = parse(item)
      if (parsed === undefined) {
        return Either.left(invalid(name, `Expected a list of ${what}, but received ${JSON.stringify(item)}`))
      }
      out.push(parsed)
    }
    return Either.right(out)
  })

/** Like the Python SDK (pydantic): true/false in any case, 1/0, yes/no, on/off. */
const boolean = (name: string) =>
  Config.mapOrFail(Config.string(name), (raw) => {
    const value = raw.trim().toLowerCase()
    if (["true", "1", "yes", "on"].includes(value)) return Either.right(true)
    if (["false", "0", "no", "off"].includes(value)) return Either.right(false)
    return Either.left(invalid(name, `Expected a boolean (true/false), but received ${JSON.stringify(raw)}`))
  })

/** A level by its name or its label in any case (`warning`, `WARN`), as Python's and Effect's loggers write them. */
const levelOf = (raw: string): LogLevel.LogLevel | undefined => {
  const value = raw.trim().toLowerCase()
  return LogLevel.allLevels.find((level) => level._tag.toLowerCase() === value || level.label.toLowerCase() === value)
}

const logLevel = (name: string) =>
  Config.mapOrFail(Config.string(name), (raw) => {
    const level = levelOf(raw)
    return level === undefined
      ? Either.left(invalid(
        name,
        `Expected a log level (${LogLevel.allLevels.map((level) => level._tag).join(", ")}), but received ${
          JSON.stringify(raw)
        }`
      ))
      : Either.right(level._tag)
  })

const statusCode = (item: unknown): number | undefined => {
  const n = typeof item === "number" ? item : typeof item === "string" && item !== "" ? Number(item) : NaN
  return Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined
}

const flag = (item: unknown): string | undefined => typeof item === "string" && item !== "" ? item : undefined

/** @internal */
export const config: Config.Config<Options> = Config.all({
  baseUrl: text("GIGACHAT_BASE_URL"),
  authUrl: text("GIGACHAT_AUTH_URL"),
  credentials: secretText("GIGACHAT_CREDENTIALS"),
  scope: text("GIGACHAT_SCOPE"),
  accessToken: secretText("GIGACHAT_ACCESS_TOKEN"),
  model: text("GIGACHAT_MODEL"),
  profanityCheck: variable("GIGACHAT_PROFANITY_CHECK", boolean),
  user: text("GIGACHAT_USER"),
  password: secretText("GIGACHAT_PASSWORD"),
  timeout: variable("GIGACHAT_TIMEOUT", seconds),
  verifySslCerts: variable("GIGACHAT_VERIFY_SSL_CERTS", boolean),
  caBundleFile: text("GIGACHAT_CA_BUNDLE_FILE"),
  certFile: text("GIGACHAT_CERT_FILE"),
  keyFile: text("GIGACHAT_KEY_FILE"),
  keyFilePassword: secretText("GIGACHAT_KEY_FILE_PASSWORD"),
  flags: variable("GIGACHAT_FLAGS", (name) => list(name, flag, "flags")),
  maxConnections: variable("GIGACHAT_MAX_CONNECTIONS", (name) => nonNegative(name, "integer")),
  maxRetries: variable("GIGACHAT_MAX_RETRIES", (name) => Config.integer(name)),
  retryBackoffFactor: variable("GIGACHAT_RETRY_BACKOFF_FACTOR", (name) => nonNegative(name, "number")),
  retryOnStatusCodes: variable("GIGACHAT_RETRY_ON_STATUS_CODES", (name) => list(name, statusCode, "HTTP status codes")),
  maxRetryAfter: variable("GIGACHAT_MAX_RETRY_AFTER", seconds),
  tokenExpiryBuffer: variable(
    "GIGACHAT_TOKEN_EXPIRY_BUFFER_MS",
    (name) => Config.map(nonNegative(name, "integer"), Duration.millis)
  ),
  chatCompletionsUrl: text("GIGACHAT_CHAT_COMPLETIONS_URL"),
  maxSseEventSize: variable("GIGACHAT_MAX_SSE_EVENT_SIZE", (name) => nonNegative(name, "integer")),
  httpSpans: variable("GIGACHAT_HTTP_SPANS", boolean),
  logLevel: variable("GIGACHAT_LOG_LEVEL", logLevel),
  maxConcurrentRequests: variable("GIGACHAT_MAX_CONCURRENT_REQUESTS", (name) => positive(name)),
  maxConcurrentStreams: variable("GIGACHAT_MAX_CONCURRENT_STREAMS", (name) => positive(name))
})

const versionedPath = /^\/(api\/)?v\d+(\/|$)/
const absoluteUrl = /^[a-z][a-z0-9+.-]*:\/\//i
const originOf = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]+)/i

/** @internal */
export const resolveUrl = (baseUrl: string, path: string): string => {
  if (absoluteUrl.test(path)) return path
  const origin = originOf.exec(baseUrl)?.[1]
  if (origin !== undefined && versionedPath.test(path)) return `${origin}${path}`
  const prefix = baseUrl.endsWith("/") ? baseUrl.slice(0, -1) : baseUrl
  return `${prefix}/${path.startsWith("/") ? path.slice(1) : path}`
}

/**
 * The HTTP client the SDK uses: no trace headers to a third-party API, and the platform's per-attempt span only when
 * `httpSpans` asks for it. The span is turned off through `HttpClient.currentTracerDisabledWhen`: by the SDK's
 * predicate when the fiber has it (`untracedRequests`, installed by `HttpTransport`'s layer), else by setting the
 * predicate around the request (an `Effect.locally` on every request).
 *
 * @internal
 */
export const configureClient = (client: HttpClient.HttpClient, config: Service): HttpClient.HttpClient =>
  // Trace context is only sent from inside an `http.client` span: without spans there is nothing to turn off.
  config.httpSpans
    ? HttpClient.withTracerPropagation(client, false)
    : HttpClient.transform(client, (effect, request) =>
      Effect.withFiberRuntime((fiber) => {
        if (!fiber.getFiberRef(FiberRef.currentTracerEnabled)) return effect
        const disabledWhen = fiber.getFiberRef(HttpClient.currentTracerDisabledWhen)
        if (untracedMark in disabledWhen) {
          requests.add(request)
          return effect
        }
        return Effect.locally(effect, HttpClient.currentTracerDisabledWhen, constTrue)
      }))

/**
 * The requests of `configureClient` clients, for the SDK's predicate: one set per process, so that two copies of
 * this module (an ESM and a CommonJS build, say) agree on it as they agree on the predicate's mark.
 */
const requests = globalValue(
  Symbol.for("@effect-gigachat/core/untracedRequests/requests"),
  () => new WeakSet<HttpClientRequest.HttpClientRequest>()
)

const untracedMark = Symbol.for("@effect-gigachat/core/untracedRequests")

/**
 * Adds the SDK's requests to the fiber's `HttpClient.currentTracerDisabledWhen` for as long as the scope lasts (once:
 * a predicate that has them is kept), so that a request of `configureClient` turns the platform's span off without
 * an `Effect.locally` of its own. Other requests are left to the predicate that was there.
 *
 * @internal
 */
export const untracedRequests: Effect.Effect<void, never, Scope.Scope> = Effect.locallyScopedWith(
  HttpClient.currentTracerDisabledWhen,
  (previous) => {
    if (untracedMark in previous) return previous
    const predicate = (request: HttpClientRequest.HttpClientRequest) => requests.has(request) || previous(request)
    return Object.assign(predicate, { [untracedMark]: true })
  }
)

/**
 * `layerConfig`'s argument read: a `Config` of the options, or fields each a `Config` or a value (read over
 * `defaults`); fields with no `Config` among them are the deprecated 0.1 form, read over `GIGACHAT_*` by
 * `overEnv`.
 *
 * @internal
 */
export const fromConfigInput = (
  input: Config.Config<Options> | { readonly [K in keyof Options]?: Config.Config<Options[K]> | Options[K] },
  defaults: Service,
  overEnv: (options: Options) => Effect.Effect<Service, ConfigError.ConfigError>
): Effect.Effect<Service, ConfigError.ConfigError> => {
  if (Config.isConfig(input)) return Effect.map(input, (options) => resolve(defaults, options))
  const fields = input as Record<string, unknown>
  if (!Object.values(fields).some(Config.isConfig)) return overEnv(fields as Options)
  const configs: Record<string, Config.Config<unknown>> = {}
  for (const [key, value] of Object.entries(fields)) {
    configs[key] = Config.isConfig(value) ? value as Config.Config<unknown> : Config.succeed(value)
  }
  return Effect.map(Config.all(configs), (options) => resolve(defaults, options as Options))
}
