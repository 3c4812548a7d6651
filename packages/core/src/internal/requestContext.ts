import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import { globalValue } from "effect/GlobalValue"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { RequestContext } from "../RequestContext.js"

/** @internal */
export const currentRequestContext: FiberRef.FiberRef<RequestContext> = globalValue(
  Symbol.for("@effect-gigachat/core/RequestContext/currentRequestContext"),
  // One reference even when two copies of the package are loaded, so a context set by one copy reaches the other.
  () => FiberRef.unsafeMake<RequestContext>({})
)

/** @internal */
export const withContext = dual<
  (context: RequestContext) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, context: RequestContext) => Effect.Effect<A, E, R>
>(2, (self, context) => Effect.locallyWith(self, currentRequestContext, (current) => merge(current, context)))

/** @internal */
export const withContextStream = dual<
  (context: RequestContext) => <A, E, R>(self: Stream.Stream<A, E, R>) => Stream.Stream<A, E, R>,
  <A, E, R>(self: Stream.Stream<A, E, R>, context: RequestContext) => Stream.Stream<A, E, R>
>(2, (self, context) =>
  Stream.unwrapScoped(
    Effect.as(Effect.locallyScopedWith(currentRequestContext, (current) => merge(current, context)), self)
  ))

const merge = (current: RequestContext, next: RequestContext): RequestContext => {
  const headers = current.headers !== undefined && next.headers !== undefined
    ? { ...current.headers, ...next.headers }
    : next.headers ?? current.headers
  return { ...current, ...next, headers }
}

type Header = "sessionId" | "requestId" | "clientId" | "serviceId" | "operationId" | "traceId" | "agentId"
type Field = Header | "chatUrl" | "chatCompletionsUrl"

/** @internal */
export const withField = (field: Field) =>
  dual<
    (value: string) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
    <A, E, R>(self: Effect.Effect<A, E, R>, value: string) => Effect.Effect<A, E, R>
  >(2, (self, value) => withContext(self, { [field]: value }))

/** @internal */
export const withAuthorization = dual<
  (authorization: Redacted.Redacted<string> | string) => <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, authorization: Redacted.Redacted<string> | string) => Effect.Effect<A, E, R>
>(2, (self, authorization) =>
  withContext(self, {
    authorization: Redacted.isRedacted(authorization) ? authorization : Redacted.make(authorization)
  }))

/** @internal */
export const withHeaders = dual<
  (headers: Readonly<Record<string, string>>) => <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>,
  <A, E, R>(self: Effect.Effect<A, E, R>, headers: Readonly<Record<string, string>>) => Effect.Effect<A, E, R>
>(2, (self, headers) => withContext(self, { headers }))

const wireNames: ReadonlyArray<readonly [Header, string]> = [
  ["sessionId", "x-session-id"],
  ["requestId", "x-request-id"],
  ["serviceId", "x-service-id"],
  ["operationId", "x-operation-id"],
  ["clientId", "x-client-id"],
  ["traceId", "x-trace-id"],
  ["agentId", "x-agent-id"]
]

/** @internal */
export const toHeaders = (context: RequestContext): Record<string, string> => {
  const out: Record<string, string> = {}
  if (context.authorization !== undefined) {
    const authorization = Redacted.value(context.authorization)
    if (authorization !== "") out["authorization"] = authorization
  }
  for (const [field, name] of wireNames) {
    const value = context[field]
    // Empty values are skipped, as the Python SDK skips falsy context values.
    if (value !== undefined && value !== "") out[name] = value
  }
  if (context.headers !== undefined) {
    for (const key of Object.keys(context.headers)) out[key.toLowerCase()] = context.headers[key]!
  }
  return out
}

/**
 * The URL a chat call goes to: the context's override when it is set and not empty, else the default.
 *
 * @internal
 */
export const chatUrlOf = (
  fiber: { readonly getFiberRef: <A>(ref: FiberRef.FiberRef<A>) => A },
  field: "chatUrl" | "chatCompletionsUrl"
): string | undefined => {
  const url = fiber.getFiberRef(currentRequestContext)[field]
  return url === undefined || url === "" ? undefined : url
}

/**
 * A chat stream built with the URL of the fiber that runs it. A channel, not `Stream.unwrap`, so that the stream's
 * elements do not pass through a `flatMap` each (which costs effects on every network read).
 *
 * @internal
 */
export const streamWithChatUrl = <A, E>(
  field: "chatUrl" | "chatCompletionsUrl",
  f: (url: string | undefined) => Stream.Stream<A, E>
): Stream.Stream<A, E> =>
  Stream.fromChannel(
    Channel.unwrap(Effect.withFiberRuntime((fiber) => Effect.succeed(Stream.toChannel(f(chatUrlOf(fiber, field))))))
  )

/** @internal */
export const hasAuthorization = (context: RequestContext): boolean =>
  (context.authorization !== undefined && Redacted.value(context.authorization) !== "") ||
  (context.headers !== undefined && Object.keys(context.headers).some((key) => key.toLowerCase() === "authorization"))
