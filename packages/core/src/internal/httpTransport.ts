import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as LogLevel from "effect/LogLevel"
import type * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import type * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import type * as AccessToken from "../AccessToken.js"
import * as Auth from "../Auth.js"
import * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as RequestContext from "../RequestContext.js"
import type * as Sse from "../Sse.js"
import * as Telemetry from "../Telemetry.js"
import * as XHeaders from "../XHeaders.js"
import * as internalConfig from "./gigachatConfig.js"
import * as internalSse from "./sse.js"
import * as telemetry from "./telemetry.js"
import * as TypeGuard from "./typeGuard.js"

// -----------------------------------------------------------------------------------------------------------------
// retry policy
// -----------------------------------------------------------------------------------------------------------------

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
  const timing = config.retrySchedule ?? Schedule.identity<GigaChatError.GigaChatError>().pipe(
    Schedule.intersect(Schedule.recurs(config.maxRetries)),
    Schedule.addDelayEffect(([error, attempt]) => backoff(config, error, attempt))
  )
  return Schedule.recurWhile(isRetryable(config)).pipe(
    Schedule.intersect(timing),
    Schedule.intersect(Schedule.count),
    Schedule.onDecision(([[error], retried], decision) =>
      decision._tag === "Done" ? Effect.void : Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const endpoint = telemetry.endpointOf(errorUrl(error))
        telemetry.recordRetry(endpoint, error._tag)
        const wait = Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
        return telemetry.log(
          config.logLevel,
          LogLevel.Warning,
          `GigaChat: retrying ${endpoint} in ${Duration.format(Duration.millis(wait))} after ${error._tag}`,
          () => ({
            [Telemetry.Attributes.endpoint]: endpoint,
            [Telemetry.Attributes.attempt]: retried + 1,
            [Telemetry.Attributes.errorType]: error._tag,
            [Telemetry.Attributes.statusCode]: "status" in error ? error.status : undefined,
            [Telemetry.Attributes.requestId]: "requestId" in error ? error.requestId : undefined,
            "gigachat.retry_wait_ms": wait
          })
        )
      })
    )
  )
}

const errorUrl = (error: GigaChatError.GigaChatError): string => "url" in error ? error.url ?? "" : ""

/** A stream's failure after its first event was emitted: never retried, so no event is emitted twice. */
class AfterFirstEvent {
  constructor(readonly error: GigaChatError.GigaChatError) {}
}

// -----------------------------------------------------------------------------------------------------------------
// the transport
// -----------------------------------------------------------------------------------------------------------------

type StreamSpan = HttpTransport.StreamSpan<any>

/** A stream's span and what it records, made when the stream starts and ended with it. */
interface SpanState {
  readonly span: Tracer.Span
  readonly record: telemetry.StreamRecord<any>
}

const makeStreamSpan = (options: StreamSpan, endpoint: string): Effect.Effect<SpanState, never, Scope.Scope> =>
  Effect.flatMap(
    Effect.makeSpan(options.name, {
      captureStackTrace: false,
      attributes: telemetry.spanAttributes(options.name, options.operation, options.attributes)
    }),
    (span) => {
      const record = new telemetry.StreamRecord(options.onChunk)
      return Effect.as(
        Effect.addFinalizer((exit) =>
          Effect.clockWith((clock) =>
            Effect.sync(() => {
              record.annotate(span, endpoint)
              telemetry.endSpan(span, exit, clock.unsafeCurrentTimeNanos(), true)
            })
          )
        ),
        { span, record }
      )
    }
  )

/** Where the events of one attempt come from: for their `xHeaders`, and for the errors that name the request. */
interface Source {
  readonly xHeaders: XHeaders.XHeaders
  readonly method: string
  readonly url: string
  /** The stream's span record, which counts what is decoded. */
  readonly record: telemetry.StreamRecord<any> | undefined
}

type DecodeEvent<A> = (event: Sse.Event, source: Source) => Either.Either<A, GigaChatError.GigaChatError>

