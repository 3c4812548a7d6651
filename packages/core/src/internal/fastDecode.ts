/**
 * Decoding with a fast path for values that already have the Schema's type. A chat answer without `null`s and with
 * every defaulted field present decodes to an equal value; checking that it has the type is several times cheaper
 * than decoding it (the decoder builds a copy of every struct, twice for a struct with optional nullable fields).
 * Such a value is returned as it is; anything else is decoded, which drops the `null`s, fills the defaults and
 * reports what is wrong.
 *
 * Fields the schema does not know are kept on both paths (`onExcessProperty: "preserve"`): a field the server adds
 * reaches the caller (untyped) instead of being dropped, and both paths give the same value. Rejecting them in the
 * check instead would make it three times slower.
 *
 * The fast path is only taken for schemas marked with `decodesToItself`. A Schema transformation in general does not
 * map a value of its type to itself; every marked schema is checked for it by a property test
 * (`test/FastDecode.test.ts`).
 */
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

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

const decoders = new WeakMap<Schema.Schema.AnyNoContext, Decoder<unknown>>()

/**
 * `Schema.decodeUnknownEither(schema)` keeping unknown fields, with the fast path for a marked schema; built once per schema.
 *
 * @internal
 */
export const decoder = <A, I>(schema: Schema.Schema<A, I>): Decoder<A> => {
  const cached = decoders.get(schema)
  if (cached !== undefined) return cached as Decoder<A>
  const decode = Schema.decodeUnknownEither(schema, { onExcessProperty: "preserve" })
  let made: Decoder<A> = decode
  if (marked.has(schema)) {
    const is = Schema.is(schema)
    made = (u) => is(u) ? Either.right(u) : decode(u)
  }
  decoders.set(schema, made as Decoder<unknown>)
  return made
}
