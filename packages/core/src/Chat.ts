/**
 * Schemas of the v1 chat API (`POST /chat/completions`): the `Chat` request, the `ChatCompletion` answer and the
 * `ChatCompletionChunk`s of its server-sent-event stream, plus `encodeRequest`, which turns a caller's request into
 * the exact JSON body.
 *
 * Wire names are kept as they are on the wire (snake_case). Response schemas ignore unknown fields and accept
 * unknown enum strings; optional fields accept `null` as "absent", as the server and the Python SDK do.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as GigaChatError from "./GigaChatError.js"
import { buildBodyEither, describeParseError, dropUndefined, isPlainObject } from "./internal/requestEncoding.js"
import * as structuredOutput from "./internal/structuredOutput.js"
import * as TypeGuard from "./internal/typeGuard.js"
import * as XHeaders from "./XHeaders.js"

/** An optional field that also takes `null` for "absent" (the Python SDK drops `None` values). */
const optional = <S extends Schema.Schema.All>(self: S) => Schema.optionalWith(self, { nullable: true })

// `null` is excluded from the type itself, so that a value of the type never holds what decoding would drop (see
// internal/typeGuard.ts).
const NonNullValue = Schema.Unknown.pipe(Schema.filter((u) => u !== null, { identifier: "NonNullValue" }))

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonObject"
})

/**
 * The roles the server documents for a v1 message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KnownMessagesRole = Schema.Literal(
  "assistant",
  "system",
  "user",
  "function",
  "search_result",
  "function_in_progress"
)

/**
 * The role of a message: one of {@link KnownMessagesRole} or any other string the server may add.
 *
 * @since 0.1.0
 * @category schemas
 */
export const MessagesRole = Schema.Union(KnownMessagesRole, Schema.String)

/**
 * The decoded value of the `MessagesRole` schema.
 *
 * @since 0.1.0
 * @category models
 */
export type MessagesRole = typeof MessagesRole.Type

/**
 * Why the model stopped: `stop`, `length`, `function_call`, `blacklist`, `error` or any other string.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FinishReason = Schema.Union(
  Schema.Literal("stop", "length", "function_call", "blacklist", "error"),
  Schema.String
)

/**
 * A function call made by the model: the function name and its arguments as a JSON object. GigaChat sends the object
 * itself; arguments sent as a JSON string of an object (as some compatible servers and proxies do, and as the v2 API
 * allows) are parsed into it, so `arguments` is always an object. Requests always send the object.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionCall = Schema.Struct({
  name: Schema.String,
  arguments: optional(Schema.Union(JsonObject, Schema.parseJson(JsonObject)))
})

/**
 * The decoded value of the `FunctionCall` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionCall extends Schema.Schema.Type<typeof FunctionCall> {}

const messagesFields = {
  role: MessagesRole,
  /** The text of the message; `""` when absent (the server omits it on function calls). */
  content: Schema.optionalWith(Schema.String, { default: () => "" }),
  function_call: optional(FunctionCall),
  /** The function name, for a message with role `function`. */
  name: optional(Schema.String),
  /** Ids of uploaded files attached to the message. */
  attachments: optional(Schema.Array(Schema.String)),
  functions_state_id: optional(Schema.String),
  reasoning_content: optional(Schema.String),
  /** Any JSON value but `null` (a `null` id is left out, like every other `null` field). */
  id: optional(NonNullValue)
}

/**
 * A v1 chat message, as sent in a request and as returned in `ChatCompletion.choices[].message`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Messages extends Schema.Struct.Type<typeof messagesFields> {
  /**
   * Messages given to the model as context.
   *
   * @deprecated the server no longer documents it; kept for compatibility with the Python SDK.
   */
  readonly data_for_context?: ReadonlyArray<Messages> | undefined
}

/**
 * The wire form of {@link Messages} (`content` may be omitted, optional fields may be `null`).
 *
 * @since 0.1.0
 * @category models
 */
export interface MessagesEncoded extends Schema.Struct.Encoded<typeof messagesFields> {
  /**
   * @deprecated the server no longer documents it; kept for compatibility with the Python SDK.
   */
  readonly data_for_context?: ReadonlyArray<MessagesEncoded> | null | undefined
}