type Read<A> = (
  response: HttpClientResponse.HttpClientResponse,
  deadline: Deadline
) => Effect.Effect<A, GigaChatError.GigaChatError>

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* GigaChatConfig.GigaChatConfig
  const auth = yield* Auth.Auth
  if (!config.httpSpans) yield* internalConfig.untracedRequests
  const deadlines = yield* makeDeadlines(config.timeout)
  const timeout = config.timeout
  const schedule = retrySchedule(config)
  const retries = config.maxRetries > 0 || config.retrySchedule !== undefined
  const requestPermits = config.maxConcurrentRequests === undefined
    ? undefined
    : yield* Effect.makeSemaphore(config.maxConcurrentRequests)
  const streamPermits = config.maxConcurrentStreams === undefined
    ? undefined
    : yield* Effect.makeSemaphore(config.maxConcurrentStreams)

  // One configured client: no trace context to the API; the URL resolved against the base URL, the SDK's
  // `User-Agent` and `Accept`, then the request context's headers (which win over the SDK's token, as a caller's own
  // Authorization must); each request tied to a scope the deadlines can close.
  const client = GigaChatConfig.configureClient(yield* HttpClient.HttpClient, config).pipe(
    HttpClient.mapRequestEffect((request) =>
      Effect.map(RequestContext.get, (context) =>
        HttpClientRequest.setHeaders(
          HttpClientRequest.setUrl(request, GigaChatConfig.resolveUrl(config.baseUrl, request.url)),
          {
            "user-agent": GigaChatConfig.userAgent,
            accept: request.headers["accept"] ?? "application/json",
            ...RequestContext.toHeaders(context)
          }
        ))
    ),
    HttpClient.withScope
  )

  const withToken = (request: HttpClientRequest.HttpClientRequest, token: Option.Option<AccessToken.AccessToken>) =>
    token._tag === "Some"
      ? HttpClientRequest.setHeader(request, "authorization", `Bearer ${Redacted.value(token.value.access_token)}`)
      : request

  // A failure of the client, or the timeout when the deadline aborted the exchange.
  const failure = (error: HttpClientError.HttpClientError, deadline: Deadline) =>
    deadline.expired
      ? new GigaChatError.TimeoutError({ method: error.request.method, url: error.request.url, timeout }, {
        disableValidation: true
      })
      : GigaChatError.fromHttpClientError(error, error.request.method, error.request.url, timeout)

  // One exchange in `scope`, under a deadline: the request is sent, a non-200 status becomes its typed error, and
  // `read` reads the body. When the deadline passes first, the scope is closed, which aborts the exchange.
  const exchange = <A>(
    request: HttpClientRequest.HttpClientRequest,
    scope: Scope.CloseableScope,
    deadline: Deadline,
    read: Read<A>
  ): Effect.Effect<A, GigaChatError.GigaChatError> =>
    client.execute(request).pipe(
      Effect.matchEffect({
        onFailure: (error) => Effect.fail(failure(error, deadline)),
        onSuccess: (response) =>
          response.status === 200 ? read(response, deadline) : GigaChatError.fromHttpResponse(response)
      }),
      Scope.extend(scope)
    )

  // One attempt of a call: the token (a 401 re-authenticates once, see `Auth.withToken`), then the exchange in a
  // scope of its own. The scope is closed only to abort the exchange: when the deadline passes, or the call is
  // interrupted; a finished exchange has nothing left to abort.
  const attempt = <A>(request: HttpClientRequest.HttpClientRequest, endpoint: string, read: Read<A>) =>
    auth.withToken((token) =>
      Effect.flatMap(Scope.make(ExecutionStrategy.sequential), (scope) => {
        const deadline = deadlines.watch(scope)
        return Effect.onExit(exchange(withToken(request, token), scope, deadline, read), (exit) => {
          deadline.release()
          return Exit.isSuccess(exit) ? recorded(endpoint) : ended(endpoint, exit, scope)
        })
      })
    )

  const recorded = (endpoint: string): Effect.Effect<void> => {
    telemetry.recordRequest(endpoint, 200)
    return Effect.void
  }

  // A failed exchange: counted, logged when the server answered 429 or 5xx, and aborted when it was interrupted.
  const ended = (
    endpoint: string,
    exit: Exit.Exit<unknown, GigaChatError.GigaChatError>,
    scope: Scope.CloseableScope
  ): Effect.Effect<void> => {
    if (Exit.isInterrupted(exit)) return Scope.close(scope, exit)
    const failure = Cause.failureOption((exit as Exit.Failure<unknown, GigaChatError.GigaChatError>).cause)
    if (failure._tag === "None") return Effect.void
    const error = failure.value
    const status = "status" in error ? error.status : undefined
    telemetry.recordRequest(endpoint, status ?? error._tag)
    if (status === undefined || (status !== 429 && status < 500)) return Effect.void
    return telemetry.log(config.logLevel, LogLevel.Warning, `GigaChat: ${endpoint} answered ${status}`, () => ({
      [Telemetry.Attributes.endpoint]: endpoint,
      [Telemetry.Attributes.statusCode]: status,
      [Telemetry.Attributes.requestId]: "requestId" in error ? error.requestId : undefined,
      "gigachat.retry_after_ms": error._tag === "RateLimitError" && error.retryAfter !== undefined
        ? Duration.toMillis(error.retryAfter)
        : undefined
    }))
  }

  // Over `maxConcurrentRequests` (`maxConcurrentStreams`) a call (a stream's opening) waits in line; its timeout covers
  // the wait and the exchange together.
  const waitingInLine = <A, R>(
    request: HttpClientRequest.HttpClientRequest,
    self: Effect.Effect<A, GigaChatError.GigaChatError, R>
  ) =>
    Duration.isFinite(timeout)
      ? Effect.timeoutFail(self, { duration: timeout, onTimeout: () => timedOut(request) })
      : self

  const timedOut = (request: HttpClientRequest.HttpClientRequest) =>
    new GigaChatError.TimeoutError({
      method: request.method,
      url: GigaChatConfig.resolveUrl(config.baseUrl, request.url),
      timeout
    }, { disableValidation: true })

  const run = <A>(request: HttpClientRequest.HttpClientRequest, read: Read<A>) => {
    const once = attempt(request, telemetry.endpointOf(request.url), read)
    const limited = requestPermits === undefined ? once : waitingInLine(request, requestPermits.withPermits(1)(once))
    return retries ? Effect.retry(limited, schedule) : limited
  }

  const readText = (response: HttpClientResponse.HttpClientResponse, deadline: Deadline) =>
    Effect.mapError(response.text, (error) => failure(error, deadline))

  const text = (request: HttpClientRequest.HttpClientRequest) =>
    run(
      request,
      (response, deadline) =>
        Effect.map(readText(response, deadline), (value): HttpTransport.Decoded<string> => ({
          value,
          xHeaders: XHeaders.fromHeaders(response.headers)
        }))
    )

  const json = <A, I>(request: HttpClientRequest.HttpClientRequest, schema: Schema.Schema<A, I>) => {
    const decode = TypeGuard.decoder(schema)
    return run(request, (response, deadline) =>
      Effect.flatMap(readText(response, deadline), (body) => {
        const decoded = decodeJson(decode, body, response)
        return Either.isRight(decoded)
          ? Effect.succeed({ value: decoded.right, xHeaders: XHeaders.fromHeaders(response.headers) })
          : Effect.fail(decoded.left)
      }))
  }

  const bytes = (request: HttpClientRequest.HttpClientRequest) =>
    run(request, (response, deadline) =>
      Effect.map(
        Effect.mapError(response.arrayBuffer, (error) => failure(error, deadline)),
        (buffer): HttpTransport.Bytes => ({
          bytes: new Uint8Array(buffer),
          contentType: response.headers["content-type"],
          xHeaders: XHeaders.fromHeaders(response.headers)
        })
      ))

  // ---------------------------------------------------------------------------------------------------------------
  // streams
  // ---------------------------------------------------------------------------------------------------------------

  // One attempt of a stream: the exchange in a scope that lives as long as the stream, whose deadline runs while it
  // waits for the headers and for each read. `decode` turns each event into an output; its failure on the first
  // event (an error object such as `{"status": 503, ...}` sent in place of a chunk) counts as a failure before the
  // first event.
  const openStream = <A>(
    request: HttpClientRequest.HttpClientRequest,
    endpoint: string,
    decode: DecodeEvent<A>,
    span: SpanState | StreamSpan | undefined
  ): Stream.Stream<A, GigaChatError.GigaChatError | AfterFirstEvent> => {
    const open = (record: telemetry.StreamRecord<any> | undefined) =>
      Effect.flatMap(
        Effect.scope,
        (streamScope) =>
          auth.withToken((token) =>
            Effect.flatMap(Scope.fork(streamScope, ExecutionStrategy.sequential), (scope) => {
              // The deadline lasts as long as the stream: its scope's end releases it.
              const deadline = deadlines.watch(scope)
              return Effect.zipRight(
                Scope.addFinalizer(scope, Effect.sync(deadline.release)),
                Effect.onExit(
                  exchange(
                    withToken(request, token),
                    scope,
                    deadline,
                    (response) => openEvents(response, deadline, decode, record)
                  ),
                  (exit) => Exit.isSuccess(exit) ? recorded(endpoint) : ended(endpoint, exit, scope)
                )
              )
            })
          )
      )
    const limited = (record: telemetry.StreamRecord<any> | undefined) =>
      streamPermits === undefined ? open(record) : waitingInLine(
        request,
        Effect.zipRight(Effect.acquireRelease(streamPermits.take(1), () => streamPermits.release(1)), open(record))
      )
    // The span, when it is made here, is made in the step that opens the stream and ended with it. It is the parent
    // of what opens the stream (the token, the request); the reads do not run in it, as they would under
    // `Stream.withSpan`, which costs on every read.
    return Stream.unwrapScoped(
      span === undefined
        ? limited(undefined)
        : "record" in span
        ? Effect.withParentSpan(limited(span.record), span.span)
        : Effect.flatMap(
          makeStreamSpan(span, endpoint),
          (made) => Effect.withParentSpan(limited(made.record), made.span)
        )
    )
  }

  // With retries one span covers every attempt; without, the one attempt makes it in the step that opens it (each
  // `Stream.unwrapScoped` a stream is nested in costs a step on every read).
  const spanned = <A>(
    options: HttpTransport.StreamOptions<any> | undefined,
    endpoint: string,
    attempt: (
      span: SpanState | StreamSpan | undefined
    ) => Stream.Stream<A, GigaChatError.GigaChatError | AfterFirstEvent>
  ): Stream.Stream<A, GigaChatError.GigaChatError> => {
    if (!retries) return attempt(options?.span) as Stream.Stream<A, GigaChatError.GigaChatError>
    const span = options?.span
    return span === undefined
      ? retriedStream(attempt(undefined))
      : Stream.unwrapScoped(Effect.map(makeStreamSpan(span, endpoint), (made) => retriedStream(attempt(made))))
  }

  const openEvents = <A>(
    response: HttpClientResponse.HttpClientResponse,
    deadline: Deadline,
    decode: DecodeEvent<A>,
    record: telemetry.StreamRecord<any> | undefined
  ): Effect.Effect<Stream.Stream<A, GigaChatError.GigaChatError | AfterFirstEvent>, GigaChatError.GigaChatError> => {
    const method = response.request.method
    const url = response.request.url
    const type = mediaType(response)
    if (type !== "text/event-stream") {
      // Reading the first bytes of the body ends the exchange and shows what the server sent instead.
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
    const source: Source = { xHeaders: XHeaders.fromHeaders(response.headers), method, url, record }
    return Effect.succeed(
      internalSse.decodeBody<HttpClientError.HttpClientError, GigaChatError.GigaChatError | AfterFirstEvent, A>(
        { maxEventSize: config.maxSseEventSize },
        { method, url },
        (error) => failure(error, deadline),
        { waiting: deadline.arm, arrived: deadline.disarm },
        {
          decode: (event) => decode(event, source),
          // Without retries no failure is marked: nothing would read the mark.
          afterFirst: retries ? markAfterFirst : undefined
        }
      )(response.stream)
    )
  }

  // Retried until the first event is out, under the call's retry policy; a failure after it ends the stream.
  const retriedStream = <A>(stream: Stream.Stream<A, GigaChatError.GigaChatError | AfterFirstEvent>) =>
    retries
      ? stream.pipe(
        Stream.retry(
          Schedule.intersect(
            Schedule.recurWhile((error) => !(error instanceof AfterFirstEvent)),
            Schedule.mapInput(schedule, (error: GigaChatError.GigaChatError | AfterFirstEvent) =>
              error instanceof AfterFirstEvent ? error.error : error)
          )
        ),
        Stream.mapError((error) =>
          error instanceof AfterFirstEvent ? error.error : error
        )
      )
      // Without retries no failure is marked (see `openEvents`).
      : stream as Stream.Stream<A, GigaChatError.GigaChatError>

  const streamRequest = (request: HttpClientRequest.HttpClientRequest) =>
    HttpClientRequest.setHeaders(request, { accept: "text/event-stream", "cache-control": "no-store" })

  const stream = <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I>,
    options?: HttpTransport.StreamOptions<A>
  ): Stream.Stream<XHeaders.WithXHeaders<A>, GigaChatError.GigaChatError> => {
    const decode = TypeGuard.decoder(schema)
    const prepareJson = options?.prepare
    const endpoint = telemetry.endpointOf(request.url)
    return spanned(options, endpoint, (span) =>
      openStream(
        streamRequest(request),
        endpoint,
        (event, { method, record, url, xHeaders }) =>
          Either.flatMap(
            parseEvent(event, method, url),
            (json) =>
              Either.match(decode(prepareJson === undefined ? json : prepareJson(json, event)), {
                onLeft: (error) => Either.left(mismatch("a stream event", error, event.data, method, url)),
                onRight: (chunk) => {
                  // The chunk is the decoder's own new value and nobody has seen it yet: `xHeaders` is set in place.
                  ;(chunk as { xHeaders?: XHeaders.XHeaders }).xHeaders = xHeaders
                  record?.chunk(chunk, xHeaders)
                  return Either.right(chunk as XHeaders.WithXHeaders<A>)
                }
              })
          ),
        span
      ))
  }

  const events = (
    request: HttpClientRequest.HttpClientRequest,
    options?: HttpTransport.StreamOptions<HttpTransport.Event>
  ) => {
    const endpoint = telemetry.endpointOf(request.url)
    return spanned(options, endpoint, (span) =>
      openStream(
        streamRequest(request),
        endpoint,
        (
          { data, event },
          { method, record, url, xHeaders }
        ): Either.Either<HttpTransport.Event, GigaChatError.GigaChatError> => {
          const failed = inBandFailure({ data, event }, method, url)
          if (failed !== undefined) return Either.left(failed)
          const output: HttpTransport.Event = { event, data, xHeaders }
          record?.chunk(output, xHeaders)
          return Either.right(output)
        },
        span
      ))
  }

  return { text, json, bytes, stream, events } satisfies HttpTransport.Service
})

