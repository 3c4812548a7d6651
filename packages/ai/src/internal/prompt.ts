/**
 * `@effect/ai`'s provider options (prompt, tools, tool choice, response format) as a GigaChat v2 request
 * (`POST /api/v2/chat/completions`).
 */
import * as Chat from "@effect-gigachat/core/Chat"
import type * as Completions from "@effect-gigachat/core/Completions"
import type * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as CoreTool from "@effect-gigachat/core/Tool"
import * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import * as AiTool from "@effect/ai/Tool"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import type * as Schema from "effect/Schema"
import { toAiError } from "./errors.js"

const module = "GigaChatLanguageModel"

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * A tool call's id is the answer's `tools_state_id` (the first call) or `<tools_state_id>:<n>` (the next ones), so
 * the state survives `Chat` history, which keeps only ids; a foreign id (another provider's) is not sent back.
 *
 * @internal
 */
export const stateIdOf = (id: string): string | undefined => {
  const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::\d+)?$/i.exec(id)
  return match === null ? undefined : match[1]
}

/** @internal */
export const callId = (stateId: string, index: number): string => index === 0 ? stateId : `${stateId}:${index}`

// -----------------------------------------------------------------------------------------------------------------
// tools
// -----------------------------------------------------------------------------------------------------------------

const specifications = new WeakMap<object, CoreTool.FunctionSpecification>()

/**
 * The GigaChat function specification of a user tool, built by the core's `Tool.make` from the tool's parameters
 * Schema (its function-schema rules: references inlined, `description: ""` on undescribed properties, literal
 * unions as enums, what GigaChat cannot take rejected with the field named). Cached per tool.
 */
const specificationOf = (tool: AiTool.Any): Effect.Effect<CoreTool.FunctionSpecification, AiError.AiError> => {
  const cached = specifications.get(tool)
  if (cached !== undefined) return Effect.succeed(cached)
  return CoreTool.make(tool.name, {
    description: AiTool.getDescription(tool as any) ?? "",
    parameters: tool.parametersSchema as Schema.Schema<unknown, unknown>
  }).pipe(
    Effect.map((made) => {
      specifications.set(tool, made.specification)
      return made.specification
    }),
    Effect.mapError((error) => toAiError(module, "prepareTools", error))
  )
}

/** A GigaChat tool (`gigachat.*` provider-defined tool) as its `tools[]` entry. */
const builtinEntry = (tool: AiTool.ProviderDefined<string, any>): Either.Either<Json, AiError.AiError> =>
  tool.id.startsWith("gigachat.")
    ? Either.right({ [tool.providerName]: isObject(tool.args) ? tool.args : {} })
    : Either.left(
      new AiError.MalformedInput({
        module,
        method: "prepareTools",
        description: `the provider-defined tool "${tool.id}" is not a GigaChat tool (expected an id "gigachat.*")`
      })
    )

/** The `tools` and `tool_config` of a request. */
const prepareTools = (
  options: LanguageModel.ProviderOptions,
  jsonFunction: CoreTool.FunctionSpecification | undefined
): Effect.Effect<Json, AiError.AiError> =>
  Effect.gen(function*() {
    if (jsonFunction !== undefined) {
      return {
        tools: [{ functions: { specifications: [jsonFunction] } }],
        tool_config: { mode: "forced", function_name: jsonFunction.name }
      }
    }
    if (options.tools.length === 0) return {}
    const functions: Array<CoreTool.FunctionSpecification> = []
    const tools: Array<Json> = []
    for (const tool of options.tools) {
      if (AiTool.isProviderDefined(tool)) tools.push(yield* builtinEntry(tool))
      else functions.push(yield* specificationOf(tool))
    }
    if (functions.length > 0) tools.push({ functions: { specifications: functions } })
    return { tools, tool_config: toolConfig(options) }
  })

const forced = (tool: AiTool.Any): Json =>
  AiTool.isProviderDefined(tool)
    ? { mode: "forced", tool_name: tool.providerName }
    : { mode: "forced", function_name: tool.name }

/**
 * `toolChoice` as `tool_config`. GigaChat has no "required": with exactly one tool it is forced, otherwise the
 * model decides (`auto`).
 */
const toolConfig = (options: LanguageModel.ProviderOptions): Json => {
  const choice = options.toolChoice
  if (choice === "none") return { mode: "none" }
  if (choice === "auto") return { mode: "auto" }
  if (choice === "required" || (typeof choice === "object" && "oneOf" in choice && choice.mode === "required")) {
    return options.tools.length === 1 ? forced(options.tools[0]) : { mode: "auto" }
  }
  if (typeof choice === "object" && "tool" in choice) {
    const tool = options.tools.find((tool) => tool.name === choice.tool)
    return tool === undefined ? { mode: "forced", function_name: choice.tool } : forced(tool)
  }
  return { mode: "auto" }
}

