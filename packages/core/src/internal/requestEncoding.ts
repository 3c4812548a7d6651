/**
 * How request bodies are checked and encoded before they are sent: readable validation messages, the clean-up of
 * bodies before they become JSON, and the JSON itself.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as GigaChatError from "../GigaChatError.js"
import * as TypeGuard from "./typeGuard.js"

const expectedActual = /^Expected (.*), actual (.*)$/s

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.length === 0 ?
    "request" :
    path.reduce<string>(
      (acc, key) => typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
      ""
    )

/** Folds the alternatives of a union (and the `null` / `undefined` of optional fields) into one message. */
const foldAlternatives = (messages: ReadonlyArray<string>): string => {
  const parsed = messages.map((message) => expectedActual.exec(message))
  if (parsed.length < 2 || parsed.some((match) => match === null)) return messages.join("; ")
  const matches = parsed as ReadonlyArray<RegExpExecArray>
  const expected = matches.map((match) => match[1]).filter((e) => e !== "null" && e !== "undefined")
  return `Expected ${expected.length > 0 ? expected.join(" | ") : "a value"}, actual ${matches[0][2]}`
}

/**
 * One entry per offending field: `messages[0].role: is missing; tools[1]: "functions" is not a built-in tool ...`.
 * A union reports every alternative; when one alternative got further (an issue at a deeper path), the "Expected
 * ..." of the others at the shallower path are left out, as they only say "not this alternative".
 */
/** @internal */
export const describeParseError = (error: ParseResult.ParseError): string => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => ({
    ...issue,
    at: formatPath(issue.path)
  }))
  const hasDeeperIssue = (path: ReadonlyArray<PropertyKey>) =>
    issues.some((other) => other.path.length > path.length && path.every((key, i) => other.path[i] === key))
  const byPath = new Map<string, Array<string>>()
  for (const issue of issues) {
    if (issue._tag === "Type" && expectedActual.test(issue.message) && hasDeeperIssue(issue.path)) continue
    const messages = byPath.get(issue.at) ?? []
    // the encoded side of a struct with nullable fields has no name of its own
    const message = issue.message.replace(/Struct \(Encoded side\)/g, "object")
    if (!messages.includes(message)) messages.push(message)
    byPath.set(issue.at, messages)
  }
  return Array.from(byPath, ([path, messages]) => `${path}: ${foldAlternatives(messages)}`).join("; ")
}

/** @internal */
export const isPlainObject = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== "object" || u === null) return false
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

/**
 * Removes `undefined` values at any depth, so the body is exactly what JSON will carry. A value that refers to
 * itself cannot be sent: it throws, and the encoders turn that into an `InvalidRequestError`.
 *
 * @internal
 */
export const dropUndefined = (u: unknown, ancestors: Array<object> = []): unknown => {
  if (typeof u !== "object" || u === null || (!Array.isArray(u) && !isPlainObject(u))) return u
  if (ancestors.includes(u)) throw new TypeError("the request refers to itself (a circular reference)")
  ancestors.push(u)
  let out: unknown
  if (Array.isArray(u)) {
    out = u.map((item) => dropUndefined(item, ancestors))
  } else {
    const record: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(u)) {
      if (value !== undefined) record[key] = dropUndefined(value, ancestors)
    }
    out = record
  }
  ancestors.pop()
  return out
}

/**
 * Runs a body builder, turning what it throws (a circular reference) into an `InvalidRequestError`.
 *
 * @internal
 */
export const buildBodyEither = <A>(build: () => A): Either.Either<A, GigaChatError.InvalidRequestError> => {
  try {
    return Either.right(build())
  } catch (cause) {
    return Either.left(
      new GigaChatError.InvalidRequestError({
        description: cause instanceof Error ? cause.message : String(cause),
        cause
      })
    )
  }
}

/**
 * The JSON body of a request. A value JSON cannot carry (a BigInt, a circular reference) is the caller's mistake:
 * an `InvalidRequestError`, not a defect.
 */
const jsonBodyEither = (
  body: unknown
): Either.Either<HttpBody.Uint8Array, GigaChatError.InvalidRequestError> => {
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
 * A POST of an encoded body as JSON, or the body's `InvalidRequestError`: then nothing is sent.
 *
 * @internal
 */
export const postJsonEither = (
  url: string,
  body: Either.Either<unknown, GigaChatError.InvalidRequestError>
): Either.Either<HttpClientRequest.HttpClientRequest, GigaChatError.InvalidRequestError> =>
  Either.map(Either.flatMap(body, jsonBodyEither), (json) => HttpClientRequest.post(url, { body: json }))

/**
 * A request body checked by its Schema and encoded: a value the Schema refuses is an `InvalidRequestError` naming each
 * offending field.
 *
 * @internal
 */
export const encodeBodyEither = <A, I>(
  schema: Schema.Schema<A, I>,
  value: unknown
): Either.Either<unknown, GigaChatError.InvalidRequestError> => {
  const check = requestCheck(schema)
  if (check !== undefined && check(value)) return Either.right(value)
  return Either.mapLeft(
    Schema.encodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value),
    (error) => new GigaChatError.InvalidRequestError({ description: describeParseError(error), cause: error })
  )
}

const requestChecks = new WeakMap<Schema.Schema.Any, ((u: unknown) => boolean) | undefined>()

/**
 * For a request Schema that encodes every value to itself (no transformation anywhere: its encoded side is its type),
 * the compiled check of its type: a value that passes it is its own encoding, and only one that fails is encoded, for
 * the error's message.
 */
const requestCheck = <A, I>(schema: Schema.Schema<A, I>): ((u: unknown) => boolean) | undefined => {
  if (requestChecks.has(schema)) return requestChecks.get(schema)
  const check = AST.encodedAST(schema.ast) === AST.typeAST(schema.ast)
    ? TypeGuard.make(schema, { onExcessProperty: "error" })
    : undefined
  requestChecks.set(schema, check)
  return check
}

/**
 * A request body as the caller wrote it (the Schema's encoded side, defaults left out) checked by decoding it, then
 * encoded with its defaults filled in: a value the Schema refuses is an `InvalidRequestError` naming each field.
 *
 * @internal
 */
export const normalizeBodyEither = <A, I>(
  schema: Schema.Schema<A, I>,
  value: unknown
): Either.Either<unknown, GigaChatError.InvalidRequestError> =>
  Either.flatMap(
    Either.mapLeft(
      Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })(value),
      (error) => new GigaChatError.InvalidRequestError({ description: describeParseError(error), cause: error })
    ),
    (decoded) => encodeBodyEither(schema, decoded)
  )
