/**
 * The SDK's spans (`GigaChat.chat`, `GigaChat.embeddings`, ...) with the GenAI attributes of each call, the metrics
 * of `Telemetry`, and the SDK's logs. Streams get their spans from `HttpTransport` (`StreamOptions.span`), which
 * records them through `streamTelemetry`. Stack traces are not captured for spans: a call's span names its
 * operation, and the capture costs as much as the span.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as LogLevel from "effect/LogLevel"
import * as MetricLabel from "effect/MetricLabel"
import type * as Tracer from "effect/Tracer"
import * as Telemetry from "../Telemetry.js"
import type * as XHeaders from "../XHeaders.js"

type Attributes = Record<string, unknown>

const common: Attributes = {
  [Telemetry.Attributes.providerName]: Telemetry.providerName,
  [Telemetry.Attributes.system]: Telemetry.providerName
}

/** `GigaChat.getModels` → `get_models`, `GigaChat.completions.create` → `completions.create`, `GigaChat.Auth.oauth` → `auth.oauth`. */
const operationOf = (spanName: string): string =>
  spanName.replace(/^GigaChat\./, "").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase()

/**
 * What a call's span and metrics say.
 *
 * @internal
 */
export interface SpanOptions<A> {
  /** `gen_ai.operation.name`; by default the span's name after `GigaChat.`, in snake case. */
  readonly operation?: string | undefined
  readonly attributes?: Attributes | undefined
  /** Attributes of the result (the response model, the token usage), added when the call succeeds. */
  readonly onSuccess?: ((a: A) => Attributes) | undefined
  /**
   * The span is also the parent of the spans made inside it (a tool loop's calls, the platform's `http.client` spans
   * with `httpSpans`); without it, they are the caller's children: providing the parent costs as much as the span.
   */
  readonly parent?: boolean | undefined
  /** Record `gen_ai.client.operation.duration` and the token usage; false for calls made of other calls. */
  readonly metrics?: boolean | undefined
}

/**
 * `self` in a span with the GenAI attributes: the result's (`onSuccess`), the answer's request id, the error type of a
 * failure; when it ends, the operation's duration and token usage are recorded.
 *
 * @internal
 */
export const withSpan = <A>(name: string, options: SpanOptions<A> = {}) => {
  const spanOptions = { captureStackTrace: false, attributes: baseAttributes(name, options.operation) }
  const attributes = options.attributes
  const onSuccess = options.onSuccess
  const metrics = options.metrics !== false
  return <E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.makeSpan(name, spanOptions), (span) => {
      if (attributes !== undefined) annotateSpan(span, attributes)
      return Effect.onExit(
        options.parent === true ? Effect.withParentSpan(self, span) : self,
        (exit) =>
          Effect.clockWith((clock) =>
            Effect.sync(() => {
              if (exit._tag === "Success" && onSuccess !== undefined) annotateSpan(span, onSuccess(exit.value))
              endSpan(span, exit, clock.unsafeCurrentTimeNanos(), metrics)
            })
          )
      )
    })
}

/**
 * Ends a span with the request id of its answer (or of its error) and the error type of a failure, then records
 * the operation's metrics.
 *
 * @internal
 */
export const endSpan = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>, now: bigint, metrics: boolean) => {
  if (exit._tag === "Success") {
    const requestId = (exit.value as { readonly xHeaders?: XHeaders.XHeaders } | undefined)?.xHeaders?.["x-request-id"]
    if (requestId !== undefined) span.attribute(Telemetry.Attributes.requestId, requestId)
  } else {
    annotateFailure(span, exit)
  }
  span.end(now, exit)
  if (metrics) recordOperation(span, exit)
}

const annotateSpan = (span: Tracer.Span, attributes: Attributes): void => {
  for (const key in attributes) span.attribute(key, attributes[key])
}

const annotateFailure = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): void => {
  const type = errorType(exit)
  if (type !== undefined) span.attribute(Telemetry.Attributes.errorType, type)
  if (exit._tag === "Failure") {
    const failure = Cause.failureOption(exit.cause)
    const requestId = failure._tag === "Some"
      ? (failure.value as { readonly requestId?: unknown } | undefined)?.requestId
      : undefined
    if (typeof requestId === "string") span.attribute(Telemetry.Attributes.requestId, requestId)
  }
}

