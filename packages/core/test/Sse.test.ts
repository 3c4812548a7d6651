import { GigaChatError, Sse } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { fixturePath } from "./utils/cassette.js"

const encoder = new TextEncoder()
const bytes = (text: string): Uint8Array => encoder.encode(text)

const collect = <E>(stream: Stream.Stream<Sse.Event, E>): Effect.Effect<ReadonlyArray<Sse.Event>, E> =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** Decodes the given pieces of text, each one read as its own chunk of bytes. */
const decodeParts = (parts: ReadonlyArray<string>, options?: Sse.DecodeOptions) =>
  collect(Stream.fromIterable(parts.map(bytes)).pipe(Sse.decode(options)))

const decodeChunks = (chunks: ReadonlyArray<Uint8Array>, options?: Sse.DecodeOptions) =>
  collect(Stream.fromIterable(chunks).pipe(Sse.decode(options)))

/** Cuts `input` at the given byte offsets. */
const splitAt = (input: Uint8Array, offsets: ReadonlyArray<number>): Array<Uint8Array> => {
  const chunks: Array<Uint8Array> = []
  let start = 0
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    if (offset > start && offset < input.length) {
      chunks.push(input.subarray(start, offset))
      start = offset
    }
  }
  chunks.push(input.subarray(start))
  return chunks
}

const everyByte = (input: Uint8Array): Array<Uint8Array> =>
  Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1))

const ev = (data: string, event?: string): Sse.Event => ({ event, data })

/** The input whole, byte by byte, and cut in two at every offset. */
const chunkings = (input: Uint8Array): Array<Array<Uint8Array>> => [
  [input],
  everyByte(input),
  ...Array.from({ length: input.length - 1 }, (_, i) => splitAt(input, [i + 1]))
]

/** Decodes `wire` under every chunking of `chunkings`, asserting the same events each time. */
const assertEveryChunking = (wire: string, expected: ReadonlyArray<Sse.Event>, options?: Sse.DecodeOptions) =>
  Effect.forEach(chunkings(bytes(wire)), (chunks) =>
    Effect.map(decodeChunks(chunks, options), (events) => {
      assert.deepStrictEqual(events, expected, `chunk sizes ${chunks.map((chunk) => chunk.length).join(",")}`)
    }), { discard: true })

const assertDecodeError = <A>(exit: Exit.Exit<A, unknown>, mentions: string): void => {
  assert.isTrue(Exit.isFailure(exit), "the stream must fail")
  if (Exit.isFailure(exit)) {
    assert.isFalse(Cause.isDie(exit.cause), "a DecodeError, not a defect")
    const failure = Cause.failureOption(exit.cause)
    assert.isTrue(Option.isSome(failure))
    if (Option.isSome(failure)) {
      const error = failure.value
      assert.instanceOf(error, GigaChatError.DecodeError)
      assert.strictEqual((error as GigaChatError.DecodeError)._tag, "DecodeError")
      assert.include((error as GigaChatError.DecodeError).description, mentions)
    }
  }
}

const fixtures = fileURLToPath(fixturePath("")).replace(/\/$/, "")

const cassetteBody = (name: string, interaction: number): string => {
  const cassette = parse(readFileSync(`${fixtures}/cassettes/${name}`, "utf8"))
  return cassette.interactions[interaction].response.body.string
}

