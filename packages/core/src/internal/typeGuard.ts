/**
 * How responses are decoded: with a fast path for values that already have the Schema's type. A chat answer without
 * `null`s and with every defaulted field present decodes to an equal value; checking that it has the type is several
 * times cheaper than decoding it (the decoder builds a copy of every struct, twice for a struct with optional
 * nullable fields). Such a value is returned as it is; anything else is decoded, which drops the `null`s, fills the
 * defaults and reports what is wrong. The fast path is only taken for schemas marked with `decodesToItself` (a
 * property test, `test/TypeGuard.test.ts`, checks each marked schema maps every value of its type to itself).
 *
 * In responses, fields the schema does not know are kept on both paths (`onExcessProperty: "preserve"`): a field the
 * server adds reaches the caller (untyped) instead of being dropped, and both paths give the same value.
 *
 * The check is `Schema.is`, compiled (`make`). `Schema.is` runs the Schema's parser, which builds a copy of every
 * struct and array it checks and wraps every step in an `Either`; the guard made here walks the type's AST once,
 * ahead of time, into plain predicates that allocate nothing. It answers exactly as `Schema.is(schema,
 * { onExcessProperty })` does (a property test in `test/TypeGuard.test.ts` compares the two on valid, broken and
 * arbitrary values). Nodes it does not compile itself (declarations, template literals, refinements of structs, nodes
 * with parse-option annotations, ...) are checked by the Schema's own parser, so the answer stays the same there
 * too, only not faster.
 */
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/** @internal */
export type Guard = (u: unknown) => boolean

/**
 * What a struct does with keys it does not name: `"ignore"` them, or fail on them (`"error"`).
 *
 * @internal
 */
export interface Options {
  readonly onExcessProperty: "ignore" | "error"
}

/**
 * The compiled equivalent of `Schema.is(schema, options)`.
 *
 * @internal
 */
export const make = <A, I, R>(schema: Schema.Schema<A, I, R>, options: Options): (u: unknown) => u is A =>
  compile(AST.typeAST(schema.ast), options) as (u: unknown) => u is A

const hasOwn = Object.prototype.hasOwnProperty

const always: Guard = () => true

/** Literals and keywords, alone, refined or in unions: what a refinement's filter sees unchanged by the parser. */
const isAtomic = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "Literal":
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "UndefinedKeyword":
    case "UnknownKeyword":
    case "AnyKeyword":
      return true
    case "Refinement":
      return isAtomic(ast.from)
    case "Union":
      return ast.types.every(isAtomic)
    default:
      return false
  }
}

const compile = (root: AST.AST, options: Options): Guard => {
  const parseOptions: AST.ParseOptions = { exact: true, onExcessProperty: options.onExcessProperty }
  const excessIsError = options.onExcessProperty === "error"
  const memo = new Map<AST.AST, Guard>()

  // The Schema's own parser, for the nodes compiled here only in part or not at all.
  const byParser = (ast: AST.AST): Guard => ParseResult.is(Schema.make(ast), parseOptions)

  const go = (ast: AST.AST): Guard => {
    const known = memo.get(ast)
    if (known !== undefined) return known
    const guard = Option.isSome(AST.getParseOptionsAnnotation(ast)) ||
        Option.isSome(AST.getDecodingFallbackAnnotation(ast))
      ? byParser(ast)
      : node(ast)
    memo.set(ast, guard)
    return guard
  }

  const node = (ast: AST.AST): Guard => {
    switch (ast._tag) {
      case "Literal": {
        const literal = ast.literal
        return (u) => u === literal
      }
      case "StringKeyword":
        return (u) => typeof u === "string"
      case "NumberKeyword":
        return (u) => typeof u === "number"
      case "BooleanKeyword":
        return (u) => typeof u === "boolean"
      case "UndefinedKeyword":
        return (u) => u === undefined
      case "UnknownKeyword":
      case "AnyKeyword":
        return always
      case "Union":
        return union(ast.types.map(go))
      case "Refinement":
        return isAtomic(ast.from) ? refinement(ast) : byParser(ast)
      case "TypeLiteral":
        return ast.indexSignatures.every((signature) => signature.parameter._tag === "StringKeyword")
          ? struct(ast)
          : byParser(ast)
      case "TupleType":
        return ast.rest.length <= 1 ? tuple(ast) : byParser(ast)
      case "Suspend": {
        let inner: Guard | undefined
        return (u) => (inner ??= go(ast.f()))(u)
      }
      default:
        return byParser(ast)
    }
  }

  const union = (members: ReadonlyArray<Guard>): Guard => (u) => {
    for (let i = 0; i < members.length; i++) {
      if (members[i]!(u)) return true
    }
    return false
  }

  const refinement = (ast: AST.Refinement): Guard => {
    const from = go(ast.from)
    return (u) => from(u) && Option.isNone(ast.filter(u, parseOptions, ast))
  }

  const struct = (ast: AST.TypeLiteral): Guard => {
    const properties = ast.propertySignatures.map((signature) => ({
      name: signature.name,
      isOptional: signature.isOptional,
      guard: go(signature.type)
    }))
    // Every string key's value is checked against every string index signature, named keys included.
    const values = ast.indexSignatures.map((signature) => go(signature.type))
    const names = new Set<PropertyKey>(properties.map((property) => property.name))
    return (u) => {
      if (typeof u !== "object" || u === null || Array.isArray(u)) return false
      const record = u as Record<PropertyKey, unknown>
      if (excessIsError) {
        for (const key of Reflect.ownKeys(record)) {
          if (!names.has(key) && (values.length === 0 || typeof key !== "string")) return false
        }
      }
      for (let i = 0; i < properties.length; i++) {
        const property = properties[i]!
        if (!hasOwn.call(record, property.name)) {
          // `exact`: a missing key is not the same as `undefined`.
          if (property.isOptional) continue
          return false
        }
        if (!property.guard(record[property.name])) return false
      }
      if (values.length > 0) {
        for (const key of Object.keys(record)) {
          for (let i = 0; i < values.length; i++) {
            if (!values[i]!(record[key])) return false
          }
        }
      }
      return true
    }
  }

  const tuple = (ast: AST.TupleType): Guard => {
    const elements = ast.elements.map((element) => ({ isOptional: element.isOptional, guard: go(element.type) }))
    const rest = ast.rest.length === 1 ? go(ast.rest[0]!.type) : undefined
    const required = elements.filter((element) => !element.isOptional).length
    return (u) => {
      if (!Array.isArray(u)) return false
      const length = u.length
      if (length < required || (rest === undefined && length > elements.length)) return false
      const fixed = Math.min(length, elements.length)
      for (let i = 0; i < fixed; i++) {
        if (!elements[i]!.guard(u[i])) return false
      }
      if (rest !== undefined) {
        for (let i = elements.length; i < length; i++) {
          if (!rest(u[i])) return false
        }
      }
      return true
    }
  }

  return go(root)
}

