import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as AccessToken from "../AccessToken.js"
import type * as Auth from "../Auth.js"
import * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import * as RequestContext from "../RequestContext.js"

const decodeToken = Schema.decodeUnknown(AccessToken.AccessTokenResponse)

const isBase64 = (value: string): boolean => value.length > 0 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* GigaChatConfig.GigaChatConfig
  const client = HttpClient.withTracerPropagation(yield* HttpClient.HttpClient, false)
  const scope = yield* Effect.scope
  const canFetch = GigaChatConfig.canFetchToken(config)
  const bufferMillis = Duration.toMillis(config.tokenExpiryBuffer)

  if (config.credentials !== undefined && !isBase64(Redacted.value(config.credentials))) {
    yield* Effect.logWarning(
      "GigaChat: invalid credentials format. Use the base64 authorization key (Authorization data), not the client secret."
    )
  }

  // Fibers interleave only between effects, so this plain state is changed inside single `Effect.sync` blocks.
  let current: Option.Option<AccessToken.AccessToken> = config.accessToken === undefined
    ? Option.none()
    : Option.some({ access_token: config.accessToken, expires_at: 0 })
  let inflight: Deferred.Deferred<AccessToken.AccessToken, GigaChatError.GigaChatError> | undefined

  const fetchToken: Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> = config.credentials !==
      undefined
    ? oauth(client, config, config.credentials)
    : password(client, config)

  const token: Effect.Effect<Option.Option<AccessToken.AccessToken>, GigaChatError.GigaChatError> = canFetch
    ? Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.suspend(() => {
        if (Option.isSome(current) && usable(current.value, now, bufferMillis)) return Effect.succeed(current)
        let waitFor = inflight
        if (waitFor === undefined) {
          const deferred = Deferred.unsafeMake<AccessToken.AccessToken, GigaChatError.GigaChatError>(FiberId.none)
          inflight = waitFor = deferred
          const refresh = fetchToken.pipe(
            Effect.tap((fresh) =>
              Effect.sync(() => {
                current = Option.some(fresh)
              })
            ),
            Effect.onExit((exit) =>
              Effect.suspend(() => {
                inflight = undefined
                return Deferred.done(deferred, exit)
              })
            )
          )
          return Effect.zipRight(Effect.forkIn(refresh, scope), Effect.map(Deferred.await(deferred), Option.some))
        }
        return Effect.map(Deferred.await(waitFor), Option.some)
      }))
    : Effect.sync(() => current)

  const invalidate = (rejected: AccessToken.AccessToken): Effect.Effect<boolean> =>
    Effect.sync(() => {
      if (!canFetch) return false
      if (Option.isSome(current) && current.value.access_token === rejected.access_token) current = Option.none()
      return true
    })

  return { token, invalidate } satisfies Auth.Service
})

const usable = (token: AccessToken.AccessToken, now: number, bufferMillis: number): boolean =>
  token.expires_at === 0 || token.expires_at > now + bufferMillis

const oauth = (
  client: HttpClient.HttpClient,
  config: GigaChatConfig.Service,
  credentials: Redacted.Redacted<string>
): Effect.Effect<AccessToken.AccessToken, GigaChatError.GigaChatError> =>
  Effect.suspend(() =>
    send(
      client,
      config,
      HttpClientRequest.post(config.authUrl).pipe(
        HttpClientRequest.setHeaders({
          authorization: `Basic ${Redacted.value(credentials)}`,
          rquid: crypto.randomUUID(),
          accept: "application/json",
          "user-agent": GigaChatConfig.userAgent
        }),
        HttpClientRequest.bodyUrlParams({ scope: config.scope })
      )
    )
  ).pipe(Effect.withSpan("GigaChat.Auth.oauth", { attributes: { scope: config.scope } }))

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
        // The context's headers go to `/token` as to any API call (but its own Authorization would be pointless).
        HttpClientRequest.setHeaders(withoutAuthorization(RequestContext.toHeaders(context))),
        HttpClientRequest.basicAuth(config.user ?? "", config.password ?? "")
      )
    )).pipe(Effect.withSpan("GigaChat.Auth.password"))

const withoutAuthorization = (headers: Record<string, string>): Record<string, string> => {
  delete headers["authorization"]
  return headers
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
      response.status === 200 ? readToken(response, method, url) : fail(response)
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
        // The body is left out of the error: it may hold a token.
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

const fail = (response: HttpClientResponse.HttpClientResponse) =>
  response.text.pipe(
    Effect.orElseSucceed(() => ""),
    Effect.flatMap((body) =>
      Effect.fail(GigaChatError.fromResponse({
        status: response.status,
        method: response.request.method,
        url: response.request.url,
        body,
        headers: response.headers
      }))
    )
  )
