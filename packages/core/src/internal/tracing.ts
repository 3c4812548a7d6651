/**
 * The SDK's spans (`GigaChat.chat`, `GigaChat.stream`, ...). They are created when the application has installed a
 * tracer (`@effect/opentelemetry`, `Effect.withTracer`, ...). Under Effect's built-in tracer, which exports its
 * spans nowhere, they are skipped: a span costs about as much CPU as the rest of a chat call outside the network.
 * Stack traces are never captured for them, for the same reason.
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Tracer from "effect/Tracer"
import * as Streams from "./stream.js"

/** The tracer of every runtime that has not been given another one. */
const builtInTracer: Tracer.Tracer = Effect.runSync(Effect.tracer)

type Attributes = Record<string, unknown>

/**
 * `self` in a span, with `attributes` from the start and `onSuccess(result)` added when it succeeds.
 *
 * @internal
 */
export const withSpan =
  <A>(name: string, attributes?: Attributes, onSuccess?: (a: A) => Attributes) =>
  <E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.tracerWith((tracer) => {
      if (tracer === builtInTracer) return self
      const annotated = onSuccess === undefined
        ? self
        : Effect.tap(self, (a) => Effect.annotateCurrentSpan(onSuccess(a)))
      return Effect.withSpan(annotated, name, { captureStackTrace: false, ...(attributes ? { attributes } : {}) })
    })

/**
 * `Stream.unwrap(open)` in a span that covers the stream from the request to its end. Without a span it is one
 * unwrap (`Streams.unwrap`): every stage of a stream costs CPU on each network read.
 *
 * @internal
 */
export const unwrapStreamWithSpan =
  (name: string, attributes?: Attributes) =>
  <A, E, R, E2, R2>(open: Effect.Effect<Stream.Stream<A, E, R>, E2, R2>): Stream.Stream<A, E | E2, R | R2> => {
    const traced: Stream.Stream<A, E | E2, R | R2> = Stream.withSpan(Streams.unwrap(open), name, {
      captureStackTrace: false,
      ...(attributes ? { attributes } : {})
    })
    return Streams.unwrap(
      Effect.tracerWith((tracer): Effect.Effect<Stream.Stream<A, E | E2, R | R2>, E2, R2> =>
        tracer === builtInTracer ? open : Effect.succeed(traced)
      )
    )
  }

/**
 * Adds attributes to the SDK's current span; nothing when spans are skipped (the caller's span is left alone).
 *
 * @internal
 */
export const annotate = (attributes: Attributes): Effect.Effect<void> =>
  Effect.tracerWith((tracer) => tracer === builtInTracer ? Effect.void : Effect.annotateCurrentSpan(attributes))
