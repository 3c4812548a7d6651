/**
 * What the SDK reports about its own work: the metrics it records with `effect/Metric`, the attributes of its spans
 * and metrics, and the logs it writes through Effect's logger.
 *
 * Metrics go to Effect's metric registry, so any exporter of it sees them (`@effect/opentelemetry`'s `Resource` and
 * `Metrics` layers, `Metric.snapshot`). The names and attributes follow the OpenTelemetry semantic conventions for
 * generative AI clients where they have one (`gen_ai.client.operation.duration`, `gen_ai.client.token.usage`); the
 * others are the SDK's own, under `gigachat.client.*`.
 *
 * Logs: a retry (with its wait), a 429 or 5xx answer, and an access token the server rejected are logged at
 * warning level; a token fetched or refreshed at debug. Each log is annotated with `gigachat.endpoint`, and where
 * they apply `http.response.status_code`, `gigachat.attempt` and `gigachat.request_id`; none carries a secret or a
 * header. The `logLevel` setting (`GIGACHAT_LOG_LEVEL`) is the lowest level the SDK logs at: `"None"` turns its logs
 * off.
 *
 * @since 0.2.0
 */
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"

/**
 * Span and metric attribute names.
 *
 * @since 0.2.0
 * @category attributes
 */
export const Attributes = {
  /** `"gigachat"`: the provider, as the current conventions name it. */
  providerName: "gen_ai.provider.name",
  /** `"gigachat"`: the provider under its earlier name, which `@effect/ai` uses. */
  system: "gen_ai.system",
  /** `chat`, `embeddings`, or the SDK's name of a call that has no GenAI name (`get_models`, `upload_file`, ...). */
  operationName: "gen_ai.operation.name",
  /** The model asked for. */
  requestModel: "gen_ai.request.model",
  /** The model that answered. */
  responseModel: "gen_ai.response.model",
  /** Tokens read from the prompt. */
  inputTokens: "gen_ai.usage.input_tokens",
  /** Tokens written in the answer. */
  outputTokens: "gen_ai.usage.output_tokens",
  /** The finish reasons of the answer's choices. */
  finishReasons: "gen_ai.response.finish_reasons",
  /** `input` or `output`, on `gen_ai.client.token.usage`. */
  tokenType: "gen_ai.token.type",
  /** The `_tag` of the error a call or request failed with. */
  errorType: "error.type",
  /** The HTTP status of an answer. */
  statusCode: "http.response.status_code",
  /** The API path of a request, relative to the base URL (`/chat/completions`). */
  endpoint: "gigachat.endpoint",
  /** The `x-request-id` of an answer: what GigaChat's support asks for. */
  requestId: "gigachat.request_id",
  /** The attempt a retry log or metric is about: 1 is the first retry. */
  attempt: "gigachat.attempt",
  /** Chunks a stream emitted, on its span. */
  streamChunks: "gigachat.stream.chunks"
} as const

/**
 * The provider name recorded under `gen_ai.provider.name` and `gen_ai.system`.
 *
 * @since 0.2.0
 * @category attributes
 */
export const providerName = "gigachat"

/**
 * How long each SDK call took, in seconds, from the call to its result (its retries included): a histogram by
 * `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.response.model` (when the answer names it), and
 * `error.type` when it failed. The buckets are the conventions' advice.
 *
 * @since 0.2.0
 * @category metrics
 */
export const operationDuration: Metric.Metric.Histogram<number> = Metric.histogram(
  "gen_ai.client.operation.duration",
  MetricBoundaries.fromIterable([
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92
  ]),
  "GenAI operation duration, in seconds"
)

/**
 * Tokens used by each answer that reports its usage: a histogram by `gen_ai.token.type` (`input`, `output`),
 * `gen_ai.operation.name`, `gen_ai.request.model` and `gen_ai.response.model`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const tokenUsage: Metric.Metric.Histogram<number> = Metric.histogram(
  "gen_ai.client.token.usage",
  MetricBoundaries.fromIterable([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304]),
  "Measures number of input and output tokens used"
)

/**
 * HTTP requests sent to the API (each attempt of a retried call counts), by `gigachat.endpoint` and
 * `http.response.status_code`, or `error.type` when no answer came (a `TransportError`, a `TimeoutError`).
 *
 * @since 0.2.0
 * @category metrics
 */
export const requests: Metric.Metric.Counter<number> = Metric.counter("gigachat.client.requests", {
  description: "HTTP requests sent to the GigaChat API"
})

/**
 * Retries scheduled, by `gigachat.endpoint` and `error.type` (the failure retried).
 *
 * @since 0.2.0
 * @category metrics
 */
export const retries: Metric.Metric.Counter<number> = Metric.counter("gigachat.client.retries", {
  description: "Retries of GigaChat API requests"
})

/**
 * Access tokens fetched from the OAuth or password endpoint (the first one and every refresh), by `error.type`
 * when the fetch failed.
 *
 * @since 0.2.0
 * @category metrics
 */
export const tokenRefreshes: Metric.Metric.Counter<number> = Metric.counter("gigachat.client.token_refreshes", {
  description: "Access tokens fetched by the GigaChat client"
})

/**
 * Chunks received from streams, by `gigachat.endpoint`.
 *
 * @since 0.2.0
 * @category metrics
 */
export const streamChunks: Metric.Metric.Counter<number> = Metric.counter("gigachat.client.stream.chunks", {
  description: "Chunks received from GigaChat streams"
})
