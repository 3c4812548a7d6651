/**
 * A local GigaChat-compatible server, built on `@effect/platform`'s `HttpRouter`: OAuth and password tokens that
 * expire, v1 and v2 chat (JSON and SSE) with deterministic replies and function calls, embeddings, token counting,
 * models, files kept in memory, assistants and threads kept in memory (runs, streamed runs and chat `storage`),
 * batches that complete on its `Clock`, balance, AI check, OpenAPI function conversion, the content filter and
 * function validation — plus knobs for faults (status codes, `Retry-After`, latency, dropped or slow streams,
 * malformed frames, broken JSON) and a log of the requests it received.
 *
 * Every response carries `x-request-id` (the request's own `X-Request-ID` when it sent one, else a new UUID) and
 * `x-session-id` (echoed, else a new UUID), and echoes `x-client-id`. Files uploaded with an `X-Client-ID` are only
 * visible to requests with the same one (403 otherwise), as on the real server.
 *
 * Use it in-process with {@link layerHttpClient} (an `HttpClient` that calls the app directly, no sockets), or over
 * a real socket with `NodeGigaChatEmulator` (this package, Node.js).
 *
 * @example
 * ```ts
 * import { GigaChatEmulator } from "@effect-gigachat/emulator"
 * import * as HttpClient from "@effect/platform/HttpClient"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* GigaChatEmulator.GigaChatEmulator
 *   yield* emulator.addFault({ route: "POST /api/v1/chat/completions", times: 1, status: 429 })
 *   const client = yield* HttpClient.HttpClient
 *   const response = yield* client.get(`${GigaChatEmulator.baseUrl}/models`)
 *   return response.status // 401: no token
 * })
 *
 * Effect.runPromise(program.pipe(Effect.provide(GigaChatEmulator.layerHttpClient())))
 * ```
 *
 * @since 0.1.0
 */
import type * as Auth from "@effect-gigachat/core/Auth"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatConfig from "@effect-gigachat/core/GigaChatConfig"
import type * as HttpTransport from "@effect-gigachat/core/HttpTransport"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as internalClient from "./internal/client.js"
import * as internalServer from "./internal/server.js"

/**
 * The origin the in-process client answers for. Any host works in-process; nothing goes over the network.
 *
 * @since 0.1.0
 * @category constants
 */
export const origin: string = "http://emulator.local"

/**
 * The API base URL to configure a client with for the in-process emulator (`GIGACHAT_BASE_URL`).
 *
 * @since 0.1.0
 * @category constants
 */
export const baseUrl: string = `${origin}/api/v1`

/**
 * The OAuth URL to configure a client with for the in-process emulator (`GIGACHAT_AUTH_URL`).
 *
 * @since 0.1.0
 * @category constants
 */
export const authUrl: string = `${origin}/api/v2/oauth`

/**
 * The authorization key (base64 of `client id:client secret`) the emulator's documentation and CLI suggest. The
 * emulator accepts any non-empty base64 key unless {@link Options.credentials} restricts it.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCredentials: string = "ZW11bGF0b3ItY2xpZW50LWlkOmVtdWxhdG9yLWNsaWVudC1zZWNyZXQ="

/**
 * The OAuth scope to use with the emulator (any of the three real scopes is accepted).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultScope: string = "GIGACHAT_API_PERS"

/**
 * The URLs a client uses for an emulator served at `origin` (e.g. `http://127.0.0.1:8089`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const urlsFor = (origin: string): { readonly baseUrl: string; readonly authUrl: string } => {
  const trimmed = origin.replace(/\/+$/, "")
  return { baseUrl: `${trimmed}/api/v1`, authUrl: `${trimmed}/api/v2/oauth` }
}

/**
 * Which requests a {@link Fault} applies to. A string is an optional method and a path, e.g.
 * `"POST /api/v1/chat/completions"` or `"/api/v1/files/*"`; `*` matches any characters and the path is matched
 * whole, without the query string. A function decides itself.
 *
 * @since 0.1.0
 * @category models
 */
export type FaultRoute = string | ((request: { readonly method: string; readonly path: string }) => boolean)

