/**
 * OpenTelemetry: one chat call and one stream under `@effect/opentelemetry`, then their span tree and metrics.
 *
 * The SDK's spans (`GigaChat.chat`, `GigaChat.stream`, ...) carry the GenAI attributes (system `gigachat`, the
 * request and response model, the token usage, the finish reasons, the request id), and its metrics
 * (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`, `gigachat.client.*`) live in Effect's metric
 * registry, which `@effect/opentelemetry` exports. Here both go to in-memory exporters and are printed; a service
 * would give `NodeSdk.layer` an OTLP exporter instead.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics"
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  PeriodicExportingMetricReader
} from "@opentelemetry/sdk-metrics"
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

/**
 * An OpenTelemetry SDK whose spans and metrics stay in memory, to be read back.
 */
export const makeTelemetry = () => {
  const spans = new InMemorySpanExporter()
  // The reader exports on demand (`collect`); its timer is far away so that nothing is exported behind our back.
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000
  })
  const layer = NodeSdk.layer(() => ({
    resource: { serviceName: "gigachat-opentelemetry-example" },
    spanProcessor: new SimpleSpanProcessor(spans),
    metricReader: reader
  }))
  return {
    layer,
    spans: (): ReadonlyArray<ReadableSpan> => spans.getFinishedSpans(),
    metrics: (): Promise<ResourceMetrics> => reader.collect().then(({ resourceMetrics }) => resourceMetrics)
  }
}

/**
 * One chat call and one stream in a span of the app's own.
 */
export const program = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const answer = yield* gc.chat({ model: "GigaChat-Pro", messages: [{ role: "user", content: "Hello!" }] })
  yield* Stream.runDrain(gc.stream("Count to three"))
  return answer
}).pipe(Effect.withSpan("app.greet"))

/** The span tree, children indented under their parent, with the attributes worth reading. */
const printSpans = (spans: ReadonlyArray<ReadableSpan>) => {
  const byParent = new Map<string | undefined, Array<ReadableSpan>>()
  const ids = new Set(spans.map((span) => span.spanContext().spanId))
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId
    const key = parent !== undefined && ids.has(parent) ? parent : undefined
    byParent.set(key, [...(byParent.get(key) ?? []), span])
  }
  const lines: Array<string> = []
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of byParent.get(parent) ?? []) {
      const shown = Object.entries(span.attributes)
        .filter(([key]) => key.startsWith("gen_ai.") || key.startsWith("gigachat."))
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      lines.push(`${"  ".repeat(depth)}${span.name}${shown.length > 0 ? `  ${shown.join(" ")}` : ""}`)
      visit(span.spanContext().spanId, depth + 1)
    }
  }
  visit(undefined, 0)
  return lines.join("\n")
}

/** Each SDK metric with its data points: attributes, then a count and sum (histograms) or a value (counters). */
const printMetrics = (metrics: ResourceMetrics) =>
  metrics.scopeMetrics.flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name.startsWith("gen_ai.") || metric.descriptor.name.startsWith("gigachat."))
    .flatMap((metric) =>
      metric.dataPoints.map((point) => {
        const value = point.value as number | { readonly count: number; readonly sum?: number }
        const shown = typeof value === "number" ? `value=${value}` : `count=${value.count} sum=${value.sum}`
        return `${metric.descriptor.name} ${JSON.stringify(point.attributes)} ${shown}`
      })
    )
    .join("\n")

/**
 * Runs `program` under the in-memory SDK and reads back what it recorded, before the SDK shuts down (which empties
 * its exporters).
 */
export const recorded = Effect.suspend(() => {
  const telemetry = makeTelemetry()
  return Effect.gen(function*() {
    const answer = yield* program
    return { answer, spans: telemetry.spans(), metrics: yield* Effect.promise(telemetry.metrics) }
  }).pipe(Effect.provide(telemetry.layer))
})

export const example = Effect.gen(function*() {
  const { metrics, spans } = yield* recorded
  yield* Console.log("Spans:\n" + printSpans(spans))
  yield* Console.log("\nMetrics:\n" + printMetrics(metrics))
})
