/**
 * The backend's HTTP API, as an `HttpRouter` that needs `GigaChat` and `Shutdown` from its context:
 *
 * - `POST /chat` takes `{ "messages": [{ "role": "user", "content": "..." }], "model"?: "..." }` and answers with
 *   `ChatAnswer` as JSON;
 * - `POST /chat/stream` takes the same body and relays GigaChat's tokens as server-sent events: one unnamed event
 *   `{ "delta": "..." }` per token, then `event: done` with the finish reason and usage, or `event: error` with
 *   `{ "error": "<tag>" }` when GigaChat fails, or when the stream is still open at the end of a shutdown's grace
 *   period;
 * - `GET /health` answers `{ "status": "ok" }`.
 *
 * The session id (`X-Session-ID`) comes from the server's middleware through `RequestContext`; every GigaChat call
 * made while handling the request carries it, and the answer echoes it.
 */
import { GigaChat, GigaChatError, RequestContext, Sse } from "@effect-gigachat/core"
import type { Chat } from "@effect-gigachat/core"
import * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

/**
 * Completes when a shutdown's grace period is over: the streams still open then end with an `error` event. Until
 * then a stream in flight runs to its end.
 */
export class Shutdown extends Context.Tag("@effect-gigachat/examples/backend/Shutdown")<Shutdown, {
  readonly await: Effect.Effect<void>
}>() {}

/**
 * One message of a request.
 */
export const ChatMessage = Schema.Struct({
  role: Schema.Literal("system", "user", "assistant"),
  content: Schema.String
})

/**
 * The body of `POST /chat` and `POST /chat/stream`.
 */
export const ChatBody = Schema.Struct({
  messages: Schema.NonEmptyArray(ChatMessage),
  model: Schema.optional(Schema.String)
})

/**
 * @category models
 */
export interface ChatBody extends Schema.Schema.Type<typeof ChatBody> {}

/**
 * Token usage, as the backend reports it.
 */
export const Usage = Schema.Struct({
  promptTokens: Schema.Number,
  completionTokens: Schema.Number,
  totalTokens: Schema.Number
})

/**
 * The answer of `POST /chat` (and the data of the stream's `done` event, without `answer`).
 */
export const ChatAnswer = Schema.Struct({
  sessionId: Schema.String,
  answer: Schema.String,
  finishReason: Schema.NullOr(Schema.String),
  model: Schema.String,
  usage: Usage
})

/**
 * @category models
 */
export interface ChatAnswer extends Schema.Schema.Type<typeof ChatAnswer> {}

/**
 * The error body of every non-2xx answer, and the data of the stream's `error` event.
 */
export const ErrorBody = Schema.Struct({ error: Schema.String })

const toUsage = (usage: Chat.Usage) => ({
  promptTokens: usage.prompt_tokens,
  completionTokens: usage.completion_tokens,
  totalTokens: usage.total_tokens
})

const toRequest = (body: ChatBody): Chat.ChatRequestInput => ({
  messages: body.messages.map((message) => ({ role: message.role, content: message.content })),
  ...(body.model !== undefined ? { model: body.model } : {})
})

const sessionIdHeader = (sessionId: string | undefined): Record<string, string> =>
  sessionId === undefined ? {} : { "x-session-id": sessionId }

/** Whose fault a GigaChat failure is, as our own status: the caller's request (400), or the upstream's (5xx). */
const statusFor = (error: GigaChatError.GigaChatError): number => {
  switch (error._tag) {
    case "InvalidRequestError":
    case "BadRequestError":
    case "UnprocessableEntityError":
    case "RequestEntityTooLargeError":
    case "NotFoundError": // an unknown model name
      return 400
    case "RateLimitError":
      return 503
    case "TimeoutError":
      return 504
    default:
      return 502
  }
}

/**
 * What a GigaChat failure becomes for our own clients: the upstream's details stay in our logs, the client gets the
 * error's tag and a status that says whose fault it is.
 */
const gigaChatFailure = (error: GigaChatError.GigaChatError, sessionId: string | undefined) =>
  Effect.logWarning("GigaChat call failed", error.message).pipe(
    Effect.as(HttpServerResponse.unsafeJson({ error: error._tag }, {
      status: statusFor(error),
      headers: {
        ...sessionIdHeader(sessionId),
        ...(error._tag === "RateLimitError" && error.retryAfter !== undefined
          ? { "retry-after": String(Math.ceil(Duration.toSeconds(error.retryAfter))) }
          : {})
      }
    }))
  )

const badRequest = (error: ParseResult.ParseError | HttpServerError.RequestError, sessionId: string | undefined) =>
  Effect.logInfo("rejected request body", String(error)).pipe(
    Effect.as(
      HttpServerResponse.unsafeJson({ error: "BadRequest" }, { status: 400, headers: sessionIdHeader(sessionId) })
    )
  )

