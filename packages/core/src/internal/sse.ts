import * as Cause from "effect/Cause"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import * as GigaChatError from "../GigaChatError.js"
import type * as Sse from "../Sse.js"

/** @internal */
export const defaultMaxEventSize = 10 * 1024 * 1024

const LF = 10
const CR = 13
const SPACE = 32
const TAB = 9
const OPEN_BRACE = 123 // {
const CLOSE_BRACE = 125 // }
const OPEN_BRACKET = 91 // [
const CLOSE_BRACKET = 93 // ]
const BOM = "\uFEFF"
const DONE = "[DONE]"

const resolveMaxEventSize = (options: Sse.DecodeOptions | undefined): number => {
  const size = options?.maxEventSize
  // Anything that is not a positive number (NaN, 0, negative) would reject every event: fall back to the default.
  return size !== undefined && size > 0 ? size : defaultMaxEventSize
}

const isJsonSpace = (code: number): boolean => code === SPACE || code === TAB || code === LF || code === CR

/** The first character of `text` that is not JSON whitespace, or -1. */
const firstCode = (text: string): number => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (!isJsonSpace(code)) return code
  }
  return -1
}

/** The last character of `text` that is not JSON whitespace, or -1. */
const lastCode = (text: string): number => {
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i)
    if (!isJsonSpace(code)) return code
  }
  return -1
}

const opensJson = (code: number): boolean => code === OPEN_BRACE || code === OPEN_BRACKET

const closesJson = (code: number): boolean => code === CLOSE_BRACE || code === CLOSE_BRACKET

/** `Parser.dataFirst` before it is computed. */
const UNKNOWN = -2

const oversize = (maxEventSize: number): GigaChatError.DecodeError =>
  new GigaChatError.DecodeError({
    description: `Malformed server-sent events: an event exceeds the size limit of ${maxEventSize} characters ` +
      `(maxEventSize)`
  })

/**
 * The incremental state of one SSE decoding run: the unterminated tail of the last text fed in and the fields of
 * the event being built. Text is scanned with `indexOf`, so each character is looked at a constant number of times.
 *
 * @internal
 */
export class Parser {
  /** Set once `data: [DONE]` was dispatched: nothing after it is decoded. */
  done = false

  private line = ""
  private pendingCR = false
  private atStart = true
  private data = ""
  private hasData = false
  private eventName: string | undefined = undefined
  /** The first non-space character of `data` (-1: none yet), computed once a second `data:` line arrives. */
  private dataFirst = UNKNOWN
  /** An `event:` field read after the event's data: the next event's name if a `data:` line starts one. */
  private nextEventName: string | undefined = undefined
  private hasNextEventName = false

  constructor(readonly maxEventSize: number) {}

