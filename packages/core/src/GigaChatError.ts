/**
 * Typed errors of the GigaChat client. Every failure the server, the network or the caller can cause ends up as
 * one of these in the error channel, never as a defect.
 *
 * @since 0.1.0
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as internal from "./internal/gigachatError.js"

/**
 * Marks the errors of this module (see `isGigaChatError`).
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-gigachat/core/GigaChatError")

/**
 * Marks the errors of this module (see `isGigaChatError`).
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * The fields every error built from a non-success HTTP response carries.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseErrorFields = {
  /** HTTP status code of the response. */
  status: Schema.Number,
  /** HTTP method of the request. */
  method: Schema.String,
  /** Full URL of the request. */
  url: Schema.String,
  /** The response body as text (cut to a bounded length). */
  body: Schema.String,
  /** Response headers; sensitive ones are replaced by `<redacted>`. */
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** The `x-request-id` response header, when the server sent one. */
  requestId: Schema.optional(Schema.String)
}

const responseMessage = (self: {
  readonly status: number
  readonly method: string
  readonly url: string
  readonly body: string
  readonly requestId?: string | undefined
}): string => internal.responseMessage(self)

/**
 * HTTP 400: the server rejected the request as malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class BadRequestError extends Schema.TaggedError<BadRequestError>(
  "@effect-gigachat/core/GigaChatError/BadRequestError"
)("BadRequestError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * HTTP 401: missing, invalid or expired credentials or token.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError extends Schema.TaggedError<AuthenticationError>(
  "@effect-gigachat/core/GigaChatError/AuthenticationError"
)("AuthenticationError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * HTTP 403: the account may not use this endpoint (e.g. `/balance` for a non-prepaid account).
 *
 * @since 0.1.0
 * @category errors
 */
export class ForbiddenError extends Schema.TaggedError<ForbiddenError>(
  "@effect-gigachat/core/GigaChatError/ForbiddenError"
)("ForbiddenError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * HTTP 404: no such model, file or route.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>(
  "@effect-gigachat/core/GigaChatError/NotFoundError"
)("NotFoundError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * HTTP 413: the request (usually an uploaded file) is larger than the server accepts.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestEntityTooLargeError extends Schema.TaggedError<RequestEntityTooLargeError>(
  "@effect-gigachat/core/GigaChatError/RequestEntityTooLargeError"
)("RequestEntityTooLargeError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * HTTP 422: the request is well-formed but its values are not acceptable.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnprocessableEntityError extends Schema.TaggedError<UnprocessableEntityError>(
  "@effect-gigachat/core/GigaChatError/UnprocessableEntityError"
)("UnprocessableEntityError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * HTTP 429: too many requests. `retryAfter` is the server's `Retry-After`, when it sent a usable one.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitError extends Schema.TaggedError<RateLimitError>(
  "@effect-gigachat/core/GigaChatError/RateLimitError"
)("RateLimitError", {
  ...ResponseErrorFields,
  retryAfter: Schema.optional(Schema.DurationFromSelf)
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const base = responseMessage(this)
    return this.retryAfter === undefined ? base : `${base} (retry after ${Duration.format(this.retryAfter)})`
  }
}

/**
 * HTTP 5xx: the server failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>(
  "@effect-gigachat/core/GigaChatError/ServerError"
)("ServerError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * Any other status that is not a success (GigaChat answers only 200 on success: 201, 204 and 3xx land here too).
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseError extends Schema.TaggedError<ResponseError>(
  "@effect-gigachat/core/GigaChatError/ResponseError"
)("ResponseError", ResponseErrorFields) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return responseMessage(this)
  }
}

/**
 * The request never got a response: connection refused or reset, DNS or TLS failure, body stream broken.
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>(
  "@effect-gigachat/core/GigaChatError/TransportError"
)("TransportError", {
  method: Schema.String,
  url: Schema.String,
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.method} ${this.url}: ${this.description}`
  }
}

/**
 * The server did not answer (or stopped sending) within the configured timeout.
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>(
  "@effect-gigachat/core/GigaChatError/TimeoutError"
)("TimeoutError", {
  method: Schema.String,
  url: Schema.String,
  timeout: Schema.DurationFromSelf
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `${this.method} ${this.url}: no response within ${Duration.format(this.timeout)}`
  }
}

/**
 * A success response that could not be understood: invalid JSON, a body that does not match the Schema, a wrong
 * content type, a malformed or oversize server-sent event.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>(
  "@effect-gigachat/core/GigaChatError/DecodeError"
)("DecodeError", {
  description: Schema.String,
  method: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String),
  /** The start of the text that failed to decode, when it is safe to show. */
  body: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    const where = this.method !== undefined && this.url !== undefined ? `${this.method} ${this.url}: ` : ""
    return `${where}${this.description}`
  }
}

