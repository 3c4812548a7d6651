/**
 * Shared pieces of the reliability suite: known secrets, a ledger that checks every outcome (a success or one typed
 * `GigaChatError`, never a defect, an interruption or a hang) and scans every error and log line for the secrets,
 * and small servers on 127.0.0.1 for the faults the emulator cannot produce (resets, stalls, raw bytes).
 */
import { GigaChat, GigaChatConfig, GigaChatError } from "@effect-gigachat/core"
import type { NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as Undici from "@effect/platform-node/Undici"
import { assert } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import * as Https from "node:https"
import * as Net from "node:net"
import * as Util from "node:util"

// ---------------------------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------------------------

const clientId = "reliability-client-7c1e"
const clientSecret = "reliability-client-secret-5f2c9e0b"

/** Every client of the suite uses these; none may show up in an error, a config rendering or a log line. */
export const secrets = {
  clientSecret,
  /** The authorization key: base64 of `client_id:client_secret`. */
  credentials: btoa(`${clientId}:${clientSecret}`),
  user: "reliability-user",
  password: "reliability-password-8d41f7",
  /** A token the emulator always accepts (`accessToken` option). */
  accessToken: "reliability-fixed-token-3a7b9e",
  /** The token the suite's own OAuth servers hand out. */
  oauthToken: "reliability-oauth-token-c0ffee42"
} as const

/** Emulator options that accept only the suite's secrets. */
export const emulatorOptions: NodeGigaChatEmulator.Options = {
  credentials: secrets.credentials,
  users: [{ user: secrets.user, password: secrets.password }],
  accessToken: secrets.accessToken
}

// ---------------------------------------------------------------------------------------------------------------
// Ledger
// ---------------------------------------------------------------------------------------------------------------

/** What a test file tried and saw; printed as the file's summary. */
export class Ledger {
  readonly faults = new Set<string>()
  readonly outcomes = new Map<string, number>()
  readonly leaks: Array<string> = []
  readonly notes: Array<string> = []
  calls = 0
  serverRequests = 0
  logLines = 0
  /** Extra secrets learnt while running (tokens an emulator issued). */
  private readonly learnt = new Set<string>()
  /** Everything scanned so far, kept to be scanned again for secrets learnt later. */
  private readonly scanned: Array<{ readonly where: string; readonly text: string }> = []

  constructor(readonly title: string) {}

  secrets(): ReadonlyArray<string> {
    return [
      secrets.clientSecret,
      secrets.credentials,
      secrets.password,
      secrets.accessToken,
      secrets.oauthToken,
      ...this.learnt
    ]
  }

  /** Adds a secret (e.g. an issued token) and scans what was seen so far for it. */
  learn(secret: string): void {
    if (secret === "" || this.learnt.has(secret)) return
    this.learnt.add(secret)
    for (const { text, where } of this.scanned) {
      if (text.includes(secret)) this.leaks.push(`${where}: ${secret.slice(0, 12)}…`)
    }
  }

  scan(where: string, text: string): void {
    this.scanned.push({ where, text })
    for (const secret of this.secrets()) {
      if (text.includes(secret)) this.leaks.push(`${where}: ${secret.slice(0, 12)}…`)
    }
  }

  count(tag: string): void {
    this.outcomes.set(tag, (this.outcomes.get(tag) ?? 0) + 1)
  }

  summary(): ReadonlyArray<string> {
    const outcomes = Array.from(this.outcomes).sort(([a], [b]) => a.localeCompare(b))
    return [
      `[reliability] ${this.title}`,
      `  faults tried: ${this.faults.size} (${Array.from(this.faults).join("; ")})`,
      `  calls made: ${this.calls}; requests the servers received: ${this.serverRequests}; log lines: ${this.logLines}`,
      `  outcomes: ${outcomes.map(([tag, n]) => `${tag}=${n}`).join(", ")}`,
      ...this.notes.map((note) => `  ${note}`),
      `  leaks found: ${this.leaks.length}${this.leaks.length === 0 ? "" : ` (${this.leaks.join("; ")})`}`
    ]
  }
}

/** Every rendering a user might print or ship somewhere. */
const renderings = (error: unknown, cause: Cause.Cause<unknown>): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = [
    ["String(error)", String(error)],
    ["JSON.stringify(error)", JSON.stringify(error) ?? ""],
    ["inspect(error)", Util.inspect(error, { depth: 8 })],
    ["Cause.pretty", Cause.pretty(cause)]
  ]
  if (error instanceof Error) out.push(["error.message", error.message])
  return out
}

