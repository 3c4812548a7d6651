/**
 * v1 and v2 chat of the emulator: reads a request, decides what the assistant answers (text, a function call or
 * structured output) and renders it as a JSON body or as SSE frames in the shape the real server uses.
 */
import { asksForImage, chooseFunction, functionArguments, structuredValue } from "./prompt.js"
import { countTokens, describeFunctionResult, fitsSchema, replyTo, sampleRegex, splitWords } from "./text.js"

type JsonObject = Record<string, unknown>

const isRecord = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * What the chat handlers need from the emulator.
 *
 * @internal
 */
export interface ChatEnvironment {
  readonly isChatModel: (model: string) => boolean
  readonly fileExists: (id: string) => boolean
  readonly nowSeconds: number
  readonly uuid: () => string
  /** Stores a generated JPEG for the prompt and returns its file id. */
  readonly createImage: (prompt: string) => string
}

/**
 * The outcome of a chat request: an error response, a JSON body, or the frames of an SSE body.
 *
 * @internal
 */
export type ChatOutcome =
  | { readonly _tag: "Error"; readonly status: number; readonly message: string }
  | { readonly _tag: "Json"; readonly body: unknown }
  | { readonly _tag: "Sse"; readonly frames: ReadonlyArray<string> }

interface FunctionSpec {
  readonly name: string
  readonly description?: string | undefined
  readonly parameters: unknown
}

interface ResponseFormat {
  readonly type: string
  readonly schema?: unknown
  readonly regex?: unknown
}

/** A request, reduced to what decides the answer. */
interface Conversation {
  readonly lastUserText: string
  readonly functionResult: { readonly name: string; readonly result: unknown } | undefined
  readonly functions: ReadonlyArray<FunctionSpec>
  readonly forcedFunction: { readonly name: string; readonly partialArguments: unknown } | undefined
  readonly functionsDisabled: boolean
  readonly responseFormat: ResponseFormat | undefined
  readonly promptTokens: number
  /** `"forced"` when the request forces the image tool, `"offered"` when it only makes it available. */
  readonly imageTool: "forced" | "offered" | undefined
}

type Answer =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "FunctionCall"; readonly name: string; readonly arguments: JsonObject }
  | { readonly _tag: "Image"; readonly fileId: string; readonly text: string }

const error = (status: number, message: string): ChatOutcome => ({ _tag: "Error", status, message })

const parseMaybeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const structuredAnswer = (format: ResponseFormat, prompt: string): string | undefined => {
  if (format.type === "json_schema") {
    const schema = format.schema
    const start = prompt.indexOf("{")
    const end = prompt.lastIndexOf("}")
    if (start !== -1 && end > start) {
      const quoted = parseMaybeJson(prompt.slice(start, end + 1))
      if (fitsSchema(quoted, schema)) return JSON.stringify(quoted, null, 4)
    }
    return JSON.stringify(structuredValue(schema, prompt), null, 4)
  }
  if (format.type === "regex") {
    return (typeof format.regex === "string" ? sampleRegex(format.regex) : undefined) ?? "emulator"
  }
  return undefined
}

const imageAnswer = (conversation: Conversation, environment: ChatEnvironment): Answer => ({
  _tag: "Image",
  fileId: environment.createImage(conversation.lastUserText),
  text: "Here is the image you asked for."
})

const answer = (conversation: Conversation, environment: ChatEnvironment): Answer => {
  if (conversation.functionResult !== undefined) {
    return {
      _tag: "Text",
      text: describeFunctionResult(conversation.functionResult.name, conversation.functionResult.result)
    }
  }
  if (conversation.imageTool === "forced") return imageAnswer(conversation, environment)
  if (conversation.functions.length > 0 && !conversation.functionsDisabled) {
    const forced = conversation.forcedFunction
    const spec = forced !== undefined ?
      conversation.functions.find((f) => f.name === forced.name) ?? { name: forced.name, parameters: undefined } :
      chooseFunction(conversation.lastUserText, conversation.functions)
    if (spec !== undefined) {
      const partial = forced?.partialArguments
      const args = functionArguments(spec.parameters, conversation.lastUserText)
      return { _tag: "FunctionCall", name: spec.name, arguments: isRecord(partial) ? { ...args, ...partial } : args }
    }
  }
  if (conversation.imageTool === "offered" && asksForImage(conversation.lastUserText)) {
    return imageAnswer(conversation, environment)
  }
  if (conversation.responseFormat !== undefined) {
    const structured = structuredAnswer(conversation.responseFormat, conversation.lastUserText)
    if (structured !== undefined) return { _tag: "Text", text: structured }
  }
  return { _tag: "Text", text: replyTo(conversation.lastUserText) }
}

