/**
 * `/functions/convert`: turns an OpenAPI document (JSON, or YAML in the block style OpenAPI files are written in)
 * into GigaChat function specifications, one per operation.
 */
import { sampleFromSchema } from "./text.js"

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

// ---------------------------------------------------------------------------------------------------------------
// A YAML subset: block mappings and sequences, plain / quoted / block scalars, single-line flow collections
// ---------------------------------------------------------------------------------------------------------------

interface Line {
  readonly indent: number
  readonly text: string
}

const stripComment = (text: string): string => {
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quote !== undefined) {
      if (char === quote) quote = undefined
      else if (char === "\\" && quote === "\"") i++
    } else if (char === "\"" || char === "'") {
      quote = char
    } else if (char === "#" && (i === 0 || text[i - 1] === " " || text[i - 1] === "\t")) {
      return text.slice(0, i).trimEnd()
    }
  }
  return text.trimEnd()
}

/** Index of the `:` that separates a mapping key from its value, or -1. */
const keySeparator = (text: string): number => {
  let quote: string | undefined
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (quote !== undefined) {
      if (char === quote) quote = undefined
      else if (char === "\\" && quote === "\"") i++
    } else if ((char === "\"" || char === "'") && i === 0) {
      quote = char
    } else if (char === "[" || char === "{") {
      depth++
    } else if (char === "]" || char === "}") {
      depth--
    } else if (char === ":" && depth === 0 && (i === text.length - 1 || text[i + 1] === " ")) {
      return i
    }
  }
  return -1
}

class YamlError extends Error {}

const parseFlow = (text: string): Json => {
  let index = 0
  const skip = () => {
    while (index < text.length && text[index] === " ") index++
  }
  const value = (terminators: string): Json => {
    skip()
    const char = text[index]
    if (char === "[") {
      index++
      const items: Array<Json> = []
      skip()
      if (text[index] === "]") {
        index++
        return items
      }
      for (;;) {
        items.push(value(",]"))
        skip()
        const next = text[index++]
        if (next === "]") return items
        if (next !== ",") throw new YamlError("bad flow sequence")
      }
    }
    if (char === "{") {
      index++
      const object: Record<string, Json> = {}
      skip()
      if (text[index] === "}") {
        index++
        return object
      }
      for (;;) {
        const key = value(":,}")
        skip()
        if (text[index] !== ":") throw new YamlError("bad flow mapping")
        index++
        object[String(key)] = value(",}")
        skip()
        const next = text[index++]
        if (next === "}") return object
        if (next !== ",") throw new YamlError("bad flow mapping")
      }
    }
    if (char === "\"" || char === "'") {
      let end = index + 1
      while (end < text.length && text[end] !== char) end += text[end] === "\\" && char === "\"" ? 2 : 1
      const scalar = parseScalar(text.slice(index, end + 1))
      index = end + 1
      return scalar
    }
    let end = index
    while (end < text.length && !terminators.includes(text[end])) end++
    const scalar = parseScalar(text.slice(index, end).trim())
    index = end
    return scalar
  }
  const result = value("")
  skip()
  if (index !== text.length) throw new YamlError("trailing characters in flow collection")
  return result
}

const parseScalar = (text: string): Json => {
  if (text.startsWith("\"")) {
    if (!text.endsWith("\"") || text.length < 2) throw new YamlError("unterminated string")
    return JSON.parse(text) as string
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new YamlError("unterminated string")
    return text.slice(1, -1).replace(/''/g, "'")
  }
  if (text.startsWith("[") || text.startsWith("{")) return parseFlow(text)
  if (text === "" || text === "~" || text === "null" || text === "Null" || text === "NULL") return null
  if (/^(true|True|TRUE)$/.test(text)) return true
  if (/^(false|False|FALSE)$/.test(text)) return false
  if (/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)$/.test(text)) return Number(text)
  return text
}

