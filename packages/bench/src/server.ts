/**
 * The canned GigaChat server of the benchmarks, run as its own process (`fork`) so that its work never shares a
 * heap, an event loop or a JIT with the client being measured. Every answer body is serialized once, ahead of time:
 * the server only matches the URL, drains the request and writes bytes.
 *
 * URLs are `/r/<run>/api/v2/oauth`, `/r/<run>/api/v1/chat/completions`, `/r/<run>/api/v1/embeddings` and (streams
 * only, named events as the v2 API sends them) `/r/<run>/api/v2/chat/completions`; `<run>`
 * names the benchmark child, and requests are counted per run, so each child's OAuth and API request counts can be
 * read back over IPC. A chat request whose `Accept` is `text/event-stream` gets a stream whose length is taken from
 * the prompt (`"stream 500"` gives 500 chunks); every event goes out as its own HTTP chunk, as the real API sends
 * tokens, and writes are corked in batches so the server stays cheap. `"stream 500 paced"` sends about 10,000
 * chunks/s instead (10 separate writes every millisecond), so that every client, even one slower than the server
 * or one that cannot handle an event split across two reads, gets its events whole and can be compared by CPU.
 *
 * Parent → server messages: `{ type: "stats", run }` (answered with `{ type: "stats", run, stats }`) and
 * `{ type: "cpu" }` (answered with `{ type: "cpu", cpu }`, the server's `process.cpuUsage()`).
 */
import * as Http from "node:http"
import type * as Net from "node:net"
import type { RunStats } from "./job.js"
import { accessToken, emptyStats } from "./job.js"

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), "utf8")

const created = 1695802242
const model = "GigaChat:v1.2.19.2"

// A year ahead, in milliseconds: no client ever needs a second token.
const oauthBody = json({ access_token: accessToken, expires_at: Date.now() + 365 * 24 * 3600 * 1000 })

const chatBody = json({
  choices: [{
    message: {
      role: "assistant",
      content:
        "Конечно, у человечества всегда есть возможность развивать науку и технологии, чтобы улучшить качество " +
        "жизни и справиться с вызовами, стоящими перед нами."
    },
    index: 0,
    finish_reason: "stop"
  }],
  created,
  model,
  usage: { prompt_tokens: 18, completion_tokens: 68, total_tokens: 86 },
  object: "chat.completion"
})

const embeddingSize = 1024
const embeddingsBody = json({
  object: "list",
  data: [{
    object: "embedding",
    // Deterministic, non-trivial floats: the client parses real numbers, not zeros.
    embedding: Array.from({ length: embeddingSize }, (_, i) => Math.sin(i + 1) * 1.7),
    index: 0,
    usage: { prompt_tokens: 11 }
  }],
  model: "Embeddings"
})

const event = (value: unknown): Buffer => Buffer.from(`data: ${JSON.stringify(value)}\n\n`, "utf8")

const firstEvent = event({
  choices: [{ delta: { content: "Конечно", role: "assistant" }, index: 0 }],
  created,
  model,
  object: "chat.completion"
})
const middleEvent = event({
  choices: [{ delta: { content: " токен" }, index: 0 }],
  created,
  model,
  object: "chat.completion"
})
const lastEvent = event({
  choices: [{ delta: { content: "" }, finish_reason: "stop", index: 0 }],
  created,
  model,
  object: "chat.completion",
  usage: { prompt_tokens: 18, completion_tokens: 68, total_tokens: 86 }
})
const doneEvent = Buffer.from("data: [DONE]\n\n", "utf8")

/** The v2 stream: `response.message.delta` events, then `response.message.done` with the finish reason and usage. */
const namedEvent = (name: string, value: unknown): Buffer =>
  Buffer.from(`event: ${name}\ndata: ${JSON.stringify(value)}\n\n`, "utf8")
const v2Delta = (text: string): Buffer =>
  namedEvent("response.message.delta", {
    model,
    created_at: created,
    messages: [{ role: "assistant", content: [{ text }] }]
  })
const v2Events = {
  first: v2Delta("Конечно"),
  middle: v2Delta(" токен"),
  last: namedEvent("response.message.done", {
    model,
    created_at: created,
    finish_reason: "stop",
    usage: { input_tokens: 18, output_tokens: 68, total_tokens: 86 }
  })
}
const v1Events = { first: firstEvent, middle: middleEvent, last: lastEvent }
type Events = typeof v1Events

const jsonHeaders = (body: Buffer): Http.OutgoingHttpHeaders => ({
  "content-type": "application/json",
  "content-length": body.length,
  "x-request-id": "bench-request",
  "x-session-id": "bench-session"
})

const oauthHeaders = jsonHeaders(oauthBody)
const chatHeaders = jsonHeaders(chatBody)
const embeddingsHeaders = jsonHeaders(embeddingsBody)
const streamHeaders: Http.OutgoingHttpHeaders = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
  "x-request-id": "bench-request",
  "x-session-id": "bench-session"
}

const stats = new Map<string, RunStats>()
const statsOf = (run: string): RunStats => {
  let value = stats.get(run)
  if (value === undefined) {
    value = emptyStats()
    stats.set(run, value)
  }
  return value
}

