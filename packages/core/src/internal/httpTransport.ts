import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as AccessToken from "../AccessToken.js"
import * as Auth from "../Auth.js"
import * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import * as HttpTransport from "../HttpTransport.js"
import * as RequestContext from "../RequestContext.js"
import type * as Sse from "../Sse.js"
import * as XHeaders from "../XHeaders.js"
import { streamFailure } from "./decoding.js"
import * as FastDecode from "./fastDecode.js"
import * as internalSse from "./sse.js"

const maxBackoff = Duration.seconds(60)

/** @internal */
export const isRetryable = (config: GigaChatConfig.Service) => (error: GigaChatError.GigaChatError): boolean => {
  switch (error._tag) {
    case "RateLimitError":
    case "ServerError":
    case "TransportError":
    case "TimeoutError":
      return true
    case "DecodeError":
    case "InvalidRequestError":
    case "LengthFinishReasonError":
    case "ToolLoopLimitError":
      return false
    default:
      return config.retryOnStatusCodes.includes(error.status)
  }
}

const backoff = (config: GigaChatConfig.Service, error: GigaChatError.GigaChatError, attempt: number) => {
  if (error._tag === "RateLimitError" && error.retryAfter !== undefined) {
    return Effect.succeed(Duration.min(error.retryAfter, config.maxRetryAfter))
  }
  return Effect.map(Random.nextRange(0, 0.5), (jitter) =>
    Duration.min(
      Duration.millis(Math.round((config.retryBackoffFactor * 2 ** attempt + jitter) * 1000)),
      maxBackoff
    ))
}

/** @internal */
export const retrySchedule = (
  config: GigaChatConfig.Service
): Schedule.Schedule<unknown, GigaChatError.GigaChatError> => {
  const retryable = Schedule.recurWhile(isRetryable(config))
  if (config.retrySchedule !== undefined) return Schedule.intersect(retryable, config.retrySchedule)
  return Schedule.identity<GigaChatError.GigaChatError>().pipe(
    Schedule.intersect(Schedule.recurs(config.maxRetries)),
    Schedule.addDelayEffect(([error, attempt]) => backoff(config, error, attempt)),
    Schedule.intersect(retryable)
  )
}

