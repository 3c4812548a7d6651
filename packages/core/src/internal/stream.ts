import * as Channel from "effect/Channel"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/**
 * `Stream.unwrap`, as a channel that runs the effect and then goes on as the stream it made. `Stream.unwrap` is a
 * `flatMap` over a stream of one element, and a `flatMap` passes every element of the inner stream through a step
 * of its own: a token stream paid for it on every network read.
 *
 * @internal
 */
export const unwrap = <A, E, R, E2, R2>(
  open: Effect.Effect<Stream.Stream<A, E, R>, E2, R2>
): Stream.Stream<A, E | E2, R | R2> => Stream.fromChannel(Channel.unwrap(Effect.map(open, Stream.toChannel)))
