import * as HttpBody from "@effect/platform/HttpBody"
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as GigaChatError from "../GigaChatError.js"
import type * as Sse from "../Sse.js"

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
export const parseEvent = (
  event: Sse.Event,
  method: string,
  url: string
): Effect.Effect<unknown, GigaChatError.GigaChatError> =>
  Effect.suspend(() => {
    let json: unknown
    try {
      json = JSON.parse(event.data)
    } catch (cause) {
      return Effect.fail(
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
    return failure === undefined ? Effect.succeed(json) : Effect.fail(failure)
  })

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
  return jsonSchema
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
 *
 * @internal
 */
export const jsonBody = (body: unknown): Effect.Effect<HttpBody.HttpBody, GigaChatError.InvalidRequestError> =>
  Effect.mapError(HttpBody.json(body), (error) =>
    new GigaChatError.InvalidRequestError({
      description: `the request cannot be sent as JSON: ${
        error.reason._tag === "JsonError" && error.reason.error instanceof Error
          ? error.reason.error.message
          : String(error.reason)
      }`,
      cause: error
    }))
