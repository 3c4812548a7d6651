/**
 * Fiber-local request headers: session, request, client, service, operation, trace and agent ids, a verbatim
 * `Authorization` value and arbitrary extra headers. They apply to every API call made inside the wrapped effect
 * (and to `POST /token`), never to the OAuth request, and never leak into concurrent fibers.
 *
 * Precedence on the wire: the SDK's own token < `withAuthorization` < `withHeaders`.
 *
 * The context also carries per-call URLs of the chat endpoints (`withChatUrl`, `withChatCompletionsUrl`), as the
 * Python SDK's `chat_url_cvar` and `chat_completions_url_cvar` do.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import type * as Redacted from "effect/Redacted"
import type * as Stream from "effect/Stream"
import * as internal from "./internal/requestContext.js"

/**
 * The values of a request context. Empty strings are not sent, as the Python SDK skips empty context values.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestContext {
  readonly sessionId?: string | undefined
  readonly requestId?: string | undefined
  readonly clientId?: string | undefined
  readonly serviceId?: string | undefined
  readonly operationId?: string | undefined
  readonly traceId?: string | undefined
  readonly agentId?: string | undefined
  /** A full `Authorization` value (e.g. `Bearer ...`); when set the SDK fetches no token of its own. */
  readonly authorization?: Redacted.Redacted<string> | undefined
  /** Extra headers, applied last: they win over everything else. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /**
   * Where v1 chat (`chat`, `stream`, `chatParse`, `chatRunTools`) is sent instead of `/chat/completions`: an
   * absolute URL as it is, a path starting with a version (`/v1/...`, `/api/v1/...`) at the origin of the base URL,
   * any other path appended to the base URL. An empty value counts as unset.
   *
   * @since 0.2.0
   */
  readonly chatUrl?: string | undefined
  /**
   * Where v2 chat (`gc.completions.*`) is sent instead of the `chatCompletionsUrl` setting, resolved by the same
   * rules as `chatUrl`. An empty value counts as unset.
   *
   * @since 0.2.0
   */
  readonly chatCompletionsUrl?: string | undefined
}

/**
 * The context of the current fiber. Child fibers start with a copy, so concurrent fibers never see each other's
 * values.
 *
 * @since 0.1.0
 * @category fiber refs
 */
export const currentRequestContext: FiberRef.FiberRef<RequestContext> = internal.currentRequestContext

/**
 * Reads the context of the current fiber.
 *
 * @since 0.1.0
 * @category accessors
 */
export const get: Effect.Effect<RequestContext> = FiberRef.get(currentRequestContext)

/**
 * Runs an effect with `X-Session-ID` set (GigaChat caches the context of a session).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withSessionId: {
  (sessionId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, sessionId: string): Effect.Effect<A, E, R>
} = internal.withField("sessionId")

/**
 * Runs an effect with `X-Request-ID` set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withRequestId: {
  (requestId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, requestId: string): Effect.Effect<A, E, R>
} = internal.withField("requestId")

/**
 * Runs an effect with `X-Client-ID` set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withClientId: {
  (clientId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, clientId: string): Effect.Effect<A, E, R>
} = internal.withField("clientId")

/**
 * Runs an effect with `X-Service-ID` set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withServiceId: {
  (serviceId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, serviceId: string): Effect.Effect<A, E, R>
} = internal.withField("serviceId")

/**
 * Runs an effect with `X-Operation-ID` set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withOperationId: {
  (operationId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, operationId: string): Effect.Effect<A, E, R>
} = internal.withField("operationId")

/**
 * Runs an effect with `X-Trace-ID` set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTraceId: {
  (traceId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, traceId: string): Effect.Effect<A, E, R>
} = internal.withField("traceId")

/**
 * Runs an effect with `X-Agent-ID` set.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withAgentId: {
  (agentId: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, agentId: string): Effect.Effect<A, E, R>
} = internal.withField("agentId")

/**
 * Runs an effect with the v1 chat calls sent to another URL (the Python SDK's `chat_url_cvar`); see
 * `RequestContext.chatUrl` for how it is resolved.
 *
 * @example
 * ```ts
 * import { GigaChat, RequestContext } from "@effect-gigachat/core"
 * import * as Effect from "effect/Effect"
 *
 * const viaProxy = GigaChat.chat("Hello!").pipe(RequestContext.withChatUrl("/proxy/chat/completions"))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const withChatUrl: {
  (url: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, url: string): Effect.Effect<A, E, R>
} = internal.withField("chatUrl")

/**
 * Runs an effect with the v2 chat calls sent to another URL (the Python SDK's `chat_completions_url_cvar`); see
 * `RequestContext.chatCompletionsUrl`.
 *
 * @since 0.2.0
 * @category combinators
 */
export const withChatCompletionsUrl: {
  (url: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, url: string): Effect.Effect<A, E, R>
} = internal.withField("chatCompletionsUrl")

/**
 * Runs an effect with a verbatim `Authorization` header (e.g. `Bearer <token of an end user>`); the SDK then
 * fetches and refreshes no token itself, and a 401 is returned to the caller. The value is kept `Redacted`; an
 * empty value counts as unset.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withAuthorization: {
  (authorization: Redacted.Redacted<string> | string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, authorization: Redacted.Redacted<string> | string): Effect.Effect<A, E, R>
} = internal.withAuthorization

/**
 * Runs an effect with extra headers, merged over those already set. They win over every other header.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withHeaders: {
  (headers: Readonly<Record<string, string>>): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, headers: Readonly<Record<string, string>>): Effect.Effect<A, E, R>
} = internal.withHeaders

/**
 * Runs an effect with several context values at once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withContext: {
  (context: RequestContext): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, context: RequestContext): Effect.Effect<A, E, R>
} = internal.withContext

/**
 * Runs a stream with context values, for streams built outside the effect that consumes them.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withContextStream: {
  (context: RequestContext): <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>
  <A, E, R>(self: Stream.Stream<A, E, R>, context: RequestContext): Stream.Stream<A, E, R>
} = internal.withContextStream

/**
 * The headers a context contributes, with their wire names (`X-Session-ID`, ...). `Authorization` is included
 * only when set with `withAuthorization` or `withHeaders`.
 *
 * @since 0.1.0
 * @category utils
 */
export const toHeaders: (context: RequestContext) => Record<string, string> = internal.toHeaders

/**
 * Does the context carry its own `Authorization` (through `withAuthorization` or `withHeaders`)? Then the SDK
 * fetches no token.
 *
 * @since 0.1.0
 * @category utils
 */
export const hasAuthorization: (context: RequestContext) => boolean = internal.hasAuthorization
