/**
 * The `threads` namespace of the `GigaChat` service: JSON calls through `HttpTransport.json`, streamed runs through
 * `HttpTransport.stream` (so they retry only until their first chunk, as chat streams do).
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Chat from "../Chat.js"
import * as GigaChatError from "../GigaChatError.js"
import * as Threads from "../Threads.js"
import type { Dependencies } from "./gigachatAssistants.js"
import * as JsonCalls from "./jsonCalls.js"
import { describeParseError } from "./requestEncoding.js"
import * as telemetry from "./telemetry.js"

const MessagesField = Schema.Struct({ messages: Schema.Array(Chat.Messages) })
const decodeMessages = Schema.decodeUnknownEither(MessagesField, { errors: "all", onExcessProperty: "error" })

/** The caller's messages as v1 chat messages: a string is one user message; `null` fields are dropped. */
const messagesEither = (
  input: Threads.MessageInput | ReadonlyArray<Threads.MessageInput>
): Either.Either<ReadonlyArray<Chat.Messages>, GigaChatError.InvalidRequestError> => {
  const list = Array.isArray(input) ? input : [input]
  const messages = list.map((message) => typeof message === "string" ? { role: "user", content: message } : message)
  return Either.mapBoth(decodeMessages({ messages }), {
    onLeft: (error) => new GigaChatError.InvalidRequestError({ description: describeParseError(error), cause: error }),
    onRight: (decoded) => decoded.messages
  })
}