describe("Sse", () => {
  describe("line ends", () => {
    it.effect("LF", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: a\n\ndata: b\n\n"])
        assert.deepStrictEqual(events, [ev("a"), ev("b")])
      }))

    it.effect("CRLF", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["event: x\r\ndata: a\r\n\r\ndata: b\r\n\r\n"])
        assert.deepStrictEqual(events, [ev("a", "x"), ev("b")])
      }))

    it.effect("lone CR", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["event: x\rdata: a\r\rdata: b\r\r"])
        assert.deepStrictEqual(events, [ev("a", "x"), ev("b")])
      }))

    it.effect("a CR ending one chunk and a LF starting the next are one line end", () =>
      Effect.gen(function*() {
        // Were the pair counted twice, the LF would be a blank line and "a" would be dispatched alone.
        const events = yield* decodeParts(["data: a\r", "\ndata: b\r", "\r"])
        assert.deepStrictEqual(events, [ev("a\nb")])
      }))

    it.effect("a CR ending a chunk followed by an empty chunk and then a LF", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: a\r", "", "\ndata: b\n\n"])
        assert.deepStrictEqual(events, [ev("a\nb")])
      }))

    it.effect("lines split across chunks", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["da", "ta: hel", "lo\n", "\n", "data", ":", " world", "\n\n"])
        assert.deepStrictEqual(events, [ev("hello"), ev("world")])
      }))
  })

  describe("fields", () => {
    it.effect("comments are ignored", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts([": keep-alive\n\n:another\ndata: a\n: inside\n\n"])
        assert.deepStrictEqual(events, [ev("a")])
      }))

    it.effect("multi-line data is joined with LF", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: one\ndata:two\ndata:\ndata:  four\n\n"])
        assert.deepStrictEqual(events, [ev("one\ntwo\n\n four")])
      }))

    it.effect("event names: the last one wins and they do not leak into the next event", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts([
          "event: first\nevent: response.message.delta\ndata: a\n\ndata: b\n\nevent:\ndata: c\n\n"
        ])
        assert.deepStrictEqual(events, [ev("a", "response.message.delta"), ev("b"), ev("c")])
      }))

    it.effect("id, retry and unknown fields are ignored, and retry does not sleep", () =>
      Effect.gen(function*() {
        // Under it.effect the TestClock never advances: a sleep on `retry:` would hang this test.
        const events = yield* decodeParts(["id: 7\nretry: 100000\nfoo: bar\ndata: a\nid\n\n"])
        assert.deepStrictEqual(events, [ev("a")])
      }))

    it.effect("no space after the colon, and only one space removed", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["event:name\ndata:a\n\ndata:  b\n\n"])
        assert.deepStrictEqual(events, [ev("a", "name"), ev(" b")])
      }))

    it.effect("only the first colon separates field and value", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: {\"a\":\"b: c\",\"d\": \"e:f\"}\n\nevent: a:b: c\ndata: x: y\n\n"])
        assert.deepStrictEqual(events, [ev("{\"a\":\"b: c\",\"d\": \"e:f\"}"), ev("x: y", "a:b: c")])
        assert.deepStrictEqual(JSON.parse(events[0].data), { a: "b: c", d: "e:f" })
      }))

    it.effect("a line without a colon is a field with an empty value", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data\n\nevent\ndata\ndata\n\n"])
        assert.deepStrictEqual(events, [ev(""), ev("\n")])
      }))

    it.effect("an event without data lines is dropped", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["event: lonely\n\nid: 1\n\n\n\ndata: a\n\n"])
        assert.deepStrictEqual(events, [ev("a")])
      }))

    it.effect("a leading BOM is dropped, even when split across chunks", () =>
      Effect.gen(function*() {
        const input = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes("data: a\n\n")])
        assert.deepStrictEqual(yield* decodeChunks([input]), [ev("a")])
        assert.deepStrictEqual(yield* decodeChunks(everyByte(input)), [ev("a")])
        assert.deepStrictEqual(
          yield* collect(Stream.make("\uFEFFdata: b\n\n").pipe(Sse.decodeText())),
          [ev("b")]
        )
      }))
  })

  describe("UTF-8", () => {
    it.effect("Cyrillic split inside a multi-byte character", () =>
      Effect.gen(function*() {
        const input = bytes("event: ответ\ndata: Привет, мир 👋\n\n")
        // "П" is 2 bytes and the emoji 4: cut in the middle of both, and everywhere else too.
        const prefix = bytes("event: ответ\ndata: ").length
        const wave = bytes("event: ответ\ndata: Привет, мир ").length
        const expected = [ev("Привет, мир 👋", "ответ")]
        assert.deepStrictEqual(yield* decodeChunks(splitAt(input, [prefix + 1, wave + 1, wave + 3])), expected)
        assert.deepStrictEqual(yield* decodeChunks(everyByte(input)), expected)
      }))

    it.effect("invalid UTF-8 becomes U+FFFD, not an error", () =>
      Effect.gen(function*() {
        const input = new Uint8Array([...bytes("data: a"), 0xff, ...bytes("b\n\n")])
        assert.deepStrictEqual(yield* decodeChunks([input]), [ev("a\uFFFDb")])
      }))

    it.effect("an incomplete character at the end of input becomes U+FFFD", () =>
      Effect.gen(function*() {
        const input = bytes("data: ж")
        assert.deepStrictEqual(yield* decodeChunks([input.subarray(0, input.length - 1)]), [ev("\uFFFD")])
      }))
  })

  describe("[DONE]", () => {
    it.effect("stops the output: later events in the same chunk are not emitted", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: 1\n\ndata: [DONE]\n\ndata: 2\n\n"])
        assert.deepStrictEqual(events, [ev("1")])
      }))

    it.effect("the upstream is not pulled after it", () =>
      Effect.gen(function*() {
        const pulled = yield* Ref.make(false)
        const upstream = Stream.fromIterable([bytes("data: 1\n\n"), bytes("data: [DO"), bytes("NE]\n\ndata: 2\n\n")])
          .pipe(Stream.concat(Stream.fromEffect(Ref.set(pulled, true)).pipe(Stream.as(bytes("data: 3\n\n")))))
          .pipe(Stream.concat(Stream.fail("must not be reached" as const)))
        const events = yield* collect(upstream.pipe(Sse.decode()))
        assert.deepStrictEqual(events, [ev("1")])
        assert.isFalse(yield* Ref.get(pulled))
      }))

    it.effect("only data exactly [DONE] ends the stream", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: [DONE] \n\ndata:  [DONE]\n\ndata: [DONE]\ndata: x\n\ndata: end\n\n"])
        assert.deepStrictEqual(events, [ev("[DONE] "), ev(" [DONE]"), ev("[DONE]\nx"), ev("end")])
      }))

    it.effect("an unterminated [DONE] at end of input ends the stream too", () =>
      Effect.gen(function*() {
        const events = yield* decodeParts(["data: 1\n\ndata: [DONE]"])
        assert.deepStrictEqual(events, [ev("1")])
      }))
  })

  describe("end of input", () => {
    it.effect("an unterminated final event is dispatched", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* decodeParts(["event: response.message.done\ndata: {}\n"]), [
          ev("{}", "response.message.done")
        ])
        // The partial last line counts as a complete line first.
        assert.deepStrictEqual(yield* decodeParts(["data: a\n\nevent: e\ndata: b\ndata: c"]), [
          ev("a"),
          ev("b\nc", "e")
        ])
        assert.deepStrictEqual(yield* decodeParts(["data: a\r"]), [ev("a")])
      }))

    it.effect("a pending event without data is still dropped", () =>
      Effect.gen(function*() {
        assert.deepStrictEqual(yield* decodeParts(["data: a\n\nevent: e\n: comment"]), [ev("a")])
        assert.deepStrictEqual(yield* decodeParts([]), [])
        assert.deepStrictEqual(yield* decodeParts(["", ""]), [])
      }))
  })

  describe("size limit", () => {
    it.effect("an oversize event fails with a DecodeError naming the limit", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(decodeParts([`data: ${"x".repeat(11)}\n\n`], { maxEventSize: 10 }))
        assertDecodeError(exit, "10")
      }))

    it.effect("many small data lines add up", () =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(decodeParts(["data: abcd\n".repeat(5), "\n"], { maxEventSize: 16 }))
        assertDecodeError(exit, "maxEventSize")
        // At the limit is fine: 3 lines = 4 + 1 + 4 + 1 + 4 = 14 characters.
        assert.deepStrictEqual(yield* decodeParts(["data: abcd\n".repeat(3), "\n"], { maxEventSize: 14 }), [
          ev("abcd\nabcd\nabcd")
        ])
      }))

    it.effect("a single line without a line end that never stops growing fails instead of buffering", () =>
      Effect.gen(function*() {
        // An endless body: the decoder must give up once the line passes the limit.
        const endless = Stream.make(bytes("data: ")).pipe(Stream.concat(Stream.repeatValue(bytes("x".repeat(1000)))))
        const exit = yield* Effect.exit(collect(endless.pipe(Sse.decode({ maxEventSize: 100_000 }))))
        assertDecodeError(exit, "100000")
      }))

    it.effect("events before the oversize one are emitted before the failure", () =>
      Effect.gen(function*() {
        const results = yield* Stream.fromIterable([bytes(`data: ok\n\ndata: ${"y".repeat(50)}\n\n`)]).pipe(
          Sse.decode({ maxEventSize: 20 }),
          Stream.either,
          Stream.runCollect,
          Effect.map(Chunk.toReadonlyArray)
        )
        assert.strictEqual(results.length, 2)
        assert.deepStrictEqual(results[0], Either.right(ev("ok")))
        assert.isTrue(Either.isLeft(results[1]))
      }))

    it.effect("the default limit is 10 MiB", () =>
      Effect.gen(function*() {
        assert.strictEqual(Sse.defaultMaxEventSize, 10 * 1024 * 1024)
        const big = "z".repeat(Sse.defaultMaxEventSize)
        const exit = yield* Effect.exit(decodeParts([`data: ${big}`, "z\n\n"]))
        assertDecodeError(exit, String(Sse.defaultMaxEventSize))
      }))
  })

  describe("streams", () => {
    it.effect("upstream failures pass through unchanged", () =>
      Effect.gen(function*() {
        const upstream = Stream.make(bytes("data: a\n\n")).pipe(Stream.concat(Stream.fail("boom" as const)))
        const results = yield* upstream.pipe(Sse.decode(), Stream.either, Stream.runCollect)
        assert.deepStrictEqual(Chunk.toReadonlyArray(results), [Either.right(ev("a")), Either.left("boom" as const)])
      }))

    it.effect("each run of the same stream starts from a fresh state", () =>
      Effect.gen(function*() {
        const stream = Stream.fromIterable([bytes("data: a\n\ndata: b")]).pipe(Sse.decode())
        assert.deepStrictEqual(yield* collect(stream), [ev("a"), ev("b")])
        assert.deepStrictEqual(yield* collect(stream), [ev("a"), ev("b")])
      }))

    it.effect("events are emitted per input chunk", () =>
      Effect.gen(function*() {
        const chunks = yield* Stream.fromChunks(
          Chunk.of(bytes("data: a\n\ndata: b\n\ndata: c")),
          Chunk.of(bytes("\n\n"))
        ).pipe(
          Sse.decode(),
          Stream.chunks,
          Stream.runCollect
        )
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(chunks).map((chunk) => Chunk.toReadonlyArray(chunk).map((event) => event.data)),
          [["a", "b"], ["c"]]
        )
      }))

    it.effect("makeChannel and decodeText", () =>
      Effect.gen(function*() {
        const viaChannel = yield* collect(
          Stream.make(bytes("event: e\ndata: a\n\n")).pipe(Stream.pipeThroughChannelOrFail(Sse.makeChannel()))
        )
        assert.deepStrictEqual(viaChannel, [ev("a", "e")])
        const viaText = yield* collect(Stream.make("event: e\r\nda", "ta: a\r", "\n\r\n").pipe(Sse.decodeText()))
        assert.deepStrictEqual(viaText, [ev("a", "e")])
      }))
  })

  describe("encode", () => {
    it("writes the wire format", () => {
      assert.strictEqual(
        Sse.encode(ev("a\nb", "response.message.delta")),
        "event: response.message.delta\ndata: a\ndata: b\n\n"
      )
      assert.strictEqual(Sse.encode(ev("")), "data: \n\n")
      assert.strictEqual(Sse.encode(ev("x\r\ny\rz", "")), "data: x\ndata: y\ndata: z\n\n")
      assert.strictEqual(Sse.encode(ev("[DONE]")), "data: [DONE]\n\n")
      assert.strictEqual(Sse.encode(ev("a", "bad\r\nname")), "event: bad name\ndata: a\n\n")
    })

    it.effect("decode gives back what encode wrote", () =>
      Effect.gen(function*() {
        const events = [ev("{\"a\":\"b: c\"}", "response.message.delta"), ev(" leading space\n\ntrailing "), ev("")]
        assert.deepStrictEqual(yield* decodeParts([events.map(Sse.encode).join("")]), events)
      }))
  })

  describe("property: any chunking gives the events the transcript was built from", () => {
    const alphabet = FastCheck.constantFrom(
      "a",
      "z",
      "0",
      " ",
      ":",
      ": ",
      "{",
      "\"",
      "}",
      "[",
      "]",
      "ж",
      "Привет",
      "ё",
      "—",
      "€",
      "👋",
      "🚀",
      "\u00a0",
      "\t"
    )
    const text = (maxLength: number) => FastCheck.array(alphabet, { maxLength }).map((parts) => parts.join(""))
    const eventArbitrary: FastCheck.Arbitrary<Sse.Event> = FastCheck.record({
      event: FastCheck.option(
        FastCheck.oneof(
          FastCheck.constantFrom("response.message.delta", "response.message.done", "response.tool.completed"),
          text(6).filter((name) => name.length > 0)
        ),
        { nil: undefined }
      ),
      data: FastCheck.array(text(8), { minLength: 1, maxLength: 4 }).map((lines) => lines.join("\n"))
    }).filter((event) =>
      event.data !== "[DONE]" &&
      // A later line opening a JSON object or array may start a new event (GigaChat's v1 form): tested below.
      !event.data.split("\n").slice(1).some((line) => /^[ \t]*[[{]/.test(line))
    )

    const transcriptArbitrary = FastCheck.record({
      events: FastCheck.array(
        FastCheck.record({
          event: eventArbitrary,
          comment: FastCheck.boolean(),
          id: FastCheck.boolean(),
          noSpace: FastCheck.boolean()
        }),
        { maxLength: 8 }
      ),
      lineEnd: FastCheck.constantFrom("\n", "\r\n", "\r"),
      bom: FastCheck.boolean(),
      unterminated: FastCheck.boolean(),
      splits: FastCheck.oneof(
        FastCheck.constant("every byte" as const),
        FastCheck.array(FastCheck.nat(4000), { maxLength: 30 })
      )
    })

    it.effect.prop(
      "random transcripts and split points",
      { transcript: transcriptArbitrary },
      ({ transcript }) =>
        Effect.gen(function*() {
          const { lineEnd } = transcript
          let wire = transcript.bom ? "\uFEFF" : ""
          transcript.events.forEach(({ comment, event, id, noSpace }, index) => {
            if (comment) wire += `: comment ${index}${lineEnd}`
            if (event.event !== undefined) wire += `event: ${event.event}${lineEnd}`
            if (id) wire += `id: ${index}${lineEnd}retry: 10${lineEnd}`
            for (const line of event.data.split("\n")) {
              // Without the space the value must not start with one, or the decoder would keep it.
              wire += (noSpace && !line.startsWith(" ") ? "data:" : "data: ") + line + lineEnd
            }
            const last = index === transcript.events.length - 1
            if (!(last && transcript.unterminated)) wire += lineEnd
          })
          const input = bytes(wire)
          const chunks = transcript.splits === "every byte" ? everyByte(input) : splitAt(input, transcript.splits)
          const expected = transcript.events.map(({ event }) => event)
          const whole = yield* decodeChunks([input])
          const split = yield* decodeChunks(chunks)
          assert.deepStrictEqual(whole, expected)
          assert.deepStrictEqual(split, whole)
          assert.deepStrictEqual(yield* decodeChunks(splitAt(bytes(expected.map(Sse.encode).join("")), [])), expected)
        }),
      { timeout: 30_000, fastCheck: { numRuns: 200 } }
    )
  })

  describe("data: lines without a blank line between them", () => {
    const a = JSON.stringify({ choices: [{ delta: { content: "Hel" }, index: 0 }], object: "chat.completion" })
    const b = JSON.stringify({ choices: [{ delta: { content: "lo" }, index: 0 }], object: "chat.completion" })

    it.effect("v1: each data: line holding a JSON object is an event of its own, under any chunking", () =>
      Effect.gen(function*() {
        yield* assertEveryChunking(`data: ${a}\ndata: ${b}\ndata: [DONE]\n`, [ev(a), ev(b)])
        yield* assertEveryChunking(`data:${a}\r\ndata:${b}\r\n\r\ndata: [1]\r\ndata: {}`, [
          ev(a),
          ev(b),
          ev("[1]"),
          ev("{}")
        ])
        // the form the Python SDK reads: no blank lines at all, and nothing after [DONE] is decoded
        yield* assertEveryChunking(`data: ${a}\ndata: [DONE]\ndata: ${b}\n`, [ev(a)])
      }))

    it.effect("v2: event: and data: pairs, each event named by its own event: line, under any chunking", () =>
      Effect.gen(function*() {
        const wire = `event: response.message.delta\ndata: ${a}\nid: 1\nevent: response.message.done\ndata: ${b}\n` +
          `data: {}\n\n`
        yield* assertEveryChunking(wire, [
          ev(a, "response.message.delta"),
          ev(b, "response.message.done"),
          ev("{}")
        ])
        // an event: line with no data: line after it still names the event it follows (the last one wins)
        yield* assertEveryChunking(`event: x\ndata: ${a}\nevent: y\n\ndata: ${b}\n\n`, [ev(a, "y"), ev(b)])
      }))

    it.effect("multi-line JSON and other text are still joined", () =>
      Effect.gen(function*() {
        const events = [
          ev("{\n\"a\": [1,\n2],\n\"b\": {\"c\": {}\n}\n}"),
          ev("[{\"a\": 1},\n{\"b\": 2}\n]", "e"),
          ev("a}\n{b"),
          ev("{\"unfinished\":\n{\"a\": 1}}")
        ]
        yield* assertEveryChunking(events.map(Sse.encode).join(""), events)
        assert.deepStrictEqual(JSON.parse(events[0].data), { a: [1, 2], b: { c: {} } })
        assert.deepStrictEqual(JSON.parse(events[3].data), { unfinished: { a: 1 } })
      }))

    it.effect("the recorded v1 and v2 streams with their blank lines removed", () =>
      Effect.gen(function*() {
        const v1 = cassetteBody("test_stream_simple.yaml", 1)
        const v2 = cassetteBody("test_primary_chat_stream_simple.yaml", 1)
        for (const body of [v1, v2]) {
          const expected = yield* decodeChunks([bytes(body)])
          assert.isAbove(expected.length, 1)
          const packed = body.replace(/\n\n/g, "\n")
          assert.notStrictEqual(packed, body)
          for (const chunks of [[bytes(packed)], everyByte(bytes(packed)), splitAt(bytes(packed), [7, 100, 333])]) {
            assert.deepStrictEqual(yield* decodeChunks(chunks), expected)
          }
        }
      }))

    it.effect("maxEventSize applies to each event, under any chunking", () =>
      Effect.gen(function*() {
        const [a, b, c] = ["{\"a\":123456}", "{\"b\":123456}", "{\"c\":123456}"]
        // each event is 12 characters (its line 18); joined they would be 38
        yield* assertEveryChunking(`data: ${a}\ndata: ${b}\ndata: ${c}\n`, [ev(a), ev(b), ev(c)], { maxEventSize: 20 })
        for (const chunks of chunkings(bytes(`data: ${a}\ndata: {"b":12345678901234}\n`))) {
          assertDecodeError(yield* Effect.exit(decodeChunks(chunks, { maxEventSize: 20 })), "maxEventSize")
        }
        // multi-line JSON is one event: its lines add up (9 + 1 + 14 characters)
        const exit = yield* Effect.exit(
          decodeParts(["data: {\"abcde\":\ndata: 1234567890123}\n\n"], { maxEventSize: 20 })
        )
        assertDecodeError(exit, "20")
      }))

    it.effect.prop(
      "property: JSON events with or without blank lines, any line end and any chunking",
      {
        events: FastCheck.array(
          FastCheck.record({
            value: FastCheck.oneof(
              FastCheck.dictionary(FastCheck.string({ maxLength: 4 }), FastCheck.jsonValue({ maxDepth: 2 }), {
                maxKeys: 3
              }),
              FastCheck.array(FastCheck.jsonValue({ maxDepth: 2 }), { maxLength: 3 })
            ),
            event: FastCheck.option(FastCheck.constantFrom("response.message.delta", "response.message.done"), {
              nil: undefined
            }),
            pretty: FastCheck.boolean(),
            blankLine: FastCheck.boolean()
          }),
          { minLength: 1, maxLength: 6 }
        ),
        lineEnd: FastCheck.constantFrom("\n", "\r\n", "\r"),
        done: FastCheck.boolean(),
        splits: FastCheck.array(FastCheck.nat(2000), { maxLength: 12 })
      },
      ({ done, events, lineEnd, splits }) =>
        Effect.gen(function*() {
          const expected = events.map(({ event, pretty, value }) =>
            ev(JSON.stringify(value, null, pretty ? 2 : 0), event)
          )
          let wire = ""
          events.forEach(({ blankLine }, index) => {
            const { data, event } = expected[index]
            if (event !== undefined) wire += `event: ${event}${lineEnd}`
            for (const line of data.split("\n")) wire += `data: ${line}${lineEnd}`
            if (blankLine) wire += lineEnd
          })
          if (done) wire += `data: [DONE]${lineEnd}data: {"after": "done"}${lineEnd}`
          const input = bytes(wire)
          assert.deepStrictEqual(yield* decodeChunks([input]), expected)
          assert.deepStrictEqual(yield* decodeChunks(splitAt(input, splits)), expected)
        }),
      { timeout: 30_000, fastCheck: { numRuns: 200 } }
    )
  })

  describe("recorded GigaChat streams", () => {
    it.effect("v1 fixture chat_completion.stream", () =>
      Effect.gen(function*() {
        const input = readFileSync(`${fixtures}/responses/chat_completion.stream`)
        for (const chunks of [[new Uint8Array(input)], everyByte(new Uint8Array(input))]) {
          const events = yield* decodeChunks(chunks)
          assert.strictEqual(events.length, 3)
          for (const event of events) {
            assert.isUndefined(event.event)
            assert.strictEqual(JSON.parse(event.data).object, "chat.completion")
          }
          assert.isTrue(JSON.parse(events[0].data).choices[0].delta.content.startsWith("Конечно"))
          assert.strictEqual(JSON.parse(events[2].data).choices[0].finish_reason, "stop")
        }
      }))

    it.effect("v1 cassette test_stream_simple.yaml", () =>
      Effect.gen(function*() {
        const input = bytes(cassetteBody("test_stream_simple.yaml", 1))
        for (const chunks of [[input], everyByte(input), splitAt(input, [7, 100, 101, 333, 334, 335])]) {
          const events = yield* decodeChunks(chunks)
          assert.strictEqual(events.length, 5)
          const payloads = events.map((event) => JSON.parse(event.data))
          assert.isTrue(events.every((event) => event.event === undefined))
          assert.strictEqual(payloads[0].choices[0].delta.role, "assistant")
          assert.include(payloads[0].choices[0].delta.content, "Подробный разбор:")
          assert.deepStrictEqual(payloads[4].usage, {
            prompt_tokens: 17,
            completion_tokens: 42,
            total_tokens: 59,
            precached_prompt_tokens: 2
          })
        }
      }))

    it.effect("v2 cassette test_primary_chat_stream_simple.yaml", () =>
      Effect.gen(function*() {
        const input = bytes(cassetteBody("test_primary_chat_stream_simple.yaml", 1))
        for (const chunks of [[input], everyByte(input)]) {
          const events = yield* decodeChunks(chunks)
          assert.deepStrictEqual(events.map((event) => event.event), [
            "response.message.delta",
            "response.message.done"
          ])
          const payloads = events.map((event) => JSON.parse(event.data))
          assert.strictEqual(payloads[0].messages[0].content[0].text, "1, 2, 3")
          assert.strictEqual(payloads[1].finish_reason, "stop")
          assert.strictEqual(payloads[1].usage.total_tokens, 27)
        }
      }))
  })
})