/** A failure once an output is out: never retried, so no event is emitted twice. */
const markAfterFirst = (error: GigaChatError.GigaChatError | AfterFirstEvent): AfterFirstEvent =>
  error instanceof AfterFirstEvent ? error : new AfterFirstEvent(error)

const mediaType = (response: HttpClientResponse.HttpClientResponse): string | undefined =>
  response.headers["content-type"]?.split(";")[0]?.trim().toLowerCase()

/**
 * A JSON object with a numeric `status` and a `message` where a chunk was expected is the server reporting a
 * failure in the middle of a stream.
 */
const streamFailure = (
  json: unknown,
  data: string,
  method: string,
  url: string
): GigaChatError.GigaChatError | undefined => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined
  const record = json as Record<string, unknown>
  if (typeof record.status !== "number" || !("message" in record) || "choices" in record || "messages" in record) {
    return undefined
  }
  return GigaChatError.fromResponse({ status: record.status, method, url, body: data, headers: {} })
}

/** One event's JSON, or the typed error of an error object sent in its place. */
const parseEvent = (
  event: Sse.Event,
  method: string,
  url: string
): Either.Either<unknown, GigaChatError.GigaChatError> => {
  let json: unknown
  try {
    json = JSON.parse(event.data)
  } catch (cause) {
    return Either.left(
      new GigaChatError.DecodeError({
        method,
        url,
        description: "a stream event is not valid JSON",
        body: event.data.slice(0, 500),
        cause
      }, { disableValidation: true })
    )
  }
  const failed = streamFailure(json, event.data, method, url)
  return failed === undefined ? Either.right(json) : Either.left(failed)
}