const completionTokens = (answer: Answer): number =>
  Math.max(1, countTokens(answer._tag === "FunctionCall" ? JSON.stringify(answer.arguments) : answer.text))

/** The v1 text of an answer: an image is the `<img>` tag the real API writes, then a sentence. */
const v1Text = (answer: Answer): string =>
  answer._tag === "Text" ? answer.text : answer._tag === "Image" ?
    `<img src="${answer.fileId}" fuse="true"/> ${answer.text}` :
    ""

const functionSpecs = (value: unknown): Array<FunctionSpec> =>
  Array.isArray(value) ?
    value.flatMap((item) =>
      isRecord(item) && typeof item.name === "string" ?
        [{
          name: item.name,
          description: typeof item.description === "string" ? item.description : undefined,
          parameters: item.parameters
        }] :
        []
    ) :
    []

const responseFormatOf = (value: unknown): ResponseFormat | undefined =>
  isRecord(value) && typeof value.type === "string" ? value as unknown as ResponseFormat : undefined

const modelOf = (body: JsonObject): string => typeof body.model === "string" ? body.model : "GigaChat"

const servedModel = (model: string): string => `${model}:emulator`

// ---------------------------------------------------------------------------------------------------------------
// v1: POST /api/v1/chat/completions
// ---------------------------------------------------------------------------------------------------------------

const v1Conversation = (body: JsonObject, environment: ChatEnvironment): Conversation | ChatOutcome => {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isRecord)) {
    return error(422, "Invalid params: messages must be a non-empty array of messages")
  }
  let promptTokens = 0
  let lastUserText = ""
  for (const message of messages) {
    if (typeof message.role !== "string") return error(422, "Invalid params: every message needs a role")
    const content = typeof message.content === "string" ? message.content : ""
    promptTokens += countTokens(content)
    if (message.role === "user") lastUserText = content
    if (Array.isArray(message.attachments)) {
      for (const id of message.attachments) {
        if (typeof id !== "string" || !environment.fileExists(id)) {
          return error(400, `Invalid file id in attachments: ${String(id)}`)
        }
      }
    }
  }
  const last = messages[messages.length - 1]
  let functionResult: Conversation["functionResult"] = undefined
  if (last.role === "function") {
    const previousCall = messages.slice(0, -1).reverse().find((m) => isRecord(m.function_call))
    const name = typeof last.name === "string" ?
      last.name :
      previousCall !== undefined && isRecord(previousCall.function_call) &&
        typeof previousCall.function_call.name === "string" ?
      previousCall.function_call.name :
      "function"
    functionResult = { name, result: parseMaybeJson(typeof last.content === "string" ? last.content : "") }
  }
  const functionCall = body.function_call
  // v1 reaches its built-in text2image only with `function_call: "auto"` (or by naming it).
  const imageTool = isRecord(functionCall) && functionCall.name === "text2image" ?
    "forced" :
    functionCall === "auto" ?
    "offered" :
    undefined
  return {
    imageTool,
    lastUserText,
    functionResult,
    functions: functionSpecs(body.functions),
    forcedFunction: isRecord(functionCall) && typeof functionCall.name === "string" ?
      { name: functionCall.name, partialArguments: functionCall.partial_arguments } :
      undefined,
    functionsDisabled: functionCall === "none",
    responseFormat: responseFormatOf(body.response_format),
    promptTokens: Math.max(1, promptTokens)
  }
}

