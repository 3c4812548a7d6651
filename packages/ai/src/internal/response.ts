/**
 * GigaChat v2 answers as `@effect/ai` response parts: a whole response (`generateText`) and the chunks of a stream
 * (`streamText`), with the telemetry of both.
 */
import type * as Completions from "@effect-gigachat/core/Completions"
import type * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatTelemetry from "@effect-gigachat/core/Telemetry"
import type * as XHeaders from "@effect-gigachat/core/XHeaders"
import type * as AiError from "@effect/ai/AiError"
import type * as IdGenerator from "@effect/ai/IdGenerator"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Response from "@effect/ai/Response"
import * as Telemetry from "@effect/ai/Telemetry"
import * as AiTool from "@effect/ai/Tool"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import type * as Tracer from "effect/Tracer"
import { toAiError } from "./errors.js"
import { callId } from "./prompt.js"

const module = "GigaChatLanguageModel"

/** @internal */
export const providerName = GigaChatTelemetry.providerName

// -----------------------------------------------------------------------------------------------------------------
// shared
// -----------------------------------------------------------------------------------------------------------------

/**
 * GigaChat's `finish_reason` as `@effect/ai`'s: `function_call` → `tool-calls`, `blacklist` → `content-filter`;
 * none → `tool-calls` when a call was seen, else `stop`.
 *
 * @internal
 */
export const finishReason = (
  reason: string | undefined,
  sawToolCall: boolean
): Response.FinishReason => {
  switch (reason) {
    case undefined:
      return sawToolCall ? "tool-calls" : "stop"
    case "stop":
      return sawToolCall ? "tool-calls" : "stop"
    case "length":
      return "length"
    case "function_call":
    case "tool_calls":
      return "tool-calls"
    case "blacklist":
    case "content_filter":
      return "content-filter"
    case "error":
      return "error"
    default:
      return "unknown"
  }
}

/** @internal */
export const usageOf = (usage: Completions.ChatUsage | undefined): typeof Response.Usage.Encoded => ({
  inputTokens: usage?.input_tokens,
  outputTokens: usage?.output_tokens,
  totalTokens: usage?.total_tokens ??
    (usage?.input_tokens !== undefined && usage.output_tokens !== undefined
      ? usage.input_tokens + usage.output_tokens
      : undefined),
  ...(usage?.input_tokens_details?.cached_tokens !== undefined
    ? { cachedInputTokens: usage.input_tokens_details.cached_tokens }
    : {})
})

/** @internal */
export interface Context {
  readonly gc: GigaChat.Service
  readonly options: LanguageModel.ProviderOptions
  readonly idGenerator: IdGenerator.Service
  /** The forced function of structured output: its arguments are the answer's text. */
  readonly jsonFunction: string | undefined
}

const metadataPart = (
  response: {
    readonly message_id?: string | undefined
    readonly model?: string | undefined
    readonly created_at?: number | undefined
  },
  xHeaders: XHeaders.XHeaders | undefined
): Response.ResponseMetadataPartEncoded => ({
  type: "response-metadata",
  id: response.message_id ?? xHeaders?.["x-request-id"],
  modelId: response.model,
  timestamp: response.created_at !== undefined ? new Date(response.created_at * 1000).toISOString() : undefined,
  metadata: {
    gigachat: {
      requestId: xHeaders?.["x-request-id"],
      sessionId: xHeaders?.["x-session-id"]
    }
  }
})

/** The GigaChat tool (provider-defined, `gigachat.*`) the call offered under this built-in name, if any. */
const builtinTool = (options: LanguageModel.ProviderOptions, name: string | undefined) =>
  name === undefined ?
    undefined :
    options.tools.find((tool): tool is AiTool.ProviderDefined<string, any> =>
      AiTool.isProviderDefined(tool) && tool.id.startsWith("gigachat.") && tool.providerName === name
    )

/** The user tools the call offered, by name: a call of any other function is dropped (the toolkit cannot run it). */
const userToolNames = (options: LanguageModel.ProviderOptions): ReadonlySet<string> =>
  new Set(options.tools.filter((tool) => !AiTool.isProviderDefined(tool)).map((tool) => tool.name))

