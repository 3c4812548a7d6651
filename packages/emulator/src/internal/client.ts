import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as GigaChatEmulator from "../GigaChatEmulator.js"

/** The client request as a web `Request`, so the app sees exactly what a server would parse from the wire. */
const toWebRequest = (
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  signal: AbortSignal
): Effect.Effect<Request, HttpClientError.RequestError> => {
  const headers = Headers.remove(request.headers, "content-length")
  const build = (body: BodyInit | undefined) =>
    Effect.try({
      try: () =>
        new Request(url, {
          method: request.method,
          headers,
          body,
          signal,
          ...(request.body._tag === "Stream" ? { duplex: "half" } : {})
        } as RequestInit),
      catch: (cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause })
    })
  switch (request.body._tag) {
    case "Raw":
    case "Uint8Array":
      return build(request.body.body as BodyInit)
    case "FormData":
      return build(request.body.formData)
    case "Stream":
      return Effect.flatMap(Stream.toReadableStreamEffect(request.body.stream), build)
    case "Empty":
      return build(undefined)
  }
}

/** Fails when the request's signal aborts (a timeout), as a connection closed by the client would end the exchange. */
const aborted = (request: HttpClientRequest.HttpClientRequest, signal: AbortSignal) =>
  Effect.async<never, HttpClientError.RequestError>((resume) => {
    const onAbort = () =>
      resume(Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport", cause: signal.reason })))
    if (signal.aborted) return onAbort()
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

/** The response with a body that fails when the request's signal aborts (a timeout), as a socket's would. */
const abortable = (response: Response, signal: AbortSignal): Response =>
  response.body === null ? response : new Response(response.body.pipeThrough(new TransformStream(), { signal }), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers
  })

/** @internal */
export const make = (emulator: GigaChatEmulator.Service): HttpClient.HttpClient =>
  HttpClient.make((request, url, signal) =>
    Effect.gen(function*() {
      const webRequest = yield* toWebRequest(request, url, signal)
      const response = yield* Effect.raceFirst(
        Effect.provideService(emulator.app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(webRequest)),
        aborted(request, signal)
      )
      // The body stream runs in the caller's runtime: its clock, and its interruption when the caller cancels it.
      const runtime = yield* Effect.runtime<never>()
      return HttpClientResponse.fromWeb(request, abortable(HttpServerResponse.toWeb(response, { runtime }), signal))
    })
  )
