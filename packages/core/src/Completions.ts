/**
 * Schemas of the v2 chat API (`POST /api/v2/chat/completions`), the Python SDK's primary chat contract: the
 * `ChatCompletionRequest`, the `ChatCompletionResponse` and the `ChatCompletionChunk`s of its named-event stream,
 * plus the pure helpers around them: `encodeRequest` (the exact JSON body), `chatCompletionsUrl` (where to send it),
 * `text`, `functionCalls` and `accumulate` (a stream folded into one response).
 *
 * Names mirror the Python SDK (`ChatMessage`, `ChatContentPart`, `ChatModelOptions`, ...) and wire names are kept
 * as they are on the wire (snake_case). Every object is open: fields this module does not know are kept, both on
 * decode (the API grows) and on encode (they are sent as given, like the Python SDK's `extra="allow"`). Optional
 * fields accept `null` as "absent", as the server and the Python SDK do. The server's `tool_state_id` and the v1-era
 * `functions_state_id` are renamed to `tools_state_id` wherever they appear on a message, a request or a response.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as GigaChatError from "./GigaChatError.js"
import { buildBodyEither, describeParseError, dropUndefined } from "./internal/requestEncoding.js"
import * as TypeGuard from "./internal/typeGuard.js"

/** An optional field that also takes `null` for "absent" (the Python SDK drops `None` values). */
const optional = <S extends Schema.Schema.All>(self: S) => Schema.optionalWith(self, { nullable: true })

/** The index signature of an open object: unknown keys are kept with their values as they are. */
const Extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonObject"
})

// -----------------------------------------------------------------------------------------------------------------
// content parts
// -----------------------------------------------------------------------------------------------------------------

/**
 * A web source the model used (web search), keyed by its number in `ChatInlineData.sources`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatSource = Schema.Struct({
  url: optional(Schema.String),
  title: optional(Schema.String)
}, Extra).annotations({ identifier: "ChatSource" })

/**
 * The decoded value of the `ChatSource` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatSource extends Schema.Schema.Type<typeof ChatSource> {}

/**
 * Data attached to a content part or a message: the sources of a web-search answer (`[sources=[2]]` markers in the
 * text point into `sources`), images and widgets (opaque).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatInlineData = Schema.Struct({
  images: optional(Schema.Array(Schema.Unknown)),
  sources: optional(Schema.Record({ key: Schema.String, value: ChatSource })),
  widgets: optional(Schema.Array(Schema.Unknown))
}, Extra).annotations({ identifier: "ChatInlineData" })

/**
 * The decoded value of the `ChatInlineData` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatInlineData extends Schema.Schema.Type<typeof ChatInlineData> {}

/**
 * A file in message content: an uploaded file sent to the model, or a file the model generated. `target` says what
 * a generated file is (`image`, `audio`, `cover`, `video`, `3dmodel`); its bytes come from
 * `GET /files/{id}/content`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatContentFile = Schema.Struct({
  id: Schema.String,
  target: optional(Schema.String),
  mime: optional(Schema.String)
}, Extra).annotations({ identifier: "ChatContentFile" })

/**
 * The decoded value of the `ChatContentFile` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatContentFile extends Schema.Schema.Type<typeof ChatContentFile> {}

/**
 * A call of a client function made by the model. `arguments` is normally a JSON object; some servers send a JSON
 * string (use `Tool.decodeArguments`, which takes both).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFunctionCall = Schema.Struct({
  name: Schema.String,
  arguments: Schema.Unknown
}, Extra).annotations({ identifier: "ChatFunctionCall" })

/**
 * The decoded value of the `ChatFunctionCall` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFunctionCall extends Schema.Schema.Type<typeof ChatFunctionCall> {}

/**
 * The result of a client function, sent back to the model in a `role: "tool"` message. `result` may be any JSON
 * value (an object or a string).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFunctionResult = Schema.Struct({
  name: Schema.String,
  result: Schema.Unknown
}, Extra).annotations({ identifier: "ChatFunctionResult" })

/**
 * The decoded value of the `ChatFunctionResult` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFunctionResult extends Schema.Schema.Type<typeof ChatFunctionResult> {}

/**
 * The state of a built-in tool the server runs (`image_generate`, `web_search`, ...). `status` is `success` or
 * `fail` when done (`running` and other strings are accepted); `seconds_left` comes while streaming.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatToolExecution = Schema.Struct({
  name: optional(Schema.String),
  status: optional(Schema.String),
  seconds_left: optional(Schema.Number),
  censored: optional(Schema.Boolean)
}, Extra).annotations({ identifier: "ChatToolExecution" })

/**
 * The decoded value of the `ChatToolExecution` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatToolExecution extends Schema.Schema.Type<typeof ChatToolExecution> {}

/**
 * One token with its log probability.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatLogprobToken = Schema.Struct({
  token: Schema.String,
  token_id: Schema.Number,
  logprob: Schema.Number
}, Extra).annotations({ identifier: "ChatLogprobToken" })

/**
 * The decoded value of the `ChatLogprobToken` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatLogprobToken extends Schema.Schema.Type<typeof ChatLogprobToken> {}

/**
 * The chosen token of one position and the most likely alternatives (`model_options.top_logprobs` of them).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatLogprob = Schema.Struct({
  chosen: optional(ChatLogprobToken),
  top: optional(Schema.Array(ChatLogprobToken))
}, Extra).annotations({ identifier: "ChatLogprob" })

/**
 * The decoded value of the `ChatLogprob` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatLogprob extends Schema.Schema.Type<typeof ChatLogprob> {}

/**
 * One part of a message's content. Normally exactly one of `text`, `files`, `function_call`, `function_result`,
 * `tool_execution` is set; `inline_data` and `logprobs` accompany a text.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatContentPart = Schema.Struct({
  text: optional(Schema.String),
  files: optional(Schema.Array(ChatContentFile)),
  function_call: optional(ChatFunctionCall),
  function_result: optional(ChatFunctionResult),
  tool_execution: optional(ChatToolExecution),
  inline_data: optional(ChatInlineData),
  logprobs: optional(Schema.Array(ChatLogprob))
}, Extra).annotations({ identifier: "ChatContentPart" })

/**
 * The decoded value of the `ChatContentPart` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatContentPart extends Schema.Schema.Type<typeof ChatContentPart> {}

// -----------------------------------------------------------------------------------------------------------------
// messages
// -----------------------------------------------------------------------------------------------------------------

const messageFields = {
  message_id: optional(Schema.String),
  content: optional(Schema.Array(ChatContentPart)),
  tools_state_id: optional(Schema.String),
  inline_data: optional(ChatInlineData),
  function_call: optional(ChatFunctionCall),
  tool_execution: optional(ChatToolExecution),
  logprobs: optional(Schema.Array(ChatLogprob)),
  finish_reason: optional(Schema.String)
}

/** What a caller may give as `content`: a string, one part, or a list of strings and parts. */
const ContentInput = Schema.Union(
  Schema.String,
  Schema.Array(Schema.Union(Schema.String, ChatContentPart)),
  ChatContentPart
)