/** A built-in tool's run as a provider-executed call and its result, when the call offered that tool. */
const builtinParts = (
  ctx: Context,
  execution: Completions.ChatToolExecution,
  id: string
): Array<Response.ToolCallPartEncoded | Response.ToolResultPartEncoded> => {
  const status = execution.status
  if (status !== "success" && status !== "fail") return []
  const tool = builtinTool(ctx.options, execution.name)
  if (tool === undefined) return []
  const result = {
    name: execution.name,
    status,
    ...(execution.censored !== undefined ? { censored: execution.censored } : {})
  }
  return [
    { type: "tool-call", id, name: tool.name, params: {}, providerName, providerExecuted: true },
    {
      type: "tool-result",
      id,
      name: tool.name,
      result,
      isFailure: status === "fail",
      providerName,
      providerExecuted: true
    }
  ]
}

const sourceParts = (
  inline: Completions.ChatInlineData | undefined,
  seen: Set<string>
): Array<Response.UrlSourcePartEncoded> => {
  const parts: Array<Response.UrlSourcePartEncoded> = []
  for (const [key, source] of Object.entries(inline?.sources ?? {})) {
    if (source.url === undefined || seen.has(source.url)) continue
    seen.add(source.url)
    parts.push({ type: "source", sourceType: "url", id: key, url: source.url, title: source.title ?? source.url })
  }
  return parts
}

/** A file the model generated, downloaded (`GET /files/{id}/content`) into a file part. */
const filePart = (
  ctx: Context,
  file: Completions.ChatContentFile
): Effect.Effect<Response.FilePartEncoded, AiError.AiError> =>
  ctx.gc.getFileContent(file.id).pipe(
    Effect.map((content): Response.FilePartEncoded => ({
      type: "file",
      mediaType: file.mime ?? content.contentType ?? "application/octet-stream",
      data: Encoding.encodeBase64(content.bytes),
      metadata: { gigachat: { fileId: file.id, target: file.target } }
    })),
    Effect.mapError((error) => toAiError(module, "getFileContent", error))
  )

// -----------------------------------------------------------------------------------------------------------------
// telemetry
// -----------------------------------------------------------------------------------------------------------------

const camelToSnake = (key: string): string => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)

const addRequestAttributes = Telemetry.addSpanAttributes("gen_ai.gigachat.request", camelToSnake)
const addResponseAttributes = Telemetry.addSpanAttributes("gen_ai.gigachat.response", camelToSnake)

/**
 * The GenAI attributes of the request: system `gigachat`, operation `chat`, the model and sampling settings, and
 * GigaChat's own settings under `gen_ai.gigachat.request`.
 *
 * @internal
 */
export const annotateRequest = (span: Tracer.Span, request: Completions.ChatCompletionRequestInput): void => {
  const options = (request.model_options ?? {}) as Completions.ChatModelOptions
  Telemetry.addGenAIAnnotations(span, {
    system: providerName,
    operation: { name: "chat" },
    request: {
      model: request.model ?? undefined,
      temperature: options.temperature,
      topP: options.top_p,
      maxTokens: options.max_tokens
    }
  })
  addRequestAttributes(span, {
    repetitionPenalty: options.repetition_penalty,
    updateInterval: options.update_interval,
    responseFormat: options.response_format?.type,
    flags: request.flags !== undefined && request.flags !== null ? request.flags.join(",") : undefined
  })
}

const annotateMetadata = (span: Tracer.Span, part: Response.ResponseMetadataPartEncoded): void => {
  Telemetry.addGenAIAnnotations(span, { response: { id: part.id, model: part.modelId } })
  addResponseAttributes(span, {
    requestId: part.metadata?.gigachat?.requestId,
    sessionId: part.metadata?.gigachat?.sessionId
  })
}

const annotateFinish = (span: Tracer.Span, part: Response.FinishPartEncoded): void => {
  Telemetry.addGenAIAnnotations(span, {
    response: { finishReasons: [part.reason] },
    usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens }
  })
  addResponseAttributes(span, { cachedTokens: part.usage.cachedInputTokens })
}

// -----------------------------------------------------------------------------------------------------------------
// a whole response
// -----------------------------------------------------------------------------------------------------------------

/**
 * The parts of a whole answer: `response-metadata`, then per message its reasoning, text, function calls (of the
 * offered tools; the forced function of structured output as text), built-in tool runs, web sources and generated
 * files, then `finish`.
 *
 * @internal
 */
