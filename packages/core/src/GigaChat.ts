/**
 * The GigaChat API as an Effect service: v1 chat, streaming and structured output, embeddings, token counting,
 * models, files, balance, AI-text detection, function conversion and validation, the content filter and batches,
 * assistants and threads (`gc.assistants`, `gc.threads`). Every method returns an `Effect` (or a `Stream`) whose
 * error channel is `GigaChatError`; every decoded response carries `xHeaders`.
 *
 * @example
 * ```ts
 * import { GigaChat } from "@effect-gigachat/core"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const gc = yield* GigaChat.GigaChat
 *   const answer = yield* gc.chat("Hello!")
 *   return answer.choices[0]?.message.content
 * })
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as AccessToken from "./AccessToken.js"
import type * as AiCheck from "./AiCheck.js"
import type * as Assistants from "./Assistants.js"
import * as Auth from "./Auth.js"
import type * as Balance from "./Balance.js"
import type * as Batches from "./Batches.js"
import * as Chat from "./Chat.js"
import type * as Completions from "./Completions.js"
import type * as Embeddings from "./Embeddings.js"
import type * as Files from "./Files.js"
import type * as FilterCheck from "./FilterCheck.js"
import type * as Functions from "./Functions.js"
import * as GigaChatConfig from "./GigaChatConfig.js"
import type * as GigaChatError from "./GigaChatError.js"
import * as HttpTransport from "./HttpTransport.js"
import * as internal from "./internal/gigachat.js"
import * as internalMock from "./internal/gigachatMock.js"
import type * as Models from "./Models.js"
import type * as Threads from "./Threads.js"
import type * as Tokens from "./Tokens.js"
import type * as Tool from "./Tool.js"
import type * as XHeaders from "./XHeaders.js"

/**
 * A chat request, or a plain prompt sent as one user message.
 *
 * @since 0.1.0
 * @category models
 */
export type ChatInput = Chat.ChatRequestInput | string

/**
 * The answer of a structured-output call: the completion and its content decoded with the caller's Schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Parsed<A, C> {
  readonly completion: C
  readonly parsed: A
}

/**
 * Options of the structured-output helpers.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** Ask the server to follow the schema strictly (default true). */
  readonly strict?: boolean | undefined
}

/**
 * A file to upload.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadFile {
  readonly file: Uint8Array | Blob
  readonly filename: string
  /** Defaults to the Blob's type, else a type guessed from the file name, else `application/octet-stream`. */
  readonly mimeType?: string | undefined
  /** `general` (default) or `assistant`. */
  readonly purpose?: Files.FilePurpose | undefined
}

/**
 * The bytes of a stored file.
 *
 * @since 0.1.0
 * @category models
 */
export type FileContent = HttpTransport.Bytes

/**
 * A v2 chat request, or a plain prompt sent as one user message.
 *
 * @since 0.1.0
 * @category models
 */
export type CompletionsInput = Completions.ChatCompletionRequestInput | string

/**
 * A file the model generated (a content part's `files` entry) with its bytes.
 *
 * @since 0.1.0
 * @category models
 */
export interface GeneratedFile {
  readonly file: Completions.ChatContentFile
  readonly content: FileContent
}

/**
 * The handlers of a tool loop: for each tool, keyed by its name, an Effect that answers its decoded arguments
 * with its result (encoded with the tool's `success` Schema when it has one).
 *
 * @since 0.1.0
 * @category models
 */
export type ToolHandlers<Tools extends Tool.Any> = {
  readonly [T in Tools as T["name"]]: (args: Tool.Parameters<T>) => Effect.Effect<Tool.Success<T>, any, any>
}

/**
 * The errors the handlers of a tool loop may fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolHandlersError<Handlers> = {
  [K in keyof Handlers]: Handlers[K] extends (...args: ReadonlyArray<any>) => Effect.Effect<any, infer E, any> ? E
    : never
}[keyof Handlers]

/**
 * The services the handlers of a tool loop need.
 *
 * @since 0.1.0
 * @category models
 */
