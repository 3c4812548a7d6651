/**
 * `pnpm --filter @effect-gigachat/bench load`: the backend example (`packages/examples/src/backend/main.ts`, started
 * as the service it is, over the SDK and undici) relaying SSE streams from the emulator to many clients at once.
 *
 * Three processes on 127.0.0.1: this one (the clients, reading with undici), the emulator (`loadEmulator.ts`, every
 * stream paced at `--rate` tokens per second) and the backend, whose CPU and memory are read from `/proc`.
 *
 * 1. Load: clients open `POST /chat/stream` at 100 a second, each reply lasting about a minute: first a quarter of
 *    `--clients` (1,000), then the rest. After each step, once its clients have their first token (or 30 s after
 *    the last one arrived), a window of `--window` seconds gives the backend's CPU per relayed chunk and its memory
 *    per open stream (RSS minus RSS when idle after a warm-up); time to first token is measured by each client from
 *    the start of its request.
 * 2. Disconnect: midway every client hangs up; the emulator's active requests and then its open connections (the
 *    backend's idle keep-alive ones included) must drop to zero within 15 s, or the run fails.
 * 3. Shutdown: as many clients open streams of about 13 s; once each has its first token the backend gets a
 *    SIGTERM. Every stream in flight must end with its `done` event, new requests must be refused, and the backend
 *    must exit 0 within its grace period (30 s, Kubernetes' default), or the run fails.
 *
 * Flags: `--clients N`, `--rate R` (tokens per second per stream, default 10), `--window S` (default 8), `--write`
 * (put the section into RESULTS.md, replacing an earlier one), `--profile DIR` (a CPU profile of the backend, written
 * when it exits). The run takes one to three minutes, depending on how busy the machine is.
 */
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import { Agent, request } from "undici"
import { loadHeading, writeSection } from "./resultsFile.js"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))
const packageDir = Path.dirname(here)
const examplesDir = Path.join(packageDir, "..", "examples")

const flag = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(process.argv[index + 1])
}
const clients = flag("clients", 1000)
const rate = flag("rate", 10)
const windowSeconds = flag("window", 8)
const write = process.argv.includes("--write")
const profileIndex = process.argv.indexOf("--profile")
const profileDir = profileIndex === -1 ? undefined : process.argv[profileIndex + 1]
// The backend's grace period: Kubernetes' default `terminationGracePeriodSeconds`.
const graceSeconds = 30
// Clients arrive at 100 a second: a burst of 1,000 connections at once overflows the listen queue (511) of a process
// that cannot accept them fast enough on a busy machine, and the kernel's SYN retries then add seconds.
const rampMillis = 10_000
const zeroWithinMillis = 15_000
/** How long a phase waits for every client's first token before it goes on without the late ones. */
const firstTokensWithinMillis = 30_000

// The emulator answers any other prompt with a template that echoes it word by word: one event per word. The reply
// lasts a minute at the emulator's pace, longer than phase 1 on a slow machine: every client is still reading when
// it hangs up.
const longPrompt = Array.from({ length: rate * 60 - 20 }, (_, i) => `w${i}`).join(" ")
const shortPrompt = "count from 1 to 20"
// Phase 3's replies: about 13 s at the emulator's pace, so every one is still running when the last client arrives.
const shutdownPrompt = Array.from({ length: rate * 12 }, (_, i) => `s${i}`).join(" ")

const sleep = (millis: number) => new Promise<void>((resolve) => setTimeout(resolve, millis))
const now = () => performance.now()

const failures: Array<string> = []
const check = (ok: boolean, what: string) => {
  if (!ok) failures.push(what)
  return ok
}

// ---------------------------------------------------------------------------------------------------------------
// The processes

const clockTicks = Number(ChildProcess.execFileSync("getconf", ["CLK_TCK"]).toString().trim())

/** User + system CPU of a process, in ms. */
const cpuOf = (pid: number): number => {
  const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(fields[11]) + Number(fields[12])) * 1000 / clockTicks
}

/** Resident memory of a process, in bytes. */
const rssOf = (pid: number): number => {
  const match = /VmRSS:\s+(\d+) kB/.exec(Fs.readFileSync(`/proc/${pid}/status`, "utf8"))
  return Number(match?.[1] ?? 0) * 1024
}

interface EmulatorStats {
  readonly openConnections: number
  readonly activeRequests: number
}

