/**
 * Load and interruption over real sockets. 2,000 calls at concurrency 64 against the emulator server with ~10% of
 * the requests hit by a fault chosen by a seeded random route: every call resolves (a success or one typed error),
 * no stream chunk is duplicated, and once the client's scope closes no connection and no fiber is left. Calls and
 * streams interrupted at random points leave no open connection either.
 */
import { GigaChat } from "@effect-gigachat/core"
import type { GigaChatError } from "@effect-gigachat/core"
import type { GigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import {
  assertNoLeaks,
  check,
  emulatorOptions,
  eventually,
  learnFromEmulator,
  Ledger,
  outcome,
  poolStats,
  secrets,
  seededRandom,
  withClient,
  withPooledClient
} from "./harness.js"

const ledger = new Ledger("load and interruption (reliability/load.test.ts)")

afterAll(() => {
  for (const line of ledger.summary()) console.log(line)
  assertNoLeaks(ledger)
})

/** The faults of the load test and how often each hits an API request (10% in all). */
const loadFaults: ReadonlyArray<
  { readonly name: string; readonly probability: number; readonly fault: GigaChatEmulator.Fault }
> = [
  { name: "500", probability: 0.02, fault: { status: 500 } },
  { name: "429 Retry-After: 1", probability: 0.01, fault: { status: 429, headers: { "retry-after": "1" } } },
  {
    name: "HTML 502",
    probability: 0.01,
    fault: { status: 502, contentType: "text/html", body: "<html><title>502 Bad Gateway</title></html>" }
  },
  { name: "200 with invalid JSON", probability: 0.01, fault: { invalidJson: true } },
  { name: "401 (token refused once)", probability: 0.01, fault: { status: 401 } },
  { name: "headers after the timeout", probability: 0.01, fault: { latency: "6 seconds" } },
  { name: "stream dropped after 2 events", probability: 0.015, fault: { dropAfterChunks: 2 } },
  { name: "malformed stream frame", probability: 0.01, fault: { malformedFrame: true } },
  { name: "events slower than the timeout", probability: 0.005, fault: { chunkDelay: "6 seconds" } }
]

/**
 * The faults as emulator faults with route functions drawing from one seeded PRNG. The emulator applies the first
 * fault whose route matches, asking them in order, so fault `k` matches with its probability divided by what the
 * faults before it left over: overall each fault hits with its own probability. OAuth is left alone.
 */
const randomFaults = (seed: number, injected: Map<string, number>, enabled: { on: boolean }) => {
  const random = seededRandom(seed)
  let remaining = 1
  return loadFaults.map(({ fault, name, probability }): GigaChatEmulator.Fault => {
    const conditional = probability / remaining
    remaining -= probability
    return {
      ...fault,
      route: ({ path }) => {
        if (!enabled.on || path === "/api/v2/oauth") return false
        const hit = random() < conditional
        if (hit) injected.set(name, (injected.get(name) ?? 0) + 1)
        return hit
      }
    }
  })
}

const streamPrompt = "Count from 1 to 10"

/** The v1 stream's delta contents; a failed stream fails with what it received so far. */
const streamDeltas = (received: Array<string>) =>
  Stream.runForEach(GigaChat.stream(streamPrompt), (chunk) =>
    Effect.sync(() => {
      received.push(chunk.choices[0]?.delta.content ?? "")
    }))

/**
 * Waits for an emulator server to have no open connection, then no unfinished response (a handler sleeping out
 * a `latency` fault finishes after its client has gone).
 */
const serverIdle = (server: NodeGigaChatEmulator.Service, label: string) =>
  Effect.zipRight(
    eventually(Effect.map(server.openConnections, (n) => n === 0), `${label}: no open connection`),
    eventually(Effect.map(server.emulator.activeRequests, (n) => n === 0), `${label}: no response in progress`)
  )

describe.sequential("load", () => {
  it.scopedLive(
    "2,000 requests at concurrency 64 with ~10% random faults: every one resolves, typed",
    () =>
      Effect.gen(function*() {
        const injected = new Map<string, number>()
        const enabled = { on: false }
        const server = yield* NodeGigaChatEmulator.make({
          ...emulatorOptions,
          faults: randomFaults(20_240_611, injected, enabled)
        })
        yield* Effect.addFinalizer(() => learnFromEmulator(ledger, server))
        const supervisor = yield* Supervisor.track
        const total = 2_000
        const outcomes = new Map<string, number>()
        const choose = seededRandom(7)
        let expectedDeltas: ReadonlyArray<string> = []
        let duplicated = 0
        let start = Date.now()

        yield* Effect.gen(function*() {
          const reference: Array<string> = []
          yield* streamDeltas(reference)
          expectedDeltas = reference
          assert.isAbove(expectedDeltas.length, 3)
          // Warm-up without faults (not counted): the pool opens its connections and the JIT settles, so the first
          // burst of 64 does not queue behind them.
          yield* Effect.forEach(
            Array.from(
              { length: 128 },
              (_, i) =>
                i % 2 === 0 ? Effect.asVoid(GigaChat.chat("Say 1, 2, 3")) : Effect.asVoid(GigaChat.embeddings("x"))
            ),
            (call) => Effect.ignore(call),
            { concurrency: 64, discard: true }
          )
          enabled.on = true
          start = Date.now()
          const calls = Array.from({ length: total }, (): readonly [
            string,
            Effect.Effect<unknown, GigaChatError.GigaChatError, GigaChat.GigaChat>
          ] => {
            const pick = choose()
            if (pick < 0.35) {
              return [
                "chat",
                Effect.map(GigaChat.chat("Say 1, 2, 3"), (answer) => {
                  assert.strictEqual(answer.choices[0]?.message.content, "1, 2, 3")
                })
              ] as const
            }
            if (pick < 0.65) {
              const received: Array<string> = []
              // Whatever arrived, succeeded or not, is the start of the reference stream: nothing twice, nothing lost.
              const verify = Effect.sync(() => {
                if (received.join("\u0000") !== expectedDeltas.slice(0, received.length).join("\u0000")) duplicated++
              })
              return ["stream", Effect.ensuring(streamDeltas(received), verify)] as const
            }
            if (pick < 0.75) {
              return ["v2 stream", Stream.runDrain(GigaChat.completionsStream("Count from 1 to 10"))] as const
            }
            if (pick < 0.85) return ["embeddings", GigaChat.embeddings(["one", "two"])] as const
            return ["models", Effect.flatMap(GigaChat.GigaChat, (client) => client.getModels())] as const
          })
          yield* Effect.forEach(
            calls,
            ([name, call]) =>
              Effect.map(outcome(ledger, `load: ${name}`, call), (result) => {
                const tag = result._tag === "Success" ? "Success" : result.error._tag
                outcomes.set(tag, (outcomes.get(tag) ?? 0) + 1)
              }),
            { concurrency: 64, discard: true }
          )
        }).pipe(
          // Client and server share one Node process (and two cores with the rest of the tests): at concurrency 64
          // a call waits ~0.5 s for the CPU, so a 1 s timeout would time out healthy calls, and the reconnections
          // that follow snowball. 5 s leaves room; the latency faults are longer than that.
          withClient(ledger, { baseUrl: server.baseUrl, authUrl: server.authUrl, timeout: "5 seconds" }),
          Effect.supervised(supervisor)
        )
        const millis = Date.now() - start

        // The client's scope is closed: its pool is destroyed and every fiber it started has ended.
        yield* serverIdle(server, "after the load")
        yield* eventually(
          Effect.map(supervisor.value, (fibers) => fibers.length === 0),
          "no fiber of the client left"
        )

        const resolved = Array.from(outcomes.values()).reduce((a, b) => a + b, 0)
        assert.strictEqual(resolved, total, "every request resolved")
        assert.strictEqual(duplicated, 0, "no stream chunk duplicated or lost before the end of what arrived")
        const faultsInjected = Array.from(injected.values()).reduce((a, b) => a + b, 0)
        assert.isAbove(faultsInjected, total * 0.05)
        assert.isBelow(faultsInjected, total * 0.2)
        // ~10% of the calls get a fault, some of which do not fail the call (a 401 is answered with a new token, a
        // stream fault on a call that does not stream); on a busy machine a few healthy calls may time out too.
        assert.isAtLeast(outcomes.get("Success") ?? 0, total * 0.7)
        const allowed = new Set([
          "Success",
          "ServerError",
          "RateLimitError",
          "DecodeError",
          "TimeoutError",
          "TransportError",
          "AuthenticationError"
        ])
        for (const tag of outcomes.keys()) assert.isTrue(allowed.has(tag), `unexpected outcome ${tag}`)
        const timeoutFaults = (injected.get("headers after the timeout") ?? 0) +
          (injected.get("events slower than the timeout") ?? 0)
        const byTag = Array.from(outcomes).sort(([a], [b]) => a.localeCompare(b)).map(([tag, n]) => `${tag}=${n}`)
        const byFault = Array.from(injected).map(([name, n]) => `${name}=${n}`)
        ledger.notes.push(
          `load: ${total} calls at concurrency 64 in ${millis} ms (${Math.round((total * 1000) / millis)} calls/s)`,
          `load: faults injected ${faultsInjected} (${
            byFault.join(", ")
          }); TimeoutErrors beyond the ${timeoutFaults} ` +
            `timeout faults: ${Math.max(0, (outcomes.get("TimeoutError") ?? 0) - timeoutFaults)} (CPU contention)`,
          `load: outcomes ${byTag.join(", ")}; duplicated stream chunks: ${duplicated}`,
          `load: after the client's scope closed: open connections 0, client fibers left 0`
        )
      }),
    { timeout: 120_000 }
  )
})

/** A named call of the interruption tests. */
type Call = readonly [string, Effect.Effect<unknown, GigaChatError.GigaChatError, GigaChat.GigaChat>]

/** Runs `call` in a fiber, interrupts it after `delay` ms, and checks what it ended with. */
const interruptAfter = <A, E, R>(name: string, call: Effect.Effect<A, E, R>, delay: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(call)
    yield* Effect.sleep(delay)
    const exit = yield* Fiber.interrupt(fiber)
    ledger.faults.add(`interrupted: ${name}`)
    ledger.calls++
    if (Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)) {
      ledger.count("Interrupted (by the test)")
      return "interrupted" as const
    }
    // it ended before the interruption: a success or a typed failure
    check(ledger, `interrupted: ${name}`, exit)
    return "finished" as const
  })

