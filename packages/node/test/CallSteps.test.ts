/**
 * The number of effects the runtime evaluates for one call, over the package's undici client and a dispatcher that
 * answers from memory. Unlike CPU time it does not move with the machine's load, so a change that adds steps to
 * every call (or to every network read of a stream) fails here instead of passing unseen; `pnpm bench` measures the
 * time. The budgets are today's counts: when a change needs more steps, or an Effect upgrade takes more, raise them
 * in the same commit and say why. They rose from 31 and 27 with the renovation of issue 18: on a call, the SDK's span
 * under every tracer (about 12), a scope per exchange for the deadline to abort (`HttpClient.withScope`, about 27),
 * the platform client's tracer switch (`Effect.locally`, about 10), its `mapRequestEffect` step and
 * `HttpClient.make`; on a read, the deadline's mark when a read is waited for. Issue 21's telemetry (the metrics and the
 * request id, recorded when the call's span ends) added 1 to a call. A stream's events are decoded in the SSE
 * decoder's own stage since, not in a stage after it: 29 → 27 per read. The platform's span is turned off by the SDK's
 * predicate on `HttpClient.currentTracerDisabledWhen`, installed once by the transport's layer, instead of an
 * `Effect.locally` per request: 113 → 94 per call.
 */
import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import type * as Undici from "@effect/platform-node/Undici"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as RuntimeFlags from "effect/RuntimeFlags"
import * as RuntimeFlagsPatch from "effect/RuntimeFlagsPatch"
import * as Stream from "effect/Stream"
import * as Supervisor from "effect/Supervisor"
import * as UndiciClient from "../src/internal/undiciClient.js"

const completion = Buffer.from(JSON.stringify({
  choices: [{ message: { role: "assistant", content: "Hi!" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:steps",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}))
const token = Buffer.from(JSON.stringify({ access_token: "steps-token", expires_at: Date.now() + 86_400_000 }))
const event = (index: number) =>
  Buffer.from(`data: ${
    JSON.stringify({
      choices: [{ delta: { content: `t${index}` }, index: 0 }],
      created: 1,
      model: "GigaChat:steps",
      object: "chat.completion"
    })
  }\n\n`)

/**
 * Answers every request on a later turn of the event loop, as a socket would: an OAuth token, a chat completion, or
 * for `stream N` in the body N events, each its own read on its own turn, then `[DONE]`.
 */
const dispatcher = {
  dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler) {
    const controller = { paused: false, aborted: false, reason: null, abort() {}, pause() {}, resume() {} }
    const body = options.body instanceof Uint8Array ? Buffer.from(options.body).toString("utf8") : ""
    const streamed = /stream (\d+)/.exec(body)
    setImmediate(() => {
      handler.onRequestStart?.(controller, {})
      const type = streamed === null ? "application/json" : "text/event-stream"
      handler.onResponseStart?.(controller, 200, { "content-type": type }, "OK")
      if (streamed === null) {
        handler.onResponseData?.(controller, options.path.endsWith("/oauth") ? token : completion)
        handler.onResponseEnd?.(controller, {})
        return
      }
      const total = Number(streamed[1])
      let sent = 0
      const next = () => {
        if (sent < total) {
          handler.onResponseData?.(controller, event(sent++))
          setImmediate(next)
        } else {
          handler.onResponseData?.(controller, Buffer.from("data: [DONE]\n\n"))
          handler.onResponseEnd?.(controller, {})
        }
      }
      next()
    })
    return true
  }
} as unknown as Undici.Dispatcher

const layer = GigaChat.layerServices.pipe(
  Layer.provide(Layer.succeed(HttpClient.HttpClient, UndiciClient.make(dispatcher))),
  Layer.provideMerge(GigaChatConfig.layer({
    baseUrl: "http://127.0.0.1:9/api/v1",
    authUrl: "http://127.0.0.1:9/api/v2/oauth",
    credentials: Buffer.from("steps:secret").toString("base64")
  }))
)

class StepCounter extends Supervisor.AbstractSupervisor<void> {
  steps = 0
  readonly value = Effect.void
  override onEffect(): void {
    this.steps++
  }
}

/** The effects `effect` evaluates, on its fiber and the fibers it forks. */
const countSteps = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const counter = new StepCounter()
    return effect.pipe(
      Effect.supervised(counter),
      Effect.withRuntimeFlagsPatch(RuntimeFlagsPatch.enable(RuntimeFlags.OpSupervision)),
      Effect.map(() => counter.steps)
    )
  })

/** The steps of `Effect.void` under the same counting: what the counting itself adds. */
const baseline = countSteps(Effect.void)

const prompt = (text: string) => ({ messages: [{ role: "user" as const, content: text }] })

describe("steps per call", () => {
  it.live("a chat call with a cached token takes at most 94 effects", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      yield* gc.chat("warm-up: fetches the token")
      const steps = (yield* countSteps(gc.chat(prompt("hi")))) - (yield* baseline)
      assert.isAtMost(steps, 94, `a chat call took ${steps} effects`)
      // The counting sees the call: a call that never ran would count nothing.
      assert.isAtLeast(steps, 10)
    }).pipe(Effect.provide(layer)))

  it.live("each further network read of a token stream takes at most 27 effects", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      yield* gc.chat("warm-up: fetches the token")
      const stream = (reads: number) =>
        countSteps(Stream.runForEach(gc.stream(prompt(`stream ${reads}`)), () => Effect.void))
      const short = yield* stream(10)
      const long = yield* stream(60)
      const perRead = (long - short) / 50
      assert.isAtMost(perRead, 27, `a read took ${perRead} effects`)
      assert.isAtLeast(perRead, 1)
    }).pipe(Effect.provide(layer)))
})
