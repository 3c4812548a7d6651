/**
 * Start-up cost of the package indexes: a fresh process that imports `@effect-gigachat/core` and
 * `@effect-gigachat/node` (index) and makes one chat call, against one that imports
 * `@effect-gigachat/core/GigaChat` and `@effect-gigachat/node/NodeGigaChat` (modules) and makes the same call. The
 * children run compiled on plain `node` (see `build.ts`), against an emulator server this process starts on
 * 127.0.0.1; the two kinds alternate, and the medians over the runs are compared.
 *
 *   pnpm --filter @effect-gigachat/bench startup [--runs N]    (default 9)
 *
 * `pnpm bench` runs it too (the `startup` workload) and adds its table to RESULTS.md.
 */
import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import * as Effect from "effect/Effect"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as Url from "node:url"
import { compile, outDir } from "./build.js"
import type { StartupSample, StartupTarget } from "./startupChild.js"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))

/** The two children: which imports each one makes. */
export const startupVariants = {
  index: {
    file: "startupIndex.js",
    imports: "`@effect-gigachat/core` + `@effect-gigachat/node` (package indexes)"
  },
  modules: {
    file: "startupModules.js",
    imports: "`@effect-gigachat/core/GigaChat` + `@effect-gigachat/node/NodeGigaChat` (modules)"
  }
} as const

type Variant = keyof typeof startupVariants

/** One child's figures, in ms: as it measured them from its own start, and from `fork` as the parent saw it. */
interface Sample extends StartupSample {
  readonly spawnToFirstMs: number
}

/** Medians of one variant, in ms. */
export interface StartupMedians {
  /** Process start → imports done (the child's clock). */
  readonly loadedMs: number
  /** `fork` → the first chat call's answer reported (this process's clock). */
  readonly spawnToFirstMs: number
  /** CPU time (user + system) the child used up to the answer. */
  readonly cpuMs: number
  /** The least CPU time of the runs: the least disturbed by other work on the machine. */
  readonly fastestCpuMs: number
}

/** Medians per variant, and index ÷ modules of each. */
export interface StartupResult {
  readonly runs: number
  readonly medians: Readonly<Record<Variant, StartupMedians>>
  readonly ratios: StartupMedians
}

const runChild = (variant: Variant, target: StartupTarget): Promise<Sample> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    // No tsx loader and no flags of this process: the children start as a plain `node` application does.
    const child = ChildProcess.fork(
      Path.join(outDir, "bench", startupVariants[variant].file),
      [JSON.stringify(target)],
      {
        execArgv: [],
        stdio: ["ignore", "inherit", "inherit", "ipc"]
      }
    )
    let sample: Sample | undefined
    child.once("message", (message: StartupSample) => {
      sample = { ...message, spawnToFirstMs: performance.now() - started }
    })
    child.once("error", reject)
    child.once(
      "exit",
      (code) =>
        sample !== undefined ? resolve(sample) : reject(new Error(`start-up child ${variant} exited with ${code}`))
    )
  })

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Compiles what changed, starts an emulator server, runs `runs` children of each kind (alternating which goes
 * first) one at a time, and returns the medians.
 */
export const measureStartup = (runs: number, log: (line: string) => void = console.log): Promise<StartupResult> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    compile()
    const server = yield* NodeGigaChatEmulator.make()
    const target: StartupTarget = {
      baseUrl: server.baseUrl,
      authUrl: server.authUrl,
      credentials: GigaChatEmulator.defaultCredentials
    }
    const samples: Record<Variant, Array<Sample>> = { index: [], modules: [] }
    // One child first, unmeasured, so that neither kind pays for a cold file cache.
    yield* Effect.promise(() => runChild("index", target))
    for (let run = 0; run < runs; run++) {
      const order: ReadonlyArray<Variant> = run % 2 === 0 ? ["index", "modules"] : ["modules", "index"]
      for (const variant of order) {
        const sample = yield* Effect.promise(() => runChild(variant, target))
        samples[variant].push(sample)
        log(
          `  startup run ${run + 1} ${variant.padEnd(7)} imports ${sample.loadedMs.toFixed(0).padStart(4)} ms, ` +
            `spawn → first chat ${sample.spawnToFirstMs.toFixed(0).padStart(4)} ms, ` +
            `CPU ${sample.cpuMs.toFixed(0).padStart(4)} ms (${
              sample.loadedCpuMs.toFixed(0).padStart(4)
            } ms at imports done)`
        )
      }
    }
    const medianOf = (variant: Variant): StartupMedians => ({
      loadedMs: median(samples[variant].map((sample) => sample.loadedMs)),
      spawnToFirstMs: median(samples[variant].map((sample) => sample.spawnToFirstMs)),
      cpuMs: median(samples[variant].map((sample) => sample.cpuMs)),
      fastestCpuMs: Math.min(...samples[variant].map((sample) => sample.cpuMs))
    })
    const medians = { index: medianOf("index"), modules: medianOf("modules") }
    const ratio = (figure: keyof StartupMedians) => medians.index[figure] / medians.modules[figure]
    return {
      runs,
      medians,
      ratios: {
        loadedMs: ratio("loadedMs"),
        spawnToFirstMs: ratio("spawnToFirstMs"),
        cpuMs: ratio("cpuMs"),
        fastestCpuMs: ratio("fastestCpuMs")
      }
    }
  })))

/** The result as a Markdown section (for the console and RESULTS.md). */
export const renderStartup = (result: StartupResult): string => {
  const columns: ReadonlyArray<readonly [label: string, figure: keyof StartupMedians]> = [
    ["process start → imports done ms", "loadedMs"],
    ["spawn → first chat ms", "spawnToFirstMs"],
    ["CPU to first chat ms", "cpuMs"],
    ["CPU, fastest run ms", "fastestCpuMs"]
  ]
  const row = (label: string, cell: (figure: keyof StartupMedians) => string) =>
    `| ${label} | ${columns.map(([, figure]) => cell(figure)).join(" | ")} |`
  return [
    `## Start-up: package indexes against the modules themselves`,
    "",
    `A fresh \`node\` process per row and run (compiled, no loader), one chat call through \`NodeGigaChat.layer\` ` +
    `against the emulator on 127.0.0.1; medians of ${result.runs} run(s). The target is index ÷ modules ≤ 1.1. ` +
    "CPU is the child's user + system time up to the answer, which moves less than the wall times when other work " +
    "shares the machine; the fastest run's is the least disturbed.",
    "",
    `| imports | ${columns.map(([label]) => label).join(" | ")} |`,
    `|---|${columns.map(() => "---:").join("|")}|`,
    ...(Object.keys(startupVariants) as Array<Variant>).map((variant) =>
      row(startupVariants[variant].imports, (figure) => result.medians[variant][figure].toFixed(0))
    ),
    row("index ÷ modules", (figure) => `${result.ratios[figure].toFixed(2)}×`)
  ].join("\n")
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === Path.join(here, "startup.ts")) {
  const argv = process.argv.slice(2)
  const index = argv.indexOf("--runs")
  const runs = Number(index === -1 ? 9 : argv[index + 1])
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: a positive integer is expected")
  measureStartup(runs).then(
    (result) => console.log(`\n${renderStartup(result)}`),
    (error) => {
      console.error(error)
      process.exit(1)
    }
  )
}