const messageInputFields = {
  ...messageFields,
  content: optional(ContentInput),
  /** Renamed to `tools_state_id` (the server answers with this singular spelling). */
  tool_state_id: optional(Schema.String),
  /** Renamed to `tools_state_id` (the v1 spelling). */
  functions_state_id: optional(Schema.String)
}

const normalizeContent = (content: unknown): unknown => {
  if (typeof content === "string") return [{ text: content }]
  if (Array.isArray(content)) return content.map((part) => typeof part === "string" ? { text: part } : part)
  if (content !== undefined && content !== null) return [content]
  return content
}

/**
 * Moves `tool_state_id` / `functions_state_id` to `tools_state_id` (an explicit `tools_state_id` wins) and drops
 * the aliases.
 */
const normalizeStateId = <A extends Record<string, unknown>>(input: A): Record<string, unknown> => {
  const { functions_state_id, tool_state_id, ...rest } = input
  const stateId = rest.tools_state_id ?? tool_state_id ?? functions_state_id
  return stateId === undefined || stateId === null ? rest : { ...rest, tools_state_id: stateId }
}

const normalizeMessage = (input: Record<string, unknown>): Record<string, unknown> => {
  const message = normalizeStateId(input)
  return "content" in message ? { ...message, content: normalizeContent(message.content) } : message
}