  /** Decodes `text`, appending the dispatched events to `out`. Returns an error when the size limit is exceeded. */
  feed(text: string, out: Array<Sse.Event>): GigaChatError.DecodeError | undefined {
    if (this.done || text.length === 0) return undefined
    let position = 0
    if (this.atStart) {
      this.atStart = false
      if (text.startsWith(BOM)) position = 1
    }
    if (this.pendingCR) {
      // A CR ended the previous text; a LF right after it belongs to the same line end.
      this.pendingCR = false
      if (text.charCodeAt(position) === LF) position++
    }
    const length = text.length
    // Next known positions of each line-end character; -1 once there is none left, so every search runs once per
    // character instead of once per line.
    let nextLF = text.indexOf("\n", position)
    let nextCR = text.indexOf("\r", position)
    while (position < length) {
      if (nextLF !== -1 && nextLF < position) nextLF = text.indexOf("\n", position)
      if (nextCR !== -1 && nextCR < position) nextCR = text.indexOf("\r", position)
      const end = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR)
      if (end === -1) {
        this.line = this.line.length === 0 ? text.slice(position) : this.line + text.slice(position)
        if (this.data.length + this.line.length > this.maxEventSize && this.pendingSize() > this.maxEventSize) {
          return oversize(this.maxEventSize)
        }
        return undefined
      }
      let line = text.slice(position, end)
      if (this.line.length > 0) {
        line = this.line + line
        this.line = ""
      }
      if (text.charCodeAt(end) === CR) {
        if (end + 1 === length) {
          this.pendingCR = true
          position = length
        } else {
          position = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1
        }
      } else {
        position = end + 1
      }
      const error = this.processLine(line, out)
      if (error !== undefined) return error
      if (this.done) return undefined
    }
    return undefined
  }

  /** Ends the input: an unterminated last line counts as complete, and a pending event with data is dispatched. */
  end(out: Array<Sse.Event>): GigaChatError.DecodeError | undefined {
    if (this.done) return undefined
    if (this.line.length > 0) {
      const line = this.line
      this.line = ""
      const error = this.processLine(line, out)
      if (error !== undefined || this.done) return error
    }
    this.dispatch(out)
    return undefined
  }

  /**
   * The size of the event the unterminated line belongs to: without the event's data when the line may still turn
   * out to be a `data:` line that starts a new event (see `startsNewEvent`), so that the limit applies to each event
   * under any chunking. Only called when the line and the data together exceed the limit.
   */
  private pendingSize(): number {
    const line = this.line
    if (!this.hasData) return line.length
    if (line.length < 5) return "data:".startsWith(line) ? line.length : this.data.length + line.length
    if (!line.startsWith("data:")) return this.data.length + line.length
    const value = line.slice(5)
    return firstCode(value) === -1 || this.startsNewEvent(value) ? line.length : this.data.length + line.length
  }

  /**
   * Whether a `data:` line with `value`, arriving while the event has data already, starts a new event: the data
   * reads as a whole JSON object or array (`[DONE]` included: it starts with `{` or `[` and ends with `}` or `]`)
   * and the value starts another one. In JSON a `}` or `]` is never followed by `{` or `[`, so such lines joined
   * could never be JSON: this is GigaChat's v1 form (a `data:` line per chunk, no blank line between the events),
   * not multi-line data. Only a second `data:` line of an event gets here, so one-line events never pay for it; the
   * checks look at a few characters (the whitespace skipped is skipped once per event).
   */
  private startsNewEvent(value: string): boolean {
    if (!opensJson(firstCode(value))) return false
    if (this.dataFirst === UNKNOWN) this.dataFirst = firstCode(this.data)
    return opensJson(this.dataFirst) && closesJson(lastCode(this.data))
  }

  private processLine(line: string, out: Array<Sse.Event>): GigaChatError.DecodeError | undefined {
    if (line.length === 0) {
      this.dispatch(out)
      return undefined
    }
    if (line.length > this.maxEventSize) return oversize(this.maxEventSize)
    // Only the first colon separates the field from the value: JSON values are full of colons.
    const colon = line.indexOf(":")
    if (colon === 0) return undefined // a comment
    let field: string
    let value: string
    if (colon === -1) {
      field = line
      value = ""
    } else {
      field = line.slice(0, colon)
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1)
    }
    switch (field) {
      case "data": {
        if (!this.hasData) {
          this.data = value
          this.hasData = true
        } else if (this.startsNewEvent(value)) {
          // GigaChat's v1 form: one event per `data:` line, without the blank line (see `startsNewEvent`).
          const nextEventName = this.nextEventName
          const hasNextEventName = this.hasNextEventName
          this.hasNextEventName = false
          this.dispatch(out)
          if (this.done) return undefined
          if (hasNextEventName) {
            this.eventName = nextEventName
            this.nextEventName = undefined
          }
          this.data = value
          this.hasData = true
        } else {
          if (this.hasNextEventName) this.applyNextEventName()
          if (this.dataFirst === -1) this.dataFirst = firstCode(value)
          this.data = this.data + "\n" + value
        }
        if (this.data.length > this.maxEventSize) return oversize(this.maxEventSize)
        break
      }
      case "event": {
        const name = value.length === 0 ? undefined : value
        if (this.hasData) {
          // Kept apart until the next line tells whether it names this event (the last one wins) or the next.
          this.nextEventName = name
          this.hasNextEventName = true
        } else {
          this.eventName = name
        }
        break
      }
        // `id`, `retry` and unknown fields carry nothing the SDK uses; `retry` is deliberately not honoured.
    }
    return undefined
  }

  private applyNextEventName(): void {
    this.eventName = this.nextEventName
    this.nextEventName = undefined
    this.hasNextEventName = false
  }

  private dispatch(out: Array<Sse.Event>): void {
    if (this.hasNextEventName) this.applyNextEventName()
    if (this.hasData) {
      if (this.data === DONE) {
        this.done = true
      } else {
        out.push({ event: this.eventName, data: this.data })
      }
    }
    this.data = ""
    this.hasData = false
    this.dataFirst = UNKNOWN
    this.eventName = undefined
  }
}

