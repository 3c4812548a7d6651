/**
 * `pnpm bench --parts`: each part the SDK writes itself against the library part it replaces (DESIGN.md, "Parts we
 * write ourselves"), measured in this process after a warm-up, the median over the rounds:
 *
 * (a) the package's undici `HttpClient` (node `internal/undiciClient.ts`) against `@effect/platform-node`'s
 *     `NodeHttpClient.makeUndici`, each under `NodeGigaChat.layer({ httpClient })`, against the canned server of
 *     `pnpm bench` (its own process): client CPU µs per `GigaChat.chat` call, one at a time and 32 at once, and per
 *     chunk of one `GigaChat.stream` at the server's pace (about one event per read, as tokens come) and as fast as
 *     the client reads (many events per read);
 * (b) the compiled type guard (core `internal/typeGuard.ts`, the check of its fast-path decoder) against
 *     `Schema.is` and `Schema.decodeUnknownEither` (what the fast path saves), on a recorded chat completion and a
 *     recorded stream chunk (`packages/core/test/fixtures/responses`): ns per check;
 * (c) the SSE decoder (`Sse.decode`) against `@effect/experimental`'s `Sse.makeChannel` (after `Stream.decodeText`,
 *     as it takes text) on 20,000 chunk events fed in 64 KiB reads: ms in all;
 * (d) `HttpTransport`'s deadlines (one watchdog fiber, a heap entry and a scope per call) against `Effect.timeoutFail`
 *     per call and `Stream.timeoutFail` per read: the CPU each adds to an async call and to a stream read.
 *
 * Flags: `--quick` (fewer calls, one round), `--rounds N` (default 3), `--sections a,b,c,d` (default all), `--no-write`
 * (PARTS.md is written after a full run of every section).
 * The figures are CPU of a shared machine: compare the two sides of a row, not rows of different runs.
 */
import * as Chat from "@effect-gigachat/core/Chat"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as Sse from "@effect-gigachat/core/Sse"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import * as ExperimentalSse from "@effect/experimental/Sse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
// Core's internals are not exported; the bench runs from the sources under tsx, as `ablation.ts` does.
import * as Transport from "../../core/src/internal/httpTransport.js"
import * as TypeGuard from "../../core/src/internal/typeGuard.js"
import { prompt, streamPrompt } from "./client.js"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))
const packageDir = Path.dirname(here)
const fixtures = Path.resolve(packageDir, "..", "core", "test", "fixtures", "responses")

interface Sizes {
  readonly warmup: number
  readonly sequential: number
  readonly concurrent: number
  readonly pacedChunks: number
  readonly fastChunks: number
  readonly checks: number
  readonly sseEvents: number
}

const fullSizes: Sizes = {
  warmup: 500,
  sequential: 2000,
  concurrent: 10000,
  pacedChunks: 20000,
  fastChunks: 100000,
  checks: 200000,
  sseEvents: 20000
}

const quickSizes: Sizes = {
  warmup: 200,
  sequential: 300,
  concurrent: 1000,
  pacedChunks: 3000,
  fastChunks: 10000,
  checks: 50000,
  sseEvents: 20000
}

const concurrency = 32
const readSize = 64 * 1024

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since)
  return used.user + used.system
}

/** Figures by row label, one per round. */
class Figures {
  readonly rows = new Map<string, Array<number>>()
  add(label: string, value: number): void {
    this.rows.set(label, [...(this.rows.get(label) ?? []), value])
  }
  median(label: string): number {
    return median(this.rows.get(label) ?? [Number.NaN])
  }
}

// ---------------------------------------------------------------------------------------------------------------
// (a) the HTTP client
// ---------------------------------------------------------------------------------------------------------------

const startServer = (): Promise<{ readonly port: number; readonly stop: () => void }> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.fork(Path.join(here, "server.ts"), [], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    child.once(
      "message",
      (message: { readonly port: number }) => resolve({ port: message.port, stop: () => child.kill() })
    )
    child.once("error", reject)
  })

type ClientKind = "package" | "platform"

const chatRequest = { model: "GigaChat", messages: [{ role: "user" as const, content: prompt }] }