/**
 * A v2 chat message, in a request or a response. `role` is `user`, `system`, `assistant`, `tool` (a function
 * result), `reasoning` (the model's tool and thinking steps) or any other string.
 *
 * On decode, `content` may be a string (→ `[{ text }]`), one part, or a list of strings and parts; the server's
 * `tool_state_id` and the v1 `functions_state_id` become `tools_state_id`. A message from a response can be sent
 * back in the next request as it is.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatMessage = Schema.transform(
  Schema.Struct({ ...messageInputFields, role: Schema.String }, Extra),
  // `role` last: the Python SDK's key order
  Schema.Struct({ ...messageFields, role: Schema.String }, Extra),
  { strict: false, decode: normalizeMessage, encode: (message) => message }
).annotations({ identifier: "ChatMessage" })

/**
 * The decoded value of the `ChatMessage` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatMessage extends Schema.Schema.Type<typeof ChatMessage> {}

/**
 * What a caller may give as a {@link ChatMessage} (with the `content` shorthands and the state-id aliases).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatMessageInput extends Schema.Schema.Encoded<typeof ChatMessage> {}

/**
 * A message fragment of a stream chunk: a {@link ChatMessage} whose `role` may be missing (it continues the
 * previous message).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatMessageChunk = Schema.transform(
  Schema.Struct({ ...messageInputFields, role: optional(Schema.String) }, Extra),
  Schema.Struct({ ...messageFields, role: optional(Schema.String) }, Extra),
  { strict: false, decode: normalizeMessage, encode: (message) => message }
).annotations({ identifier: "ChatMessageChunk" })

/**
 * The decoded value of the `ChatMessageChunk` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatMessageChunk extends Schema.Schema.Type<typeof ChatMessageChunk> {}

// -----------------------------------------------------------------------------------------------------------------
// request options
// -----------------------------------------------------------------------------------------------------------------

/**
 * Reasoning controls. `effort` is `low`, `medium` or `high` (the server documents only `medium` as effective).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatReasoning = Schema.Struct({
  effort: optional(Schema.Union(Schema.Literal("low", "medium", "high"), Schema.String))
}, Extra).annotations({ identifier: "ChatReasoning" })

/**
 * The decoded value of the `ChatReasoning` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatReasoning extends Schema.Schema.Type<typeof ChatReasoning> {}

/**
 * The format of the answer: `text` (the default), `json_schema` (the answer is JSON valid against `schema`;
 * `strict` asks for exact adherence) or `regex` (the answer matches `regex`).
 *
 * Wire examples: `{"type":"json_schema","schema":{...},"strict":true}`, `{"type":"regex","regex":"[A-Z]{3}-\\d{4}"}`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatResponseFormat = Schema.Struct({
  type: Schema.optionalWith(Schema.Union(Schema.Literal("text", "json_schema", "regex"), Schema.String), {
    default: () => "text"
  }),
  schema: optional(Schema.Union(JsonObject, Schema.String)),
  strict: optional(Schema.Boolean),
  regex: optional(Schema.String)
}, Extra).annotations({ identifier: "ChatResponseFormat" })

/**
 * The decoded value of the `ChatResponseFormat` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatResponseFormat extends Schema.Schema.Type<typeof ChatResponseFormat> {}

/**
 * Generation settings. Numbers are validated: `temperature >= 0`, `0 <= top_p <= 1`, `max_tokens >= 0` (server
 * default 1024), `repetition_penalty > 0`, `update_interval >= 0` (seconds between stream events; `0` sends tokens as
 * they come), `top_logprobs` a non-negative integer (the server takes 1 to 5). `unnormalized_history: true` stops the
 * server from merging adjacent user/assistant messages and from turning a lone system message into a user one.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatModelOptions = Schema.Struct({
  preset: optional(Schema.String),
  temperature: optional(Schema.NonNegative),
  top_p: optional(Schema.Number.pipe(Schema.between(0, 1))),
  max_tokens: optional(Schema.NonNegativeInt),
  repetition_penalty: optional(Schema.Positive),
  update_interval: optional(Schema.NonNegative),
  unnormalized_history: optional(Schema.Boolean),
  top_logprobs: optional(Schema.NonNegativeInt),
  reasoning: optional(ChatReasoning),
  response_format: optional(ChatResponseFormat)
}, Extra).annotations({ identifier: "ChatModelOptions" })

/**
 * The decoded value of the `ChatModelOptions` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatModelOptions extends Schema.Schema.Type<typeof ChatModelOptions> {}

/**
 * Filters applied to the request's content.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFilterContentConfig = Schema.Struct({
  neuro: optional(Schema.Boolean),
  blacklist: optional(Schema.Boolean),
  whitelist: optional(Schema.Boolean)
}, Extra).annotations({ identifier: "ChatFilterContentConfig" })

/**
 * The decoded value of the `ChatFilterContentConfig` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFilterContentConfig extends Schema.Schema.Type<typeof ChatFilterContentConfig> {}

/**
 * Filters applied to the answer's content.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFilterResponseContentConfig = Schema.Struct({
  blacklist: optional(Schema.Boolean)
}, Extra).annotations({ identifier: "ChatFilterResponseContentConfig" })

/**
 * The decoded value of the `ChatFilterResponseContentConfig` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFilterResponseContentConfig extends Schema.Schema.Type<typeof ChatFilterResponseContentConfig> {}

/**
 * Content filtering of the request and of the answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFilterConfig = Schema.Struct({
  request_content: optional(ChatFilterContentConfig),
  response_content: optional(ChatFilterResponseContentConfig)
}, Extra).annotations({ identifier: "ChatFilterConfig" })

/**
 * The decoded value of the `ChatFilterConfig` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFilterConfig extends Schema.Schema.Type<typeof ChatFilterConfig> {}

/**
 * Server-side conversation storage. `{}` means "stateful, thread not created yet"; `thread_id` continues a thread
 * (the server then picks the model); `metadata` replaces the thread's metadata.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatStorage = Schema.Struct({
  limit: optional(Schema.NonNegativeInt),
  thread_id: optional(Schema.String),
  metadata: optional(JsonObject)
}, Extra).annotations({ identifier: "ChatStorage" })

/**
 * The decoded value of the `ChatStorage` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatStorage extends Schema.Schema.Type<typeof ChatStorage> {}

/**
 * Lets the server pick the most relevant of many functions before the model sees them.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatRankerOptions = Schema.Struct({
  enabled: optional(Schema.Boolean),
  top_n: optional(Schema.NonNegativeInt),
  embeddings_model: optional(Schema.String)
}, Extra).annotations({ identifier: "ChatRankerOptions" })

/**
 * The decoded value of the `ChatRankerOptions` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatRankerOptions extends Schema.Schema.Type<typeof ChatRankerOptions> {}

/**
 * Facts about the end user that may improve answers: `timezone` is an IANA name (`Europe/Moscow`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatUserInfo = Schema.Struct({
  timezone: optional(Schema.String)
}, Extra).annotations({ identifier: "ChatUserInfo" })

/**
 * The decoded value of the `ChatUserInfo` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatUserInfo extends Schema.Schema.Type<typeof ChatUserInfo> {}

/**
 * How the model may use tools: `auto` (it decides), `none` (no tools) or `forced` (it must call `tool_name`, a
 * built-in tool, or `function_name`, a client function).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatToolConfig = Schema.Struct({
  mode: optional(Schema.Literal("auto", "none", "forced")),
  tool_name: optional(Schema.String),
  function_name: optional(Schema.String)
}, Extra).annotations({ identifier: "ChatToolConfig" })

/**
 * The decoded value of the `ChatToolConfig` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatToolConfig extends Schema.Schema.Type<typeof ChatToolConfig> {}

/**
 * An example of a user request and the arguments the function should be called with.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFunctionExample = Schema.Struct({
  request: Schema.String,
  params: JsonObject
}, Extra).annotations({ identifier: "ChatFunctionExample" })

/**
 * The decoded value of the `ChatFunctionExample` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFunctionExample extends Schema.Schema.Type<typeof ChatFunctionExample> {}

/**
 * A client function the model may call. `parameters` (required) and `return_parameters` are JSON-schema objects,
 * sent as given; `Tool.make` builds them from Effect Schemas. The server documents `description` as required.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFunctionSpecification = Schema.Struct({
  name: Schema.NonEmptyString,
  description: optional(Schema.String),
  parameters: JsonObject,
  few_shot_examples: optional(Schema.Array(ChatFunctionExample)),
  return_parameters: optional(JsonObject)
}, Extra).annotations({ identifier: "ChatFunctionSpecification" })

/**
 * The decoded value of the `ChatFunctionSpecification` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFunctionSpecification extends Schema.Schema.Type<typeof ChatFunctionSpecification> {}

/**
 * The tool entry that carries client functions: `{ functions: { specifications: [...] } }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatFunctionsTool = Schema.Struct({
  specifications: optional(Schema.Array(ChatFunctionSpecification))
}, Extra).annotations({ identifier: "ChatFunctionsTool" })

/**
 * The decoded value of the `ChatFunctionsTool` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatFunctionsTool extends Schema.Schema.Type<typeof ChatFunctionsTool> {}

/**
 * Settings of the built-in web search: `type` is `web_search` (the default), `actual_info_web_search` or
 * `safe_search`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatWebSearchTool = Schema.Struct({
  type: optional(Schema.Union(Schema.Literal("web_search", "actual_info_web_search", "safe_search"), Schema.String)),
  indexes: optional(Schema.Array(Schema.String)),
  flags: optional(Schema.Array(Schema.String))
}, Extra).annotations({ identifier: "ChatWebSearchTool" })

/**
 * The decoded value of the `ChatWebSearchTool` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatWebSearchTool extends Schema.Schema.Type<typeof ChatWebSearchTool> {}

/**
 * One entry of `tools`, with one key: a built-in tool the server runs (`web_search`, `code_interpreter`,
 * `image_generate`, `url_content_extraction`, `model_3d_generate`, each with its settings object, usually `{}`) or
 * `functions`, the client functions.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatTool = Schema.Struct({
  code_interpreter: optional(JsonObject),
  image_generate: optional(JsonObject),
  web_search: optional(ChatWebSearchTool),
  url_content_extraction: optional(JsonObject),
  model_3d_generate: optional(JsonObject),
  functions: optional(ChatFunctionsTool)
}, Extra).annotations({ identifier: "ChatTool" })

/**
 * The decoded value of the `ChatTool` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatTool extends Schema.Schema.Type<typeof ChatTool> {}

/**
 * The built-in tools that may be named by a plain string in `tools` (`"web_search"` → `{ "web_search": {} }`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const BuiltinToolName = Schema.Literal(
  "code_interpreter",
  "image_generate",
  "web_search",
  "url_content_extraction",
  "model_3d_generate"
)

/**
 * The name of a built-in tool, for the string shorthand of `tools`.
 *
 * @since 0.1.0
 * @category models
 */