const bearer = `Bearer ${accessToken}`
const batch = 64

/** Event `index` of a stream of `total` chunks followed by `[DONE]` (index `total`). */
const eventAt = (index: number, total: number, events: Events): Buffer =>
  index === total ? doneEvent : index === 0 ? events.first : index === total - 1 ? events.last : events.middle

/** Writes the events of one stream in corked batches, waiting for `drain` when the socket is full. */
const writeStream = (response: Http.ServerResponse, total: number, counts: RunStats, events: Events): void => {
  let index = 0
  const pump = (): void => {
    while (index < total + 1) {
      response.cork()
      const end = Math.min(index + batch, total + 1)
      let writable = true
      for (; index < end; index++) {
        writable = response.write(eventAt(index, total, events))
        if (index < total) counts.streamChunks++
      }
      response.uncork()
      if (!writable && index < total + 1) {
        response.once("drain", pump)
        return
      }
    }
    response.end()
  }
  pump()
}

/** Every millisecond, this many events, each its own write. */
const pacedBatch = 10

const writePaced = (response: Http.ServerResponse, total: number, counts: RunStats, events: Events): void => {
  let index = 0
  let firstWrite = 0
  const timer = setInterval(() => {
    if (index === 0) firstWrite = performance.now()
    for (let n = 0; n < pacedBatch && index <= total; n++, index++) {
      response.write(eventAt(index, total, events))
      if (index < total) counts.streamChunks++
    }
    if (index > total) {
      // The last events and `[DONE]` went out in this same tick. The first of a run's longest paced streams is the
      // measured one: the warm-up's are shorter, and the heap run after it is as long.
      if (total > counts.pacedSent) {
        counts.pacedSent = total
        counts.pacedSendMs = performance.now() - firstWrite
      }
      clearInterval(timer)
      response.end()
    }
  }, 1)
  response.once("close", () => clearInterval(timer))
}

const streamRequest = /stream (\d+)( paced)?/

const handle = (request: Http.IncomingMessage, response: Http.ServerResponse): void => {
  const url = request.url ?? ""
  // `/r/<run>/api/...`
  const runEnd = url.startsWith("/r/") ? url.indexOf("/", 3) : -1
  const run = runEnd === -1 ? "default" : url.slice(3, runEnd)
  const route = runEnd === -1 ? url : url.slice(runEnd)
  const counts = statsOf(run)
  const v2 = route === "/api/v2/chat/completions"
  const streaming = (route === "/api/v1/chat/completions" || v2) &&
    (request.headers.accept ?? "").includes("text/event-stream")

  const parts: Array<Buffer> = []
  request.on("data", (part: Buffer) => {
    // Only a stream request's body is read (for its length); the others are drained.
    if (streaming) parts.push(part)
  })
  request.on("end", () => {
    if (request.method !== "POST") {
      counts.notFound++
      response.writeHead(404).end()
      return
    }
    if (route === "/api/v2/oauth") {
      counts.oauth++
      response.writeHead(200, oauthHeaders).end(oauthBody)
      return
    }
    if (route !== "/api/v1/chat/completions" && route !== "/api/v1/embeddings" && !streaming) {
      counts.notFound++
      response.writeHead(404).end()
      return
    }
    if (request.headers.authorization !== bearer) {
      counts.unauthorized++
      response.writeHead(401, { "content-type": "application/json" }).end(
        "{\"status\":401,\"message\":\"Unauthorized\"}"
      )
      return
    }
    if (route === "/api/v1/embeddings") {
      counts.embeddings++
      response.writeHead(200, embeddingsHeaders).end(embeddingsBody)
      return
    }
    if (!streaming) {
      counts.chat++
      response.writeHead(200, chatHeaders).end(chatBody)
      return
    }
    counts.stream++
    const match = streamRequest.exec(Buffer.concat(parts).toString("utf8"))
    const total = Math.max(2, match === null ? 100 : Number(match[1]))
    response.writeHead(200, streamHeaders)
    if (match?.[2] !== undefined) writePaced(response, total, counts, v2 ? v2Events : v1Events)
    else writeStream(response, total, counts, v2 ? v2Events : v1Events)
  })
}

const server = Http.createServer({ keepAliveTimeout: 60_000 }, handle)
// A stampede opens a connection per request at once.
server.maxHeadersCount = 64
server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 }, () => {
  const port = (server.address() as Net.AddressInfo).port
  if (process.send !== undefined) process.send({ type: "ready", port })
  else console.log(`bench server on http://127.0.0.1:${port}`)
})

process.on("message", (message: { type: string; run?: string }) => {
  if (message.type === "stats") {
    process.send?.({ type: "stats", run: message.run, stats: statsOf(message.run ?? "default") })
  } else if (message.type === "cpu") {
    process.send?.({ type: "cpu", cpu: process.cpuUsage() })
  } else if (message.type === "stop") {
    server.closeAllConnections()
    server.close(() => process.exit(0))
  }
})
// The parent going away ends the server too.
process.on("disconnect", () => process.exit(0))