export const makeResponse = (
  ctx: Context,
  response: XHeaders.WithXHeaders<Completions.ChatCompletionResponse>
): Effect.Effect<Array<Response.PartEncoded>, AiError.AiError> =>
  Effect.gen(function*() {
    const parts: Array<Response.PartEncoded> = []
    const metadata = metadataPart(response, response.xHeaders)
    parts.push(metadata)
    annotateMetadata(ctx.options.span, metadata)
    const names = userToolNames(ctx.options)
    const sources = new Set<string>()
    let calls = 0
    let stateId = response.tools_state_id
    for (const message of response.messages) stateId ??= message.tools_state_id
    for (const message of response.messages) {
      const reasoning = message.role === "reasoning"
      for (const part of message.content ?? []) {
        if (typeof part.text === "string" && part.text.length > 0) {
          parts.push(reasoning ? { type: "reasoning", text: part.text } : { type: "text", text: part.text })
        }
        if (part.function_call !== undefined) {
          const call = part.function_call
          if (call.name === ctx.jsonFunction) {
            parts.push({ type: "text", text: argumentsText(call.arguments) })
          } else if (names.has(call.name)) {
            const id = stateId !== undefined ? callId(stateId, calls) : yield* ctx.idGenerator.generateId()
            parts.push({ type: "tool-call", id, name: call.name, params: argumentsValue(call.arguments) })
            calls++
          }
        }
        if (part.tool_execution !== undefined) {
          parts.push(...builtinParts(ctx, part.tool_execution, yield* ctx.idGenerator.generateId()))
        }
        parts.push(...sourceParts(part.inline_data, sources))
        for (const file of part.files ?? []) {
          if (message.role === "assistant" || message.role === "reasoning") parts.push(yield* filePart(ctx, file))
        }
      }
      if (message.tool_execution !== undefined) {
        parts.push(...builtinParts(ctx, message.tool_execution, yield* ctx.idGenerator.generateId()))
      }
      parts.push(...sourceParts(message.inline_data, sources))
    }
    const finish: Response.FinishPartEncoded = {
      type: "finish",
      reason: finishReason(response.finish_reason, calls > 0),
      usage: usageOf(response.usage)
    }
    parts.push(finish)
    annotateFinish(ctx.options.span, finish)
    return parts
  })

/** The arguments as the parsed JSON the toolkit decodes (a JSON string is parsed; blank is `{}`). */
const argumentsValue = (args: unknown): unknown => {
  if (typeof args !== "string") return args ?? {}
  if (args.trim() === "") return {}
  try {
    return AiTool.unsafeSecureJsonParse(args)
  } catch {
    // left as the string: the tool's Schema then reports the arguments as malformed
    return args
  }
}

const argumentsText = (args: unknown): string => typeof args === "string" ? args : JSON.stringify(args ?? {})

// -----------------------------------------------------------------------------------------------------------------
// a stream
// -----------------------------------------------------------------------------------------------------------------

interface PendingCall {
  readonly name: string
  readonly arguments: unknown
}

/**
 * The state of one stream: which block (text or reasoning) is open, the function calls waiting for the state id
 * (it may come with the done event), and what the done event brought.
 *
 * @internal
 */
export class StreamState {
  private metadataSent = false
  /** The role of the last message fragment: a fragment without one continues it. */
  private role = "assistant"
  private open: "text" | "reasoning" | undefined = undefined
  private blockId = ""
  private blocks = 0
  private stateId: string | undefined = undefined
  private finishReason: string | undefined = undefined
  private usage: Completions.ChatUsage | undefined = undefined
  private textSeen = false
  private readonly calls: Array<PendingCall> = []
  private readonly executions: Array<Completions.ChatToolExecution> = []
  private readonly files: Array<Completions.ChatContentFile> = []
  private readonly sources = new Set<string>()
  private readonly seenCalls = new Set<string>()
  private readonly names: ReadonlySet<string>

  constructor(readonly ctx: Context) {
    this.names = userToolNames(ctx.options)
  }

  private close(out: Array<Response.StreamPartEncoded>): void {
    if (this.open === "text") out.push({ type: "text-end", id: this.blockId })
    else if (this.open === "reasoning") out.push({ type: "reasoning-end", id: this.blockId })
    this.open = undefined
  }

  private delta(out: Array<Response.StreamPartEncoded>, kind: "text" | "reasoning", text: string): void {
    if (this.open !== kind) {
      this.close(out)
      this.open = kind
      this.blockId = String(this.blocks++)
      out.push(
        kind === "text" ? { type: "text-start", id: this.blockId } : { type: "reasoning-start", id: this.blockId }
      )
    }
    const last = out[out.length - 1]
    // deltas of one network read become one part: fewer parts to decode, the same text
    if (last !== undefined && last.type === (kind === "text" ? "text-delta" : "reasoning-delta")) {
      ;(last as { delta: string }).delta += text
    } else {
      out.push({ type: kind === "text" ? "text-delta" : "reasoning-delta", id: this.blockId, delta: text })
    }
  }