export type BuiltinToolName = typeof BuiltinToolName.Type

const isBuiltinToolName = Schema.is(BuiltinToolName)

/**
 * A `tools` entry as a caller may give it: a {@link ChatTool} or the name of a built-in tool. Any other string
 * (such as `"functions"`) is rejected.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatToolInput = Schema.transformOrFail(
  Schema.Union(Schema.String, ChatTool),
  Schema.typeSchema(ChatTool),
  {
    strict: false,
    decode: (input, _, ast) => {
      if (typeof input !== "string") return ParseResult.succeed(input)
      if (isBuiltinToolName(input)) return ParseResult.succeed({ [input]: {} })
      return ParseResult.fail(
        new ParseResult.Type(
          ast,
          input,
          `"${input}" is not a built-in tool (expected one of ${BuiltinToolName.literals.join(", ")}); ` +
            `client functions go in { functions: { specifications: [...] } }`
        )
      )
    },
    encode: ParseResult.succeed
  }
)

// -----------------------------------------------------------------------------------------------------------------
// request
// -----------------------------------------------------------------------------------------------------------------

/** The normalized request fields, in the order the Python SDK writes them. */
const requestFields = {
  model: optional(Schema.String),
  messages: Schema.Array(ChatMessage).pipe(Schema.minItems(1)),
  /** Continues with a server-side assistant; cannot be combined with `model`. */
  assistant_id: optional(Schema.String),
  tools_state_id: optional(Schema.String),
  model_options: optional(ChatModelOptions),
  filter_config: optional(ChatFilterConfig),
  storage: optional(ChatStorage),
  ranker_options: optional(ChatRankerOptions),
  tool_config: optional(ChatToolConfig),
  tools: optional(Schema.Array(ChatTool)),
  user_info: optional(ChatUserInfo),
  disable_filter: optional(Schema.Boolean),
  flags: optional(Schema.Array(Schema.String))
}

const requestInputFields = {
  ...requestFields,
  /** `true` → `{}` (storage on, no thread yet); `false` → left out (the server rejects bare booleans). */
  storage: optional(Schema.Union(ChatStorage, Schema.Boolean)),
  tools: optional(Schema.Array(ChatToolInput)),
  /** Never sent: mapped to `disable_filter = !profanity_check` unless `disable_filter` is given. */
  profanity_check: optional(Schema.Boolean),
  /** Moved into `model_options.reasoning` (a value already there wins). */
  reasoning: optional(ChatReasoning),
  /** Moved into `model_options.response_format` (a value already there wins). */
  response_format: optional(ChatResponseFormat),
  /** Renamed to `tools_state_id`. */
  tool_state_id: optional(Schema.String),
  /** Renamed to `tools_state_id`. */
  functions_state_id: optional(Schema.String)
}

const normalizeRequest = (input: Record<string, unknown>): Record<string, unknown> => {
  const { profanity_check, reasoning, response_format, storage, ...rest } = normalizeStateId(input)
  const request: Record<string, unknown> = rest
  if (storage === true) request.storage = {}
  else if (typeof storage === "object" && storage !== null) request.storage = storage
  if (reasoning !== undefined || response_format !== undefined) {
    const options: Record<string, unknown> = { ...(request.model_options as Record<string, unknown> | undefined) }
    if (options.reasoning === undefined && reasoning !== undefined) options.reasoning = reasoning
    if (options.response_format === undefined && response_format !== undefined) {
      options.response_format = response_format
    }
    request.model_options = options
  }
  if (request.disable_filter === undefined && typeof profanity_check === "boolean") {
    request.disable_filter = !profanity_check
  }
  return request
}

