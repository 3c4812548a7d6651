/**
 * Schemas of the threads API (`gc.threads`): conversations the server keeps, their messages, and runs that answer
 * in them — `GET /threads`, `POST /threads`, `POST /threads/retrieve`, `POST /threads/delete`,
 * `GET|POST /threads/messages`, `GET|POST /threads/run`, `POST /threads/messages/run` and
 * `POST /threads/messages/rerun`, the last three also as v1 server-sent-event streams.
 *
 * Messages are v1 chat messages (`Chat.Messages`); a plain string is one user message. Responses tolerate fields the
 * API adds later and keep unknown enum values.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as Stream from "effect/Stream"
import * as Chat from "./Chat.js"
import type * as GigaChatError from "./GigaChatError.js"
import type * as XHeaders from "./XHeaders.js"

/** An optional field that also takes `null` for "absent". */
const optional = <S extends Schema.Schema.All>(self: S) => Schema.optionalWith(self, { nullable: true })

const NonEmpty = Schema.String.pipe(Schema.minLength(1))

/**
 * The status of a thread or a run: `in_progress`, `ready`, `failed`, `deleted` or any other string.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadStatus = Schema.Union(Schema.Literal("in_progress", "ready", "failed", "deleted"), Schema.String)

/**
 * The decoded value of the `ThreadStatus` schema.
 *
 * @since 0.2.0
 * @category models
 */
export type ThreadStatus = typeof ThreadStatus.Type

/**
 * A thread: a conversation the server keeps.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Thread = Schema.Struct({
  id: Schema.String,
  assistant_id: optional(Schema.String),
  model: Schema.String,
  /** Unix time in seconds. */
  created_at: Schema.Number,
  /** Unix time in seconds. */
  updated_at: Schema.Number,
  /** Is a run going on in the thread? */
  run_lock: Schema.Boolean,
  status: ThreadStatus
})

/**
 * The decoded value of the `Thread` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface Thread extends Schema.Schema.Type<typeof Thread> {}

/**
 * The answer of `GET /threads` and `POST /threads/retrieve`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Threads = Schema.Struct({
  threads: Schema.Array(Thread)
})

/**
 * The decoded value of the `Threads` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface Threads extends Schema.Schema.Type<typeof Threads> {}

/**
 * A file attached to a thread message.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadMessageAttachment = Schema.Struct({
  file_id: Schema.String,
  name: optional(Schema.String)
})

/**
 * The decoded value of the `ThreadMessageAttachment` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadMessageAttachment extends Schema.Schema.Type<typeof ThreadMessageAttachment> {}

/**
 * A message stored in a thread.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadMessage = Schema.Struct({
  message_id: Schema.String,
  role: Chat.MessagesRole,
  content: Schema.optionalWith(Schema.String, { default: () => "", nullable: true }),
  attachments: Schema.optionalWith(Schema.Array(ThreadMessageAttachment), { default: () => [], nullable: true }),
  /** Unix time in seconds. */
  created_at: Schema.Number,
  function_call: optional(Chat.FunctionCall),
  finish_reason: optional(Chat.FinishReason),
  model: optional(Schema.String)
})

/**
 * The decoded value of the `ThreadMessage` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadMessage extends Schema.Schema.Type<typeof ThreadMessage> {}

/**
 * The answer of `GET /threads/messages`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadMessages = Schema.Struct({
  thread_id: Schema.String,
  messages: Schema.Array(ThreadMessage)
})

/**
 * The decoded value of the `ThreadMessages` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadMessages extends Schema.Schema.Type<typeof ThreadMessages> {}

/**
 * The answer of `POST /threads/messages`: the thread (new when none was named) and the ids of the stored messages.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadMessagesResponse = Schema.Struct({
  thread_id: Schema.String,
  messages: Schema.Array(Schema.Struct({ message_id: Schema.String, created_at: Schema.Number }))
})

/**
 * The decoded value of the `ThreadMessagesResponse` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadMessagesResponse extends Schema.Schema.Type<typeof ThreadMessagesResponse> {}

/**
 * The answer of `POST /threads/run`: the run started; `getRun` tells when it is done.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadRunResponse = Schema.Struct({
  status: ThreadStatus,
  thread_id: Schema.String,
  /** Unix time in seconds. */
  created_at: Schema.Number
})

/**
 * The decoded value of the `ThreadRunResponse` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadRunResponse extends Schema.Schema.Type<typeof ThreadRunResponse> {}

/**
 * The answer of `GET /threads/run`: the run's status and, once it is done, the messages it added.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadRunResult = Schema.Struct({
  status: ThreadStatus,
  thread_id: Schema.String,
  /** Unix time in seconds. */
  updated_at: Schema.Number,
  model: Schema.String,
  messages: optional(Schema.Array(ThreadMessage))
})

