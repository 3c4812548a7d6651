/**
 * What the emulator reads from a user's prompt: which offered function it is about (by the function's name,
 * description and parameters), and values for arguments and structured answers (a keyed value such as `age 30`, a
 * number, a quoted string, a known city, an enum value the prompt names). Deterministic: the same prompt and schema
 * always give the same result.
 */
import { sampleFromSchema } from "./text.js"

type JsonObject = Record<string, unknown>

const isRecord = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

// ---------------------------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------------------------

/** Words that say nothing about which function is meant. */
const stopWords = new Set([
  "a",
  "about",
  "an",
  "and",
  "any",
  "are",
  "be",
  "by",
  "can",
  "could",
  "current",
  "do",
  "does",
  "for",
  "from",
  "get",
  "give",
  "how",
  "i",
  "in",
  "is",
  "it",
  "its",
  "let",
  "like",
  "me",
  "my",
  "now",
  "of",
  "on",
  "or",
  "please",
  "set",
  "show",
  "tell",
  "that",
  "the",
  "this",
  "to",
  "today",
  "use",
  "want",
  "what",
  "whats",
  "when",
  "which",
  "will",
  "with",
  "would",
  "you",
  "your",
  "в",
  "во",
  "и",
  "или",
  "как",
  "какая",
  "какой",
  "какие",
  "мне",
  "на",
  "о",
  "по",
  "покажи",
  "пожалуйста",
  "сегодня",
  "скажи",
  "для",
  "что",
  "это",
  "у"
])

