/**
 * The SDK's spans (`GigaChat.chat`, `GigaChat.embeddings`, ...), with the GenAI attributes of the call; streams get
 * theirs from `HttpTransport` (`StreamOptions.span`). Stack traces are not captured for them: a call's span names its
 * operation, and the capture costs as much as the span.
 */
import * as Effect from "effect/Effect"

type Attributes = Record<string, unknown>

/**
 * `self` in a span, with `attributes` from the start and `onSuccess(result)` added when it succeeds. With `parent`
 * the span is also the parent of the spans made inside it (a tool loop's calls, the platform's `http.client` spans
 * with `httpSpans`); without it, they are the caller's children: providing the parent costs as much as the span.
 *
 * @internal
 */
export const withSpan = <A>(
  name: string,
  options?: {
    readonly attributes?: Attributes | undefined
    readonly onSuccess?: ((a: A) => Attributes) | undefined
    readonly parent?: boolean | undefined
  }
) =>
<E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.useSpan(
    name,
    { captureStackTrace: false, ...(options?.attributes !== undefined ? { attributes: options.attributes } : {}) },
    (span) => {
      const onSuccess = options?.onSuccess
      const annotated = onSuccess === undefined ? self : Effect.map(self, (a) => {
        const attributes = onSuccess(a)
        for (const key in attributes) span.attribute(key, attributes[key])
        return a
      })
      return options?.parent === true ? Effect.withParentSpan(annotated, span) : annotated
    }
  )

/**
 * Adds attributes to the current span.
 *
 * @internal
 */
export const annotate = (attributes: Attributes): Effect.Effect<void> => Effect.annotateCurrentSpan(attributes)
