/**
 * The batch API (`gc.batches`): many v1 chat or embeddings requests sent at once as a JSONL file
 * (`POST /batches?method=…`), processed later by the server, their answers fetched as a JSONL result file. The batch
 * object (`GET /batches`, `GET /batches?batch_id=…`), its statuses, the typed tasks, and the typed result lines, where
 * a failed line is a `BatchResultError` value beside the others rather than a failure of the whole download.
 *
 * @example
 * ```ts
 * import { GigaChat } from "@effect-gigachat/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const gc = yield* GigaChat.GigaChat
 *   const batch = yield* gc.batches.create({
 *     method: "chat_completions",
 *     requests: ["What is 2 + 2?", { id: "poem", request: { messages: [{ role: "user", content: "A haiku" }] } }]
 *   })
 *   const done = yield* gc.batches.waitFor(batch.id)
 *   return yield* gc.batches.chatResults(done)
 * })
 * ```
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Chat from "./Chat.js"
import type * as Embeddings from "./Embeddings.js"
import type * as GigaChatError from "./GigaChatError.js"
import type * as XHeaders from "./XHeaders.js"

const optional = <S extends Schema.Schema.All>(self: S) => Schema.optionalWith(self, { nullable: true })

/**
 * The methods a batch can run: `chat_completions` (v1 `POST /chat/completions` bodies) or `embedder`
 * (`POST /embeddings` bodies).
 *
 * @since 0.2.0
 * @category schemas
 */
export const KnownBatchMethod = Schema.Literal("chat_completions", "embedder")

/**
 * The methods a batch can run.
 *
 * @since 0.2.0
 * @category models
 */
export type KnownBatchMethod = typeof KnownBatchMethod.Type

/**
 * A batch's method as the server reports it: a known one, or any string a later API version may add.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchMethod = Schema.Union(KnownBatchMethod, Schema.String)

/**
 * The statuses the reference documents: `created`, `in_progress`, `completed`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const KnownBatchStatus = Schema.Literal("created", "in_progress", "completed")

/**
 * A batch's status: a known one, or any string a later API version may add.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchStatus = Schema.Union(KnownBatchStatus, Schema.String)

/**
 * How many tasks a batch has, and how many are done or failed so far.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchRequestCounts = Schema.Struct({
  total: Schema.optionalWith(Schema.Number, { nullable: true, default: () => 0 }),
  completed: optional(Schema.Number),
  failed: optional(Schema.Number)
})

/**
 * The decoded value of the `BatchRequestCounts` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface BatchRequestCounts extends Schema.Schema.Type<typeof BatchRequestCounts> {}

/**
 * A batch: its id, method, status, counts, and, once `completed`, the id of its result file. Times are Unix seconds.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Batch = Schema.Struct({
  id: Schema.String,
  method: BatchMethod,
  request_counts: Schema.optionalWith(BatchRequestCounts, { nullable: true, default: () => ({ total: 0 }) }),
  status: BatchStatus,
  output_file_id: optional(Schema.String),
  created_at: optional(Schema.Number),
  updated_at: optional(Schema.Number)
})

/**
 * The decoded value of the `Batch` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface Batch extends Schema.Schema.Type<typeof Batch> {}

const BatchListStruct = Schema.Struct({ batches: Schema.Array(Batch) })

/**
 * The answer of `GET /batches` as `{ batches }`. The server's shape is not settled: a bare array of batches, an
 * object with `batches`, or a single batch object are all accepted (as the Python SDK does) and read as this one.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchList = Schema.transform(
  Schema.Union(BatchListStruct, Schema.Array(Batch), Batch),
  Schema.typeSchema(BatchListStruct),
  {
    strict: true,
    decode: (u) => Array.isArray(u) ? { batches: u } : "batches" in u ? u : { batches: [u] },
    encode: (list) => list
  }
)

/**
 * The decoded value of the `BatchList` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface BatchList extends Schema.Schema.Type<typeof BatchList> {}

/**
 * One line of the uploaded JSONL file: a task id, unique in the batch, and the body of one request.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchLine = Schema.Struct({
  id: Schema.String,
  request: Schema.Record({ key: Schema.String, value: Schema.Unknown })
})

/**
 * The decoded value of the `BatchLine` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface BatchLine extends Schema.Schema.Type<typeof BatchLine> {}

/**
 * A task with an id of its own. A request given without one gets its position, from `"1"`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Task<Request> {
  readonly id?: string | undefined
  readonly request: Request
}

/**
 * An embeddings task's request: one text or several; the model defaults to `"Embeddings"`.
 *
 * @since 0.2.0
 * @category models
 */
export interface EmbeddingsTaskRequest {
  readonly input: string | ReadonlyArray<string>
  readonly model?: string | undefined
}

/**
 * What `create` sends: the method and its tasks, each a request (a prompt string, a chat request, an embeddings
 * request) or a `Task` with its own id. Chat requests get the settings' model, `profanity_check` and `flags`, as
 * `gc.chat` does.
 *
 * @since 0.2.0
 * @category models
 */
