/**
 * The only place that talks to the platform `HttpClient`: resolves URLs, sets `User-Agent`, `Accept`, the token
 * and the request-context headers, re-authenticates once on 401, maps statuses to typed errors, applies the
 * timeout and the retry `Schedule`, decodes bodies with Schema and turns `text/event-stream` bodies into streams.
 *
 * Replace it with a mock layer (`layerMock`) to test code that builds requests, or give the real one any
 * `HttpClient` (a mock client, the in-process emulator, undici with TLS settings).
 *
 * Responses are decoded with the Schema given to `json`. For the SDK's chat, chunk and embeddings schemas a body that
 * already has the schema's type (no `null`s, every defaulted field present: the usual answer) is checked and taken as
 * it is, which is several times cheaper than decoding it; any other body is decoded. Fields the schema does not know
 * are kept either way.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import type * as Auth from "./Auth.js"
import type * as GigaChatConfig from "./GigaChatConfig.js"
import type * as GigaChatError from "./GigaChatError.js"
import * as internal from "./internal/httpTransport.js"
import type * as Sse from "./Sse.js"
import type * as XHeaders from "./XHeaders.js"

/**
 * A decoded body with the response's `x-*` headers.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decoded<A> {
  readonly value: A
  readonly xHeaders: XHeaders.XHeaders
}

/**
 * A raw body with its content type.
 *
 * @since 0.1.0
 * @category models
 */
export interface Bytes {
  readonly bytes: Uint8Array
  readonly contentType: string | undefined
  readonly xHeaders: XHeaders.XHeaders
}

/**
 * An open event stream: the response's headers are known, the events are read as the stream is pulled.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventStream {
  /**
   * The `x-*` headers of the response the events come from: after a retry before the first event, those of the
   * retried request (read it as the events arrive, not once at the start).
   */
  readonly xHeaders: XHeaders.XHeaders
  readonly events: Stream.Stream<Sse.Event, GigaChatError.GigaChatError>
}

/**
 * What the GigaChat service needs from the network: text, JSON, bytes and event streams.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Sends a request (its URL may be a path, resolved against the base URL) and returns the 200 response with
   * its body read as text. Auth, retry, timeout and status mapping apply.
   */
  readonly text: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<Decoded<string>, GigaChatError.GigaChatError>
  /** Like `text`, then parses the body as JSON and decodes it with the Schema. */
  readonly json: <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I>
  ) => Effect.Effect<Decoded<A>, GigaChatError.GigaChatError>
  /** Like `text`, for binary bodies (file contents). */
  readonly bytes: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<Bytes, GigaChatError.GigaChatError>
  /**
   * Opens a `text/event-stream`. Auth and status mapping apply to the response; the retry policy applies until the
   * first event is emitted: a failure before it (a status, the network, a timeout, an error object such as
   * `{"status": 503, "message": ...}` sent as the first event) sends the request again. After the first event a
   * failure ends the stream with the error and nothing is sent again (no duplicated output). The timeout applies to
   * the wait for the headers and to every pause between two reads.
   */
  readonly events: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<EventStream, GigaChatError.GigaChatError>
}

/**
 * The transport service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class HttpTransport extends Context.Tag("@effect-gigachat/core/HttpTransport")<HttpTransport, Service>() {}

/**
 * Set to true by an `HttpClient` layer whose client enforces the configured timeout itself (the Node client sets
 * undici's header and body timeouts): the transport then adds no timers of its own, which saves a timer and two
 * fibers per request. By default the transport enforces the timeout.
 *
 * @since 0.1.0
 * @category references
 */
export class TimeoutsByClient extends Context.Reference<TimeoutsByClient>()(
  "@effect-gigachat/core/HttpTransport/TimeoutsByClient",
  { defaultValue: () => false }
) {}

/**
 * Set to true by an `HttpClient` layer whose client creates no span and sends no trace-context headers (the Node
 * client unless `httpSpans` is set): the transport then uses it as it is, instead of turning both off around every
 * request. By default the transport turns them off (and the span back on with `httpSpans`).
 *
 * @since 0.1.0
 * @category references
 */
export class UntracedClient extends Context.Reference<UntracedClient>()(
  "@effect-gigachat/core/HttpTransport/UntracedClient",
  { defaultValue: () => false }
) {}

/**
 * Builds the transport from the settings, the auth and an `HttpClient`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Service,
  never,
  GigaChatConfig.GigaChatConfig | Auth.Auth | HttpClient.HttpClient
> = internal.make

/**
 * The transport over the `HttpClient`, `Auth` and `GigaChatConfig` of the context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  HttpTransport,
  never,
  GigaChatConfig.GigaChatConfig | Auth.Auth | HttpClient.HttpClient
> = Layer.effect(HttpTransport, make)

/**
 * The retry policy built from `maxRetries`, `retryBackoffFactor` and `retryOnStatusCodes`: the n-th retry waits
 * `factor * 2^n` seconds plus up to 0.5 s of jitter (at most 60 s), or the server's `Retry-After` (at most
 * `maxRetryAfter`). Only retryable errors are retried (see `isRetryable`); a `retrySchedule` given in the config
 * replaces the timing but still sees only retryable errors.
 *
 * @since 0.1.0
 * @category retry
 */
export const retrySchedule: (
  config: GigaChatConfig.Service
) => Schedule.Schedule<unknown, GigaChatError.GigaChatError> = internal.retrySchedule

/**
 * 429, 5xx, network errors, timeouts, and statuses listed in `retryOnStatusCodes`.
 *
 * @since 0.1.0
 * @category retry
 */
export const isRetryable: (
  config: GigaChatConfig.Service
) => (error: GigaChatError.GigaChatError) => boolean = internal.isRetryable