const parseYaml = (source: string): Json => {
  const rawLines = source.replace(/\r\n?/g, "\n").split("\n")
  const lines: Array<Line & { readonly raw: string }> = []
  for (const raw of rawLines) {
    if (raw.trim() === "---" || raw.trim() === "...") continue
    const text = stripComment(raw)
    if (text.trim() === "") {
      lines.push({ indent: -1, text: "", raw })
      continue
    }
    if (/^\s*\t/.test(text)) throw new YamlError("tabs are not allowed for indentation")
    const indent = text.length - text.trimStart().length
    lines.push({ indent, text: text.trimStart(), raw })
  }
  let index = 0
  const skipBlank = () => {
    while (index < lines.length && lines[index].indent === -1) index++
  }
  const isDash = (text: string) => text === "-" || text.startsWith("- ")

  const blockScalar = (indicator: string, parentIndent: number): string => {
    const collected: Array<string> = []
    let blockIndent: number | undefined
    while (index < lines.length && (lines[index].indent === -1 || lines[index].indent > parentIndent)) {
      const line = lines[index++]
      if (line.indent === -1) {
        collected.push("")
        continue
      }
      const raw = line.raw.replace(/\s+$/, "")
      blockIndent ??= raw.length - raw.trimStart().length
      collected.push(raw.slice(blockIndent))
    }
    while (collected.length > 0 && collected[collected.length - 1] === "") collected.pop()
    const body = indicator.startsWith(">") ?
      collected.join("\n").replace(/([^\n])\n(?=[^\n])/g, "$1 ") :
      collected.join("\n")
    // "|-" strips the final line break; "|" and "|+" keep one (trailing blank lines are not kept).
    return indicator.includes("-") ? body : body + "\n"
  }

  const valueAfterKey = (rest: string, indent: number): Json => {
    if (rest === "") {
      skipBlank()
      if (index >= lines.length) return null
      const next = lines[index]
      if (next.indent > indent) return block(next.indent)
      if (next.indent === indent && isDash(next.text)) return block(indent)
      return null
    }
    if (/^[|>][-+]?$/.test(rest)) return blockScalar(rest, indent)
    return parseScalar(rest)
  }

  const mapping = (indent: number, first?: string): Json => {
    const object: Record<string, Json> = {}
    const entry = (text: string) => {
      const separator = keySeparator(text)
      if (separator === -1) throw new YamlError(`expected a mapping entry: ${text}`)
      const key = String(parseScalar(text.slice(0, separator).trim()))
      object[key] = valueAfterKey(text.slice(separator + 1).trim(), indent)
    }
    if (first !== undefined) entry(first)
    for (;;) {
      skipBlank()
      if (index >= lines.length) break
      const line = lines[index]
      if (line.indent < indent || (line.indent === indent && isDash(line.text))) break
      if (line.indent > indent) throw new YamlError("unexpected indentation")
      index++
      entry(line.text)
    }
    return object
  }

  const sequence = (indent: number): Json => {
    const items: Array<Json> = []
    for (;;) {
      skipBlank()
      if (index >= lines.length) break
      const line = lines[index]
      if (line.indent !== indent || !isDash(line.text)) break
      index++
      const rest = line.text.slice(1).trimStart()
      if (rest === "") {
        items.push(valueAfterKey("", indent))
      } else if (keySeparator(rest) !== -1 && !rest.startsWith("[") && !rest.startsWith("{")) {
        items.push(mapping(indent + (line.text.length - rest.length), rest))
      } else {
        items.push(parseScalar(rest))
      }
    }
    return items
  }

  const block = (indent: number): Json => {
    skipBlank()
    if (index >= lines.length) return null
    const line = lines[index]
    if (isDash(line.text)) return sequence(indent)
    if (keySeparator(line.text) === -1) {
      index++
      return parseScalar(line.text)
    }
    return mapping(indent)
  }

  skipBlank()
  if (index >= lines.length) return null
  const result = block(lines[index].indent)
  skipBlank()
  if (index < lines.length) throw new YamlError("unexpected content")
  return result
}

/**
 * Parses an OpenAPI document given as JSON or YAML; `undefined` when it is neither.
 *
 * @internal
 */