/**
 * A v1 chat message. `role` is required; any role string is accepted on decode. `content` defaults to `""` and is
 * always sent. `data_for_context` is deprecated.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Messages = Schema.Struct({
  ...messagesFields,
  data_for_context: optional(
    Schema.Array(Schema.suspend((): Schema.Schema<Messages, MessagesEncoded> => Messages))
  )
})

/**
 * The JSON-schema object describing a function's arguments. Known keys are typed; every other JSON-schema key
 * (`format`, `minimum`, ...) is kept as given. `type` defaults to `"object"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionParameters = Schema.Struct(
  {
    type: Schema.optionalWith(Schema.String, { default: () => "object" }),
    properties: optional(JsonObject),
    required: optional(Schema.Array(Schema.String))
  },
  JsonObject
)

/**
 * The decoded value of the `FunctionParameters` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionParameters extends Schema.Schema.Type<typeof FunctionParameters> {}

/**
 * An example of a user request and the arguments the function should be called with.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FewShotExample = Schema.Struct({
  request: Schema.String,
  params: JsonObject
})

/**
 * The decoded value of the `FewShotExample` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface FewShotExample extends Schema.Schema.Type<typeof FewShotExample> {}

/**
 * A function the model may call.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Function = Schema.Struct({
  name: Schema.String,
  description: optional(Schema.String),
  parameters: optional(FunctionParameters),
  few_shot_examples: optional(Schema.Array(FewShotExample)),
  /** JSON schema of the function's result. */
  return_parameters: optional(JsonObject)
})

/**
 * The decoded value of the `Function` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Function extends Schema.Schema.Type<typeof Function> {}

/**
 * Forces a call of the named function, optionally with some of its arguments fixed.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFunctionCall = Schema.Struct({
  name: Schema.String,
  // no `null` here: a plain struct keeps the identifier in validation messages
  partial_arguments: Schema.optional(JsonObject)
}).annotations({ identifier: "ChatFunctionCall" })

/**
 * The decoded value of the `ChatFunctionCall` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFunctionCall extends Schema.Schema.Type<typeof ChatFunctionCall> {}

/**
 * How the model may call functions: `"auto"`, `"none"` or a forced call of one function.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionCallMode = Schema.Union(Schema.Literal("auto", "none"), ChatFunctionCall)

/**
 * Server-side conversation storage. `assistant_id` or `thread_id` make the server pick the model, so no `model` is
 * sent then.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Storage = Schema.Struct({
  is_stateful: Schema.Boolean,
  limit: optional(Schema.NonNegativeInt),
  assistant_id: optional(Schema.String),
  thread_id: optional(Schema.String),
  metadata: optional(JsonObject)
})

/**
 * The decoded value of the `Storage` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Storage extends Schema.Schema.Type<typeof Storage> {}

/**
 * Lets the server pick the most relevant of many `functions` before the model sees them.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FunctionRanker = Schema.Struct({
  enabled: optional(Schema.Boolean),
  top_n: optional(Schema.NonNegativeInt)
})

/**
 * The decoded value of the `FunctionRanker` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionRanker extends Schema.Schema.Type<typeof FunctionRanker> {}

/**
 * Structured output: the answer must be JSON valid against `schema`. Other keys are passed through.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonSchemaResponseFormat = Schema.Struct(
  {
    type: Schema.Literal("json_schema"),
    schema: JsonObject,
    strict: optional(Schema.Boolean)
  },
  JsonObject
).annotations({ identifier: "JsonSchemaResponseFormat" })

/**
 * The decoded value of the `JsonSchemaResponseFormat` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonSchemaResponseFormat extends Schema.Schema.Type<typeof JsonSchemaResponseFormat> {}

/**
 * The `response_format` of a request: {@link JsonSchemaResponseFormat} or any JSON object, sent as given.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResponseFormat = Schema.Union(JsonSchemaResponseFormat, JsonObject)

/**
 * How much the model may reason before answering: `low`, `medium` or `high`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReasoningEffort = Schema.Literal("low", "medium", "high")

/**
 * A v1 chat request. Numbers are validated (`temperature >= 0`, `0 <= top_p <= 1`, `n >= 1`, `max_tokens >= 0`
 * ...). `additional_fields` are merged into the body underneath the explicit fields by {@link encodeRequest}.
 * `stream` is ignored by {@link encodeRequest}: the caller (chat or stream) decides it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Chat = TypeGuard.decodesToItself(Schema.Struct({
  model: optional(Schema.String),
  messages: Schema.Array(Messages),
  temperature: optional(Schema.NonNegative),
  top_p: optional(Schema.Number.pipe(Schema.between(0, 1))),
  n: optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))),
  stream: optional(Schema.Boolean),
  max_tokens: optional(Schema.NonNegativeInt),
  repetition_penalty: optional(Schema.Positive),
  /** Seconds between stream chunks; `0` sends tokens as they come. */
  update_interval: optional(Schema.NonNegative),
  profanity_check: optional(Schema.Boolean),
  function_call: optional(FunctionCallMode),
  functions: optional(Schema.Array(Function)),
  flags: optional(Schema.Array(Schema.String)),
  storage: optional(Storage),
  function_ranker: optional(FunctionRanker),
  response_format: optional(ResponseFormat),
  /** Extra top-level body fields; the explicit fields win over them. */
  additional_fields: optional(JsonObject),
  reasoning_effort: optional(ReasoningEffort)
}))