type Decoding<In, IE, OE = IE, Out = Sse.Event> = Channel.Channel<
  Chunk.Chunk<Out>,
  Chunk.Chunk<In>,
  OE | GigaChatError.DecodeError,
  IE,
  unknown,
  unknown
>

/** What a decoder of an HTTP body does with failures, so that the transport needs no `mapError` stage of its own. */
interface Failures<IE, OE> {
  /** Maps the failures of the body (network errors). */
  readonly upstream: (error: IE) => OE
  /** Adds the request to a decoding failure. */
  readonly decoding: (error: GigaChatError.DecodeError) => GigaChatError.DecodeError
  /**
   * Told when the decoder starts waiting for the next read of the body and when it arrives: the transport's timeout
   * counts those waits only, not the time the stream's consumer spends between two pulls.
   */
  readonly reads?: Reads | undefined
}

/** @internal */
export interface Reads {
  readonly waiting: () => void
  readonly arrived: () => void
}

/**
 * What becomes of each event, in the same stage (a stage of its own costs steps on every read): its output or the
 * stream's failure; and how every failure after the first output is marked.
 *
 * @internal
 */
export interface Outputs<Out, OE> {
  readonly decode: (event: Sse.Event) => Either.Either<Out, OE>
  readonly afterFirst?: ((error: OE | GigaChatError.DecodeError) => OE) | undefined
}

const keepFailures: Failures<any, any> = { upstream: (error) => error, decoding: (error) => error }

const keepEvents: Outputs<any, any> = { decode: Either.right }

const utf8Decoder = () => {
  // Non-fatal UTF-8 decoding (invalid bytes become U+FFFD, as the SSE spec asks); `stream: true` keeps a multi-byte
  // character split across chunks intact. The BOM is removed by the parser for both entry points.
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true })
  return {
    decode: (bytes: Uint8Array) => decoder.decode(bytes, { stream: true }),
    flush: () => decoder.decode()
  }
}

const makeChannelWith = <In, IE, OE = IE, Out = Sse.Event>(
  options: Sse.DecodeOptions | undefined,
  makeDecoder: () => { readonly decode: (input: In) => string; readonly flush: () => string },
  failures: Failures<IE, OE> = keepFailures,
  outputs: Outputs<Out, OE> = keepEvents
): Decoding<In, IE, OE, Out> =>
  Channel.suspend(() => {
    const parser = new Parser(resolveMaxEventSize(options))
    const decoder = makeDecoder()
    const reads = failures.reads
    const decode = outputs.decode
    const afterFirst = outputs.afterFirst
    let emitted = false
    const mark = <E extends OE | GigaChatError.DecodeError>(error: E): E | OE =>
      emitted && afterFirst !== undefined ? afterFirst(error) : error
    // The events of one read: their outputs, then the first failure — an event that has no output, else the
    // parser's `error` (it comes after all of them).
    const emit = (
      events: Array<Sse.Event>,
      error: GigaChatError.DecodeError | undefined,
      next: Decoding<In, IE, OE, Out>
    ): Decoding<In, IE, OE, Out> => {
      const out: Array<Out> = []
      let failed: OE | GigaChatError.DecodeError | undefined
      for (const event of events) {
        const decoded = decode(event)
        if (Either.isLeft(decoded)) {
          failed = decoded.left
          break
        }
        out.push(decoded.right)
      }
      if (failed === undefined && error !== undefined) failed = failures.decoding(error)
      if (out.length > 0) emitted = true
      const rest = failed === undefined ? next : Channel.fail(mark(failed))
      return out.length === 0 ? rest : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), rest)
    }
    const read: Decoding<In, IE, OE, Out> = Channel.readWithCause({
      onInput: (inputs: Chunk.Chunk<In>) => {
        if (reads !== undefined) reads.arrived()
        const events: Array<Sse.Event> = []
        for (const input of inputs) {
          const error = parser.feed(decoder.decode(input), events)
          if (error !== undefined) return emit(events, error, Channel.void)
          // `[DONE]`: stop reading, so the upstream (the HTTP body) is released instead of drained.
          if (parser.done) return emit(events, undefined, Channel.void)
        }
        return emit(events, undefined, loop)
      },
      onFailure: (cause: Cause.Cause<IE>) =>
        Channel.failCause(Cause.map(cause, (error) => mark(failures.upstream(error)))),
      onDone: () => {
        const events: Array<Sse.Event> = []
        const error = parser.feed(decoder.flush(), events) ?? parser.end(events)
        return emit(events, error, Channel.void)
      }
    })
    const loop: Decoding<In, IE, OE, Out> = reads === undefined ? read : Channel.suspend(() => {
      reads.waiting()
      return read
    })
    return loop
  })

