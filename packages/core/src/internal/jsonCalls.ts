/**
 * The JSON calls every API area makes through `HttpTransport`: a POST whose body is checked by its Schema before it
 * is sent (nothing is sent when the Schema refuses it), a GET with query keys, each answer decoded by its Schema and
 * given the response's `x-*` headers; an id the caller must give is checked before anything is sent.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as GigaChatError from "../GigaChatError.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as XHeaders from "../XHeaders.js"
import { encodeBodyEither, normalizeBodyEither, postJsonEither } from "./requestEncoding.js"

/**
 * The answer with its `xHeaders`; arrays (the token counts) keep being arrays, with `xHeaders` as an extra property.
 * A decoded answer is a new value nobody else holds, so a plain object gets `xHeaders` in place.
 *
 * @internal
 */
export const withXHeaders = <A>(decoded: HttpTransport.Decoded<A>): XHeaders.WithXHeaders<A> => {
  const value = decoded.value as object
  if (Array.isArray(value)) {
    return Object.assign(value.slice(), { xHeaders: decoded.xHeaders }) as unknown as XHeaders.WithXHeaders<A>
  }
  if (Object.getPrototypeOf(value) === Object.prototype && Object.isExtensible(value)) {
    ;(value as { xHeaders?: XHeaders.XHeaders }).xHeaders = decoded.xHeaders
    return value as XHeaders.WithXHeaders<A>
  }
  return XHeaders.attach(value, decoded.xHeaders) as XHeaders.WithXHeaders<A>
}

/**
 * The JSON calls of one transport.
 *
 * @internal
 */
export const make = (transport: HttpTransport.Service) => {
  const send = <A, I>(
    request: Either.Either<HttpClientRequest.HttpClientRequest, GigaChatError.InvalidRequestError>,
    responseSchema: Schema.Schema<A, I>
  ) =>
    Either.match(request, {
      onLeft: Effect.fail,
      onRight: (request) => Effect.map(transport.json(request, responseSchema), withXHeaders)
    })

  /** The POST of `body` encoded by `requestSchema`, as an `Either` (a stream sends it with `transport.stream`). */
  const request = <B, J>(path: string, requestSchema: Schema.Schema<B, J>, body: unknown) =>
    postJsonEither(path, encodeBodyEither(requestSchema, body))

  /** A POST of `body` checked and encoded by `requestSchema`. */
  const post = <A, I, B, J>(
    path: string,
    requestSchema: Schema.Schema<B, J>,
    body: unknown,
    responseSchema: Schema.Schema<A, I>
  ) => Effect.suspend(() => send(request(path, requestSchema, body), responseSchema))

  /** Like `post`, with the body decoded first, so that the request Schema's defaults fill in a caller's shorthand. */
  const postNormalized = <A, I, B, J>(
    path: string,
    requestSchema: Schema.Schema<B, J>,
    body: unknown,
    responseSchema: Schema.Schema<A, I>
  ) => Effect.suspend(() => send(postJsonEither(path, normalizeBodyEither(requestSchema, body)), responseSchema))

  /** A GET with query keys; a value that is `undefined` is left out. */
  const get = <A, I>(
    path: string,
    query: ReadonlyArray<readonly [string, string | number | undefined]>,
    responseSchema: Schema.Schema<A, I>
  ) => {
    const urlParams: Array<[string, string]> = []
    for (const [key, value] of query) if (value !== undefined) urlParams.push([key, String(value)])
    return Effect.map(
      transport.json(HttpClientRequest.get(path, { urlParams: urlParams as UrlParams.Input }), responseSchema),
      withXHeaders
    )
  }

  return { request, post, postNormalized, get }
}

/**
 * An id the caller must give: an empty one is an `InvalidRequestError` naming the field, and nothing is sent.
 *
 * @internal
 */
export const requireId = (field: string, id: unknown): Effect.Effect<string, GigaChatError.InvalidRequestError> =>
  typeof id === "string" && id !== "" ? Effect.succeed(id) : Effect.fail(
    new GigaChatError.InvalidRequestError({
      description: `${field}: Expected a non-empty string, actual ${JSON.stringify(id) ?? String(id)}`
    })
  )
