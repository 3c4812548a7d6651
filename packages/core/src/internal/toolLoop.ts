/**
 * The tool loops of the v1 and v2 chat APIs, one shape for both: send the request with the tools, and while the
 * answer calls functions, decode each call's arguments with its tool's Schema, run its handler, send the results
 * back, until an answer calls none or `maxSteps` requests were made.
 */
import * as Effect from "effect/Effect"
import * as Chat from "../Chat.js"
import * as Completions from "../Completions.js"
import type * as GigaChat from "../GigaChat.js"
import * as GigaChatError from "../GigaChatError.js"
import * as Tool from "../Tool.js"
import type * as XHeaders from "../XHeaders.js"
import * as telemetry from "./telemetry.js"

type Response = XHeaders.WithXHeaders<Completions.ChatCompletionResponse>

type ToolInput = NonNullable<Completions.ChatCompletionRequestInput["tools"]>[number]

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const toRequest = (input: GigaChat.CompletionsInput): Completions.ChatCompletionRequestInput =>
  typeof input === "string" ? { messages: [{ role: "user", content: input }] } : input

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
    telemetry.withSpan("GigaChat.tool", {
      operation: "execute_tool",
      attributes: { "gen_ai.tool.name": call.name },
      parent: true
    })
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

/**
 * The v2 tool loop over `create`: typed tools as a `functions` tool entry, `function_result` messages carrying the
 * tools state id.
 *
 * @internal
 */
export const runTools = (
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
        yield* telemetry.annotate({ "gen_ai.tool_loop.steps": step })
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
  }).pipe(telemetry.withSpan("GigaChat.completions.runTools", { parent: true, metrics: false }))

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
        yield* telemetry.annotate({ "gen_ai.tool_loop.steps": step })
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
  }).pipe(telemetry.withSpan("GigaChat.chatRunTools", { parent: true, metrics: false })) as any