// -----------------------------------------------------------------------------------------------------------------
// decoding with the fast path
// -----------------------------------------------------------------------------------------------------------------

/** Marked schemas, with the shortcut of those whose decoding reshapes (none for most). */
const marked = new WeakMap<Schema.Schema.AnyNoContext, ((u: unknown) => unknown) | undefined>()

/**
 * Marks a schema whose every value of its type decodes to an equal value.
 *
 * @internal
 */
export const decodesToItself = <S extends Schema.Schema.AnyNoContext>(schema: S): S => {
  marked.set(schema, undefined)
  return schema
}

/**
 * Marks a transformation with a shortcut for its common inputs: `shortcut` answers what decoding an input gives, or
 * `undefined` for an input it leaves to the decoder. The answer is returned when it has the schema's type.
 *
 * @internal
 */
export const decodesWithShortcut = <S extends Schema.Schema.AnyNoContext>(
  schema: S,
  shortcut: (u: unknown) => unknown
): S => {
  marked.set(schema, shortcut)
  return schema
}

/**
 * The shortcut of a schema marked with `decodesWithShortcut` (for the property test that checks it).
 *
 * @internal
 */
export const shortcutOf = (schema: Schema.Schema.AnyNoContext): ((u: unknown) => unknown) | undefined =>
  marked.get(schema)

/** @internal */
export type Decoder<A> = (u: unknown) => Either.Either<A, ParseResult.ParseError>

/**
 * What a decoder does with fields its schema does not know: responses `"keep"` them; requests `"drop"` them (the
 * check then rejects a value that has any, so that it takes the decoder, which drops them). `errors: "all"` lists
 * every issue of a failure instead of the first.
 *
 * @internal
 */
export interface DecoderOptions {
  readonly unknownFields: "keep" | "drop"
  readonly errors?: "first" | "all" | undefined
}

/**
 * A decoder with the fast path for a marked schema.
 *
 * @internal
 */
export const makeDecoder = <A, I>(schema: Schema.Schema<A, I>, options: DecoderOptions): Decoder<A> => {
  const keep = options.unknownFields === "keep"
  const decode = Schema.decodeUnknownEither(schema, {
    onExcessProperty: keep ? "preserve" : "ignore",
    errors: options.errors ?? "first"
  })
  if (!marked.has(schema)) return decode
  const is = make(schema, { onExcessProperty: keep ? "ignore" : "error" })
  const shortcut = marked.get(schema)
  if (shortcut === undefined) return (u) => is(u) ? Either.right(u) : decode(u)
  return (u) => {
    const decoded = shortcut(u)
    return decoded !== undefined && is(decoded) ? Either.right(decoded as A) : decode(u)
  }
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
  const made = makeDecoder(schema, { unknownFields: "keep" })
  decoders.set(schema, made as Decoder<unknown>)
  return made
}
