/**
 * Decoding with a fast path for values that already have the Schema's type. A chat answer without `null`s and with
 * every defaulted field present decodes to an equal value; checking that it has the type is several times cheaper
 * than decoding it (the decoder builds a copy of every struct, twice for a struct with optional nullable fields).
 * Such a value is returned as it is; anything else is decoded, which drops the `null`s, fills the defaults and
 * reports what is wrong.
 *
 * In responses, fields the schema does not know are kept on both paths (`onExcessProperty: "preserve"`): a field the
 * server adds reaches the caller (untyped) instead of being dropped, and both paths give the same value; rejecting
 * them in the check would make it three times slower. In requests they are dropped, as before: the check rejects a
 * value that has any, and the decoder drops them.
 *
 * The check is `Schema.is` compiled into plain predicates (`internal/typeGuard.ts`), several times cheaper again.
 *
 * The fast path is only taken for schemas marked with `decodesToItself`. A Schema transformation in general does not
 * map a value of its type to itself; every marked schema is checked for it by a property test
 * (`test/FastDecode.test.ts`).
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as TypeGuard from "./typeGuard.js"

const marked = new WeakSet<Schema.Schema.AnyNoContext>()

/**
 * Marks a schema whose every value of its type decodes to an equal value.
 *
 * @internal
 */
export const decodesToItself = <S extends Schema.Schema.AnyNoContext>(schema: S): S => {
  marked.add(schema)
  return schema
}

/** @internal */
export type Decoder<A> = (u: unknown) => Either.Either<A, ParseResult.ParseError>

/**
 * What a decoder does with fields its schema does not know: responses `"keep"` them; requests `"drop"` them (the
 * check then rejects a value that has any, so that it takes the decoder, which drops them). `errors: "all"` lists
 * every issue of a failure instead of the first.
 *
 * @internal
 */
export interface Options {
  readonly unknownFields: "keep" | "drop"
  readonly errors?: "first" | "all" | undefined
}

/**
 * A decoder with the fast path for a marked schema.
 *
 * @internal
 */
export const make = <A, I>(schema: Schema.Schema<A, I>, options: Options): Decoder<A> => {
  const keep = options.unknownFields === "keep"
  const decode = Schema.decodeUnknownEither(schema, {
    onExcessProperty: keep ? "preserve" : "ignore",
    errors: options.errors ?? "first"
  })
  if (!marked.has(schema)) return decode
  const is = TypeGuard.make(schema, { onExcessProperty: keep ? "ignore" : "error" })
  return (u) => is(u) ? Either.right(u) : decode(u)
}

const decoders = new WeakMap<Schema.Schema.AnyNoContext, Decoder<unknown>>()

/**
 * The decoder of responses (unknown fields kept), built once per schema.
 *
 * @internal
 */
export const decoder = <A, I>(schema: Schema.Schema<A, I>): Decoder<A> => {
  const cached = decoders.get(schema)
  if (cached !== undefined) return cached as Decoder<A>
  const made = make(schema, { unknownFields: "keep" })
  decoders.set(schema, made as Decoder<unknown>)
  return made
}