// -----------------------------------------------------------------------------------------------------------------
// structured output
// -----------------------------------------------------------------------------------------------------------------

/** @internal */
export type StructuredOutputMode = "response_format" | "function"

/** @internal */
export interface JsonOutput {
  /** `response_format`: the `model_options.response_format`; `function`: the forced function. */
  readonly responseFormat?: Json | undefined
  readonly function?: CoreTool.FunctionSpecification | undefined
}

/** A function name GigaChat takes: letters, digits and `_`. */
const functionName = (objectName: string): string => {
  const name = objectName.replace(/[^A-Za-z0-9_]/g, "_")
  return name.length === 0 ? "generateObject" : name
}

const jsonOutput = (
  options: LanguageModel.ProviderOptions,
  mode: StructuredOutputMode,
  strict: boolean
): Effect.Effect<JsonOutput, AiError.AiError> => {
  const format = options.responseFormat
  if (format.type !== "json") return Effect.succeed({})
  if (mode === "function") {
    return CoreTool.make(functionName(format.objectName), {
      description: AiTool.getDescriptionFromSchemaAst(format.schema.ast) ?? "Respond with a JSON object",
      parameters: format.schema as Schema.Schema<unknown, unknown>
    }).pipe(
      Effect.map((tool) => ({ function: tool.specification })),
      Effect.mapError((error) => toAiError(module, "prepareResponseFormat", error))
    )
  }
  return Chat.jsonResponseFormat(format.schema as Schema.Schema<unknown, unknown>, { strict }).pipe(
    Effect.map((responseFormat) => ({ responseFormat })),
    Effect.mapError((error) =>
      new AiError.MalformedInput({
        module,
        method: "prepareResponseFormat",
        description: `cannot build a JSON schema for "${format.objectName}"`,
        cause: error
      })
    )
  )
}

// -----------------------------------------------------------------------------------------------------------------
// messages
// -----------------------------------------------------------------------------------------------------------------

/**
 * Uploads of the file parts already sent, so that a `Chat` history does not upload its files again.
 *
 * @internal
 */
export interface Uploads {
  readonly bytes: WeakMap<Uint8Array, string>
  readonly base64: Map<string, string>
}

/** @internal */
export const makeUploads = (): Uploads => ({ bytes: new WeakMap(), base64: new Map() })

const base64Limit = 64

const extensions: Readonly<Record<string, string>> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/markdown": "md",
  "application/json": "json",
  "audio/mpeg": "mp3",
  "audio/wav": "wav"
}

const defaultFileName = (mediaType: string): string => {
  const extension = Object.hasOwn(extensions, mediaType) ? extensions[mediaType] : mediaType.split("/")[1]
  return `file.${(extension ?? "bin").replace(/[^A-Za-z0-9]/g, "") || "bin"}`
}

const fileIdOption = (part: Prompt.FilePart): string | undefined => {
  const id = part.options.gigachat?.fileId
  return typeof id === "string" && id.length > 0 ? id : undefined
}

/** A file part as the id of an uploaded file: its `options.gigachat.fileId`, else its bytes uploaded once. */
const fileId = (
  gc: GigaChat.Service,
  uploads: Uploads,
  part: Prompt.FilePart
): Effect.Effect<string, AiError.AiError> => {
  const given = fileIdOption(part)
  if (given !== undefined) return Effect.succeed(given)
  const data = part.data
  if (data instanceof URL) {
    return Effect.fail(
      new AiError.MalformedInput({
        module,
        method: "prepareMessages",
        description:
          `file part (${part.mediaType}): GigaChat takes uploaded files only, not URLs (${data.protocol}); ` +
          `pass the bytes, or upload the file and give its id in options.gigachat.fileId`
      })
    )
  }
  let bytes: Uint8Array
  if (typeof data === "string") {
    const known = uploads.base64.get(data)
    if (known !== undefined) return Effect.succeed(known)
    const comma = data.startsWith("data:") ? data.indexOf(",") : -1
    const decoded = Encoding.decodeBase64(comma === -1 ? data : data.slice(comma + 1))
    if (Either.isLeft(decoded)) {
      return Effect.fail(
        new AiError.MalformedInput({
          module,
          method: "prepareMessages",
          description: `file part (${part.mediaType}): data is not valid base64`,
          cause: decoded.left
        })
      )
    }
    bytes = decoded.right
  } else {
    const known = uploads.bytes.get(data)
    if (known !== undefined) return Effect.succeed(known)
    bytes = data
  }
  return gc.uploadFile({
    file: bytes,
    filename: part.fileName ?? defaultFileName(part.mediaType),
    mimeType: part.mediaType
  }).pipe(
    Effect.map((file) => {
      if (typeof data === "string") {
        if (uploads.base64.size >= base64Limit) uploads.base64.delete(uploads.base64.keys().next().value!)
        uploads.base64.set(data, file.id)
      } else {
        uploads.bytes.set(data, file.id)
      }
      return file.id
    }),
    Effect.mapError((error) => toAiError(module, "uploadFile", error))
  )
}

