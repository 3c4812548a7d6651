/**
 * The compiled `Schema.is` (internal/typeGuard.ts) answers as `Schema.is` does, for both excess-property modes: on
 * values of the type, on those values broken in one place (a key removed, a value replaced, a key added), and on
 * arbitrary JSON. The schemas are the ones the fast decode path checks, some other answers, and a small schema with
 * every node kind the guard compiles or hands to the parser.
 */
import { Balance, Chat, Embeddings, Files, Models, Tokens } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as TypeGuard from "../src/internal/typeGuard.js"
import { completion } from "./utils/fixtures.js"

interface Tree {
  readonly label: string
  readonly children: ReadonlyArray<Tree>
}
const Tree: Schema.Schema<Tree> = Schema.Struct({
  label: Schema.String,
  children: Schema.Array(Schema.suspend(() => Tree))
})

/** Every node kind: optional and required keys, index signatures, tuples, refinements, recursion, fallbacks. */
const Kinds = Schema.Struct(
  {
    literal: Schema.Literal("a", "b", 1, true),
    optional: Schema.optional(Schema.Number),
    nullable: Schema.optionalWith(Schema.String, { nullable: true }),
    defaulted: Schema.optionalWith(Schema.Boolean, { default: () => false }),
    int: Schema.Int.pipe(Schema.between(0, 10)),
    tuple: Schema.Tuple(Schema.String, Schema.optionalElement(Schema.Number)),
    rest: Schema.Tuple([Schema.Boolean], Schema.Number),
    tree: Tree,
    record: Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Number, Schema.Undefined) }),
    template: Schema.TemplateLiteral("id-", Schema.Number),
    checked: Schema.Struct({ low: Schema.Number, high: Schema.Number }).pipe(
      Schema.filter((range) => range.low <= range.high)
    ),
    unknown: Schema.Unknown,
    date: Schema.DateFromSelf
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

const schemas: ReadonlyArray<readonly [string, Schema.Schema<any, any>]> = [
  ["Chat.Chat", Chat.Chat],
  ["Chat.ChatCompletion", Chat.ChatCompletion],
  ["Chat.ChatCompletionChunk", Chat.ChatCompletionChunk],
  ["Embeddings.Embeddings", Embeddings.Embeddings],
  ["Models.Models", Models.Models],
  ["Files.UploadedFile", Files.UploadedFile],
  ["Balance.Balance", Balance.Balance],
  ["Tokens.TokensCount", Tokens.TokensCount],
  ["node kinds", Kinds]
]

type Path = ReadonlyArray<string | number>

/** The paths of every object and array inside a value, the value itself first. */
const containers = (value: unknown, path: Path = []): Array<Path> => {
  if (typeof value !== "object" || value === null || value instanceof Date) return []
  const inner = Array.isArray(value)
    ? value.flatMap((item, index) => containers(item, [...path, index]))
    : Object.keys(value).flatMap((key) => containers((value as Record<string, unknown>)[key], [...path, key]))
  return [path, ...inner]
}

type Change =
  | { readonly _tag: "remove"; readonly pick: number }
  | { readonly _tag: "replace"; readonly pick: number; readonly value: unknown }
  | { readonly _tag: "add"; readonly key: string; readonly value: unknown }

/** The value with the container at `path` changed (copies along the path; the original is left as it is). */
const changeAt = (value: unknown, path: Path, change: Change): unknown => {
  if (path.length > 0) {
    const [head, ...tail] = path
    if (Array.isArray(value)) {
      const copy = value.slice()
      copy[head as number] = changeAt(value[head as number], tail, change)
      return copy
    }
    return { ...(value as object), [head!]: changeAt((value as Record<string, unknown>)[head!], tail, change) }
  }
  if (Array.isArray(value)) {
    const copy = value.slice()
    if (change._tag === "remove") copy.splice(change.pick % Math.max(copy.length, 1), 1)
    else if (change._tag === "replace") copy[change.pick % Math.max(copy.length, 1)] = change.value
    else copy.push(change.value)
    return copy
  }
  const copy: Record<string, unknown> = { ...(value as object) }
  const keys = Object.keys(copy)
  if (change._tag === "remove") {
    if (keys.length > 0) delete copy[keys[change.pick % keys.length]!]
  } else if (change._tag === "replace") {
    if (keys.length > 0) copy[keys[change.pick % keys.length]!] = change.value
  } else {
    copy[change.key] = change.value
  }
  return copy
}