const v1Usage = (promptTokens: number, completion: number) => ({
  prompt_tokens: promptTokens,
  completion_tokens: completion,
  total_tokens: promptTokens + completion,
  precached_prompt_tokens: 0
})

/**
 * Answers a v1 chat request.
 *
 * @internal
 */
export const v1 = (body: unknown, environment: ChatEnvironment): ChatOutcome => {
  if (!isRecord(body)) return error(422, "Invalid params: the body must be a JSON object")
  const model = modelOf(body)
  if (!environment.isChatModel(model)) return error(404, "No such model")
  const conversation = v1Conversation(body, environment)
  if ("_tag" in conversation) return conversation
  const result = answer(conversation, environment)
  const completion = completionTokens(result)
  const usage = v1Usage(conversation.promptTokens, completion)
  const common = { created: environment.nowSeconds, model: servedModel(model), object: "chat.completion" }
  const finishReason = result._tag === "FunctionCall" ? "function_call" : "stop"
  const functionMessage = result._tag === "FunctionCall" ?
    {
      content: "",
      role: "assistant",
      function_call: { name: result.name, arguments: result.arguments },
      functions_state_id: environment.uuid()
    } :
    undefined
  if (body.stream !== true) {
    const message = functionMessage ?? { content: v1Text(result), role: "assistant" }
    return {
      _tag: "Json",
      body: { choices: [{ message, index: 0, finish_reason: finishReason }], ...common, usage }
    }
  }
  const frames: Array<string> = []
  const frame = (data: unknown) => frames.push(`data: ${JSON.stringify(data)}\n\n`)
  if (functionMessage !== undefined) {
    frame({ choices: [{ delta: functionMessage, index: 0, finish_reason: finishReason }], ...common, usage })
  } else {
    const words = splitWords(v1Text(result))
    words.forEach((word, index) =>
      frame({
        choices: [{ delta: index === 0 ? { content: word, role: "assistant" } : { content: word }, index: 0 }],
        ...common
      })
    )
    frame({ choices: [{ delta: { content: "" }, index: 0, finish_reason: finishReason }], ...common, usage })
  }
  frames.push("data: [DONE]\n\n")
  return { _tag: "Sse", frames }
}

// ---------------------------------------------------------------------------------------------------------------
// v2: POST /api/v2/chat/completions
// ---------------------------------------------------------------------------------------------------------------

const contentParts = (content: unknown): Array<JsonObject> => {
  if (typeof content === "string") return [{ text: content }]
  if (isRecord(content)) return [content]
  if (Array.isArray(content)) {
    return content.flatMap((part) => typeof part === "string" ? [{ text: part }] : isRecord(part) ? [part] : [])
  }
  return []
}

const v2Conversation = (body: JsonObject, environment: ChatEnvironment): Conversation | ChatOutcome => {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isRecord)) {
    return error(422, "Invalid params: messages must be a non-empty array of messages")
  }
  let promptTokens = 0
  let lastUserText = ""
  let lastResult: Conversation["functionResult"] = undefined
  for (const message of messages) {
    if (typeof message.role !== "string") return error(422, "Invalid params: every message needs a role")
    const parts = contentParts(message.content)
    const text = parts.flatMap((part) => typeof part.text === "string" ? [part.text] : []).join("\n")
    promptTokens += countTokens(text)
    if (message.role === "user") lastUserText = text
    lastResult = undefined
    for (const part of parts) {
      if (Array.isArray(part.files)) {
        for (const file of part.files) {
          const id = isRecord(file) ? file.id : undefined
          if (typeof id !== "string" || !environment.fileExists(id)) {
            return error(400, `Invalid file id in files: ${String(id)}`)
          }
        }
      }
      if (isRecord(part.function_result)) {
        const result = part.function_result
        promptTokens += countTokens(JSON.stringify(result.result ?? null))
        lastResult = { name: typeof result.name === "string" ? result.name : "function", result: result.result }
      }
    }
  }
  const functions: Array<FunctionSpec> = []
  let imageOffered = false
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (isRecord(tool) && isRecord(tool.functions)) functions.push(...functionSpecs(tool.functions.specifications))
      if (tool === "image_generate" || (isRecord(tool) && "image_generate" in tool)) imageOffered = true
    }
  }
  const toolConfig = isRecord(body.tool_config) ? body.tool_config : {}
  const modelOptions = isRecord(body.model_options) ? body.model_options : {}
  const imageForced = toolConfig.mode === "forced" && toolConfig.tool_name === "image_generate"
  return {
    imageTool: imageForced ? "forced" : imageOffered && toolConfig.mode !== "none" ? "offered" : undefined,
    lastUserText,
    functionResult: lastResult,
    functions,
    forcedFunction: toolConfig.mode === "forced" && typeof toolConfig.function_name === "string" ?
      { name: toolConfig.function_name, partialArguments: undefined } :
      undefined,
    functionsDisabled: toolConfig.mode === "none",
    responseFormat: responseFormatOf(modelOptions.response_format) ?? responseFormatOf(body.response_format),
    promptTokens: Math.max(1, promptTokens)
  }
}

