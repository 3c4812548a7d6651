/**
 * The emulator of `load.ts`, in a process of its own so that its work never counts as the backend's or the clients'.
 * Every chat stream is paced: one event every `argv[2]` milliseconds. Over IPC it sends `{ type: "ready", baseUrl,
 * authUrl, pid }` once listening, and answers `{ type: "stats" }` with its open connections and active requests.
 */
import { NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Runtime from "effect/Runtime"

const chunkDelayMillis = Number(process.argv[2] ?? "50")

const program = Effect.gen(function*() {
  const server = yield* NodeGigaChatEmulator.make({
    faults: [{ route: "POST /api/v1/chat/completions", chunkDelay: `${chunkDelayMillis} millis` }],
    // The request log is not read here; a small one keeps the emulator's memory flat.
    requestLogLimit: 100
  })
  const runtime = yield* Effect.runtime<never>()
  const stats = Effect.all({
    openConnections: server.openConnections,
    activeRequests: server.emulator.activeRequests
  })
  process.on("message", (message: { readonly type?: string }) => {
    if (message.type !== "stats") return
    Runtime.runPromise(runtime)(stats).then((value) => process.send?.({ type: "stats", ...value }))
  })
  process.send?.({ type: "ready", baseUrl: server.baseUrl, authUrl: server.authUrl, pid: process.pid })
  return yield* Effect.never
})

NodeRuntime.runMain(Effect.scoped(program), { disablePrettyLogger: true })