/**
 * A fault to inject. The first active fault whose `route` matches a request applies to it.
 *
 * - `status` / `body` / `invalidJson`: answer with a made-up response instead of the real one. `body` defaults to
 *   `{"status":<status>,"message":<reason>}`; `invalidJson` is a 200 whose JSON body is cut off.
 * - `headers` are added to whatever response goes out (e.g. `{ "retry-after": "2" }`), `contentType` sets the
 *   made-up response's content type.
 * - `latency` waits before anything is sent (measured with the `Clock`, so `TestClock` controls it).
 * - On SSE responses: `chunkDelay` waits before every event, `malformedFrame` sends a frame that is not JSON after
 *   the first event, `dropAfterChunks` ends the connection abruptly after that many events (over a socket the
 *   client sees the connection close mid-body; in-process the body stream fails).
 *
 * @since 0.1.0
 * @category models
 */
export interface Fault {
  /** Which requests it applies to; all when absent. */
  readonly route?: FaultRoute | undefined
  /** How many matching requests it applies to before it is used up; forever when absent. */
  readonly times?: number | undefined
  readonly status?: number | undefined
  readonly body?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly contentType?: string | undefined
  readonly latency?: Duration.DurationInput | undefined
  readonly dropAfterChunks?: number | undefined
  readonly malformedFrame?: boolean | undefined
  readonly chunkDelay?: Duration.DurationInput | undefined
  readonly invalidJson?: boolean | undefined
}

/**
 * A request the emulator received, as the client sent it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  readonly method: string
  /** Path and query string. */
  readonly url: string
  /** Path without the query string. */
  readonly path: string
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>
  /** The body decoded as UTF-8 (empty when there was none, or when it was over the size limit). */
  readonly body: string
  /** When it arrived, in ms since the epoch (from the `Clock`). */
  readonly receivedAt: number
}

/**
 * A model the emulator lists and serves. `type` is one of `chat`, `embedder`, `aicheck`, `filter`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Model {
  readonly id: string
  readonly type: string
}

/**
 * Settings of an emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Authorization keys the OAuth endpoint accepts (`Authorization: Basic <key>`). When absent, any non-empty base64
   * key is accepted.
   */
  readonly credentials?:
    | string
    | Redacted.Redacted<string>
    | ReadonlyArray<string | Redacted.Redacted<string>>
    | undefined
  /**
   * User/password pairs `POST /api/v1/token` accepts (its answer is `{ tok, exp }`, `exp` in ms like the OAuth
   * `expires_at`). When absent, any non-empty pair is accepted.
   */
  readonly users?: ReadonlyArray<{ readonly user: string; readonly password: string }> | undefined
  /** A fixed access token the API always accepts, besides the tokens the emulator issues. */
  readonly accessToken?: string | Redacted.Redacted<string> | undefined
  /** How long issued tokens live; 30 minutes by default, like the real server. */
  readonly tokenLifetime?: Duration.DurationInput | undefined
  /** Largest file `POST /api/v1/files` accepts, in bytes (413 above it); 40 MiB by default. */
  readonly fileSizeLimit?: number | undefined
  /** Faults active from the start (and again after {@link Service.reset}). */
  readonly faults?: ReadonlyArray<Fault> | undefined
  /** The models to list and serve; the real list recorded from the server by default. */
  readonly models?: ReadonlyArray<Model> | undefined
  /**
   * How long a batch takes on the emulator's `Clock`: `created`, `in_progress` after a third of it, `completed` (with
   * its result file) once it has passed; 3 seconds by default.
   */
  readonly batchDuration?: Duration.DurationInput | undefined
  /** How many requests the log keeps (the oldest are dropped); 10 000 by default. */
  readonly requestLogLimit?: number | undefined
  /**
   * How the server ends a connection abruptly (`dropAfterChunks`). The socket layer (`NodeGigaChatEmulator`) sets
   * it; without it the response body stream fails instead.
   */
  readonly abortConnection?: ((request: HttpServerRequest.HttpServerRequest) => Effect.Effect<void>) | undefined
}

