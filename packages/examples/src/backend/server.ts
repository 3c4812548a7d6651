/**
 * The backend as a scoped service: serves `routes.ts` with `NodeHttpServer` on 127.0.0.1 and, around every request,
 *
 * - tracks it, so that shutdown can wait for it and interrupt it;
 * - logs it (one structured line per response) with its session id;
 * - gives it a session id through `RequestContext`: the client's `X-Session-ID`, or a new one;
 * - limits the chat routes to `maxConcurrentChats` at once (429 beyond that; a stream holds its slot until it ends).
 *
 * Closing the scope shuts it down gracefully: stop accepting connections and answer any new request with a 503, give
 * the requests in flight, streams included, `shutdownGracePeriod` to finish; then end the streams still open with an
 * `error` event (which aborts their GigaChat requests), interrupt what is left (a plain request gets a 503), close the
 * sockets. What provides `GigaChat` (e.g. `NodeGigaChat.layer`, whose undici agent closes with its own scope) is
 * released after that.
 */
import { RequestContext } from "@effect-gigachat/core"
import type { GigaChat } from "@effect-gigachat/core"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type * as Net from "node:net"
import { router, Shutdown } from "./routes.js"

/**
 * The only interface the backend listens on.
 */
export const host = "127.0.0.1"

/**
 * Settings of the backend.
 */
export interface Options {
  /** The port; 0 (the default) picks a free one. */
  readonly port?: number | undefined
  /** How many chat requests (streams included) may run at once; 8 by default. */
  readonly maxConcurrentChats?: number | undefined
  /** How long shutdown waits for the requests in flight, streams included, before ending them; 10 seconds by default. */
  readonly shutdownGracePeriod?: Duration.DurationInput | undefined
}

/**
 * A running backend.
 */
export interface Service {
  /** The origin, e.g. `http://127.0.0.1:8080`. */
  readonly url: string
  readonly port: number
  /** How many TCP connections to the backend are open right now. */
  readonly openConnections: Effect.Effect<number>
  /** How many requests are being handled right now (a stream counts until its last byte). */
  readonly inFlight: Effect.Effect<number>
}

/**
 * The backend service.
 */
export class Backend extends Context.Tag("@effect-gigachat/examples/backend/Backend")<Backend, Service>() {}

/** How long the streams still open when the grace period is over get to write their last event. */
const streamEndAllowance = "1 second"

const sessionIdPattern = /^[\w.:-]{1,128}$/

const isChatRoute = (url: string): boolean => url === "/chat" || url.startsWith("/chat/") || url.startsWith("/chat?")

const errorResponse = (status: number, error: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson({ error }, { status, headers })

/**
 * Starts the backend; it shuts down gracefully when the scope closes.
 */
export const make = (
  options: Options = {}
): Effect.Effect<Service, HttpServerError.ServeError, GigaChat.GigaChat | Scope.Scope> =>
  Effect.gen(function*() {
    const maxConcurrentChats = options.maxConcurrentChats ?? 8
    const gracePeriod = options.shutdownGracePeriod ?? "10 seconds"
    const shuttingDown = yield* Deferred.make<void>()
    // Completed when the grace period is over: the streams still open end with an `error` event.
    const graceOver = yield* Deferred.make<void>()
    const inFlight = yield* FiberSet.make()
    const chatSlots = yield* Effect.makeSemaphore(maxConcurrentChats)

    // These wrap the whole handling of a request, the sending of the response body included (`serve` applies its
    // middleware outside the response writer), so a stream keeps its chat slot and stays tracked until it ends.

    const limitChats = <E, R>(app: HttpApp.Default<E, R>) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        isChatRoute(request.url)
          ? chatSlots.withPermitsIfAvailable(1)(app).pipe(
            Effect.map(Option.getOrElse(() => errorResponse(429, "TooManyRequests", { "retry-after": "1" })))
          )
          : app)

    const withSession = <E, R>(app: HttpApp.Default<E, R>) =>
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        const given = request.headers["x-session-id"]
        if (given !== undefined && !sessionIdPattern.test(given)) {
          return Effect.as(Effect.logInfo("rejected session id"), errorResponse(400, "BadSessionId"))
        }
        const sessionId = given ?? Crypto.randomUUID()
        // The request's span (made by the platform's tracer) gets the session id too.
        return Effect.zipRight(
          Effect.annotateCurrentSpan("session.id", sessionId),
          app.pipe(RequestContext.withSessionId(sessionId), Effect.annotateLogs("sessionId", sessionId))
        )
      })

    const track = <E, R>(app: HttpApp.Default<E, R>) =>
      Effect.flatMap(Deferred.isDone(shuttingDown), (stopping) =>
        stopping
          ? Effect.succeed(errorResponse(503, "ShuttingDown", { connection: "close" }))
          : Effect.zipRight(
            Effect.withFiberRuntime<void>((fiber) => Effect.sync(() => FiberSet.unsafeAdd(inFlight, fiber))),
            app
          ))

    const middleware = <E, R>(app: HttpApp.Default<E, R>) => track(withSession(HttpMiddleware.logger(limitChats(app))))

    const sockets = new Set<Net.Socket>()
    const server = Http.createServer()
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
    const httpServer = yield* NodeHttpServer.make(() => server, { host, port: options.port ?? 0 })
    // Last step of shutdown (finalizers run in reverse): drop the connections that are left, idle keep-alive ones.
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    yield* httpServer.serve(router, middleware).pipe(
      Effect.provideService(Shutdown, { await: Deferred.await(graceOver) })
    )
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        const pending = yield* FiberSet.size(inFlight)
        yield* Effect.logInfo("shutting down").pipe(Effect.annotateLogs({ inFlight: pending }))
        // No new connections from here on; idle keep-alive connections are closed.
        server.close()
        yield* Deferred.succeed(shuttingDown, undefined)
        // A finalizer runs uninterruptibly (and the fiber closing the scope may be interrupted already, by a
        // signal), where a timeout cannot cut the wait short: the timed wait runs in a fiber of its own.
        const drained = yield* FiberSet.awaitEmpty(inFlight).pipe(
          Effect.timeoutOption(gracePeriod),
          Effect.interruptible,
          Effect.forkDaemon,
          Effect.flatMap(Fiber.join)
        )
        if (Option.isNone(drained)) {
          const left = yield* FiberSet.size(inFlight)
          yield* Effect.logWarning("grace period over, ending requests").pipe(Effect.annotateLogs({ left }))
          // Open streams write their `error` event and end; a moment for that, then whatever is left is interrupted.
          yield* Deferred.succeed(graceOver, undefined)
          yield* FiberSet.awaitEmpty(inFlight).pipe(
            Effect.timeoutOption(streamEndAllowance),
            Effect.interruptible,
            Effect.forkDaemon,
            Effect.flatMap(Fiber.join)
          )
          yield* FiberSet.clear(inFlight)
        }
        yield* Effect.logInfo("stopped")
      })
    )

    const port = httpServer.address._tag === "TcpAddress" ? httpServer.address.port : 0
    const url = `http://${host}:${port}`
    yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({ url, maxConcurrentChats }))
    return {
      url,
      port,
      openConnections: Effect.sync(() => sockets.size),
      inFlight: FiberSet.size(inFlight)
    } satisfies Service
  })

/**
 * The backend as a scoped layer.
 */
export const layer = (options?: Options): Layer.Layer<Backend, HttpServerError.ServeError, GigaChat.GigaChat> =>
  Layer.scoped(Backend, make(options))
