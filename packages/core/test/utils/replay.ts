/**
 * Replays recorded GigaChat traffic through the mock `HttpClient`: each API request the code under test sends must
 * match the next recorded request (method, URL, and body — JSON-equal when the recorded body is JSON, equal text
 * otherwise), and is answered with the recorded response. OAuth requests are answered with the recorded OAuth
 * response (the token is scrubbed to "REDACTED" but keeps a far-future expiry), or a fresh token when the recording
 * has none. A mismatch, or a request beyond the recording, is a defect that fails the test with both sides shown.
 *
 * - `replay("test_chat_simple", effect)` runs `effect` against a cassette and checks that every recorded API
 *   interaction was used;
 * - `replay([interaction(...)], effect)` does the same for interactions built in a test (response fixtures).
 */
import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import type { Auth, HttpTransport } from "@effect-gigachat/core"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { CassetteRequest, Interaction } from "./cassette.js"
import { loadCassette } from "./cassette.js"
import type { RecordedRequest } from "./mockHttp.js"
import { credentials, makeMockHttp, oauthAnswer } from "./mockHttp.js"

/** The base URL the cassettes were recorded against. */
export const recordedBaseUrl = "https://gigachat.devices.sberbank.ru/api/v1"
/** The OAuth URL the cassettes were recorded against. */
export const recordedAuthUrl = "https://ngw.devices.sberbank.ru:9443/api/v2/oauth"

/** A recorded exchange whose response body may be binary (e.g. an image). */
export interface ReplayInteraction {
  readonly request: CassetteRequest
  readonly response: {
    readonly status: number
    readonly headers: Readonly<Record<string, string>>
    readonly body: string | Uint8Array
  }
}

/**
 * Builds an interaction at `recordedBaseUrl`, e.g. `interaction("GET", "/balance", { body: balanceJson })`. The
 * request body is compared as JSON when it parses, as text otherwise; `"multipart"` accepts any multipart body.
 */
export const interaction = (
  method: string,
  path: string,
  response: {
    readonly body: string | Uint8Array
    readonly status?: number
    readonly headers?: Readonly<Record<string, string>>
  },
  requestBody?: string
): ReplayInteraction => ({
  request: requestBody === "multipart"
    ? { method, uri: `${recordedBaseUrl}${path}`, headers: { "Content-Type": "multipart/form-data" }, body: undefined }
    : { method, uri: `${recordedBaseUrl}${path}`, headers: {}, body: requestBody },
  response: {
    status: response.status ?? 200,
    headers: { "content-type": "application/json", ...response.headers },
    body: response.body
  }
})

const isOAuth = (uri: string) => new URL(uri).pathname.endsWith("/oauth")

/** Headers that described the recorded transfer, not the (decoded) body we serve. */
const transferHeaders = new Set(["content-length", "transfer-encoding", "content-encoding", "set-cookie"])

const toResponse = (recorded: ReplayInteraction["response"]): Response => {
  const headers = Object.fromEntries(
    Object.entries(recorded.headers)
      .map(([name, value]) => [name.toLowerCase(), value] as const)
      .filter(([name]) => !transferHeaders.has(name))
  )
  const body = typeof recorded.body === "string" ? recorded.body : new Uint8Array(recorded.body)
  return new Response(recorded.status === 204 ? null : body, { status: recorded.status, headers })
}

const parseJsonOrUndefined = (text: string): { readonly json: unknown } | undefined => {
  try {
    return { json: JSON.parse(text) }
  } catch {
    return undefined
  }
}

const isDeepEqual = (a: unknown, b: unknown): boolean => {
  if (Object.is(a, b)) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const keysA = Object.keys(a)
  const keysB = Object.keys(b)
  if (keysA.length !== keysB.length) return false
  return keysA.every((key) =>
    Object.hasOwn(b, key) && isDeepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
  )
}

const isMultipart = (request: CassetteRequest): boolean =>
  Object.entries(request.headers).some(([name, value]) =>
    name.toLowerCase() === "content-type" && value.startsWith("multipart/form-data")
  )

