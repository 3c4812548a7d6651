/**
 * The emulator's `POST /api/v1/filter/check` (a word-list content filter over the messages) and
 * `POST /api/v1/functions/validate` (the rules the server documents for a function description: a valid
 * function is `200 "Function is valid"` with warnings, an invalid one an HTTP 200 whose body says
 * `"Incorrect function syntax"` with the errors and where they are).
 */
import { countTokens } from "./text.js"

type JsonObject = Record<string, unknown>

const isRecord = (u: unknown): u is JsonObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** A handler's answer: the status and the JSON body. @internal */
export interface Reply {
  readonly status: number
  readonly body: unknown
}

const error = (status: number, message: string): Reply => ({ status, body: { status, message } })

// ---------------------------------------------------------------------------------------------------------------
// /filter/check
// ---------------------------------------------------------------------------------------------------------------

/** Stop words of the blacklist check (stems, matched at the start of a word). */
const blacklist = [
  "fuck",
  "shit",
  "bitch",
  "bastard",
  "asshole",
  "хуй",
  "хуе",
  "пизд",
  "бляд",
  "ебан",
  "ебат",
  "сука",
  "мудак"
]

/** What the "neural" check flags: threats and violence. */
const neural = /\b(?:kill|murder|bomb|terror\w*)\b|убить|убью|взорв|бомб|террор/i

const hasStem = (text: string, stems: ReadonlyArray<string>): boolean => {
  const words = text.toLowerCase().match(/[\p{L}]+/gu) ?? []
  return words.some((word) => stems.some((stem) => word.startsWith(stem)))
}

const settingKeys = ["neuro", "blacklist", "whitelist", "unnormalized_history"] as const

/** @internal */
export const filterCheck = (
  body: unknown,
  environment: { readonly isFilterModel: (model: string) => boolean; readonly fileExists: (id: string) => boolean }
): Reply => {
  if (!isRecord(body)) return error(422, "Invalid params: the body must be a JSON object")
  const model = typeof body.model === "string" ? body.model : "GigaFilter"
  if (!environment.isFilterModel(model)) return error(404, "No such model")
  const settings = body.settings ?? {}
  if (!isRecord(settings)) return error(422, "Invalid params: settings must be an object")
  for (const key of settingKeys) {
    if (settings[key] !== undefined && typeof settings[key] !== "boolean") {
      return error(422, `Invalid params: settings.${key} must be a boolean`)
    }
  }
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isRecord)) {
    return error(422, "Invalid params: messages must be a non-empty array of messages")
  }
  let text = ""
  for (const [index, message] of messages.entries()) {
    if (typeof message.role !== "string") return error(422, `Invalid params: messages[${index}].role is required`)
    if (message.content !== undefined && typeof message.content !== "string") {
      return error(422, `Invalid params: messages[${index}].content must be a string`)
    }
    if (Array.isArray(message.attachments)) {
      for (const id of message.attachments) {
        if (typeof id !== "string" || !environment.fileExists(id)) {
          return error(400, `Invalid file id in attachments: ${String(id)}`)
        }
      }
    }
    text += `${message.content ?? ""}\n`
  }
  // Without settings every check runs, as the server documents.
  const profane = (settings.blacklist !== false && hasStem(text, blacklist)) ||
    (settings.neuro !== false && neural.test(text))
  return {
    status: 200,
    body: { is_profane: profane, usage: { filter_tokens: countTokens(text) + messages.length } }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// /functions/validate
// ---------------------------------------------------------------------------------------------------------------

interface Issue {
  readonly description: string
  readonly schema_location: string
}

/** The rules version the emulator reports (the value in the Python SDK's recorded answer). */
const rulesVersion = "1.0.5"

const namePattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/

const checkParameters = (parameters: unknown, errors: Array<Issue>, warnings: Array<Issue>) => {
  if (!isRecord(parameters)) {
    errors.push({ description: "parameters must be an object", schema_location: "$.parameters" })
    return
  }
  if (parameters.type !== "object") {
    errors.push({ description: "parameters.type must be \"object\"", schema_location: "$.parameters" })
  }
  const properties = parameters.properties ?? {}
  if (!isRecord(properties)) {
    errors.push({ description: "properties must be an object", schema_location: "$.parameters.properties" })
    return
  }
  for (const [key, property] of Object.entries(properties)) {
    const location = `$.parameters.properties.${key}`
    if (!isRecord(property)) {
      errors.push({ description: "a property must be a JSON schema object", schema_location: location })
      continue
    }
    if (property.type === undefined && property.enum === undefined && property.anyOf === undefined) {
      errors.push({ description: "type is required", schema_location: location })
    }
    if (typeof property.description !== "string" || property.description === "") {
      warnings.push({ description: "description is missing", schema_location: location })
    }
  }
  if (parameters.required !== undefined) {
    if (!Array.isArray(parameters.required) || !parameters.required.every((key) => typeof key === "string")) {
      errors.push({ description: "required must be an array of strings", schema_location: "$.parameters.required" })
    } else {
      for (const key of parameters.required) {
        if (!(key in properties)) {
          errors.push({
            description: `required lists "${key}", which is not in properties`,
            schema_location: "$.parameters.required"
          })
        }
      }
    }
  }
}

/** @internal */
export const validateFunction = (body: unknown): Reply => {
  if (!isRecord(body)) return error(422, "Invalid params: the body must be a function description object")
  const errors: Array<Issue> = []
  const warnings: Array<Issue> = []
  if (typeof body.name !== "string" || body.name === "") {
    errors.push({ description: "name is required", schema_location: "(root)" })
  } else if (!namePattern.test(body.name)) {
    errors.push({ description: `name must match ${namePattern.source}`, schema_location: "(root)" })
  }
  if (typeof body.description !== "string" || body.description.trim() === "") {
    errors.push({ description: "description is required", schema_location: "(root)" })
  }
  if (body.parameters !== undefined && body.parameters !== null) checkParameters(body.parameters, errors, warnings)
  const examples = body.few_shot_examples
  if (examples === undefined || examples === null || (Array.isArray(examples) && examples.length === 0)) {
    warnings.push({ description: "few_shot_examples are missing", schema_location: "(root)" })
  } else if (!Array.isArray(examples)) {
    errors.push({ description: "few_shot_examples must be an array", schema_location: "$.few_shot_examples" })
  } else {
    examples.forEach((example, index) => {
      if (!isRecord(example) || typeof example.request !== "string" || !isRecord(example.params)) {
        errors.push({
          description: "an example must be {request: string, params: object}",
          schema_location: `$.few_shot_examples[${index}]`
        })
      }
    })
  }
  if (body.return_parameters !== undefined && body.return_parameters !== null && !isRecord(body.return_parameters)) {
    errors.push({ description: "return_parameters must be an object", schema_location: "$.return_parameters" })
  }
  const common = { json_ai_rules_version: rulesVersion, ...(warnings.length > 0 ? { warnings } : {}) }
  return errors.length > 0 ?
    { status: 200, body: { status: 422, message: "Incorrect function syntax", ...common, errors } } :
    { status: 200, body: { status: 200, message: "Function is valid", ...common } }
}
