/**
 * Typed client functions ("tools") for both chat APIs: a function's arguments (and optionally its result) are
 * described by Effect Schemas, its GigaChat specification is generated from them, and the model's `arguments` are
 * decoded back into typed values.
 *
 * ```ts
 * const getWeather = yield* Tool.make("get_weather", {
 *   description: "Current weather in a city.",
 *   parameters: Schema.Struct({
 *     city: Schema.String.annotations({ description: "City name" }),
 *     unit: Schema.optional(Schema.Literal("celsius", "fahrenheit"))
 *   })
 * })
 * // v1: { functions: [Tool.toV1Function(getWeather)] }     v2: { tools: [Tool.toV2Tool(getWeather)] }
 * const args = yield* Tool.decodeArguments(getWeather, call.arguments) // { city: string; unit?: ... }
 * ```
 *
 * The JSON Schema comes from `JSONSchema.make` and is then made acceptable to GigaChat, whose function schemas
 * are a narrow subset of JSON Schema:
 *
 * - `$ref`s are inlined and `$defs`, `$schema`, `$id`, `$comment` removed; `additionalProperties: false` (which
 *   Effect adds to every struct) is removed, a schema-valued `additionalProperties` (records) is kept;
 * - every property without a `description` gets `"description": ""` (as the Python SDK sends it); in
 *   `parameters` only, not in `return_parameters`;
 * - unions of literals and `Schema.Enums` become one `{ "type": ..., "enum": [...] }`;
 * - optional fields are not in `required` (as `JSONSchema.make` already does);
 * - `null` is dropped from unions: `Schema.NullOr(X)` is sent as `X`. This is a safe flattening: whatever the model
 *   sends for `X` decodes with the original Schema. The field stays in `required` when the Schema requires the key
 *   (so the model cannot leave it out and fail decoding); `Schema.optional(Schema.NullOr(X))` is sent as an
 *   optional `X`;
 * - what GigaChat cannot take fails with `InvalidRequestError` naming the field and the construct: unions of
 *   different shapes or types (`anyOf` / `oneOf`), `allOf`, `not` / `if`, tuples, recursive schemas, literal unions
 *   mixing types, and top-level `parameters` that are not an object. They are rejected rather than flattened,
 *   because any flattening would let the model send arguments the Schema then refuses.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as JSONSchema from "effect/JSONSchema"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as GigaChatError from "./GigaChatError.js"
import type { JsonSchema } from "./internal/jsonSchema.js"
import { isJsonObject as isObject, refName } from "./internal/jsonSchema.js"

/**
 * Marks the values made by `Tool.make`.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: unique symbol = Symbol.for("@effect-gigachat/core/Tool")

/**
 * Marks the values made by `Tool.make`.
 *
 * @since 0.1.0
 * @category type ids
 */
export type TypeId = typeof TypeId

/**
 * A JSON-schema object as GigaChat takes it.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonSchemaObject {
  readonly [key: string]: unknown
}

/**
 * The `parameters` of a function specification: always an object schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionParameters extends JsonSchemaObject {
  readonly type: "object"
  readonly properties: { readonly [name: string]: unknown }
  readonly required?: ReadonlyArray<string>
}

/**
 * A user request and the arguments the function should be called with, in their wire (encoded) form.
 *
 * @since 0.1.0
 * @category models
 */
export interface FewShotExampleSpecification {
  readonly [key: string]: unknown
  readonly request: string
  readonly params: { readonly [key: string]: unknown }
}

/**
 * The GigaChat specification of a function: the v1 `functions[]` entry, and the v2
 * `tools[].functions.specifications[]` entry.
 *
 * @since 0.1.0
 * @category models
 */
export interface FunctionSpecification {
  readonly [key: string]: unknown
  readonly name: string
  readonly description: string
  readonly parameters: FunctionParameters
  readonly few_shot_examples?: ReadonlyArray<FewShotExampleSpecification>
  readonly return_parameters?: JsonSchemaObject
}

/**
 * A few-shot example with typed arguments (they are encoded with the `parameters` Schema).
 *
 * @since 0.1.0
 * @category models
 */
export interface FewShotExample<A> {
  readonly request: string
  readonly params: A
}

/**
 * A client function: its name, the Schema of its arguments (`A` decoded, `I` as the model sends them), the optional
 * Schema of its result, and the generated GigaChat specification.
 *
 * @since 0.1.0
 * @category models
 */
export interface Tool<out Name extends string, A, I = A, B = unknown, BI = B> {
  readonly [TypeId]: TypeId
  readonly name: Name
  readonly description: string
  readonly parameters: Schema.Schema<A, I>
  readonly success: Schema.Schema<B, BI> | undefined
  readonly specification: FunctionSpecification
}

