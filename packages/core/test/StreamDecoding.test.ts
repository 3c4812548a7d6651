/**
 * Stream chunks over the built-in transport and over any other `HttpTransport` (a test's or an application's): both
 * give the same chunks, with `xHeaders`, and the same failure after the chunks before it.
 */
import { Auth, GigaChat, GigaChatConfig, GigaChatError, HttpTransport } from "@effect-gigachat/core"
import type * as Sse from "@effect-gigachat/core/Sse"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { credentials, mockServices, sse } from "./utils/mockHttp.js"

const chunk = (content: string) =>
  JSON.stringify({
    choices: [{ delta: { role: "assistant", content }, index: 0 }],
    created: 1,
    model: "GigaChat",
    object: "chat.completion"
  })

const events: ReadonlyArray<Sse.Event> = [
  { event: undefined, data: chunk("Hel") },
  { event: undefined, data: chunk("lo") },
  { event: undefined, data: "{\"choices\": 7}" }
]

const xHeaders = { "x-request-id": "rid-7", "x-session-id": undefined, "x-client-id": undefined }

/** The built-in transport over a mock client that sends the events above. */
const builtIn = mockServices(
  () => sse(events.map((event) => `data: ${event.data}\n\n`), { headers: { "x-request-id": "rid-7" } }),
  { credentials }
).layer

/** A transport of its own, as a test or an application may provide, that only knows `events`. */
const custom = GigaChat.layer.pipe(
  Layer.provide(Layer.succeed(HttpTransport.HttpTransport, {
    text: () => Effect.die("not used"),
    json: () => Effect.die("not used"),
    bytes: () => Effect.die("not used"),
    events: () => Effect.succeed({ xHeaders, events: Stream.fromIterable(events) })
  })),
  Layer.provide(Layer.succeed(Auth.Auth, { token: Effect.succeedNone, invalidate: () => Effect.succeed(false) })),
  Layer.provide(GigaChatConfig.layer({}))
)

describe("stream decoding", () => {
  for (const [name, layer] of [["built-in transport", builtIn], ["another transport", custom]] as const) {
    it.effect(`${name}: the chunks with xHeaders, then the failure of the bad event`, () =>
      Effect.gen(function*() {
        const results = yield* GigaChat.stream("Hi").pipe(Stream.either, Stream.runCollect)
        const [first, second, third, ...rest] = results
        assert.strictEqual(rest.length, 0)
        const ok = [first, second].map((result) => Either.getOrThrow(result!))
        assert.deepStrictEqual(ok.map((c) => c.choices[0]?.delta.content), ["Hel", "lo"])
        assert.deepStrictEqual(ok.map((c) => c.xHeaders["x-request-id"]), ["rid-7", "rid-7"])
        const failure = Option.getOrThrow(Either.getLeft(third!))
        assert.isTrue(GigaChatError.isGigaChatError(failure))
        assert.strictEqual(failure._tag, "DecodeError")
      }).pipe(Effect.provide(layer)))
  }
})
