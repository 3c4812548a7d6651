/**
 * A mock `HttpClient` for tests: records every request (method, URL, lower-cased headers, body as text) and
 * answers with what a handler returns, as a Web `Response`.
 */
import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

export interface RecordedRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
  readonly formData: FormData | undefined
}

export type Handler = (request: RecordedRequest, index: number) => Response | Effect.Effect<Response>

export interface MockHttp {
  readonly requests: Array<RecordedRequest>
  readonly layer: Layer.Layer<HttpClient.HttpClient>
  /** Requests whose URL contains the text. */
  readonly to: (fragment: string) => ReadonlyArray<RecordedRequest>
}

const bodyText = (body: HttpClientRequest.HttpClientRequest["body"]): string | undefined => {
  switch (body._tag) {
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    case "Raw":
      return typeof body.body === "string" ? body.body : String(body.body)
    default:
      return undefined
  }
}

/**
 * Fails when the request's signal aborts, as a real client's pending exchange does: the SDK times a request out by
 * aborting it.
 */
const abortion = (request: HttpClientRequest.HttpClientRequest, signal: AbortSignal) =>
  Effect.async<never, HttpClientError.RequestError>((resume) => {
    const onAbort = () =>
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: signal.reason })))
    if (signal.aborted) return onAbort()
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

/** The response with a body that errors when the signal aborts, as a real client's body does. */
const abortable = (response: Response, signal: AbortSignal): Response =>
  response.body === null ? response : new Response(response.body.pipeThrough(new TransformStream(), { signal }), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers
  })

export const makeMockHttp = (handler: Handler): MockHttp => {
  const requests: Array<RecordedRequest> = []
  const client = HttpClient.make((request, url, signal) =>
    Effect.suspend(() => {
      const recorded: RecordedRequest = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body: bodyText(request.body),
        formData: request.body._tag === "FormData" ? request.body.formData : undefined
      }
      const index = requests.length
      requests.push(recorded)
      const answer = handler(recorded, index)
      return Effect.map(
        Effect.raceFirst(Effect.isEffect(answer) ? answer : Effect.succeed(answer), abortion(request, signal)),
        (response) => HttpClientResponse.fromWeb(request, abortable(response, signal))
      )
    })
  )
  return {
    requests,
    layer: Layer.succeed(HttpClient.HttpClient, client),
    to: (fragment) => requests.filter((request) => request.url.includes(fragment))
  }
}

export const json = (body: unknown, init: ResponseInit = {}): Response =>
  new Response(JSON.stringify(body), {
    status: 200,
    ...init,
    headers: { "content-type": "application/json", ...(init.headers as Record<string, string> | undefined) }
  })

export const sse = (parts: ReadonlyArray<string>, init: ResponseInit = {}): Response => {
  const encoder = new TextEncoder()
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const part of parts) controller.enqueue(encoder.encode(part))
        controller.close()
      }
    }),
    { status: 200, ...init, headers: { "content-type": "text/event-stream", ...init.headers as object } }
  )
}

export const credentials = "Y2xpZW50LWlkOmNsaWVudC1zZWNyZXQtZG8tbm90LWxlYWs="
export const tokenValue = "access-token-value-do-not-leak"

/** An OAuth answer whose token expires `lifetimeMillis` after `now` (test clocks start at 0). */
export const oauthAnswer = (now: number, lifetimeMillis = 30 * 60 * 1000, token = tokenValue): Response =>
  json({ access_token: token, expires_at: now + lifetimeMillis })

/**
 * `GigaChat`, `HttpTransport` and `Auth` over a recording mock client at `https://gigachat.test/api/v1`: OAuth is
 * answered with a token valid for 30 minutes from the test clock's now; every other request goes to `api`. `config`
 * is merged over the test URLs (pass `credentials` to get OAuth).
 */
export const mockServices = (api: Handler, config: GigaChatConfig.Options) => {
  const mock = makeMockHttp((request, index) =>
    request.url.includes("/oauth")
      ? Effect.map(Clock.currentTimeMillis, (now) => oauthAnswer(now))
      : api(request, index)
  )
  const layer = GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer({
      baseUrl: "https://gigachat.test/api/v1",
      authUrl: "https://auth.test/api/v2/oauth",
      ...config
    })),
    Layer.provide(mock.layer)
  )
  return {
    mock,
    layer,
    oauth: () => mock.requests.filter((request) => request.url.includes("/oauth")),
    api: () => mock.requests.filter((request) => !request.url.includes("/oauth"))
  }
}