/**
 * Any tool, whatever its types.
 *
 * @since 0.1.0
 * @category models
 */
export interface Any extends Tool<string, any, any, any, any> {}

/**
 * The decoded arguments of a tool.
 *
 * @since 0.1.0
 * @category models
 */
export type Parameters<T> = T extends Tool<string, infer A, infer _I, infer _B, infer _BI> ? A : never

/**
 * The result type of a tool (`unknown` when it has no `success` Schema).
 *
 * @since 0.1.0
 * @category models
 */
export type Success<T> = T extends Tool<string, infer _A, infer _I, infer B, infer _BI> ? B : never

/**
 * True for values made by `Tool.make`.
 *
 * @since 0.1.0
 * @category refinements
 */
export const isTool = (u: unknown): u is Any => typeof u === "object" && u !== null && TypeId in u

// -----------------------------------------------------------------------------------------------------------------
// JSON Schema → GigaChat
// -----------------------------------------------------------------------------------------------------------------

type Json = JsonSchema

interface Context {
  readonly defs: Json
  /** Add `"description": ""` to properties that have none. */
  readonly describeProperties: boolean
  readonly errors: Array<string>
}

const removedKeys = new Set(["$schema", "$defs", "definitions", "$id", "$comment"])

const describeMember = (member: Json): string =>
  typeof member.type === "string" ? member.type : Array.isArray(member.enum) ? "literal" : "schema"

/**
 * Flattens the members of an `anyOf` / `oneOf` (already normalized): `null` is dropped, literals of one type are
 * merged into one `enum`, a single remaining member replaces the union. Anything else is reported.
 */
const flattenUnion = (members: ReadonlyArray<Json>, keyword: string, path: string, ctx: Context): Json => {
  const nonNull = members.filter((member) => !(member.type === "null" && member.enum === undefined))
  if (nonNull.length === 1) return nonNull[0]
  if (nonNull.length === 0) {
    ctx.errors.push(`${path}: a schema that only allows null is not supported by GigaChat`)
    return {}
  }
  if (nonNull.every((member) => Array.isArray(member.enum) && member.properties === undefined)) {
    const types = Array.from(new Set(nonNull.map((member) => member.type)))
    if (types.length === 1) {
      const values = Array.from(new Set(nonNull.flatMap((member) => member.enum as ReadonlyArray<unknown>)))
      return types[0] === undefined ? { enum: values } : { type: types[0], enum: values }
    }
    ctx.errors.push(
      `${path}: a union of literals of different types (${types.join(", ")}) is not supported by GigaChat; ` +
        `an enum takes values of one type`
    )
    return {}
  }
  const shapes = nonNull.map(describeMember)
  ctx.errors.push(
    nonNull.filter((member) => member.type === "object").length > 1 ?
      `${path}: a union (${keyword}) of different object shapes is not supported by GigaChat; ` +
      `use one object with optional fields` :
      `${path}: a union (${keyword}) of different types (${shapes.join(" | ")}) is not supported by GigaChat`
  )
  return {}
}

type Role = "root" | "property" | "other"