export const parseDocument = (text: string): unknown => {
  const trimmed = text.trim()
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed)
    } catch {
      // fall through: flow-style YAML
    }
  }
  try {
    return parseYaml(text)
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------------
// OpenAPI -> functions
// ---------------------------------------------------------------------------------------------------------------

const methods = ["get", "post", "put", "patch", "delete"] as const

const resolve = (document: Record<string, unknown>, value: unknown, depth = 0): unknown => {
  if (depth > 16) return value
  if (Array.isArray(value)) return value.map((item) => resolve(document, item, depth + 1))
  if (!isRecord(value)) return value
  if (typeof value.$ref === "string" && value.$ref.startsWith("#/")) {
    let node: unknown = document
    for (const segment of value.$ref.slice(2).split("/")) {
      node = isRecord(node) ? node[segment] : undefined
    }
    return node === undefined ? {} : resolve(document, node, depth + 1)
  }
  const result: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) result[key] = resolve(document, item, depth + 1)
  return result
}

const jsonSchemaOf = (content: unknown): Record<string, unknown> | undefined => {
  if (!isRecord(content)) return undefined
  const media = content["application/json"] ?? Object.values(content)[0]
  return isRecord(media) && isRecord(media.schema) ? media.schema : undefined
}

const functionName = (method: string, path: string): string =>
  `${method}_${path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "")}`

/**
 * The GigaChat function specifications for every operation of an OpenAPI document; `undefined` when the document
 * has no `paths`.
 *
 * @internal
 */
export const convert = (input: unknown): Array<Record<string, unknown>> | undefined => {
  if (!isRecord(input) || !isRecord(input.paths)) return undefined
  const document = input
  const functions: Array<Record<string, unknown>> = []
  for (const [path, rawItem] of Object.entries(input.paths)) {
    const item = resolve(document, rawItem)
    if (!isRecord(item)) continue
    for (const method of methods) {
      const operation = item[method]
      if (!isRecord(operation)) continue
      const properties: Record<string, unknown> = {}
      const required: Array<string> = []
      const parameters = [
        ...(Array.isArray(item.parameters) ? item.parameters : []),
        ...(Array.isArray(operation.parameters) ? operation.parameters : [])
      ]
      for (const parameter of parameters) {
        if (!isRecord(parameter) || typeof parameter.name !== "string") continue
        const schema = isRecord(parameter.schema) ? parameter.schema : { type: "string" }
        properties[parameter.name] = typeof parameter.description === "string" ?
          { ...schema, description: parameter.description } :
          schema
        if (parameter.required === true) required.push(parameter.name)
      }
      const body = isRecord(operation.requestBody) ? jsonSchemaOf(operation.requestBody.content) : undefined
      if (body !== undefined) {
        if (isRecord(body.properties)) Object.assign(properties, body.properties)
        if (Array.isArray(body.required)) {
          for (const key of body.required) if (typeof key === "string") required.push(key)
        }
      }
      const functionParameters: Record<string, unknown> = { type: "object", properties }
      if (required.length > 0) functionParameters.required = required
      const responses = isRecord(operation.responses) ? operation.responses : {}
      const success = Object.entries(responses).find(([status]) => /^2/.test(status))?.[1]
      const returns = isRecord(success) ? jsonSchemaOf(success.content) : undefined
      const name = typeof operation.operationId === "string" ? operation.operationId : functionName(method, path)
      const summary = typeof operation.summary === "string" ? operation.summary.trim() : undefined
      const description = typeof operation.description === "string" ? operation.description.trim() : summary ?? ""
      const examples = Array.isArray(operation["x-few-shot-examples"]) ?
        operation["x-few-shot-examples"] :
        [{
          request: summary ?? (description || name),
          params: sampleFromSchema(functionParameters)
        }]
      functions.push({
        name,
        description,
        parameters: functionParameters,
        return_parameters: returns === undefined ? { type: "object", properties: {} } : { type: "object", ...returns },
        few_shot_examples: examples
      })
    }
  }
  return functions
}
