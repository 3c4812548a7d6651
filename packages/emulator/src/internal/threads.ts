/**
 * Assistants, threads and chat storage of the emulator, kept per emulator instance: assistants with their model,
 * instructions, files and functions; threads that keep their messages; runs that answer in the thread (with the
 * chat's own answer logic, over the thread's history), streamed or not; and `storage` in v1 and v2 chat, which
 * stores both sides of the exchange in a thread and answers with its `thread_id` and `message_id`.
 *
 * Every handler takes the parsed JSON body (or the query) and returns a `ChatOutcome`, as the chat handlers do.
 */
import type { ChatEnvironment, ChatOutcome } from "./chat.js"

type JsonObject = Record<string, unknown>

const isRecord = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

const error = (status: number, message: string): ChatOutcome => ({ _tag: "Error", status, message })
const ok = (body: unknown): ChatOutcome => ({ _tag: "Json", body })

const invalid = (message: string) => error(422, `Invalid params: ${message}`)

/** The chat answer function of a route (`Chat.v1`, `Chat.v2`). */
type Answer = (body: unknown, environment: ChatEnvironment) => ChatOutcome

interface StoredAssistant {
  readonly assistant_id: string
  model: string
  name: string
  description: string | undefined
  instructions: string | undefined
  file_ids: Array<string>
  functions: Array<unknown> | undefined
  metadata: JsonObject | undefined
  readonly created_at: number
  updated_at: number
}

interface StoredMessage {
  readonly message_id: string
  readonly role: string
  readonly content: string
  readonly attachments: ReadonlyArray<string>
  readonly created_at: number
  readonly function_call?: unknown
  readonly functions_state_id?: string | undefined
  readonly name?: string | undefined
  readonly finish_reason?: string | undefined
  readonly model?: string | undefined
}

interface StoredThread {
  readonly id: string
  readonly assistant_id: string | undefined
  model: string
  readonly created_at: number
  updated_at: number
  metadata: JsonObject | undefined
  readonly messages: Array<StoredMessage>
  /** The messages the last run added, for `GET /threads/run`. */
  lastRun: ReadonlyArray<StoredMessage>
}

/**
 * What the store needs from the emulator beyond the chat environment.
 *
 * @internal
 */
export interface Dependencies {
  readonly fileName: (id: string) => string | undefined
}

const defaultModel = "GigaChat"

const streamFields = ["stream", "update_interval"]
/** Fields of a run that are not chat parameters. */
const runFields = new Set(["thread_id", "assistant_id", "model", "messages", "limit", ...streamFields])

const stringOrUndefined = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

/**
 * The store of one emulator and its route handlers.
 *
 * @internal
 */