/**
 * A v2 chat request. Decoding validates a caller's request and normalizes it to the wire shape:
 *
 * - message `content` shorthands become parts (`"hi"` → `[{ "text": "hi" }]`);
 * - `tools` strings become objects (`"web_search"` → `{ "web_search": {} }`); other strings fail;
 * - `storage: true` → `{}`, `storage: false` → left out;
 * - `profanity_check` → `disable_filter = !profanity_check` (an explicit `disable_filter` wins);
 * - top-level `reasoning` / `response_format` → `model_options` (a value already in `model_options` wins);
 * - `tool_state_id` / `functions_state_id` → `tools_state_id`, on the request and on each message;
 * - `messages` must not be empty; numbers in `model_options` are range-checked.
 *
 * Unknown fields are kept and sent as given. `stream` is not part of the request: {@link encodeRequest} adds it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionRequest = Schema.transform(
  Schema.Struct(requestInputFields, Extra),
  Schema.typeSchema(Schema.Struct(requestFields, Extra)),
  { strict: false, decode: normalizeRequest, encode: (request) => request }
).annotations({ identifier: "ChatCompletionRequest" })

/**
 * A normalized v2 chat request (the wire shape, before the client defaults are applied).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionRequest extends Schema.Schema.Type<typeof ChatCompletionRequest> {}

/**
 * A v2 chat request as a caller writes it, with the shorthands {@link ChatCompletionRequest} accepts.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionRequestInput extends Schema.Schema.Encoded<typeof ChatCompletionRequest> {}

// -----------------------------------------------------------------------------------------------------------------
// responses
// -----------------------------------------------------------------------------------------------------------------

/**
 * Detailed input token counts: `cached_tokens` were served from the server's cache.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatUsageInputTokensDetails = Schema.Struct({
  prompt_tokens: optional(Schema.Number),
  cached_tokens: optional(Schema.Number)
}, Extra).annotations({ identifier: "ChatUsageInputTokensDetails" })

/**
 * The decoded value of the `ChatUsageInputTokensDetails` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatUsageInputTokensDetails extends Schema.Schema.Type<typeof ChatUsageInputTokensDetails> {}

/**
 * Token counts of one request.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatUsage = Schema.Struct({
  input_tokens: optional(Schema.Number),
  input_tokens_details: optional(ChatUsageInputTokensDetails),
  output_tokens: optional(Schema.Number),
  total_tokens: optional(Schema.Number)
}, Extra).annotations({ identifier: "ChatUsage" })

/**
 * The decoded value of the `ChatUsage` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatUsage extends Schema.Schema.Type<typeof ChatUsage> {}

/**
 * A function call recorded in an execution step.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatExecutionFunctionCall = Schema.Struct({
  name: optional(Schema.String),
  arguments: optional(Schema.Unknown)
}, Extra).annotations({ identifier: "ChatExecutionFunctionCall" })

/**
 * The decoded value of the `ChatExecutionFunctionCall` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatExecutionFunctionCall extends Schema.Schema.Type<typeof ChatExecutionFunctionCall> {}

/**
 * What happened in one execution step (function ranking, a function run).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatExecutionStepDetails = Schema.Struct({
  function_call: optional(ChatExecutionFunctionCall),
  functions_in: optional(Schema.Array(Schema.String)),
  functions_out: optional(Schema.Array(Schema.String)),
  function_executed: optional(Schema.String),
  /** `success` or `fail` per the Python SDK; any JSON value per the Java SDK. */
  function_result: optional(Schema.Unknown)
}, Extra).annotations({ identifier: "ChatExecutionStepDetails" })

/**
 * The decoded value of the `ChatExecutionStepDetails` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatExecutionStepDetails extends Schema.Schema.Type<typeof ChatExecutionStepDetails> {}

/**
 * One execution step of the server. Timestamps come as numbers or strings depending on the server version.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatExecutionStep = Schema.Struct({
  ts_start: optional(Schema.Union(Schema.Number, Schema.String)),
  ts_end: optional(Schema.Union(Schema.Number, Schema.String)),
  event_type: optional(Schema.String),
  step: optional(ChatExecutionStepDetails)
}, Extra).annotations({ identifier: "ChatExecutionStep" })

/**
 * The decoded value of the `ChatExecutionStep` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatExecutionStep extends Schema.Schema.Type<typeof ChatExecutionStep> {}

/**
 * Additional response metadata in its object form.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatAdditionalData = Schema.Struct({
  execution_steps: optional(Schema.Array(ChatExecutionStep))
}, Extra).annotations({ identifier: "ChatAdditionalData" })

/**
 * The decoded value of the `ChatAdditionalData` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatAdditionalData extends Schema.Schema.Type<typeof ChatAdditionalData> {}

/** A Unix time in seconds, also accepted as a numeric string (`"167890456789"`). */
const Timestamp = Schema.Union(Schema.Number, Schema.NumberFromString)

const normalizeResponse = (input: Record<string, unknown>): Record<string, unknown> => {
  const { created, ...rest } = normalizeStateId(input)
  if (created === undefined || created === null) return rest
  // `created` is kept as an unknown field when `created_at` is there too
  return rest.created_at === undefined || rest.created_at === null
    ? { ...rest, created_at: created }
    : { ...rest, created }
}

// -----------------------------------------------------------------------------------------------------------------
// the decoding shortcut of the common answers
// -----------------------------------------------------------------------------------------------------------------

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && Object.getPrototypeOf(u) === Object.prototype

/** A record whose every key is one of `fields`, each value passing its check. */
const hasOnly = (
  u: unknown,
  fields: Readonly<Record<string, (value: unknown) => boolean>>
): u is Record<string, unknown> => {
  if (!isRecord(u)) return false
  for (const key in u) {
    const check = Object.hasOwn(fields, key) ? fields[key] : undefined
    if (check === undefined || !check(u[key])) return false
  }
  return true
}

const isString = (u: unknown) => typeof u === "string"
const isNumber = (u: unknown) => typeof u === "number"
const textPart = { text: isString }
const usageDetails = { prompt_tokens: isNumber, cached_tokens: isNumber }
const usageFields = {
  input_tokens: isNumber,
  output_tokens: isNumber,
  total_tokens: isNumber,
  input_tokens_details: (u: unknown) => hasOnly(u, usageDetails)
}
const simpleMessage = {
  role: isString,
  content: (u: unknown) => typeof u === "string" || (Array.isArray(u) && u.every((part) => hasOnly(part, textPart))),
  message_id: isString,
  tools_state_id: isString,
  finish_reason: isString
}
const simpleResponse = {
  event: isString,
  model: isString,
  created_at: isNumber,
  message_id: isString,
  thread_id: isString,
  tools_state_id: isString,
  finish_reason: isString,
  usage: (u: unknown) => hasOnly(u, usageFields),
  messages: (u: unknown) => Array.isArray(u) && u.every((message) => hasOnly(message, simpleMessage))
}

/**
 * What decoding gives for the common answers and chunks — text messages (their `content` a string or text parts),
 * the model, the ids, the finish reason, the usage — or `undefined` for anything else, which the Schema decodes. The
 * only change decoding makes to these is a string `content` becoming `[{ text }]`; the input is not modified. (The v2
 * stream's deltas are such chunks: without this, each would take the Schema's full decoding.)
 */
