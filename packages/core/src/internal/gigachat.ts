/**
 * The `GigaChat` service: the v1 chat API (`chat`, `stream`, `chatParse`, `chatRunTools`) and the small endpoints
 * (embeddings, tokens, models, balance, AI check, files, functions, content filter) here, the v2 API in
 * `gigachatCompletions.ts`, batches in `gigachatBatches.ts`. Every method builds its request, checks it with its
 * Schema, and hands it to `HttpTransport`, which does the rest.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AiCheck from "../AiCheck.js"
import * as Auth from "../Auth.js"
import * as Balance from "../Balance.js"
import * as Chat from "../Chat.js"
import * as Embeddings from "../Embeddings.js"
import * as Files from "../Files.js"
import * as FilterCheck from "../FilterCheck.js"
import * as Functions from "../Functions.js"
import type * as GigaChat from "../GigaChat.js"
import * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import * as HttpTransport from "../HttpTransport.js"
import * as Models from "../Models.js"
import * as Tokens from "../Tokens.js"
import * as Tool from "../Tool.js"
import * as XHeaders from "../XHeaders.js"
import { make as makeAssistants } from "./gigachatAssistants.js"
import { make as makeBatches } from "./gigachatBatches.js"
import { make as makeCompletions } from "./gigachatCompletions.js"
import { make as makeThreads } from "./gigachatThreads.js"
import * as JsonCalls from "./jsonCalls.js"
import { withXHeaders } from "./jsonCalls.js"
import { chatUrlOf, streamWithChatUrl } from "./requestContext.js"
import { postJsonEither } from "./requestEncoding.js"
import { parseContent } from "./structuredOutput.js"
import * as telemetry from "./telemetry.js"
import * as ToolLoop from "./toolLoop.js"

/** Embeddings never use the chat model of the settings, as in the Python SDK. */
const defaultEmbeddingsModel = "Embeddings"

