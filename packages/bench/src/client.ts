/**
 * What every benchmarked client offers the workloads, and the promise-based loops shared by the clients whose API
 * is promises (raw undici and the official `gigachat` package). Our SDK implements the same loops with Effect's own
 * concurrency, as an Effect user would write them.
 */

/** Where the canned server is, and the authorization key every client sends to its OAuth endpoint. */
export interface Target {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** `<origin>/r/<run>/api/v1` */
  readonly baseUrl: string
  /** `<origin>/r/<run>/api/v2/oauth` */
  readonly authUrl: string
  /** base64 of `client_id:client_secret` */
  readonly credentials: string
}

/** Receives the duration of one call, in milliseconds. */
export type Record = (millis: number) => void

/** Receives the text of one stream chunk. */
export type OnChunk = (content: string) => void

/** A client driven through the workloads. Every method fails (rejects) when a call does not succeed. */
export interface Client {
  /** `n` chat calls, at most `concurrency` at a time, each timed. */
  readonly chatMany: (n: number, concurrency: number, record: Record) => Promise<void>
  /** `n` embeddings calls, at most `concurrency` at a time, each timed. */
  readonly embeddingsMany: (n: number, concurrency: number, record: Record) => Promise<void>
  /** `count` concurrent streams of `chunks` chunks each; `paced`: the server sends about 10,000 chunks/s. */
  readonly streamMany: (count: number, chunks: number, paced: boolean, onChunk: OnChunk) => Promise<void>
  /** Ready to call (our SDK builds its layer here), without authenticating. */
  readonly prepare: () => Promise<void>
  readonly close: () => Promise<void>
}

/** The one-call operations a promise-based client provides. */
export interface Calls {
  readonly chat: () => Promise<unknown>
  readonly embeddings: () => Promise<unknown>
  readonly stream: (prompt: string, onChunk: OnChunk) => Promise<void>
  readonly close: () => Promise<void>
}

/** The chat prompt every client sends. */
export const prompt = "Привет! Расскажи о себе в двух словах."

/** The prompt of a stream request: the canned server reads the chunk count and the pacing from it. */
export const streamPrompt = (chunks: number, paced: boolean): string => `stream ${chunks}${paced ? " paced" : ""}`

/** The texts every embeddings call sends. */
export const embeddingsInput: ReadonlyArray<string> = ["Векторное представление этого текста"]

/** Runs `n` tasks with at most `concurrency` in flight, failing on the first failure. */
export const pool = async (n: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> => {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < n) {
      const index = next++
      await task(index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane))
}

const timed = (call: () => Promise<unknown>, record: Record) => async (): Promise<void> => {
  const start = performance.now()
  await call()
  record(performance.now() - start)
}

/** A {@link Client} from promise-returning calls. */
export const fromCalls = (calls: Calls): Client => ({
  chatMany: (n, concurrency, record) => pool(n, concurrency, timed(calls.chat, record)),
  embeddingsMany: (n, concurrency, record) => pool(n, concurrency, timed(calls.embeddings, record)),
  streamMany: async (count, chunks, paced, onChunk) => {
    const text = streamPrompt(chunks, paced)
    await Promise.all(Array.from({ length: count }, () => calls.stream(text, onChunk)))
  },
  prepare: () => Promise.resolve(),
  close: calls.close
})