export type ToolHandlersContext<Handlers> = {
  [K in keyof Handlers]: Handlers[K] extends (...args: ReadonlyArray<any>) => Effect.Effect<any, any, infer R> ? R
    : never
}[keyof Handlers]

/**
 * Options of a tool loop.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunToolsOptions<Tools extends Tool.Any, Handlers extends ToolHandlers<Tools>> {
  /**
   * The functions offered to the model, after the request's own: v2 adds their specifications to the request's
   * `functions` tool entry (or a new one after its `tools`), v1 appends them to its `functions`.
   */
  readonly tools: ReadonlyArray<Tools>
  /** One handler per tool, keyed by the tool's name. */
  readonly handlers: Handlers
  /**
   * The most requests sent to the model (default 10). When the answer to the last one still calls functions, the
   * loop fails with `ToolLoopLimitError` (with `maxSteps`, the last `response` and the `messages`).
   */
  readonly maxSteps?: number | undefined
}

/**
 * The outcome of a tool loop: the final answer (it calls no function), the whole conversation (the request's
 * messages, every function call and result, and the final answer's messages) and the number of model requests.
 *
 * @since 0.1.0
 * @category models
 */
export interface ToolRun<Response, Message> {
  readonly response: Response
  readonly messages: ReadonlyArray<Message>
  readonly steps: number
}

/**
 * Options of `checkAi`.
 *
 * @since 0.2.0
 * @category models
 */
export interface CheckAiOptions {
  /** The detection model, e.g. `GigaCheckDetection` or `GigaCheckClassification`. */
  readonly model: string
}

/**
 * The v2 chat API (`POST /api/v2/chat/completions`, or the `chatCompletionsUrl` setting).
 *
 * @since 0.1.0
 * @category models
 */
export interface CompletionsService {
  /** Sends a request; the answer is decoded as `Completions.ChatCompletionResponse`. */
  readonly create: (
    request: CompletionsInput
  ) => Effect.Effect<XHeaders.WithXHeaders<Completions.ChatCompletionResponse>, GigaChatError.GigaChatError>
  /**
   * Streams the answer: one chunk per server-sent event, its `event` field set from the SSE event name (a name in
   * the payload wins). Unlike the Python SDK, events without an `event:` line are kept (as chunks without
   * `event`) rather than dropped; `data: [DONE]` ends the stream; an error object in the stream fails it with
   * the typed error of its status.
   */
  readonly stream: (
    request: CompletionsInput
  ) => Stream.Stream<XHeaders.WithXHeaders<Completions.ChatCompletionChunk>, GigaChatError.GigaChatError>
  /**
   * Structured output: sends the Schema's JSON Schema as `model_options.response_format` (`json_schema`, `strict`
   * by default; the root is the object itself, references inlined, as for `chatParse`) and decodes the text of the
   * first assistant message that has text. No messages, no text, invalid
   * JSON or a value the Schema refuses fail with `DecodeError`; an answer cut at the token limit
   * (`finish_reason: "length"` on the response or on an assistant message) with `LengthFinishReasonError`.
   */
  readonly parse: <A, I>(
    request: CompletionsInput,
    schema: Schema.Schema<A, I>,
    options?: ParseOptions
  ) => Effect.Effect<
    Parsed<A, XHeaders.WithXHeaders<Completions.ChatCompletionResponse>>,
    GigaChatError.GigaChatError
  >
  /**
   * Runs a function-calling loop with typed tools: sends the request with the tools, and while the answer calls
   * functions, decodes each call's arguments with its tool's Schema, runs its handler, and sends the assistant
   * message back with one `role: "tool"` message per call (`function_result`), both carrying `tools_state_id`.
   * A forced `tool_config` applies to the first request only. A call of an unknown function or arguments the
   * Schema refuses fail with `DecodeError`; handlers' errors fail the loop as they are.
   */
  readonly runTools: <Tools extends Tool.Any, Handlers extends ToolHandlers<Tools>>(
    request: CompletionsInput,
    options: RunToolsOptions<Tools, Handlers>
  ) => Effect.Effect<
    ToolRun<XHeaders.WithXHeaders<Completions.ChatCompletionResponse>, Completions.ChatMessageInput>,
    GigaChatError.GigaChatError | ToolHandlersError<Handlers>,
    ToolHandlersContext<Handlers>
  >
  /**
   * Downloads the images the model generated: the `files` of the answer's content parts whose `target` is
   * `image`, each once, in order, with `GET /files/{id}/content`.
   */
  readonly downloadImages: (
    response: { readonly messages?: ReadonlyArray<Completions.ChatMessageChunk> | undefined }
  ) => Effect.Effect<ReadonlyArray<GeneratedFile>, GigaChatError.GigaChatError>
}