const change: FastCheck.Arbitrary<Change> = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("remove" as const), pick: FastCheck.nat() }),
  FastCheck.record({
    _tag: FastCheck.constant("replace" as const),
    pick: FastCheck.nat(),
    value: FastCheck.jsonValue()
  }),
  FastCheck.record({
    _tag: FastCheck.constant("add" as const),
    key: FastCheck.constantFrom("extra", "role", "content", "index", "model", "__proto__"),
    value: FastCheck.jsonValue()
  })
)

const modes = ["ignore", "error"] as const

describe("TypeGuard", () => {
  for (const [name, schema] of schemas) {
    const typed = Arbitrary.make(Schema.typeSchema(schema))
    const broken = typed.chain((value) => {
      const paths = containers(value)
      return paths.length === 0
        ? FastCheck.constant(value)
        : FastCheck.tuple(FastCheck.nat(paths.length - 1), change).map(([pick, how]) =>
          changeAt(value, paths[pick]!, how)
        )
    })

    for (const onExcessProperty of modes) {
      const expected = Schema.is(schema, { onExcessProperty })
      const compiled = TypeGuard.make(schema, { onExcessProperty })
      const same = (value: unknown) => assert.strictEqual(compiled(value), expected(value))

      it(`${name}, excess ${onExcessProperty}: values of the type`, () => {
        FastCheck.assert(FastCheck.property(typed, (value) => assert.isTrue(compiled(value))), { numRuns: 100 })
      })

      it(`${name}, excess ${onExcessProperty}: the same answer on broken and arbitrary values`, () => {
        FastCheck.assert(FastCheck.property(broken, same), { numRuns: 250 })
        FastCheck.assert(FastCheck.property(FastCheck.jsonValue(), same), { numRuns: 100 })
      })
    }
  }

  it("answers false on what Schema.is rejects, for each kind of mistake", () => {
    const is = TypeGuard.make(Chat.ChatCompletion, { onExcessProperty: "ignore" })
    const strict = TypeGuard.make(Chat.ChatCompletion, { onExcessProperty: "error" })
    assert.isTrue(is(completion))
    assert.isTrue(is({ ...completion, region: "ru" }))
    assert.isFalse(strict({ ...completion, region: "ru" }))
    assert.isFalse(is({ ...completion, created: "1" }))
    assert.isFalse(is({ ...completion, choices: [{ ...completion.choices[0], index: "0" }] }))
    assert.isFalse(is({ ...completion, choices: [{ ...completion.choices[0], message: { role: "robot" } }] }))
    assert.isFalse(is({ ...completion, usage: undefined }))
    assert.isFalse(is([completion]))
    // A symbol key is never expected by a string index signature: only the strict mode rejects it.
    const [kinds] = FastCheck.sample(Arbitrary.make(Schema.typeSchema(Kinds)), { numRuns: 1, seed: 1 })
    const withSymbol = { ...kinds, [Symbol.for("extra")]: 1 }
    for (const onExcessProperty of modes) {
      assert.strictEqual(
        TypeGuard.make(Kinds, { onExcessProperty })(withSymbol),
        Schema.is(Kinds, { onExcessProperty })(withSymbol)
      )
    }
    assert.isFalse(TypeGuard.make(Kinds, { onExcessProperty: "error" })(withSymbol))
    assert.isFalse(is(null))
  })
})