/** An error object sent as an event in place of a chunk, or undefined (an event that is not JSON is not one). */
const inBandFailure = (event: Sse.Event, method: string, url: string): GigaChatError.GigaChatError | undefined => {
  const parsed = parseEvent(event, method, url)
  return Either.isLeft(parsed) && parsed.left._tag !== "DecodeError" ? parsed.left : undefined
}

const decodeJson = <A>(
  decode: TypeGuard.Decoder<A>,
  body: string,
  response: HttpClientResponse.HttpClientResponse
): Either.Either<A, GigaChatError.DecodeError> => {
  const { method, url } = response.request
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch (cause) {
    return Either.left(
      new GigaChatError.DecodeError({
        method,
        url,
        description: `the response is not valid JSON (content type ${mediaType(response) ?? "none"})`,
        body: body.slice(0, 500),
        cause
      }, { disableValidation: true })
    )
  }
  return Either.mapLeft(decode(parsed), (error) => mismatch("the response", error, body, method, url))
}

const mismatch = (what: string, error: ParseResult.ParseError, body: string, method: string, url: string) =>
  new GigaChatError.DecodeError({
    method,
    url,
    description: `${what} does not have the expected shape: ${
      ParseResult.TreeFormatter.formatErrorSync(error).slice(0, 2000)
    }`,
    body: body.slice(0, 500),
    cause: error
  }, { disableValidation: true })

