/**
 * effect-gigachat: `NodeGigaChat.layer` (the package's own HttpClient over undici's dispatcher) and the `GigaChat`
 * service, driven with Effect's own concurrency (`Effect.forEach` with a `concurrency` option) inside one
 * `ManagedRuntime`, as an application built on Effect would call it. Module paths are imported directly (not the
 * package index), so the modules an application does not use are not loaded.
 */
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import type { Client, OnChunk, Record, Target } from "./client.js"
import { embeddingsInput, prompt, streamPrompt } from "./client.js"

const chatRequest = { model: "GigaChat", messages: [{ role: "user", content: prompt }] }

const timed = <A, E, R>(effect: Effect.Effect<A, E, R>, record: Record): Effect.Effect<void, E, R> =>
  Effect.suspend(() => {
    const start = performance.now()
    return Effect.map(effect, () => record(performance.now() - start))
  })

const repeat = <E, R>(n: number, concurrency: number, effect: Effect.Effect<void, E, R>) =>
  Effect.forEach(Array.from({ length: n }), () => effect, { concurrency, discard: true })

/** A client with a fresh runtime (and so a fresh token cache and connection pool). */
export const make = (target: Target): Client => {
  const runtime = ManagedRuntime.make(
    NodeGigaChat.layer({ baseUrl: target.baseUrl, authUrl: target.authUrl, credentials: target.credentials })
  )
  const run = <A, E>(effect: Effect.Effect<A, E, GigaChat.GigaChat>): Promise<A> => runtime.runPromise(effect)

  const stream = (gc: GigaChat.Service, text: string, onChunk: OnChunk) =>
    Stream.runForEach(
      gc.stream({ model: "GigaChat", messages: [{ role: "user", content: text }] }),
      (chunk) => Effect.sync(() => onChunk(chunk.choices[0]?.delta.content ?? ""))
    )

  return {
    chatMany: (n, concurrency, record) =>
      run(Effect.flatMap(GigaChat.GigaChat, (gc) => repeat(n, concurrency, timed(gc.chat(chatRequest), record)))),
    embeddingsMany: (n, concurrency, record) =>
      run(
        Effect.flatMap(GigaChat.GigaChat, (gc) =>
          repeat(n, concurrency, timed(gc.embeddings(embeddingsInput, { model: "Embeddings" }), record)))
      ),
    streamMany: (count, chunks, paced, onChunk) =>
      run(
        Effect.flatMap(GigaChat.GigaChat, (gc) =>
          Effect.forEach(Array.from({ length: count }), () =>
            stream(gc, streamPrompt(chunks, paced), onChunk), {
            concurrency: "unbounded",
            discard: true
          }))
      ),
    prepare: () => runtime.runtime().then(() => undefined),
    close: () => runtime.dispose()
  }
}