/**
 * The caller's request is invalid (e.g. a message without a role, a negative `max_tokens`); nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError extends Schema.TaggedError<InvalidRequestError>(
  "@effect-gigachat/core/GigaChatError/InvalidRequestError"
)("InvalidRequestError", {
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `Invalid request: ${this.description}`
  }
}

/**
 * A structured-output helper could not parse the answer because the model stopped at the token limit.
 *
 * @since 0.1.0
 * @category errors
 */
export class LengthFinishReasonError extends Schema.TaggedError<LengthFinishReasonError>(
  "@effect-gigachat/core/GigaChatError/LengthFinishReasonError"
)("LengthFinishReasonError", {
  completion: Schema.Unknown
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return "Could not parse response content as the length limit was reached"
  }
}

/**
 * A tool-calling loop (`runTools`, `chatRunTools`) reached `maxSteps` requests and the model still asked for a
 * function. `response` is the last answer and `messages` the conversation so far, to continue or inspect.
 *
 * @since 0.1.0
 * @category errors
 */
export class ToolLoopLimitError extends Schema.TaggedError<ToolLoopLimitError>(
  "@effect-gigachat/core/GigaChatError/ToolLoopLimitError"
)("ToolLoopLimitError", {
  maxSteps: Schema.Number,
  /** The functions the last answer still called. */
  functions: Schema.Array(Schema.String),
  response: Schema.Unknown,
  messages: Schema.Array(Schema.Unknown)
}) {
  /**
   * Marks the value as a GigaChat error.
   *
   * @since 0.1.0
   */
  readonly [TypeId]: TypeId = TypeId
  /** @since 0.1.0 */
  override get message(): string {
    return `The answer to request ${this.maxSteps} (maxSteps) still calls ${
      this.functions.map((name) => `"${name}"`).join(", ")
    }`
  }
}

/**
 * The errors built from a non-success HTTP status.
 *
 * @since 0.1.0
 * @category models
 */
export type StatusError =
  | BadRequestError
  | AuthenticationError
  | ForbiddenError
  | NotFoundError
  | RequestEntityTooLargeError
  | UnprocessableEntityError
  | RateLimitError
  | ServerError
  | ResponseError

/**
 * Every error the GigaChat client can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type GigaChatError =
  | StatusError
  | TransportError
  | TimeoutError
  | DecodeError
  | InvalidRequestError
  | LengthFinishReasonError
  | ToolLoopLimitError

/**
 * The Schema of every GigaChat error, e.g. to send errors across an RPC boundary.
 *
 * @since 0.1.0
 * @category schemas
 */
export const GigaChatError: Schema.Union<[
  typeof BadRequestError,
  typeof AuthenticationError,
  typeof ForbiddenError,
  typeof NotFoundError,
  typeof RequestEntityTooLargeError,
  typeof UnprocessableEntityError,
  typeof RateLimitError,
  typeof ServerError,
  typeof ResponseError,
  typeof TransportError,
  typeof TimeoutError,
  typeof DecodeError,
  typeof InvalidRequestError,
  typeof LengthFinishReasonError,
  typeof ToolLoopLimitError
]> = Schema.Union(
  BadRequestError,
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  RequestEntityTooLargeError,
  UnprocessableEntityError,
  RateLimitError,
  ServerError,
  ResponseError,
  TransportError,
  TimeoutError,
  DecodeError,
  InvalidRequestError,
  LengthFinishReasonError,
  ToolLoopLimitError
)