/**
 * The decoded value of the `Chat` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Chat extends Schema.Schema.Type<typeof Chat> {}

/**
 * The wire form of {@link Chat}: message `content` may be omitted and optional fields may be `null`.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatEncoded extends Schema.Schema.Encoded<typeof Chat> {}

/**
 * What a caller may pass as a chat request: a {@link Chat} or its wire form.
 *
 * @since 0.1.0
 * @category models
 */
export type ChatRequestInput = ChatEncoded

/**
 * Token counts of one request.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  prompt_tokens: Schema.Number,
  completion_tokens: Schema.Number,
  total_tokens: Schema.Number,
  /** Prompt tokens served from the server's cache. */
  precached_prompt_tokens: optional(Schema.Number)
})

/**
 * The decoded value of the `Usage` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Usage extends Schema.Schema.Type<typeof Usage> {}

/**
 * One answer of a `ChatCompletion`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Choices = Schema.Struct({
  message: Messages,
  index: Schema.Number,
  finish_reason: optional(FinishReason)
})

/**
 * The decoded value of the `Choices` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Choices extends Schema.Schema.Type<typeof Choices> {}

/**
 * The answer of `POST /chat/completions`. `object` is `chat.completion` (the server also sends `chat.completions`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletion = TypeGuard.decodesToItself(Schema.Struct({
  choices: Schema.Array(Choices),
  /** Unix time in seconds. */
  created: Schema.Number,
  model: Schema.String,
  thread_id: optional(Schema.String),
  message_id: optional(Schema.String),
  usage: Usage,
  object: Schema.String
}))

/**
 * The decoded value of the `ChatCompletion` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletion extends Schema.Schema.Type<typeof ChatCompletion> {}

/**
 * The decoded value of the `ChatCompletionEncoded` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionEncoded extends Schema.Schema.Encoded<typeof ChatCompletion> {}

/**
 * The increment of a message carried by one stream chunk.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatDelta = Schema.Struct({
  role: optional(MessagesRole),
  content: optional(Schema.String),
  reasoning_content: optional(Schema.String),
  function_call: optional(FunctionCall),
  functions_state_id: optional(Schema.String)
})

/**
 * The decoded value of the `ChatDelta` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatDelta extends Schema.Schema.Type<typeof ChatDelta> {}

/**
 * One choice of a stream chunk.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChoicesChunk = Schema.Struct({
  delta: ChatDelta,
  index: Schema.Number,
  finish_reason: optional(FinishReason)
})

/**
 * The decoded value of the `ChoicesChunk` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChoicesChunk extends Schema.Schema.Type<typeof ChoicesChunk> {}

/**
 * One `data:` event of the v1 chat stream. The last chunk carries `finish_reason` and `usage`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunk = TypeGuard.decodesToItself(Schema.Struct({
  choices: Schema.Array(ChoicesChunk),
  /** Unix time in seconds. */
  created: Schema.Number,
  model: Schema.String,
  object: Schema.String,
  usage: optional(Usage),
  /** With `storage`: the thread the answer is stored in. */
  thread_id: optional(Schema.String),
  /** With `storage`: the id of the stored answer. */
  message_id: optional(Schema.String)
}))