/**
 * Adds attributes to the current span.
 *
 * @internal
 */
export const annotate = (attributes: Attributes): Effect.Effect<void> => Effect.annotateCurrentSpan(attributes)

// -----------------------------------------------------------------------------------------------------------------
// metrics
// -----------------------------------------------------------------------------------------------------------------

/**
 * The label sets of one kind of measurement by their values, one level of the tree per label: a call's labels are
 * built once per combination, not on every call, and the same array goes to the metric each time (its hook is cached
 * by the array). Each kind has its tree, so a level always holds the same label.
 */
interface LabelTree {
  labels?: ReadonlyArray<MetricLabel.MetricLabel>
  readonly next: Map<unknown, LabelTree>
}

const labelTree = (): LabelTree => ({ next: new Map() })
let labelSets = 0

const labels = (
  tree: LabelTree,
  values: ReadonlyArray<readonly [string, unknown]>
): ReadonlyArray<MetricLabel.MetricLabel> => {
  let node = tree
  for (const [, value] of values) {
    let child = node.next.get(value)
    if (child === undefined) {
      // A model or endpoint named by each request could grow the trees without end: past a bound nothing is kept.
      if (labelSets >= 10_000) return makeLabels(values)
      child = labelTree()
      node.next.set(value, child)
    }
    node = child
  }
  if (node.labels === undefined) {
    labelSets++
    node.labels = makeLabels(values)
  }
  return node.labels
}

const durationLabels = labelTree()
const usageLabels = labelTree()
const requestLabels = labelTree()
const retryLabels = labelTree()
const refreshLabels = labelTree()
const chunkLabels = labelTree()

const makeLabels = (values: ReadonlyArray<readonly [string, unknown]>): ReadonlyArray<MetricLabel.MetricLabel> =>
  values.filter(([, value]) => value !== undefined).map(([name, value]) => MetricLabel.make(name, String(value)))

const errorType = (exit: Exit.Exit<unknown, unknown>): string | undefined => {
  if (exit._tag === "Success") return undefined
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const error = failure.value as { readonly _tag?: unknown }
    return typeof error?._tag === "string" ? error._tag : "Error"
  }
  return Cause.isInterruptedOnly(exit.cause) ? "Interrupted" : "Defect"
}

/**
 * The operation metrics of an ended span: its duration, and its token usage when it reports one.
 *
 * @internal
 */
export const recordOperation = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): void => {
  if (span.status._tag !== "Ended") return
  const seconds = Number(span.status.endTime - span.status.startTime) / 1e9
  const get = (name: string) => span.attributes.get(name)
  const operation = get(Telemetry.Attributes.operationName)
  const requestModel = get(Telemetry.Attributes.requestModel)
  const responseModel = get(Telemetry.Attributes.responseModel)
  Telemetry.operationDuration.unsafeUpdate(
    seconds,
    labels(durationLabels, [
      [Telemetry.Attributes.providerName, Telemetry.providerName],
      [Telemetry.Attributes.operationName, operation],
      [Telemetry.Attributes.requestModel, requestModel],
      [Telemetry.Attributes.responseModel, responseModel],
      [Telemetry.Attributes.errorType, errorType(exit)]
    ])
  )
  recordUsage(operation, requestModel, responseModel, get(Telemetry.Attributes.inputTokens), "input")
  recordUsage(operation, requestModel, responseModel, get(Telemetry.Attributes.outputTokens), "output")
}

const recordUsage = (
  operation: unknown,
  requestModel: unknown,
  responseModel: unknown,
  tokens: unknown,
  type: "input" | "output"
): void => {
  if (typeof tokens !== "number") return
  Telemetry.tokenUsage.unsafeUpdate(
    tokens,
    labels(usageLabels, [
      [Telemetry.Attributes.providerName, Telemetry.providerName],
      [Telemetry.Attributes.tokenType, type],
      [Telemetry.Attributes.operationName, operation],
      [Telemetry.Attributes.requestModel, requestModel],
      [Telemetry.Attributes.responseModel, responseModel]
    ])
  )
}

/**
 * The `gigachat.endpoint` of a request's URL: its path without the origin, the API version prefix and the query, and
 * with a file's or model's id as `{id}` (`/files/{id}/content`), so that a metric has one series per endpoint, not
 * one per id.
 *
 * @internal
 */