/**
 * The GigaChat API: every method returns an `Effect` (or a `Stream`) failing with `GigaChatError`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `POST /chat/completions`. */
  readonly chat: (
    request: ChatInput
  ) => Effect.Effect<XHeaders.WithXHeaders<Chat.ChatCompletion>, GigaChatError.GigaChatError>
  /** `POST /chat/completions` with `stream: true`: the chunks as they arrive. */
  readonly stream: (
    request: ChatInput
  ) => Stream.Stream<XHeaders.WithXHeaders<Chat.ChatCompletionChunk>, GigaChatError.GigaChatError>
  /**
   * Structured output: sends the Schema as a JSON Schema `response_format` and decodes the answer with it. The JSON
   * Schema's root is the object itself, with its references inlined (only a recursive Schema keeps `$ref`s), as the
   * Python SDK sends a pydantic model. A cut answer (`finish_reason: "length"`) fails with `LengthFinishReasonError`.
   */
  readonly chatParse: <A, I>(
    request: ChatInput,
    schema: Schema.Schema<A, I>,
    options?: ParseOptions
  ) => Effect.Effect<Parsed<A, XHeaders.WithXHeaders<Chat.ChatCompletion>>, GigaChatError.GigaChatError>
  /**
   * Runs a function-calling loop over the v1 chat API (`functions`), the v1 twin of `completions.runTools`: while
   * the answer calls a function, decodes its arguments with the tool's Schema, runs its handler and sends the
   * assistant message (with its `function_call` and `functions_state_id`) back with a `role: "function"` message
   * holding the result as JSON. A forced `function_call` applies to the first request only.
   */
  readonly chatRunTools: <Tools extends Tool.Any, Handlers extends ToolHandlers<Tools>>(
    request: ChatInput,
    options: RunToolsOptions<Tools, Handlers>
  ) => Effect.Effect<
    ToolRun<XHeaders.WithXHeaders<Chat.ChatCompletion>, Chat.MessagesEncoded>,
    GigaChatError.GigaChatError | ToolHandlersError<Handlers>,
    ToolHandlersContext<Handlers>
  >
  /** `POST /embeddings`; the model defaults to `"Embeddings"` (not the chat model). */
  readonly embeddings: (
    texts: string | ReadonlyArray<string>,
    options?: { readonly model?: string | undefined }
  ) => Effect.Effect<XHeaders.WithXHeaders<Embeddings.Embeddings>, GigaChatError.GigaChatError>
  /** `POST /tokens/count`: one count per input string. */
  readonly tokensCount: (
    input: string | ReadonlyArray<string>,
    options?: { readonly model?: string | undefined }
  ) => Effect.Effect<XHeaders.WithXHeaders<ReadonlyArray<Tokens.TokensCount>>, GigaChatError.GigaChatError>
  /** `GET /models`. */
  readonly getModels: () => Effect.Effect<XHeaders.WithXHeaders<Models.Models>, GigaChatError.GigaChatError>
  /** `GET /models/{id}`. */
  readonly getModel: (id: string) => Effect.Effect<XHeaders.WithXHeaders<Models.Model>, GigaChatError.GigaChatError>
  /** `GET /balance` (prepaid accounts; others get `ForbiddenError`). */
  readonly getBalance: () => Effect.Effect<XHeaders.WithXHeaders<Balance.Balance>, GigaChatError.GigaChatError>
  /**
   * `POST /ai/check`: is the text written by a model? The model is required (`GigaCheckClassification`,
   * `GigaCheckDetection`, ...). The model as a bare string, the 0.1 form, still works and is deprecated.
   */
  readonly checkAi: (
    text: string,
    options: CheckAiOptions | string
  ) => Effect.Effect<XHeaders.WithXHeaders<AiCheck.AiCheckResult>, GigaChatError.GigaChatError>
  /** `POST /files` (multipart). */
  readonly uploadFile: (
    file: UploadFile
  ) => Effect.Effect<XHeaders.WithXHeaders<Files.UploadedFile>, GigaChatError.GigaChatError>
  /** `GET /files/{id}`. */
  readonly getFile: (
    id: string
  ) => Effect.Effect<XHeaders.WithXHeaders<Files.UploadedFile>, GigaChatError.GigaChatError>
  /** `GET /files`. */
  readonly getFiles: () => Effect.Effect<XHeaders.WithXHeaders<Files.UploadedFiles>, GigaChatError.GigaChatError>
  /** `POST /files/{id}/delete`. */
  readonly deleteFile: (
    id: string
  ) => Effect.Effect<XHeaders.WithXHeaders<Files.DeletedFile>, GigaChatError.GigaChatError>
  /** `GET /files/{id}/content`: the bytes and their content type. */
  readonly getFileContent: (id: string) => Effect.Effect<FileContent, GigaChatError.GigaChatError>
  /** `GET /files/{id}/content` as base64, like the Python SDK's `get_image`. */
  readonly getImage: (id: string) => Effect.Effect<XHeaders.WithXHeaders<Files.Image>, GigaChatError.GigaChatError>
  /** `POST /functions/convert`: OpenAPI text to GigaChat function descriptions. */
  readonly functionsConvert: (
    openapi: string
  ) => Effect.Effect<XHeaders.WithXHeaders<Functions.OpenApiFunctions>, GigaChatError.GigaChatError>
  /**
   * `POST /filter/check`: is the conversation (or one user text) profane or disallowed? The model defaults to
   * `GigaFilter`; the request is checked by `FilterCheck.FilterCheckRequest` first.
   */
  readonly filterCheck: (
    input: string | FilterCheck.FilterCheckInput
  ) => Effect.Effect<XHeaders.WithXHeaders<FilterCheck.FilterCheckResult>, GigaChatError.GigaChatError>
  /**
   * `POST /functions/validate`: the server's verdict on one function description (or a `Tool`'s). An invalid
   * function is a 200 answer with `errors` (see `Functions.isValid`), not a failure.
   */
  readonly functionsValidate: (
    fn: Functions.FunctionInput | Tool.Any
  ) => Effect.Effect<XHeaders.WithXHeaders<Functions.FunctionValidation>, GigaChatError.GigaChatError>
  /** The batch API: `create`, `get`, `list`, `waitFor`, `chatResults`, `embeddingsResults`. */
  readonly batches: Batches.BatchesService
  /** Authenticates ahead of the first call; `None` when no token source is configured. */
  readonly getToken: () => Effect.Effect<Option.Option<AccessToken.AccessToken>, GigaChatError.GigaChatError>
  /** The v2 chat API: `create`, `stream`, `parse`, `runTools`, `downloadImages`. */
  readonly completions: CompletionsService
  /** Assistants kept on the server: `get`, `create`, `update`, `delete`, `deleteFile`. */
  readonly assistants: Assistants.AssistantsService
  /** Threads kept on the server, their messages and runs (streamed or not). */
  readonly threads: Threads.ThreadsService
}

