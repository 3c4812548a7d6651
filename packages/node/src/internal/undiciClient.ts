import * as NodeStream from "@effect/platform-node/NodeStream"
import type * as Undici from "@effect/platform-node/Undici"
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as UrlParams from "@effect/platform/UrlParams"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/**
 * An `HttpClient` built with the platform's `HttpClient.make`, which dispatches each request to undici with a handler
 * of its own instead of undici's `request` API: the response's bytes, as the handler collects them, go to whichever
 * read comes (text, bytes or a stream of the reads), with no Node `Readable` and no fiber per body. `pnpm bench --parts`
 * measures what that buys. The request's abort signal (interruption, `HttpClient.withScope`) aborts the exchange.
 *
 * A response whose body nobody reads pauses its socket once 64 KiB are waiting; a response dropped unread is aborted
 * when it is garbage collected, as the platform's client does with its own.
 *
 * @internal
 */
export const make = (dispatcher: Undici.Dispatcher): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) => {
    const body = request.body
    switch (body._tag) {
      case "Stream":
        return Effect.flatMap(
          NodeStream.toReadable(body.stream),
          (readable) => exchange(dispatcher, request, url, readable, signal)
        )
      case "Empty":
        return exchange(dispatcher, request, url, null, signal)
      case "FormData":
        return exchange(dispatcher, request, url, body.formData as DispatchBody, signal)
      default:
        return exchange(dispatcher, request, url, body.body as Uint8Array, signal)
    }
  })

/** Bytes waiting for a reader beyond which the socket is paused (a stream's reader takes all of them at once). */
const highWaterMark = 64 * 1024

type DispatchBody = Exclude<Undici.Dispatcher.DispatchOptions["body"], undefined>

const exchange = (
  dispatcher: Undici.Dispatcher,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: DispatchBody,
  signal: AbortSignal
) =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    const handler = new Exchange(request, resume)
    if (signal.aborted) {
      handler.onAbortSignal(signal.reason)
    } else {
      signal.addEventListener("abort", () => handler.onAbortSignal(signal.reason), { once: true })
      try {
        dispatcher.dispatch({
          method: request.method as Undici.Dispatcher.HttpMethod,
          origin: url.origin,
          path: url.pathname + url.search,
          headers: request.headers,
          body
        }, handler)
      } catch (cause) {
        handler.onResponseError(undefined, cause)
      }
    }
    return Effect.sync(() => handler.abort())
  })

const empty = new Uint8Array(0)

/** The platform's `Headers` from undici's, as `Headers.fromInput` makes them, without its intermediate arrays. */
const headersOf = (raw: Record<string, string | Array<string> | undefined>): Headers.Headers => {
  const out: Record<string, string> = {}
  for (const name in raw) {
    const value = raw[name]
    if (typeof value === "string") out[name.toLowerCase()] = value
    else if (value !== undefined) out[name.toLowerCase()] = value.join(", ")
  }
  return Headers.unsafeFromRecord(out)
}

// Removes a BOM, as the platform's `text` does; invalid bytes become U+FFFD.
const utf8 = new TextDecoder()

const aborted = () => new Error("the request was interrupted")

/**
 * Aborts the exchange of a response that was garbage collected before its body ended: nobody can read that body any
 * more, and a paused socket would otherwise stay open until the agent closes.
 */
const abandoned = new FinalizationRegistry<Exchange>((exchange) => exchange.abort())

/**
 * One request's handler, and then the state of its response's body.
 *
 * @internal
 */