  private part(
    out: Array<Response.StreamPartEncoded>,
    role: string,
    part: Completions.ChatContentPart,
    done: boolean
  ): void {
    if (typeof part.text === "string" && part.text.length > 0 && part.function_call === undefined) {
      const reasoning = role === "reasoning"
      // the done event may repeat the whole text: kept only when the deltas brought none
      if (!done || (!reasoning && !this.textSeen)) {
        if (!reasoning) this.textSeen = true
        this.delta(out, reasoning ? "reasoning" : "text", part.text)
      }
    }
    if (part.function_call !== undefined) {
      const key = JSON.stringify(part.function_call)
      if (!this.seenCalls.has(key)) {
        this.seenCalls.add(key)
        if (part.function_call.name === this.ctx.jsonFunction) {
          this.textSeen = true
          this.delta(out, "text", argumentsText(part.function_call.arguments))
        } else if (this.names.has(part.function_call.name)) {
          this.calls.push({ name: part.function_call.name, arguments: part.function_call.arguments })
        }
      }
    }
    if (part.tool_execution !== undefined) this.executions.push(part.tool_execution)
    if (part.inline_data !== undefined) out.push(...sourceParts(part.inline_data, this.sources))
    if (part.files !== undefined && role === "assistant") this.files.push(...part.files)
  }

  /** The parts of one chunk of the core's stream (the events of one network read). */
  readonly onChunk = (
    chunk: Chunk.Chunk<XHeaders.WithXHeaders<Completions.ChatCompletionChunk>>
  ): Chunk.Chunk<Response.StreamPartEncoded> => {
    const out: Array<Response.StreamPartEncoded> = []
    for (const event of chunk) {
      if (!this.metadataSent) {
        this.metadataSent = true
        const metadata = metadataPart(event, event.xHeaders)
        out.push(metadata)
        annotateMetadata(this.ctx.options.span, metadata)
      }
      if (event.tools_state_id !== undefined) this.stateId = event.tools_state_id
      if (event.finish_reason !== undefined) this.finishReason = event.finish_reason
      if (event.usage !== undefined) this.usage = event.usage
      if (event.tool_execution !== undefined) this.executions.push(event.tool_execution)
      const done = event.event === "response.message.done"
      const messages = event.messages
      if (messages === undefined) continue
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]
        if (message.role !== undefined) this.role = message.role
        if (message.tools_state_id !== undefined) this.stateId ??= message.tools_state_id
        if (message.tool_execution !== undefined) this.executions.push(message.tool_execution)
        const content = message.content
        if (content === undefined) continue
        for (let j = 0; j < content.length; j++) this.part(out, this.role, content[j], done)
      }
    }
    return Chunk.unsafeFromArray(out)
  }

  /** The parts after the last event: open blocks closed, the function calls, built-in runs, files, `finish`. */
  readonly flush: Effect.Effect<Chunk.Chunk<Response.StreamPartEncoded>, AiError.AiError> = Effect.gen(
    this,
    function*() {
      const ctx = this.ctx
      const out: Array<Response.StreamPartEncoded> = []
      this.close(out)
      for (let i = 0; i < this.calls.length; i++) {
        const call = this.calls[i]
        const id = this.stateId !== undefined ? callId(this.stateId, i) : yield* ctx.idGenerator.generateId()
        const params = argumentsValue(call.arguments)
        out.push(
          { type: "tool-params-start", id, name: call.name },
          { type: "tool-params-delta", id, delta: JSON.stringify(params) },
          { type: "tool-params-end", id },
          { type: "tool-call", id, name: call.name, params }
        )
      }
      // the latest state of each built-in tool
      const executions = new Map<string, Completions.ChatToolExecution>()
      for (const execution of this.executions) executions.set(execution.name ?? "", execution)
      for (const execution of executions.values()) {
        out.push(...builtinParts(ctx, execution, yield* ctx.idGenerator.generateId()))
      }
      for (const file of this.files) out.push(yield* filePart(ctx, file))
      const finish: Response.FinishPartEncoded = {
        type: "finish",
        reason: finishReason(this.finishReason, this.calls.length > 0),
        usage: usageOf(this.usage)
      }
      out.push(finish)
      annotateFinish(ctx.options.span, finish)
      return Chunk.unsafeFromArray(out)
    }
  )
}