const mediaType = (response: HttpClientResponse.HttpClientResponse): string | undefined =>
  response.headers["content-type"]?.split(";")[0]?.trim().toLowerCase()

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* GigaChatConfig.GigaChatConfig
  const auth = yield* Auth.Auth
  const untraced = yield* HttpTransport.UntracedClient
  const client = untraced
    ? yield* HttpClient.HttpClient
    : GigaChatConfig.configureClient(yield* HttpClient.HttpClient, config)
  const schedule = retrySchedule(config)
  const retries = config.maxRetries > 0 || config.retrySchedule !== undefined
  const timeout = config.timeout
  const timeoutsByClient = yield* HttpTransport.TimeoutsByClient

  const withTimeout = <A>(
    effect: Effect.Effect<A, GigaChatError.GigaChatError>,
    method: string,
    url: string
  ): Effect.Effect<A, GigaChatError.GigaChatError> =>
    timeoutsByClient ? effect : Effect.timeoutFail(effect, {
      duration: timeout,
      onTimeout: () => new GigaChatError.TimeoutError({ method, url, timeout })
    })

  // Ours, then the token, then the request context (which wins, as a caller's own Authorization must); the caller's
  // own request headers stay unless one of these names them. One `setHeader` per name: `setHeaders` costs several
  // times more (it builds the headers twice, and their objects are slow to build that way).
  const exchange = <A>(
    request: HttpClientRequest.HttpClientRequest,
    context: Record<string, string>,
    token: Option.Option<AccessToken.AccessToken>,
    read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, GigaChatError.GigaChatError>
  ) => {
    let outgoing = HttpClientRequest.setHeader(request, "user-agent", GigaChatConfig.userAgent)
    if (request.headers["accept"] === undefined) {
      outgoing = HttpClientRequest.setHeader(outgoing, "accept", "application/json")
    }
    if (Option.isSome(token)) {
      outgoing = HttpClientRequest.setHeader(
        outgoing,
        "authorization",
        `Bearer ${Redacted.value(token.value.access_token)}`
      )
    }
    for (const name in context) outgoing = HttpClientRequest.setHeader(outgoing, name, context[name]!)
    return withTimeout(
      Effect.matchEffect(client.execute(outgoing), {
        onFailure: (error) =>
          Effect.fail(GigaChatError.fromHttpClientError(error, request.method, request.url, timeout)),
        onSuccess: (response) => response.status === 200 ? read(response) : GigaChatError.fromHttpResponse(response)
      }),
      request.method,
      request.url
    )
  }

  // One attempt: the token, the exchange, and on a 401 for the SDK's own token one more exchange with a new token.
  const attempt = <A>(
    request: HttpClientRequest.HttpClientRequest,
    read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, GigaChatError.GigaChatError>
  ): Effect.Effect<A, GigaChatError.GigaChatError> =>
    Effect.flatMap(RequestContext.get, (context) => {
      const headers = RequestContext.toHeaders(context)
      if (RequestContext.hasAuthorization(context)) return exchange(request, headers, Option.none(), read)
      return Effect.flatMap(auth.token, (token) =>
        exchange(request, headers, token, read).pipe(
          Effect.catchIf(
            (error) => error._tag === "AuthenticationError" && Option.isSome(token),
            (error) =>
              Effect.flatMap(auth.invalidate((token as Option.Some<AccessToken.AccessToken>).value), (renewable) =>
                renewable
                  ? Effect.flatMap(auth.token, (fresh) => exchange(request, headers, fresh, read))
                  : Effect.fail(error))
          )
        ))
    })

  const resolved = (request: HttpClientRequest.HttpClientRequest) =>
    HttpClientRequest.setUrl(request, GigaChatConfig.resolveUrl(config.baseUrl, request.url))

  const run = <A>(
    request: HttpClientRequest.HttpClientRequest,
    read: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<A, GigaChatError.GigaChatError>
  ): Effect.Effect<A, GigaChatError.GigaChatError> => {
    const once = attempt(resolved(request), read)
    return retries ? withRetries(once) : once
  }

  // One call's retry budget: waits the schedule's next step for `error`, or fails with `error` itself when it is not
  // retried (or no retries are left). The schedule's driver is made at the first failure: most calls succeed at once.
  const makeBackOff = () => {
    let driver: Schedule.ScheduleDriver<unknown, GigaChatError.GigaChatError> | undefined
    return (error: GigaChatError.GigaChatError): Effect.Effect<void, GigaChatError.GigaChatError> =>
      Effect.matchEffect(
        driver === undefined
          ? Effect.flatMap(Schedule.driver(schedule), (made) => (driver = made).next(error))
          : driver.next(error),
        { onFailure: () => Effect.fail(error), onSuccess: () => Effect.void }
      )
  }

  // `once` again after each failure while `backOff` allows it.
  const retrying = <A>(
    once: Effect.Effect<A, GigaChatError.GigaChatError>,
    backOff: (error: GigaChatError.GigaChatError) => Effect.Effect<void, GigaChatError.GigaChatError>
  ): Effect.Effect<A, GigaChatError.GigaChatError> => {
    const loop: Effect.Effect<A, GigaChatError.GigaChatError> = Effect.catchAll(
      once,
      (error) => Effect.zipRight(backOff(error), loop)
    )
    return loop
  }

  // `Effect.retry`, with nothing made before a first failure.
  const withRetries = <A>(once: Effect.Effect<A, GigaChatError.GigaChatError>) =>
    Effect.catchAll(once, (first) => {
      const backOff = makeBackOff()
      return Effect.zipRight(backOff(first), retrying(once, backOff))
    })

  // The body as text, then `f` of it, in one step.
  const withText = <A>(
    response: HttpClientResponse.HttpClientResponse,
    f: (text: string) => Effect.Effect<A, GigaChatError.GigaChatError>
  ): Effect.Effect<A, GigaChatError.GigaChatError> =>
    Effect.matchEffect(response.text, {
      onFailure: (error) =>
        Effect.fail(
          GigaChatError.fromHttpClientError(error, response.request.method, response.request.url, timeout)
        ),
      onSuccess: f
    })

  const text = (request: HttpClientRequest.HttpClientRequest) =>
    run(request, (response) =>
      withText(
        response,
        (value): Effect.Effect<HttpTransport.Decoded<string>> =>
          Effect.succeed({ value, xHeaders: XHeaders.fromHeaders(response.headers) })
      ))

  // Parsed and decoded inside the attempt, in the step that reads the body: a DecodeError is never retried, so
  // this changes no outcome and saves a step per call.
  const json = <A, I>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I>) => {
    const decode = FastDecode.decoder(schema)
    return run(
      request,
      (response) =>
        withText(response, (value): Effect.Effect<HttpTransport.Decoded<A>, GigaChatError.DecodeError> => {
          let parsed: unknown
          try {
            parsed = JSON.parse(value)
          } catch (cause) {
            return Effect.fail(notJson(value, request.method, request.url, mediaType(response), cause))
          }
          const decoded = decode(parsed)
          return Either.isRight(decoded)
            ? Effect.succeed({ value: decoded.right, xHeaders: XHeaders.fromHeaders(response.headers) })
            : Effect.fail(schemaMismatch(decoded.left, request.method, request.url, value))
        })
    )
  }

  const bytes = (request: HttpClientRequest.HttpClientRequest) =>
    run(request, (response) =>
      Effect.map(
        Effect.mapError(
          response.arrayBuffer,
          (error) => GigaChatError.fromHttpClientError(error, response.request.method, response.request.url, timeout)
        ),
        (buffer): HttpTransport.Bytes => ({
          bytes: new Uint8Array(buffer),
          contentType: response.headers["content-type"],
          xHeaders: XHeaders.fromHeaders(response.headers)
        })
      ))

  // The response of one attempt as an event stream. `first`, when given, looks at the first events before they are
  // emitted (see `events`).
  const openEvents = (
    response: HttpClientResponse.HttpClientResponse,
    first: ((events: ReadonlyArray<Sse.Event>) => GigaChatError.GigaChatError | undefined) | undefined
  ): Effect.Effect<HttpTransport.EventStream, GigaChatError.GigaChatError> => {
    const method = response.request.method
    const url = response.request.url
    const type = mediaType(response)
    if (type !== "text/event-stream") {
      // Reading the first part of the body ends the read, which lets go of the connection (an unread body
      // keeps it open until garbage collection) and shows what the server sent instead.
      return Effect.flatMap(GigaChatError.readBodyPrefix(response, 1), (body) =>
        Effect.fail(
          new GigaChatError.DecodeError({
            method,
            url,
            description: `expected the content type text/event-stream, got ${type ?? "none"}`,
            body: body.slice(0, 500)
          })
        ))
    }
    const body: Stream.Stream<Uint8Array, HttpClientError.HttpClientError | GigaChatError.TimeoutError> =
      timeoutsByClient ? response.stream : response.stream.pipe(
        Stream.timeoutFailCause(
          () => Cause.fail(new GigaChatError.TimeoutError({ method, url, timeout })),
          timeout
        )
      )
    return Effect.succeed({
      xHeaders: XHeaders.fromHeaders(response.headers),
      // One stage from the body's bytes to events: every stage costs CPU on every network read.
      events: internalSse.decodeBody(
        { maxEventSize: config.maxSseEventSize },
        { method, url },
        (error: HttpClientError.HttpClientError | GigaChatError.TimeoutError): GigaChatError.GigaChatError =>
          error._tag === "TimeoutError" ? error : GigaChatError.fromHttpClientError(error, method, url, timeout),
        first
      )(body)
    })
  }

  const eventRequest = (request: HttpClientRequest.HttpClientRequest) =>
    resolved(
      HttpClientRequest.setHeader(
        HttpClientRequest.setHeader(request, "accept", "text/event-stream"),
        "cache-control",
        "no-store"
      )
    )

  const events = (request: HttpClientRequest.HttpClientRequest) =>
    retries
      ? Effect.suspend(() => retriedEvents(eventRequest(request)))
      : attempt(eventRequest(request), (response) => openEvents(response, undefined))

  // Retried until the first event is emitted, under one schedule: a failure before the headers (a status, the
  // network), a failure of the body before any event (the network, a timeout), or an error object sent as the first
  // event (`{"status": 503, ...}`) sends the request again. Once an event is out, a failure ends the stream: nothing
  // is ever emitted twice.
  const retriedEvents = (
    request: HttpClientRequest.HttpClientRequest
  ): Effect.Effect<HttpTransport.EventStream, GigaChatError.GigaChatError> => {
    let emitted = false
    const first = (events: ReadonlyArray<Sse.Event>): GigaChatError.GigaChatError | undefined => {
      const failure = inBandFailure(events[0]!, request.method, request.url)
      if (failure === undefined) emitted = true
      return failure
    }
    // One budget for the retries before the headers and those before the first event.
    const backOff = makeBackOff()
    const open = retrying(attempt(request, (response) => openEvents(response, first)), backOff)
    return Effect.map(open, (opened) => {
      let current = opened
      const from = (attempted: HttpTransport.EventStream): Stream.Stream<Sse.Event, GigaChatError.GigaChatError> =>
        Stream.catchAll(attempted.events, (error) =>
          emitted
            ? Stream.fail(error)
            : Stream.unwrap(
              Effect.map(Effect.zipRight(backOff(error), open), (reopened) => {
                current = reopened
                return from(reopened)
              })
            ))
      return {
        // The headers of the attempt whose events are emitted.
        get xHeaders() {
          return current.xHeaders
        },
        events: from(opened)
      }
    })
  }

  return { text, json, bytes, events } satisfies HttpTransport.Service
})

/** An error object sent as an event in place of a chunk (`{"status": 503, "message": ...}`), or undefined. */
const inBandFailure = (event: Sse.Event, method: string, url: string): GigaChatError.GigaChatError | undefined => {
  let json: unknown
  try {
    json = JSON.parse(event.data)
  } catch {
    // The chunk's own decoding reports it.
    return undefined
  }
  return streamFailure(json, event.data, method, url)
}

const notJson = (text: string, method: string, url: string, contentType: string | undefined, cause: unknown) =>
  new GigaChatError.DecodeError({
    method,
    url,
    description: `the response is not valid JSON (content type ${contentType ?? "none"})`,
    body: text.slice(0, 500),
    cause
  }, { disableValidation: true })

const schemaMismatch = (error: ParseResult.ParseError, method: string, url: string, body: string) =>
  new GigaChatError.DecodeError({
    method,
    url,
    description: `the response does not have the expected shape: ${
      ParseResult.TreeFormatter.formatErrorSync(error).slice(0, 2000)
    }`,
    body: body.slice(0, 500),
    cause: error
  }, { disableValidation: true })