/**
 * The decoded value of the `ThreadRunResult` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadRunResult extends Schema.Schema.Type<typeof ThreadRunResult> {}

/**
 * The answer of `POST /threads/messages/run` and `/rerun`: the model's message, stored in the thread.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadCompletion = Schema.Struct({
  /** `threads.messages.run`. */
  object: Schema.String,
  model: Schema.String,
  thread_id: Schema.String,
  message_id: Schema.String,
  /** Unix time in seconds. */
  created: Schema.Number,
  usage: Chat.Usage,
  message: Chat.Messages,
  finish_reason: Chat.FinishReason
})

/**
 * The decoded value of the `ThreadCompletion` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadCompletion extends Schema.Schema.Type<typeof ThreadCompletion> {}

/**
 * One event of a streamed run: v1 chat deltas with the thread and message ids. The server sends `usage` on every
 * chunk (the counts of that chunk).
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadCompletionChunk = Schema.Struct({
  object: Schema.String,
  model: Schema.String,
  thread_id: Schema.String,
  message_id: Schema.String,
  /** Unix time in seconds. */
  created: Schema.Number,
  usage: optional(Chat.Usage),
  choices: Schema.Array(Chat.ChoicesChunk)
})

/**
 * The decoded value of the `ThreadCompletionChunk` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadCompletionChunk extends Schema.Schema.Type<typeof ThreadCompletionChunk> {}

/**
 * Generation settings of a run (the Python SDK's `ThreadRunOptions`), sent as top-level fields of its body.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ThreadRunOptions = Schema.Struct({
  temperature: Schema.optionalWith(Schema.NonNegative, { exact: true }),
  top_p: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1)), { exact: true }),
  /** How many of the thread's last messages the model sees. */
  limit: Schema.optionalWith(Schema.NonNegativeInt, { exact: true }),
  max_tokens: Schema.optionalWith(Schema.NonNegativeInt, { exact: true }),
  repetition_penalty: Schema.optionalWith(Schema.Positive, { exact: true }),
  profanity_check: Schema.optionalWith(Schema.Boolean, { exact: true }),
  flags: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  function_call: Schema.optionalWith(Chat.FunctionCallMode, { exact: true }),
  functions: Schema.optionalWith(Schema.Array(Chat.Function), { exact: true })
})

/**
 * The decoded value of the `ThreadRunOptions` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadRunOptions extends Schema.Schema.Type<typeof ThreadRunOptions> {}

const stream = Schema.optionalWith(Schema.Literal(true), { exact: true })
const updateInterval = Schema.optionalWith(Schema.NullOr(Schema.NonNegative), { exact: true })

/**
 * The body of `POST /threads/messages`. `thread_id`, `model` and `assistant_id` are sent, `null` when not given.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AddMessagesRequest = Schema.Struct({
  thread_id: Schema.NullOr(NonEmpty),
  model: Schema.NullOr(NonEmpty),
  assistant_id: Schema.NullOr(NonEmpty),
  messages: Schema.Array(Chat.Messages).pipe(Schema.minItems(1))
})

/**
 * The body of `POST /threads/run`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RunRequest = Schema.Struct({
  ...ThreadRunOptions.fields,
  thread_id: NonEmpty,
  assistant_id: Schema.NullOr(NonEmpty),
  stream
})

/**
 * The body of `POST /threads/messages/run`: `thread_id`, `assistant_id` and `model` are sent, `null` when not given.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RunMessagesRequest = Schema.Struct({
  ...ThreadRunOptions.fields,
  thread_id: Schema.NullOr(NonEmpty),
  assistant_id: Schema.NullOr(NonEmpty),
  model: Schema.NullOr(NonEmpty),
  messages: Schema.Array(Chat.Messages).pipe(Schema.minItems(1)),
  update_interval: updateInterval,
  stream
})

/**
 * The body of `POST /threads/messages/rerun`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RerunMessagesRequest = Schema.Struct({
  ...ThreadRunOptions.fields,
  thread_id: NonEmpty,
  update_interval: updateInterval,
  stream
})

/**
 * The body of `POST /threads/retrieve`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const RetrieveRequest = Schema.Struct({
  threads_ids: Schema.Array(NonEmpty)
})

/**
 * The body of `POST /threads/delete`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DeleteRequest = Schema.Struct({
  thread_id: NonEmpty
})

/**
 * A message for a thread: a v1 chat message, or a string sent as one user message.
 *
 * @since 0.2.0
 * @category models
 */
export type MessageInput = string | Chat.MessagesEncoded

/**
 * Options of `list`: each is sent only when given (and not `0` or empty, as in the Python SDK).
 *
 * @since 0.2.0
 * @category models
 */
export interface ListOptions {
  /** Only the threads of these assistants: one `assistants_ids` query key per id. */
  readonly assistantsIds?: ReadonlyArray<string> | undefined
  readonly limit?: number | undefined
  /** Only threads updated before this Unix time (seconds). */
  readonly before?: number | undefined
}