// -----------------------------------------------------------------------------------------------------------------
// timeouts
// -----------------------------------------------------------------------------------------------------------------

// One fiber on the `Clock` watches the deadline of every request in flight and, when one passes, closes the request's
// scope, which aborts the exchange (`HttpClient.withScope`) in any client built on the platform's `HttpClient.make`.
// A stream's deadline runs only while it waits for the server, never because its consumer is slow. (`Effect.timeout`
// would race every call, and `Stream.timeout` every read, against a timer in two new fibers.)

/** The deadline of one request. */
interface Deadline {
  /** True once the deadline passed and the request's scope was closed by the watchdog. */
  readonly expired: boolean
  /** Sets the deadline to one timeout from now (a stream, when it starts waiting for a read). */
  readonly arm: () => void
  /** No deadline until the next `arm` (a stream, while its consumer holds what was read). */
  readonly disarm: () => void
  /** The request is over: its deadline no longer matters. */
  readonly release: () => void
}

interface Deadlines {
  /** Watches `scope`: it is closed when the request has been silent for longer than the timeout. */
  readonly watch: (scope: Scope.CloseableScope) => Deadline
}

class Entry implements Deadline {
  expired = false
  /** The deadline the entry is filed under in the heap; `deadline` may have moved past it since. */
  key: number
  /** The entry's place in the heap, -1 when it is not in it. */
  index = -1
  constructor(
    readonly scope: Scope.CloseableScope,
    public deadline: number,
    readonly heap: Heap,
    readonly now: () => number,
    readonly millis: number
  ) {
    this.key = deadline
  }
  readonly arm = () => {
    this.deadline = this.now() + this.millis
  }
  readonly disarm = () => {
    this.deadline = Infinity
  }
  readonly release = () => {
    this.heap.remove(this)
  }
}

