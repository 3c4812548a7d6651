/**
 * Deterministic text helpers of the emulator: token estimates, replies, embeddings, AI-check verdicts and sample
 * values for JSON schemas and regular expressions. Everything here is a pure function of its input.
 */

const tokenPattern = /[\p{L}\p{N}_]+|[^\p{L}\p{N}_\s]/gu

/**
 * A token estimate: one token per word and per punctuation mark ("Hello, world!" is 4, as the real server says).
 *
 * @internal
 */
export const countTokens = (text: string): number => {
  let count = 0
  tokenPattern.lastIndex = 0
  while (tokenPattern.exec(text) !== null) count++
  return count
}

/**
 * Length in Unicode code points.
 *
 * @internal
 */
export const countCharacters = (text: string): number => {
  let count = 0
  for (const _ of text) count++
  return count
}

/**
 * 32-bit FNV-1a hash of the UTF-16 code units.
 *
 * @internal
 */
export const hash = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/**
 * A small seeded pseudo-random generator (mulberry32) giving numbers in [0, 1).
 *
 * @internal
 */
export const seededRandom = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A deterministic embedding: roughly normal values (sum of three uniforms), rounded to 1/4096 like the half
 * precision numbers the real server sends, so the JSON stays short.
 *
 * @internal
 */
export const embed = (text: string, dimensions: number): Array<number> => {
  const random = seededRandom(hash(text))
  const vector = new Array<number>(dimensions)
  for (let i = 0; i < dimensions; i++) {
    const value = (random() + random() + random() - 1.5) * 1.4
    vector[i] = Math.round(value * 4096) / 4096
  }
  return vector
}

/**
 * Splits a reply into stream chunks of one word each, trailing whitespace kept, so that the chunks joined give the
 * reply back.
 *
 * @internal
 */
export const splitWords = (text: string): Array<string> => {
  const words = text.match(/\s*\S+\s*/g)
  return words === null ? [text] : words
}

const maxCount = 100

