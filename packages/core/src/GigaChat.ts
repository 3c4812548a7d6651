/**
 * The GigaChat API as an Effect service: v1 chat, streaming and structured output, embeddings, token counting,
 * models, files, balance, AI-text detection and function conversion. Every method returns an `Effect` (or a
 * `Stream`) whose error channel is `GigaChatError`; every decoded response carries `xHeaders`.
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
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as AccessToken from "./AccessToken.js"
import type * as AiCheck from "./AiCheck.js"
import * as Auth from "./Auth.js"
import type * as Balance from "./Balance.js"
import type * as Chat from "./Chat.js"
import type * as Embeddings from "./Embeddings.js"
import type * as Files from "./Files.js"
import type * as Functions from "./Functions.js"
import * as GigaChatConfig from "./GigaChatConfig.js"
import type * as GigaChatError from "./GigaChatError.js"
import * as HttpTransport from "./HttpTransport.js"
import * as internal from "./internal/gigachat.js"
import type * as Models from "./Models.js"
import type * as Tokens from "./Tokens.js"
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
   * Structured output: sends the Schema as a JSON Schema `response_format` and decodes the answer with it.
   * A cut answer (`finish_reason: "length"`) fails with `LengthFinishReasonError`.
   */
  readonly chatParse: <A, I>(
    request: ChatInput,
    schema: Schema.Schema<A, I>,
    options?: ParseOptions
  ) => Effect.Effect<Parsed<A, XHeaders.WithXHeaders<Chat.ChatCompletion>>, GigaChatError.GigaChatError>
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
  /** `POST /ai/check`: is the text written by a model? */
  readonly checkAi: (
    text: string,
    model: string
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
  /** Authenticates ahead of the first call; `None` when no token source is configured. */
  readonly getToken: () => Effect.Effect<Option.Option<AccessToken.AccessToken>, GigaChatError.GigaChatError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class GigaChat extends Context.Tag("@effect-gigachat/core/GigaChat")<GigaChat, Service>() {}

/**
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
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: GigaChatConfig.Options = {}
): Layer.Layer<
  GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> => Layer.provideMerge(layerServices, GigaChatConfig.layerConfig(options))

/**
 * @since 0.1.0
 * @category accessors
 */
export const chat = (
  request: ChatInput
): Effect.Effect<XHeaders.WithXHeaders<Chat.ChatCompletion>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.chat(request))

/**
 * @since 0.1.0
 * @category accessors
 */
export const stream = (
  request: ChatInput
): Stream.Stream<XHeaders.WithXHeaders<Chat.ChatCompletionChunk>, GigaChatError.GigaChatError, GigaChat> =>
  Stream.unwrap(Effect.map(GigaChat, (gc) => gc.stream(request)))

/**
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
 * @since 0.1.0
 * @category accessors
 */
export const embeddings = (
  texts: string | ReadonlyArray<string>,
  options?: { readonly model?: string | undefined }
): Effect.Effect<XHeaders.WithXHeaders<Embeddings.Embeddings>, GigaChatError.GigaChatError, GigaChat> =>
  Effect.flatMap(GigaChat, (gc) => gc.embeddings(texts, options))

/**
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
 * The text deltas of a stream only, skipping empty ones.
 *
 * @since 0.1.0
 * @category streaming
 */
export const streamText = <E, R>(
  self: Stream.Stream<Chat.ChatCompletionChunk, E, R>
): Stream.Stream<string, E, R> => internal.streamText(self)

/**
 * Folds the chunks of a stream into the completion a non-streaming call would have returned: the content and
 * reasoning concatenated per choice, the function call, the finish reason and the usage of the last chunk.
 *
 * @since 0.1.0
 * @category streaming
 */
export const accumulate: (
  chunks: Iterable<XHeaders.WithXHeaders<Chat.ChatCompletionChunk> | Chat.ChatCompletionChunk>
) => XHeaders.WithXHeaders<Chat.ChatCompletion> = internal.accumulate

/**
 * Runs a stream to its end and returns the folded completion (see `accumulate`).
 *
 * @since 0.1.0
 * @category streaming
 */
export const finalCompletion = <E, R>(
  self: Stream.Stream<XHeaders.WithXHeaders<Chat.ChatCompletionChunk>, E, R>
): Effect.Effect<XHeaders.WithXHeaders<Chat.ChatCompletion>, E, R> =>
  Effect.map(Stream.runCollect(self), (chunks) => accumulate(chunks))
