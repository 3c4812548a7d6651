/**
 * Turns the children's measurements into Markdown: one table per workload with the median of every figure over
 * the runs, and the ratios ours/undici and ours/gigachat, then the goals of issue 8 checked against the medians.
 */
import type * as Os from "node:os"
import type { ClientName, Phase, Result, RunStats, Sizes, WorkloadName } from "./job.js"
import { oursOnly } from "./job.js"

/** One child's outcome, as collected by `main.ts`. */
export interface Measurement {
  readonly run: number
  readonly client: ClientName
  readonly workload: WorkloadName
  readonly result?: Result | undefined
  readonly error?: string | undefined
  readonly spawnToFirstMs?: number | undefined
  readonly wallMs: number
  readonly serverCpuMs: number
  readonly stats: RunStats
}

/** Everything the report shows. */
export interface Report {
  readonly measurements: ReadonlyArray<Measurement>
  readonly sizes: Sizes
  readonly runs: number
  readonly quick: boolean
  readonly clients: ReadonlyArray<ClientName>
  readonly workloads: ReadonlyArray<WorkloadName>
  readonly date: Date
  readonly node: string
  readonly cpus: ReadonlyArray<Os.CpuInfo>
  readonly platform: string
  readonly totalMemoryGb: number
  readonly loadAverage: ReadonlyArray<number>
  readonly totalSeconds: number
}

type Extract = (measurement: Measurement) => number | undefined

interface Column {
  readonly label: string
  readonly better: "higher" | "lower" | "none"
  readonly digits: number
  readonly value: Extract
  /** No ratio for figures near zero that may be negative (heap growth). */
  readonly noRatio?: boolean
}

interface Table {
  readonly title: string
  readonly note: string
  readonly workload: WorkloadName
  readonly columns: ReadonlyArray<Column>
}

const labels: Record<ClientName, string> = {
  ours: "effect-gigachat",
  undici: "raw undici",
  gigachat: "gigachat 0.0.20"
}

