/**
 * Stream chunks over the built-in transport and over any other `HttpTransport` (a test's or an application's): both
 * give the same chunks, with `xHeaders`, and the same failure after the chunks before it. A body whose `data:` lines
 * come without the blank line between them decodes to the same chunks, however the body is cut.
 */
import { Auth, GigaChat, GigaChatConfig, GigaChatError, HttpTransport } from "@effect-gigachat/core"
import type * as Sse from "@effect-gigachat/core/Sse"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
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

/** A transport of its own, as a test or an application may provide, that decodes the events above itself. */
const custom = GigaChat.layer.pipe(
  Layer.provide(Layer.succeed(HttpTransport.HttpTransport, {
    text: () => Effect.die("not used"),
    json: () => Effect.die("not used"),
    bytes: () => Effect.die("not used"),
    events: () => Stream.die("not used"),
    stream: (_request, schema) =>
      Stream.mapEffect(
        Stream.fromIterable(events),
        (event) =>
          Schema.decodeUnknown(Schema.parseJson(schema))(event.data).pipe(
            Effect.map((chunk) => ({ ...chunk as object, xHeaders }) as any),
            Effect.mapError((error) => new GigaChatError.DecodeError({ description: error.message }))
          )
      )
  })),
  Layer.provide(Layer.succeed(Auth.Auth, { token: Effect.succeedNone, withToken: (call) => call(Option.none()) })),
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

  /** The body whole, one character per read, and in pieces of 7 characters. */
  const cuts = (body: string): ReadonlyArray<ReadonlyArray<string>> => [
    [body],
    Array.from(body),
    Array.from({ length: Math.ceil(body.length / 7) }, (_, i) => body.slice(i * 7, i * 7 + 7))
  ]

  it.effect("v1: data: lines without blank lines between them are chunks of their own, however the body is cut", () =>
    Effect.forEach(
      cuts(`data: ${chunk("Hel")}\ndata:${chunk("lo")}\r\ndata: [DONE]\n`),
      (parts) =>
        Effect.gen(function*() {
          const chunks = yield* Stream.runCollect(GigaChat.stream("Hi"))
          assert.deepStrictEqual(Chunk.toReadonlyArray(chunks).map((c) => c.choices[0]?.delta.content), ["Hel", "lo"])
        }).pipe(Effect.provide(mockServices(() => sse(parts), { credentials }).layer)),
      { discard: true }
    ))

  it.effect("v2: event: and data: pairs without blank lines between them, however the body is cut", () => {
    const delta = JSON.stringify({ messages: [{ role: "assistant", content: [{ text: "1, 2, 3" }] }] })
    const done = JSON.stringify({
      finish_reason: "stop",
      usage: { input_tokens: 1, output_tokens: 2, total_tokens: 3 }
    })
    const body = `event: response.message.delta\ndata: ${delta}\nevent: response.message.done\ndata: ${done}\n`
    return Effect.forEach(cuts(body), (parts) =>
      Effect.gen(function*() {
        const chunks = Chunk.toReadonlyArray(yield* Stream.runCollect(GigaChat.completionsStream("Count")))
        assert.deepStrictEqual(chunks.map((c) => c.event), ["response.message.delta", "response.message.done"])
        assert.deepStrictEqual(chunks[0]?.messages, [{ role: "assistant", content: [{ text: "1, 2, 3" }] }])
        assert.strictEqual(chunks[1]?.finish_reason, "stop")
      }).pipe(Effect.provide(mockServices(() => sse(parts), { credentials }).layer)), { discard: true })
  })
})
