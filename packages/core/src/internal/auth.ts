import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "../AccessToken.js"
import type * as Auth from "../Auth.js"
import * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import * as RequestContext from "../RequestContext.js"
import * as Telemetry from "../Telemetry.js"
import * as telemetry from "./telemetry.js"

const decodeToken = Schema.decodeUnknown(AccessToken.AccessTokenResponse)

/** @internal */
export const invalidCredentialsWarning =
  "GigaChat: the credentials are not a base64 authorization key. Use the \"Authorization key\" of your project " +
  "(base64 of client_id:client_secret), not the client secret."

/**
 * The authorization key is `base64(client_id:client_secret)`. A client secret pasted in its place (a UUID) is the
 * usual mistake, so besides the alphabet and the padding the decoded text must hold the `:` separator.
 *
 * @internal
 */
export const isAuthorizationKey = (value: string): boolean => {
  const key = value.trim()
  if (key.length === 0 || key.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return false
  try {
    return atob(key).includes(":")
  } catch {
    return false
  }
}

/**
 * The server documents expiry times in Unix milliseconds, yet the reference notes `exp` values in seconds. A time
 * that has already passed when read as milliseconds but lies ahead when read as seconds is taken as seconds;
 * otherwise such a token would look expired at once and be fetched again before every call.
 *
 * @internal
 */
export const normalizeExpiry = (token: AccessToken.AccessToken, now: number): AccessToken.AccessToken =>
  token.expires_at > 0 && token.expires_at <= now && token.expires_at < 1e11 && token.expires_at * 1000 > now
    ? { access_token: token.access_token, expires_at: token.expires_at * 1000 }
    : token

/** @internal */
export const usable = (token: AccessToken.AccessToken, now: number, bufferMillis: number): boolean =>
  token.expires_at === 0 || token.expires_at > now + bufferMillis

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* GigaChatConfig.GigaChatConfig
  const client = GigaChatConfig.configureClient(yield* HttpClient.HttpClient, config)
  const scope = yield* Effect.scope
  const canFetch = GigaChatConfig.canFetchToken(config)
  const bufferMillis = Duration.toMillis(config.tokenExpiryBuffer)

  if (config.credentials !== undefined && !isAuthorizationKey(Redacted.value(config.credentials))) {
    yield* Effect.logWarning(invalidCredentialsWarning)
  }
  if (config.credentials === undefined && (config.user === undefined) !== (config.password === undefined)) {
    yield* Effect.logWarning(
      `GigaChat: ${config.user === undefined ? "password" : "user"} is set without ${
        config.user === undefined ? "user" : "password"
      }; the password flow needs both, so no token will be fetched.`
    )
  }

  // Fibers interleave only between effects, so this plain state is read and changed inside single synchronous
  // blocks (`Effect.suspend`, `Effect.sync`), which no other fiber can observe half done.
  let current: Option.Option<AccessToken.AccessToken> = config.accessToken === undefined
    ? Option.none()
    : Option.some({ access_token: config.accessToken, expires_at: 0 })
  let inflight: Deferred.Deferred<AccessToken.AccessToken, GigaChatError.GigaChatError> | undefined

  const fetchToken: Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> = Effect.zipWith(
    config.credentials !== undefined ? oauth(client, config, config.credentials) : password(client, config),
    Clock.currentTimeMillis,
    normalizeExpiry
  )

  // The refresh runs in its own fiber in the layer's scope: a caller that is interrupted while waiting leaves the
  // other waiters their answer, and whatever the refresh ends with (success, failure, interruption) completes the
  // Deferred and clears `inflight`, so a failure reaches every waiter once and the next call starts afresh.
  const startRefresh = (deferred: Deferred.Deferred<AccessToken.AccessToken, GigaChatError.GigaChatError>) =>
    Effect.forkIn(
      Effect.interruptible(fetchToken).pipe(
        Effect.onExit((exit) =>
          Effect.suspend(() => {
            if (exit._tag === "Success") current = Option.some(exit.value)
            inflight = undefined
            // The waiters get their answer first: nothing the log does can keep it from them.
            return Effect.zipRight(Deferred.done(deferred, exit), Effect.suspend(() => logRefresh(exit)))
          })
        )
      ),
      scope
    )

  // Counted and logged without the token: its expiry on success, the error's type and status on failure.
  const logRefresh = (exit: Exit.Exit<AccessToken.AccessToken, GigaChatError.GigaChatError>) => {
    const failure = exit._tag === "Failure" ? Cause.failureOption(exit.cause) : Option.none()
    if (exit._tag === "Failure" && Option.isNone(failure)) return Effect.void
    const error = Option.getOrUndefined(failure)
    telemetry.recordTokenRefresh(error?._tag)
    const endpoint = config.credentials !== undefined ? telemetry.endpointOf(config.authUrl) : "/token"
    return error === undefined
      ? telemetry.log(config.logLevel, LogLevel.Debug, "GigaChat: fetched an access token", () => ({
        [Telemetry.Attributes.endpoint]: endpoint,
        "gigachat.token_expires_at": exit._tag === "Success" ? expiryOf(exit.value.expires_at) : undefined
      }))
      : telemetry.log(
        config.logLevel,
        LogLevel.Warning,
        `GigaChat: could not fetch an access token (${error._tag})`,
        () => ({
          [Telemetry.Attributes.endpoint]: endpoint,
          [Telemetry.Attributes.errorType]: error._tag,
          [Telemetry.Attributes.statusCode]: "status" in error ? error.status : undefined,
          [Telemetry.Attributes.requestId]: "requestId" in error ? error.requestId : undefined
        })
      )
  }

  // A token the server rejected with a 401 on a call it was sent with.
  const logRejected = (rejected: AccessToken.AccessToken, error: GigaChatError.AuthenticationError) =>
    telemetry.log(
      config.logLevel,
      LogLevel.Warning,
      rejected.expires_at === 0
        ? "GigaChat: the server rejected the access token of the settings (401); fetching one with the credentials"
        : "GigaChat: the server rejected the cached access token (401); fetching a new one",
      () => ({
        [Telemetry.Attributes.endpoint]: telemetry.endpointOf(error.url),
        [Telemetry.Attributes.statusCode]: 401,
        [Telemetry.Attributes.requestId]: error.requestId
      })
    )

  // Uninterruptible from the check to the fork: an interruption in between would leave a Deferred that nobody
  // completes, and every later caller would wait on it forever.
  const refreshOrWait: Effect.Effect<Option.Option<AccessToken.AccessToken>, GigaChatError.GigaChatError> = Effect
    .uninterruptibleMask((restore) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.suspend(() => {
          if (Option.isSome(current) && usable(current.value, now, bufferMillis)) return Effect.succeed(current)
          let waitFor = inflight
          if (waitFor === undefined) {
            const deferred = Deferred.unsafeMake<AccessToken.AccessToken, GigaChatError.GigaChatError>(FiberId.none)
            inflight = waitFor = deferred
            return Effect.zipRight(startRefresh(deferred), restore(Effect.map(Deferred.await(deferred), Option.some)))
          }
          return restore(Effect.map(Deferred.await(waitFor), Option.some))
        }))
    )

  // Drops the rejected token only: a concurrent caller may already have put a new one in its place.
  const invalidate = (rejected: AccessToken.AccessToken) =>
    Effect.sync(() => {
      if (
        Option.isSome(current) && Redacted.value(current.value.access_token) === Redacted.value(rejected.access_token)
      ) {
        current = Option.none()
      }
    })

  // A usable cached token, the usual case, is answered in one step; only a missing or expiring one needs the mask.
  const withToken = <A>(
    call: (token: Option.Option<AccessToken.AccessToken>) => Effect.Effect<A, GigaChatError.GigaChatError>
  ): Effect.Effect<A, GigaChatError.GigaChatError> =>
    Effect.flatMap(RequestContext.get, (context) => {
      // A caller's own Authorization replaces the SDK's token: nothing is fetched.
      if (RequestContext.hasAuthorization(context)) return call(Option.none())
      if (!canFetch) return call(current)
      return Effect.clockWith((clock) => {
        // A token usable before this call earns a second try on a 401 (reference §2.5); one fetched for it does not.
        const before = current
        if (Option.isSome(before) && usable(before.value, clock.unsafeCurrentTimeMillis(), bufferMillis)) {
          return Effect.catchIf(
            call(before),
            (error): error is GigaChatError.AuthenticationError => error._tag === "AuthenticationError",
            (error) =>
              Effect.zipRight(
                Effect.zipRight(logRejected(before.value, error), invalidate(before.value)),
                Effect.flatMap(refreshOrWait, call)
              )
          )
        }
        return Effect.flatMap(refreshOrWait, call)
      })
    })

  const token = withToken(Effect.succeed)

  return { token, withToken } satisfies Auth.Service
})

