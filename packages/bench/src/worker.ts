/**
 * One benchmark child: one client, one workload, in a fresh process (started by `main.ts` with `--expose-gc`), so
 * that clients never share a heap, a JIT or a connection pool. Only the measured client's module is imported.
 *
 * Argument: the JSON of a {@link Job}. Messages to the parent: `{ type: "first" }` when the first chat call has
 * completed (the cold-start mark), then `{ type: "result", result }` or `{ type: "error", message }`.
 */
import * as Fs from "node:fs"
import * as Inspector from "node:inspector/promises"
import * as Module from "node:module"
import * as Path from "node:path"
import type { Client } from "./client.js"
import type { Job, Phase, Result } from "./job.js"

const mb = (bytes: number) => bytes / (1024 * 1024)

const collect = (): void => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error("run the worker with --expose-gc")
  gc()
  gc()
}

const heapAfterGc = (): number => {
  collect()
  return mb(process.memoryUsage().heapUsed)
}

const percentile = (sorted: Float64Array, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/** Samples the RSS every few milliseconds while `body` runs. */
const withRss = async <A>(body: () => Promise<A>): Promise<{ value: A; peakRssMb: number }> => {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > peak) peak = rss
  }, 5)
  try {
    const value = await body()
    const rss = process.memoryUsage.rss()
    return { value, peakRssMb: mb(rss > peak ? rss : peak) }
  } finally {
    clearInterval(timer)
  }
}

/** A timed phase of `n` calls, each call's latency recorded. */
const callPhase = async (
  name: string,
  n: number,
  run: (record: (millis: number) => void) => Promise<void>
): Promise<Phase> => {
  const latencies = new Float64Array(n)
  let recorded = 0
  const record = (millis: number) => {
    latencies[recorded++] = millis
  }
  // No forced collection first: see `streamPhase`.
  const cpu = process.cpuUsage()
  const start = performance.now()
  const { peakRssMb } = await withRss(() => run(record))
  const wallMs = performance.now() - start
  const cpuUsed = cpuMs(cpu)
  if (recorded !== n) throw new Error(`${name}: ${recorded} of ${n} calls completed`)
  latencies.sort()
  return {
    name,
    count: n,
    wallMs,
    cpuMs: cpuUsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    peakRssMb
  }
}

/**
 * A timed stream phase: the stream is run once for the figures (time, CPU, RSS), then once more for the heap, which
 * is measured after a full GC before and after it and, with `samples > 0`, that many times while it runs. A forced
 * full GC makes V8 optimize the hot code again, so the CPU of the calls after one would count a recompilation that
 * no application pays: no measured run follows a forced collection.
 */
const streamPhase = async (
  name: string,
  count: number,
  chunks: number,
  samples: number,
  run: (onChunk: (content: string) => void) => Promise<void>
): Promise<Phase> => {
  const expected = count * chunks
  let received = 0
  let characters = 0
  let firstAt = 0
  let lastAt = 0
  const counted = (check: (received: number) => void) => (content: string) => {
    if (received === 0) firstAt = performance.now()
    lastAt = performance.now()
    received++
    characters += content.length
    check(received)
  }
  const completed = (what: string) => {
    progress = undefined
    if (received !== expected) throw new Error(`${what}: ${received} of ${expected} chunks received`)
    if (characters === 0) throw new Error(`${what}: the chunks carried no text`)
  }

  progress = () => `${name}: ${received} of ${expected} chunks received`
  const cpu = process.cpuUsage()
  const start = performance.now()
  const { peakRssMb } = await withRss(() => run(counted(() => {})))
  const wallMs = performance.now() - start
  const cpuUsed = cpuMs(cpu)
  completed(name)
  const firstToLastMs = lastAt - firstAt

  const every = samples > 0 ? Math.floor(expected / (samples + 1)) : 0
  let heapMax = 0
  received = 0
  characters = 0
  progress = () => `${name} (heap): ${received} of ${expected} chunks received`
  const heapStart = heapAfterGc()
  await run(counted((received) => {
    if (every > 0 && received % every === 0) heapMax = Math.max(heapMax, heapAfterGc())
  }))
  const heapEnd = heapAfterGc()
  completed(`${name} (heap)`)
  return {
    name,
    count: expected,
    wallMs,
    cpuMs: cpuUsed,
    peakRssMb,
    heapStartMb: heapStart,
    heapEndMb: heapEnd,
    heapMaxMb: Math.max(heapMax, heapEnd),
    ...(samples === 0 ? { firstToLastMs } : {})
  }
}

