import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as Chat from "../Chat.js"
import * as Completions from "../Completions.js"
import type * as GigaChat from "../GigaChat.js"
import type * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as Tool from "../Tool.js"
import * as XHeaders from "../XHeaders.js"
import { decodeEvents, eventDecoder, jsonSchemaOf, parseContent, sendJson } from "./decoding.js"
import * as Tracing from "./tracing.js"

type Response = XHeaders.WithXHeaders<Completions.ChatCompletionResponse>

type ToolInput = NonNullable<Completions.ChatCompletionRequestInput["tools"]>[number]

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
// tool loops
// -----------------------------------------------------------------------------------------------------------------

/** The default `maxSteps`: at most this many requests to the model. */
const defaultMaxSteps = 10

type AnyHandler = (args: unknown) => Effect.Effect<unknown, unknown, unknown>

interface Registry {
  readonly maxSteps: number
  readonly entries: ReadonlyMap<string, { readonly tool: Tool.Any; readonly handler: AnyHandler }>
}

/** Checks the options before anything is sent: a usable step limit, distinct names, a handler per tool. */
const makeRegistry = (
  label: string,
  options: GigaChat.RunToolsOptions<Tool.Any, GigaChat.ToolHandlers<Tool.Any>>
): Effect.Effect<Registry, GigaChatError.InvalidRequestError> =>
  Effect.suspend(() => {
    const maxSteps = options.maxSteps ?? defaultMaxSteps
    if (!Number.isInteger(maxSteps) || maxSteps < 1) {
      return Effect.fail(
        new GigaChatError.InvalidRequestError({
          description: `${label}: maxSteps must be a positive integer, got ${maxSteps}`
        })
      )
    }
    const handlers = options.handlers as unknown as Record<string, unknown>
    const entries = new Map<string, { readonly tool: Tool.Any; readonly handler: AnyHandler }>()
    for (const tool of options.tools) {
      if (entries.has(tool.name)) {
        return Effect.fail(
          new GigaChatError.InvalidRequestError({ description: `${label}: two tools are named "${tool.name}"` })
        )
      }
      const handler = Object.hasOwn(handlers, tool.name) ? handlers[tool.name] : undefined
      if (typeof handler !== "function") {
        return Effect.fail(
          new GigaChatError.InvalidRequestError({ description: `${label}: no handler for the tool "${tool.name}"` })
        )
      }
      entries.set(tool.name, { tool, handler: handler as AnyHandler })
    }
    return Effect.succeed({ maxSteps, entries })
  })

/**
 * Runs one function call: decodes its arguments with the tool's Schema, runs the handler and encodes the result
 * (a handler's `undefined` becomes `{}`, so a result is always sent).
 */
const runCall = (
  registry: Registry,
  call: { readonly name: string; readonly arguments?: unknown }
): Effect.Effect<unknown, unknown, unknown> => {
  const entry = registry.entries.get(call.name)
  if (entry === undefined) {
    return Effect.fail(
      new GigaChatError.DecodeError({
        description: `the model called the function "${call.name}", which is not one of the tools (${
          Array.from(registry.entries.keys()).join(", ")
        })`,
        body: JSON.stringify(call).slice(0, 500)
      }, { disableValidation: true })
    )
  }
  return Tool.decodeArguments(entry.tool, call.arguments).pipe(
    Effect.flatMap((args) => entry.handler(args)),
    Effect.flatMap((result) => Tool.encodeResult(entry.tool, result)),
    Effect.map((encoded) => encoded === undefined ? {} : encoded),
    Tracing.withSpan("GigaChat.tool", { "gen_ai.tool.name": call.name })
  )
}

const stepLimitError = (
  maxSteps: number,
  functions: ReadonlyArray<string>,
  response: unknown,
  messages: ReadonlyArray<unknown>
) => new GigaChatError.ToolLoopLimitError({ maxSteps, functions, response, messages }, { disableValidation: true })

/** The answer's assistant messages, ready to be sent back: each carries the tools state id. */
const assistantMessages = (response: Response): ReadonlyArray<Completions.ChatMessage> => {
  const assistant = response.messages.filter((message) => message.role === "assistant")
  return assistant.map((message) =>
    message.tools_state_id === undefined && response.tools_state_id !== undefined
      ? { ...message, tools_state_id: response.tools_state_id }
      : message
  )
}