export class Exchange implements Undici.Dispatcher.DispatchHandler {
  private controller: Undici.Dispatcher.DispatchController | undefined
  private abortRequested = false
  private chunks: Array<Uint8Array> = []
  private buffered = 0
  done = false
  failure: unknown = undefined
  /** Readers waiting for more bytes (several fibers may read the same body). */
  private wakers: Array<() => void> = []
  /** How the body is read: as a whole (text, bytes, JSON), or as a stream by one reader. */
  private mode: "unread" | "whole" | "stream" = "unread"
  /** The bytes read as a whole so far. */
  private whole: Array<Uint8Array> = []

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    private resumeHeaders:
      | ((effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>) => void)
      | undefined
  ) {}

  onRequestStart(controller: Undici.Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.abortRequested) controller.abort(aborted())
  }

  onResponseStart(
    _controller: Undici.Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | Array<string> | undefined>
  ): void {
    if (statusCode < 200) return
    const resume = this.resumeHeaders
    this.resumeHeaders = undefined
    if (resume === undefined) return
    const response = new UndiciResponse(this.request, statusCode, headers, this)
    // A body that arrives with its headers (most JSON answers) has ended by the next microtask: no need to watch it.
    queueMicrotask(() => {
      if (!this.done && this.failure === undefined) abandoned.register(response, this, this)
    })
    resume(Effect.succeed(response))
  }

  onResponseData(controller: Undici.Dispatcher.DispatchController, chunk: Uint8Array): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    // A reader of the whole body takes the bytes as they come: the socket is never paused for it.
    if (this.mode !== "whole" && this.buffered > highWaterMark) controller.pause()
    this.notify()
  }

  onResponseEnd(): void {
    this.done = true
    abandoned.unregister(this)
    this.notify()
  }

  onResponseError(_controller: Undici.Dispatcher.DispatchController | undefined, error: unknown): void {
    const resume = this.resumeHeaders
    if (resume !== undefined) {
      this.resumeHeaders = undefined
      resume(
        Effect.fail(new HttpClientError.RequestError({ request: this.request, reason: "Transport", cause: error }))
      )
      return
    }
    if (!this.done) {
      this.failure = error
      abandoned.unregister(this)
      this.notify()
    }
  }

  /**
   * The request's signal fired (its scope closed, e.g. at a deadline): the caller waiting for the headers fails now,
   * even while the request waits for a pooled connection, and the exchange is aborted.
   */
  onAbortSignal(reason: unknown): void {
    const resume = this.resumeHeaders
    this.resumeHeaders = undefined
    resume?.(
      Effect.fail(new HttpClientError.RequestError({ request: this.request, reason: "Transport", cause: reason }))
    )
    this.abort()
  }

  /** Ends the exchange: before the headers, the request; after them, the rest of the body. */
  abort(): void {
    this.resumeHeaders = undefined
    if (this.done || this.failure !== undefined) return
    this.abortRequested = true
    this.controller?.abort(aborted())
  }

  private notify(): void {
    if (this.wakers.length === 0) return
    const wakers = this.wakers
    this.wakers = []
    for (const wake of wakers) wake()
  }

  /** The bytes received since the last call (none: undefined), resuming a paused socket. */
  take(): Array<Uint8Array> | undefined {
    if (this.chunks.length === 0) return undefined
    const taken = this.chunks
    this.chunks = []
    this.buffered = 0
    if (this.controller?.paused) this.controller.resume()
    return taken
  }

  /**
   * Waits until more bytes, the end or a failure arrive. No canceler, since one costs an interruption handler per read:
   * whoever waits aborts the exchange when interrupted (`readAll`, the stream's `Channel.ensuring`).
   */
  readonly changed: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.chunks.length > 0 || this.done || this.failure !== undefined) return resume(Effect.void)
    this.wakers.push(() => resume(Effect.void))
  })

  /**
   * Claims the body for a stream: `"stream"` for the first stream reader, `"whole"` when it is read as a whole
   * (the stream then gets the whole body), `"taken"` when another stream reads it.
   */
  claimStream(): "stream" | "whole" | "taken" {
    if (this.mode === "unread") {
      this.mode = "stream"
      return "stream"
    }
    return this.mode === "whole" ? "whole" : "taken"
  }

  /** The whole body when it has all arrived and nothing streams it; otherwise undefined (then use `readAll`). */
  wholeIfArrived(): Uint8Array | undefined {
    if (!this.done || this.mode === "stream") return undefined
    this.mode = "whole"
    const taken = this.take()
    if (taken !== undefined) this.whole.push(...taken)
    if (this.whole.length !== 1) this.whole = [this.whole.length === 0 ? empty : Buffer.concat(this.whole)]
    return this.whole[0]!
  }

  /** The whole body, once it has arrived; every reader gets all of it. */
  readAll(): Effect.Effect<Uint8Array, unknown> {
    if (this.mode === "stream") return Effect.fail(new Error("the body is being read as a stream"))
    this.mode = "whole"
    if (this.controller?.paused) this.controller.resume()
    const loop: Effect.Effect<Uint8Array, unknown> = Effect.suspend(() => {
      const taken = this.take()
      if (taken !== undefined) this.whole.push(...taken)
      if (this.failure !== undefined) return Effect.fail(this.failure)
      if (this.done) return Effect.succeed(this.wholeIfArrived()!)
      return Effect.zipRight(this.changed, loop)
    })
    // A reader that leaves before the end lets go of the connection.
    return Effect.onInterrupt(loop, () => Effect.sync(() => this.abort()))
  }
}