interface ProfileNode {
  callFrame: { url: string; lineNumber: number; columnNumber: number; functionName: string }
}

/**
 * Profiles what runs between `start` and `stop` with the inspector (the equivalent of `--cpu-prof`, but without
 * the start-up). tsx serves minified one-line modules, so every position is mapped back to its TypeScript source
 * through the source maps Node keeps.
 */
const profiler = async (job: Job) => {
  if (job.profileDir === undefined) return { stop: () => Promise.resolve() }
  const session = new Inspector.Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 200 })
  await session.post("Profiler.start")
  return {
    stop: async () => {
      const { profile } = await session.post("Profiler.stop")
      session.disconnect()
      for (const node of profile.nodes as Array<ProfileNode>) {
        const frame = node.callFrame
        if (frame.url === "" || frame.url.startsWith("node:")) continue
        const entry = Module.findSourceMap(frame.url)?.findEntry(frame.lineNumber, frame.columnNumber)
        if (entry !== undefined && "originalSource" in entry) {
          frame.url = entry.originalSource
          frame.lineNumber = entry.originalLine
          frame.columnNumber = entry.originalColumn
        }
      }
      Fs.mkdirSync(job.profileDir!, { recursive: true })
      const file = Path.join(job.profileDir!, `${job.client}-${job.workload}-${process.pid}.cpuprofile`)
      Fs.writeFileSync(file, JSON.stringify(profile))
    }
  }
}

const loadClient = async (job: Job): Promise<Client> => {
  switch (job.client) {
    case "ours":
      return (await import("./clientOurs.js")).make(job.target)
    case "undici":
      return (await import("./clientUndici.js")).make(job.target)
    case "gigachat":
      return (await import("./clientGigachat.js")).make(job.target)
  }
}

const send = (message: unknown): Promise<void> =>
  new Promise((resolve, reject) => {
    if (process.send === undefined) {
      console.log(JSON.stringify(message))
      resolve()
      return
    }
    process.send(message, undefined, {}, (error) => (error === null ? resolve() : reject(error)))
  })

const noop = () => {}

/** Where a stream phase was when the child failed: a client may throw from an event handler. */
let progress: (() => string) | undefined

const first = async (client: Client): Promise<number> => {
  await client.chatMany(1, 1, noop)
  const done = performance.now()
  await send({ type: "first" })
  return done
}

/**
 * `ai-stream` (our client only): the same v2 stream of `longStream` events through `gc.completions.stream` and through
 * `@effect/ai`'s `LanguageModel.streamText` on `GigaChatLanguageModel`, each folded into its text. Measured in the
 * order core, ai, ai, core, so that neither always runs on the warmer JIT; a phase's count is the events the server
 * sent, so its CPU per chunk compares the two.
 */
const runAiStream = async (job: Job): Promise<Result> => {
  const client = (await import("./clientAi.js")).make(job.target)
  const importMs = performance.now()
  const chunks = job.sizes.longStream
  // The first event's word, one per middle event; the done event carries none.
  const expected = (n: number) => "Конечно" + " токен".repeat(n - 2)
  for (let i = 0; i < 3; i++) {
    await client.core(2000)
    await client.ai(2000)
  }
  const profiling = await profiler(job)
  const totals = new Map<string, { wallMs: number; cpuMs: number; peakRssMb: number }>()
  const measure = async (name: string, run: () => Promise<string>): Promise<void> => {
    progress = () => `${name}: streaming ${chunks} chunks`
    // No forced collection first: see `streamPhase`.
    const cpu = process.cpuUsage()
    const start = performance.now()
    const { peakRssMb, value } = await withRss(run)
    const wallMs = performance.now() - start
    const cpuUsed = cpuMs(cpu)
    progress = undefined
    if (value !== expected(chunks)) {
      throw new Error(
        `${name}: the text is not the stream's (${value.length} of ${expected(chunks).length} characters)`
      )
    }
    const total = totals.get(name) ?? { wallMs: 0, cpuMs: 0, peakRssMb: 0 }
    totals.set(name, {
      wallMs: total.wallMs + wallMs,
      cpuMs: total.cpuMs + cpuUsed,
      peakRssMb: Math.max(total.peakRssMb, peakRssMb)
    })
  }
  await measure("v2-core", () => client.core(chunks))
  await measure("v2-ai", () => client.ai(chunks))
  await measure("v2-ai", () => client.ai(chunks))
  await measure("v2-core", () => client.core(chunks))
  await profiling.stop()
  await client.close()
  return {
    client: job.client,
    workload: job.workload,
    importMs,
    phases: Array.from(totals, ([name, total]) => ({ name, count: 2 * chunks, ...total })),
    maxRssMb: process.resourceUsage().maxRSS / 1024
  }
}