const normalize = (node: unknown, path: string, role: Role, refStack: ReadonlyArray<string>, ctx: Context): Json => {
  if (!isObject(node)) {
    ctx.errors.push(`${path}: ${JSON.stringify(node)} is not a JSON schema object`)
    return {}
  }
  let schema: Json = node
  let stack = refStack
  // inline local references; siblings of `$ref` (annotations) win over the definition
  while (typeof schema.$ref === "string") {
    const { $ref, ...siblings } = schema
    const name = refName($ref as string)
    if (name === undefined || !(name in ctx.defs)) {
      ctx.errors.push(`${path}: the reference ${$ref} cannot be resolved`)
      return {}
    }
    if (stack.includes(name)) {
      ctx.errors.push(`${path}: a recursive schema (${name}) is not supported by GigaChat`)
      return {}
    }
    stack = [...stack, name]
    const target = ctx.defs[name]
    schema = isObject(target) ? { ...target, ...siblings } : siblings
  }

  for (const keyword of ["allOf", "not", "if"]) {
    if (keyword in schema) {
      ctx.errors.push(`${path}: ${keyword} is not supported by GigaChat`)
      return {}
    }
  }

  // a union is flattened first, so that the annotations around it (description, ...) win over its member's
  let out: Json = {}
  for (const keyword of ["anyOf", "oneOf"]) {
    const members = schema[keyword]
    if (members === undefined) continue
    if (!Array.isArray(members)) {
      ctx.errors.push(`${path}: ${keyword} must be an array`)
    } else if (role === "root" && isAnyObject(members)) {
      // `Schema.Struct({})`: a function without arguments
      out = { type: "object", properties: {} }
    } else {
      const normalized = members.map((member) => normalize(member, path, "other", stack, ctx))
      out = { ...out, ...flattenUnion(normalized, keyword, path, ctx) }
    }
  }
  for (const [key, value] of Object.entries(schema)) {
    if (removedKeys.has(key)) continue
    switch (key) {
      case "anyOf":
      case "oneOf":
      case "additionalItems":
        break
      case "properties": {
        if (!isObject(value)) {
          out[key] = value
          break
        }
        const properties: Json = {}
        for (const [name, property] of Object.entries(value)) {
          properties[name] = normalize(property, `${path}.${name}`, "property", stack, ctx)
        }
        out[key] = properties
        break
      }
      case "patternProperties": {
        const properties: Json = {}
        for (const [pattern, property] of Object.entries(isObject(value) ? value : {})) {
          properties[pattern] = normalize(property, `${path}[${pattern}]`, "other", stack, ctx)
        }
        out[key] = properties
        break
      }
      case "additionalProperties":
      case "propertyNames": {
        // `false` (Effect's closed structs) and `true` are left out; a schema (records) is kept
        if (isObject(value)) out[key] = normalize(value, `${path}[*]`, "other", stack, ctx)
        break
      }
      case "items": {
        if (Array.isArray(value)) {
          ctx.errors.push(`${path}: a tuple is not supported by GigaChat; use an array of one type or an object`)
        } else {
          out[key] = normalize(value, `${path}[]`, "other", stack, ctx)
        }
        break
      }
      default:
        out[key] = value
    }
  }
  if (role === "property" && ctx.describeProperties && typeof out.description !== "string") out.description = ""
  return out
}

/** `Schema.Struct({})` / `Schema.Object` come out as "any object or array". */
const isAnyObject = (members: ReadonlyArray<unknown>): boolean =>
  members.length === 2 &&
  members.every((member) => isObject(member) && Object.keys(member).length === 1) &&
  members.some((member) => (member as Json).type === "object") &&
  members.some((member) => (member as Json).type === "array")

const toGigaChatJsonSchema = (
  schema: Schema.Schema.All,
  label: string,
  path: string,
  describeProperties: boolean
): Effect.Effect<Json, GigaChatError.InvalidRequestError> =>
  Effect.try({
    try: () => JSONSchema.make(schema as Schema.Schema<unknown, unknown>) as unknown as Json,
    catch: (cause) =>
      new GigaChatError.InvalidRequestError({
        description: `${label}: ${path}: cannot build a JSON schema (${
          cause instanceof Error ? cause.message : String(cause)
        })`,
        cause
      })
  }).pipe(
    Effect.flatMap((root) => {
      const ctx: Context = {
        defs: isObject(root.$defs) ? root.$defs : {},
        describeProperties,
        errors: []
      }
      const normalized = normalize(root, path, "root", [], ctx)
      return ctx.errors.length === 0 ? Effect.succeed(normalized) : Effect.fail(
        new GigaChatError.InvalidRequestError({ description: `${label}: ${ctx.errors.join("; ")}` })
      )
    })
  )

// -----------------------------------------------------------------------------------------------------------------
// constructors
// -----------------------------------------------------------------------------------------------------------------

const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `${issue.path.length === 0 ? "" : `${issue.path.map(String).join(".")}: `}${issue.message}`)
    .join("; ")