const unquote = (text: string): string => {
  const trimmed = text.trim()
  const quoted = /^(["'«“])(.*)(["'»”])$/s.exec(trimmed)
  return quoted ? quoted[2] : trimmed
}

/**
 * The reply to a user message. Counting and "say X" prompts get a sensible answer; anything else a fixed template
 * that echoes the message.
 *
 * @internal
 */
export const replyTo = (message: string): string => {
  const text = message.trim()
  if (text === "") {
    return "Hello! I am the GigaChat emulator. How can I help you?"
  }
  const count = /count\s+from\s+(-?\d+)\s+to\s+(-?\d+)/i.exec(text)
  if (count) {
    const from = Number(count[1])
    const to = Number(count[2])
    const step = from <= to ? 1 : -1
    const numbers: Array<number> = []
    for (let n = from; numbers.length < maxCount; n += step) {
      numbers.push(n)
      if (n === to) break
    }
    return numbers.join(", ")
  }
  const say = /^say\s+(.+?)(?:\s+and\s+nothing\s+else)?[.!]?$/is.exec(text)
  if (say) {
    const said = unquote(say[1])
    if (said !== "") return said
  }
  return `You said: "${text}". This is a deterministic reply from the GigaChat emulator.`
}

/**
 * Renders a function result into a short sentence.
 *
 * @internal
 */
export const describeFunctionResult = (name: string, result: unknown): string => {
  if (typeof result === "object" && result !== null && !Array.isArray(result)) {
    const parts = Object.entries(result).map(([key, value]) =>
      `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`
    )
    return `The function ${name} returned ${parts.join(", ")}.`
  }
  return `The function ${name} returned ${typeof result === "string" ? result : JSON.stringify(result)}.`
}

/**
 * The verdict of `/ai/check`: each sentence is "AI" or "human" by its hash; AI sentences give the intervals
 * (1-based, inclusive character positions, as the real server reports them).
 *
 * @internal
 */
export const aiCheck = (text: string): {
  readonly category: "ai" | "human" | "mixed"
  readonly characters: number
  readonly tokens: number
  readonly ai_intervals: Array<[number, number]>
} => {
  const intervals: Array<[number, number]> = []
  let sentences = 0
  let aiSentences = 0
  const pattern = /[^.!?]+[.!?]*/g
  let match: RegExpExecArray | null
  while ((match = pattern.exec(text)) !== null) {
    if (match[0].trim() === "") continue
    sentences++
    if (hash(match[0].trim()) % 2 === 0) continue
    aiSentences++
    const start = match.index + 1
    const end = match.index + match[0].length
    const last = intervals[intervals.length - 1]
    if (last !== undefined && last[1] + 1 >= start) {
      last[1] = end
    } else {
      intervals.push([start, end])
    }
  }
  const category = aiSentences === 0 ? "human" : aiSentences === sentences ? "ai" : "mixed"
  return { category, characters: countCharacters(text), tokens: countTokens(text), ai_intervals: intervals }
}

// ---------------------------------------------------------------------------------------------------------------
// JSON schema samples
// ---------------------------------------------------------------------------------------------------------------

type JsonSchema = Readonly<Record<string, unknown>>

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

const resolveRef = (root: JsonSchema, ref: string): JsonSchema | undefined => {
  if (!ref.startsWith("#/")) return undefined
  let node: unknown = root
  for (const segment of ref.slice(2).split("/")) {
    if (!isRecord(node)) return undefined
    node = node[segment.replace(/~1/g, "/").replace(/~0/g, "~")]
  }
  return isRecord(node) ? node : undefined
}

const sampleString = (schema: JsonSchema, name: string | undefined): string => {
  if (typeof schema.format === "string") {
    switch (schema.format) {
      case "date":
        return "2024-01-01"
      case "date-time":
        return "2024-01-01T00:00:00Z"
      case "email":
        return "user@example.com"
      case "uuid":
        return "00000000-0000-4000-8000-000000000000"
      case "uri":
        return "https://example.com"
    }
  }
  if (typeof schema.pattern === "string") {
    const sample = sampleRegex(schema.pattern)
    if (sample !== undefined) return sample
  }
  let value = name ?? "example"
  const minLength = typeof schema.minLength === "number" ? schema.minLength : 0
  const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : Infinity
  while (value.length < minLength) value += "x"
  return value.length > maxLength ? value.slice(0, maxLength) : value
}

const sampleNumber = (schema: JsonSchema, integer: boolean): number => {
  const minimum = typeof schema.minimum === "number" ?
    schema.minimum :
    typeof schema.exclusiveMinimum === "number" ?
    schema.exclusiveMinimum + 1 :
    undefined
  const maximum = typeof schema.maximum === "number" ?
    schema.maximum :
    typeof schema.exclusiveMaximum === "number" ?
    schema.exclusiveMaximum - 1 :
    undefined
  let value = minimum ?? (maximum !== undefined && maximum < 1 ? maximum : 1)
  if (integer) value = Math.ceil(value)
  return value
}

/**
 * A value that validates against a (simple) JSON schema: `$ref`s into the document, `const`, `enum`, `anyOf` /
 * `oneOf` / `allOf` (first branch), objects with all their properties, arrays honouring `minItems`, strings honouring
 * `format`, `pattern` and length, numbers honouring bounds.
 *
 * @internal
 */
export const sampleFromSchema = (schema: unknown, root?: unknown, name?: string, depth = 0): unknown => {
  if (!isRecord(schema) || depth > 16) return null
  const document = isRecord(root) ? root : schema
  if (typeof schema.$ref === "string") {
    const target = resolveRef(document, schema.$ref)
    return target === undefined ? null : sampleFromSchema(target, document, name, depth + 1)
  }
  if ("const" in schema) return schema.const
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if ("default" in schema && schema.default !== undefined) return schema.default
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const branches = schema[key]
    if (Array.isArray(branches) && branches.length > 0) {
      const usable = branches.find((branch) => !(isRecord(branch) && branch.type === "null")) ?? branches[0]
      return sampleFromSchema(usable, document, name, depth + 1)
    }
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type
  switch (type) {
    case "string":
      return sampleString(schema, name)
    case "integer":
      return sampleNumber(schema, true)
    case "number":
      return sampleNumber(schema, false)
    case "boolean":
      return true
    case "null":
      return null
    case "array": {
      const minItems = typeof schema.minItems === "number" ? schema.minItems : 1
      const items: Array<unknown> = []
      for (let i = 0; i < Math.max(minItems, 1) && i < 16; i++) {
        items.push(sampleFromSchema(schema.items, document, undefined, depth + 1))
      }
      return items
    }
    default: {
      if (type !== "object" && !isRecord(schema.properties)) return name ?? "example"
      const result: Record<string, unknown> = {}
      if (isRecord(schema.properties)) {
        for (const [key, property] of Object.entries(schema.properties)) {
          result[key] = sampleFromSchema(property, document, key, depth + 1)
        }
      }
      return result
    }
  }
}

/**
 * Whether a value has the JSON shape a schema asks for at its top level (the required keys of an object), used to
 * accept a JSON object quoted in the prompt as the structured answer.
 *
 * @internal
 */
export const fitsSchema = (value: unknown, schema: unknown): boolean => {
  if (!isRecord(schema)) return false
  if (schema.type !== "object" && !isRecord(schema.properties)) return false
  if (!isRecord(value)) return false
  const required = Array.isArray(schema.required) ? schema.required : []
  return required.every((key) => typeof key === "string" && key in value)
}

// ---------------------------------------------------------------------------------------------------------------
// Regular expression samples
// ---------------------------------------------------------------------------------------------------------------

/**
 * A string matching a simple regular expression (literals, escapes `\d \w \s`, character classes, groups without
 * alternation, quantifiers `? * + {n} {n,m}`), or `undefined` when the expression is beyond that or the sample does
 * not match it.
 *
 * @internal
 */
export const sampleRegex = (source: string): string | undefined => {
  let output = ""
  let index = 0
  let hasAtom = false
  let lastStart = 0
  const groupStarts: Array<number> = []
  const classSample = (body: string): string | undefined => {
    const negated = body.startsWith("^")
    const content = negated ? body.slice(1) : body
    if (negated) return content.includes("a") ? "!" : "a"
    if (content.startsWith("\\d")) return "1"
    if (content.startsWith("\\w")) return "a"
    if (content.length >= 3 && content[1] === "-") return content[0]
    return content[0] === "\\" ? content[1] : content[0]
  }
  try {
    while (index < source.length) {
      const char = source[index]
      if (char === "^" || char === "$") {
        index++
        continue
      }
      if (char === "|") return undefined
      if (char === "(") {
        groupStarts.push(output.length)
        index += source.startsWith("(?:", index) ? 3 : 1
        hasAtom = false
        continue
      }
      if (char === ")") {
        const start = groupStarts.pop()
        if (start === undefined) return undefined
        lastStart = start
        hasAtom = true
        index++
        continue
      }
      if (char === "?" || char === "*") {
        if (!hasAtom) return undefined
        output = output.slice(0, lastStart)
        hasAtom = false
        index++
        continue
      }
      if (char === "+") {
        if (!hasAtom) return undefined
        hasAtom = false
        index++
        continue
      }
      if (char === "{") {
        const quantifier = /^\{(\d+)(?:,(\d*))?\}/.exec(source.slice(index))
        if (quantifier === null || !hasAtom) return undefined
        const times = Number(quantifier[1])
        const atom = output.slice(lastStart)
        output = output.slice(0, lastStart) + atom.repeat(times)
        hasAtom = false
        index += quantifier[0].length
        continue
      }
      lastStart = output.length
      if (char === "[") {
        const end = source.indexOf("]", index + 2)
        if (end === -1) return undefined
        const sample = classSample(source.slice(index + 1, end))
        if (sample === undefined) return undefined
        output += sample
        hasAtom = true
        index = end + 1
        continue
      }
      if (char === "\\") {
        const escaped = source[index + 1]
        const sample = escaped === "d" ? "1" : escaped === "w" ? "a" : escaped === "s" ? " " : escaped
        if (sample === undefined) return undefined
        output += sample
        hasAtom = true
        index += 2
        continue
      }
      const sample = char === "." ? "a" : char
      output += sample
      hasAtom = true
      index++
    }
    return new RegExp(`^(?:${source})$`).test(output) ? output : undefined
  } catch {
    return undefined
  }
}