/**
 * After interruptions, with the client still open: no request is left in the pool (running, pending or queued),
 * every socket the pool keeps is idle and reusable, and the server sees exactly those sockets and no response in
 * progress. (A socket connected for a request that was interrupted before it was sent stays in the pool as an
 * idle keep-alive connection: pooling, not a leak. A socket whose request was sent is destroyed.)
 */
const poolSettled = (server: NodeGigaChatEmulator.Service, label: string) =>
  Effect.gen(function*() {
    yield* eventually(
      Effect.map(poolStats, (pool) => pool.size === 0 && pool.free === pool.connected),
      `${label}: no request left in the client's pool, every socket idle`,
      "2 seconds"
    )
    yield* eventually(
      Effect.zipWith(server.openConnections, poolStats, (open, pool) => open === pool.connected),
      `${label}: the server sees only the pool's idle sockets`,
      "2 seconds"
    )
    yield* eventually(Effect.map(server.emulator.activeRequests, (n) => n === 0), `${label}: no response in progress`)
    return yield* poolStats
  })

/** Calls of every kind on the pooled connections: each must get its own answer (no stale response on a socket). */
const callsAfterwards = Effect.forEach(
  Array.from({ length: 24 }, (_, i) => i),
  (i) => {
    switch (i % 4) {
      case 0:
        return Effect.map(GigaChat.chat("Say 1, 2, 3"), (answer) => {
          assert.strictEqual(answer.choices[0]?.message.content, "1, 2, 3")
        })
      case 1:
        return Effect.map(GigaChat.embeddings(["one", "two", "three"]), (answer) => {
          assert.strictEqual(answer.data.length, 3)
        })
      case 2:
        return Effect.map(Effect.flatMap(GigaChat.GigaChat, (client) => client.getModels()), (models) => {
          assert.isAbove(models.data.length, 0)
        })
      default:
        return Effect.map(Stream.runCollect(GigaChat.stream(streamPrompt)), (chunks) => {
          assert.isAbove(chunks.length, 3)
        })
    }
  },
  { concurrency: 8, discard: true }
)

