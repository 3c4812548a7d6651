/**
 * Schemas of the assistants API (`gc.assistants`): `GET /assistants`, `POST /assistants`, `POST /assistants/modify`,
 * `POST /assistants/delete` and `POST /assistants/files/delete`, with the service's `assistants` namespace.
 *
 * An assistant keeps a model, instructions, files and functions on the server; a thread or a stored chat that names
 * its `assistant_id` uses them. Request bodies are sent as the Python SDK sends them: the optional fields of `create`
 * and `update` go out as `null` when not given (the server keeps the current value), `functions` only when given.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Chat from "./Chat.js"
import type * as GigaChatError from "./GigaChatError.js"
import type * as XHeaders from "./XHeaders.js"

/** An optional field that also takes `null` for "absent". */
const optional = <S extends Schema.Schema.All>(self: S) => Schema.optionalWith(self, { nullable: true })

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A file attached to an assistant.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AssistantFile = Schema.Struct({
  file_id: Schema.String,
  name: optional(Schema.String)
})

/**
 * The decoded value of the `AssistantFile` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface AssistantFile extends Schema.Schema.Type<typeof AssistantFile> {}

/**
 * An assistant, as `GET /assistants` and `POST /assistants/modify` return it. The server sends `file_ids`; the
 * Python SDK's model names `files` (`{file_id, name}`): both are decoded when present.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Assistant = Schema.Struct({
  assistant_id: Schema.String,
  model: Schema.String,
  name: optional(Schema.String),
  description: optional(Schema.String),
  instructions: optional(Schema.String),
  /** Unix time in seconds. */
  created_at: Schema.Number,
  /** Unix time in seconds. */
  updated_at: Schema.Number,
  file_ids: optional(Schema.Array(Schema.String)),
  files: optional(Schema.Array(AssistantFile)),
  metadata: optional(JsonObject),
  threads_count: optional(Schema.Number),
  functions: optional(Schema.Array(Chat.Function))
})

/**
 * The decoded value of the `Assistant` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface Assistant extends Schema.Schema.Type<typeof Assistant> {}

/**
 * The answer of `GET /assistants`: all the assistants, or the one asked for.
 *
 * @since 0.2.0
 * @category schemas
 */
export const Assistants = Schema.Struct({
  data: Schema.Array(Assistant)
})

/**
 * The decoded value of the `Assistants` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface Assistants extends Schema.Schema.Type<typeof Assistants> {}

/**
 * The answer of `POST /assistants`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const CreateAssistant = Schema.Struct({
  assistant_id: Schema.String,
  /** Unix time in seconds. */
  created_at: Schema.Number
})

/**
 * The decoded value of the `CreateAssistant` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface CreateAssistant extends Schema.Schema.Type<typeof CreateAssistant> {}

/**
 * The answer of `POST /assistants/delete`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AssistantDelete = Schema.Struct({
  assistant_id: Schema.String,
  deleted: Schema.Boolean
})

/**
 * The decoded value of the `AssistantDelete` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface AssistantDelete extends Schema.Schema.Type<typeof AssistantDelete> {}

/**
 * The answer of `POST /assistants/files/delete`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AssistantFileDelete = Schema.Struct({
  file_id: Schema.String,
  deleted: Schema.Boolean
})

/**
 * The decoded value of the `AssistantFileDelete` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface AssistantFileDelete extends Schema.Schema.Type<typeof AssistantFileDelete> {}

const NonEmpty = Schema.String.pipe(Schema.minLength(1))

// Fields the Python SDK always sends, `null` when not given.
const nullableFields = {
  description: Schema.NullOr(Schema.String),
  instructions: Schema.NullOr(Schema.String),
  file_ids: Schema.NullOr(Schema.Array(NonEmpty)),
  metadata: Schema.NullOr(JsonObject),
  functions: Schema.optionalWith(Schema.Array(Chat.Function), { exact: true })
}

/**
 * The body of `POST /assistants`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const CreateAssistantRequest = Schema.Struct({
  model: NonEmpty,
  name: NonEmpty,
  ...nullableFields
})

/**
 * The decoded value of the `CreateAssistantRequest` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface CreateAssistantRequest extends Schema.Schema.Type<typeof CreateAssistantRequest> {}

/**
 * The body of `POST /assistants/modify`: `null` fields are left as they are.
 *
 * @since 0.2.0
 * @category schemas
 */
export const UpdateAssistantRequest = Schema.Struct({
  assistant_id: NonEmpty,
  name: Schema.NullOr(NonEmpty),
  ...nullableFields
})

/**
 * The decoded value of the `UpdateAssistantRequest` schema.
 *
 * @since 0.2.0
 * @category models
 */
export interface UpdateAssistantRequest extends Schema.Schema.Type<typeof UpdateAssistantRequest> {}

/**
 * The body of `POST /assistants/delete`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DeleteAssistantRequest = Schema.Struct({
  assistant_id: NonEmpty
})

/**
 * The body of `POST /assistants/files/delete`.
 *
 * @since 0.2.0
 * @category schemas
 */
export const DeleteAssistantFileRequest = Schema.Struct({
  assistant_id: NonEmpty,
  file_id: NonEmpty
})

/**
 * What `create` takes: the model and the name are required, the rest optional.
 *
 * @since 0.2.0
 * @category models
 */
export interface CreateAssistantInput {
  readonly model: string
  readonly name: string
  readonly description?: string | undefined
  readonly instructions?: string | undefined
  /** Ids of files uploaded with purpose `assistant`. */
  readonly file_ids?: ReadonlyArray<string> | undefined
  readonly functions?: ReadonlyArray<Chat.Function> | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

/**
 * What `update` changes: the fields given; the others are sent as `null` and stay as they are.
 *
 * @since 0.2.0
 * @category models
 */
export interface UpdateAssistantInput {
  readonly name?: string | undefined
  readonly description?: string | undefined
  readonly instructions?: string | undefined
  readonly file_ids?: ReadonlyArray<string> | undefined
  readonly functions?: ReadonlyArray<Chat.Function> | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
}

type Result<A> = Effect.Effect<XHeaders.WithXHeaders<A>, GigaChatError.GigaChatError>

/**
 * The `assistants` namespace of the `GigaChat` service (the Python SDK's `client.assistants`). A request the
 * schemas refuse (an empty id, a missing name) fails with `InvalidRequestError` naming the field, before anything
 * is sent; an unknown assistant is the server's `NotFoundError`.
 *
 * @since 0.2.0
 * @category models
 */
export interface AssistantsService {
  /** `GET /assistants`, or `GET /assistants?assistant_id=…` for one (Python: `assistants.get`). */
  readonly get: (assistantId?: string) => Result<Assistants>
  /** `POST /assistants` (Python: `assistants.create`). */
  readonly create: (input: CreateAssistantInput) => Result<CreateAssistant>
  /** `POST /assistants/modify` (Python: `assistants.update`). */
  readonly update: (assistantId: string, changes: UpdateAssistantInput) => Result<Assistant>
  /** `POST /assistants/delete` (Python: `assistants.delete`). */
  readonly delete: (assistantId: string) => Result<AssistantDelete>
  /** `POST /assistants/files/delete`: detaches a file from the assistant (Python: `assistants.delete_file`). */
  readonly deleteFile: (assistantId: string, fileId: string) => Result<AssistantFileDelete>
}