/**
 * A running emulator: its app and its controls.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The GigaChat-compatible app. Serve it with any `HttpServer`, or call it in-process with {@link toHttpClient}. */
  readonly app: HttpApp.Default
  /** Adds a fault behind the ones already active. */
  readonly addFault: (fault: Fault) => Effect.Effect<void>
  /** Removes all faults. */
  readonly clearFaults: Effect.Effect<void>
  /** The requests received so far, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /**
   * Forgets requests, tokens, files, assistants, threads, batches and counters, and restores the faults given at
   * construction.
   */
  readonly reset: Effect.Effect<void>
  /** How many tokens were issued (OAuth and `/token`). */
  readonly issuedTokens: Effect.Effect<number>
  /** How many requests reached the OAuth endpoint, successful or not. */
  readonly oauthRequests: Effect.Effect<number>
  /** Requests whose response is not finished yet (a stream counts until it ends or is cancelled). */
  readonly activeRequests: Effect.Effect<number>
  /** Issues a token as the OAuth endpoint would, without a request. */
  readonly issueToken: Effect.Effect<{ readonly accessToken: string; readonly expiresAt: number }>
}

/**
 * The emulator service.
 *
 * @since 0.1.0
 * @category tags
 */
export class GigaChatEmulator extends Context.Tag("@effect-gigachat/emulator/GigaChatEmulator")<
  GigaChatEmulator,
  Service
>() {}

/**
 * Creates an emulator. Its state (tokens, files, faults, request log) lives as long as the returned service.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<Service> = internalServer.make

/**
 * An `HttpClient` that sends every request to the emulator's app in-process: no sockets, streaming bodies stay
 * streaming, and interrupting the caller interrupts the request. The URL's host is ignored.
 *
 * @since 0.1.0
 * @category constructors
 */
export const toHttpClient: (emulator: Service) => HttpClient.HttpClient = internalClient.make

/**
 * A layer with a fresh emulator.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerEmulator = (options?: Options): Layer.Layer<GigaChatEmulator> =>
  Layer.effect(GigaChatEmulator, make(options))

/**
 * A layer with a fresh emulator and an `HttpClient` that calls it in-process. Point the client at {@link baseUrl}
 * and {@link authUrl} (any host works) and use the emulator service to add faults and read the request log.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerHttpClient = (options?: Options): Layer.Layer<HttpClient.HttpClient | GigaChatEmulator> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(GigaChatEmulator, toHttpClient)).pipe(
    Layer.provideMerge(layerEmulator(options))
  )

const firstCredentials = (credentials: Options["credentials"]): string | Redacted.Redacted<string> | undefined =>
  typeof credentials === "string" || credentials === undefined || !Array.isArray(credentials)
    ? credentials as string | Redacted.Redacted<string> | undefined
    : credentials[0]

/**
 * The client settings for an emulator at the given URLs: its URLs, the credentials it accepts, then `config`.
 *
 * @since 0.1.0
 * @category utils
 */
export const clientOptions = (
  urls: { readonly baseUrl: string; readonly authUrl: string },
  options: Options = {},
  config: GigaChatConfig.Options = {}
): GigaChatConfig.Options => ({
  baseUrl: urls.baseUrl,
  authUrl: urls.authUrl,
  credentials: firstCredentials(options.credentials) ?? defaultCredentials,
  ...config
})

/**
 * `GigaChat` (with its `HttpTransport`, `Auth` and `GigaChatConfig`) backed by a fresh in-process emulator: no
 * sockets, no credentials, no network. The emulator service is in the context too, to add faults and read the
 * request log. `config` adds client settings (e.g. `maxRetries`) over the emulator's URLs and credentials.
 *
 * @example
 * ```ts
 * import { GigaChat } from "@effect-gigachat/core"
 * import { GigaChatEmulator } from "@effect-gigachat/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const answer = GigaChat.chat("Hello").pipe(Effect.provide(GigaChatEmulator.layer()))
 * ```
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
  | GigaChatEmulator
  | HttpClient.HttpClient
> =>
  GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer(clientOptions({ baseUrl, authUrl }, options, config))),
    Layer.provideMerge(layerHttpClient(options))
  )