/** @internal */
export const makeChannel = <E = never>(
  options?: Sse.DecodeOptions
): Channel.Channel<
  Chunk.Chunk<Sse.Event>,
  Chunk.Chunk<Uint8Array>,
  E | GigaChatError.DecodeError,
  E,
  unknown,
  unknown
> => makeChannelWith<Uint8Array, E>(options, utf8Decoder)

/** @internal */
export const makeTextChannel = <E = never>(
  options?: Sse.DecodeOptions
): Channel.Channel<Chunk.Chunk<Sse.Event>, Chunk.Chunk<string>, E | GigaChatError.DecodeError, E, unknown, unknown> =>
  makeChannelWith<string, E>(options, () => ({ decode: (text) => text, flush: () => "" }))

/** @internal */
export const decode = (options?: Sse.DecodeOptions) =>
<E, R>(
  self: Stream.Stream<Uint8Array, E, R>
): Stream.Stream<Sse.Event, E | GigaChatError.DecodeError, R> =>
  Stream.pipeThroughChannel(self, makeChannel<E>(options))

/**
 * `decode` for an HTTP body, in one stage: the body's failures are mapped by `upstream`, a decoding failure names
 * the request, and `reads` is told when a read is waited for and when it arrives.
 *
 * @internal
 */
export const decodeBody = <IE, OE, Out = Sse.Event>(
  options: Sse.DecodeOptions | undefined,
  request: { readonly method: string; readonly url: string },
  upstream: (error: IE) => OE,
  reads?: Reads,
  outputs?: Outputs<Out, OE>
) =>
<R>(self: Stream.Stream<Uint8Array, IE, R>): Stream.Stream<Out, OE | GigaChatError.DecodeError, R> =>
  Stream.pipeThroughChannel(
    self,
    makeChannelWith<Uint8Array, IE, OE, Out>(options, utf8Decoder, {
      upstream,
      reads,
      decoding: (error) =>
        error.url === undefined
          ? new GigaChatError.DecodeError(
            { description: error.description, method: request.method, url: request.url },
            {
              disableValidation: true
            }
          )
          : error
    }, outputs)
  )

/** @internal */
export const decodeText = (options?: Sse.DecodeOptions) =>
<E, R>(
  self: Stream.Stream<string, E, R>
): Stream.Stream<Sse.Event, E | GigaChatError.DecodeError, R> =>
  Stream.pipeThroughChannel(self, makeTextChannel<E>(options))

const lineBreak = /\r\n|\r|\n/

/** @internal */
export const encode = (event: Sse.Event): string => {
  let out = ""
  if (event.event !== undefined && event.event.length > 0) {
    out += "event: " + event.event.replace(/[\r\n]+/g, " ") + "\n"
  }
  for (const line of event.data.split(lineBreak)) {
    out += "data: " + line + "\n"
  }
  return out + "\n"
}