const startEmulator = async () => {
  const child = ChildProcess.spawn(
    process.execPath,
    ["--import", "tsx", Path.join(here, "loadEmulator.ts"), String(Math.round(1000 / rate))],
    { cwd: packageDir, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "inherit", "inherit", "ipc"] }
  )
  const ready = await new Promise<{ baseUrl: string; authUrl: string; pid: number }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)))
    child.on("message", (message: { type: string; baseUrl: string; authUrl: string; pid: number }) => {
      if (message.type === "ready") resolve(message)
    })
  })
  const stats = () =>
    new Promise<EmulatorStats>((resolve) => {
      const listener = (message: { type: string } & EmulatorStats) => {
        if (message.type !== "stats") return
        child.off("message", listener)
        resolve(message)
      }
      child.on("message", listener)
      child.send({ type: "stats" })
    })
  return { ...ready, child, stats }
}

interface LogLine {
  readonly message: unknown
  readonly level?: string
}

const startBackend = async (emulator: { baseUrl: string; authUrl: string }) => {
  const profile = profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profileDir]
  // The logs go to a file: Node writes to a pipe synchronously, and a reader slower than the backend would stall it.
  const logDir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "gigachat-load-"))
  const logFile = Path.join(logDir, "backend.log")
  const out = Fs.openSync(logFile, "w")
  const child = ChildProcess.spawn(process.execPath, [...profile, "--import", "tsx", "src/backend/main.ts"], {
    cwd: examplesDir,
    // Only what the backend needs: no proxy or GigaChat setting of this machine leaks in.
    env: {
      PATH: process.env.PATH ?? "",
      GIGACHAT_CREDENTIALS: GigaChatEmulator.defaultCredentials,
      GIGACHAT_BASE_URL: emulator.baseUrl,
      GIGACHAT_AUTH_URL: emulator.authUrl,
      BACKEND_PORT: "0",
      BACKEND_MAX_CONCURRENT_CHATS: String(clients + 100),
      BACKEND_SHUTDOWN_GRACE: `${graceSeconds} seconds`,
      LOG_FORMAT: "json"
    },
    stdio: ["ignore", out, out]
  })
  Fs.closeSync(out)
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  /** The log's JSON lines so far. */
  const lines = (): Array<LogLine & { annotations?: Record<string, unknown> }> =>
    Fs.readFileSync(logFile, "utf8").split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line))
  let url: string | undefined
  const startedBy = now() + 30_000
  while (url === undefined) {
    if (child.exitCode !== null || now() > startedBy) {
      throw new Error(`the backend did not start: ${Fs.readFileSync(logFile, "utf8")}`)
    }
    await sleep(100)
    const listening = lines().find((line) => line.message === "listening")
    if (listening !== undefined) url = String(listening.annotations?.url)
  }
  const remove = () => Fs.rmSync(logDir, { recursive: true, force: true })
  return { child, pid: child.pid!, url, lines, exited, remove }
}

// ---------------------------------------------------------------------------------------------------------------
// The clients

interface Client {
  readonly startedAt: number
  firstTokenAt: number | undefined
  /** When the response's headers came: before that, the backend has not answered the request. */
  headersAt: number | undefined
  chunks: number
  end: "open" | "done" | "error" | "aborted" | "failed"
  detail: string
  readonly controller: AbortController
  readonly finished: Promise<void>
}

let relayedChunks = 0

const openStream = (dispatcher: Agent, origin: string, prompt: string, onFirstToken: () => void): Client => {
  const controller = new AbortController()
  const client: Omit<Client, "finished"> & { finished?: Promise<void> } = {
    startedAt: now(),
    firstTokenAt: undefined,
    headersAt: undefined,
    chunks: 0,
    end: "open",
    detail: "",
    controller
  }
  client.finished = (async () => {
    try {
      const response = await request(`${origin}/chat/stream`, {
        method: "POST",
        dispatcher,
        signal: controller.signal,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: [{ role: "user", content: prompt }] })
      })
      client.headersAt = now()
      if (response.statusCode !== 200) {
        client.end = "failed"
        client.detail = `status ${response.statusCode}: ${await response.body.text()}`
        return
      }
      const decoder = new TextDecoder()
      let buffer = ""
      for await (const bytes of response.body) {
        buffer += decoder.decode(bytes as Uint8Array, { stream: true })
        let end = buffer.indexOf("\n\n")
        while (end !== -1) {
          const event = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf("\n\n")
          if (event.startsWith("data:")) {
            client.chunks++
            relayedChunks++
            if (client.firstTokenAt === undefined) {
              client.firstTokenAt = now()
              onFirstToken()
            }
          } else if (event.startsWith("event: done")) {
            client.end = "done"
          } else if (event.startsWith("event: error")) {
            client.end = "error"
            client.detail = event
          }
        }
      }
      if (client.end === "open") client.end = "failed"
    } catch (cause) {
      if (controller.signal.aborted) {
        client.end = "aborted"
      } else {
        client.end = "failed"
        client.detail = String(cause)
      }
    }
  })()
  return client as Client
}