/**
 * The GigaChat service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class GigaChat extends Context.Tag("@effect-gigachat/core/GigaChat")<GigaChat, Service>() {}

/**
 * Builds the service from the transport, the auth and the settings.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Service,
  never,
  HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig
> = internal.make

/**
 * The `GigaChat` service over the given transport, auth and settings.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<
  GigaChat,
  never,
  HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig
> = Layer.effect(GigaChat, make)

/**
 * Handlers for `layerMock`: any subset of the service's methods.
 *
 * @since 0.1.0
 * @category models
 */
export type MockHandlers = Partial<Omit<Service, "completions" | "batches" | "assistants" | "threads">> & {
  readonly assistants?: Partial<Assistants.AssistantsService> | undefined
  readonly threads?: Partial<Threads.ThreadsService> | undefined
  readonly completions?: Partial<CompletionsService> | undefined
  readonly batches?: Partial<Batches.BatchesService> | undefined
}

/**
 * A `GigaChat` made of the given handlers, for tests of code that uses GigaChat: no HTTP, no emulator. A method
 * without a handler dies with a message naming it, except the tool loops: without handlers of their own,
 * `chatRunTools` runs over the `chat` handler and `completions.runTools` over `completions.create`.
 *
 * @example
 * ```ts
 * import { GigaChat } from "@effect-gigachat/core"
 * import * as Effect from "effect/Effect"
 *
 * const mock = GigaChat.layerMock({
 *   getBalance: () =>
 *     Effect.succeed({
 *       balance: [{ usage: "GigaChat", value: 1000 }],
 *       xHeaders: { "x-request-id": undefined, "x-session-id": undefined, "x-client-id": undefined }
 *     })
 * })
 *
 * const balance = Effect.provide(GigaChat.getBalance(), mock)
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMock = (handlers: MockHandlers): Layer.Layer<GigaChat> =>
  Layer.succeed(GigaChat, internalMock.make(handlers))

/**
 * `GigaChat`, `HttpTransport` and `Auth` over any `HttpClient` (a mock, the emulator, undici) and given settings.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServices: Layer.Layer<
  GigaChat | HttpTransport.HttpTransport | Auth.Auth,
  never,
  GigaChatConfig.GigaChatConfig | HttpClient.HttpClient
> = layer.pipe(
  Layer.provideMerge(HttpTransport.layer),
  Layer.provideMerge(Auth.layer)
)

/**
 * Everything over any `HttpClient`, with settings from the options, then `GIGACHAT_*` variables, then defaults.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerEnv = (
  options: GigaChatConfig.Options = {}
): Layer.Layer<
  GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> => Layer.provideMerge(layerServices, GigaChatConfig.layerEnv(options))

/**
 * Everything over any `HttpClient`, with settings from `Config` values (see `GigaChatConfig.layerConfig`; without an
 * argument every `GIGACHAT_*` variable is read). Plain options are the deprecated 0.1 form of `layerEnv`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config?: Config.Config<GigaChatConfig.Options> | GigaChatConfig.ConfigFields | GigaChatConfig.Options
): Layer.Layer<
  GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> => Layer.provideMerge(layerServices, GigaChatConfig.layerConfig(config))

/**
 * `POST /chat/completions` with the `GigaChat` service from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const chat = (
  request: ChatInput
): Effect.Effect<XHeaders.WithXHeaders<Chat.ChatCompletion>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.chat(request))

/**
 * `POST /chat/completions` with `stream: true`, with the `GigaChat` service from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const stream = (
  request: ChatInput
): Stream.Stream<XHeaders.WithXHeaders<Chat.ChatCompletionChunk>, GigaChatError.GigaChatError, GigaChat> =>
  Stream.unwrap(Effect.map(GigaChat, (gc) => gc.stream(request)))

/**
 * Structured output (v1) with the `GigaChat` service from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const chatParse = <A, I>(
  request: ChatInput,
  schema: Schema.Schema<A, I>,
  options?: ParseOptions
): Effect.Effect<Parsed<A, XHeaders.WithXHeaders<Chat.ChatCompletion>>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.chatParse(request, schema, options))

/**
 * `POST /embeddings` with the `GigaChat` service from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const embeddings = (
  texts: string | ReadonlyArray<string>,
  options?: { readonly model?: string | undefined }
): Effect.Effect<XHeaders.WithXHeaders<Embeddings.Embeddings>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.embeddings(texts, options))

/**
 * `POST /tokens/count` with the `GigaChat` service from the context.
 *
 * @since 0.1.0
 * @category accessors
 */
