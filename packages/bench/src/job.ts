/**
 * What the parent and a benchmark child exchange: the job (client, workload, sizes, server) and the measurements.
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
export type WorkloadName = "chat" | "stream-long" | "stream-many" | "stream-paced" | "stampede"

/** Every workload, in the order they run. */
export const workloads: ReadonlyArray<WorkloadName> = ["chat", "stream-long", "stream-many", "stream-paced", "stampede"]

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