/** The outcome of one call: its value or its typed error. */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  | { readonly _tag: "Failure"; readonly error: GigaChatError.GigaChatError }

/** Longest any single call may take before the suite calls it a hang. */
export const hangLimit = Duration.seconds(15)

/**
 * Runs one call under the fault `fault` and checks its outcome: a success, or a failure whose Cause is exactly one
 * typed `GigaChatError` (no defect, no interruption); no hang (bounded by `hangLimit`). The error's renderings are
 * scanned for secrets.
 */
export const outcome = <A, E, R>(
  ledger: Ledger,
  fault: string,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<Outcome<A>, never, R> =>
  Effect.gen(function*() {
    ledger.faults.add(fault)
    ledger.calls++
    const exit = yield* Effect.exit(effect).pipe(Effect.timeoutOption(hangLimit))
    if (exit._tag === "None") {
      ledger.count("Hang")
      return assert.fail(`${fault}: no outcome within ${Duration.format(hangLimit)} (a hang)`)
    }
    return check(ledger, fault, exit.value)
  })

/** Checks an exit as {@link outcome} does (for exits obtained otherwise, e.g. from a fiber). */
export const check = <A, E>(ledger: Ledger, fault: string, exit: Exit.Exit<A, E>): Outcome<A> => {
  if (Exit.isSuccess(exit)) {
    ledger.count("Success")
    return { _tag: "Success", value: exit.value }
  }
  const cause = exit.cause
  if (Cause.isDie(cause)) {
    ledger.count("Defect")
    return assert.fail(`${fault}: a defect\n${Cause.pretty(cause)}`)
  }
  if (Cause.isInterrupted(cause)) {
    ledger.count("Interrupted")
    return assert.fail(`${fault}: interrupted\n${Cause.pretty(cause)}`)
  }
  const failures = Cause.failures(cause)
  assert.strictEqual(failures.length, 1, `${fault}: exactly one failure expected\n${Cause.pretty(cause)}`)
  const [error] = Array.from(failures)
  if (!GigaChatError.isGigaChatError(error)) {
    ledger.count("Untyped")
    return assert.fail(`${fault}: not a GigaChatError: ${Util.inspect(error)}`)
  }
  ledger.count(error._tag)
  for (const [how, text] of renderings(error, cause)) ledger.scan(`${fault} ${how}`, text)
  return { _tag: "Failure", error }
}

/** Runs a call that must fail with the error tagged `tag`, and returns that error. */
export const expectFailure = <T extends GigaChatError.GigaChatError["_tag"], A, E, R>(
  ledger: Ledger,
  fault: string,
  tag: T,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<Extract<GigaChatError.GigaChatError, { readonly _tag: T }>, never, R> =>
  Effect.map(outcome(ledger, fault, effect), (result) => {
    if (result._tag === "Success") return assert.fail(`${fault}: expected ${tag}, got a success`)
    assert.strictEqual(result.error._tag, tag, `${fault}: ${result.error.message}`)
    return result.error as Extract<GigaChatError.GigaChatError, { readonly _tag: T }>
  })

/** Runs a call that must succeed, and returns its value. */
export const expectSuccess = <A, E, R>(ledger: Ledger, fault: string, effect: Effect.Effect<A, E, R>) =>
  Effect.map(outcome(ledger, fault, effect), (result) => {
    if (result._tag === "Failure") return assert.fail(`${fault}: expected a success, got ${result.error.message}`)
    return result.value
  })

/** A logger that keeps every line (at every level) for the secret scan. */
export const captureLogs = (ledger: Ledger): Layer.Layer<never> =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      Logger.map(Logger.logfmtLogger, (line) => {
        ledger.logLines++
        ledger.scan("log line", line)
      })
    ),
    Logger.minimumLogLevel(LogLevel.All)
  )

/** The suite's client settings: its credentials and a 1 second timeout (no retries: the default) under `options`. */
const clientOptions = (options: GigaChatConfig.Options): GigaChatConfig.Options => ({
  credentials: secrets.credentials,
  timeout: "1 second",
  ...options
})

/** Scans the resolved configuration's renderings for secrets, then runs `effect`. */
const scanningConfig = <A, E, R>(ledger: Ledger, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const config = yield* GigaChatConfig.GigaChatConfig
    ledger.scan("JSON.stringify(config)", JSON.stringify(config))
    ledger.scan("String(config)", String(config))
    ledger.scan("inspect(config)", Util.inspect(config, { depth: 8 }))
    return yield* effect
  })