export const tokensCount = (
  input: string | ReadonlyArray<string>,
  options?: { readonly model?: string | undefined }
): Effect.Effect<
  XHeaders.WithXHeaders<ReadonlyArray<Tokens.TokensCount>>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.tokensCount(input, options))

/**
 * `GET /models`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getModels = (): Effect.Effect<
  XHeaders.WithXHeaders<Models.Models>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.getModels())

/**
 * `GET /models/{id}`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getModel = (
  id: string
): Effect.Effect<XHeaders.WithXHeaders<Models.Model>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.getModel(id))

/**
 * `GET /balance`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getBalance = (): Effect.Effect<
  XHeaders.WithXHeaders<Balance.Balance>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.getBalance())

/**
 * `POST /ai/check`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const checkAi = (
  text: string,
  options: CheckAiOptions | string
): Effect.Effect<XHeaders.WithXHeaders<AiCheck.AiCheckResult>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.checkAi(text, options))

/**
 * `POST /files`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const uploadFile = (
  file: UploadFile
): Effect.Effect<XHeaders.WithXHeaders<Files.UploadedFile>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.uploadFile(file))

/**
 * `GET /files/{id}`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getFile = (
  id: string
): Effect.Effect<XHeaders.WithXHeaders<Files.UploadedFile>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.getFile(id))

/**
 * `GET /files`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getFiles = (): Effect.Effect<
  XHeaders.WithXHeaders<Files.UploadedFiles>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.getFiles())

/**
 * `POST /files/{id}/delete`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const deleteFile = (
  id: string
): Effect.Effect<XHeaders.WithXHeaders<Files.DeletedFile>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.deleteFile(id))

/**
 * `GET /files/{id}/content` as base64.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getImage = (
  id: string
): Effect.Effect<XHeaders.WithXHeaders<Files.Image>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.getImage(id))

/**
 * `POST /functions/convert`.
 *
 * @since 0.1.0
 * @category accessors
 */
