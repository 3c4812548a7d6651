import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AiCheck from "../AiCheck.js"
import * as Auth from "../Auth.js"
import * as Balance from "../Balance.js"
import * as Chat from "../Chat.js"
import * as Embeddings from "../Embeddings.js"
import * as Files from "../Files.js"
import * as Functions from "../Functions.js"
import type * as GigaChat from "../GigaChat.js"
import * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import * as HttpTransport from "../HttpTransport.js"
import * as Models from "../Models.js"
import * as Tokens from "../Tokens.js"
import * as XHeaders from "../XHeaders.js"
import { make as makeCompletions } from "./completions.js"
import { decodeEvents, eventDecoder, jsonSchemaOf, parseContent, sendJson } from "./decoding.js"
import * as Tracing from "./tracing.js"

/** Embeddings never use the chat model of the settings, as in the Python SDK. */
const defaultEmbeddingsModel = "Embeddings"

const toList = (input: string | ReadonlyArray<string>): ReadonlyArray<string> =>
  typeof input === "string" ? [input] : input

/** Arrays (the token counts) keep being arrays, with `xHeaders` as an extra property. */
const withXHeaders = <A>(decoded: HttpTransport.Decoded<A>): XHeaders.WithXHeaders<A> =>
  (Array.isArray(decoded.value)
    ? Object.assign(decoded.value.slice(), { xHeaders: decoded.xHeaders })
    : XHeaders.attach(decoded.value as object, decoded.xHeaders)) as XHeaders.WithXHeaders<A>

