/**
 * The GigaChat emulator over a real socket: serves `GigaChatEmulator`'s app with `NodeHttpServer` on 127.0.0.1
 * (a free port unless one is given), counts the open connections, and stops when its scope closes. Used by the
 * examples, the end-to-end tests, the benchmarks and `pnpm emulator`.
 *
 * @example
 * ```ts
 * import { NodeGigaChatEmulator } from "@effect-gigachat/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
 *   console.log(server.baseUrl, server.authUrl) // http://127.0.0.1:<port>/api/v1, .../api/v2/oauth
 *   yield* server.emulator.addFault({ route: "POST /api/v1/chat/completions", dropAfterChunks: 2 })
 * })
 *
 * Effect.runPromise(Effect.scoped(Effect.provide(program, NodeGigaChatEmulator.layerServer())))
 * ```
 *
 * @since 0.1.0
 */
import type * as Auth from "@effect-gigachat/core/Auth"
import type * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatConfig from "@effect-gigachat/core/GigaChatConfig"
import type * as HttpTransport from "@effect-gigachat/core/HttpTransport"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as GigaChatEmulator from "./GigaChatEmulator.js"

/**
 * The only interface the emulator binds to.
 *
 * @since 0.1.0
 * @category constants
 */
export const host = "127.0.0.1"

/**
 * The port `pnpm emulator` listens on unless told otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPort = 8089

/**
 * A running emulator server.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The origin, e.g. `http://127.0.0.1:8089`. */
  readonly url: string
  readonly port: number
  /** The API base URL to give a client (`GIGACHAT_BASE_URL`). */
  readonly baseUrl: string
  /** The OAuth URL to give a client (`GIGACHAT_AUTH_URL`). */
  readonly authUrl: string
  /** How many TCP connections to the server are open right now. */
  readonly openConnections: Effect.Effect<number>
  /** The emulator behind the server: faults, request log, counters. */
  readonly emulator: GigaChatEmulator.Service
}

/**
 * The emulator server service.
 *
 * @since 0.1.0
 * @category tags
 */
export class NodeGigaChatEmulator extends Context.Tag("@effect-gigachat/emulator/NodeGigaChatEmulator")<
  NodeGigaChatEmulator,
  Service
>() {}

/**
 * Emulator settings plus the port (0, the default, picks a free one).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends GigaChatEmulator.Options {
  readonly port?: number | undefined
}

/**
 * Ends a request's connection abruptly: whatever was written is flushed, then the socket is closed without the
 * end of the HTTP body, so the client sees the body cut off.
 *
 * @since 0.1.0
 * @category utils
 */
export const abortConnection = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    const socket = NodeHttpServerRequest.toServerResponse(request).socket
    if (socket === null || socket.destroyed) return resume(Effect.void)
    socket.once("close", () => resume(Effect.void))
    socket.destroySoon()
  })

/**
 * Starts an emulator server on 127.0.0.1; it stops (closing every connection) when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const emulator = yield* GigaChatEmulator.make({ ...options, abortConnection })
    const sockets = new Set<Net.Socket>()
    const server = Http.createServer()
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.once("close", () => sockets.delete(socket))
    })
    const httpServer = yield* NodeHttpServer.make(() => server, { host, port: options.port ?? 0 })
    // Runs before the server's own finalizer, whose close would otherwise wait for keep-alive connections.
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    yield* httpServer.serve(emulator.app)
    const port = httpServer.address._tag === "TcpAddress" ? httpServer.address.port : options.port ?? 0
    const url = `http://${host}:${port}`
    return {
      url,
      port,
      ...GigaChatEmulator.urlsFor(url),
      openConnections: Effect.sync(() => sockets.size),
      emulator
    }
  })

/**
 * A scoped layer with a running emulator server and its emulator service (for faults and the request log).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerServer = (
  options?: Options
): Layer.Layer<NodeGigaChatEmulator | GigaChatEmulator.GigaChatEmulator, HttpServerError.ServeError> =>
  Layer.scopedContext(
    Effect.map(make(options), (service) =>
      Context.make(NodeGigaChatEmulator, service).pipe(
        Context.add(GigaChatEmulator.GigaChatEmulator, service.emulator)
      ))
  )

/**
 * `GigaChat` over real loopback sockets: a running emulator server and the Node client (undici) configured for it.
 * For end-to-end tests and benchmarks. `config` adds client settings over the server's URLs and credentials.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {},
  config: GigaChatConfig.Options = {}
): Layer.Layer<
  | GigaChat.GigaChat
  | HttpTransport.HttpTransport
  | Auth.Auth
  | GigaChatConfig.GigaChatConfig
  | NodeGigaChatEmulator
  | GigaChatEmulator.GigaChatEmulator,
  HttpServerError.ServeError | ConfigError.ConfigError
> =>
  Layer.unwrapEffect(
    Effect.map(NodeGigaChatEmulator, (server) =>
      NodeGigaChat.layerServices.pipe(
        Layer.provideMerge(GigaChatConfig.layer(GigaChatEmulator.clientOptions(server, options, config)))
      ))
  ).pipe(Layer.provideMerge(layerServer(options)))
