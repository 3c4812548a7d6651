/**
 * What the SDK does to the JSON Schemas `JSONSchema.make` produces, before they are sent: reading local references
 * (`Tool`'s function schemas) and inlining them (structured output).
 */

/** @internal */
export type JsonSchema = Record<string, unknown>

/** @internal */
export const isJsonObject = (u: unknown): u is JsonSchema => typeof u === "object" && u !== null && !Array.isArray(u)

const refPrefix = "#/$defs/"

/**
 * The definition name of a local `$ref` (a JSON pointer segment: `~1` is `/`, `~0` is `~`), or undefined.
 *
 * @internal
 */
export const refName = (ref: string): string | undefined =>
  ref.startsWith(refPrefix) ? ref.slice(refPrefix.length).replace(/~1/g, "/").replace(/~0/g, "~") : undefined

/**
 * `schema` with its local `$ref`s replaced by their definitions, as the Python SDK sends a pydantic model: the root
 * is the object itself, not a reference to it (`JSONSchema.make` makes one for a `Schema.Class` or any schema with
 * an identifier, and references even `Schema.Int`). Siblings of a `$ref` (its annotations) win over the definition.
 * A recursive definition cannot be inlined: its references stay, with the `$defs` they point to.
 *
 * @internal
 */
export const inlineRefs = (root: JsonSchema): JsonSchema => {
  const defs = isJsonObject(root.$defs) ? root.$defs : {}
  let kept = false
  const inline = (node: unknown, seen: ReadonlyArray<string>): unknown => {
    if (Array.isArray(node)) return node.map((item) => inline(item, seen))
    if (!isJsonObject(node)) return node
    let current = node
    let stack = seen
    while (typeof current.$ref === "string") {
      const name = refName(current.$ref)
      if (name === undefined) break
      const target = defs[name]
      if (!isJsonObject(target) || stack.includes(name)) {
        kept = true
        break
      }
      const { $ref: _, ...siblings } = current
      current = { ...target, ...siblings }
      stack = [...stack, name]
    }
    const out: JsonSchema = {}
    for (const key in current) {
      if (key !== "$defs") out[key] = inline(current[key], stack)
    }
    return out
  }
  const out = inline(root, []) as JsonSchema
  return kept ? { ...out, $defs: defs } : out
}