describe.sequential("interruption", () => {
  it.scopedLive(
    "calls and streams interrupted in flight (before headers and mid-stream) leave no busy connection",
    () =>
      Effect.gen(function*() {
        const server = yield* NodeGigaChatEmulator.make({
          ...emulatorOptions,
          faults: [
            { route: "POST /api/v1/chat/completions", latency: "2 seconds" },
            { route: "POST /api/v1/embeddings", latency: "2 seconds" },
            { route: "POST /api/v2/chat/completions", chunkDelay: "200 millis" }
          ]
        })
        yield* Effect.addFinalizer(() => learnFromEmulator(ledger, server))
        const supervisor = yield* Supervisor.track
        const random = seededRandom(99)
        const calls: ReadonlyArray<Call> = [
          ["chat (before headers)", GigaChat.chat("Hi")],
          ["stream (before headers)", Stream.runDrain(GigaChat.stream(streamPrompt))],
          ["embeddings (before headers)", GigaChat.embeddings("Hi")],
          ["v2 stream (mid-stream)", Stream.runDrain(GigaChat.completionsStream(streamPrompt))]
        ]
        yield* Effect.gen(function*() {
          const results = yield* Effect.forEach(
            Array.from({ length: 48 }, (_, i) => calls[i % calls.length]),
            ([name, call]) => interruptAfter(name, call, Math.floor(random() * 400)),
            { concurrency: 8 }
          )
          assert.isTrue(results.every((result) => result === "interrupted"), "nothing can finish within 400 ms")
          const pool = yield* poolSettled(server, "48 calls interrupted in flight")
          ledger.notes.push(
            `interruption in flight: 48 interrupted; the pool then held ${pool.connected} idle sockets, none busy`
          )
          yield* server.emulator.clearFaults
          yield* callsAfterwards
        }).pipe(
          withPooledClient(ledger, {
            baseUrl: server.baseUrl,
            credentials: undefined,
            accessToken: secrets.accessToken
          }),
          Effect.supervised(supervisor)
        )
        yield* serverIdle(server, "after the client's scope closed")
        yield* eventually(Effect.map(supervisor.value, (fibers) => fibers.length === 0), "no fiber of the client left")
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "calls and streams interrupted at random points (some finish first) leave nothing open",
    () =>
      Effect.gen(function*() {
        const server = yield* NodeGigaChatEmulator.make({
          ...emulatorOptions,
          faults: [{ route: "POST /api/*/chat/completions", chunkDelay: "30 millis" }]
        })
        yield* Effect.addFinalizer(() => learnFromEmulator(ledger, server))
        const supervisor = yield* Supervisor.track
        const random = seededRandom(1234)
        const calls: ReadonlyArray<Call> = [
          ["chat", GigaChat.chat("Say 1, 2, 3")],
          ["stream", Stream.runDrain(GigaChat.stream(streamPrompt))],
          ["v2 stream", Stream.runDrain(GigaChat.completionsStream(streamPrompt))],
          ["models", Effect.flatMap(GigaChat.GigaChat, (client) => client.getModels())]
        ]
        let interrupted = 0
        let finished = 0
        yield* Effect.gen(function*() {
          yield* Effect.forEach(
            Array.from({ length: 80 }, (_, i) => calls[i % calls.length]),
            ([name, call]) =>
              Effect.map(interruptAfter(name, call, Math.floor(random() * 600)), (result) => {
                if (result === "interrupted") interrupted++
                else finished++
              }),
            { concurrency: 8 }
          )
          yield* poolSettled(server, "80 calls interrupted at random points")
          yield* server.emulator.clearFaults
          yield* callsAfterwards
        }).pipe(
          withPooledClient(ledger, { baseUrl: server.baseUrl, authUrl: server.authUrl, timeout: "10 seconds" }),
          Effect.supervised(supervisor)
        )
        assert.isAbove(interrupted, 0)
        assert.isAbove(finished, 0)
        yield* serverIdle(server, "after the client's scope closed")
        yield* eventually(Effect.map(supervisor.value, (fibers) => fibers.length === 0), "no fiber of the client left")
        ledger.notes.push(`interruption at random points: ${interrupted} interrupted, ${finished} finished first`)
      }),
    { timeout: 60_000 }
  )

  it.scopedLive(
    "callers interrupted while a slow token refresh runs: closing the client stops it, nothing left",
    () =>
      Effect.gen(function*() {
        const server = yield* NodeGigaChatEmulator.make({
          ...emulatorOptions,
          faults: [{ route: "POST /api/v2/oauth", latency: "5 seconds" }]
        })
        yield* Effect.addFinalizer(() => learnFromEmulator(ledger, server))
        const supervisor = yield* Supervisor.track
        yield* Effect.gen(function*() {
          const results = yield* Effect.forEach(
            Array.from({ length: 6 }, (_, i) => i),
            (i) => interruptAfter("caller waiting for the token", GigaChat.chat("Hi"), 50 + i * 40),
            { concurrency: "unbounded" }
          )
          assert.isTrue(results.every((result) => result === "interrupted"))
          const oauth = (yield* server.emulator.requests).filter((request) => request.path === "/api/v2/oauth")
          assert.strictEqual(oauth.length, 1, "the waiters shared one refresh")
          // the refresh runs on in the client's scope, for the next caller
          assert.strictEqual((yield* poolStats).size, 1)
        }).pipe(
          withPooledClient(ledger, { baseUrl: server.baseUrl, authUrl: server.authUrl, timeout: "10 seconds" }),
          Effect.supervised(supervisor)
        )
        yield* eventually(Effect.map(server.openConnections, (n) => n === 0), "the refresh's connection is closed")
        yield* eventually(Effect.map(supervisor.value, (fibers) => fibers.length === 0), "the refresh fiber ended")
      }),
    { timeout: 30_000 }
  )
})
