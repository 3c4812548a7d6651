/**
 * `pnpm bench`: effect-gigachat against raw undici (the floor) and the official `gigachat` package, on a canned
 * GigaChat server running in its own process. Every (run, workload, client) is a fresh child process; medians over
 * the runs are printed as one table per workload and written to `packages/bench/RESULTS.md`.
 *
 * Flags: `--quick` (small sizes, one run, nothing written unless `--write`), `--runs N` (default 3), `--budget S`
 * (default 270: a further run is only started when the last one's duration says it ends within S seconds of the
 * start, so that `pnpm bench` stays under 5 minutes on a slow or busy machine; 0 = no limit), `--clients a,b`,
 * `--workloads chat,stream-long,stream-many,stream-paced,stampede,ai-stream,startup` (`streaming` = the three stream
 * ones; `ai-stream` = `@effect/ai`'s `streamText` against `gc.completions.stream`, our client only; `startup` = the
 * package indexes against the modules, see `startup.ts`), `--profile` (a CPU profile of every child's measured phases into
 * `profiles/`, see `profile.ts`; profiled runs are slower), `--write` / `--no-write`. `--parts` runs `parts.ts`
 * instead: the parts we wrote ourselves against the library parts they replace.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import { compile, outDir } from "./build.js"
import type { Target } from "./client.js"
import type { ClientName, Job, Result, RunStats, Sizes, WorkloadName } from "./job.js"
import { oursOnly, workloads } from "./job.js"
import type { Measurement } from "./report.js"
import { render } from "./report.js"
import { loadHeading, writeKeeping } from "./resultsFile.js"
import { measureStartup, renderStartup } from "./startup.js"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))
const packageDir = Path.dirname(here)
/** The children run compiled (see `build.ts`), on plain `node`. */
const compiledDir = Path.join(outDir, "bench")

const fullSizes: Sizes = {
  warmup: 400,
  sequential: 2000,
  concurrent: 10000,
  concurrency: 32,
  embeddings: 2000,
  longStream: 100000,
  streams: 200,
  streamChunks: 500,
  pacedStream: 20000,
  stampede: 1000
}

const quickSizes: Sizes = {
  warmup: 100,
  sequential: 200,
  concurrent: 1000,
  concurrency: 32,
  embeddings: 200,
  longStream: 10000,
  streams: 20,
  streamChunks: 500,
  pacedStream: 5000,
  stampede: 200
}

interface Options {
  readonly quick: boolean
  readonly runs: number
  /** No further run is started when it would end after this many seconds (0: no limit). */
  readonly budgetSeconds: number
  readonly clients: ReadonlyArray<ClientName>
  readonly workloads: ReadonlyArray<WorkloadName>
  /** Whether the `startup` workload (package indexes against modules, `startup.ts`) runs after the others. */
  readonly startup: boolean
  readonly profile: boolean
  readonly write: boolean
}

const parseOptions = (argv: ReadonlyArray<string>): Options => {
  const value = (name: string): string | undefined => {
    const inline = argv.find((arg) => arg.startsWith(`--${name}=`))
    if (inline !== undefined) return inline.slice(name.length + 3)
    const index = argv.indexOf(`--${name}`)
    return index !== -1 ? argv[index + 1] : undefined
  }
  const quick = argv.includes("--quick") || process.env.BENCH_QUICK === "1"
  const list = <A extends string>(name: string, all: ReadonlyArray<A>): ReadonlyArray<A> => {
    const given = value(name)
    if (given === undefined) return all
    // `streaming` stands for the three stream workloads.
    const picked = given.split(",").flatMap((item) =>
      item.trim() === "streaming" ? ["stream-long", "stream-many", "stream-paced"] : [item.trim()]
    ) as Array<A>
    for (const item of picked) if (!all.includes(item)) throw new Error(`--${name}: unknown ${item}`)
    return picked
  }
  const runs = Number(value("runs") ?? (quick ? 1 : 3))
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: a positive integer is expected")
  const budgetSeconds = Number(value("budget") ?? (quick ? 0 : 270))
  if (!Number.isFinite(budgetSeconds) || budgetSeconds < 0) throw new Error("--budget: seconds expected")
  const chosen = list<WorkloadName | "startup">("workloads", [...workloads, "startup"])
  return {
    quick,
    runs,
    budgetSeconds,
    clients: list<ClientName>("clients", ["ours", "undici", "gigachat"]),
    workloads: chosen.filter((workload): workload is WorkloadName => workload !== "startup"),
    startup: chosen.includes("startup"),
    profile: argv.includes("--profile"),
    write: argv.includes("--write") || (!quick && !argv.includes("--no-write"))
  }
}