const toList = (input: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  typeof input === "string" ? [input] : input

/**
 * An id as one path segment: percent-encoded where a path segment cannot carry it, as httpx sends it (a model id
 * such as `GigaChat-2-Max:2.0.28.2` keeps its `:`).
 */
const pathSegment = (id: string) => encodeURIComponent(id).replace(/%(?:3A|40|24|26|2B|2C|3B|3D)/gi, decodeURIComponent)

/**
 * The form as multipart bytes with its boundary, encoded by the Fetch API. Sending bytes instead of the `FormData`
 * works with every `HttpClient`: undici 7's dispatcher rejects Node 20's global `FormData` ("action is not a
 * function"), and bytes can be sent again on a retry.
 */
const multipartBody = (form: FormData): Effect.Effect<HttpBody.Uint8Array, GigaChatError.InvalidRequestError> =>
  Effect.tryPromise({
    try: async () => {
      const encoded = new Response(form)
      const contentType = encoded.headers.get("content-type") ?? "multipart/form-data"
      return HttpBody.uint8Array(new Uint8Array(await encoded.arrayBuffer()), contentType)
    },
    catch: (cause) =>
      new GigaChatError.InvalidRequestError({ description: "the file to upload could not be read", cause }, {
        disableValidation: true
      })
  })

/** @internal */
export const make = Effect.gen(function*() {
  const config = yield* GigaChatConfig.GigaChatConfig
  const transport = yield* HttpTransport.HttpTransport
  const auth = yield* Auth.Auth
  // The platform's `http.client` spans (`httpSpans`) are the only spans made inside a call: only then is the call's
  // span made their parent.
  const nested = config.httpSpans
  const defaults: Chat.RequestDefaults = {
    model: config.model,
    profanityCheck: config.profanityCheck,
    flags: config.flags
  }

  // ---------------------------------------------------------------------------------------------------------------
  // v1 chat
  // ---------------------------------------------------------------------------------------------------------------

  // The request checked by its Schema and encoded, as a POST: nothing is sent when it is not valid.
  const chatPost = (request: GigaChat.ChatInput, stream: boolean, url: string | undefined) =>
    postJsonEither(
      url ?? "/chat/completions",
      Chat.encodeRequestEither(typeof request === "string" ? Chat.fromPrompt(request) : request, defaults, stream)
    )

  const chat = (request: GigaChat.ChatInput) =>
    // the fiber's request context may send it elsewhere (`RequestContext.withChatUrl`), read without an extra step
    Effect.withFiberRuntime<XHeaders.WithXHeaders<Chat.ChatCompletion>, GigaChatError.GigaChatError>((fiber) =>
      Either.match(chatPost(request, false, chatUrlOf(fiber, "chatUrl")), {
        onLeft: Effect.fail,
        onRight: (post) => Effect.map(transport.json(post, Chat.ChatCompletion), withXHeaders)
      })
    ).pipe(
      telemetry.withSpan("GigaChat.chat", {
        operation: "chat",
        attributes: { "gen_ai.request.model": requestModel(request, config) },
        onSuccess: (completion) => ({
          "gen_ai.response.model": completion.model,
          "gen_ai.response.finish_reasons": completion.choices.map((choice) => choice.finish_reason ?? ""),
          "gen_ai.usage.input_tokens": completion.usage.prompt_tokens,
          "gen_ai.usage.output_tokens": completion.usage.completion_tokens
        }),
        parent: nested
      })
    )

  const stream = (request: GigaChat.ChatInput) =>
    streamWithChatUrl("chatUrl", (url) =>
      Either.match(chatPost(request, true, url), {
        onLeft: Stream.fail,
        onRight: (post) =>
          transport.stream(post, Chat.ChatCompletionChunk, {
            span: {
              name: "GigaChat.stream",
              operation: "chat",
              attributes: { "gen_ai.request.model": requestModel(request, config) },
              onChunk: chunkAttributes
            }
          })
      }))

  const chatParse = <A, I>(
    request: GigaChat.ChatInput,
    schema: Schema.Schema<A, I>,
    options?: GigaChat.ParseOptions
  ) => {
    const base = typeof request === "string" ? Chat.fromPrompt(request) : request
    const withFormat = Effect.map(
      Chat.jsonResponseFormat(schema, options),
      (format): Chat.ChatRequestInput => ({ ...base, response_format: format })
    )
    return Effect.flatMap(Effect.flatMap(withFormat, chat), (completion): Effect.Effect<
      GigaChat.Parsed<A, XHeaders.WithXHeaders<Chat.ChatCompletion>>,
      GigaChatError.GigaChatError
    > => {
      const choice = completion.choices[0]
      if (choice === undefined) {
        return Effect.fail(new GigaChatError.DecodeError({ description: "the response has no choices" }))
      }
      if (choice.finish_reason === "length") {
        return Effect.fail(new GigaChatError.LengthFinishReasonError({ completion }, { disableValidation: true }))
      }
      return Effect.map(parseContent(schema, choice.message.content, completion), (parsed) => ({ completion, parsed }))
    }).pipe(telemetry.withSpan("GigaChat.chatParse", { parent: true, metrics: false }))
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the other endpoints
  // ---------------------------------------------------------------------------------------------------------------

  const { get, post: postJson, postNormalized } = JsonCalls.make(transport)

  const embeddings = (texts: string | ReadonlyArray<string>, options?: { readonly model?: string | undefined }) =>
    postJson(
      "/embeddings",
      Embeddings.EmbeddingsRequest,
      { input: toList(texts), model: options?.model ?? defaultEmbeddingsModel },
      Embeddings.Embeddings
    ).pipe(telemetry.withSpan("GigaChat.embeddings", {
      operation: "embeddings",
      attributes: { "gen_ai.request.model": options?.model ?? defaultEmbeddingsModel },
      onSuccess: (result) => ({
        "gen_ai.response.model": result.model,
        "gen_ai.usage.input_tokens": result.data.reduce((sum, item) => sum + (item.usage?.prompt_tokens ?? 0), 0)
      }),
      parent: nested
    }))

  const tokensCount = (input: string | ReadonlyArray<string>, options?: { readonly model?: string | undefined }) =>
    postJson(
      "/tokens/count",
      Tokens.TokensCountRequest,
      { model: options?.model ?? config.model ?? Chat.defaultModel, input: toList(input) },
      Tokens.TokensCountList
    ).pipe(telemetry.withSpan("GigaChat.tokensCount", { parent: nested }))

  const checkAi = (text: string, options: GigaChat.CheckAiOptions | string) => {
    const model = typeof options === "string" ? options : options?.model
    return postJson("/ai/check", AiCheck.AiCheckRequest, { input: text, model: model! }, AiCheck.AiCheckResult).pipe(
      telemetry.withSpan("GigaChat.checkAi", { attributes: { "gen_ai.request.model": model }, parent: nested })
    )
  }

  const getJson = <A, I>(path: string, schema: Schema.Schema<A, I>) => get(path, [], schema)

  const getModels = () =>
    getJson("/models", Models.Models).pipe(telemetry.withSpan("GigaChat.getModels", { parent: nested }))

  const getModel = (id: string) =>
    getJson(`/models/${pathSegment(id)}`, Models.Model).pipe(
      telemetry.withSpan("GigaChat.getModel", { attributes: { "gen_ai.request.model": id }, parent: nested })
    )

  const getBalance = () =>
    getJson("/balance", Balance.Balance).pipe(telemetry.withSpan("GigaChat.getBalance", { parent: nested }))

  const uploadFile = (upload: GigaChat.UploadFile) =>
    Effect.suspend(() => {
      const type = upload.mimeType ??
        (upload.file instanceof Blob && upload.file.type !== "" ? upload.file.type : Files.mimeTypeOf(upload.filename))
      const blob = upload.file instanceof Blob
        ? (upload.file.type === type ? upload.file : new Blob([upload.file], { type }))
        : new Blob([upload.file as Uint8Array<ArrayBuffer>], { type })
      const form = new FormData()
      form.append("file", blob, upload.filename)
      form.append("purpose", upload.purpose ?? "general")
      return Effect.flatMap(
        multipartBody(form),
        (body) => transport.json(HttpClientRequest.post("/files", { body }), Files.UploadedFile)
      )
    }).pipe(Effect.map(withXHeaders), telemetry.withSpan("GigaChat.uploadFile", { parent: nested }))

  const getFile = (id: string) =>
    getJson(`/files/${pathSegment(id)}`, Files.UploadedFile).pipe(
      telemetry.withSpan("GigaChat.getFile", { parent: nested })
    )

  const getFiles = () =>
    getJson("/files", Files.UploadedFiles).pipe(telemetry.withSpan("GigaChat.getFiles", { parent: nested }))

  const deleteFile = (id: string) =>
    Effect.map(
      transport.json(HttpClientRequest.post(`/files/${pathSegment(id)}/delete`), Files.DeletedFile),
      withXHeaders
    ).pipe(telemetry.withSpan("GigaChat.deleteFile", { parent: nested }))

  const getFileContent = (id: string) =>
    transport.bytes(
      HttpClientRequest.get(`/files/${pathSegment(id)}/content`, { headers: { accept: "*/*" } })
    ).pipe(telemetry.withSpan("GigaChat.getFileContent", { parent: nested }))

  const getImage = (id: string) =>
    transport.bytes(
      HttpClientRequest.get(`/files/${pathSegment(id)}/content`, { headers: { accept: "application/jpg" } })
    ).pipe(
      Effect.map(({ bytes, xHeaders }) => XHeaders.attach({ content: Encoding.encodeBase64(bytes) }, xHeaders)),
      telemetry.withSpan("GigaChat.getImage", { parent: nested })
    )

  const functionsConvert = (openapi: string) =>
    Effect.map(
      transport.json(
        HttpClientRequest.post("/functions/convert", { body: HttpBody.text(openapi, "text/plain") }),
        Functions.OpenApiFunctions
      ),
      withXHeaders
    ).pipe(telemetry.withSpan("GigaChat.functionsConvert", { parent: nested }))

  // Both bodies have defaults (`content`, `parameters.type`): `postNormalized` fills in a caller's shorthand.
  const filterCheck = (input: string | FilterCheck.FilterCheckInput) => {
    const request = typeof input === "string" ? Chat.fromPrompt(input) : input
    const body = { ...request, model: request.model ?? FilterCheck.defaultModel }
    return postNormalized("/filter/check", FilterCheck.FilterCheckRequest, body, FilterCheck.FilterCheckResult).pipe(
      telemetry.withSpan("GigaChat.filterCheck", { attributes: { "gen_ai.request.model": body.model }, parent: nested })
    )
  }

  const functionsValidate = (fn: Functions.FunctionInput | Tool.Any) =>
    postNormalized(
      "/functions/validate",
      Chat.Function,
      Tool.isTool(fn) ? Tool.toV1Function(fn) : fn,
      Functions.FunctionValidation
    ).pipe(telemetry.withSpan("GigaChat.functionsValidate", { parent: nested }))

  const getToken = () => auth.token.pipe(telemetry.withSpan("GigaChat.getToken", { parent: true, metrics: false }))

  return {
    chat,
    stream,
    chatParse,
    chatRunTools: (input, options) => ToolLoop.runChatTools(chat, input, options),
    embeddings,
    tokensCount,
    getModels,
    getModel,
    getBalance,
    checkAi,
    uploadFile,
    getFile,
    getFiles,
    deleteFile,
    getFileContent,
    getImage,
    functionsConvert,
    filterCheck,
    functionsValidate,
    batches: makeBatches({ transport, defaults, nested, getFileContent }),
    getToken,
    completions: makeCompletions({ config, transport, getFileContent }),
    assistants: makeAssistants({ config, transport }),
    threads: makeThreads({ config, transport })
  } satisfies GigaChat.Service
})

/** What a v1 stream chunk tells its span: the model, and on the last chunk the finish reasons and the usage. */
const chunkAttributes = (chunk: Chat.ChatCompletionChunk): Record<string, unknown> | undefined => {
  const finished = chunk.choices.filter((choice) => choice.finish_reason != null)
  if (finished.length === 0 && chunk.usage == null) return undefined
  return {
    "gen_ai.response.model": chunk.model,
    ...(finished.length > 0
      ? { "gen_ai.response.finish_reasons": finished.map((choice) => choice.finish_reason) }
      : {}),
    ...(chunk.usage != null
      ? {
        "gen_ai.usage.input_tokens": chunk.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": chunk.usage.completion_tokens
      }
      : {})
  }
}

const requestModel = (request: GigaChat.ChatInput, config: GigaChatConfig.Service): string =>
  (typeof request === "object" && request !== null && typeof request.model === "string" ? request.model : undefined) ??
    config.model ?? Chat.defaultModel