const pathSegment = (id: string) => encodeURIComponent(id)

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
  const defaults: Chat.RequestDefaults = {
    model: config.model,
    profanityCheck: config.profanityCheck,
    flags: config.flags
  }

  const chatBody = (request: GigaChat.ChatInput, stream: boolean) => () =>
    Chat.encodeRequestEither(typeof request === "string" ? Chat.fromPrompt(request) : request, defaults, stream)
  const chatPost = (body: HttpBody.HttpBody) => HttpClientRequest.post("/chat/completions", { body })

  const chat = (request: GigaChat.ChatInput) =>
    sendJson(
      chatBody(request, false),
      (body) => Effect.map(transport.json(chatPost(body), Chat.ChatCompletion), withXHeaders)
    ).pipe(
      Tracing.withSpan(
        "GigaChat.chat",
        { "gen_ai.request.model": requestModel(request, config) },
        (completion) => ({
          "gen_ai.response.model": completion.model,
          "gen_ai.usage.input_tokens": completion.usage.prompt_tokens,
          "gen_ai.usage.output_tokens": completion.usage.completion_tokens
        })
      )
    )

  const stream = (request: GigaChat.ChatInput) =>
    // The span covers the whole stream, not only the wait for the response headers.
    Tracing.unwrapStreamWithSpan("GigaChat.stream", { "gen_ai.request.model": requestModel(request, config) })(
      sendJson(chatBody(request, true), (body) => transport.events(chatPost(body))).pipe(
        Effect.map((opened) =>
          decodeEvents(
            opened.events,
            eventDecoder(
              Chat.ChatCompletionChunk,
              "POST",
              GigaChatConfig.resolveUrl(config.baseUrl, "/chat/completions"),
              opened
            )
          )
        )
      )
    )

  const chatParse = <A, I>(
    request: GigaChat.ChatInput,
    schema: Schema.Schema<A, I>,
    options?: GigaChat.ParseOptions
  ) => {
    const base = typeof request === "string" ? Chat.fromPrompt(request) : request
    const withFormat = Effect.map(jsonSchemaOf(schema), (jsonSchema): Chat.ChatRequestInput => ({
      ...base,
      response_format: { type: "json_schema", schema: jsonSchema, strict: options?.strict ?? true }
    }))
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
    }).pipe(Tracing.withSpan("GigaChat.chatParse"))
  }

  const embeddings = (texts: string | ReadonlyArray<string>, options?: { readonly model?: string | undefined }) =>
    transport.json(
      HttpClientRequest.post("/embeddings", {
        body: HttpBody.unsafeJson({ input: toList(texts), model: options?.model ?? defaultEmbeddingsModel })
      }),
      Embeddings.Embeddings
    ).pipe(Effect.map(withXHeaders), Tracing.withSpan("GigaChat.embeddings"))

  const tokensCount = (input: string | ReadonlyArray<string>, options?: { readonly model?: string | undefined }) =>
    transport.json(
      HttpClientRequest.post("/tokens/count", {
        body: HttpBody.unsafeJson({ model: options?.model ?? config.model ?? Chat.defaultModel, input: toList(input) })
      }),
      Tokens.TokensCountList
    ).pipe(Effect.map(withXHeaders), Tracing.withSpan("GigaChat.tokensCount"))

  const getModels = () =>
    transport.json(HttpClientRequest.get("/models"), Models.Models).pipe(
      Effect.map(withXHeaders),
      Tracing.withSpan("GigaChat.getModels")
    )

  const getModel = (id: string) =>
    transport.json(HttpClientRequest.get(`/models/${pathSegment(id)}`), Models.Model).pipe(
      Effect.map(withXHeaders),
      Tracing.withSpan("GigaChat.getModel", { model: id })
    )

  const getBalance = () =>
    transport.json(HttpClientRequest.get("/balance"), Balance.Balance).pipe(
      Effect.map(withXHeaders),
      Tracing.withSpan("GigaChat.getBalance")
    )

  const checkAi = (text: string, model: string) =>
    transport.json(
      HttpClientRequest.post("/ai/check", { body: HttpBody.unsafeJson({ input: text, model }) }),
      AiCheck.AiCheckResult
    ).pipe(Effect.map(withXHeaders), Tracing.withSpan("GigaChat.checkAi", { model }))

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
    }).pipe(Effect.map(withXHeaders), Tracing.withSpan("GigaChat.uploadFile"))

  const getFile = (id: string) =>
    transport.json(HttpClientRequest.get(`/files/${pathSegment(id)}`), Files.UploadedFile).pipe(
      Effect.map(withXHeaders),
      Tracing.withSpan("GigaChat.getFile")
    )

  const getFiles = () =>
    transport.json(HttpClientRequest.get("/files"), Files.UploadedFiles).pipe(
      Effect.map(withXHeaders),
      Tracing.withSpan("GigaChat.getFiles")
    )

  const deleteFile = (id: string) =>
    transport.json(HttpClientRequest.post(`/files/${pathSegment(id)}/delete`), Files.DeletedFile).pipe(
      Effect.map(withXHeaders),
      Tracing.withSpan("GigaChat.deleteFile")
    )

  const getFileContent = (id: string) =>
    transport.bytes(
      HttpClientRequest.get(`/files/${pathSegment(id)}/content`, { headers: { accept: "*/*" } })
    ).pipe(Tracing.withSpan("GigaChat.getFileContent"))

  const getImage = (id: string) =>
    transport.bytes(
      HttpClientRequest.get(`/files/${pathSegment(id)}/content`, { headers: { accept: "application/jpg" } })
    ).pipe(
      Effect.map(({ bytes, xHeaders }) => XHeaders.attach({ content: Encoding.encodeBase64(bytes) }, xHeaders)),
      Tracing.withSpan("GigaChat.getImage")
    )

  const functionsConvert = (openapi: string) =>
    transport.json(
      HttpClientRequest.post("/functions/convert", { body: HttpBody.text(openapi, "text/plain") }),
      Functions.OpenApiFunctions
    ).pipe(Effect.map(withXHeaders), Tracing.withSpan("GigaChat.functionsConvert"))

  const getToken = () => auth.token.pipe(Tracing.withSpan("GigaChat.getToken"))

  return {
    chat,
    stream,
    chatParse,
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
    getToken,
    completions: makeCompletions({ config, transport, getFileContent })
  } satisfies GigaChat.Service
})

const requestModel = (request: GigaChat.ChatInput, config: GigaChatConfig.Service): string =>
  (typeof request === "object" && request !== null && typeof request.model === "string" ? request.model : undefined) ??
    config.model ?? Chat.defaultModel

/** @internal */
export const streamText = <E, R>(self: Stream.Stream<Chat.ChatCompletionChunk, E, R>): Stream.Stream<string, E, R> =>
  Stream.filterMap(self, (chunk) => {
    const content = chunk.choices[0]?.delta.content
    return content === undefined || content === null || content === "" ? Option.none() : Option.some(content)
  })

/** @internal */
export const accumulate = (
  chunks: Iterable<XHeaders.WithXHeaders<Chat.ChatCompletionChunk> | Chat.ChatCompletionChunk>
): XHeaders.WithXHeaders<Chat.ChatCompletion> => {
  const choices = new Map<number, {
    role: string
    content: string
    reasoning: string | undefined
    functionCall: Chat.FunctionCall | undefined
    functionsStateId: string | undefined
    finishReason: string | undefined
  }>()
  let created = 0
  let model = ""
  let object = "chat.completion"
  let usage: Chat.Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
  let xHeaders: XHeaders.XHeaders = XHeaders.empty
  for (const chunk of chunks) {
    created = chunk.created
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
    usage,
    xHeaders
  }
}