const decodeSimpleResponse = (u: unknown): unknown => {
  if (!hasOnly(u, simpleResponse)) return undefined
  const messages = u.messages as ReadonlyArray<Record<string, unknown>> | undefined
  if (messages === undefined || !messages.some((message) => typeof message.content === "string")) return u
  return {
    ...u,
    messages: messages.map((message) =>
      typeof message.content === "string" ? { ...message, content: [{ text: message.content }] } : message
    )
  }
}

const responseFields = {
  model: optional(Schema.String),
  /** Unix time in seconds (`created` and numeric strings are accepted). */
  created_at: optional(Timestamp),
  message_id: optional(Schema.String),
  thread_id: optional(Schema.String),
  tools_state_id: optional(Schema.String),
  finish_reason: optional(Schema.String),
  usage: optional(ChatUsage),
  tool_execution: optional(ChatToolExecution),
  logprobs: optional(Schema.Array(ChatLogprob)),
  additional_data: optional(Schema.Union(ChatAdditionalData, Schema.Array(Schema.Unknown)))
}

/**
 * The answer of `POST /api/v2/chat/completions`. `finish_reason` is `stop`, `length`, `function_call`, `error` or
 * any other string. On decode, `created` becomes `created_at`, a numeric-string `created_at` becomes a number, and
 * `tool_state_id` / `functions_state_id` become `tools_state_id`; unknown fields are kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionResponse = TypeGuard.decodesWithShortcut(
  Schema.transform(
    Extra,
    Schema.Struct({ ...responseFields, messages: Schema.Array(ChatMessage) }, Extra),
    { strict: false, decode: normalizeResponse, encode: (response) => response }
  ).annotations({ identifier: "ChatCompletionResponse" }),
  decodeSimpleResponse
)

/**
 * The decoded value of the `ChatCompletionResponse` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionResponse extends Schema.Schema.Type<typeof ChatCompletionResponse> {}

/**
 * One event of the v2 stream. `event` is the SSE event name (`response.message.delta`, `response.tool.in_progress`,
 * `response.tool.completed`, `response.message.done`, or any other), injected by the stream decoder unless the
 * payload has its own. The `done` event carries `finish_reason`, `usage` and `tools_state_id`; a `finish_reason` of
 * `error` reports a failure inside the stream. Normalized like {@link ChatCompletionResponse}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunk = TypeGuard.decodesWithShortcut(
  Schema.transform(
    Extra,
    Schema.Struct({
      event: optional(Schema.String),
      ...responseFields,
      messages: optional(Schema.Array(ChatMessageChunk))
    }, Extra),
    { strict: false, decode: normalizeResponse, encode: (chunk) => chunk }
  ).annotations({ identifier: "ChatCompletionChunk" }),
  decodeSimpleResponse
)

/**
 * The decoded value of the `ChatCompletionChunk` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatCompletionChunk extends Schema.Schema.Type<typeof ChatCompletionChunk> {}

// -----------------------------------------------------------------------------------------------------------------
// encoding
// -----------------------------------------------------------------------------------------------------------------

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

const decodeRequest = Schema.decodeUnknownEither(ChatCompletionRequest, { errors: "all" })

const wireOrder = Object.keys(requestFields)

const toWire = (
  request: ChatCompletionRequest,
  defaults: RequestDefaults,
  stream: boolean
): Record<string, unknown> => {
  const { stream: _stream, ...fields } = dropUndefined(request) as Record<string, unknown>
  const serverPicksModel = Boolean(request.assistant_id) || Boolean(request.storage?.thread_id)
  if (!fields.model && !serverPicksModel) fields.model = defaults.model ?? defaultModel
  if (fields.disable_filter === undefined && defaults.profanityCheck !== undefined) {
    fields.disable_filter = !defaults.profanityCheck
  }
  if (fields.flags === undefined && defaults.flags !== undefined && defaults.flags.length > 0) {
    fields.flags = [...defaults.flags]
  }
  // known fields in the Python SDK's order, then unknown ones as given, then `stream`
  const body: Record<string, unknown> = {}
  for (const key of wireOrder) {
    if (key in fields) body[key] = fields[key]
  }
  for (const [key, value] of Object.entries(fields)) {
    if (!(key in body)) body[key] = value
  }
  if (stream) body.stream = true
  return body
}

/**
 * Validates a v2 chat request and builds the exact JSON body of `POST /api/v2/chat/completions`:
 *
 * - the request is normalized as {@link ChatCompletionRequest} describes; an invalid one fails with
 *   `InvalidRequestError`, whose description names each offending field (`messages[0].role: is missing`);
 * - `undefined` and `null` fields are left out; `profanity_check` is never sent;
 * - `model` becomes `defaults.model ?? "GigaChat"` when the request has none, unless `assistant_id` or
 *   `storage.thread_id` is set (the server then picks the model);
 * - `disable_filter` comes from the request, else from its `profanity_check`, else `!defaults.profanityCheck`;
 * - `flags` come from `defaults` when the request has none;
 * - a `stream` field of the request is ignored; `"stream": true` is appended when `stream` is true.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequest = (
  input: ChatCompletionRequestInput,
  defaults: RequestDefaults,
  stream: boolean
): Effect.Effect<Record<string, unknown>, GigaChatError.InvalidRequestError> =>
  Effect.suspend(() => encodeRequestEither(input, defaults, stream))

/**
 * {@link encodeRequest} as an `Either`: the same body, or the same `InvalidRequestError`, computed at once. The
 * client encodes its requests this way, in the step that sends them.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeRequestEither = (
  input: ChatCompletionRequestInput,
  defaults: RequestDefaults,
  stream: boolean
): Either.Either<Record<string, unknown>, GigaChatError.InvalidRequestError> =>
  Either.flatMap(
    Either.mapLeft(
      decodeRequest(input),
      (error) => new GigaChatError.InvalidRequestError({ description: describeParseError(error), cause: error })
    ),
    (request) => buildBodyEither(() => toWire(request, defaults, stream))
  )

// -----------------------------------------------------------------------------------------------------------------
// URL
// -----------------------------------------------------------------------------------------------------------------

const splitOrigin = (url: string): { readonly origin: string; readonly path: string } => {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)(.*)$/i.exec(url)
  return match === null ? { origin: "", path: url } : { origin: match[1], path: match[2] }
}

const appendPath = (baseUrl: string, path: string): string =>
  `${baseUrl.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`

/**
 * The URL of the v2 chat endpoint, as the Python SDK resolves it:
 *
 * - no `override`: a `baseUrl` whose path ends in a version (`/v1`, `/api/v1`) gets that suffix replaced by `/v2`
 *   plus `/chat/completions` (`https://host/api/v1` → `https://host/api/v2/chat/completions`,
 *   `https://host/v1` → `https://host/v2/chat/completions`); any other `baseUrl` gets `/chat/completions` appended;
 * - an absolute `override` (`https://...`) is used as it is;
 * - an `override` path that starts with a version (`/v2/...`, `/api/v2/...`) is taken from the origin of `baseUrl`;
 * - any other `override` is appended to `baseUrl`.
 *
 * @since 0.2.0
 * @category utils
 */
