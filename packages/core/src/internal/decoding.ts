import * as HttpBody from "@effect/platform/HttpBody"
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as GigaChatError from "../GigaChatError.js"
import type * as Sse from "../Sse.js"
import type * as XHeaders from "../XHeaders.js"
import * as FastDecode from "./fastDecode.js"
import { inlineRefs } from "./jsonSchema.js"

/**
 * A JSON object with a numeric `status` and a `message` where a chunk was expected is the server reporting a
 * failure in the middle of a stream.
 *
 * @internal
 */
export const streamFailure = (
  json: unknown,
  data: string,
  method: string,
  url: string
): GigaChatError.GigaChatError | undefined => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined
  const record = json as Record<string, unknown>
  if (typeof record.status !== "number" || !("message" in record) || "choices" in record || "messages" in record) {
    return undefined
  }
  return GigaChatError.fromResponse({ status: record.status, method, url, body: data, headers: {} })
}

/**
 * Parses one event's JSON, recognising an error object sent in place of a chunk.
 *
 * @internal
 */
export const parseEventEither = (
  event: Sse.Event,
  method: string,
  url: string
): Either.Either<unknown, GigaChatError.GigaChatError> => {
  let json: unknown
  try {
    json = JSON.parse(event.data)
  } catch (cause) {
    return Either.left(
      new GigaChatError.DecodeError({
        method,
        url,
        description: "a stream event is not valid JSON",
        body: event.data.slice(0, 500),
        cause
      }, { disableValidation: true })
    )
  }
  const failure = streamFailure(json, event.data, method, url)
  return failure === undefined ? Either.right(json) : Either.left(failure)
}

/**
 * Turns a stream of events into decoded chunks, a whole network read at a time (one effect per read, not per
 * event). The chunks decoded before a bad event are emitted, then the stream fails with its error.
 *
 * @internal
 */
export const decodeEvents = <A, E>(
  events: Stream.Stream<Sse.Event, E>,
  decode: (event: Sse.Event) => Either.Either<A, E>
): Stream.Stream<A, E> => {
  const loop: Channel.Channel<Chunk.Chunk<A>, Chunk.Chunk<Sse.Event>, E, E, unknown, unknown> = Channel
    .readWithCause({
      onInput: (input: Chunk.Chunk<Sse.Event>) => {
        const out: Array<A> = []
        for (const event of input) {
          const decoded = decode(event)
          if (Either.isLeft(decoded)) {
            return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), Channel.fail(decoded.left))
          }
          out.push(decoded.right)
        }
        return Channel.zipRight(Channel.write(Chunk.unsafeFromArray(out)), loop)
      },
      onFailure: (cause) => Channel.failCause(cause),
      onDone: () => Channel.void
    })
  return Stream.pipeThroughChannel(events, loop)
}

/**
 * A decoder of stream events into a Schema's type, with the `x-*` headers of the response the events come from
 * attached (read from `opened` at each event: a stream retried before its first event has the last attempt's).
 *
 * @internal
 */
export const eventDecoder = <A, I>(
  schema: Schema.Schema<A, I>,
  method: string,
  url: string,
  opened: { readonly xHeaders: XHeaders.XHeaders },
  prepare: (json: unknown, event: Sse.Event) => unknown = (json) => json
) => {
  const decode = FastDecode.decoder(schema)
  return (event: Sse.Event): Either.Either<XHeaders.WithXHeaders<A>, GigaChatError.GigaChatError> =>
    Either.flatMap(parseEventEither(event, method, url), (json) =>
      Either.match(decode(prepare(json, event)), {
        onLeft: (error) => Either.left(chunkMismatch(error, event.data, method, url)),
        onRight: (chunk) => {
          // The chunk is this decoder's own new value (from `JSON.parse`, or the decoder's copy of it) and nobody has
          // seen it yet: `xHeaders` is set on it instead of copying it, once per event.
          ;(chunk as { xHeaders?: XHeaders.XHeaders }).xHeaders = opened.xHeaders
          return Either.right(chunk as XHeaders.WithXHeaders<A>)
        }
      }))
}

/** @internal */
export const chunkMismatch = (error: ParseResult.ParseError, data: string, method: string, url: string) =>
  new GigaChatError.DecodeError({
    method,
    url,
    description: `a stream event does not have the expected shape: ${
      ParseResult.TreeFormatter.formatErrorSync(error).slice(0, 2000)
    }`,
    body: data.slice(0, 500),
    cause: error
  }, { disableValidation: true })

/** @internal */
export const responseFormatSchema = <A, I>(schema: Schema.Schema<A, I>): Record<string, unknown> => {
  const { $schema: _, ...jsonSchema } = JSONSchema.make(schema) as unknown as Record<string, unknown>
  return inlineRefs(jsonSchema)
}

/** @internal */
export const parseContent = <A, I>(
  schema: Schema.Schema<A, I>,
  content: string,
  completion: unknown
): Effect.Effect<A, GigaChatError.DecodeError> =>
  Effect.suspend(() => {
    let json: unknown
    try {
      json = JSON.parse(content)
    } catch (cause) {
      return Effect.fail(
        new GigaChatError.DecodeError({
          description: "the answer is not valid JSON",
          body: content.slice(0, 500),
          cause
        }, { disableValidation: true })
      )
    }
    return Schema.decodeUnknown(schema)(json).pipe(
      Effect.mapError((error) =>
        new GigaChatError.DecodeError({
          description: `the answer does not match the schema: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
          body: content.slice(0, 500),
          cause: { error, completion }
        }, { disableValidation: true })
      )
    )
  })

/** A JSON Schema that cannot be built (e.g. a `Schema.declare` without annotation) is a typed error, not a defect. */
/** @internal */
export const jsonSchemaOf = <A, I>(
  schema: Schema.Schema<A, I>
): Effect.Effect<Record<string, unknown>, GigaChatError.InvalidRequestError> =>
  Effect.try({
    try: () => responseFormatSchema(schema),
    catch: (cause) =>
      new GigaChatError.InvalidRequestError({
        description: `response_format: cannot build a JSON schema from the Schema (${
          cause instanceof Error ? cause.message : String(cause)
        })`,
        cause
      })
  })

/**
 * The JSON body of a request. A value JSON cannot carry (a BigInt, a circular reference) is the caller's mistake:
 * an `InvalidRequestError`, not a defect.
 */
const jsonBody = (body: unknown): Either.Either<HttpBody.Uint8Array, GigaChatError.InvalidRequestError> => {
  try {
    return Either.right(HttpBody.unsafeJson(body))
  } catch (error) {
    return Either.left(
      new GigaChatError.InvalidRequestError({
        description: `the request cannot be sent as JSON: ${error instanceof Error ? error.message : String(error)}`,
        cause: HttpBody.HttpBodyError({ _tag: "JsonError", error })
      })
    )
  }
}

/**
 * Builds a request's JSON body and `send`s it, in one step: the building (validation, encoding, JSON) takes no step
 * of its own. A request that cannot be built fails with its `InvalidRequestError`, and nothing is sent.
 *
 * @internal
 */
export const sendJson = <A, E, R>(
  build: () => Either.Either<unknown, GigaChatError.InvalidRequestError>,
  send: (body: HttpBody.HttpBody) => Effect.Effect<A, E, R>
): Effect.Effect<A, E | GigaChatError.InvalidRequestError, R> =>
  Effect.suspend((): Effect.Effect<A, E | GigaChatError.InvalidRequestError, R> => {
    const body = Either.flatMap(build(), jsonBody)
    return Either.isLeft(body) ? Effect.fail(body.left) : send(body.right)
  })