export const functionsConvert = (
  openapi: string
): Effect.Effect<XHeaders.WithXHeaders<Functions.OpenApiFunctions>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.functionsConvert(openapi))

/**
 * `POST /filter/check` with the `GigaChat` service of the context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const filterCheck = (
  input: string | FilterCheck.FilterCheckInput
): Effect.Effect<XHeaders.WithXHeaders<FilterCheck.FilterCheckResult>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.filterCheck(input))

/**
 * `POST /functions/validate` with the `GigaChat` service of the context.
 *
 * @since 0.2.0
 * @category accessors
 */
export const functionsValidate = (
  fn: Functions.FunctionInput | Tool.Any
): Effect.Effect<XHeaders.WithXHeaders<Functions.FunctionValidation>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.functionsValidate(fn))

/**
 * `GET /files/{id}/content`: the bytes and their content type.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getFileContent = (id: string): Effect.Effect<FileContent, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.getFileContent(id))

/**
 * Authenticates ahead of the first call.
 *
 * @since 0.1.0
 * @category accessors
 */
export const getToken = (): Effect.Effect<
  Option.Option<AccessToken.AccessToken>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.getToken())

/**
 * The text deltas of a stream only, skipping empty ones.
 *
 * @since 0.1.0
 * @category streaming
 * @deprecated Use `Chat.streamText`, which lives with the v1 schemas as `Completions.accumulate` does with the v2 ones.
 */
export const streamText: <E, R>(
  self: Stream.Stream<Chat.ChatCompletionChunk, E, R>
) => Stream.Stream<string, E, R> = Chat.streamText