/**
 * The request's tools with the typed tools' specifications: appended to the request's first `functions` entry when
 * it has one (one entry carries all client functions), else added as a new entry.
 */
const withFunctions = (
  tools: ReadonlyArray<ToolInput>,
  typed: ReadonlyArray<Tool.Any>
): ReadonlyArray<ToolInput> => {
  if (typed.length === 0) return tools
  const specifications = Tool.toV2Tool(typed).functions.specifications
  const index = tools.findIndex((tool) => isPlainObject(tool) && isPlainObject(tool.functions))
  if (index === -1) return [...tools, { functions: { specifications } }]
  const entry = tools[index] as Completions.ChatTool
  const merged: ToolInput = {
    ...entry,
    functions: { ...entry.functions, specifications: [...(entry.functions?.specifications ?? []), ...specifications] }
  }
  return tools.map((tool, i) => i === index ? merged : tool)
}

const runTools = (
  create: (request: GigaChat.CompletionsInput) => Effect.Effect<Response, GigaChatError.GigaChatError>,
  input: GigaChat.CompletionsInput,
  options: GigaChat.RunToolsOptions<Tool.Any, GigaChat.ToolHandlers<Tool.Any>>
): Effect.Effect<GigaChat.ToolRun<Response, Completions.ChatMessageInput>, unknown, unknown> =>
  Effect.gen(function*() {
    const registry = yield* makeRegistry("runTools", options)
    const request = toRequest(input)
    const tools = withFunctions(request.tools ?? [], options.tools)
    // not an array: the first request fails with the typed InvalidRequestError of `encodeRequest`
    const messages: Array<Completions.ChatMessageInput> = Array.isArray(request.messages) ? [...request.messages] : []
    let toolConfig = request.tool_config
    for (let step = 1;; step++) {
      const response = yield* create({ ...request, tools, tool_config: toolConfig, messages: [...messages] })
      const answer = assistantMessages(response)
      const calls = Completions.functionCalls({ messages: answer })
      if (calls.length === 0) {
        yield* Tracing.annotate({ "gen_ai.tool_loop.steps": step })
        return { response, messages: [...messages, ...answer], steps: step }
      }
      if (step >= registry.maxSteps) {
        return yield* stepLimitError(registry.maxSteps, calls.map((call) => call.name), response, messages)
      }
      const stateId = answer[answer.length - 1]?.tools_state_id ?? response.tools_state_id
      messages.push(...answer)
      for (const call of calls) {
        const result = yield* runCall(registry, call)
        // the Python SDK's key order: content, tools_state_id, role
        messages.push({
          content: [{ function_result: { name: call.name, result } }],
          ...(stateId !== undefined ? { tools_state_id: stateId } : {}),
          role: "tool"
        })
      }
      // a forced call would be forced again on every request: the answer could never come
      if (toolConfig?.mode === "forced") toolConfig = undefined
    }
  }).pipe(Tracing.withSpan("GigaChat.completions.runTools"))

/**
 * The v1 tool loop over `chat`: `functions`, `function_call` and `role: "function"` messages.
 *
 * @internal
 */
export const runChatTools = <Tools extends Tool.Any, Handlers extends GigaChat.ToolHandlers<Tools>>(
  chat: (
    request: GigaChat.ChatInput
  ) => Effect.Effect<XHeaders.WithXHeaders<Chat.ChatCompletion>, GigaChatError.GigaChatError>,
  input: GigaChat.ChatInput,
  options: GigaChat.RunToolsOptions<Tools, Handlers>
): Effect.Effect<
  GigaChat.ToolRun<XHeaders.WithXHeaders<Chat.ChatCompletion>, Chat.MessagesEncoded>,
  GigaChatError.GigaChatError | GigaChat.ToolHandlersError<Handlers>,
  GigaChat.ToolHandlersContext<Handlers>