const measureClient = async (
  kind: ClientKind,
  origin: string,
  run: string,
  sizes: Sizes,
  figures: Figures
): Promise<void> => {
  const runtime = ManagedRuntime.make(
    NodeGigaChat.layer({
      baseUrl: `${origin}/r/${run}/api/v1`,
      authUrl: `${origin}/r/${run}/api/v2/oauth`,
      credentials: Buffer.from("bench-client:bench-secret").toString("base64"),
      httpClient: kind
    })
  )
  try {
    const gc = await runtime.runPromise(GigaChat.GigaChat)
    const calls = (n: number, concurrent: number) =>
      runtime.runPromise(
        Effect.forEach(Array.from({ length: n }), () => gc.chat(chatRequest), {
          concurrency: concurrent,
          discard: true
        })
      )
    const stream = async (chunks: number, paced: boolean) => {
      let received = 0
      await runtime.runPromise(
        Stream.runForEach(
          gc.stream({ model: "GigaChat", messages: [{ role: "user", content: streamPrompt(chunks, paced) }] }),
          () =>
            Effect.sync(() => {
              received++
            })
        )
      )
      if (received !== chunks) throw new Error(`${kind}: ${received} of ${chunks} chunks`)
    }
    const cpuPer = async (n: number, task: () => Promise<void>) => {
      const since = process.cpuUsage()
      await task()
      return cpuMicros(since) / n
    }

    await calls(sizes.warmup, concurrency)
    await stream(1000, false)
    figures.add(`${kind} sequential`, await cpuPer(sizes.sequential, () => calls(sizes.sequential, 1)))
    figures.add(`${kind} concurrent`, await cpuPer(sizes.concurrent, () => calls(sizes.concurrent, concurrency)))
    figures.add(`${kind} paced`, await cpuPer(sizes.pacedChunks, () => stream(sizes.pacedChunks, true)))
    figures.add(`${kind} fast`, await cpuPer(sizes.fastChunks, () => stream(sizes.fastChunks, false)))
  } finally {
    await runtime.dispose()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// (b) the type guard
// ---------------------------------------------------------------------------------------------------------------

const recordedCompletion: unknown = JSON.parse(Fs.readFileSync(Path.join(fixtures, "chat_completion.json"), "utf8"))

const recordedChunk: unknown = (() => {
  const text = Fs.readFileSync(Path.join(fixtures, "chat_completion.stream"), "utf8")
  const line = text.split("\n").find((line) => line.startsWith("data: {"))
  if (line === undefined) throw new Error("no event in chat_completion.stream")
  return JSON.parse(line.slice(6))
})()

/** ns per call of `check`, which must accept the value (a rejected value would take another path in the SDK). */
const nsPerCheck = (n: number, check: () => boolean): number => {
  let accepted = 0
  for (let i = 0; i < 1000; i++) if (check()) accepted++
  const start = process.hrtime.bigint()
  for (let i = 0; i < n; i++) if (check()) accepted++
  const ns = Number(process.hrtime.bigint() - start) / n
  if (accepted !== n + 1000) throw new Error("the check rejected the recorded value")
  return ns
}

const checks = <A, I>(name: string, schema: Schema.Schema<A, I>, value: unknown) => {
  // As the SDK reads responses: fields the schema does not know are kept (internal/typeGuard.ts).
  const guard = TypeGuard.make(schema, { onExcessProperty: "ignore" })
  const is = Schema.is(schema, { onExcessProperty: "ignore" })
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })
  return [
    [`guard ${name}`, () => guard(value)],
    [`is ${name}`, () => is(value)],
    [`decode ${name}`, () => Either.isRight(decode(value))]
  ] as const
}

// ---------------------------------------------------------------------------------------------------------------
// (c) the SSE decoder
// ---------------------------------------------------------------------------------------------------------------

const sseReads = (events: number): ReadonlyArray<Uint8Array> => {
  const frame = `data: ${JSON.stringify(recordedChunk)}\n\n`
  const bytes = Buffer.from(frame.repeat(events), "utf8")
  const reads: Array<Uint8Array> = []
  for (let offset = 0; offset < bytes.length; offset += readSize) {
    reads.push(new Uint8Array(bytes.subarray(offset, offset + readSize)))
  }
  return reads
}

const decodeOurs = (reads: ReadonlyArray<Uint8Array>) => Stream.fromIterable(reads).pipe(Sse.decode(), Stream.runCount)

const decodeExperimental = (reads: ReadonlyArray<Uint8Array>) =>
  Stream.fromIterable(reads).pipe(
    Stream.decodeText(),
    Stream.pipeThroughChannel(ExperimentalSse.makeChannel()),
    Stream.runCount
  )

const msToDecode = async (events: number, decode: Effect.Effect<number, unknown>): Promise<number> => {
  const start = performance.now()
  const count = await Effect.runPromise(decode)
  const ms = performance.now() - start
  if (count !== events) throw new Error(`${count} of ${events} events decoded`)
  return ms
}

// ---------------------------------------------------------------------------------------------------------------
// main
// ---------------------------------------------------------------------------------------------------------------