/**
 * Provides a `NodeGigaChat.layer` client (see `clientOptions`) and the capturing logger, and scans the resolved
 * configuration's renderings for secrets.
 */
export const withClient = (ledger: Ledger, options: GigaChatConfig.Options) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>
) =>
  scanningConfig(ledger, effect).pipe(
    Effect.provide(NodeGigaChat.layer(clientOptions(options))),
    Effect.provide(captureLogs(ledger))
  )

/**
 * The layers `NodeGigaChat.layer` is made of, assembled here so the undici agent (`NodeGigaChat.makeDispatcher`)
 * is in the context too and its pool can be inspected with {@link poolStats}.
 */
const pooledLayer = (options: GigaChatConfig.Options) =>
  GigaChat.layerServices.pipe(
    Layer.provide(NodeHttpClient.layerUndiciWithoutDispatcher),
    Layer.provideMerge(
      Layer.scoped(
        NodeHttpClient.Dispatcher,
        Effect.flatMap(GigaChatConfig.GigaChatConfig, NodeGigaChat.makeDispatcher)
      )
    ),
    Layer.provideMerge(GigaChatConfig.layerConfig(options))
  )

/** {@link withClient} with the client's undici agent in the context, for {@link poolStats}. */
export const withPooledClient = (ledger: Ledger, options: GigaChatConfig.Options) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>
) =>
  scanningConfig(ledger, effect).pipe(
    Effect.provide(pooledLayer(clientOptions(options))),
    Effect.provide(captureLogs(ledger))
  )

/** The connection pool of the client's undici agent, summed over origins. */
export interface PoolStats {
  /** Open sockets. */
  readonly connected: number
  /** Open sockets without a request: idle keep-alive connections, reusable. */
  readonly free: number
  /** Requests running, pending or queued. */
  readonly size: number
}

/** Reads the pool of the agent provided by {@link withPooledClient}. */
export const poolStats: Effect.Effect<PoolStats, never, NodeHttpClient.Dispatcher> = Effect.map(
  NodeHttpClient.Dispatcher,
  (dispatcher) => {
    let connected = 0
    let free = 0
    let size = 0
    for (const stats of Object.values((dispatcher as Undici.Agent).stats)) {
      if ("free" in stats) {
        connected += stats.connected
        free += stats.free
      } else if (stats.connected) {
        // a single-connection client (`maxConnections: 1`)
        connected += 1
        free += stats.size === 0 ? 1 : 0
      }
      size += stats.size
    }
    return { connected, free, size }
  }
)

/** Learns the tokens the emulator saw in `Authorization: Bearer` headers and counts its requests. */
export const learnFromEmulator = (ledger: Ledger, server: NodeGigaChatEmulator.Service) =>
  Effect.map(server.emulator.requests, (requests) => {
    ledger.serverRequests += requests.length
    for (const request of requests) {
      const bearer = /^Bearer\s+(\S+)/i.exec(request.headers["authorization"] ?? "")
      if (bearer !== null) ledger.learn(bearer[1])
    }
  })

/** Fails the test when a leak was found. */
export const assertNoLeaks = (ledger: Ledger) =>
  assert.deepStrictEqual(ledger.leaks, [], "secrets leaked into errors, configuration renderings or logs")

// ---------------------------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------------------------

/** Waits in real time (the event comes from a socket) until `check` holds, at most `limit`. */
export const eventually = <R>(
  check: Effect.Effect<boolean, never, R>,
  label: string,
  limit: Duration.DurationInput = "5 seconds"
) =>
  Effect.gen(function*() {
    const deadline = Date.now() + Duration.toMillis(Duration.decode(limit))
    while (Date.now() < deadline) {
      if (yield* check) return
      yield* Effect.sleep("10 millis")
    }
    if (!(yield* check)) assert.fail(`not within ${Duration.format(Duration.decode(limit))}: ${label}`)
  })

/** A port nothing listens on: it was bound a moment ago and closed. */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = Net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A server of the suite's own: its URLs, how many requests/connections it saw, how many are open. */
export interface LocalServer {
  readonly url: string
  readonly baseUrl: string
  readonly authUrl: string
  readonly connections: () => number
  readonly openConnections: Effect.Effect<number>
  readonly requests: () => number
  /** Runs `f` after `millis` unless the server has closed (timers are cleared on close). */
  readonly later: (millis: number, f: () => void) => void
}