/**
 * The decoded value of the `ChatCompletionChunk` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunk extends Schema.Schema.Type<typeof ChatCompletionChunk> {}

/**
 * The decoded value of the `ChatCompletionChunkEncoded` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunkEncoded extends Schema.Schema.Encoded<typeof ChatCompletionChunk> {}

/**
 * The `response_format` that asks for an answer in JSON valid against `schema`, as `chatParse` and
 * `completions.parse` send it: the Schema's JSON Schema with its root as the object itself and its local `$ref`s
 * inlined (a recursive Schema keeps them, with their `$defs`); `strict` unless `options.strict` is `false`. For a
 * request of your own (a stream, or an `@effect/ai` provider); decode the answer's text with the same Schema. A
 * Schema that has no JSON Schema (a `Schema.declare` without one) is an `InvalidRequestError`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const jsonResponseFormat = <A, I>(
  schema: Schema.Schema<A, I>,
  options?: { readonly strict?: boolean | undefined }
): Effect.Effect<JsonSchemaResponseFormat, GigaChatError.InvalidRequestError> =>
  structuredOutput.responseFormat(schema, options)

/**
 * A request with one user message, for a plain-text prompt.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPrompt = (text: string): Chat => ({ messages: [{ role: "user", content: text }] })

/**
 * The client settings that fill in what a request leaves out.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestDefaults {
  readonly model: string | undefined
  readonly profanityCheck: boolean | undefined
  readonly flags: ReadonlyArray<string> | undefined
}

/**
 * The model used when neither the request nor the client settings name one.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultModel = "GigaChat"

// A request that already has the type of `Chat` is taken as it is (see internal/typeGuard.ts); encoding a decoded
// request gives it back unchanged (its transformations only drop nulls and fill defaults), so it is not encoded.
const decodeChat = TypeGuard.makeDecoder(Chat, { unknownFields: "drop", errors: "all" })
const fieldOrder = Object.keys(Chat.fields)

const withDefaults = (chat: Chat, defaults: RequestDefaults): Chat => {
  const serverPicksModel = Boolean(chat.storage?.assistant_id) || Boolean(chat.storage?.thread_id)
  return {
    ...chat,
    ...(!chat.model && !serverPicksModel ? { model: defaults.model ?? defaultModel } : {}),
    ...(chat.profanity_check === undefined && defaults.profanityCheck !== undefined
      ? { profanity_check: defaults.profanityCheck }
      : {}),
    ...(chat.flags === undefined && defaults.flags !== undefined ? { flags: defaults.flags } : {})
  }
}

/**
 * Validates a chat request and builds the exact JSON body of `POST /chat/completions`:
 *
 * - an invalid request (a message without `role`, `temperature < 0`, `n < 1`, a negative `max_tokens`, ...) fails
 *   with `InvalidRequestError`, whose description names each offending field (`messages[0].role: is missing`);
 * - `undefined` and `null` fields are left out; message `content` is always sent (`""` by default);
 * - `model` becomes `defaults.model ?? "GigaChat"` when the request has none, unless `storage.assistant_id` or
 *   `storage.thread_id` is set; `profanity_check` and `flags` come from `defaults` when the request has none;
 * - `additional_fields` are merged underneath: they never replace an explicit (or defaulted) field;
 * - `"stream": true` is added when `stream` is true; otherwise the body has no `stream` field.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequest = (
  request: ChatRequestInput,
  defaults: RequestDefaults,
  stream: boolean
): Effect.Effect<Record<string, unknown>, GigaChatError.InvalidRequestError> =>
  Effect.suspend(() => encodeRequestEither(request, defaults, stream))

/**
 * {@link encodeRequest} as an `Either`: the same body, or the same `InvalidRequestError`, computed at once. The
 * client encodes its requests this way, in the step that sends them.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequestEither = (
  request: ChatRequestInput,
  defaults: RequestDefaults,
  stream: boolean
): Either.Either<Record<string, unknown>, GigaChatError.InvalidRequestError> => {
  const decoded = decodeChat(request)
  if (Either.isLeft(decoded)) {
    return Either.left(
      new GigaChatError.InvalidRequestError({ description: describeParseError(decoded.left), cause: decoded.left })
    )
  }
  return buildBodyEither(() => {
    const chat = withDefaults(decoded.right, defaults) as Record<string, unknown>
    // the fields in the order of the schema, as the decoder would give them
    const ordered: Record<string, unknown> = {}
    for (const key of fieldOrder) if (key in chat) ordered[key] = chat[key]
    const { additional_fields, stream: _stream, ...explicit } = dropUndefined(ordered) as Record<string, unknown>
    const body: Record<string, unknown> = explicit
    if (isPlainObject(additional_fields)) {
      for (const [key, value] of Object.entries(additional_fields)) {
        if (key !== "stream" && !Object.hasOwn(body, key)) body[key] = value
      }
    }
    if (stream) body.stream = true
    return body
  })
}

/**
 * The text deltas of a v1 stream only, skipping empty ones.
 *
 * @since 0.2.0
 * @category streaming
 */
export const streamText = <E, R>(self: Stream.Stream<ChatCompletionChunk, E, R>): Stream.Stream<string, E, R> =>
  Stream.filterMap(self, (chunk) => {
    const content = chunk.choices[0]?.delta.content
    return content === undefined || content === null || content === "" ? Option.none() : Option.some(content)
  })

