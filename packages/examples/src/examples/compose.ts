/**
 * Compose: GigaChat inside a larger app — services in layers, settings from the environment, printed spans, retries.
 *
 * The app has three services of its own: `AppSettings` (read from the environment with `Config`; a missing setting is
 * a typed `ConfigError`), `Documents` (a repository, in memory here) and `Summarizer` (uses `Documents` and
 * `GigaChat`). `AppLive` wires them and needs only `GigaChat` from outside; `MainLive` is how a real app gives it
 * one: `NodeGigaChat.layer` with the app's own retry `Schedule`. A small tracer prints every span tree.
 *
 * Try: `SUMMARY_WORDS=5 pnpm example compose`.
 */
import { GigaChat } from "@effect-gigachat/core"
import type { GigaChatError } from "@effect-gigachat/core"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Tracer from "effect/Tracer"

// ---------------------------------------------------------------------------------------------------------------------
// The app's services
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Settings of the app, from the environment: `SUMMARY_WORDS` (required) and `SUMMARY_AUDIENCE` (optional).
 */
export class AppSettings extends Context.Tag("compose/AppSettings")<AppSettings, {
  readonly summaryWords: number
  readonly audience: string
}>() {
  static readonly layer = Layer.effect(
    AppSettings,
    Config.all({
      summaryWords: Config.integer("SUMMARY_WORDS"),
      audience: Config.string("SUMMARY_AUDIENCE").pipe(Config.withDefault("a busy engineer"))
    })
  )
}

/**
 * A stored document.
 */
export interface Document {
  readonly id: string
  readonly title: string
  readonly text: string
  readonly summary: Option.Option<string>
}

/**
 * The document asked for does not exist.
 */
export class DocumentNotFound extends Data.TaggedError("DocumentNotFound")<{ readonly id: string }> {}

/**
 * The repository of documents.
 */
export class Documents extends Context.Tag("compose/Documents")<Documents, {
  readonly list: Effect.Effect<ReadonlyArray<Document>>
  readonly get: (id: string) => Effect.Effect<Document, DocumentNotFound>
  readonly saveSummary: (id: string, summary: string) => Effect.Effect<void, DocumentNotFound>
}>() {
  /** An in-memory repository holding the given documents (a database-backed layer would have the same shape). */
  static readonly layerMemory = (documents: ReadonlyArray<Omit<Document, "summary">>) =>
    Layer.effect(
      Documents,
      Effect.map(
        Ref.make(new Map(documents.map((document) => [document.id, { ...document, summary: Option.none<string>() }]))),
        (store) => {
          const get = (id: string) =>
            Effect.flatMap(Ref.get(store), (all) => {
              const document = all.get(id)
              return document === undefined ? Effect.fail(new DocumentNotFound({ id })) : Effect.succeed(document)
            })
          return Documents.of({
            list: Effect.map(Ref.get(store), (all) => Array.from(all.values())),
            get,
            saveSummary: (id, summary) =>
              Effect.flatMap(get(id), (document) =>
                Ref.update(store, (all) =>
                  new Map(all).set(id, { ...document, summary: Option.some(summary) })))
          })
        }
      )
    )
}

/**
 * Summarizes stored documents with GigaChat and stores the summaries.
 */
export class Summarizer extends Context.Tag("compose/Summarizer")<Summarizer, {
  readonly summarize: (id: string) => Effect.Effect<string, DocumentNotFound | GigaChatError.GigaChatError>
}>() {
  static readonly layer = Layer.effect(
    Summarizer,
    Effect.gen(function*() {
      const gigachat = yield* GigaChat.GigaChat
      const documents = yield* Documents
      const settings = yield* AppSettings
      return Summarizer.of({
        summarize: (id) =>
          Effect.gen(function*() {
            const document = yield* documents.get(id)
            const answer = yield* gigachat.chat({
              messages: [
                {
                  role: "system",
                  content: `Summarize for ${settings.audience} in at most ${settings.summaryWords} words.`
                },
                { role: "user", content: `${document.title}\n\n${document.text}` }
              ]
            })
            const summary = answer.choices[0]?.message.content ?? ""
            yield* documents.saveSummary(id, summary)
            return summary
          }).pipe(Effect.withSpan("Summarizer.summarize", { attributes: { "document.id": id } }))
      })
    })
  )
}

// ---------------------------------------------------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------------------------------------------------

const seed = [
  {
    id: "effect",
    title: "Effect",
    text: "Effect is a TypeScript library for typed errors, dependency injection, concurrency and resource safety."
  },
  {
    id: "gigachat",
    title: "GigaChat",
    text: "GigaChat is a large language model by Sber with an HTTP API for chat, embeddings and files."
  }
]

/**
 * The app: every service of its own, needing only `GigaChat`. It fails with a `ConfigError` when a setting is missing.
 */
export const AppLive = Summarizer.layer.pipe(
  Layer.provideMerge(Documents.layerMemory(seed)),
  Layer.provideMerge(AppSettings.layer)
)

/**
 * The app's retry policy, handed to the SDK: up to 3 retries, exponential from 200 ms, with jitter. The SDK applies
 * it to the errors worth retrying only (429, 5xx, network errors, timeouts) and, in streams, only before the first
 * chunk.
 */
export const retryPolicy = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(3))
)

/**
 * How a real app gets its GigaChat: undici, settings from GIGACHAT_* variables, the app's retry policy. Then
 * `NodeRuntime.runMain(program.pipe(Effect.provide(MainLive)))`.
 */