/** Why the sent request differs from the recorded one, or `undefined` when they match. */
export const requestMismatch = (sent: RecordedRequest, recorded: CassetteRequest): string | undefined => {
  if (sent.method !== recorded.method) return `method: sent ${sent.method}, recorded ${recorded.method}`
  const sentUrl = new URL(sent.url)
  const recordedUrl = new URL(recorded.uri)
  if (
    sentUrl.origin + sentUrl.pathname + sentUrl.search !==
      recordedUrl.origin + recordedUrl.pathname + recordedUrl.search
  ) {
    return `url: sent ${sent.url}, recorded ${recorded.uri}`
  }
  // A multipart body has a random boundary; the wire tests check its parts.
  if (isMultipart(recorded)) return undefined
  const sentBody = sent.body === "" ? undefined : sent.body
  if (recorded.body === undefined) {
    return sentBody === undefined ? undefined : `body: sent ${sentBody}, recorded none`
  }
  if (sentBody === undefined) return `body: sent none, recorded ${recorded.body}`
  const recordedJson = parseJsonOrUndefined(recorded.body)
  if (recordedJson === undefined) {
    return sentBody === recorded.body ? undefined : `body: sent ${sentBody}, recorded ${recorded.body}`
  }
  const sentJson = parseJsonOrUndefined(sentBody)
  return sentJson !== undefined && isDeepEqual(sentJson.json, recordedJson.json)
    ? undefined
    : `body (JSON): sent ${sentBody}, recorded ${recorded.body}`
}

/** A replay in progress: its layer, the API requests sent so far, and how many recorded ones were not used. */
export interface Replay {
  readonly layer: Layer.Layer<
    GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig
  >
  readonly apiRequests: ReadonlyArray<RecordedRequest>
  readonly unused: () => number
}

/** Serves the interactions (a cassette name or a list) through a mock `HttpClient` wired into `GigaChat`. */
export const makeReplay = (
  source: string | ReadonlyArray<ReplayInteraction | Interaction>,
  options: GigaChatConfig.Options = {}
): Replay => {
  const all: ReadonlyArray<ReplayInteraction> = typeof source === "string" ? loadCassette(source) : source
  const oauth = all.filter((recorded) => isOAuth(recorded.request.uri))
  const api = all.filter((recorded) => !isOAuth(recorded.request.uri))
  const apiRequests: Array<RecordedRequest> = []
  let oauthServed = 0
  const mock = makeMockHttp((request) => {
    if (isOAuth(request.url)) {
      const recorded = oauth[Math.min(oauthServed, oauth.length - 1)]
      oauthServed++
      if (recorded === undefined) return Effect.map(Clock.currentTimeMillis, (now) => oauthAnswer(now))
      if (request.method !== recorded.request.method) {
        return Effect.dieMessage(`OAuth method: sent ${request.method}, recorded ${recorded.request.method}`)
      }
      return toResponse(recorded.response)
    }
    const index = apiRequests.length
    apiRequests.push(request)
    const recorded = api[index]
    if (recorded === undefined) {
      return Effect.dieMessage(`request ${index + 1} (${request.method} ${request.url}) is not in the recording`)
    }
    const mismatch = requestMismatch(request, recorded.request)
    return mismatch === undefined
      ? toResponse(recorded.response)
      : Effect.dieMessage(`request ${index + 1} differs from the recording: ${mismatch}`)
  })
  const layer = GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer({
      baseUrl: recordedBaseUrl,
      authUrl: recordedAuthUrl,
      credentials,
      ...options
    })),
    Layer.provide(mock.layer)
  )
  return { layer, apiRequests, unused: () => api.length - apiRequests.length }
}

/**
 * Runs `effect` against the recording and then checks that every recorded API interaction was requested. To replay
 * a recorded failure, pass `Effect.flip(...)` so the expected error becomes the value.
 */
export const replay = <A, E>(
  source: string | ReadonlyArray<ReplayInteraction | Interaction>,
  effect: Effect.Effect<
    A,
    E,
    GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig
  >,
  options: GigaChatConfig.Options = {}
): Effect.Effect<A, E> =>
  Effect.suspend(() => {
    const session = makeReplay(source, options)
    return Effect.provide(effect, session.layer).pipe(
      Effect.tap(() => {
        const unused = session.unused()
        return unused === 0 ? Effect.void : Effect.dieMessage(`${unused} recorded request(s) were never sent`)
      })
    )
  })