export const chatCompletionsUrl = (baseUrl: string, override: string | undefined): string => {
  if (override !== undefined && override !== "") {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(override)) return override
    if (/^\/(api\/)?v\d+(\/|$)/.test(override)) return splitOrigin(baseUrl).origin + override
    return appendPath(baseUrl, override)
  }
  const { origin, path } = splitOrigin(baseUrl)
  const trimmed = path.replace(/\/+$/, "")
  const version = /\/v\d+$/.exec(trimmed)
  return version === null
    ? appendPath(baseUrl, "chat/completions")
    : `${origin}${trimmed.slice(0, version.index)}/v2/chat/completions`
}

/**
 * The URL of the v2 chat endpoint (see `chatCompletionsUrl`).
 *
 * @since 0.1.0
 * @category utils
 * @deprecated Use `chatCompletionsUrl`: `GigaChatConfig.resolveUrl` resolves any path, this one the v2 chat URL only.
 */
export const resolveUrl: (baseUrl: string, override: string | undefined) => string = chatCompletionsUrl

// -----------------------------------------------------------------------------------------------------------------
// reading responses
// -----------------------------------------------------------------------------------------------------------------

/**
 * The text of the answer: the `text` parts of every `assistant` message, concatenated (`""` when there is none).
 *
 * @since 0.1.0
 * @category accessors
 */
export const text = (response: { readonly messages?: ReadonlyArray<ChatMessageChunk> | undefined }): string => {
  let out = ""
  for (const message of response.messages ?? []) {
    if (message.role !== "assistant") continue
    for (const part of message.content ?? []) {
      if (typeof part.text === "string") out += part.text
    }
  }
  return out
}

/**
 * The client-function calls of the answer, in order: the `function_call` content parts of every message (and a
 * message-level `function_call`, which older servers send).
 *
 * @since 0.1.0
 * @category accessors
 */
export const functionCalls = (
  response: { readonly messages?: ReadonlyArray<ChatMessageChunk> | undefined }
): ReadonlyArray<ChatFunctionCall> => {
  const calls: Array<ChatFunctionCall> = []
  for (const message of response.messages ?? []) {
    if (message.function_call !== undefined) calls.push(message.function_call)
    for (const part of message.content ?? []) {
      if (part.function_call !== undefined) calls.push(part.function_call)
    }
  }
  return calls
}

// -----------------------------------------------------------------------------------------------------------------
// accumulating a stream
// -----------------------------------------------------------------------------------------------------------------

/**
 * The response before any chunk: no messages.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyResponse: ChatCompletionResponse = { messages: [] }

const definedEntries = (record: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) out[key] = value
  }
  return out
}

const concatLogprobs = (
  left: ReadonlyArray<ChatLogprob> | undefined,
  right: ReadonlyArray<ChatLogprob> | undefined
): ReadonlyArray<ChatLogprob> | undefined =>
  left === undefined ? right : right === undefined ? left : [...left, ...right]

const nonTextKeys = ["files", "function_call", "function_result", "tool_execution"] as const

const definedKeys = (record: Record<string, unknown>): ReadonlyArray<string> =>
  Object.keys(record).filter((key) => record[key] !== undefined)

/** A part that only continues text: keys among `text` and `logprobs`. */
const isTextDelta = (part: ChatContentPart): boolean =>
  typeof part.text === "string" && definedKeys(part).every((key) => key === "text" || key === "logprobs")

const isTextPart = (part: ChatContentPart): boolean =>
  typeof part.text === "string" && nonTextKeys.every((key) => part[key] === undefined)

const isToolExecutionOnly = (part: ChatContentPart): boolean =>
  part.tool_execution !== undefined && definedKeys(part).every((key) => key === "tool_execution")

/**
 * Appends the parts of a delta: text continues the previous text part, a new state of the same built-in tool
 * replaces the previous one, anything else is added.
 */
const appendParts = (
  parts: ReadonlyArray<ChatContentPart>,
  delta: ReadonlyArray<ChatContentPart>
): ReadonlyArray<ChatContentPart> => {
  const out = [...parts]
  for (const part of delta) {
    const last = out[out.length - 1]
    if (last !== undefined && isTextDelta(part) && isTextPart(last)) {
      const logprobs = concatLogprobs(last.logprobs, part.logprobs)
      out[out.length - 1] = { ...last, text: `${last.text}${part.text}`, ...(logprobs ? { logprobs } : {}) }
    } else if (
      last !== undefined && isToolExecutionOnly(part) && isToolExecutionOnly(last) &&
      last.tool_execution!.name === part.tool_execution!.name
    ) {
      out[out.length - 1] = part
    } else {
      out.push(part)
    }
  }
  return out
}

const startsNewMessage = (last: ChatMessage | undefined, delta: ChatMessageChunk): boolean =>
  last === undefined ||
  (delta.role !== undefined && delta.role !== last.role) ||
  (delta.message_id !== undefined && last.message_id !== undefined && delta.message_id !== last.message_id)