export const MainLive = AppLive.pipe(Layer.provide(NodeGigaChat.layer({ retrySchedule: retryPolicy })))

// ---------------------------------------------------------------------------------------------------------------------
// A tracer that prints spans (no exporter needed); use an OpenTelemetry one in production
// ---------------------------------------------------------------------------------------------------------------------

class PrintedSpan implements Tracer.Span {
  readonly _tag = "Span"
  readonly spanId = Math.random().toString(16).slice(2, 10)
  readonly traceId: string
  readonly attributes = new Map<string, unknown>()
  readonly sampled = true
  readonly children: Array<PrintedSpan> = []
  readonly links: Array<Tracer.SpanLink>
  status: Tracer.SpanStatus

  constructor(
    readonly name: string,
    readonly parent: Option.Option<Tracer.AnySpan>,
    readonly context: Context.Context<never>,
    links: ReadonlyArray<Tracer.SpanLink>,
    startTime: bigint,
    readonly kind: Tracer.SpanKind,
    readonly print: (line: string) => void
  ) {
    this.links = [...links]
    this.status = { _tag: "Started", startTime }
    const printedParent = Option.filter(parent, (span): span is PrintedSpan => span instanceof PrintedSpan)
    this.traceId = Option.match(printedParent, { onNone: () => this.spanId, onSome: (span) => span.traceId })
    Option.map(printedParent, (span) => span.children.push(this))
  }

  end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    this.status = { _tag: "Ended", startTime: this.status.startTime, endTime, exit }
    // A root prints its whole tree when it ends; children have ended by then.
    if (!(Option.getOrUndefined(this.parent) instanceof PrintedSpan)) this.printTree(0)
  }

  attribute(key: string, value: unknown): void {
    this.attributes.set(key, value)
  }

  event(): void {}

  addLinks(links: ReadonlyArray<Tracer.SpanLink>): void {
    this.links.push(...links)
  }

  private printTree(depth: number): void {
    const millis = this.status._tag === "Ended"
      ? `${Number(this.status.endTime - this.status.startTime) / 1_000_000}`.replace(/(\.\d).*/, "$1") + " ms"
      : "running"
    const outcome = this.status._tag === "Ended" ? (this.status.exit._tag === "Success" ? "ok" : "failed") : ""
    const attributes = Array.from(this.attributes)
      .filter(([key]) => key === "document.id" || key.startsWith("gen_ai.") || key === "http.response.status_code")
      .map(([key, value]) => `${key}=${String(value)}`)
    this.print(`${"  ".repeat(depth)}${this.name} ${millis} ${outcome} ${attributes.join(" ")}`.trimEnd())
    for (const child of this.children) child.printTree(depth + 1)
  }
}

/**
 * A tracer that prints each span tree when its root span ends.
 */
export const printingTracer = (print: (line: string) => void = console.log): Tracer.Tracer =>
  Tracer.make({
    span: (name, parent, context, links, startTime, kind) =>
      new PrintedSpan(name, parent, context, links, startTime, kind, print),
    context: (f) => f()
  })

// ---------------------------------------------------------------------------------------------------------------------
// The program
// ---------------------------------------------------------------------------------------------------------------------

/**
 * Summarizes every document, then asks for one that does not exist.
 */
export const program = Effect.gen(function*() {
  const summarizer = yield* Summarizer
  const documents = yield* Documents
  for (const document of yield* documents.list) {
    const summary = yield* summarizer.summarize(document.id)
    yield* Console.log(`${document.title}: ${summary}`)
  }
  yield* summarizer.summarize("missing").pipe(
    Effect.catchTag("DocumentNotFound", (error) => Console.log(`No document "${error.id}", as expected`))
  )
})

export const example = Effect.gen(function*() {
  // 1. A missing setting stops the app before it starts, with a ConfigError that names it.
  const missing = yield* Layer.build(AppLive).pipe(
    Effect.scoped,
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
    Effect.flip
  )
  yield* Console.log(`Without SUMMARY_WORDS the app does not start: ${missing}`)

  // 2. The app over the GigaChat this example was given. Settings come from the environment, and this demo falls
  //    back to SUMMARY_WORDS=12 when it is not set.
  yield* Console.log("\nThe app, with printed spans:")
  const settings = ConfigProvider.fromEnv().pipe(
    ConfigProvider.orElse(() => ConfigProvider.fromMap(new Map([["SUMMARY_WORDS", "12"]])))
  )
  yield* program.pipe(
    Effect.provide(AppLive.pipe(Layer.provide(Layer.setConfigProvider(settings)))),
    Effect.withTracer(printingTracer())
  )

  // 3. The retry policy at work: the same app over an in-process emulator whose first chat answers 429. The SDK
  //    retries with `retryPolicy`; `httpSpans` shows each attempt as an `http.client` span, so the 429 and the
  //    retried request appear under one GigaChat.chat span.
  yield* Console.log("\nRetries with the app's Schedule, after one 429:")
  const rateLimitedOnce = GigaChatEmulator.layer(
    { faults: [{ route: "POST /api/v1/chat/completions", status: 429, times: 1 }] },
    { retrySchedule: retryPolicy, httpSpans: true }
  )
  yield* Effect.flatMap(Summarizer, (summarizer) => summarizer.summarize("effect")).pipe(
    Effect.provide(AppLive.pipe(Layer.provide(rateLimitedOnce), Layer.provide(Layer.setConfigProvider(settings)))),
    Effect.withTracer(printingTracer())
  )
})
