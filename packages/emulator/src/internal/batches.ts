/**
 * Batches of the emulator: `POST /api/v1/batches?method=…` takes a JSONL file of `{"id", "request"}` lines,
 * `GET /api/v1/batches[?batch_id=…]` reports them. A batch's status follows the emulator's `Clock`: `created`, then
 * `in_progress` after a third of the batch duration, then `completed` once it has passed; at that moment every task
 * is answered as its endpoint would answer it and the answers are stored as a JSONL result file
 * (`output_file_id`), one `{"id", "result"}` or `{"id", "error": {status, message}}` line per task.
 */

type JsonObject = Record<string, unknown>

const isRecord = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** @internal */
export type BatchMethod = "chat_completions" | "embedder"

/** What the batches need from the emulator. @internal */
export interface BatchEnvironment {
  /** Answers one task as its endpoint would: a 200 body, or an error status and message. */
  readonly answer: (
    method: BatchMethod,
    request: unknown,
    nowMillis: number,
    clientId: string | undefined
  ) => { readonly status: number; readonly body: unknown }
  /** Stores the result file and returns its id. */
  readonly storeResults: (content: Uint8Array, nowMillis: number, clientId: string | undefined) => string
  readonly uuid: () => string
}

/** A handler's answer: the status and the JSON body. @internal */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

interface StoredBatch {
  readonly id: string
  readonly method: BatchMethod
  readonly tasks: ReadonlyArray<{ readonly id: string; readonly request: unknown }>
  readonly createdAt: number
  readonly clientId: string | undefined
  result: { readonly fileId: string; readonly completed: number; readonly failed: number } | undefined
}

/** The most lines a batch file may hold (the Python SDK's batching notebook gives 500). @internal */
export const maxLines = 500

const error = (status: number, message: string): Reply => ({ status, body: { status, message } })

const encoder = new TextEncoder()

/** @internal */
export const make = (environment: BatchEnvironment, durationMillis: number) => {
  const batches = new Map<string, StoredBatch>()
  const startAfter = Math.floor(durationMillis / 3)

  const visible = (batch: StoredBatch, clientId: string | undefined) =>
    batch.clientId === undefined || batch.clientId === clientId

  /** Runs the tasks once the batch's time has come; the answers are those of that moment. */
  const settle = (batch: StoredBatch, now: number) => {
    const completedAt = batch.createdAt + durationMillis
    if (batch.result !== undefined || now < completedAt) return
    let completed = 0
    let failed = 0
    const lines = batch.tasks.map((task) => {
      const answer = environment.answer(batch.method, task.request, completedAt, batch.clientId)
      if (answer.status === 200) {
        completed++
        return JSON.stringify({ id: task.id, result: answer.body })
      }
      failed++
      const message = isRecord(answer.body) && typeof answer.body.message === "string" ? answer.body.message : "Error"
      return JSON.stringify({ id: task.id, error: { status: answer.status, message } })
    })
    const fileId = environment.storeResults(encoder.encode(lines.join("\n") + "\n"), completedAt, batch.clientId)
    batch.result = { fileId, completed, failed }
  }

  const render = (batch: StoredBatch, now: number) => {
    settle(batch, now)
    const seconds = (millis: number) => Math.floor(millis / 1000)
    const total = batch.tasks.length
    if (batch.result !== undefined) {
      return {
        id: batch.id,
        method: batch.method,
        request_counts: { total, completed: batch.result.completed, failed: batch.result.failed },
        status: "completed",
        output_file_id: batch.result.fileId,
        created_at: seconds(batch.createdAt),
        updated_at: seconds(batch.createdAt + durationMillis)
      }
    }
    const started = now >= batch.createdAt + startAfter
    return {
      id: batch.id,
      method: batch.method,
      request_counts: { total },
      status: started ? "in_progress" : "created",
      created_at: seconds(batch.createdAt),
      updated_at: seconds(started ? batch.createdAt + startAfter : batch.createdAt)
    }
  }

  /** Reads the JSONL file: every line a `{"id": string, "request": object}`, ids unique. */
  const parseFile = (text: string): ReadonlyArray<StoredBatch["tasks"][number]> | Reply => {
    const lines = text.split("\n").map((line, index) => ({ line: line.trim(), number: index + 1 })).filter((l) =>
      l.line !== ""
    )
    if (lines.length === 0) return error(400, "Invalid params: the batch file is empty")
    if (lines.length > maxLines) return error(400, `Invalid params: a batch file may hold at most ${maxLines} lines`)
    const tasks: Array<StoredBatch["tasks"][number]> = []
    const ids = new Set<string>()
    for (const { line, number } of lines) {
      let parsed: unknown
      try {
        parsed = JSON.parse(line)
      } catch {
        return error(400, `Invalid params: line ${number} is not valid JSON`)
      }
      if (!isRecord(parsed) || typeof parsed.id !== "string" || parsed.id === "" || !isRecord(parsed.request)) {
        return error(400, `Invalid params: line ${number} must be {"id": string, "request": object}`)
      }
      if (ids.has(parsed.id)) return error(400, `Invalid params: line ${number} repeats the id "${parsed.id}"`)
      ids.add(parsed.id)
      tasks.push({ id: parsed.id, request: parsed.request })
    }
    return tasks
  }

  return {
    /** `POST /batches?method=…`. */
    create: (search: URLSearchParams, body: string, now: number, clientId: string | undefined): Reply => {
      const method = search.get("method")
      if (method === null || method === "") return error(400, "Invalid params: the method query parameter is required")
      if (method !== "chat_completions" && method !== "embedder") {
        return error(400, `Invalid params: method must be chat_completions or embedder, not ${method}`)
      }
      const tasks = parseFile(body)
      if (!Array.isArray(tasks)) return tasks as Reply
      const batch: StoredBatch = { id: environment.uuid(), method, tasks, createdAt: now, clientId, result: undefined }
      batches.set(batch.id, batch)
      return { status: 200, body: render(batch, now) }
    },
    /** `GET /batches` (all of the caller's batches) or `GET /batches?batch_id=…` (that one), as a JSON array. */
    get: (search: URLSearchParams, now: number, clientId: string | undefined): Reply => {
      const id = search.get("batch_id")
      if (id === null) {
        const all = Array.from(batches.values()).filter((batch) => visible(batch, clientId))
        return { status: 200, body: all.map((batch) => render(batch, now)) }
      }
      const batch = batches.get(id)
      if (batch === undefined || !visible(batch, clientId)) return error(404, `Batch '${id}' not found`)
      return { status: 200, body: [render(batch, now)] }
    },
    clear: () => batches.clear()
  }
}