const never: Deadline = { expired: false, arm: () => {}, disarm: () => {}, release: () => {} }

/**
 * Starts the watchdog in the current scope. With an infinite timeout nothing is watched.
 *
 * @internal
 */
export const makeDeadlines = (timeout: Duration.Duration): Effect.Effect<Deadlines, never, Scope.Scope> =>
  Effect.gen(function*() {
    if (!Duration.isFinite(timeout)) return { watch: () => never }
    const millis = Duration.toMillis(timeout)
    const clock = yield* Effect.clock
    const now = () => clock.unsafeCurrentTimeMillis()
    const heap = new Heap()
    // Open while there is something to watch: with nothing in flight the watchdog waits here, not on the clock.
    const busy = Effect.unsafeMakeLatch(false)

    // Every new deadline is one timeout from now, so none is earlier than the one the watchdog sleeps towards: it is
    // never woken early. A stream whose deadline moved is filed again under the new one.
    const watchdog: Effect.Effect<never> = Effect.suspend(() => {
      const time = now()
      const expired: Array<Entry> = []
      for (let entry = heap.peek(); entry !== undefined && entry.key <= time; entry = heap.peek()) {
        heap.remove(entry)
        if (entry.deadline > time) {
          // armed later, or disarmed: looked at again when it could next expire
          entry.key = Math.min(entry.deadline, time + millis)
          heap.push(entry)
        } else {
          entry.expired = true
          expired.push(entry)
        }
      }
      const next = heap.peek()
      if (next === undefined) busy.unsafeClose()
      return Effect.zipRight(
        Effect.forEach(expired, (entry) => Scope.close(entry.scope, Exit.void), { discard: true }),
        Effect.zipRight(next === undefined ? busy.await : clock.sleep(Duration.millis(next.key - time)), watchdog)
      )
    })
    yield* Effect.forkScoped(watchdog)

    return {
      watch: (scope) => {
        const entry = new Entry(scope, now() + millis, heap, now, millis)
        heap.push(entry)
        busy.unsafeOpen()
        return entry
      }
    }
  })

