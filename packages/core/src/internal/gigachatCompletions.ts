/**
 * The v2 chat API of the `GigaChat` service (`gc.completions`): `POST /api/v2/chat/completions` as JSON and as a
 * stream, structured output, the tool loop and the download of generated images.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Completions from "../Completions.js"
import type * as GigaChat from "../GigaChat.js"
import type * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as XHeaders from "../XHeaders.js"
import { chatUrlOf, streamWithChatUrl } from "./requestContext.js"
import { postJsonEither } from "./requestEncoding.js"
import { parseContent, responseFormat } from "./structuredOutput.js"
import * as telemetry from "./telemetry.js"
import * as ToolLoop from "./toolLoop.js"

type Response = XHeaders.WithXHeaders<Completions.ChatCompletionResponse>

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const toRequest = (input: GigaChat.CompletionsInput): Completions.ChatCompletionRequestInput =>
  typeof input === "string" ? { messages: [{ role: "user", content: input }] } : input

const requestModel = (request: Completions.ChatCompletionRequestInput, config: GigaChatConfig.Service): string =>
  (typeof request === "object" && request !== null && typeof request.model === "string" && request.model !== ""
    ? request.model
    : undefined) ??
    config.model ?? Completions.defaultModel

/** Span attributes without the values the response did not carry. */
const definedAttributes = (attributes: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined))

/** What a response (or the stream's `done` event) tells its span. */
const responseAttributes = (
  response: Completions.ChatCompletionResponse | Completions.ChatCompletionChunk
): Record<string, unknown> =>
  definedAttributes({
    "gen_ai.response.model": response.model,
    "gen_ai.response.finish_reasons": response.finish_reason === undefined ? undefined : [response.finish_reason],
    "gen_ai.usage.input_tokens": response.usage?.input_tokens,
    "gen_ai.usage.output_tokens": response.usage?.output_tokens
  })

/** The SSE event name goes into the payload as `event`, unless the payload has its own (the Python SDK's rule). */
const withEventName = (json: unknown, name: string | undefined): unknown =>
  name !== undefined && isPlainObject(json) && !("event" in json) ? { ...json, event: name } : json

/** The text parts of a message, concatenated. */
const messageText = (message: Completions.ChatMessage): string => {
  let text = ""
  for (const part of message.content ?? []) {
    if (typeof part.text === "string") text += part.text
  }
  return text
}

const lengthError = (response: Response) =>
  new GigaChatError.LengthFinishReasonError({ completion: response }, { disableValidation: true })

/** Reads the structured answer as the Python SDK's `chat.parse` does. */
const parseResponse = <A, I>(
  schema: Schema.Schema<A, I>,
  response: Response
): Effect.Effect<GigaChat.Parsed<A, Response>, GigaChatError.GigaChatError> => {
  if (response.messages.length === 0) {
    return Effect.fail(new GigaChatError.DecodeError({ description: "the response has no messages" }))
  }
  if (response.finish_reason === "length") return Effect.fail(lengthError(response))
  for (const message of response.messages) {
    if (message.role !== "assistant") continue
    if (message.finish_reason === "length") return Effect.fail(lengthError(response))
    const text = messageText(message)
    if (text !== "") {
      return Effect.map(parseContent(schema, text, response), (parsed) => ({ completion: response, parsed }))
    }
  }
  return Effect.fail(
    new GigaChatError.DecodeError({
      description: "the response has no assistant message with text",
      body: JSON.stringify(response.messages).slice(0, 500)
    }, { disableValidation: true })
  )
}

/** The images of an answer: `files` entries of content parts with `target: "image"`, each id once. */
const imageFiles = (
  response: { readonly messages?: ReadonlyArray<Completions.ChatMessageChunk> | undefined }
): ReadonlyArray<Completions.ChatContentFile> => {
  const seen = new Set<string>()
  const files: Array<Completions.ChatContentFile> = []
  for (const message of response.messages ?? []) {
    for (const part of message.content ?? []) {
      for (const file of part.files ?? []) {
        if (file.target !== "image" || seen.has(file.id)) continue
        seen.add(file.id)
        files.push(file)
      }
    }
  }
  return files
}

