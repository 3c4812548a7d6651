/**
 * Server-sent events: the wire format of GigaChat's streaming answers.
 *
 * The decoder follows the WHATWG parsing rules and is correct under any chunking of the body (lines, `\r\n` pairs
 * and multi-byte UTF-8 characters split across reads). On top of the standard it handles what GigaChat does: v1
 * streams end with `data: [DONE]`, which ends the decoded stream without reading the rest of the body; v2 streams
 * name their events (`event: response.message.delta`) and may end without a blank line, so a pending event is
 * dispatched at the end of input. Consecutive `data:` lines that each hold a whole JSON value are separate events,
 * as GigaChat's own SDK reads v1 streams, while multi-line JSON is joined as the standard asks (see {@link decode}).
 * Malformed input (an event larger than the size limit) fails with a typed
 * `GigaChatError.DecodeError`, never a defect.
 *
 * @since 0.1.0
 */
import type * as Channel from "effect/Channel"
import type * as Chunk from "effect/Chunk"
import type * as Stream from "effect/Stream"
import type * as GigaChatError from "./GigaChatError.js"
import * as internal from "./internal/sse.js"

/**
 * One dispatched event: its name (the last `event:` field, `undefined` when there was none or it was empty) and
 * its data (the `data:` lines joined with `"\n"`; see {@link decode} for `data:` lines that start a new event).
 *
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly event: string | undefined
  readonly data: string
}

/**
 * Options of the decoder.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /**
   * Largest event accepted, in characters: the data accumulated so far plus the unterminated line being read.
   * A larger event (or a single line growing beyond it without a line end) fails the stream with a
   * `GigaChatError.DecodeError`. Values that are not positive numbers fall back to the default, 10 MiB.
   */
  readonly maxEventSize?: number | undefined
}

/**
 * The default `maxEventSize`: 10 MiB of characters.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxEventSize: number = internal.defaultMaxEventSize

/**
 * Decodes a byte stream (an HTTP response body) into events.
 *
 * Comments, `id:`, `retry:` (not honoured: the SDK has its own retry policy) and unknown fields are ignored;
 * an event without `data:` lines is dropped; `data: [DONE]` ends the stream and the upstream is not pulled any
 * further. Events are emitted per input chunk.
 *
 * A blank line ends an event, and the `data:` lines of one event are joined with `"\n"`, with one exception for
 * servers that send one `data:` line per event without the blank line between them (the form GigaChat's Python SDK
 * reads in v1 streams): a `data:` line whose value starts with `{` or `[` (after spaces) starts a new event when
 * the data so far starts with `{` or `[` and ends with `}` or `]`, as a JSON object or array (or `[DONE]`) does. Joined,
 * such lines could never be JSON (a `}` or `]` is never followed by `{` or `[`), while multi-line JSON
 * (`data: {` then `data: "a": 1}`) and other text are joined as the standard asks. An `event:` line between the
 * two names the new event (`event:` + `data:` pairs without blank lines). `maxEventSize` applies to each event.
 *
 * @example
 * ```ts
 * import { Sse } from "@effect-gigachat/core"
 * import * as Stream from "effect/Stream"
 *
 * const body = Stream.make(new TextEncoder().encode("event: ping\ndata: {}\n\n"))
 * const events = body.pipe(Sse.decode()) // Stream<Sse.Event, GigaChatError.DecodeError>
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: (
  options?: DecodeOptions
) => <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<Event, E | GigaChatError.DecodeError, R> =
  internal.decode

/**
 * Decodes a stream of text (already decoded from UTF-8) into events, by the same rules as {@link decode}.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeText: (
  options?: DecodeOptions
) => <E, R>(self: Stream.Stream<string, E, R>) => Stream.Stream<Event, E | GigaChatError.DecodeError, R> =
  internal.decodeText

/**
 * The decoder of {@link decode} as a `Channel` from byte chunks to event chunks, for `Stream.pipeThroughChannel`.
 * Upstream failures pass through unchanged. Each run starts from a fresh state.
 *
 * @since 0.1.0
 * @category decoding
 */
export const makeChannel: <E = never>(
  options?: DecodeOptions
) => Channel.Channel<
  Chunk.Chunk<Event>,
  Chunk.Chunk<Uint8Array>,
  E | GigaChatError.DecodeError,
  E,
  unknown,
  unknown
> = internal.makeChannel

/**
 * The decoder of {@link decodeText} as a `Channel` from text chunks to event chunks.
 *
 * @since 0.1.0
 * @category decoding
 */
export const makeTextChannel: <E = never>(
  options?: DecodeOptions
) => Channel.Channel<
  Chunk.Chunk<Event>,
  Chunk.Chunk<string>,
  E | GigaChatError.DecodeError,
  E,
  unknown,
  unknown
> = internal.makeTextChannel

/**
 * Writes one event in the wire format: an `event:` line when it has a name, one `data:` line per line of its data
 * (`\r\n`, `\r` and `\n` in the data all become line breaks), then a blank line. Line breaks in the name, which
 * the format cannot carry, become spaces. `decode` gives the event back (with `\n` as the data's line breaks).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode: (event: Event) => string = internal.encode