const words = (text: string): Array<string> =>
  (text.toLowerCase().replace(/['’]/g, "").match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !stopWords.has(word))

/** The words of an identifier: `get_weather`, `getWeather` and `get-weather` all give `get`, `weather`. */
const identifierWords = (name: string): Array<string> =>
  words(name.replace(/([\p{Ll}\d])(\p{Lu})/gu, "$1 $2").replace(/[_-]+/g, " "))

/** Two words match when equal, or when they share a stem (`forecast` / `forecasts`, `погода` / `погоду`). */
const sameWord = (a: string, b: string): boolean => {
  if (a === b) return true
  const shorter = Math.min(a.length, b.length)
  if (shorter < 4) return false
  let common = 0
  while (common < shorter && a[common] === b[common]) common++
  return common >= Math.max(4, shorter - 2)
}

/** Words a prompt uses for a topic without naming it: "is it raining" is about the weather. */
const topics: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["weather", [
    "rain",
    "raining",
    "snow",
    "snowing",
    "sunny",
    "cloudy",
    "windy",
    "temperature",
    "forecast",
    "погода",
    "дождь",
    "снег",
    "температура",
    "прогноз"
  ]],
  ["time", ["clock", "hour", "oclock", "время", "час", "который"]],
  ["price", ["cost", "costs", "expensive", "cheap", "цена", "стоимость", "стоит"]]
]

/** The prompt's words with the topics they imply. */
const withTopics = (prompt: ReadonlyArray<string>): ReadonlyArray<string> => {
  const implied = topics.filter(([, synonyms]) => prompt.some((word) => synonyms.some((s) => sameWord(word, s))))
  return implied.length === 0 ? prompt : [...prompt, ...implied.map(([topic]) => topic)]
}

const countMatches = (prompt: ReadonlyArray<string>, candidates: ReadonlyArray<string>): number =>
  new Set(candidates.filter((candidate) => prompt.some((word) => sameWord(word, candidate)))).size

// ---------------------------------------------------------------------------------------------------------------
// Cities
// ---------------------------------------------------------------------------------------------------------------

/** English name and Russian name of the cities the emulator recognises. */
const cities: ReadonlyArray<readonly [string, string]> = [
  ["Moscow", "Москва"],
  ["Saint Petersburg", "Санкт-Петербург"],
  ["Kazan", "Казань"],
  ["Novosibirsk", "Новосибирск"],
  ["Yekaterinburg", "Екатеринбург"],
  ["Nizhny Novgorod", "Нижний Новгород"],
  ["Samara", "Самара"],
  ["Sochi", "Сочи"],
  ["Vladivostok", "Владивосток"],
  ["Kaliningrad", "Калининград"],
  ["Minsk", "Минск"],
  ["Almaty", "Алматы"],
  ["Astana", "Астана"],
  ["Tashkent", "Ташкент"],
  ["Yerevan", "Ереван"],
  ["Tbilisi", "Тбилиси"],
  ["Baku", "Баку"],
  ["Rome", "Рим"],
  ["Paris", "Париж"],
  ["London", "Лондон"],
  ["Berlin", "Берлин"],
  ["Madrid", "Мадрид"],
  ["Barcelona", "Барселона"],
  ["Milan", "Милан"],
  ["Vienna", "Вена"],
  ["Prague", "Прага"],
  ["Amsterdam", "Амстердам"],
  ["Lisbon", "Лиссабон"],
  ["Athens", "Афины"],
  ["Warsaw", "Варшава"],
  ["Istanbul", "Стамбул"],
  ["Dubai", "Дубай"],
  ["Cairo", "Каир"],
  ["Delhi", "Дели"],
  ["Beijing", "Пекин"],
  ["Tokyo", "Токио"],
  ["Seoul", "Сеул"],
  ["Bangkok", "Бангкок"],
  ["Sydney", "Сидней"],
  ["New York", "Нью-Йорк"],
  ["Los Angeles", "Лос-Анджелес"],
  ["San Francisco", "Сан-Франциско"],
  ["Chicago", "Чикаго"],
  ["Toronto", "Торонто"]
]

/** A Russian name in another case: `Москве`, `Казани`, `Петербурге` for `Москва`, `Казань`, `Петербург`. */
const russianForm = (name: string): RegExp => {
  const stem = /[аяьйыо]$/.test(name) ? name.slice(0, -1) : name
  return new RegExp(`(?<![\\p{L}])${stem.replace(/-/g, "[- ]")}[а-яё]{0,2}(?![\\p{L}])`, "iu")
}

const cityPatterns = cities.map(([english, russian]) => ({
  english,
  russian,
  englishPattern: new RegExp(`(?<![\\p{L}])${english.replace(/ /g, "[- ]")}(?![\\p{L}])`, "iu"),
  russianPattern: russianForm(russian)
}))

/**
 * The first known city the prompt names, in the prompt's language (`Rome`, or `Москва` for "в Москве").
 *
 * @internal
 */
export const findCity = (prompt: string): string | undefined => {
  let best: { readonly at: number; readonly name: string } | undefined
  for (const city of cityPatterns) {
    for (const [pattern, name] of [[city.englishPattern, city.english], [city.russianPattern, city.russian]] as const) {
      const match = pattern.exec(prompt)
      if (match !== null && (best === undefined || match.index < best.at)) best = { at: match.index, name }
    }
  }
  return best?.name
}

const locationPattern = /city|location|place|town|destination|where|address|город|мест|локац|адрес/i

const isLocation = (name: string, schema: unknown): boolean =>
  locationPattern.test(name) || (isRecord(schema) && typeof schema.description === "string" &&
    locationPattern.test(schema.description))

// ---------------------------------------------------------------------------------------------------------------
// Which function
// ---------------------------------------------------------------------------------------------------------------

/** A function as the chat handlers see it. @internal */
export interface FunctionSpec {
  readonly name: string
  readonly description?: string | undefined
  readonly parameters: unknown
}

const mentions = (prompt: string, name: string): boolean => {
  const text = prompt.toLowerCase()
  const lower = name.toLowerCase()
  return text.includes(lower) || text.includes(lower.replace(/[_-]+/g, " "))
}

/**
 * How strongly the prompt is about the function: its name (named outright, or one of its words), its
 * description's words, its parameters' names, and a city for a location parameter. 0 when it is not.
 */
const relevance = (prompt: string, promptWords: ReadonlyArray<string>, spec: FunctionSpec): number => {
  if (mentions(prompt, spec.name)) return 100
  const nameMatches = countMatches(promptWords, identifierWords(spec.name))
  const descriptionMatches = countMatches(promptWords, words(spec.description ?? ""))
  const properties = isRecord(spec.parameters) && isRecord(spec.parameters.properties) ? spec.parameters.properties : {}
  const parameterMatches = countMatches(promptWords, Object.keys(properties).flatMap(identifierWords))
  const cityEvidence = Object.entries(properties).some(([key, schema]) => isLocation(key, schema)) &&
      findCity(prompt) !== undefined ?
    1 :
    0
  const evidence = descriptionMatches + parameterMatches + cityEvidence
  // One word of the name is enough; otherwise two pieces of evidence (a lone city or description word is not).
  if (nameMatches === 0 && evidence < 2) return 0
  return 3 * nameMatches + evidence
}

/**
 * The offered function the prompt is about, if any: the most relevant one, the first of equals.
 *
 * @internal
 */
export const chooseFunction = <F extends FunctionSpec>(
  prompt: string,
  functions: ReadonlyArray<F>
): F | undefined => {
  const promptWords = withTopics(words(prompt))
  let best: { readonly spec: F; readonly score: number } | undefined
  for (const spec of functions) {
    const score = relevance(prompt, promptWords, spec)
    if (score > 0 && (best === undefined || score > best.score)) best = { spec, score }
  }
  return best?.spec
}

const imagePattern =
  /\b(?:draw|paint|sketch|picture|image|illustration|illustrate|photo|icon|logo|render|drawing)s?\b|нарису|изобра|картин|рисун|иллюстрац|фото|логотип|иконк/i

/**
 * Whether the prompt asks for a picture.
 *
 * @internal
 */
export const asksForImage = (prompt: string): boolean => imagePattern.test(prompt)

// ---------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------

/** What the prompt offers, consumed in order as values are taken. */
interface Pool {
  readonly prompt: string
  readonly numbers: Array<number>
  readonly quoted: Array<string>
}

const makePool = (prompt: string): Pool => ({
  prompt,
  numbers: (prompt.match(/(?<![\p{L}\d-])-?\d+(?:[.,]\d+)?(?![\p{L}\d])/gu) ?? []).map((n) =>
    Number(n.replace(",", "."))
  ),
  quoted: Array.from(
    prompt.matchAll(/"([^"]+)"|«([^»]+)»|“([^”]+)”|(?<![\p{L}])'([^']+)'(?![\p{L}])/gu),
    (m) => m[1] ?? m[2] ?? m[3] ?? m[4]
  )
})

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The text right after the key in the prompt: `age 30`, `age: 30`, `age is 30`, `name = "Ann"`, `unit of celsius`. */
const keyedValue = (prompt: string, key: string): string | undefined => {
  const spaced = identifierWords(key).map(escapeRegExp).join("[\\s_-]+")
  if (spaced === "") return undefined
  const match = new RegExp(
    `(?<![\\p{L}])${spaced}(?![\\p{L}])\\s*(?:is|are|was|of|=|:|—|-)?\\s*("[^"]*"|«[^»]*»|[\\p{L}\\p{N}.+-]+)`,
    "iu"
  ).exec(prompt)
  if (match === null) return undefined
  const raw = match[1]
  return /^["«]/.test(raw) ? raw.slice(1, -1) : raw
}

const mentionedEnum = (prompt: string, values: ReadonlyArray<unknown>): unknown =>
  values.find((value) =>
    (typeof value === "string" && value !== "" &&
      new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(value)}(?![\\p{L}\\p{N}])`, "iu").test(prompt)) ||
    (typeof value === "number" && new RegExp(`(?<![\\d.])${value}(?![\\d.])`).test(prompt))
  )

const typeOf = (schema: JsonObject): unknown =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type

const fitsNumber = (schema: JsonObject, n: number): boolean =>
  Number.isFinite(n) &&
  (typeof schema.minimum !== "number" || n >= schema.minimum) &&
  (typeof schema.maximum !== "number" || n <= schema.maximum) &&
  (typeOf(schema) !== "integer" || Number.isInteger(n))

/**
 * A value for one schema node from the prompt, or `undefined` when the prompt offers none (the caller falls back to
 * a sample). Objects are filled property by property.
 */
const valueFor = (schema: unknown, key: string | undefined, pool: Pool, depth: number): unknown => {
  if (!isRecord(schema) || depth > 8) return undefined
  for (const branches of [schema.anyOf, schema.oneOf]) {
    if (Array.isArray(branches)) {
      const usable = branches.find((branch) => !(isRecord(branch) && branch.type === "null"))
      return valueFor(usable, key, pool, depth + 1)
    }
  }
  if ("const" in schema) return schema.const
  const keyed = key === undefined ? undefined : keyedValue(pool.prompt, key)
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    return (keyed !== undefined ? mentionedEnum(keyed, schema.enum) : undefined) ??
      mentionedEnum(pool.prompt, schema.enum)
  }
  switch (typeOf(schema)) {
    case "string": {
      if (key !== undefined && isLocation(key, schema)) {
        const city = findCity(pool.prompt)
        if (city !== undefined) return city
      }
      if (schema.format === "date") return /\d{4}-\d{2}-\d{2}/.exec(pool.prompt)?.[0]
      if (keyed !== undefined && !/^\d/.test(keyed) && !stopWords.has(keyed.toLowerCase())) return keyed
      if (typeof schema.format === "string" || typeof schema.pattern === "string") return undefined
      return pool.quoted.shift()
    }
    case "integer":
    case "number": {
      const fromKey = keyed === undefined ? Number.NaN : Number(keyed.replace(",", "."))
      if (fitsNumber(schema, fromKey)) {
        const index = pool.numbers.indexOf(fromKey)
        if (index !== -1) pool.numbers.splice(index, 1)
        return fromKey
      }
      const index = pool.numbers.findIndex((n) => fitsNumber(schema, n))
      return index === -1 ? undefined : pool.numbers.splice(index, 1)[0]
    }
    case "boolean": {
      if (keyed === undefined) return undefined
      if (/^(?:true|yes|on|да)$/i.test(keyed)) return true
      if (/^(?:false|no|off|нет)$/i.test(keyed)) return false
      return undefined
    }
    case "object":
    case undefined: {
      if (!isRecord(schema.properties)) return undefined
      const out: JsonObject = {}
      for (const [name, property] of Object.entries(schema.properties)) {
        const value = valueFor(property, name, pool, depth + 1)
        if (value !== undefined) out[name] = value
      }
      return out
    }
    default:
      return undefined
  }
}

/** The old rule for a string argument the prompt gives no better value for: an id-like word, else the last word. */
const fallbackString = (prompt: string, name: string): string => {
  const identifier = /[\p{L}\p{N}][\p{L}\p{N}_-]*\d[\p{L}\p{N}_-]*/u.exec(prompt)
  if (identifier) return identifier[0]
  const found = prompt.match(/[\p{L}\p{N}_-]+/gu)
  return found === null ? name : found[found.length - 1]
}

/**
 * Arguments for a call of the function: each required parameter (all of them when none is required) from the prompt,
 * or a sample of its schema; optional ones only when the prompt gives them.
 *
 * @internal
 */
export const functionArguments = (parameters: unknown, prompt: string): JsonObject => {
  const result: JsonObject = {}
  if (!isRecord(parameters) || !isRecord(parameters.properties)) return result
  const pool = makePool(prompt)
  const required = Array.isArray(parameters.required) ?
    parameters.required.filter((key): key is string => typeof key === "string") :
    Object.keys(parameters.properties)
  for (const [key, schema] of Object.entries(parameters.properties)) {
    const value = valueFor(schema, key, pool, 0)
    if (value !== undefined && !(isRecord(value) && Object.keys(value).length === 0 && !required.includes(key))) {
      result[key] = value
    } else if (required.includes(key)) {
      result[key] = isRecord(schema) && typeOf(schema) === "string" && schema.enum === undefined &&
          schema.format === undefined && schema.pattern === undefined ?
        fallbackString(prompt, key) :
        sampleFromSchema(schema, parameters, key)
    }
  }
  // the required keys first, in their order, as a model writes them
  const ordered: JsonObject = {}
  for (const key of required) if (key in result) ordered[key] = result[key]
  return { ...ordered, ...result }
}

/**
 * A structured answer for a JSON schema: a sample of the schema with the values the prompt gives put in.
 *
 * @internal
 */
export const structuredValue = (schema: unknown, prompt: string): unknown => {
  const sample = sampleFromSchema(schema)
  const fromPrompt = valueFor(schema, undefined, makePool(prompt), 0)
  return merge(sample, fromPrompt)
}

const merge = (sample: unknown, found: unknown): unknown => {
  if (found === undefined) return sample
  if (isRecord(sample) && isRecord(found)) {
    const out: JsonObject = { ...sample }
    for (const [key, value] of Object.entries(found)) out[key] = merge(sample[key], value)
    return out
  }
  return found
}