// (d) the transport's deadlines against Effect's own timeouts: the CPU each adds to an async call, and to each read of
// a stream, over the same work without a timeout.
const asyncCall = Effect.async<number>((resume) => {
  setImmediate(() => resume(Effect.succeed(1)))
})

const microsPer = async (n: number, effect: Effect.Effect<unknown, unknown>): Promise<number> => {
  await Effect.runPromise(effect) // warm-up
  const since = process.cpuUsage()
  await Effect.runPromise(effect)
  return cpuMicros(since) / n
}

const timeoutCosts = async (calls: number, reads: number) => {
  const deadlines = await Effect.runPromise(Effect.scoped(Transport.makeDeadlines(Duration.seconds(30))))
  const each = (call: Effect.Effect<unknown, unknown>) =>
    Effect.forEach(Array.from({ length: calls }), () => call, { concurrency, discard: true })
  const plainCall = await microsPer(calls, each(asyncCall))
  const effectCall = await microsPer(
    calls,
    each(Effect.timeoutFail(asyncCall, { duration: "30 seconds", onTimeout: () => "timeout" }))
  )
  const ourCall = await microsPer(
    calls,
    each(Effect.flatMap(Scope.make(), (scope) => {
      const deadline = deadlines.watch(scope)
      return Effect.ensuring(asyncCall, Effect.sync(deadline.release))
    }))
  )
  const stream = () => Stream.repeatEffectOption(Effect.asSome(asyncCall)).pipe(Stream.take(reads))
  const plainRead = await microsPer(reads, Stream.runDrain(stream()))
  const effectRead = await microsPer(
    reads,
    Stream.runDrain(stream().pipe(Stream.timeoutFail(() => "timeout", "30 seconds")))
  )
  const ourRead = await microsPer(
    reads,
    Effect.flatMap(Scope.make(), (scope) => {
      const deadline = deadlines.watch(scope)
      return Stream.runDrain(
        stream().pipe(Stream.mapChunks((chunk) => {
          deadline.disarm()
          deadline.arm()
          return chunk
        }))
      )
    })
  )
  return {
    call: { ours: ourCall - plainCall, theirs: effectCall - plainCall },
    read: { ours: ourRead - plainRead, theirs: effectRead - plainRead }
  }
}

const option = (argv: ReadonlyArray<string>, name: string): string | undefined => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? undefined : argv[index + 1]
}

const fixed = (value: number, digits: number) => value.toFixed(digits)
/** Ours ÷ theirs: below 1 is less time or CPU for ours. */
const ratio = (ours: number, theirs: number) => `ours ÷ theirs ${(ours / theirs).toFixed(2)}`