const listen = (server: Net.Server, sockets: Set<Net.Socket>, timers: Set<NodeJS.Timeout>) =>
  Effect.acquireRelease(
    Effect.async<number>((resume) => {
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed((server.address() as Net.AddressInfo).port)))
    }),
    () =>
      Effect.async<void>((resume) => {
        for (const timer of timers) clearTimeout(timer)
        for (const socket of sockets) socket.destroy()
        server.close(() => resume(Effect.void))
      })
  )

const localServer = (
  port: number,
  counters: { connections: number; requests: number },
  sockets: Set<Net.Socket>,
  timers: Set<NodeJS.Timeout>,
  scheme: "http" | "https" = "http"
): LocalServer => {
  const url = `${scheme}://127.0.0.1:${port}`
  return {
    url,
    baseUrl: `${url}/api/v1`,
    authUrl: `${url}/api/v2/oauth`,
    connections: () => counters.connections,
    openConnections: Effect.sync(() => sockets.size),
    requests: () => counters.requests,
    later: (millis, f) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        f()
      }, millis)
      timers.add(timer)
    }
  }
}

const track = (server: Net.Server, sockets: Set<Net.Socket>, counters: { connections: number }) =>
  server.on("connection", (socket: Net.Socket) => {
    counters.connections++
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })

/**
 * A node:http server on 127.0.0.1 (free port) for the test's scope, or node:https with `tls`. The handler gets each
 * request with its body read; it may answer in any broken way it likes.
 */
export const httpServer = (
  handler: (request: Http.IncomingMessage, body: Buffer, response: Http.ServerResponse, server: LocalServer) => void,
  options: { readonly tls?: Https.ServerOptions } = {}
): Effect.Effect<LocalServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const sockets = new Set<Net.Socket>()
    const timers = new Set<NodeJS.Timeout>()
    const counters = { connections: 0, requests: 0 }
    const self: { current?: LocalServer } = {}
    const listener = (request: Http.IncomingMessage, response: Http.ServerResponse) => {
      const parts: Array<Buffer> = []
      request.on("data", (part: Buffer) => parts.push(part))
      request.on("end", () => {
        counters.requests++
        handler(request, Buffer.concat(parts), response, self.current!)
      })
    }
    const server = options.tls === undefined ? Http.createServer(listener) : Https.createServer(options.tls, listener)
    // Keep-alive sockets must not outlive the test through the server's idle timeout.
    server.keepAliveTimeout = 500
    track(server, sockets, counters)
    const port = yield* listen(server, sockets, timers)
    self.current = localServer(port, counters, sockets, timers, options.tls === undefined ? "http" : "https")
    return self.current
  })

/**
 * A raw TCP server on 127.0.0.1: `onRequest` gets the socket once a request's head has arrived, to answer with
 * garbage, close it or reset it.
 */
export const tcpServer = (
  onRequest: (socket: Net.Socket, head: string, server: LocalServer) => void
): Effect.Effect<LocalServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const sockets = new Set<Net.Socket>()
    const timers = new Set<NodeJS.Timeout>()
    const counters = { connections: 0, requests: 0 }
    const self: { current?: LocalServer } = {}
    const server = Net.createServer((socket) => {
      let received = ""
      let answered = false
      socket.on("error", () => {})
      socket.on("data", (part: Buffer) => {
        received += part.toString("latin1")
        if (!answered && received.includes("\r\n\r\n")) {
          answered = true
          counters.requests++
          onRequest(socket, received, self.current!)
        }
      })
    })
    track(server, sockets, counters)
    const port = yield* listen(server, sockets, timers)
    self.current = localServer(port, counters, sockets, timers)
    return self.current
  })

// ---------------------------------------------------------------------------------------------------------------
// Wire helpers
// ---------------------------------------------------------------------------------------------------------------

/** A v1 chat completion whose answer is `content`. */
export const completionJson = (content: string) =>
  JSON.stringify({
    choices: [{ message: { role: "assistant", content }, index: 0, finish_reason: "stop" }],
    created: 1700000000,
    model: "GigaChat:reliability",
    object: "chat.completion",
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
  })

/** One v1 stream event whose delta is `content`. */
export const chunkFrame = (content: string) =>
  `data: ${
    JSON.stringify({
      choices: [{ delta: { content }, index: 0 }],
      created: 1700000000,
      model: "GigaChat:reliability",
      object: "chat.completion"
    })
  }\n\n`

/** A small deterministic PRNG (mulberry32): the same seed gives the same faults on every run. */
export const seededRandom = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