// -----------------------------------------------------------------------------------------------------------------
// service
// -----------------------------------------------------------------------------------------------------------------

/**
 * What the v2 chat API needs from the `GigaChat` service under construction.
 *
 * @internal
 */
export interface Dependencies {
  readonly config: GigaChatConfig.Service
  readonly transport: HttpTransport.Service
  readonly getFileContent: (id: string) => Effect.Effect<GigaChat.FileContent, GigaChatError.GigaChatError>
}

/**
 * The `completions` part of the `GigaChat` service.
 *
 * @internal
 */
export const make = ({ config, getFileContent, transport }: Dependencies): GigaChat.CompletionsService => {
  // absolute, so HttpTransport's resolver keeps it as it is
  const url = Completions.chatCompletionsUrl(config.baseUrl, config.chatCompletionsUrl)
  // See `nested` in gigachat.ts.
  const nested = config.httpSpans
  const defaults: Completions.RequestDefaults = {
    model: config.model,
    profanityCheck: config.profanityCheck,
    flags: config.flags
  }
  // The request checked by its Schema and encoded, as a POST: nothing is sent when it is not valid.
  // `RequestContext.withChatCompletionsUrl` replaces the setting for the calls of one fiber.
  const post = (request: Completions.ChatCompletionRequestInput, stream: boolean, override: string | undefined) =>
    postJsonEither(
      override === undefined ? url : Completions.chatCompletionsUrl(config.baseUrl, override),
      Completions.encodeRequestEither(request, defaults, stream)
    )

  const create = (input: GigaChat.CompletionsInput): Effect.Effect<Response, GigaChatError.GigaChatError> => {
    const request = toRequest(input)
    return Effect.withFiberRuntime<Response, GigaChatError.GigaChatError>((fiber) =>
      Either.match(post(request, false, chatUrlOf(fiber, "chatCompletionsUrl")), {
        onLeft: Effect.fail,
        onRight: (post) =>
          Effect.map(
            transport.json(post, Completions.ChatCompletionResponse),
            ({ value, xHeaders }) => XHeaders.attach(value, xHeaders)
          )
      })
    ).pipe(
      telemetry.withSpan<Response>("GigaChat.completions.create", {
        operation: "chat",
        attributes: { "gen_ai.request.model": requestModel(request, config) },
        onSuccess: responseAttributes,
        parent: nested
      })
    )
  }

  const stream = (input: GigaChat.CompletionsInput) => {
    const request = toRequest(input)
    return streamWithChatUrl("chatCompletionsUrl", (override) =>
      Either.match(post(request, true, override), {
        onLeft: Stream.fail,
        onRight: (post) =>
          transport.stream(post, Completions.ChatCompletionChunk, {
            prepare: (json, event) => withEventName(json, event.event),
            span: {
              name: "GigaChat.completions.stream",
              operation: "chat",
              attributes: { "gen_ai.request.model": requestModel(request, config) },
              // The `done` event carries the finish reason and the usage.
              onChunk: (chunk) =>
                chunk.finish_reason === undefined && chunk.usage === undefined ? undefined : responseAttributes(chunk)
            }
          })
      }))
  }

  const parse = <A, I>(
    input: GigaChat.CompletionsInput,
    schema: Schema.Schema<A, I>,
    options?: GigaChat.ParseOptions
  ) =>
    Effect.gen(function*() {
      const request = toRequest(input)
      const format = yield* responseFormat(schema, options)
      const response = yield* create({
        ...request,
        model_options: { ...request.model_options, response_format: format }
      })
      return yield* parseResponse(schema, response)
    }).pipe(telemetry.withSpan("GigaChat.completions.parse", { parent: true, metrics: false }))

  const downloadImages = (
    response: { readonly messages?: ReadonlyArray<Completions.ChatMessageChunk> | undefined }
  ) =>
    Effect.forEach(
      imageFiles(response),
      (file) => Effect.map(getFileContent(file.id), (content): GigaChat.GeneratedFile => ({ file, content }))
    ).pipe(telemetry.withSpan("GigaChat.completions.downloadImages", { parent: true, metrics: false }))

  return {
    create,
    stream,
    parse,
    runTools: (input, options) => ToolLoop.runTools(create, input, options as any) as any,
    downloadImages
  }
}