> =>
  Effect.gen(function*() {
    const registry = yield* makeRegistry("chatRunTools", options as any)
    const request: Chat.ChatRequestInput = typeof input === "string" ? Chat.fromPrompt(input) : input
    const functions = [
      ...(request.functions ?? []),
      ...options.tools.map((tool) => Tool.toV1Function(tool) as Chat.Function)
    ]
    const messages: Array<Chat.MessagesEncoded> = Array.isArray(request.messages) ? [...request.messages] : []
    let functionCall = request.function_call
    for (let step = 1;; step++) {
      const completion = yield* chat({ ...request, functions, function_call: functionCall, messages: [...messages] })
      const choice = completion.choices[0]
      if (choice === undefined) {
        return yield* new GigaChatError.DecodeError({ description: "the response has no choices" })
      }
      const call = choice.message.function_call
      if (call === undefined) {
        yield* Tracing.annotate({ "gen_ai.tool_loop.steps": step })
        return { response: completion, messages: [...messages, choice.message], steps: step }
      }
      if (step >= registry.maxSteps) {
        return yield* stepLimitError(registry.maxSteps, [call.name], completion, messages)
      }
      messages.push(choice.message)
      const result = yield* runCall(registry, call)
      messages.push({ role: "function", name: call.name, content: JSON.stringify(result) })
      // a forced call would be forced again on every request: the answer could never come
      if (typeof functionCall === "object" && functionCall !== null) functionCall = undefined
    }
  }).pipe(Tracing.withSpan("GigaChat.chatRunTools")) as any

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
  const url = Completions.resolveUrl(config.baseUrl, config.chatCompletionsUrl)
  const method = "POST"
  const defaults: Completions.RequestDefaults = {
    model: config.model,
    profanityCheck: config.profanityCheck,
    flags: config.flags
  }
  const post = (body: HttpBody.HttpBody) => HttpClientRequest.post(url, { body })
  const encode = (request: Completions.ChatCompletionRequestInput, stream: boolean) => () =>
    Completions.encodeRequestEither(request, defaults, stream)

  const create = (input: GigaChat.CompletionsInput): Effect.Effect<Response, GigaChatError.GigaChatError> => {
    const request = toRequest(input)
    return sendJson(encode(request, false), (body) =>
      Effect.map(
        transport.json(post(body), Completions.ChatCompletionResponse),
        ({ value, xHeaders }) => XHeaders.attach(value, xHeaders)
      )).pipe(
        Tracing.withSpan(
          "GigaChat.completions.create",
          { "gen_ai.request.model": requestModel(request, config) },
          (response) =>
            definedAttributes({
              "gen_ai.response.model": response.model,
              "gen_ai.response.finish_reasons": response.finish_reason,
              "gen_ai.usage.input_tokens": response.usage?.input_tokens,
              "gen_ai.usage.output_tokens": response.usage?.output_tokens
            })
        )
      )
  }

  const stream = (input: GigaChat.CompletionsInput) => {
    const request = toRequest(input)
    return Tracing.unwrapStreamWithSpan("GigaChat.completions.stream", {
      "gen_ai.request.model": requestModel(request, config)
    })(
      sendJson(encode(request, true), (body) => transport.events(post(body))).pipe(
        Effect.map((opened) =>
          decodeEvents(
            opened.events,
            eventDecoder(Completions.ChatCompletionChunk, method, url, opened, (json, event) =>
              withEventName(json, event.event))
          )
        )
      )
    )
  }

  const parse = <A, I>(
    input: GigaChat.CompletionsInput,
    schema: Schema.Schema<A, I>,
    options?: GigaChat.ParseOptions
  ) =>
    Effect.gen(function*() {
      const request = toRequest(input)
      const jsonSchema = yield* jsonSchemaOf(schema)
      const response = yield* create({
        ...request,
        model_options: {
          ...request.model_options,
          response_format: { type: "json_schema", schema: jsonSchema, strict: options?.strict ?? true }
        }
      })
      return yield* parseResponse(schema, response)
    }).pipe(Tracing.withSpan("GigaChat.completions.parse"))

  const downloadImages = (
    response: { readonly messages?: ReadonlyArray<Completions.ChatMessageChunk> | undefined }
  ) =>
    Effect.forEach(
      imageFiles(response),
      (file) => Effect.map(getFileContent(file.id), (content): GigaChat.GeneratedFile => ({ file, content }))
    ).pipe(Tracing.withSpan("GigaChat.completions.downloadImages"))

  return {
    create,
    stream,
    parse,
    runTools: (input, options) => runTools(create, input, options as any) as any,
    downloadImages
  }
}