/** The expiry as an ISO date; none for a token without one (0) or a time no `Date` can hold. */
const expiryOf = (expiresAt: number): string | undefined => {
  const date = new Date(expiresAt)
  return expiresAt > 0 && Number.isFinite(date.getTime()) ? date.toISOString() : undefined
}

const oauth = (
  client: HttpClient.HttpClient,
  config: GigaChatConfig.Service,
  credentials: Redacted.Redacted<string>
): Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> =>
  Effect.suspend(() =>
    // No request-context header goes to the OAuth server, as in the Python SDK.
    send(
      client,
      config,
      HttpClientRequest.post(config.authUrl).pipe(
        HttpClientRequest.setHeaders({
          // Trimmed: a key read from a file or an env line often ends with a newline.
          authorization: `Basic ${Redacted.value(credentials).trim()}`,
          rquid: crypto.randomUUID(),
          accept: "application/json",
          "user-agent": GigaChatConfig.userAgent
        }),
        HttpClientRequest.bodyUrlParams({ scope: config.scope })
      )
    )
  ).pipe(telemetry.withSpan("GigaChat.Auth.oauth", { attributes: { scope: config.scope }, metrics: false }))

const password = (
  client: HttpClient.HttpClient,
  config: GigaChatConfig.Service
): Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> =>
  Effect.flatMap(RequestContext.get, (context) =>
    send(
      client,
      config,
      HttpClientRequest.post(GigaChatConfig.resolveUrl(config.baseUrl, "/token")).pipe(
        HttpClientRequest.setHeaders({ accept: "application/json", "user-agent": GigaChatConfig.userAgent }),
        // The context's headers go to `/token` as to any API call; Basic auth is set last and wins.
        HttpClientRequest.setHeaders(RequestContext.toHeaders(context)),
        HttpClientRequest.setHeader(
          "authorization",
          `Basic ${
            basicCredentials(config.user ?? "", config.password === undefined ? "" : Redacted.value(config.password))
          }`
        )
      )
    )).pipe(telemetry.withSpan("GigaChat.Auth.password", { metrics: false }))