/** The median, or `undefined` for no values. */
export const median = (values: ReadonlyArray<number>): number | undefined => {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/**
 * Ours / other of one figure, one ratio per run: the children of a run (one per client, same workload) run one right
 * after the other, so a ratio within a run is not moved by the machine's drift from run to run, as a ratio of the
 * medians is.
 */
const pairedRatios = (
  ours: ReadonlyArray<Measurement>,
  others: ReadonlyArray<Measurement>,
  value: Extract
): Array<number> => {
  const theirs = new Map<string, number>()
  for (const m of others) {
    const v = value(m)
    if (v !== undefined && !Number.isNaN(v)) theirs.set(`${m.run}/${m.workload}`, v)
  }
  return ours.flatMap((m) => {
    const v = value(m)
    const other = theirs.get(`${m.run}/${m.workload}`)
    return v === undefined || Number.isNaN(v) || other === undefined || other === 0 ? [] : [v / other]
  })
}

const phase = (measurement: Measurement, name: string): Phase | undefined =>
  measurement.result?.phases.find((candidate) => candidate.name === name)

const perSecond = (name: string): Extract => (m) => {
  const p = phase(m, name)
  return p === undefined ? undefined : p.count / (p.wallMs / 1000)
}
const cpuMicrosPer = (name: string): Extract => (m) => {
  const p = phase(m, name)
  return p === undefined ? undefined : (p.cpuMs * 1000) / p.count
}
const field = (name: string, key: "p50Ms" | "p99Ms" | "peakRssMb" | "wallMs" | "cpuMs"): Extract => (m) =>
  phase(m, name)?.[key]
const heapGrowth = (name: string, to: "heapEndMb" | "heapMaxMb"): Extract => (m) => {
  const p = phase(m, name)
  return p?.heapStartMb === undefined || p[to] === undefined ? undefined : p[to]! - p.heapStartMb
}

/** The rate the server sent the last paced stream at (its own clock, first write to last), chunks/s. */
const serverPace: Extract = (m) =>
  m.result === undefined || m.stats.pacedSendMs <= 0 ? undefined : m.stats.pacedSent / (m.stats.pacedSendMs / 1000)

/**
 * A client's pace on the paced stream as a share (percent) of the server's: the server's time from its first write to
 * its last over the client's from its first chunk to its last. Both leave out the request and the first write's wait,
 * which would otherwise weigh more in a short stream than in a long one.
 */
const shareOfServerPace: Extract = (m) => {
  const span = phase(m, "paced")?.firstToLastMs
  return span === undefined || span <= 0 || m.stats.pacedSendMs <= 0 ? undefined : (m.stats.pacedSendMs / span) * 100
}

/** Keeping up with a paced stream: at least this share (percent) of the server's own rate. */
const keepingUp = 99

const callColumns = (name: string): ReadonlyArray<Column> => [
  { label: "req/s", better: "higher", digits: 0, value: perSecond(name) },
  { label: "p50 ms", better: "lower", digits: 2, value: field(name, "p50Ms") },
  { label: "p99 ms", better: "lower", digits: 2, value: field(name, "p99Ms") },
  { label: "CPU µs/req", better: "lower", digits: 0, value: cpuMicrosPer(name) },
  { label: "peak RSS MB", better: "lower", digits: 0, value: field(name, "peakRssMb") }
]

const streamColumns = (name: string): ReadonlyArray<Column> => [
  { label: "chunks/s", better: "higher", digits: 0, value: perSecond(name) },
  { label: "CPU µs/chunk", better: "lower", digits: 1, value: cpuMicrosPer(name) },
  { label: "heap Δ end MB", better: "lower", digits: 2, value: heapGrowth(name, "heapEndMb"), noRatio: true },
  { label: "heap Δ max MB", better: "lower", digits: 2, value: heapGrowth(name, "heapMaxMb"), noRatio: true },
  { label: "peak RSS MB", better: "lower", digits: 0, value: field(name, "peakRssMb") }
]

const count = (n: number): string => n.toLocaleString("en-US")

/** `streamText`'s CPU per chunk over `gc.completions.stream`'s, within one child. */
const aiOverCore: Extract = (m) => {
  const ai = cpuMicrosPer("v2-ai")(m)
  const core = cpuMicrosPer("v2-core")(m)
  return ai === undefined || core === undefined || core === 0 ? undefined : ai / core
}

/** The most `streamText` may cost per chunk, in `gc.completions.stream`'s CPU (issue 20). */
const aiStreamBudget = 1.5

const tables = (sizes: Sizes): ReadonlyArray<Table> => [
  {
    title: `Chat: ${count(sizes.sequential)} sequential requests`,
    note: "One request at a time after a warm-up; latency per call, client CPU (user + system) per request.",
    workload: "chat",
    columns: callColumns("sequential")
  },
  {
    title: `Chat: ${count(sizes.concurrent)} requests at concurrency ${sizes.concurrency}`,
    note: "Throughput with a fixed number of calls in flight.",
    workload: "chat",
    columns: callColumns("concurrent")
  },
  {
    title: `Embeddings: ${count(sizes.embeddings)} requests at concurrency ${sizes.concurrency}`,
    note:
      "One 1,024-number vector per answer: the cost of reading (and, for effect-gigachat, validating) a larger body.",
    workload: "chat",
    columns: callColumns("embeddings")
  },
  {
    title: `Streaming: one stream of ${count(sizes.longStream)} chunks`,
    note: "Every event is its own HTTP chunk; the server writes as fast as the client reads. The heap is measured " +
      "on a second run of the stream, after a full GC: Δ end = end − start, Δ max = highest of 10 samples taken " +
      "during it − start (see the note on forced collections above). The gigachat package parses every socket read on its own (`api/stream_chat.js` splits " +
      "a read on line ends and `JSON.parse`s each `data:` line), so an event split across two reads throws an " +
      "uncaught `SyntaxError` from its stream handler: it completes a stream only when every read holds whole events.",
    workload: "stream-long",
    columns: streamColumns("long")
  },
  {
    title: `Streaming: ${count(sizes.streams)} concurrent streams of ${count(sizes.streamChunks)} chunks`,
    note: "All streams at once, each on its own connection.",
    workload: "stream-many",
    columns: streamColumns("concurrent")
  },
  {
    title: `Streaming at a fixed pace: one stream of ${count(sizes.pacedStream)} chunks at about 10,000 chunks/s`,
    note: "The server sends 10 events every millisecond, each its own write, so every client keeps up and gets whole " +
      "events: chunks/s is the server's pace, and CPU per chunk compares the clients. The server's timer runs a few " +
      "percent slow, by an amount that varies from stream to stream, so each stream's own send rate (the server's " +
      "clock, first write to last) is shown too, and the client's pace as a share of it (the server's time from its " +
      "first write to its last over the client's from its first chunk to its last): a client that keeps up gets " +
      "close to 100 %.",
    workload: "stream-paced",
    columns: [
      { label: "chunks/s", better: "higher", digits: 0, value: perSecond("paced") },
      { label: "server sent chunks/s", better: "none", digits: 0, value: serverPace, noRatio: true },
      { label: "% of server's pace", better: "higher", digits: 1, value: shareOfServerPace },
      { label: "CPU µs/chunk", better: "lower", digits: 1, value: cpuMicrosPer("paced") },
      { label: "heap Δ end MB", better: "lower", digits: 2, value: heapGrowth("paced", "heapEndMb"), noRatio: true },
      { label: "peak RSS MB", better: "lower", digits: 0, value: field("paced", "peakRssMb") }
    ]
  },
  {
    title: `Auth stampede: ${count(sizes.stampede)} concurrent first calls on a cold token cache`,
    note: "OAuth requests the server received (median over runs; every run in the last column), and the time until " +
      "all calls completed.",
    workload: "stampede",
    columns: [
      {
        label: "OAuth requests",
        better: "lower",
        digits: 0,
        value: (m) => (m.result === undefined ? undefined : m.stats.oauth)
      },
      { label: "all done ms", better: "lower", digits: 0, value: field("stampede", "wallMs") },
      { label: "p99 ms", better: "lower", digits: 0, value: field("stampede", "p99Ms") },
      { label: "CPU ms", better: "lower", digits: 0, value: field("stampede", "cpuMs") },
      { label: "peak RSS MB", better: "lower", digits: 0, value: field("stampede", "peakRssMb") }
    ]
  },
  {
    title: `@effect/ai: streamText against gc.completions.stream, one v2 stream of ${count(sizes.longStream)} chunks`,
    note: "Our client only. The same v2 named-event stream (every event its own HTTP chunk, as fast as the client " +
      "reads) folded into its text two ways: the core's chunks (`gc.completions.stream`), and the `text-delta` parts " +
      "of `LanguageModel.streamText` on `GigaChatLanguageModel` (the provider's parts, decoded by @effect/ai's " +
      "Schemas). Each is measured twice in one child (core, ai, ai, core); CPU per chunk is per event the server sent.",
    workload: "ai-stream",
    columns: [
      { label: "stream chunks/s", better: "higher", digits: 0, value: perSecond("v2-core") },
      { label: "streamText chunks/s", better: "higher", digits: 0, value: perSecond("v2-ai") },
      { label: "stream CPU µs/chunk", better: "lower", digits: 2, value: cpuMicrosPer("v2-core") },
      { label: "streamText CPU µs/chunk", better: "lower", digits: 2, value: cpuMicrosPer("v2-ai") },
      { label: "streamText ÷ stream CPU", better: "lower", digits: 2, value: aiOverCore, noRatio: true }
    ]
  }
]

const coldStart: ReadonlyArray<Column> = [
  { label: "spawn → first chat ms", better: "lower", digits: 0, value: (m) => m.spawnToFirstMs },
  { label: "start → client loaded ms", better: "lower", digits: 0, value: (m) => m.result?.importMs },
  {
    label: "first call ms",
    better: "lower",
    digits: 0,
    value: (m) => m.result?.firstDoneMs === undefined ? undefined : m.result.firstDoneMs - m.result.importMs
  }
]

const format = (value: number | undefined, digits: number): string => {
  if (value === undefined || Number.isNaN(value)) return "—"
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

const ratio = (value: number | undefined): string => {
  if (value === undefined || Number.isNaN(value)) return "—"
  return `${value >= 100 || value < 0.01 ? value.toPrecision(2) : value.toFixed(2)}×`
}

interface Row {
  readonly label: string
  readonly cells: ReadonlyArray<string>
}

const markdownTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<Row>): string => {
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map((_, index) => (index === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((row) => `| ${[row.label, ...row.cells].join(" | ")} |`)
  ]
  return lines.join("\n")
}

const failures = (measurements: ReadonlyArray<Measurement>): string | undefined => {
  const failed = measurements.filter((m) => m.error !== undefined)
  if (failed.length === 0) return undefined
  const first = failed[0].error ?? ""
  return `${failed.length} of ${measurements.length} runs failed: ${first}`
}

const renderTable = (
  report: Report,
  title: string,
  note: string,
  columns: ReadonlyArray<Column>,
  select: (client: ClientName) => ReadonlyArray<Measurement>,
  listFailures = true
): string => {
  const rows: Array<Row> = []
  const notes: Array<string> = []
  for (const client of report.clients) {
    const measurements = select(client)
    const values = columns.map((column) =>
      median(measurements.flatMap((m) => {
        const value = column.value(m)
        return value === undefined || Number.isNaN(value) ? [] : [value]
      }))
    )
    rows.push({ label: labels[client], cells: values.map((value, index) => format(value, columns[index].digits)) })
    const failed = listFailures ? failures(measurements) : undefined
    if (failed !== undefined) notes.push(`${labels[client]}: ${failed}`)
  }
  if (report.clients.includes("ours")) {
    for (const other of ["undici", "gigachat"] as const) {
      if (!report.clients.includes(other)) continue
      rows.push({
        label: `*ours / ${other}*`,
        cells: columns.map((column) =>
          column.noRatio ? "—" : ratio(median(pairedRatios(select("ours"), select(other), column.value)))
        )
      })
    }
  }
  const betterLine = columns
    .filter((column) => column.better !== "none")
    .map((column) => `${column.label}: ${column.better} is better`)
    .join("; ")
  return [
    `### ${title}`,
    "",
    note,
    "",
    markdownTable(["client", ...columns.map((column) => column.label)], rows),
    "",
    `<sub>${betterLine}. Medians over ${report.runs} run(s); a ratio is the median of the runs' own ratios.</sub>`,
    ...(notes.length > 0 ? ["", ...notes.map((line) => `- **${line}**`)] : [])
  ].join("\n")
}

const measurementsOf = (report: Report, client: ClientName, workload: WorkloadName): ReadonlyArray<Measurement> =>
  report.measurements.filter((m) => m.client === client && m.workload === workload)

const medianOf = (report: Report, client: ClientName, workload: WorkloadName, value: Extract): number | undefined =>
  median(
    measurementsOf(report, client, workload).flatMap((m) => {
      const v = value(m)
      return v === undefined ? [] : [v]
    })
  )

/** `1.84× (runs: 1.84×, 1.91×, 1.62×)` */
const runRatios = (ratios: ReadonlyArray<number>): string =>
  `${ratio(median(ratios))} (runs: ${ratios.map((value) => ratio(value)).join(", ")})`

const goals = (report: Report): string => {
  const lines: Array<string> = []
  const has = (client: ClientName) => report.clients.includes(client)
  const verdict = (ok: boolean | undefined) => (ok === undefined ? "not measured" : ok ? "**met**" : "**not met**")
  if (report.workloads.includes("chat") && has("ours") && has("undici")) {
    for (const name of ["sequential", "concurrent"]) {
      const value = cpuMicrosPer(name)
      const ratios = pairedRatios(
        measurementsOf(report, "ours", "chat"),
        measurementsOf(report, "undici", "chat"),
        value
      )
      const r = median(ratios)
      lines.push(
        `- Client CPU per chat request at most 1.3× raw undici (${name}): ${
          format(medianOf(report, "ours", "chat", value), 0)
        } µs vs ${format(medianOf(report, "undici", "chat", value), 0)} µs, ours / undici ${runRatios(ratios)} — ${
          verdict(r === undefined ? undefined : r <= 1.3)
        }`
      )
    }
  }
  if (has("ours") && has("gigachat")) {
    // Met when ours is at least equal in every run, not met when in none; runs that disagree are reported as such.
    const atLeast = (ratios: ReadonlyArray<number>): string => {
      const equalOrBetter = ratios.filter((value) => value >= 1).length
      if (ratios.length === 0) return "not measured"
      if (equalOrBetter === ratios.length) return "**met**"
      if (equalOrBetter === 0) return "**not met**"
      return `**undecided**: at least equal in ${equalOrBetter} of ${ratios.length} runs`
    }
    const compare = (workload: WorkloadName, name: string, what: string, showFloor = false) => {
      if (!report.workloads.includes(workload)) return
      const value = perSecond(name)
      const ours = medianOf(report, "ours", workload, value)
      const theirs = medianOf(report, "gigachat", workload, value)
      const theirsFailed = theirs === undefined &&
        measurementsOf(report, "gigachat", workload).some((m) => m.error !== undefined)
      const ratios = pairedRatios(
        measurementsOf(report, "ours", workload),
        measurementsOf(report, "gigachat", workload),
        value
      )
      lines.push(
        `- ${what} at least the gigachat package's: ${format(ours, 0)} vs ` +
          (theirsFailed
            ? `no figure (the package fails this workload, see its table) — ${
              ours === undefined ? "not measured" : "**met by default**: ours completes it"
            }`
            : `${format(theirs, 0)}, ours / gigachat ${runRatios(ratios)} — ${atLeast(ratios)}`) +
          (showFloor && has("undici")
            ? ` (raw undici, the floor: ${format(medianOf(report, "undici", workload, value), 0)})`
            : "")
      )
    }
    compare("chat", "sequential", "Chat requests/s, sequential,")
    compare("chat", "concurrent", "Chat requests/s, concurrent,")
    compare("stream-long", "long", "Chunks/s, one long stream,")
    compare("stream-many", "concurrent", "Chunks/s, concurrent streams,")
  }
  if (report.workloads.includes("stream-paced") && has("ours")) {
    // At a fixed pace chunks/s is the server's timer (it moved by ±1.5 % from stream to stream), not the client's
    // speed: what compares the clients is whether each keeps up with the stream it was sent.
    const shares = (client: ClientName) =>
      measurementsOf(report, client, "stream-paced").flatMap((m) => {
        const share = shareOfServerPace(m)
        return share === undefined ? [] : [share]
      })
    const ours = shares("ours")
    const kept = ours.filter((share) => share >= keepingUp).length
    const percent = (values: ReadonlyArray<number>) =>
      values.length === 0 ? "—" : `${format(median(values), 1)} % (runs: ${values.map((v) => format(v, 1)).join(", ")})`
    const theirs = has("gigachat") ? shares("gigachat") : []
    const raw = has("gigachat")
      ? median(pairedRatios(
        measurementsOf(report, "ours", "stream-paced"),
        measurementsOf(report, "gigachat", "stream-paced"),
        perSecond("paced")
      ))
      : undefined
    lines.push(
      `- Chunks/s at a fixed pace, keeping up with the server as the gigachat package does (at least ${keepingUp} % ` +
        `of the rate the server sent each stream at, every run): ours ${percent(ours)}` +
        (has("gigachat") ? `, gigachat ${percent(theirs)}` : "") +
        (has("undici") ? `, raw undici ${percent(shares("undici"))}` : "") +
        (raw !== undefined ? `; raw chunks/s ours / gigachat ${ratio(raw)}` : "") +
        ` — ${
          ours.length === 0
            ? "not measured"
            : kept === ours.length
            ? "**met**"
            : kept === 0
            ? "**not met**"
            : `**undecided**: kept up in ${kept} of ${ours.length} runs`
        }`
    )
  }
  if (report.workloads.includes("stream-long") && has("ours")) {
    const end = medianOf(report, "ours", "stream-long", heapGrowth("long", "heapEndMb"))
    const max = medianOf(report, "ours", "stream-long", heapGrowth("long", "heapMaxMb"))
    lines.push(
      `- Heap flat across the ${count(report.sizes.longStream)}-chunk stream (after-GC growth under 1 MB): end ` +
        `${format(end, 2)} MB, highest sample ${format(max, 2)} MB — ` +
        verdict(end === undefined || max === undefined ? undefined : end < 1 && max < 1)
    )
  }
  if (report.workloads.includes("ai-stream") && has("ours")) {
    const ratios = measurementsOf(report, "ours", "ai-stream").flatMap((m) => {
      const value = aiOverCore(m)
      return value === undefined ? [] : [value]
    })
    const r = median(ratios)
    lines.push(
      `- \`streamText\` CPU per chunk at most ${aiStreamBudget}× \`gc.completions.stream\`'s (issue 20): ${
        format(medianOf(report, "ours", "ai-stream", cpuMicrosPer("v2-ai")), 2)
      } µs vs ${format(medianOf(report, "ours", "ai-stream", cpuMicrosPer("v2-core")), 2)} µs, ${
        ratios.length === 0 ? "—" : runRatios(ratios)
      } — ${verdict(r === undefined ? undefined : r <= aiStreamBudget)}`
    )
  }
  if (report.workloads.includes("stampede") && has("ours")) {
    const counts = report.measurements
      .filter((m) => m.client === "ours" && m.workload === "stampede" && m.result !== undefined)
      .map((m) => m.stats.oauth)
    lines.push(
      `- One OAuth request in the stampede: ${counts.join(", ") || "—"} (every run) — ` +
        verdict(counts.length === 0 ? undefined : counts.every((n) => n === 1))
    )
  }
  return ["### Goals of issue 8", "", ...lines].join("\n")
}

const stampedeRuns = (report: Report): string => {
  const lines = report.clients.map((client) => {
    const counts = report.measurements
      .filter((m) => m.client === client && m.workload === "stampede")
      .map((m) => (m.result === undefined ? "failed" : String(m.stats.oauth)))
    return `${labels[client]}: ${counts.join(", ")}`
  })
  return `OAuth requests per run — ${lines.join("; ")}.`
}

const serverLoad = (report: Report): string => {
  const rows: Array<Row> = report.workloads.map((workload) => {
    const cells = report.clients.map((client) => {
      const shares = report.measurements
        .filter((m) => m.client === client && m.workload === workload)
        .map((m) => (m.serverCpuMs / m.wallMs) * 100)
      return shares.length === 0 ? "—" : `${Math.max(...shares).toFixed(0)} %`
    })
    return { label: workload, cells }
  })
  return [
    "### Server load",
    "",
    "Highest CPU share the canned server used over a child's whole life (start-up included), per workload. Well " +
    "under 100 % means the server was not the bottleneck.",
    "",
    markdownTable(["workload", ...report.clients.map((client) => labels[client])], rows)
  ].join("\n")
}

/** The whole report as Markdown. */
export const render = (report: Report): string => {
  const model = report.cpus[0]?.model.trim() ?? "unknown CPU"
  const sections: Array<string> = [
    "# Benchmarks",
    "",
    `${report.quick ? "Quick smoke run (`--quick`): small sizes, not comparable with full runs. " : ""}` +
    `Written by \`pnpm bench\` on ${report.date.toISOString()} — Node ${report.node}, ${report.platform}, ` +
    `${report.cpus.length} cores (${model}), ${report.totalMemoryGb.toFixed(1)} GB RAM, load average at the end ` +
    `${report.loadAverage.map((load) => load.toFixed(2)).join(" / ")}; ${report.runs} run(s), ` +
    `${report.totalSeconds.toFixed(0)} s in all.`,
    "",
    "Clients: **effect-gigachat** (`NodeGigaChat.layer` + the `GigaChat` service, Effect concurrency), **raw undici** " +
    "(`Pool.request`, `JSON.parse`, a shared token promise: the floor) and **gigachat 0.0.20** (the official npm " +
    "package, axios). Each (run, workload, client) runs in a fresh child process on plain `node` (the TypeScript " +
    "compiled to JavaScript first, as a published build would be) against a canned server in its own process on " +
    "127.0.0.1; every figure is measured after a warm-up, and none right after a forced full GC (V8 then optimizes " +
    "the hot code again, which costs a client with more JavaScript more CPU for thousands of calls; the heap of a " +
    "stream is measured on a run of its own). A ratio is ours / other within each run (the clients " +
    "of a run run one right after the other), then the median of those: above 1× means " +
    "a larger figure for ours (better for req/s and chunks/s, worse for the rest)."
  ]
  for (const table of tables(report.sizes)) {
    if (!report.workloads.includes(table.workload)) continue
    // a workload only our client runs has a row for it alone
    const scope = oursOnly.includes(table.workload)
      ? { ...report, clients: report.clients.filter((client) => client === "ours") }
      : report
    sections.push(
      "",
      renderTable(
        scope,
        table.title,
        table.note,
        table.columns,
        (client) => report.measurements.filter((m) => m.client === client && m.workload === table.workload)
      )
    )
    if (table.workload === "stampede") sections.push("", stampedeRuns(report))
  }
  const coldMeasurements = (client: ClientName) =>
    report.measurements.filter((m) =>
      m.client === client && m.workload !== "stampede" && !oursOnly.includes(m.workload)
    )
  if (report.workloads.some((workload) => workload !== "stampede" && !oursOnly.includes(workload))) {
    const samples = coldMeasurements(report.clients[0] ?? "ours").length
    sections.push(
      "",
      renderTable(
        report,
        "Cold start: process start to the first completed chat call",
        `Every chat and streaming child makes one chat call before anything else (${samples} fresh processes per ` +
          "client): spawn → first chat is measured by the parent from `fork`; start → client loaded is the " +
          "child's own clock (Node start-up, importing the client's modules and building the client; ours imports " +
          "`@effect-gigachat/core/GigaChat` and `@effect-gigachat/node/NodeGigaChat`, not the package index); first " +
          "call is the rest (our layer, the OAuth request, the chat request).",
        coldStart,
        coldMeasurements,
        false
      )
    )
  }
  sections.push("", goals(report), "", serverLoad(report), "")
  return sections.join("\n")
}
