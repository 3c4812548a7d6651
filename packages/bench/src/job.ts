/**
 * What the parent, a benchmark child and the canned server exchange: the job (client, workload, sizes, server), the
 * measurements and the server's per-run counts.
 */
import type { Target } from "./client.js"

/**
 * The access token the canned server hands out and expects. It lives here, not in `server.ts`, because importing
 * that module starts a server.
 */
export const accessToken = "bench-access-token"

/** The clients. */
export type ClientName = "ours" | "undici" | "gigachat"

/**
 * The workloads. Each stream phase has its own child: a client that fails one (the official package throws from an
 * event handler on an event split across two reads) leaves the others measurable and the next one unaffected.
 */
export type WorkloadName = "chat" | "stream-long" | "stream-many" | "stream-paced" | "stampede" | "ai-stream"

/** Every workload, in the order they run. */
export const workloads: ReadonlyArray<WorkloadName> = [
  "chat",
  "stream-long",
  "stream-many",
  "stream-paced",
  "stampede",
  "ai-stream"
]

/** Workloads only our client runs (the others have no equivalent): `ai-stream`, the `@effect/ai` provider. */
export const oursOnly: ReadonlyArray<WorkloadName> = ["ai-stream"]

/** Sizes of every phase. */
export interface Sizes {
  readonly warmup: number
  readonly sequential: number
  readonly concurrent: number
  readonly concurrency: number
  readonly embeddings: number
  readonly longStream: number
  readonly streams: number
  readonly streamChunks: number
  readonly pacedStream: number
  readonly stampede: number
}

/** What the parent asks a child to do. */
export interface Job {
  readonly client: ClientName
  readonly workload: WorkloadName
  readonly target: Target
  readonly sizes: Sizes
  /** Write a CPU profile of the measured phases (warm-up and start-up left out) into this directory. */
  readonly profileDir?: string | undefined
}

/** The measurements of one phase. */
export interface Phase {
  readonly name: string
  /** Calls made, or chunks received for stream phases. */
  readonly count: number
  readonly wallMs: number
  /** User + system CPU time of the process. */
  readonly cpuMs: number
  readonly p50Ms?: number | undefined
  readonly p99Ms?: number | undefined
  /** Highest RSS sampled during the phase. */
  readonly peakRssMb: number
  /** Heap used after a full GC before and after the phase, and the highest of the after-GC samples taken during it. */
  readonly heapStartMb?: number | undefined
  readonly heapEndMb?: number | undefined
  readonly heapMaxMb?: number | undefined
  /** Stream phases without heap samples: from the first chunk received to the last, the stream's steady pace. */
  readonly firstToLastMs?: number | undefined
}

/** Everything one child measured. */
export interface Result {
  readonly client: ClientName
  readonly workload: WorkloadName
  /** From process start to the client module being loaded. */
  readonly importMs: number
  /** From process start to the first chat call having completed (token fetched, client built). */
  readonly firstDoneMs?: number | undefined
  readonly phases: ReadonlyArray<Phase>
  /** The process's peak RSS (`resourceUsage().maxRSS`). */
  readonly maxRssMb: number
}

/** Per-run request counts. */
export interface RunStats {
  oauth: number
  chat: number
  stream: number
  streamChunks: number
  embeddings: number
  unauthorized: number
  notFound: number
  /**
   * The last paced stream sent to the end: its events (`[DONE]` left out) and the milliseconds from its first write
   * to its last. Its pace is the server's timer's, which runs a few percent slow, by a varying amount.
   */
  pacedSent: number
  pacedSendMs: number
}

/** A run's counts before its first request. */
export const emptyStats = (): RunStats => ({
  oauth: 0,
  chat: 0,
  stream: 0,
  streamChunks: 0,
  embeddings: 0,
  unauthorized: 0,
  notFound: 0,
  pacedSent: 0,
  pacedSendMs: 0
})
