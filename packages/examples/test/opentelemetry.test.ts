import { GigaChatEmulator } from "@effect-gigachat/emulator"
import { assert, describe, it } from "@effect/vitest"
import type { ResourceMetrics } from "@opentelemetry/sdk-metrics"
import * as Effect from "effect/Effect"
import { recorded } from "../src/examples/opentelemetry.js"

const metric = (metrics: ResourceMetrics, name: string) =>
  metrics.scopeMetrics.flatMap((scope) => scope.metrics).find((metric) => metric.descriptor.name === name)

describe("the OpenTelemetry example", () => {
  it.live("exports the call's span tree and metrics with the GenAI attributes", () =>
    Effect.gen(function*() {
      const { answer, metrics, spans } = yield* recorded.pipe(Effect.provide(GigaChatEmulator.layer()))
      const byName = (name: string) => spans.find((span) => span.name === name)
      const root = byName("app.greet")
      const chat = byName("GigaChat.chat")
      const stream = byName("GigaChat.stream")
      assert.isDefined(root)
      // The SDK's spans are children of the app's span, in the same trace.
      assert.strictEqual(chat?.parentSpanContext?.spanId, root?.spanContext().spanId)
      assert.strictEqual(stream?.parentSpanContext?.spanId, root?.spanContext().spanId)
      assert.deepInclude(chat?.attributes, {
        "gen_ai.system": "gigachat",
        "gen_ai.provider.name": "gigachat",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "GigaChat-Pro",
        "gen_ai.response.model": answer.model,
        "gen_ai.usage.input_tokens": answer.usage.prompt_tokens,
        "gen_ai.usage.output_tokens": answer.usage.completion_tokens
      })
      assert.strictEqual(chat?.attributes["gigachat.request_id"], answer.xHeaders["x-request-id"])
      assert.isAbove(Number(stream?.attributes["gigachat.stream.chunks"]), 0)

      const duration = metric(metrics, "gen_ai.client.operation.duration")
      const chatPoint = duration?.dataPoints.find((point) =>
        point.attributes["gen_ai.operation.name"] === "chat" &&
        point.attributes["gen_ai.request.model"] === "GigaChat-Pro"
      )
      assert.isDefined(chatPoint)
      assert.strictEqual(chatPoint?.attributes["gen_ai.provider.name"], "gigachat")
      assert.isAtLeast((chatPoint?.value as { readonly count: number }).count, 1)
      const usage = metric(metrics, "gen_ai.client.token.usage")
      const input = usage?.dataPoints.find((point) =>
        point.attributes["gen_ai.token.type"] === "input" && point.attributes["gen_ai.request.model"] === "GigaChat-Pro"
      )
      assert.isAtLeast((input?.value as { readonly sum: number }).sum, answer.usage.prompt_tokens)
      const requests = metric(metrics, "gigachat.client.requests")
      assert.isTrue(
        requests?.dataPoints.some((point) =>
          point.attributes["gigachat.endpoint"] === "/chat/completions" &&
          point.attributes["http.response.status_code"] === "200"
        )
      )
    }))
})