/**
 * A response of {@link make}.
 *
 * @internal
 */
export class UndiciResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    private readonly rawHeaders: Record<string, string | Array<string> | undefined>,
    private readonly exchange: Exchange
  ) {
    super()
  }

  private cachedHeaders: Headers.Headers | undefined
  get headers(): Headers.Headers {
    return this.cachedHeaders ??= headersOf(this.rawHeaders)
  }

  get cookies(): Cookies.Cookies {
    const header = this.rawHeaders["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(Array.isArray(header) ? header : [header])
  }

  get remoteAddress(): Option.Option<string> {
    return Option.none()
  }

  private decodeError(cause: unknown): HttpClientError.ResponseError {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  /**
   * `f` of the whole body; the exchange keeps it, so later reads get the same bytes, as with the platform's
   * responses. Usually the body has arrived with the headers, and it is read in one step.
   */
  private whole<A>(f: (bytes: Uint8Array) => A): Effect.Effect<A, HttpClientError.ResponseError> {
    return Effect.suspend(() => {
      const whole = this.exchange.wholeIfArrived()
      return whole !== undefined
        ? Effect.succeed(f(whole))
        : Effect.mapBoth(this.exchange.readAll(), { onFailure: (cause) => this.decodeError(cause), onSuccess: f })
    })
  }

  private get bytes(): Effect.Effect<Uint8Array, HttpClientError.ResponseError> {
    return this.whole((bytes) => bytes)
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return this.whole((bytes) => utf8.decode(bytes))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => text === "" ? null : JSON.parse(text) as unknown,
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return this.whole((bytes) => {
      const copy = new Uint8Array(bytes.length)
      copy.set(bytes)
      return copy.buffer
    })
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.flatMap(this.bytes, (bytes) =>
      Effect.tryPromise({
        try: () =>
          new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
            headers: this.headers as Record<string, string>
          }).formData(),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  /** The body as it arrives, every bytes received since the last pull in one `Chunk`. */
  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    const exchange = this.exchange
    const start: Channel.Channel<Chunk.Chunk<Uint8Array>, unknown, HttpClientError.ResponseError> = Channel.suspend(
      () => {
        switch (exchange.claimStream()) {
          case "stream":
            // A stream left before its end (taken, interrupted) lets go of the connection.
            return Channel.ensuring(loop, Effect.sync(() => exchange.abort()))
          case "whole":
            return Channel.flatMap(Channel.fromEffect(this.bytes), (bytes) => Channel.write(Chunk.of(bytes)))
          case "taken":
            return Channel.fail(this.decodeError(new Error("the body is already being read as a stream")))
        }
      }
    )
    const loop: Channel.Channel<Chunk.Chunk<Uint8Array>, unknown, HttpClientError.ResponseError> = Channel.suspend(
      () => {
        const taken = exchange.take()
        if (taken !== undefined) return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(taken)), loop)
        if (exchange.failure !== undefined) return Channel.fail(this.decodeError(exchange.failure))
        if (exchange.done) return Channel.void
        return Channel.zipRight(Channel.fromEffect(exchange.changed), loop)
      }
    )
    return Stream.fromChannel(start)
  }

  toJSON(): unknown {
    return HttpIncomingMessage.inspect(this, {
      _id: "@effect/platform/HttpClientResponse",
      request: this.request.toJSON(),
      status: this.status
    })
  }
}