const runJob = async (job: Job): Promise<Result> => {
  if (job.workload === "ai-stream") return runAiStream(job)
  const { sizes } = job
  const client = await loadClient(job)
  const importMs = performance.now()
  const phases: Array<Phase> = []
  let firstDoneMs: number | undefined
  let profiling = { stop: () => Promise.resolve() }
  const startProfile = async () => {
    profiling = await profiler(job)
  }
  switch (job.workload) {
    case "chat": {
      firstDoneMs = await first(client)
      await client.chatMany(sizes.warmup, 8, noop)
      await client.embeddingsMany(Math.ceil(sizes.warmup / 4), 8, noop)
      await startProfile()
      phases.push(
        await callPhase("sequential", sizes.sequential, (record) => client.chatMany(sizes.sequential, 1, record))
      )
      phases.push(
        await callPhase(
          "concurrent",
          sizes.concurrent,
          (record) => client.chatMany(sizes.concurrent, sizes.concurrency, record)
        )
      )
      phases.push(
        await callPhase(
          "embeddings",
          sizes.embeddings,
          (record) => client.embeddingsMany(sizes.embeddings, sizes.concurrency, record)
        )
      )
      break
    }
    case "stream-long":
    case "stream-many":
    case "stream-paced": {
      firstDoneMs = await first(client)
      // The warm-up is paced, so that a client that breaks on events split across reads gets to the measurement.
      await client.streamMany(1, 1000, true, noop)
      await client.streamMany(8, 200, true, noop)
      await startProfile()
      if (job.workload === "stream-long") {
        phases.push(
          await streamPhase(
            "long",
            1,
            sizes.longStream,
            9,
            (onChunk) => client.streamMany(1, sizes.longStream, false, onChunk)
          )
        )
      } else if (job.workload === "stream-many") {
        phases.push(
          await streamPhase(
            "concurrent",
            sizes.streams,
            sizes.streamChunks,
            0,
            (onChunk) => client.streamMany(sizes.streams, sizes.streamChunks, false, onChunk)
          )
        )
      } else {
        phases.push(
          await streamPhase(
            "paced",
            1,
            sizes.pacedStream,
            0,
            (onChunk) => client.streamMany(1, sizes.pacedStream, true, onChunk)
          )
        )
      }
      break
    }
    case "stampede": {
      // Everything is built first; the token cache is still empty.
      await client.prepare()
      await startProfile()
      phases.push(
        await callPhase("stampede", sizes.stampede, (record) => client.chatMany(sizes.stampede, sizes.stampede, record))
      )
      break
    }
  }
  await profiling.stop()
  await client.close()
  return {
    client: job.client,
    workload: job.workload,
    importMs,
    firstDoneMs,
    phases,
    maxRssMb: process.resourceUsage().maxRSS / 1024
  }
}

const fail = (error: unknown) => {
  const message = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)) +
    (progress !== undefined ? ` (${progress()})` : "")
  send({ type: "error", message: message.slice(0, 500) }).finally(() => process.exit(1))
}

process.on("uncaughtException", fail)
process.on("unhandledRejection", fail)

const job = JSON.parse(process.argv[2] ?? "") as Job
runJob(job).then(
  (result) => send({ type: "result", result }).then(() => process.exit(0)),
  fail
)