interface Server {
  readonly port: number
  readonly stats: (run: string) => Promise<RunStats>
  readonly cpuMs: () => Promise<number>
  readonly stop: () => void
}

const startServer = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.fork(Path.join(compiledDir, "server.js"), [], {
      execArgv: [],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const waiting = new Map<string, Array<(message: any) => void>>()
    const ask = <A>(message: { type: string; run?: string }, key: string): Promise<A> =>
      new Promise((answer) => {
        waiting.set(key, [...(waiting.get(key) ?? []), answer])
        child.send(message)
      })
    child.on("message", (message: any) => {
      if (message.type === "ready") {
        resolve({
          port: message.port,
          stats: (run) => ask<any>({ type: "stats", run }, `stats:${run}`).then((answer) => answer.stats),
          cpuMs: () => ask<any>({ type: "cpu" }, "cpu").then((answer) => (answer.cpu.user + answer.cpu.system) / 1000),
          stop: () => child.send({ type: "stop" })
        })
        return
      }
      const key = message.type === "stats" ? `stats:${message.run}` : message.type
      const [answer, ...rest] = waiting.get(key) ?? []
      waiting.set(key, rest)
      answer?.(message)
    })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the bench server exited with ${code}`)))
  })

interface ChildOutcome {
  readonly result?: Result | undefined
  readonly error?: string | undefined
  /** From `fork` to the child's first completed chat call, measured by this process. */
  readonly spawnToFirstMs?: number | undefined
  readonly wallMs: number
}

const childTimeoutMs = 120_000

const runChild = (job: Job): Promise<ChildOutcome> =>
  new Promise((resolve) => {
    const execArgv = ["--expose-gc", ...(job.profileDir !== undefined ? ["--enable-source-maps"] : [])]
    const started = performance.now()
    const child = ChildProcess.fork(Path.join(compiledDir, "worker.js"), [JSON.stringify(job)], {
      execArgv,
      stdio: ["ignore", "ignore", "pipe", "ipc"]
    })
    let stderr = ""
    child.stderr?.on("data", (part: Buffer) => {
      stderr = (stderr + part.toString("utf8")).slice(-2000)
    })
    let spawnToFirstMs: number | undefined
    let result: Result | undefined
    let error: string | undefined
    const timer = setTimeout(() => {
      error = `timed out after ${childTimeoutMs / 1000} s`
      child.kill("SIGKILL")
    }, childTimeoutMs)
    child.on("message", (message: any) => {
      if (message.type === "first") spawnToFirstMs = performance.now() - started
      else if (message.type === "result") result = message.result
      else if (message.type === "error") error = message.message
    })
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      if (result === undefined && error === undefined) {
        error = `exited with ${code ?? signal}${
          stderr.length > 0 ? `: ${stderr.trim().split("\n").slice(-3).join(" | ")}` : ""
        }`
      }
      resolve({ result, error, spawnToFirstMs, wallMs: performance.now() - started })
    })
  })

const rotate = <A>(items: ReadonlyArray<A>, by: number): ReadonlyArray<A> =>
  items.map((_, index) => items[(index + by) % items.length])

const credentials = Buffer.from("bench-client:bench-secret").toString("base64")

const main = async () => {
  // `--parts`: the parts we wrote ourselves against the library parts they replace (see `parts.ts`).
  if (process.argv.includes("--parts")) return (await import("./parts.js")).main(process.argv.slice(2))
  const options = parseOptions(process.argv.slice(2))
  const sizes = options.quick ? quickSizes : fullSizes
  const began = performance.now()
  const profileDir = options.profile ? Path.join(packageDir, "profiles") : undefined
  if (profileDir !== undefined) Fs.mkdirSync(profileDir, { recursive: true })

  const compileStart = performance.now()
  const compiled = compile()
  console.log(
    `bench: compiled ${compiled} changed file(s) in ${((performance.now() - compileStart) / 1000).toFixed(1)} s`
  )

  const server = await startServer()
  const origin = `http://127.0.0.1:${server.port}`
  console.log(
    `bench: ${options.quick ? "quick" : "full"}, ${options.runs} run(s), clients ${options.clients.join(", ")}, ` +
      `workloads ${options.workloads.join(", ")}; server on ${origin}`
  )

  const measurements: Array<Measurement> = []
  let sequence = 0
  let runsDone = 0
  try {
    for (let run = 0; run < options.runs; run++) {
      const runStart = performance.now()
      for (const workload of options.workloads) {
        // The order of the clients changes every run, so that none always runs first (or last) after a change.
        for (const client of rotate(options.clients, run)) {
          if (oursOnly.includes(workload) && client !== "ours") continue
          const id = `${++sequence}-${client}-${workload}`
          const target: Target = {
            origin,
            baseUrl: `${origin}/r/${id}/api/v1`,
            authUrl: `${origin}/r/${id}/api/v2/oauth`,
            credentials
          }
          const serverCpuBefore = await server.cpuMs()
          const outcome = await runChild({ client, workload, target, sizes, profileDir })
          const serverCpuMs = (await server.cpuMs()) - serverCpuBefore
          const stats = await server.stats(id)
          measurements.push({ run, client, workload, ...outcome, serverCpuMs, stats })
          const seconds = (outcome.wallMs / 1000).toFixed(1)
          console.log(
            `  run ${run + 1} ${workload.padEnd(9)} ${client.padEnd(8)} ${seconds.padStart(5)} s` +
              (outcome.error !== undefined ? `  FAILED: ${outcome.error}` : "") +
              `  (server: ${stats.oauth} oauth, ${stats.chat} chat, ${stats.stream} streams, ` +
              `${stats.embeddings} embeddings, ${stats.unauthorized} unauthorized; CPU ${
                (serverCpuMs / 1000).toFixed(1)
              } s)`
          )
        }
      }
      runsDone++
      const elapsed = (performance.now() - began) / 1000
      const lastRun = (performance.now() - runStart) / 1000
      if (run + 1 < options.runs && options.budgetSeconds > 0 && elapsed + lastRun * 1.05 > options.budgetSeconds) {
        console.log(
          `bench: stopping after ${runsDone} run(s): another would end after ${(elapsed + lastRun).toFixed(0)} s, ` +
            `beyond the budget of ${options.budgetSeconds} s (--budget)`
        )
        break
      }
    }
  } finally {
    server.stop()
  }

  const startup = options.startup ? await measureStartup(options.quick ? 3 : 7) : undefined

  const totalSeconds = (performance.now() - began) / 1000
  const tables = render({
    measurements,
    sizes,
    runs: runsDone,
    quick: options.quick,
    clients: options.clients,
    workloads: options.workloads,
    date: new Date(),
    node: process.version,
    cpus: Os.cpus(),
    platform: `${Os.type()} ${Os.release()} ${Os.arch()}`,
    totalMemoryGb: Os.totalmem() / 1024 ** 3,
    loadAverage: Os.loadavg(),
    totalSeconds
  })
  const markdown = startup === undefined ? tables : `${tables.trimEnd()}\n\n${renderStartup(startup)}\n`
  console.log()
  console.log(markdown)
  if (options.write) {
    // The section of `pnpm load` (load.ts) stays.
    writeKeeping(Path.join(packageDir, "RESULTS.md"), loadHeading, markdown)
    console.log(`written to ${Path.join(packageDir, "RESULTS.md")}`)
  }
  if (profileDir !== undefined) console.log(`CPU profiles of the measured phases in ${profileDir} (tsx src/profile.ts)`)
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