/**
 * Opens `count` streams at `clients` per `rampMillis`; resolves with them once every one has its first token (or has
 * ended), or `firstTokensWithinMillis` after the last one.
 */
const openMany = async (dispatcher: Agent, origin: string, prompt: string, count: number = clients) => {
  const all: Array<Client> = []
  let waiting = count
  let allStarted!: () => void
  const started = new Promise<void>((resolve) => {
    allStarted = resolve
  })
  const onFirst = () => {
    if (--waiting === 0) allStarted()
  }
  const begin = now()
  for (let i = 0; i < count; i++) {
    const due = begin + (i * rampMillis) / clients
    const wait = due - now()
    if (wait > 1) await sleep(wait)
    const client = openStream(dispatcher, origin, prompt, onFirst)
    // A client that ends without a token does not hold the others up.
    client.finished.then(() => {
      if (client.firstTokenAt === undefined) onFirst()
    })
    all.push(client)
  }
  await Promise.race([started, sleep(firstTokensWithinMillis)])
  return all
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!

const tally = (all: ReadonlyArray<Client>) => {
  const counts: Record<string, number> = {}
  for (const client of all) counts[client.end] = (counts[client.end] ?? 0) + 1
  return counts
}

/** What went wrong, for the console: each distinct failure or error event with its count. */
const problems = (all: ReadonlyArray<Client>) => {
  const counts: Record<string, number> = {}
  for (const client of all) {
    if (client.end !== "failed" && client.end !== "error") continue
    const key = `${client.end}: ${client.detail.slice(0, 120)}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

const waitUntil = async (read: () => Promise<boolean>, withinMillis: number): Promise<number | undefined> => {
  const start = now()
  while (now() - start < withinMillis) {
    if (await read()) return now() - start
    await sleep(50)
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "—"
const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 1)

const main = async () => {
  const runStart = now()
  const startedAt = new Date()
  const loadBefore = Os.loadavg()
  const emulator = await startEmulator()
  const backend = await startBackend(emulator)
  const dispatcher = new Agent({ connections: null, keepAliveTimeout: 30_000 })
  try {
    console.log(`backend ${backend.url} (pid ${backend.pid}), emulator ${emulator.baseUrl} (pid ${emulator.pid})`)

    // Warm-up: the token is fetched, the modules are loaded and the relay has run once.
    for (let i = 0; i < 3; i++) {
      const warm = openStream(dispatcher, backend.url, shortPrompt, () => {})
      await warm.finished
      check(warm.end === "done", `warm-up stream ended ${warm.end} ${warm.detail}`)
    }
    await sleep(500)
    const idleRss = rssOf(backend.pid)

    // 1. Load, in two steps: a quarter of the clients (below saturation on a small machine), then all of them.
    const measureStep = async (step: ReadonlyArray<Client>, all: ReadonlyArray<Client>, stepStart: number) => {
      const allStartedAfter = now() - stepStart
      await sleep(1000)
      const cpu0 = cpuOf(backend.pid)
      const emulatorCpu0 = cpuOf(emulator.pid)
      const ownCpu0 = process.cpuUsage()
      const chunks0 = relayedChunks
      const t0 = now()
      let peakRss = 0
      while (now() - t0 < windowSeconds * 1000) {
        await sleep(250)
        peakRss = Math.max(peakRss, rssOf(backend.pid))
      }
      const elapsed = (now() - t0) / 1000
      const cpuMillis = cpuOf(backend.pid) - cpu0
      const emulatorCpuMillis = cpuOf(emulator.pid) - emulatorCpu0
      const ownCpu = process.cpuUsage(ownCpu0)
      const chunks = relayedChunks - chunks0
      const loadRss = rssOf(backend.pid)
      const open = all.filter((client) => client.end === "open").length
      const ttft = step.flatMap((c) => c.firstTokenAt === undefined ? [] : [c.firstTokenAt - c.startedAt]).sort((
        a,
        b
      ) => a - b)
      const figures: StepFigures = {
        clients: all.length,
        arrivals: step.length,
        allStartedAfter,
        gotFirstToken: ttft.length,
        open,
        withoutToken: tally(step.filter((client) => client.firstTokenAt === undefined)),
        withoutHeaders: step.filter((client) => client.headersAt === undefined).length,
        cpuPerChunkMicros: (cpuMillis * 1000) / chunks,
        cpuShare: cpuMillis / 1000 / elapsed,
        emulatorCpuShare: emulatorCpuMillis / 1000 / elapsed,
        clientsCpuShare: (ownCpu.user + ownCpu.system) / 1e6 / elapsed,
        chunksPerSecond: chunks / elapsed,
        perStreamRate: chunks / elapsed / open,
        loadRss,
        peakRss,
        rssPerStream: (loadRss - idleRss) / open,
        ttftP50: percentile(ttft, 50),
        ttftP99: percentile(ttft, 99),
        ttftMax: ttft[ttft.length - 1] ?? NaN
      }
      console.log(figures, problems(step))
      return figures
    }
    relayedChunks = 0
    const firstCount = Math.round(clients / 4)
    console.log(`phase 1: ${firstCount} then ${clients} clients, ${rate} tokens/s per stream`)
    const firstStart = now()
    const first = await openMany(dispatcher, backend.url, longPrompt, firstCount)
    const quarter = await measureStep(first, first, firstStart)
    const restStart = now()
    const rest = await openMany(dispatcher, backend.url, longPrompt, clients - firstCount)
    const load = [...first, ...rest]
    const full = await measureStep(rest, load, restStart)
    const phase1 = { idleRss, steps: [quarter, full] }

    // 2. Disconnect midway
    const before = await emulator.stats()
    console.log(`phase 2: every client disconnects (emulator: ${JSON.stringify(before)})`)
    for (const client of load) client.controller.abort()
    await Promise.all(load.map((client) => client.finished))
    const activeZeroAfter = await waitUntil(async () => (await emulator.stats()).activeRequests === 0, zeroWithinMillis)
    const connectionsZeroAfter = await waitUntil(
      async () => (await emulator.stats()).openConnections === 0,
      zeroWithinMillis
    )
    const after = await emulator.stats()
    check(activeZeroAfter !== undefined, `the emulator still has ${after.activeRequests} active requests after 15 s`)
    check(
      connectionsZeroAfter !== undefined,
      `the emulator still has ${after.openConnections} open connections after 15 s`
    )
    const phase2 = { before, activeZeroAfter, connectionsZeroAfter, after }
    console.log(phase2)

    // 3. SIGTERM under load
    console.log(`phase 3: ${clients} streams, then SIGTERM`)
    const opened = await openMany(dispatcher, backend.url, shutdownPrompt)
    // In flight: the streams that have their first token and are still running.
    const inFlight = opened.filter((client) => client.end === "open" && client.firstTokenAt !== undefined)
    const notStarted = tally(opened.filter((client) => !inFlight.includes(client)))
    const sigtermAt = now()
    backend.child.kill("SIGTERM")
    await sleep(200)
    // New clients, each on a connection of its own.
    const fresh = new Agent({ connections: null })
    const refusals = await Promise.all(Array.from({ length: 50 }, async () => {
      try {
        const response = await request(`${backend.url}/chat/stream`, {
          method: "POST",
          dispatcher: fresh,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ messages: [{ role: "user", content: shortPrompt }] })
        })
        await response.body.text()
        return response.statusCode === 200 ? "accepted" : `status ${response.statusCode}`
      } catch (cause) {
        return (cause as { code?: string }).code ?? String(cause)
      }
    }))
    await fresh.destroy()
    await Promise.all(opened.map((client) => client.finished))
    const lastStreamEndedAfter = now() - sigtermAt
    const code = await Promise.race([backend.exited, sleep((graceSeconds + 10) * 1000).then(() => "timeout" as const)])
    const exitedAfter = now() - sigtermAt
    const ends = tally(inFlight)
    const refused: Record<string, number> = {}
    for (const r of refusals) refused[r] = (refused[r] ?? 0) + 1
    check(ends.done === inFlight.length, `of ${inFlight.length} streams in flight at SIGTERM: ${JSON.stringify(ends)}`)
    check(refused.accepted === undefined, `new requests after SIGTERM: ${JSON.stringify(refused)}`)
    check(code === 0, `the backend's exit: ${code}`)
    check(exitedAfter < graceSeconds * 1000, `the backend exited ${fmt(exitedAfter)} ms after SIGTERM`)
    const said = backend.lines().map((line) => line.message)
    check(!said.includes("grace period over, ending requests"), "the grace period ran out")
    const phase3 = { inFlight: inFlight.length, notStarted, ends, refused, lastStreamEndedAfter, code, exitedAfter }
    console.log(phase3, problems(opened))

    const section = render({
      startedAt,
      totalSeconds: (now() - runStart) / 1000,
      loadAverages: [loadBefore[0]!, Os.loadavg()[0]!],
      phase1,
      phase2,
      phase3
    })
    console.log(`\n${section}`)
    if (write) {
      const file = Path.join(packageDir, "RESULTS.md")
      writeSection(file, heading, section)
      console.log(`written to ${file}`)
    }
  } finally {
    await dispatcher.destroy()
    if (backend.child.exitCode === null) backend.child.kill("SIGKILL")
    backend.remove()
    emulator.child.kill("SIGTERM")
  }
  if (failures.length > 0) {
    console.error(`\nLOAD RUN FAILED:\n${failures.map((f) => `- ${f}`).join("\n")}`)
    process.exitCode = 1
  }
}

// ---------------------------------------------------------------------------------------------------------------

const heading = loadHeading

interface StepFigures {
  /** Streams open in the step. */
  readonly clients: number
  /** The clients that arrived in the step, whose time to first token this is. */
  readonly arrivals: number
  readonly allStartedAfter: number
  readonly gotFirstToken: number
  readonly open: number
  readonly withoutToken: Record<string, number>
  readonly withoutHeaders: number
  readonly cpuPerChunkMicros: number
  readonly cpuShare: number
  readonly emulatorCpuShare: number
  readonly clientsCpuShare: number
  readonly chunksPerSecond: number
  readonly perStreamRate: number
  readonly loadRss: number
  readonly peakRss: number
  readonly rssPerStream: number
  readonly ttftP50: number
  readonly ttftP99: number
  readonly ttftMax: number
}

interface Figures {
  readonly startedAt: Date
  readonly totalSeconds: number
  /** The machine's 1-minute load average at the start and at the end. */
  readonly loadAverages: readonly [number, number]
  readonly phase1: {
    readonly idleRss: number
    readonly steps: ReadonlyArray<StepFigures>
  }
  readonly phase2: {
    readonly activeZeroAfter: number | undefined
    readonly connectionsZeroAfter: number | undefined
    readonly before: EmulatorStats
  }
  readonly phase3: {
    readonly inFlight: number
    readonly notStarted: Record<string, number>
    readonly ends: Record<string, number>
    readonly refused: Record<string, number>
    readonly lastStreamEndedAfter: number
    readonly code: number | null | "timeout"
    readonly exitedAfter: number
  }
}

const ends = (counts: Record<string, number>) =>
  Object.entries(counts).map(([end, n]) => `${n} ${end === "open" ? "still waiting" : end}`).join(", ")

const render = ({ loadAverages, phase1, phase2, phase3, startedAt, totalSeconds }: Figures): string => {
  const cpu = Os.cpus()[0]?.model ?? "unknown CPU"
  const verdict = failures.length === 0 ? "every check passed" : `**FAILED**: ${failures.join("; ")}`
  const refused = Object.entries(phase3.refused).map(([what, n]) => `${n} × ${what}`).join(", ")
  const row = (name: string, value: (step: StepFigures) => string) =>
    `| ${name} | ${phase1.steps.map(value).join(" | ")} |`
  return [
    heading,
    "",
    `Written by \`pnpm --filter @effect-gigachat/bench load\` on ${startedAt.toISOString()} — Node ${process.version}, ` +
    `${Os.type()} ${Os.release()} ${process.arch}, nproc ${Os.availableParallelism()} (${cpu}); 1-minute load ` +
    `average ${fmt(loadAverages[0], 2)} at the start and ${fmt(loadAverages[1], 2)} at the end (other work shares ` +
    `the machine); ${fmt(totalSeconds)} s in all; ${verdict}.`,
    "",
    `The backend example (\`packages/examples/src/backend/main.ts\`, as shipped, JSON logs to a file) in its own ` +
    `process, over \`NodeGigaChat\` and the emulator (another process, every stream paced at ${rate} tokens/s, ` +
    `${fmt(1000 / rate)} ms before each event, the first one included). Clients (undici, in the driver's process) ` +
    `open \`POST /chat/stream\` at ${fmt(clients / (rampMillis / 1000))} a second: first ${
      phase1.steps[0]?.clients
    }, then the rest up to ${clients}. After each step, once its clients have their first token (or ` +
    `${firstTokensWithinMillis / 1000} s after the last one arrived), a ${windowSeconds} s window: the backend ` +
    `process's CPU (user + system, from \`/proc\`) divided by the events the clients received in it, and its RSS ` +
    `minus its RSS when idle after a warm-up (${mb(phase1.idleRss)} MB), per open stream. Time to first token is ` +
    `each client's, from sending its request, for the clients of that step. When the backend process has all the CPU ` +
    `the machine gives it, new connections wait in the kernel's listen queue (Node's default backlog, 511): "never ` +
    `answered" counts the clients still waiting there at the window, and a client whose connection the full queue ` +
    `dropped gives up after undici's 10 s connect timeout ("failed").`,
    "",
    `| | ${phase1.steps.map((step) => `${step.clients} clients`).join(" | ")} |`,
    `| --- | ${phase1.steps.map(() => "---:").join(" | ")} |`,
    row("backend CPU per relayed chunk", (step) => `${fmt(step.cpuPerChunkMicros, 1)} µs`),
    row("backend CPU share (of one core)", (step) => `${fmt(step.cpuShare * 100)} %`),
    row(
      `chunks relayed per second (per stream, of ${rate})`,
      (step) => `${fmt(step.chunksPerSecond)} (${fmt(step.perStreamRate, 1)})`
    ),
    row("streams open during the window", (step) => String(step.open)),
    row("memory per open stream (RSS growth)", (step) => `${fmt(step.rssPerStream / 1024)} KB`),
    row("backend RSS (peak in the window)", (step) => `${mb(step.loadRss)} MB (${mb(step.peakRss)})`),
    row(
      "time to first token p50 / p99 / max",
      (step) => `${fmt(step.ttftP50)} / ${fmt(step.ttftP99)} / ${fmt(step.ttftMax)} ms`
    ),
    row(
      "arrivals with a first token",
      (step) =>
        `${step.gotFirstToken} of ${step.arrivals}${
          Object.keys(step.withoutToken).length === 0 ? "" : ` (${ends(step.withoutToken)})`
        }`
    ),
    row("… of them never answered (no headers)", (step) => String(step.withoutHeaders)),
    row(
      "CPU share of the emulator / the clients",
      (step) => `${fmt(step.emulatorCpuShare * 100)} % / ${fmt(step.clientsCpuShare * 100)} %`
    ),
    "",
    "| then | result |",
    "| --- | ---: |",
    `| every client hangs up midway: the emulator's active requests → 0 | ${
      phase2.activeZeroAfter === undefined ? "**not within 15 s**" : `${fmt(phase2.activeZeroAfter)} ms`
    } (from ${phase2.before.activeRequests}) |`,
    `| … its open connections → 0 (idle keep-alive ones included) | ${
      phase2.connectionsZeroAfter === undefined ? "**not within 15 s**" : `${fmt(phase2.connectionsZeroAfter)} ms`
    } (from ${phase2.before.openConnections}) |`,
    `| ${clients} new clients, SIGTERM once they have their first token: streams in flight | ${phase3.inFlight} |`,
    `| … how those ended | ${ends(phase3.ends)} |`,
    `| … the other clients at SIGTERM (done: finished before it) | ${
      Object.keys(phase3.notStarted).length === 0 ? "none" : ends(phase3.notStarted)
    } |`,
    `| … 50 new requests after SIGTERM | ${refused} |`,
    `| … last stream ended / backend exited (code ${phase3.code}) | ${fmt(phase3.lastStreamEndedAfter)} / ` +
    `${fmt(phase3.exitedAfter)} ms after SIGTERM (grace period ${graceSeconds} s) |`,
    ""
  ].join("\n")
}

main().catch((cause) => {
  console.error(cause)
  process.exit(1)
})