/**
 * Folds the chunks of a v1 stream into the completion a non-streaming call would have returned.
 *
 * @since 0.1.0
 * @category streaming
 * @deprecated Use `Chat.accumulate`.
 */
export const accumulate: (
  chunks: Iterable<XHeaders.WithXHeaders<Chat.ChatCompletionChunk> | Chat.ChatCompletionChunk>
) => XHeaders.WithXHeaders<Chat.ChatCompletion> = Chat.accumulate

/**
 * Runs a v1 stream to its end and returns the folded completion.
 *
 * @since 0.1.0
 * @category streaming
 * @deprecated Use `Chat.finalCompletion`.
 */
export const finalCompletion: <E, R>(
  self: Stream.Stream<XHeaders.WithXHeaders<Chat.ChatCompletionChunk>, E, R>
) => Effect.Effect<XHeaders.WithXHeaders<Chat.ChatCompletion>, E, R> = Chat.finalCompletion

/**
 * Sends a v2 chat request with the `GigaChat` service of the context (see `CompletionsService.create`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const completionsCreate = (
  request: CompletionsInput
): Effect.Effect<
  XHeaders.WithXHeaders<Completions.ChatCompletionResponse>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.completions.create(request))

/**
 * Streams a v2 chat answer with the `GigaChat` service of the context (see `CompletionsService.stream`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const completionsStream = (
  request: CompletionsInput
): Stream.Stream<
  XHeaders.WithXHeaders<Completions.ChatCompletionChunk>,
  GigaChatError.GigaChatError,
  GigaChat
> => Stream.unwrap(Effect.map(GigaChat, (gc) => gc.completions.stream(request)))

/**
 * v2 structured output with the `GigaChat` service of the context (see `CompletionsService.parse`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const completionsParse = <A, I>(
  request: CompletionsInput,
  schema: Schema.Schema<A, I>,
  options?: ParseOptions
): Effect.Effect<
  Parsed<A, XHeaders.WithXHeaders<Completions.ChatCompletionResponse>>,
  GigaChatError.GigaChatError,
  GigaChat
> => Effect.flatMap(GigaChat, (gc) => gc.completions.parse(request, schema, options))

/**
 * Runs a v2 tool loop with the `GigaChat` service of the context (see `CompletionsService.runTools`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const completionsRunTools = <Tools extends Tool.Any, Handlers extends ToolHandlers<Tools>>(
  request: CompletionsInput,
  options: RunToolsOptions<Tools, Handlers>
): Effect.Effect<
  ToolRun<XHeaders.WithXHeaders<Completions.ChatCompletionResponse>, Completions.ChatMessageInput>,
  GigaChatError.GigaChatError | ToolHandlersError<Handlers>,
  GigaChat | ToolHandlersContext<Handlers>
> => Effect.flatMap(GigaChat, (gc) => gc.completions.runTools(request, options))

/**
 * Downloads an answer's generated images with the `GigaChat` service of the context (see
 * `CompletionsService.downloadImages`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const completionsDownloadImages = (
  response: { readonly messages?: ReadonlyArray<Completions.ChatMessageChunk> | undefined }
): Effect.Effect<ReadonlyArray<GeneratedFile>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.completions.downloadImages(response))

/**
 * Runs a v1 tool loop with the `GigaChat` service of the context (see `Service.chatRunTools`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const chatRunTools = <Tools extends Tool.Any, Handlers extends ToolHandlers<Tools>>(
  request: ChatInput,
  options: RunToolsOptions<Tools, Handlers>
): Effect.Effect<
  ToolRun<XHeaders.WithXHeaders<Chat.ChatCompletion>, Chat.MessagesEncoded>,
  GigaChatError.GigaChatError | ToolHandlersError<Handlers>,
  GigaChat | ToolHandlersContext<Handlers>
> => Effect.flatMap(GigaChat, (gc) => gc.chatRunTools(request, options))