/**
 * Folds the chunks of a v1 stream into the completion a non-streaming call would have returned: the content and
 * reasoning concatenated per choice, the function call, the finish reason and the usage of the last chunk, with the
 * `xHeaders` of the last chunk that has them.
 *
 * @since 0.2.0
 * @category streaming
 */
export const accumulate = (
  chunks: Iterable<XHeaders.WithXHeaders<ChatCompletionChunk> | ChatCompletionChunk>
): XHeaders.WithXHeaders<ChatCompletion> => {
  const choices = new Map<number, {
    role: string
    content: string
    reasoning: string | undefined
    functionCall: FunctionCall | undefined
    functionsStateId: string | undefined
    finishReason: string | undefined
  }>()
  let created = 0
  let model = ""
  let object = "chat.completion"
  let usage: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
  let xHeaders: XHeaders.XHeaders = XHeaders.empty
  let stored: { thread_id?: string; message_id?: string } = {}
  for (const chunk of chunks) {
    created = chunk.created
    if (chunk.thread_id) stored = { ...stored, thread_id: chunk.thread_id }
    if (chunk.message_id) stored = { ...stored, message_id: chunk.message_id }
    model = chunk.model
    object = chunk.object
    if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage
    if ("xHeaders" in chunk) xHeaders = chunk.xHeaders
    for (const choice of chunk.choices) {
      const state = choices.get(choice.index) ?? {
        role: "assistant",
        content: "",
        reasoning: undefined,
        functionCall: undefined,
        functionsStateId: undefined,
        finishReason: undefined
      }
      const delta = choice.delta
      if (delta.role) state.role = delta.role
      if (delta.content) state.content += delta.content
      if (delta.reasoning_content) state.reasoning = (state.reasoning ?? "") + delta.reasoning_content
      if (delta.function_call) state.functionCall = delta.function_call
      if (delta.functions_state_id) state.functionsStateId = delta.functions_state_id
      if (choice.finish_reason) state.finishReason = choice.finish_reason
      choices.set(choice.index, state)
    }
  }
  return {
    choices: Array.from(choices, ([index, state]) => ({
      index,
      message: {
        role: state.role,
        content: state.content,
        ...(state.reasoning !== undefined ? { reasoning_content: state.reasoning } : {}),
        ...(state.functionCall !== undefined ? { function_call: state.functionCall } : {}),
        ...(state.functionsStateId !== undefined ? { functions_state_id: state.functionsStateId } : {})
      },
      ...(state.finishReason !== undefined ? { finish_reason: state.finishReason } : {})
    })).sort((a, b) => a.index - b.index),
    created,
    model,
    object,
    ...stored,
    usage,
    xHeaders
  }
}

/**
 * Runs a v1 stream to its end and returns the folded completion (see `accumulate`).
 *
 * @since 0.2.0
 * @category streaming
 */
export const finalCompletion = <E, R>(
  self: Stream.Stream<XHeaders.WithXHeaders<ChatCompletionChunk>, E, R>
): Effect.Effect<XHeaders.WithXHeaders<ChatCompletion>, E, R> =>
  Effect.map(Stream.runCollect(self), (chunks) => accumulate(chunks))

/**
 * The next request of a stored conversation: `message` (a string is one user message) with `storage` pointing at
 * the thread of `previous` (a completion, or anything with its `thread_id`), so the server adds the thread's earlier
 * messages itself and picks the model. `request` gives the other fields (`storage.limit`, `temperature`, ...);
 * without a `thread_id` in `previous`, the request starts a new stored conversation.
 *
 * @example
 * ```ts
 * import { Chat, GigaChat } from "@effect-gigachat/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const gc = yield* GigaChat.GigaChat
 *   const first = yield* gc.chat({ messages: [{ role: "user", content: "My name is Ann." }], storage: { is_stateful: true } })
 *   const second = yield* gc.chat(Chat.continueThread(first, "What is my name?"))
 *   return second.choices[0]?.message.content
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const continueThread = (
  previous: { readonly thread_id?: string | null | undefined },
  message: string | MessagesEncoded,
  request?: Omit<ChatRequestInput, "messages"> | undefined
): ChatRequestInput => {
  const threadId = previous.thread_id
  return {
    ...request,
    messages: [typeof message === "string" ? { role: "user", content: message } : message],
    storage: {
      ...request?.storage,
      is_stateful: true,
      ...(typeof threadId === "string" && threadId !== "" ? { thread_id: threadId } : {})
    }
  }
}