/** @internal */
export const make = ({ config, transport }: Dependencies): Threads.ThreadsService => {
  const { get, post, request } = JsonCalls.make(transport)
  // See `nested` in gigachat.ts.
  const nested = config.httpSpans

  const stream = (
    name: string,
    build: () => Either.Either<HttpClientRequest.HttpClientRequest, GigaChatError.InvalidRequestError>
  ) =>
    Stream.suspend(() =>
      Either.match(build(), {
        onLeft: Stream.fail,
        onRight: (post) => transport.stream(post, Threads.ThreadCompletionChunk, { span: { name } })
      })
    )

  // Sent last, as the Python SDK does: the options cannot replace the ids.
  const runBody = (threadId: string, options: Threads.RunOptions | undefined, streamed: boolean) => ({
    ...options?.threadOptions,
    thread_id: threadId,
    assistant_id: options?.assistantId ?? null,
    ...(streamed ? { stream: true } : {})
  })

  const runMessagesBody = (
    messages: ReadonlyArray<Chat.Messages>,
    options: Threads.RunMessagesOptions | undefined,
    streamed: boolean
  ) => {
    const threadId = options?.threadId ?? null
    const assistantId = options?.assistantId ?? null
    // A thread or an assistant has its model; a new thread gets the request's, or the client's.
    const model = threadId !== null || assistantId !== null ? null : options?.model ?? config.model ?? Chat.defaultModel
    return {
      ...options?.threadOptions,
      thread_id: threadId,
      assistant_id: assistantId,
      model,
      messages,
      ...(streamed ? { update_interval: options?.updateInterval ?? null, stream: true } : {})
    }
  }

  const rerunBody = (threadId: string, options: Threads.RerunMessagesOptions | undefined, streamed: boolean) => ({
    ...options?.threadOptions,
    thread_id: threadId,
    ...(streamed ? { update_interval: options?.updateInterval ?? null, stream: true } : {})
  })

  const withMessages = <A>(
    input: Threads.MessageInput | ReadonlyArray<Threads.MessageInput>,
    f: (messages: ReadonlyArray<Chat.Messages>) => Effect.Effect<A, GigaChatError.GigaChatError>
  ) => Effect.suspend(() => Either.match(messagesEither(input), { onLeft: Effect.fail, onRight: f }))

  return {
    list: (options) =>
      get("/threads", [
        ...(options?.assistantsIds ?? []).filter((id) => id !== "").map((id) => ["assistants_ids", id] as const),
        // 0 is left out, as the Python SDK drops falsy values
        ["limit", options?.limit || undefined],
        ["before", options?.before || undefined]
      ], Threads.Threads).pipe(telemetry.withSpan("GigaChat.threads.list", { parent: nested })),
    create: () =>
      post("/threads", Schema.Struct({}), {}, Threads.Thread).pipe(
        telemetry.withSpan("GigaChat.threads.create", { parent: nested })
      ),
    retrieve: (threadsIds) =>
      post("/threads/retrieve", Threads.RetrieveRequest, { threads_ids: threadsIds }, Threads.Threads).pipe(
        telemetry.withSpan("GigaChat.threads.retrieve", { parent: nested })
      ),
    delete: (threadId) =>
      Effect.suspend(() =>
        Either.match(request("/threads/delete", Threads.DeleteRequest, { thread_id: threadId }), {
          onLeft: Effect.fail,
          // any 200 is a success; the body is not read for meaning, as in the Python SDK
          onRight: (post) => Effect.as(transport.text(post), true)
        })
      ).pipe(telemetry.withSpan("GigaChat.threads.delete", { parent: nested })),
    getMessages: (threadId, options) =>
      Effect.flatMap(JsonCalls.requireId("thread_id", threadId), (id) =>
        get("/threads/messages", [
          ["thread_id", id],
          ["limit", options?.limit || undefined],
          ["before", options?.before || undefined]
        ], Threads.ThreadMessages)).pipe(telemetry.withSpan("GigaChat.threads.getMessages", { parent: nested })),
    addMessages: (threadId, input) =>
      withMessages(input, (messages) =>
        post("/threads/messages", Threads.AddMessagesRequest, {
          thread_id: threadId ?? null,
          model: null,
          assistant_id: null,
          messages
        }, Threads.ThreadMessagesResponse)).pipe(
          telemetry.withSpan("GigaChat.threads.addMessages", { parent: nested })
        ),
    run: (threadId, options) =>
      post("/threads/run", Threads.RunRequest, runBody(threadId, options, false), Threads.ThreadRunResponse).pipe(
        telemetry.withSpan("GigaChat.threads.run", { parent: nested })
      ),
    getRun: (threadId) =>
      Effect.flatMap(
        JsonCalls.requireId("thread_id", threadId),
        (id) => get("/threads/run", [["thread_id", id]], Threads.ThreadRunResult)
      ).pipe(telemetry.withSpan("GigaChat.threads.getRun", { parent: nested })),
    runStream: (threadId, options) =>
      stream(
        "GigaChat.threads.runStream",
        () => request("/threads/run", Threads.RunRequest, runBody(threadId, options, true))
      ),
    runMessages: (input, options) =>
      withMessages(input, (messages) =>
        post(
          "/threads/messages/run",
          Threads.RunMessagesRequest,
          runMessagesBody(messages, options, false),
          Threads.ThreadCompletion
        )).pipe(telemetry.withSpan("GigaChat.threads.runMessages", { parent: nested })),
    runMessagesStream: (input, options) =>
      stream("GigaChat.threads.runMessagesStream", () =>
        Either.flatMap(
          messagesEither(input),
          (messages) =>
            request("/threads/messages/run", Threads.RunMessagesRequest, runMessagesBody(messages, options, true))
        )),
    rerunMessages: (threadId, options) =>
      post(
        "/threads/messages/rerun",
        Threads.RerunMessagesRequest,
        rerunBody(threadId, options, false),
        Threads.ThreadCompletion
      ).pipe(telemetry.withSpan("GigaChat.threads.rerunMessages", { parent: nested })),
    rerunMessagesStream: (threadId, options) =>
      stream(
        "GigaChat.threads.rerunMessagesStream",
        () => request("/threads/messages/rerun", Threads.RerunMessagesRequest, rerunBody(threadId, options, true))
      )
  }
}