/**
 * `base64(user:password)` of the UTF-8 bytes, as httpx does. (`btoa` alone throws on characters beyond Latin-1,
 * e.g. a Cyrillic user name.)
 *
 * @internal
 */
export const basicCredentials = (user: string, password: string): string => {
  const bytes = new TextEncoder().encode(`${user}:${password}`)
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

const send = (
  client: HttpClient.HttpClient,
  config: GigaChatConfig.Service,
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> => {
  const method = request.method
  const url = request.url
  return client.execute(request).pipe(
    Effect.mapError((error) => GigaChatError.fromHttpClientError(error, method, url)),
    Effect.flatMap((response): Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> =>
      response.status === 200 ? readToken(response, method, url) : GigaChatError.fromHttpResponse(response)
    ),
    Effect.timeoutFail({
      duration: config.timeout,
      onTimeout: () => new GigaChatError.TimeoutError({ method, url, timeout: config.timeout })
    })
  )
}

const readToken = (response: HttpClientResponse.HttpClientResponse, method: string, url: string) =>
  response.json.pipe(
    Effect.mapError((error) =>
      error.reason === "Decode" && error.cause instanceof SyntaxError
        ? new GigaChatError.DecodeError({ method, url, description: "the token response is not valid JSON" })
        : GigaChatError.fromHttpClientError(error, method, url)
    ),
    Effect.flatMap((json) =>
      decodeToken(json).pipe(
        // Neither the body nor the parse error goes into the error: both may hold the token.
        Effect.mapError(() =>
          new GigaChatError.DecodeError({
            method,
            url,
            description: "the token response has neither {access_token, expires_at} nor {tok, exp}"
          })
        )
      )
    )
  )