/**
 * Options of `getMessages`.
 *
 * @since 0.2.0
 * @category models
 */
export interface GetMessagesOptions {
  readonly limit?: number | undefined
  /** Only messages created before this Unix time (seconds). */
  readonly before?: number | undefined
}

/**
 * Options of `run` and `runStream`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunOptions {
  readonly assistantId?: string | undefined
  readonly threadOptions?: ThreadRunOptions | undefined
}

/**
 * Options of `runMessages` and `runMessagesStream`. Without `threadId` a new thread is made; `model` is sent only
 * when neither `threadId` nor `assistantId` is given (the thread or the assistant has its model), and defaults to the
 * client's model then.
 *
 * @since 0.2.0
 * @category models
 */
export interface RunMessagesOptions {
  readonly threadId?: string | undefined
  readonly assistantId?: string | undefined
  readonly model?: string | undefined
  readonly threadOptions?: ThreadRunOptions | undefined
  /** Streams only: seconds between chunks (`0` sends tokens as they come). */
  readonly updateInterval?: number | undefined
}

/**
 * Options of `rerunMessages` and `rerunMessagesStream`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RerunMessagesOptions {
  readonly threadOptions?: ThreadRunOptions | undefined
  /** Streams only: seconds between chunks. */
  readonly updateInterval?: number | undefined
}

type Result<A> = Effect.Effect<XHeaders.WithXHeaders<A>, GigaChatError.GigaChatError>
type Chunks = Stream.Stream<XHeaders.WithXHeaders<ThreadCompletionChunk>, GigaChatError.GigaChatError>

/**
 * The `threads` namespace of the `GigaChat` service (the Python SDK's `client.threads`). A request the schemas refuse
 * fails with `InvalidRequestError` naming the field, before anything is sent; a thread that does not exist is the
 * server's `NotFoundError`. The streams retry (with the client's retry policy) only until their first chunk, as chat
 * streams do, so no chunk is ever delivered twice.
 *
 * @since 0.2.0
 * @category models
 */
export interface ThreadsService {
  /** `GET /threads` (Python: `threads.list` / `threads.get_threads`). */
  readonly list: (options?: ListOptions) => Result<Threads>
  /** `POST /threads` with `{}`: a new empty thread (Python: `threads.create_thread`, which returns only its id). */
  readonly create: () => Result<Thread>
  /** `POST /threads/retrieve` (Python: `threads.retrieve`). */
  readonly retrieve: (threadsIds: ReadonlyArray<string>) => Result<Threads>
  /** `POST /threads/delete`: `true` once the server answered 200 (Python: `threads.delete`). */
  readonly delete: (threadId: string) => Effect.Effect<boolean, GigaChatError.GigaChatError>
  /** `GET /threads/messages` (Python: `threads.get_messages`). */
  readonly getMessages: (threadId: string, options?: GetMessagesOptions) => Result<ThreadMessages>
  /**
   * `POST /threads/messages`: stores messages without running the model (Python: `threads.add_messages` and
   * `threads.add_message`). Without a thread id the server makes a new thread.
   */
  readonly addMessages: (
    threadId: string | undefined,
    messages: MessageInput | ReadonlyArray<MessageInput>
  ) => Result<ThreadMessagesResponse>
  /** `POST /threads/run`: starts a run over the thread's messages (Python: `threads.run`). */
  readonly run: (threadId: string, options?: RunOptions) => Result<ThreadRunResponse>
  /** `GET /threads/run`: the run's status and messages (Python: `threads.get_run`). */
  readonly getRun: (threadId: string) => Result<ThreadRunResult>
  /** `POST /threads/run` with `stream: true` (Python: `threads.run_stream`). */
  readonly runStream: (threadId: string, options?: RunOptions) => Chunks
  /** `POST /threads/messages/run`: adds the messages and answers them (Python: `threads.run_messages`). */
  readonly runMessages: (
    messages: MessageInput | ReadonlyArray<MessageInput>,
    options?: RunMessagesOptions
  ) => Result<ThreadCompletion>
  /** `POST /threads/messages/run` with `stream: true` (Python: `threads.run_messages_stream`). */
  readonly runMessagesStream: (
    messages: MessageInput | ReadonlyArray<MessageInput>,
    options?: RunMessagesOptions
  ) => Chunks
  /** `POST /threads/messages/rerun`: answers the thread's last message again (Python: `threads.rerun_messages`). */
  readonly rerunMessages: (threadId: string, options?: RerunMessagesOptions) => Result<ThreadCompletion>
  /** `POST /threads/messages/rerun` with `stream: true` (Python: `threads.rerun_messages_stream`). */
  readonly rerunMessagesStream: (threadId: string, options?: RerunMessagesOptions) => Chunks
}