/**
 * True for every error of this module.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isGigaChatError = (u: unknown): u is GigaChatError => Predicate.hasProperty(u, TypeId)

const statusTags: ReadonlySet<string> = new Set([
  "BadRequestError",
  "AuthenticationError",
  "ForbiddenError",
  "NotFoundError",
  "RequestEntityTooLargeError",
  "UnprocessableEntityError",
  "RateLimitError",
  "ServerError",
  "ResponseError"
])

/**
 * True for the errors built from a non-success HTTP status.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isResponseError = (u: unknown): u is StatusError => isGigaChatError(u) && statusTags.has(u._tag)

/**
 * What is known of a non-success response.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResponseInfo {
  readonly status: number
  readonly method: string
  readonly url: string
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Builds the error for a non-success status: the tag follows the status, sensitive headers are redacted, the body
 * is cut to a bounded length and `Retry-After` (seconds or an HTTP date) becomes `retryAfter` on a 429.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromResponse = (info: ResponseInfo, now: number = Date.now()): StatusError => {
  const headers = internal.redactHeaders(info.headers)
  const requestId = info.headers["x-request-id"]
  const fields = {
    status: info.status,
    method: info.method,
    url: info.url,
    body: internal.truncate(info.body),
    headers,
    ...(requestId !== undefined ? { requestId } : {})
  }
  const options = { disableValidation: true }
  switch (info.status) {
    case 400:
      return new BadRequestError(fields, options)
    case 401:
      return new AuthenticationError(fields, options)
    case 403:
      return new ForbiddenError(fields, options)
    case 404:
      return new NotFoundError(fields, options)
    case 413:
      return new RequestEntityTooLargeError(fields, options)
    case 422:
      return new UnprocessableEntityError(fields, options)
    case 429: {
      const retryAfter = internal.parseRetryAfter(info.headers["retry-after"], now)
      return new RateLimitError(retryAfter === undefined ? fields : { ...fields, retryAfter }, options)
    }
    default:
      return info.status >= 500 && info.status <= 599
        ? new ServerError(fields, options)
        : new ResponseError(fields, options)
  }
}

/**
 * Maps a failure of the platform's `HttpClient` (no usable response) to a `TransportError`, or to an
 * `InvalidRequestError` when the request itself could not be built (bad URL, body that does not encode). Given the
 * configured `timeout`, a client's own timeout error (undici's `UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`)
 * becomes a `TimeoutError`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHttpClientError = (
  error: HttpClientError.HttpClientError,
  method: string,
  url: string,
  timeout?: Duration.Duration
): TransportError | TimeoutError | InvalidRequestError | DecodeError => {
  // A client that enforces the timeout itself (undici's header and body timeouts) reports it as a network error.
  if (timeout !== undefined && internal.isTimeoutCause(error.cause)) {
    return new TimeoutError({ method, url, timeout }, { disableValidation: true })
  }
  if (error._tag === "RequestError") {
    if (error.reason === "Transport") {
      return new TransportError({
        method,
        url,
        description: internal.describeCause(error.cause) ?? error.description ?? "the request failed",
        cause: error.cause
      }, { disableValidation: true })
    }
    return new InvalidRequestError({
      description: `${error.reason === "InvalidUrl" ? "invalid URL" : "the body could not be encoded"}: ${url}${
        error.description === undefined ? "" : ` (${error.description})`
      }`,
      cause: error.cause
    }, { disableValidation: true })
  }
  // A response arrived but its body could not be read: the connection broke while the body was streaming.
  if (error.reason === "Decode" || error.reason === "EmptyBody") {
    return new TransportError({
      method,
      url,
      description: `the response body could not be read: ${
        internal.describeCause(error.cause) ?? error.description ?? error.reason
      }`,
      cause: error.cause
    }, { disableValidation: true })
  }
  return new DecodeError({
    method,
    url,
    description: error.description ?? `unexpected response status ${error.response.status}`,
    cause: error.cause
  }, { disableValidation: true })
}

/**
 * Reads at most about `limit` bytes of a body as text, then lets go of the connection: an error page can be
 * arbitrarily large. A body that cannot be read gives `""`.
 *
 * @since 0.1.0
 * @category utils
 */
export const readBodyPrefix = (response: HttpClientResponse.HttpClientResponse, limit: number): Effect.Effect<string> =>
  response.stream.pipe(
    Stream.runFoldWhile(
      { parts: [] as Array<Uint8Array>, size: 0 },
      (state) => state.size < limit,
      (state, part) => {
        state.parts.push(part)
        state.size += part.length
        return state
      }
    ),
    Effect.map(({ parts }) => {
      const decoder = new TextDecoder()
      return parts.map((part) => decoder.decode(part, { stream: true })).join("") + decoder.decode()
    }),
    Effect.orElseSucceed(() => "")
  )

/**
 * Fails with the error for a non-success response, reading at most 64 KiB of its body.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHttpResponse = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<never, StatusError> =>
  Effect.flatMap(readBodyPrefix(response, 64 * 1024), (body) =>
    Effect.fail(fromResponse({
      status: response.status,
      method: response.request.method,
      url: response.request.url,
      body,
      headers: response.headers
    })))