const v2Usage = (promptTokens: number, completion: number) => ({
  input_tokens: promptTokens,
  input_tokens_details: { prompt_tokens: promptTokens, cached_tokens: 0 },
  output_tokens: completion,
  total_tokens: promptTokens + completion
})

/**
 * Answers a v2 chat request.
 *
 * @internal
 */
export const v2 = (body: unknown, environment: ChatEnvironment): ChatOutcome => {
  if (!isRecord(body)) return error(422, "Invalid params: the body must be a JSON object")
  const model = modelOf(body)
  if (!environment.isChatModel(model)) return error(404, "No such model")
  const conversation = v2Conversation(body, environment)
  if ("_tag" in conversation) return conversation
  const result = answer(conversation, environment)
  const completion = completionTokens(result)
  const usage = v2Usage(conversation.promptTokens, completion)
  const common = { model: servedModel(model), created_at: environment.nowSeconds }
  const finishReason = result._tag === "FunctionCall" ? "function_call" : "stop"
  // The real server answers with a tool state id whenever tools were offered (singular name, unlike the request).
  const toolState = Array.isArray(body.tools) && body.tools.length > 0 ? { tool_state_id: environment.uuid() } : {}
  const functionContent = result._tag === "FunctionCall" ?
    [{ function_call: { name: result.name, arguments: result.arguments } }] :
    undefined
  // As the recorded answer of the real server: the files part first, then the text.
  const filesPart = result._tag === "Image" ?
    { files: [{ id: result.fileId, mime: "image/jpeg", target: "image" }] } :
    undefined
  if (body.stream !== true) {
    const content = functionContent ??
      (result._tag === "FunctionCall" ? [] : filesPart !== undefined ?
        [filesPart, { text: result.text }] :
        [{ text: result.text }])
    return {
      _tag: "Json",
      body: {
        ...common,
        messages: [{ role: "assistant", ...toolState, content }],
        finish_reason: finishReason,
        usage
      }
    }
  }
  const frames: Array<string> = []
  const frame = (event: string, data: unknown) => frames.push(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  if (functionContent !== undefined) {
    frame("response.message.delta", {
      ...common,
      messages: [{ role: "assistant", ...toolState, content: functionContent }]
    })
  } else {
    if (filesPart !== undefined) {
      frame("response.tool.completed", {
        ...common,
        messages: [{
          role: "reasoning",
          content: [{ tool_execution: { name: "image_generate", status: "success", censored: false } }]
        }]
      })
      frame("response.message.delta", {
        ...common,
        messages: [{ role: "assistant", ...toolState, content: [filesPart] }]
      })
    }
    const words = splitWords(result._tag === "FunctionCall" ? "" : result.text)
    words.forEach((word, index) =>
      frame("response.message.delta", {
        ...common,
        messages: [{
          role: "assistant",
          ...(index === 0 && filesPart === undefined ? toolState : {}),
          content: [{ text: word }]
        }]
      })
    )
  }
  frame("response.message.done", { ...common, finish_reason: finishReason, usage })
  return { _tag: "Sse", frames }
}