/** A tool's result as GigaChat takes it: an object or a string; other values wrapped, failures as `{ error }`. */
const functionResult = (result: unknown, isFailure: boolean): unknown => {
  if (isFailure) return { error: result }
  if (typeof result === "string" || isObject(result)) return result
  return { result: result ?? null }
}

const prepareMessages = (
  gc: GigaChat.Service,
  uploads: Uploads,
  prompt: Prompt.Prompt
): Effect.Effect<Array<Completions.ChatMessageInput>, AiError.AiError> =>
  Effect.gen(function*() {
    const messages: Array<Completions.ChatMessageInput> = []
    for (const message of prompt.content) {
      switch (message.role) {
        case "system": {
          messages.push({ role: "system", content: [{ text: message.content }] })
          break
        }
        case "user": {
          const parts: Array<Json> = []
          for (const part of message.content) {
            if (part.type === "text") parts.push({ text: part.text })
            else parts.push({ files: [{ id: yield* fileId(gc, uploads, part), mime: part.mediaType }] })
          }
          messages.push({ role: "user", content: parts as any })
          break
        }
        case "assistant": {
          const parts: Array<Json> = []
          let stateId: string | undefined
          for (const part of message.content) {
            if (part.type === "text") {
              parts.push({ text: part.text })
            } else if (part.type === "tool-call" && !part.providerExecuted) {
              stateId ??= stateIdOf(part.id)
              parts.push({ function_call: { name: part.name, arguments: part.params ?? {} } })
            }
            // reasoning, files and provider-executed tools are the server's own: not sent back
          }
          if (parts.length === 0) break
          messages.push({
            role: "assistant",
            content: parts as any,
            ...(stateId !== undefined ? { tools_state_id: stateId } : {})
          })
          break
        }
        case "tool": {
          for (const part of message.content) {
            if (part.providerExecuted) continue
            const stateId = stateIdOf(part.id)
            messages.push({
              role: "tool",
              content: [{ function_result: { name: part.name, result: functionResult(part.result, part.isFailure) } }],
              ...(stateId !== undefined ? { tools_state_id: stateId } : {})
            })
          }
          break
        }
      }
    }
    return messages
  })

// -----------------------------------------------------------------------------------------------------------------
// the request
// -----------------------------------------------------------------------------------------------------------------

/** @internal */
export interface PreparedRequest {
  readonly request: Completions.ChatCompletionRequestInput
  /** The forced function of structured output (`function` mode), whose arguments are the answer's text. */
  readonly jsonFunction: string | undefined
}

/**
 * The request body: the configuration (`model` and the GigaChat fields), then the messages, the tools and the
 * structured output built from the options; the built parts win over the configuration's.
 *
 * @internal
 */
export const prepareRequest = (
  gc: GigaChat.Service,
  uploads: Uploads,
  options: LanguageModel.ProviderOptions,
  config: Json,
  settings: { readonly structuredOutput: StructuredOutputMode; readonly strict: boolean }
): Effect.Effect<PreparedRequest, AiError.AiError> =>
  Effect.gen(function*() {
    const messages = yield* prepareMessages(gc, uploads, options.prompt)
    const json = yield* jsonOutput(options, settings.structuredOutput, settings.strict)
    const tools = yield* prepareTools(options, json.function)
    const request: Json = { ...config, messages, ...tools }
    if (json.responseFormat !== undefined) {
      const modelOptions = isObject(config.model_options) ? config.model_options : {}
      request.model_options = { ...modelOptions, response_format: json.responseFormat }
    }
    return {
      request: request as unknown as Completions.ChatCompletionRequestInput,
      jsonFunction: json.function?.name
    }
  })