export const endpointOf = (url: string): string => {
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "").replace(/[?#].*$/, "")
  return path.replace(/^\/api\/v\d+(?=\/)/, "").replace(/^\/(files|models)\/[^/]+/, "/$1/{id}") || "/"
}

/**
 * An HTTP request's answer: its status, or the error type when none came.
 *
 * @internal
 */
export const recordRequest = (endpoint: string, outcome: number | string): void =>
  Telemetry.requests.unsafeUpdate(
    1,
    labels(requestLabels, [
      [Telemetry.Attributes.endpoint, endpoint],
      typeof outcome === "number"
        ? [Telemetry.Attributes.statusCode, outcome]
        : [Telemetry.Attributes.errorType, outcome]
    ])
  )

/** @internal */
export const recordRetry = (endpoint: string, error: string): void =>
  Telemetry.retries.unsafeUpdate(
    1,
    labels(retryLabels, [[Telemetry.Attributes.endpoint, endpoint], [Telemetry.Attributes.errorType, error]])
  )

/** @internal */
export const recordTokenRefresh = (error: string | undefined): void =>
  Telemetry.tokenRefreshes.unsafeUpdate(1, labels(refreshLabels, [[Telemetry.Attributes.errorType, error]]))

// -----------------------------------------------------------------------------------------------------------------
// streams
// -----------------------------------------------------------------------------------------------------------------

/**
 * What a stream's span records: the chunks it emitted and the attributes its chunks report (the usage and finish
 * reason of the last one); written to the span, with the metrics, when the stream ends.
 *
 * @internal
 */
export class StreamRecord<A> {
  chunks = 0
  private requestId: string | undefined
  private attributes: Attributes | undefined
  constructor(readonly onChunk: ((chunk: A) => Attributes | undefined) | undefined) {}

  chunk(chunk: A, xHeaders: XHeaders.XHeaders): void {
    if (this.chunks++ === 0) this.requestId = xHeaders["x-request-id"]
    const found = this.onChunk?.(chunk)
    if (found !== undefined) this.attributes = this.attributes === undefined ? found : { ...this.attributes, ...found }
  }

  /** Annotates the span before it ends, and counts the chunks. */
  annotate(span: Tracer.Span, endpoint: string): void {
    span.attribute(Telemetry.Attributes.streamChunks, this.chunks)
    if (this.requestId !== undefined) span.attribute(Telemetry.Attributes.requestId, this.requestId)
    if (this.attributes !== undefined) annotateSpan(span, this.attributes)
    if (this.chunks > 0) {
      Telemetry.streamChunks.unsafeUpdate(this.chunks, labels(chunkLabels, [[Telemetry.Attributes.endpoint, endpoint]]))
    }
  }
}

/**
 * The span attributes every SDK span starts with, for spans made elsewhere (the transport's stream spans).
 *
 * @internal
 */
export const spanAttributes = (name: string, operation: string | undefined, attributes: Attributes | undefined) =>
  attributes === undefined ? baseAttributes(name, operation) : { ...baseAttributes(name, operation), ...attributes }

/** The provider and the operation of a span's name, one object per name shared by all its spans (never changed). */
const baseAttributesByName = new Map<string, Attributes>()

const baseAttributes = (name: string, operation: string | undefined): Attributes => {
  const key = operation === undefined ? name : `${name}\u0000${operation}`
  let attributes = baseAttributesByName.get(key)
  if (attributes === undefined) {
    attributes = { ...common, [Telemetry.Attributes.operationName]: operation ?? operationOf(name) }
    baseAttributesByName.set(key, attributes)
  }
  return attributes
}

// -----------------------------------------------------------------------------------------------------------------
// logs
// -----------------------------------------------------------------------------------------------------------------

/**
 * Logs `message` at `level` with `annotations` when the `logLevel` setting lets it through; nothing is built when
 * it does not.
 *
 * @internal
 */
export const log = (
  minimum: LogLevel.LogLevel,
  level: LogLevel.LogLevel,
  message: string,
  annotations: () => Attributes
): Effect.Effect<void> => {
  if (LogLevel.lessThan(level, minimum)) return Effect.void
  const values = annotations()
  const defined: Attributes = {}
  for (const key in values) if (values[key] !== undefined) defined[key] = values[key]
  return Effect.annotateLogs(Effect.logWithLevel(level, message), defined)
}
