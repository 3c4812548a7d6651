/**
 * The `GigaChat` service over a recording mock client: OAuth answered by the mock, `api()` the other requests in
 * order, `contentTypes` and `bodies` their platform bodies with their content types (which the platform sends as
 * `Content-Type` but keeps out of the headers), `only()` the one API request of a test.
 */
import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Handler, RecordedRequest } from "./mockHttp.js"
import { credentials, makeMockHttp, oauthAnswer } from "./mockHttp.js"

export const baseUrl = "https://gigachat.test/api/v1"

export const setup = (handler: Handler, options: GigaChatConfig.Options = {}) => {
  const mock = makeMockHttp((request, index) =>
    request.url.includes("/oauth")
      ? Effect.map(Clock.currentTimeMillis, (now) => oauthAnswer(now))
      : handler(request, index)
  )
  const contentTypes: Array<string | undefined> = []
  const bodies: Array<HttpBody.HttpBody> = []
  const recordingBodies = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, (request) =>
        Effect.sync(() => {
          if (request.url.includes("/oauth")) return
          contentTypes.push(request.body.contentType)
          bodies.push(request.body)
        })))
  ).pipe(Layer.provide(mock.layer))
  const layer = GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer({
      baseUrl,
      authUrl: "https://auth.test/api/v2/oauth",
      credentials,
      ...options
    })),
    Layer.provide(recordingBodies)
  )
  const api = (): ReadonlyArray<RecordedRequest> => mock.requests.filter((request) => !request.url.includes("/oauth"))
  return { mock, layer, api, contentTypes, bodies, only: () => api()[0]! }
}

/** Runs one method of the service against the mock. */
export const call = <A, E>(
  layer: Layer.Layer<GigaChat.GigaChat>,
  f: (gc: GigaChat.Service) => Effect.Effect<A, E>
): Effect.Effect<A, E> => Effect.provide(Effect.flatMap(GigaChat.GigaChat, f), layer)
