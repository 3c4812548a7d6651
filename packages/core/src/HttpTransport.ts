/**
 * The only place that talks to the platform `HttpClient`: resolves URLs, sets `User-Agent`, `Accept`, the token
 * and the request-context headers, re-authenticates once on 401, maps statuses to typed errors, applies the
 * timeout and the retry `Schedule`, decodes bodies with Schema and turns `text/event-stream` bodies into streams of
 * decoded events.
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
import type * as Scope from "effect/Scope"
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
 * A server-sent event with the `x-*` headers of the response it came from.
 *
 * @since 0.2.0
 * @category models
 */
export interface Event extends Sse.Event {
  readonly xHeaders: XHeaders.XHeaders
}

/**
 * Options of `stream`.
 *
 * @since 0.2.0
 * @category models
 */
export interface StreamOptions<A = unknown> {
  /** Changes each event's parsed JSON before it is decoded (the v2 API puts the SSE event name into it). */
  readonly prepare?: ((json: unknown, event: Sse.Event) => unknown) | undefined
  /**
   * A span that covers the stream from the request to its end, the parent of the token request and of the HTTP
   * request. The reads do not run in it, as they would in `Stream.withSpan`, which costs on every read. When the
   * stream ends, the span gets the chunk count, the request id and the attributes `onChunk` found, and the
   * operation's metrics are recorded (see `Telemetry`).
   */
  readonly span?: StreamSpan<A> | undefined
}

/**
 * The span of a stream (see `StreamOptions.span`).
 *
 * @since 0.2.0
 * @category models
 */
export interface StreamSpan<A = unknown> {
  readonly name: string
  /** `gen_ai.operation.name`; by default the span's name after `GigaChat.`, in snake case. */
  readonly operation?: string | undefined
  readonly attributes?: Record<string, unknown> | undefined
  /**
   * Attributes a chunk reports (the response model, the token usage, the finish reason), or undefined; those found
   * are written to the span when the stream ends, later chunks over earlier ones.
   */
  readonly onChunk?: ((chunk: A) => Record<string, unknown> | undefined) | undefined
}

/**
 * What the GigaChat service needs from the network: text, JSON, bytes and event streams.
 *
 * Every request goes through one configured `HttpClient`: its URL is resolved against the base URL, it gets the
 * `User-Agent`, `Accept`, the token and the request context's headers; a 401 on a cached token fetches a new one
 * and sends the request once more; a status other than 200 becomes its typed error; the timeout and the retry
 * policy apply to every attempt.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Sends a request (its URL may be a path, resolved against the base URL) and reads the 200 body as text. */
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
   * Opens a `text/event-stream` and decodes each event's JSON with the Schema, with the response's `x-*` headers
   * on every output. An error object sent in place of an event (`{"status": 503, "message": ...}`) fails the stream
   * with the typed error of its status. The retry policy applies until the first output is emitted: a failure before
   * it (a status, the network, a timeout, such an error object) sends the request again; after it a failure ends the
   * stream and nothing is sent again (no duplicated output). The timeout applies to the wait for the headers and to
   * every pause between two reads. Interrupting the stream aborts the request.
   */
  readonly stream: <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I>,
    options?: StreamOptions<A>
  ) => Stream.Stream<XHeaders.WithXHeaders<A>, GigaChatError.GigaChatError>
  /** Like `stream`, with the events as they are (an error object in place of an event still fails the stream). */
  readonly events: (
    request: HttpClientRequest.HttpClientRequest,
    options?: Pick<StreamOptions<Event>, "span">
  ) => Stream.Stream<Event, GigaChatError.GigaChatError>
}

/**
 * The transport service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class HttpTransport extends Context.Tag("@effect-gigachat/core/HttpTransport")<HttpTransport, Service>() {}

/**
 * Builds the transport from the settings, the auth and an `HttpClient`. The timeouts are watched by one fiber in the
 * scope; they abort a request through its scope (`HttpClient.withScope`), which every client built on the
 * platform's `HttpClient.make` honours.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Service,
  never,
  GigaChatConfig.GigaChatConfig | Auth.Auth | HttpClient.HttpClient | Scope.Scope
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
> = Layer.scoped(HttpTransport, make)

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