export const make = (dependencies: Dependencies) => {
  const assistants = new Map<string, StoredAssistant>()
  const threads = new Map<string, StoredThread>()

  const reset = () => {
    assistants.clear()
    threads.clear()
  }

  // -------------------------------------------------------------------------------------------------------------
  // rendering
  // -------------------------------------------------------------------------------------------------------------

  const renderAssistant = (assistant: StoredAssistant) => ({
    assistant_id: assistant.assistant_id,
    model: assistant.model,
    name: assistant.name,
    ...(assistant.description !== undefined ? { description: assistant.description } : {}),
    ...(assistant.instructions !== undefined ? { instructions: assistant.instructions } : {}),
    created_at: assistant.created_at,
    updated_at: assistant.updated_at,
    file_ids: assistant.file_ids,
    ...(assistant.metadata !== undefined ? { metadata: assistant.metadata } : {}),
    ...(assistant.functions !== undefined ? { functions: assistant.functions } : {}),
    threads_count: Array.from(threads.values()).filter((t) => t.assistant_id === assistant.assistant_id).length
  })

  const renderThread = (thread: StoredThread) => ({
    id: thread.id,
    ...(thread.assistant_id !== undefined ? { assistant_id: thread.assistant_id } : {}),
    model: thread.model,
    created_at: thread.created_at,
    updated_at: thread.updated_at,
    status: "ready",
    run_lock: false
  })

  const renderMessage = (message: StoredMessage) => ({
    message_id: message.message_id,
    role: message.role,
    content: message.content,
    attachments: message.attachments.map((id) => ({ file_id: id, name: dependencies.fileName(id) ?? id })),
    created_at: message.created_at,
    ...(message.function_call !== undefined ? { function_call: message.function_call } : {}),
    ...(message.finish_reason !== undefined ? { finish_reason: message.finish_reason } : {}),
    ...(message.model !== undefined ? { model: message.model } : {})
  })

  /** A stored message as v1 chat sends it. */
  const asV1 = (message: StoredMessage): JsonObject => ({
    role: message.role,
    content: message.content,
    ...(message.attachments.length > 0 ? { attachments: message.attachments } : {}),
    ...(message.function_call !== undefined ? { function_call: message.function_call } : {}),
    ...(message.functions_state_id !== undefined ? { functions_state_id: message.functions_state_id } : {}),
    ...(message.name !== undefined ? { name: message.name } : {})
  })

  /** A stored message as v2 chat sends it. */
  const asV2 = (message: StoredMessage): JsonObject => {
    const role = message.role === "function" ? "tool" : message.role
    if (message.role === "function") {
      let result: unknown = message.content
      try {
        result = JSON.parse(message.content)
      } catch {
        // a plain-text result stays text
      }
      return { role, content: [{ function_result: { name: message.name ?? "function", result } }] }
    }
    const content: Array<JsonObject> = []
    if (message.content !== "") content.push({ text: message.content })
    if (message.function_call !== undefined) content.push({ function_call: message.function_call })
    if (message.attachments.length > 0) content.push({ files: message.attachments.map((id) => ({ id })) })
    return { role, content }
  }

  // -------------------------------------------------------------------------------------------------------------
  // reading requests
  // -------------------------------------------------------------------------------------------------------------

  /** A v1 message of a request, validated, as it will be stored. */
  const readV1Message = (
    value: unknown,
    environment: ChatEnvironment,
    model: string | undefined
  ): StoredMessage | string => {
    if (!isRecord(value)) return "every message must be an object"
    if (typeof value.role !== "string") return "every message needs a role"
    const attachments = Array.isArray(value.attachments) ? value.attachments : []
    for (const id of attachments) {
      if (typeof id !== "string" || !environment.fileExists(id)) return `unknown file id in attachments: ${String(id)}`
    }
    return {
      message_id: environment.uuid(),
      role: value.role,
      content: typeof value.content === "string" ? value.content : "",
      attachments: attachments as ReadonlyArray<string>,
      created_at: environment.nowSeconds,
      ...(value.function_call !== undefined && value.function_call !== null ?
        { function_call: value.function_call } :
        {}),
      ...(typeof value.functions_state_id === "string" ? { functions_state_id: value.functions_state_id } : {}),
      ...(typeof value.name === "string" ? { name: value.name } : {}),
      ...(model !== undefined ? { model } : {})
    }
  }

  /** A v2 message of a request, as it will be stored (text parts joined, the first function call or result kept). */
  const readV2Message = (value: unknown, environment: ChatEnvironment, model: string): StoredMessage => {
    const message = isRecord(value) ? value : {}
    const raw = message.content
    const parts = typeof raw === "string" ?
      [{ text: raw }] :
      Array.isArray(raw) ?
      raw.map((part) => typeof part === "string" ? { text: part } : part) :
      isRecord(raw) ?
      [raw] :
      []
    let text = ""
    let functionCall: unknown = undefined
    let functionResult: JsonObject | undefined
    const files: Array<string> = []
    for (const part of parts) {
      if (!isRecord(part)) continue
      if (typeof part.text === "string") text += part.text
      if (isRecord(part.function_call) && functionCall === undefined) functionCall = part.function_call
      if (isRecord(part.function_result) && functionResult === undefined) functionResult = part.function_result
      if (Array.isArray(part.files)) {
        for (const file of part.files) if (isRecord(file) && typeof file.id === "string") files.push(file.id)
      }
    }
    const role = typeof message.role === "string" ? message.role : "user"
    return {
      message_id: environment.uuid(),
      role: functionResult !== undefined ? "function" : role,
      content: functionResult !== undefined ? JSON.stringify(functionResult.result ?? null) : text,
      attachments: files,
      created_at: environment.nowSeconds,
      ...(functionCall !== undefined ? { function_call: functionCall } : {}),
      ...(functionResult !== undefined ? { name: stringOrUndefined(functionResult.name) ?? "function" } : {}),
      model
    }
  }

  const newThread = (
    environment: ChatEnvironment,
    model: string,
    assistantId: string | undefined,
    metadata?: JsonObject
  ): StoredThread => {
    const thread: StoredThread = {
      id: environment.uuid(),
      assistant_id: assistantId,
      model,
      created_at: environment.nowSeconds,
      updated_at: environment.nowSeconds,
      metadata,
      messages: [],
      lastRun: []
    }
    threads.set(thread.id, thread)
    return thread
  }

  const threadNotFound = (id: unknown) => error(404, `Thread not found: ${String(id)}`)
  const assistantNotFound = (id: unknown) => error(404, `Assistant not found: ${String(id)}`)

  /**
   * The thread a request names (404 when unknown), or a new one for the assistant or model it names. `undefined`
   * ids mean "a new thread".
   */
  const resolveThread = (
    threadId: unknown,
    assistantId: unknown,
    model: unknown,
    environment: ChatEnvironment
  ): StoredThread | ChatOutcome => {
    if (threadId !== undefined && threadId !== null) {
      const thread = typeof threadId === "string" ? threads.get(threadId) : undefined
      return thread ?? threadNotFound(threadId)
    }
    if (assistantId !== undefined && assistantId !== null) {
      const assistant = typeof assistantId === "string" ? assistants.get(assistantId) : undefined
      if (assistant === undefined) return assistantNotFound(assistantId)
      return newThread(environment, assistant.model, assistant.assistant_id)
    }
    const name = typeof model === "string" && model !== "" ? model : defaultModel
    if (!environment.isChatModel(name)) return error(404, "No such model")
    return newThread(environment, name, undefined)
  }

  const isThread = (u: StoredThread | ChatOutcome): u is StoredThread => !("_tag" in u)

  /** The history the model sees: the assistant's instructions, then the last `limit` messages of the thread. */
  const history = (thread: StoredThread, limit: unknown): ReadonlyArray<StoredMessage> => {
    const messages = typeof limit === "number" && limit > 0 ? thread.messages.slice(-limit) : thread.messages
    const assistant = thread.assistant_id !== undefined ? assistants.get(thread.assistant_id) : undefined
    if (assistant?.instructions === undefined || assistant.instructions === "") return messages
    return [{
      message_id: "instructions",
      role: "system",
      content: assistant.instructions,
      attachments: [],
      created_at: assistant.updated_at
    }, ...messages]
  }

  const assistantFunctions = (thread: StoredThread) =>
    thread.assistant_id !== undefined ? assistants.get(thread.assistant_id)?.functions : undefined

  // -------------------------------------------------------------------------------------------------------------
  // runs: the chat's answer over the thread, stored and rendered as a thread completion
  // -------------------------------------------------------------------------------------------------------------

  interface RunResult {
    readonly message: JsonObject
    readonly finishReason: string
    readonly usage: JsonObject
    readonly model: string
  }

  /** Parses the `data:` lines of SSE frames (the `[DONE]` line is left out). */
  const frameData = (frame: string): { readonly event: string | undefined; readonly data: unknown } | undefined => {
    let event: string | undefined
    let data: string | undefined
    for (const line of frame.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim()
      if (line.startsWith("data:")) data = line.slice(5).trim()
    }
    if (data === undefined || data === "[DONE]") return undefined
    try {
      return { event, data: JSON.parse(data) }
    } catch {
      return undefined
    }
  }

  /** Folds the chunks of a v1 stream into the assistant message, its finish reason and usage. */
  const foldV1 = (chunks: ReadonlyArray<JsonObject>): RunResult => {
    let content = ""
    let functionCall: unknown = undefined
    let functionsStateId: string | undefined
    let finishReason = "stop"
    let usage: JsonObject = {}
    let model = ""
    for (const chunk of chunks) {
      model = stringOrUndefined(chunk.model) ?? model
      if (isRecord(chunk.usage)) usage = chunk.usage
      const choice = Array.isArray(chunk.choices) && isRecord(chunk.choices[0]) ? chunk.choices[0] : {}
      const delta = isRecord(choice.delta) ? choice.delta : {}
      if (typeof delta.content === "string") content += delta.content
      if (delta.function_call !== undefined) functionCall = delta.function_call
      if (typeof delta.functions_state_id === "string") functionsStateId = delta.functions_state_id
      if (typeof choice.finish_reason === "string") finishReason = choice.finish_reason
    }
    return {
      message: {
        content,
        role: "assistant",
        ...(functionCall !== undefined ? { function_call: functionCall } : {}),
        ...(functionsStateId !== undefined ? { functions_state_id: functionsStateId } : {})
      },
      finishReason,
      usage,
      model
    }
  }

  const storeAnswer = (thread: StoredThread, result: RunResult, messageId: string, environment: ChatEnvironment) => {
    const stored: StoredMessage = {
      message_id: messageId,
      role: "assistant",
      content: stringOrUndefined(result.message.content) ?? "",
      attachments: [],
      created_at: environment.nowSeconds,
      ...(result.message.function_call !== undefined ? { function_call: result.message.function_call } : {}),
      ...(typeof result.message.functions_state_id === "string" ?
        { functions_state_id: result.message.functions_state_id } :
        {}),
      finish_reason: result.finishReason,
      model: thread.model
    }
    thread.messages.push(stored)
    thread.updated_at = environment.nowSeconds
    return stored
  }

  /**
   * Answers the thread with v1 chat over its history (the run's options passed through as chat parameters), stores
   * the answer, and renders a thread completion, or its chunks when `stream` is set.
   */
  const answerThread = (
    thread: StoredThread,
    options: JsonObject,
    added: ReadonlyArray<StoredMessage>,
    answer: Answer,
    environment: ChatEnvironment
  ): ChatOutcome => {
    const parameters: JsonObject = {}
    for (const [key, value] of Object.entries(options)) {
      if (!runFields.has(key) && value !== null && value !== undefined) parameters[key] = value
    }
    const functions = parameters.functions ?? assistantFunctions(thread)
    const streamed = options.stream === true
    const outcome = answer({
      ...parameters,
      ...(functions !== undefined ? { functions } : {}),
      model: thread.model,
      messages: history(thread, options.limit).map(asV1),
      ...(streamed ? { stream: true } : {})
    }, environment)
    if (outcome._tag === "Error") return outcome
    const messageId = environment.uuid()
    const common = { object: "threads.messages.run", thread_id: thread.id, message_id: messageId }
    if (outcome._tag === "Json") {
      const body = isRecord(outcome.body) ? outcome.body : {}
      const chunk = {
        ...body,
        choices: Array.isArray(body.choices) ?
          body.choices.map((choice) =>
            isRecord(choice) ? { delta: choice.message, index: choice.index, finish_reason: choice.finish_reason } : {}
          ) :
          []
      }
      const result = foldV1([chunk])
      const stored = storeAnswer(thread, result, messageId, environment)
      thread.lastRun = [...added, stored]
      return ok({
        ...common,
        model: result.model,
        created: environment.nowSeconds,
        usage: result.usage,
        message: result.message,
        finish_reason: result.finishReason
      })
    }
    const chunks = outcome.frames.flatMap((frame) => {
      const parsed = frameData(frame)
      return parsed !== undefined && isRecord(parsed.data) ? [parsed.data] : []
    })
    const stored = storeAnswer(thread, foldV1(chunks), messageId, environment)
    thread.lastRun = [...added, stored]
    // The server sends `usage` on every chunk of a thread stream: the counts of that chunk.
    const frames = chunks.map((chunk) =>
      `data: ${
        JSON.stringify({
          ...chunk,
          ...common,
          usage: chunk.usage ?? { prompt_tokens: 0, completion_tokens: 1, total_tokens: 1 }
        })
      }\n\n`
    )
    frames.push("data: [DONE]\n\n")
    return { _tag: "Sse", frames }
  }

  // -------------------------------------------------------------------------------------------------------------
  // assistants
  // -------------------------------------------------------------------------------------------------------------

  const fileIdsOf = (value: unknown, environment: ChatEnvironment): Array<string> | ChatOutcome | undefined => {
    if (value === undefined || value === null) return undefined
    if (!Array.isArray(value) || !value.every((id) => typeof id === "string")) {
      return invalid("file_ids must be a list of file ids")
    }
    const unknown = value.find((id) => !environment.fileExists(id))
    return unknown !== undefined ? error(400, `Invalid file id in file_ids: ${unknown}`) : value.slice()
  }

  const getAssistants = (query: URLSearchParams): ChatOutcome => {
    const id = query.get("assistant_id")
    if (id !== null && id !== "") {
      const assistant = assistants.get(id)
      return assistant === undefined ? assistantNotFound(id) : ok({ data: [renderAssistant(assistant)] })
    }
    return ok({ data: Array.from(assistants.values()).map(renderAssistant) })
  }

  const createAssistant: Answer = (body, environment) => {
    if (!isRecord(body)) return invalid("the body must be a JSON object")
    if (typeof body.model !== "string" || body.model === "") return invalid("model is required")
    if (!environment.isChatModel(body.model)) return error(404, "No such model")
    if (typeof body.name !== "string" || body.name === "") return invalid("name is required")
    const fileIds = fileIdsOf(body.file_ids, environment)
    if (fileIds !== undefined && !Array.isArray(fileIds)) return fileIds
    const assistant: StoredAssistant = {
      assistant_id: environment.uuid(),
      model: body.model,
      name: body.name,
      description: stringOrUndefined(body.description),
      instructions: stringOrUndefined(body.instructions),
      file_ids: fileIds ?? [],
      functions: Array.isArray(body.functions) ? body.functions : undefined,
      metadata: isRecord(body.metadata) ? body.metadata : undefined,
      created_at: environment.nowSeconds,
      updated_at: environment.nowSeconds
    }
    assistants.set(assistant.assistant_id, assistant)
    return ok({ assistant_id: assistant.assistant_id, created_at: assistant.created_at })
  }

  const withAssistant = (body: unknown, f: (assistant: StoredAssistant, body: JsonObject) => ChatOutcome) => {
    if (!isRecord(body)) return invalid("the body must be a JSON object")
    if (typeof body.assistant_id !== "string" || body.assistant_id === "") return invalid("assistant_id is required")
    const assistant = assistants.get(body.assistant_id)
    return assistant === undefined ? assistantNotFound(body.assistant_id) : f(assistant, body)
  }

  const modifyAssistant: Answer = (body, environment) =>
    withAssistant(body, (assistant, body) => {
      // `null` (what the Python SDK sends for a field it does not change) keeps the current value
      if (typeof body.model === "string" && body.model !== "") {
        if (!environment.isChatModel(body.model)) return error(404, "No such model")
        assistant.model = body.model
      }
      const fileIds = fileIdsOf(body.file_ids, environment)
      if (fileIds !== undefined && !Array.isArray(fileIds)) return fileIds
      if (typeof body.name === "string" && body.name !== "") assistant.name = body.name
      if (typeof body.description === "string") assistant.description = body.description
      if (typeof body.instructions === "string") assistant.instructions = body.instructions
      if (fileIds !== undefined) assistant.file_ids = fileIds
      if (Array.isArray(body.functions)) assistant.functions = body.functions
      if (isRecord(body.metadata)) assistant.metadata = body.metadata
      assistant.updated_at = environment.nowSeconds
      return ok(renderAssistant(assistant))
    })

  const deleteAssistant: Answer = (body) =>
    withAssistant(body, (assistant) => {
      assistants.delete(assistant.assistant_id)
      return ok({ assistant_id: assistant.assistant_id, deleted: true })
    })

  const deleteAssistantFile: Answer = (body, environment) =>
    withAssistant(body, (assistant, body) => {
      const fileId = body.file_id
      if (typeof fileId !== "string" || !assistant.file_ids.includes(fileId)) {
        return error(404, `File not found in the assistant: ${String(fileId)}`)
      }
      assistant.file_ids = assistant.file_ids.filter((id) => id !== fileId)
      assistant.updated_at = environment.nowSeconds
      return ok({ file_id: fileId, deleted: true })
    })

  // -------------------------------------------------------------------------------------------------------------
  // threads
  // -------------------------------------------------------------------------------------------------------------

  const positive = (value: string | null): number | undefined => {
    const n = value === null ? Number.NaN : Number(value)
    return Number.isFinite(n) && n > 0 ? n : undefined
  }

  const listThreads = (query: URLSearchParams): ChatOutcome => {
    const ids = query.getAll("assistants_ids")
    const limit = positive(query.get("limit"))
    const before = positive(query.get("before"))
    const listed = Array.from(threads.values())
      .filter((t) => ids.length === 0 || (t.assistant_id !== undefined && ids.includes(t.assistant_id)))
      .filter((t) => before === undefined || t.updated_at < before)
      // the newest first; the later created first among equals
      .reverse()
      .sort((a, b) => b.updated_at - a.updated_at)
    return ok({ threads: (limit === undefined ? listed : listed.slice(0, limit)).map(renderThread) })
  }

  const createThread: Answer = (body, environment) => {
    const request = isRecord(body) ? body : {}
    const resolved = resolveThread(undefined, request.assistant_id, request.model, environment)
    if (!isThread(resolved)) return resolved
    if (isRecord(request.metadata)) resolved.metadata = request.metadata
    return ok(renderThread(resolved))
  }

  const retrieveThreads: Answer = (body) => {
    if (!isRecord(body) || !Array.isArray(body.threads_ids)) return invalid("threads_ids must be a list of ids")
    const found: Array<StoredThread> = []
    for (const id of body.threads_ids) {
      const thread = typeof id === "string" ? threads.get(id) : undefined
      if (thread === undefined) return threadNotFound(id)
      found.push(thread)
    }
    return ok({ threads: found.map(renderThread) })
  }

  const withThread = (threadId: unknown, f: (thread: StoredThread) => ChatOutcome): ChatOutcome => {
    if (typeof threadId !== "string" || threadId === "") return invalid("thread_id is required")
    const thread = threads.get(threadId)
    return thread === undefined ? threadNotFound(threadId) : f(thread)
  }

  const deleteThread: Answer = (body) =>
    withThread(isRecord(body) ? body.thread_id : undefined, (thread) => {
      threads.delete(thread.id)
      return ok({ thread_id: thread.id, deleted: true })
    })

  const getMessages = (query: URLSearchParams): ChatOutcome =>
    withThread(query.get("thread_id") ?? undefined, (thread) => {
      const before = positive(query.get("before"))
      const limit = positive(query.get("limit"))
      const messages = thread.messages.filter((m) => before === undefined || m.created_at < before)
      return ok({
        thread_id: thread.id,
        messages: (limit === undefined ? messages : messages.slice(-limit)).map(renderMessage)
      })
    })

  /** Reads and validates a request's messages; nothing is stored when one is invalid. */
  const readMessages = (
    value: unknown,
    environment: ChatEnvironment,
    model: string | undefined
  ): Array<StoredMessage> | ChatOutcome => {
    if (!Array.isArray(value) || value.length === 0) return invalid("messages must be a non-empty array of messages")
    const messages: Array<StoredMessage> = []
    for (const item of value) {
      const message = readV1Message(item, environment, model)
      if (typeof message === "string") {
        return message.startsWith("unknown file")
          ? error(400, message)
          : invalid(message)
      }
      messages.push(message)
    }
    return messages
  }

  const addMessages: Answer = (body, environment) => {
    if (!isRecord(body)) return invalid("the body must be a JSON object")
    const read = readMessages(body.messages, environment, undefined)
    if (!Array.isArray(read)) return read
    const resolved = resolveThread(body.thread_id, body.assistant_id, body.model, environment)
    if (!isThread(resolved)) return resolved
    const stored = read.map((message) => ({ ...message, model: resolved.model }))
    resolved.messages.push(...stored)
    resolved.updated_at = environment.nowSeconds
    return ok({
      thread_id: resolved.id,
      messages: stored.map((m) => ({ created_at: m.created_at, message_id: m.message_id }))
    })
  }

  const runThread = (answer: Answer): Answer => (body, environment) => {
    if (!isRecord(body)) return invalid("the body must be a JSON object")
    return withThread(body.thread_id, (thread) => {
      if (thread.messages.length === 0) return invalid("the thread has no messages to answer")
      const outcome = answerThread(thread, body, [], answer, environment)
      if (outcome._tag !== "Json" || body.stream === true) return outcome
      // A run answers at once: `GET /threads/run` already has its messages.
      return ok({ status: "in_progress", thread_id: thread.id, created_at: environment.nowSeconds })
    })
  }

  const getRun = (query: URLSearchParams): ChatOutcome =>
    withThread(query.get("thread_id") ?? undefined, (thread) =>
      ok({
        status: "ready",
        thread_id: thread.id,
        updated_at: thread.updated_at,
        model: thread.model,
        messages: thread.lastRun.map(renderMessage)
      }))

  const runMessages = (answer: Answer): Answer => (body, environment) => {
    if (!isRecord(body)) return invalid("the body must be a JSON object")
    const read = readMessages(body.messages, environment, undefined)
    if (!Array.isArray(read)) return read
    const resolved = resolveThread(body.thread_id, body.assistant_id, body.model, environment)
    if (!isThread(resolved)) return resolved
    const added = read.map((message) => ({ ...message, model: resolved.model }))
    resolved.messages.push(...added)
    return answerThread(resolved, body, added, answer, environment)
  }

  const rerunMessages = (answer: Answer): Answer => (body, environment) => {
    if (!isRecord(body)) return invalid("the body must be a JSON object")
    return withThread(body.thread_id, (thread) => {
      // the answers after the last user message are replaced by a new one
      let end = thread.messages.length
      while (end > 0 && thread.messages[end - 1].role === "assistant") end--
      if (end === 0) return invalid("the thread has no message to answer again")
      thread.messages.splice(end)
      return answerThread(thread, body, [], answer, environment)
    })
  }

  // -------------------------------------------------------------------------------------------------------------
  // storage in chat
  // -------------------------------------------------------------------------------------------------------------

  /** Adds the thread and message ids to a JSON answer or to every chunk of a streamed one. */
  const withIds = (outcome: ChatOutcome, ids: JsonObject): ChatOutcome => {
    if (outcome._tag === "Error") return outcome
    if (outcome._tag === "Json") return ok({ ...(isRecord(outcome.body) ? outcome.body : {}), ...ids })
    return {
      _tag: "Sse",
      frames: outcome.frames.map((frame) => {
        const parsed = frameData(frame)
        if (parsed === undefined || !isRecord(parsed.data)) return frame
        const data = `data: ${JSON.stringify({ ...parsed.data, ...ids })}\n\n`
        return parsed.event === undefined ? data : `event: ${parsed.event}\n${data}`
      })
    }
  }

  const chunksOf = (outcome: ChatOutcome): ReadonlyArray<JsonObject> =>
    outcome._tag === "Sse" ?
      outcome.frames.flatMap((frame) => {
        const parsed = frameData(frame)
        return parsed !== undefined && isRecord(parsed.data) ? [parsed.data] : []
      }) :
      []

  /**
   * v1 chat with `storage`: the thread's history goes before the request's messages, both sides of the exchange
   * are stored, and the answer carries `thread_id` and `message_id`. Without `storage` the chat is untouched.
   */
  const v1 = (answer: Answer): Answer => (body, environment) => {
    if (!isRecord(body) || !isRecord(body.storage)) return answer(body, environment)
    const storage = body.storage
    const stateful = storage.is_stateful === true || typeof storage.thread_id === "string" ||
      typeof storage.assistant_id === "string"
    const { storage: _storage, ...rest } = body
    if (!stateful) return answer(rest, environment)
    const read = readMessages(body.messages, environment, undefined)
    if (!Array.isArray(read)) return answer(rest, environment)
    const resolved = resolveThread(storage.thread_id, storage.assistant_id, body.model, environment)
    if (!isThread(resolved)) return resolved
    const outcome = answer({
      ...rest,
      ...(rest.functions === undefined && assistantFunctions(resolved) !== undefined ?
        { functions: assistantFunctions(resolved) } :
        {}),
      model: typeof body.model === "string" && body.model !== "" ? body.model : resolved.model,
      messages: [...history(resolved, storage.limit).map(asV1), ...(body.messages as ReadonlyArray<unknown>)]
    }, environment)
    if (outcome._tag === "Error") return outcome
    if (isRecord(storage.metadata)) resolved.metadata = storage.metadata
    resolved.messages.push(...read.map((message) => ({ ...message, model: resolved.model })))
    const messageId = environment.uuid()
    const result = outcome._tag === "Json" ?
      foldV1([{
        ...(isRecord(outcome.body) ? outcome.body : {}),
        choices: isRecord(outcome.body) && Array.isArray(outcome.body.choices) ?
          outcome.body.choices.map((choice) =>
            isRecord(choice) ? { delta: choice.message, finish_reason: choice.finish_reason } : {}
          ) :
          []
      }]) :
      foldV1(chunksOf(outcome))
    storeAnswer(resolved, result, messageId, environment)
    return withIds(outcome, { thread_id: resolved.id, message_id: messageId })
  }

  /** Folds a v2 answer (JSON or event chunks) into the assistant message to store. */
  const foldV2 = (bodies: ReadonlyArray<JsonObject>): RunResult => {
    let text = ""
    let functionCall: unknown = undefined
    let finishReason = "stop"
    let model = ""
    for (const body of bodies) {
      model = stringOrUndefined(body.model) ?? model
      if (typeof body.finish_reason === "string") finishReason = body.finish_reason
      for (const message of Array.isArray(body.messages) ? body.messages : []) {
        if (!isRecord(message) || !Array.isArray(message.content)) continue
        for (const part of message.content) {
          if (!isRecord(part)) continue
          if (typeof part.text === "string") text += part.text
          if (isRecord(part.function_call)) functionCall = part.function_call
        }
      }
    }
    return {
      message: {
        content: text,
        role: "assistant",
        ...(functionCall !== undefined ? { function_call: functionCall } : {})
      },
      finishReason,
      usage: {},
      model
    }
  }

  /**
   * v2 chat with `storage` (an object; `{}` starts a thread) or an `assistant_id` (whose answers live in threads):
   * as `v1`.
   */
  const v2 = (answer: Answer): Answer => (body, environment) => {
    if (!isRecord(body) || (!isRecord(body.storage) && typeof body.assistant_id !== "string")) {
      return answer(body, environment)
    }
    const storage = isRecord(body.storage) ? body.storage : {}
    const { assistant_id: assistantId, storage: _storage, ...rest } = body
    if (!Array.isArray(body.messages) || body.messages.length === 0) return answer(rest, environment)
    const resolved = resolveThread(storage.thread_id, assistantId, body.model, environment)
    if (!isThread(resolved)) return resolved
    const outcome = answer({
      ...rest,
      model: typeof body.model === "string" && body.model !== "" ? body.model : resolved.model,
      messages: [...history(resolved, storage.limit).map(asV2), ...body.messages]
    }, environment)
    if (outcome._tag === "Error") return outcome
    if (isRecord(storage.metadata)) resolved.metadata = storage.metadata
    resolved.messages.push(...body.messages.map((message) => readV2Message(message, environment, resolved.model)))
    const messageId = environment.uuid()
    const result = outcome._tag === "Json" ?
      foldV2([isRecord(outcome.body) ? outcome.body : {}]) :
      foldV2(chunksOf(outcome))
    storeAnswer(resolved, result, messageId, environment)
    return withIds(outcome, { thread_id: resolved.id, message_id: messageId })
  }

  return {
    reset,
    v1,
    v2,
    getAssistants,
    createAssistant,
    modifyAssistant,
    deleteAssistant,
    deleteAssistantFile,
    listThreads,
    createThread,
    retrieveThreads,
    deleteThread,
    getMessages,
    addMessages,
    runThread,
    getRun,
    runMessages,
    rerunMessages
  }
}