/** Answers a failed handler: a bad body is the client's fault (400); for a GigaChat failure see `statusFor`. */
const answerFailure =
  (sessionId: string | undefined) =>
  (error: ParseResult.ParseError | HttpServerError.RequestError | GigaChatError.GigaChatError) =>
    GigaChatError.isGigaChatError(error) ? gigaChatFailure(error, sessionId) : badRequest(error, sessionId)

const chat = Effect.gen(function*() {
  const { sessionId } = yield* RequestContext.get
  return yield* Effect.gen(function*() {
    const body = yield* HttpServerRequest.schemaBodyJson(ChatBody)
    const gigachat = yield* GigaChat.GigaChat
    const completion = yield* gigachat.chat(toRequest(body))
    const choice = completion.choices[0]
    yield* Effect.logInfo("chat answered").pipe(
      Effect.annotateLogs({ model: completion.model, totalTokens: completion.usage.total_tokens })
    )
    const answer: ChatAnswer = {
      sessionId: sessionId ?? "",
      answer: choice?.message.content ?? "",
      finishReason: choice?.finish_reason ?? null,
      model: completion.model,
      usage: toUsage(completion.usage)
    }
    return HttpServerResponse.unsafeJson(answer, { headers: sessionIdHeader(sessionId) })
  }).pipe(Effect.catchAll(answerFailure(sessionId)))
}).pipe(Effect.withSpan("backend.chat"))

const event = (name: string | undefined, data: unknown): string =>
  Sse.encode({ event: name, data: JSON.stringify(data) })

/**
 * GigaChat's chunks as our own events: a `delta` per non-empty token, then `done` (or `error`). The stream ends
 * early, with an `error` event, at its next token once `shutdown` has completed (a shutdown's grace period is over);
 * ending it interrupts the upstream request.
 */
export const relay = (
  chunks: Stream.Stream<Chat.ChatCompletionChunk, GigaChatError.GigaChatError>,
  shutdown: Effect.Effect<void>
): Stream.Stream<string> =>
  Stream.suspend(() => {
    let last: Chat.ChatCompletionChunk | undefined
    // Set once the upstream's outcome (`done` or `error`) is written: a halt after that needs no notice.
    let ended = false
    const tokens = chunks.pipe(
      Stream.tap((chunk) =>
        Effect.sync(() => {
          last = chunk
        })
      ),
      Stream.filterMap((chunk) => {
        const delta = chunk.choices[0]?.delta.content
        return delta ? Option.some(event(undefined, { delta })) : Option.none()
      }),
      Stream.concat(Stream.sync(() => {
        ended = true
        return event("done", {
          finishReason: last?.choices[0]?.finish_reason ?? null,
          model: last?.model ?? "",
          usage: last?.usage !== undefined ? toUsage(last.usage) : null
        })
      })),
      Stream.catchAll((error) =>
        Stream.fromEffect(
          Effect.map(Effect.logWarning("GigaChat stream failed", error.message), () => {
            ended = true
            return event("error", { error: error._tag })
          })
        )
      )
    )
    // `haltWhen` checks the signal between events, where a race with it (`Stream.merge`, `interruptWhen`) would fork
    // a fiber per event: under load that race was a third of the relay's CPU. A stream whose upstream is silent when
    // the grace period ends is not cut here; the server interrupts it a moment later.
    return tokens.pipe(
      Stream.haltWhen(shutdown),
      Stream.concat(Stream.suspend(() => ended ? Stream.empty : Stream.make(event("error", { error: "ShuttingDown" }))))
    )
  })

const chatStream = Effect.gen(function*() {
  const { sessionId } = yield* RequestContext.get
  return yield* Effect.gen(function*() {
    const body = yield* HttpServerRequest.schemaBodyJson(ChatBody)
    const gigachat = yield* GigaChat.GigaChat
    const shutdown = yield* Shutdown
    // The upstream request is opened when the server starts sending the body, and aborted when it stops.
    const events = relay(gigachat.stream(toRequest(body)), shutdown.await).pipe(
      Stream.encodeText,
      Stream.ensuringWith((exit) =>
        Exit.isInterrupted(exit)
          ? Effect.logInfo("stream cancelled (client gone or server stopping)")
          : Effect.logInfo("stream finished")
      ),
      Stream.withSpan("backend.chatStream")
    )
    return HttpServerResponse.stream(events, {
      contentType: "text/event-stream",
      headers: { "cache-control": "no-cache", ...sessionIdHeader(sessionId) }
    })
  }).pipe(Effect.catchAll(answerFailure(sessionId)))
})

/**
 * The routes. Handler errors are answered here, so the router only fails with `RouteNotFound` (a 404).
 */
export const router = HttpRouter.empty.pipe(
  HttpRouter.post("/chat", chat),
  HttpRouter.post("/chat/stream", chatStream),
  HttpRouter.get("/health", HttpServerResponse.unsafeJson({ status: "ok" }))
)
