/**
 * Structured output: the JSON Schema sent as `response_format`, and the answer's text decoded with the caller's
 * Schema.
 */
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as GigaChatError from "../GigaChatError.js"
import { inlineRefs } from "./jsonSchema.js"

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

/**
 * A JSON Schema that cannot be built (e.g. a `Schema.declare` without annotation) is a typed error, not a defect.
 *
 * @internal
 */
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

/** @internal */
export const responseFormat = <A, I>(
  schema: Schema.Schema<A, I>,
  options?: { readonly strict?: boolean | undefined }
): Effect.Effect<
  { readonly type: "json_schema"; readonly schema: Record<string, unknown>; readonly strict: boolean },
  GigaChatError.InvalidRequestError
> =>
  Effect.map(
    jsonSchemaOf(schema),
    (jsonSchema) => ({ type: "json_schema" as const, schema: jsonSchema, strict: options?.strict ?? true })
  )