/**
 * Defines a tool. `parameters` must describe an object (a `Schema.Struct`); its JSON Schema is generated and made
 * acceptable to GigaChat as the module documentation describes. `success` describes the result
 * (`return_parameters`). `description` defaults to the `description` annotation of `parameters`, else `""` (the
 * server documents a description as required: give one). `fewShotExamples` take typed arguments, encoded with
 * `parameters`.
 *
 * Fails with `InvalidRequestError` naming the field path and the construct when the Schema cannot be expressed for
 * GigaChat.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const Name extends string, A, I, B = unknown, BI = B>(
  name: Name,
  options: {
    readonly description?: string | undefined
    readonly parameters: Schema.Schema<A, I>
    readonly success?: Schema.Schema<B, BI> | undefined
    readonly fewShotExamples?: ReadonlyArray<FewShotExample<A>> | undefined
  }
): Effect.Effect<Tool<Name, A, I, B, BI>, GigaChatError.InvalidRequestError> =>
  Effect.gen(function*() {
    if (name.length === 0) {
      return yield* new GigaChatError.InvalidRequestError({ description: "tool name: must not be empty" })
    }
    const label = `tool "${name}"`
    const parameters = yield* toGigaChatJsonSchema(options.parameters, label, "parameters", true)
    if (parameters.type !== "object" || !isObject(parameters.properties)) {
      return yield* new GigaChatError.InvalidRequestError({
        description: `${label}: parameters: must be an object schema (Schema.Struct), got ${
          JSON.stringify(parameters.type ?? parameters)
        }`
      })
    }
    const { description: schemaDescription, title: _title, ...parametersRest } = parameters
    const returnParameters = options.success === undefined
      ? undefined
      : yield* toGigaChatJsonSchema(options.success, label, "return_parameters", false).pipe(
        Effect.map(({ title: _returnTitle, ...rest }) => rest)
      )
    const encodeParams = Schema.encode(options.parameters, { errors: "all" })
    const fewShotExamples = options.fewShotExamples === undefined ? undefined : yield* Effect.forEach(
      options.fewShotExamples,
      (example, index) =>
        encodeParams(example.params).pipe(
          Effect.mapError((error) =>
            new GigaChatError.InvalidRequestError({
              description: `${label}: fewShotExamples[${index}].params: ${describeParseError(error)}`,
              cause: error
            })
          ),
          Effect.map((params) => ({
            request: example.request,
            params: params as FewShotExampleSpecification["params"]
          }))
        )
    )
    const description = options.description ?? (typeof schemaDescription === "string" ? schemaDescription : "")
    const specification: FunctionSpecification = {
      name,
      description,
      parameters: parametersRest as unknown as FunctionParameters,
      ...(fewShotExamples !== undefined ? { few_shot_examples: fewShotExamples } : {}),
      ...(returnParameters !== undefined ? { return_parameters: returnParameters } : {})
    }
    return {
      [TypeId]: TypeId,
      name,
      description,
      parameters: options.parameters,
      success: options.success,
      specification
    }
  })

// -----------------------------------------------------------------------------------------------------------------
// using tools
// -----------------------------------------------------------------------------------------------------------------

const truncate = (text: string, max = 1000): string => text.length > max ? `${text.slice(0, max)}…` : text

/**
 * Decodes the model's `arguments` for a tool into the typed value. The arguments may arrive as a JSON object or as
 * a JSON string (servers and peers differ); missing arguments (`undefined`, `null`, or an empty or blank string, as a
 * function without parameters may get) are read as `{}`. Invalid JSON or arguments the Schema refuses fail with
 * `DecodeError`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeArguments = <A, I, B, BI>(
  tool: Tool<string, A, I, B, BI>,
  args: unknown
): Effect.Effect<A, GigaChatError.DecodeError> => {
  let value: unknown = args ?? {}
  if (typeof args === "string" && args.trim() === "") value = {}
  else if (typeof args === "string") {
    try {
      value = JSON.parse(args)
    } catch (cause) {
      return Effect.fail(
        new GigaChatError.DecodeError({
          description: `the arguments of function "${tool.name}" are not valid JSON`,
          body: truncate(args),
          cause
        })
      )
    }
  }
  return Schema.decodeUnknown(tool.parameters, { errors: "all" })(value).pipe(
    Effect.mapError((error) =>
      new GigaChatError.DecodeError({
        description: `the arguments of function "${tool.name}" do not match its parameters: ${
          describeParseError(error)
        }`,
        body: truncate(JSON.stringify(value) ?? String(value)),
        cause: error
      })
    )
  )
}

/**
 * Encodes a tool's result for the model (the `result` of a v2 `function_result`, or the JSON `content` of a v1
 * `function` message) with its `success` Schema; without one the value is returned as it is. A value the Schema
 * refuses fails with `InvalidRequestError`.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeResult = <A, I, B, BI>(
  tool: Tool<string, A, I, B, BI>,
  result: B
): Effect.Effect<unknown, GigaChatError.InvalidRequestError> =>
  tool.success === undefined ? Effect.succeed(result) : Schema.encode(tool.success, { errors: "all" })(result).pipe(
    Effect.mapError((error) =>
      new GigaChatError.InvalidRequestError({
        description: `the result of function "${tool.name}" does not match its success schema: ${
          describeParseError(error)
        }`,
        cause: error
      })
    )
  )

/**
 * The v1 `functions[]` entry of a tool: `{ name, description, parameters, few_shot_examples?, return_parameters? }`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toV1Function = (tool: Any): FunctionSpecification => tool.specification

/**
 * The v2 `tools[]` entry for one or several tools: `{ functions: { specifications: [...] } }`.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toV2Tool = (
  tools: Any | ReadonlyArray<Any>
): { readonly functions: { readonly specifications: ReadonlyArray<FunctionSpecification> } } => ({
  functions: { specifications: (isTool(tools) ? [tools] : tools).map((tool) => tool.specification) }
})