/** Runs the parts benchmark; `argv` as given to `pnpm bench`. */
export const main = async (argv: ReadonlyArray<string>): Promise<void> => {
  const quick = argv.includes("--quick")
  const sizes = quick ? quickSizes : fullSizes
  const rounds = Number(option(argv, "rounds") ?? (quick ? 1 : 3))
  const sections = (option(argv, "sections") ?? "a,b,c,d").split(",")
  const began = performance.now()
  const figures = new Figures()

  const server = await startServer()
  const origin = `http://127.0.0.1:${server.port}`
  console.log(`bench --parts: ${rounds} round(s)${quick ? ", quick" : ""}; canned server on ${origin}`)
  try {
    for (let round = 0; round < rounds; round++) {
      // The order changes every round, so that neither always runs first.
      const kinds: ReadonlyArray<ClientKind> = round % 2 === 0 ? ["package", "platform"] : ["platform", "package"]
      for (const kind of sections.includes("a") ? kinds : []) {
        await measureClient(kind, origin, `parts-${round}-${kind}`, sizes, figures)
        console.log(`  round ${round + 1}: HTTP client ${kind} done`)
      }
      if (sections.includes("b")) {
        for (
          const [label, check] of [
            ...checks("completion", Chat.ChatCompletion, recordedCompletion),
            ...checks("chunk", Chat.ChatCompletionChunk, recordedChunk)
          ]
        ) {
          figures.add(label, nsPerCheck(sizes.checks, check))
        }
        console.log(`  round ${round + 1}: type checks done`)
      }
      if (sections.includes("c")) {
        const reads = sseReads(sizes.sseEvents)
        figures.add("sse ours", await msToDecode(sizes.sseEvents, decodeOurs(reads)))
        figures.add("sse experimental", await msToDecode(sizes.sseEvents, decodeExperimental(reads)))
        console.log(`  round ${round + 1}: SSE decoders done`)
      }
      if (sections.includes("d")) {
        const costs = await timeoutCosts(sizes.concurrent, sizes.fastChunks)
        figures.add("timeout call ours", costs.call.ours)
        figures.add("timeout call effect", costs.call.theirs)
        figures.add("timeout read ours", costs.read.ours)
        figures.add("timeout read effect", costs.read.theirs)
        console.log(`  round ${round + 1}: timeouts done`)
      }
    }
  } finally {
    server.stop()
  }

  const m = (label: string) => figures.median(label)
  const client = (what: string, key: string, unit: string, digits: number) =>
    `| our undici client, ${what} | \`NodeHttpClient.makeUndici\` | ${fixed(m(`package ${key}`), digits)} vs ${
      fixed(m(`platform ${key}`), digits)
    } ${unit} (${ratio(m(`package ${key}`), m(`platform ${key}`))}) |`
  const guard = (what: string, key: string) => [
    `| compiled type guard, ${what} | \`Schema.is\` | ${fixed(m(`guard ${key}`), 0)} vs ${
      fixed(m(`is ${key}`), 0)
    } ns/check (${ratio(m(`guard ${key}`), m(`is ${key}`))}) |`,
    `| compiled type guard, ${what} | \`Schema.decodeUnknownEither\` | ${fixed(m(`guard ${key}`), 0)} vs ${
      fixed(m(`decode ${key}`), 0)
    } ns/check (${ratio(m(`guard ${key}`), m(`decode ${key}`))}) |`
  ]
  const cpus = Os.cpus()
  const machine = `Node ${process.version}, ${Os.type()} ${Os.release()} ${Os.arch()}, ${cpus.length} cores`
  const load = Os.loadavg().map((average) => average.toFixed(2)).join(" / ")
  const seconds = fixed((performance.now() - began) / 1000, 0)
  const lines = [
    "# Parts we wrote ourselves",
    "",
    `Written by \`pnpm bench --parts\` on ${new Date().toISOString()}: ${machine} (${cpus[0]?.model.trim() ?? "?"}), ` +
    `load average at the end ${load}; median of ${rounds} round(s), ${seconds} s in all.`,
    "",
    "Each figure is ours vs the library part's, measured in one process (see `src/parts.ts`). CPU figures are the",
    "client's user + system CPU; the canned server runs in its own process.",
    "",
    "| part | the library part it replaces | figure (ours vs theirs) |",
    "| --- | --- | --- |",
    client(`${sizes.sequential} sequential chat calls`, "sequential", "CPU µs/call", 0),
    client(`${sizes.concurrent} chat calls at concurrency ${concurrency}`, "concurrent", "CPU µs/call", 0),
    client(`one stream of ${sizes.pacedChunks} chunks at the server's pace`, "paced", "CPU µs/chunk", 1),
    client(`one stream of ${sizes.fastChunks} chunks as fast as it reads`, "fast", "CPU µs/chunk", 1),
    ...guard("recorded chat completion", "completion"),
    ...guard("recorded stream chunk", "chunk"),
    `| SSE decoder (\`Sse.decode\`), ${sizes.sseEvents} events in 64 KiB reads | \`@effect/experimental\` \`Sse.makeChannel\` | ${
      fixed(m("sse ours"), 1)
    } vs ${fixed(m("sse experimental"), 1)} ms (${ratio(m("sse ours"), m("sse experimental"))}) |`,
    `| HttpTransport's deadlines, per call (${sizes.concurrent} async calls at concurrency ${concurrency}) | \`Effect.timeoutFail\` | ${
      fixed(m("timeout call ours"), 1)
    } vs ${fixed(m("timeout call effect"), 1)} CPU µs added per call (${
      ratio(m("timeout call ours"), m("timeout call effect"))
    }) |`,
    `| HttpTransport's deadlines, per stream read (${sizes.fastChunks} reads) | \`Stream.timeoutFail\` | ${
      fixed(m("timeout read ours"), 1)
    } vs ${fixed(m("timeout read effect"), 1)} CPU µs added per read (${
      ratio(m("timeout read ours"), m("timeout read effect"))
    }) |`,
    "",
    "All figures by round:",
    "",
    "```",
    ...Array.from(
      figures.rows,
      ([label, values]) => `${label.padEnd(24)} ${values.map((value) => value.toFixed(2).padStart(10)).join(" ")}`
    ),
    "```",
    ""
  ]
  const markdown = lines.join("\n")
  console.log()
  console.log(markdown)
  if (!argv.includes("--no-write") && !quick && sections.length === 4) {
    Fs.writeFileSync(Path.join(packageDir, "PARTS.md"), markdown)
    console.log(`written to ${Path.join(packageDir, "PARTS.md")}`)
  }
}