export type CreateInput =
  | {
    readonly method: "chat_completions"
    readonly requests: ReadonlyArray<Chat.ChatRequestInput | string | Task<Chat.ChatRequestInput | string>>
  }
  | {
    readonly method: "embedder"
    readonly requests: ReadonlyArray<EmbeddingsTaskRequest | string | Task<EmbeddingsTaskRequest | string>>
  }

/**
 * A line of a result file the SDK could not take as an answer: an error line from the server (`status`, its
 * message), a line that is not JSON, or an answer its Schema refuses. `line` is the line's number, from 1; `id` the
 * task id when the line has one.
 *
 * @since 0.2.0
 * @category errors
 */
export class BatchResultError extends Schema.TaggedError<BatchResultError>(
  "@effect-gigachat/core/Batches/BatchResultError"
)("BatchResultError", {
  line: Schema.Number,
  id: Schema.optional(Schema.String),
  status: Schema.optional(Schema.Number),
  description: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {
  /** @since 0.2.0 */
  override get message(): string {
    const task = this.id === undefined ? "" : ` (task "${this.id}")`
    const status = this.status === undefined ? "" : ` ${this.status}`
    return `Batch result line ${this.line}${task}:${status} ${this.description}`
  }
}

/**
 * The answer of one task.
 *
 * @since 0.2.0
 * @category models
 */
export interface TaskResult<A> {
  readonly id: string
  readonly result: A
}

/**
 * One line of a result file: the task's answer, or the `BatchResultError` of that line.
 *
 * @since 0.2.0
 * @category models
 */
export type ResultLine<A> = Either.Either<TaskResult<A>, BatchResultError>

/**
 * Options of `waitFor`.
 *
 * @since 0.2.0
 * @category models
 */
export interface WaitOptions<Out, R> {
  /**
   * When to ask again, fed with each unfinished batch; when it ends, `waitFor` returns the last batch it saw (check
   * `isFinished`). Default: 1 s, doubling, at most 1 minute apart, without end.
   */
  readonly schedule?: Schedule.Schedule<Out, Batch, R> | undefined
}

/**
 * True once a batch is no longer `created` or `in_progress` (`completed`, or a status a later API version adds).
 *
 * @since 0.2.0
 * @category predicates
 */
export const isFinished = (batch: Batch): boolean => batch.status !== "created" && batch.status !== "in_progress"

/**
 * The batch API of the `GigaChat` service (`gc.batches`).
 *
 * @since 0.2.0
 * @category models
 */
export interface BatchesService {
  /**
   * `POST /batches?method=…`: writes one `{"id", "request"}` line per task (`\n`-separated, no final newline), each
   * request checked by its Schema first, and uploads them as `application/octet-stream`. An empty list, a method
   * other than `chat_completions` / `embedder`, a duplicate id or an invalid request fail with
   * `InvalidRequestError` naming the field, and nothing is sent.
   */
  readonly create: (input: CreateInput) => Effect.Effect<XHeaders.WithXHeaders<Batch>, GigaChatError.GigaChatError>
  /**
   * `GET /batches?batch_id=…`: the batch, read from any of the answer shapes `BatchList` accepts; an unknown id is
   * the server's `NotFoundError`, an answer that does not list the batch a `DecodeError`.
   */
  readonly get: (id: string) => Effect.Effect<XHeaders.WithXHeaders<Batch>, GigaChatError.GigaChatError>
  /** `GET /batches`: every batch of the account. */
  readonly list: () => Effect.Effect<XHeaders.WithXHeaders<BatchList>, GigaChatError.GigaChatError>
  /**
   * Asks for the batch (`get`) until it `isFinished`, waiting between two asks as the schedule says (its time is
   * the `Clock`'s, so `TestClock` drives it in tests); the finished batch, or the last one seen when the schedule
   * ends first.
   */
  readonly waitFor: <Out = unknown, R = never>(
    batch: string | Batch,
    options?: WaitOptions<Out, R>
  ) => Effect.Effect<XHeaders.WithXHeaders<Batch>, GigaChatError.GigaChatError, R>
  /**
   * Downloads the result file of a chat batch (`GET /files/{output_file_id}/content`; a file id may be given
   * instead of the batch) and decodes it line by line into `ChatCompletion`s; each line that is not an answer is a
   * `BatchResultError` in its place. A batch without `output_file_id` fails with `InvalidRequestError`.
   */
  readonly chatResults: (
    batch: string | Batch
  ) => Effect.Effect<ReadonlyArray<ResultLine<Chat.ChatCompletion>>, GigaChatError.GigaChatError>
  /** As `chatResults`, for an `embedder` batch: each line an `Embeddings` answer. */
  readonly embeddingsResults: (
    batch: string | Batch
  ) => Effect.Effect<ReadonlyArray<ResultLine<Embeddings.Embeddings>>, GigaChatError.GigaChatError>
}