/** A binary min-heap of entries by key, each entry knowing its index so that a finished request leaves at once. */
class Heap {
  private readonly items: Array<Entry> = []

  peek(): Entry | undefined {
    return this.items[0]
  }

  push(entry: Entry): void {
    entry.index = this.items.length
    this.items.push(entry)
    this.up(entry.index)
  }

  remove(entry: Entry): void {
    const i = entry.index
    if (i < 0) return
    entry.index = -1
    const last = this.items.pop()!
    if (last === entry) return
    this.items[i] = last
    last.index = i
    this.down(i)
    this.up(last.index)
  }

  private up(i: number): void {
    const items = this.items
    const entry = items[i]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (items[parent]!.key <= entry.key) break
      items[i] = items[parent]!
      items[i]!.index = i
      i = parent
    }
    items[i] = entry
    entry.index = i
  }

  private down(i: number): void {
    const items = this.items
    const entry = items[i]!
    for (;;) {
      const left = 2 * i + 1
      if (left >= items.length) break
      const right = left + 1
      const child = right < items.length && items[right]!.key < items[left]!.key ? right : left
      if (items[child]!.key >= entry.key) break
      items[i] = items[child]!
      items[i]!.index = i
      i = child
    }
    items[i] = entry
    entry.index = i
  }
}