const mergeMessage = (last: ChatMessage, delta: ChatMessageChunk): ChatMessage => {
  const { content, logprobs, role: _role, ...rest } = delta
  const merged: ChatMessage = { ...last, ...definedEntries(rest), role: last.role }
  const parts = content === undefined ? last.content : appendParts(last.content ?? [], content)
  const allLogprobs = concatLogprobs(last.logprobs, logprobs)
  return {
    ...merged,
    ...(parts !== undefined ? { content: parts } : {}),
    ...(allLogprobs !== undefined ? { logprobs: allLogprobs } : {})
  }
}

const newMessage = (delta: ChatMessageChunk): ChatMessage => {
  const { content, role, ...rest } = delta
  return {
    ...definedEntries(rest),
    ...(content !== undefined ? { content: appendParts([], content) } : {}),
    role: role ?? "assistant"
  }
}

/**
 * Folds one stream chunk into the response built so far (use with `Stream.runFold(stream, emptyResponse,
 * accumulateChunk)`):
 *
 * - message fragments continue the last message unless they start a new one (another `role` or `message_id`); a
 *   fragment without a role starts as `assistant`; text parts are concatenated, a built-in tool's new state
 *   replaces its previous one, other parts (function calls, files) are added;
 * - `finish_reason`, `usage`, `tools_state_id`, `model`, `message_id`, `thread_id` and unknown fields take the
 *   latest value; `created_at` keeps the first; `logprobs` are concatenated; `event` is dropped;
 * - a `tools_state_id` of the chunk is also set on the last `assistant` message when it has none, so the message
 *   can be sent back as it is (the non-stream answer carries it on the message);
 * - the `messages` of a `response.message.done` chunk are the final messages, which may repeat what the deltas
 *   brought: a final message's text is left out when the last message of its role already has text, and its other
 *   parts (function calls, files) are added only when an equal part is not already there, so nothing is doubled and
 *   nothing sent only at the end is lost.
 *
 * @since 0.1.0
 * @category combinators
 */
export const accumulateChunk = (
  response: ChatCompletionResponse,
  chunk: ChatCompletionChunk
): ChatCompletionResponse => {
  const { created_at, event, logprobs, messages: deltas, ...rest } = chunk
  const messages: Array<ChatMessage> = [...response.messages]
  const fresh = event === "response.message.done" && deltas !== undefined ? unseenParts(deltas, messages) : deltas ?? []
  for (const delta of fresh) {
    const last = messages[messages.length - 1]
    if (startsNewMessage(last, delta)) messages.push(newMessage(delta))
    else messages[messages.length - 1] = mergeMessage(last!, delta)
  }
  if (rest.tools_state_id !== undefined) {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i].role !== "assistant") continue
      if (messages[i].tools_state_id === undefined) {
        messages[i] = { ...messages[i], tools_state_id: rest.tools_state_id }
      }
      break
    }
  }
  const allLogprobs = concatLogprobs(response.logprobs, logprobs)
  return {
    ...response,
    ...definedEntries(rest),
    ...(response.created_at === undefined && created_at !== undefined ? { created_at } : {}),
    ...(allLogprobs !== undefined ? { logprobs: allLogprobs } : {}),
    messages
  }
}

/**
 * What the final messages of a done chunk add to the messages built so far: no text where the last message of the
 * same role has text already (the deltas brought it), no part equal to one already there; a message left with no
 * content is dropped.
 */
const unseenParts = (
  finals: ReadonlyArray<ChatMessageChunk>,
  messages: ReadonlyArray<ChatMessage>
): ReadonlyArray<ChatMessageChunk> => {
  const seen = new Set<string>()
  for (const message of messages) {
    for (const part of message.content ?? []) seen.add(JSON.stringify(part))
  }
  const hasText = (role: string): boolean => {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (messages[i].role === role) return (messages[i].content ?? []).some(isTextPart)
    }
    return false
  }
  return finals.flatMap((message) => {
    const textSeen = hasText(message.role ?? "assistant")
    const content = (message.content ?? []).filter((part) =>
      isTextPart(part) ? !textSeen : !seen.has(JSON.stringify(part))
    )
    return content.length === 0 ? [] : [{ ...message, content }]
  })
}

/**
 * Folds the chunks of a v2 stream into one {@link ChatCompletionResponse} (see {@link accumulateChunk}): the
 * concatenated text, the function calls, `usage`, `finish_reason` and `tools_state_id` of the whole answer.
 *
 * @since 0.1.0
 * @category combinators
 */
export const accumulate = (chunks: Iterable<ChatCompletionChunk>): ChatCompletionResponse => {
  let response = emptyResponse
  for (const chunk of chunks) response = accumulateChunk(response, chunk)
  return response
}

/**
 * The next request of a stored conversation: `message` (a string is one user message) with `storage.thread_id` from
 * `previous` (a response, or anything with its `thread_id`), so the server adds the thread's earlier messages
 * itself and picks the model. `request` gives the other fields (`storage.limit`, `model_options`, ...); without a
 * `thread_id` in `previous`, the request starts a new stored conversation (`storage: {}`).
 *
 * @example
 * ```ts
 * import { Completions, GigaChat } from "@effect-gigachat/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const gc = yield* GigaChat.GigaChat
 *   const first = yield* gc.completions.create({ messages: [{ role: "user", content: "My name is Ann." }], storage: true })
 *   return yield* gc.completions.create(Completions.continueThread(first, "What is my name?"))
 * })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const continueThread = (
  previous: { readonly thread_id?: string | null | undefined },
  message: string | ChatMessageInput,
  request?: Omit<ChatCompletionRequestInput, "messages"> | undefined
): ChatCompletionRequestInput => {
  const threadId = previous.thread_id
  const storage = typeof request?.storage === "object" && request.storage !== null ? request.storage : {}
  return {
    ...request,
    messages: [typeof message === "string" ? { role: "user", content: message } : message],
    storage: { ...storage, ...(typeof threadId === "string" && threadId !== "" ? { thread_id: threadId } : {}) }
  }
}
