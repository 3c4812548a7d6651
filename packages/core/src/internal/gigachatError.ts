import * as Duration from "effect/Duration"

/** @internal */
export const maxBodyLength = 8 * 1024

/** @internal */
export const truncate = (text: string, max: number = maxBodyLength): string =>
  text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`

const sensitiveHeaders: ReadonlySet<string> = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key"
])

/** @internal */
export const redactHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const key of Object.keys(headers)) {
    out[key] = sensitiveHeaders.has(key.toLowerCase()) ? "<redacted>" : headers[key]!
  }
  return out
}

/**
 * `Retry-After` is either delta-seconds (GigaChat sends those; fractions are accepted) or an HTTP date.
 *
 * @internal
 */
export const parseRetryAfter = (value: string | undefined, now: number): Duration.Duration | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === "") return undefined
  const seconds = Number(trimmed)
  if (Number.isFinite(seconds)) {
    return seconds > 0 ? Duration.millis(Math.round(seconds * 1000)) : undefined
  }
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  const millis = date - now
  return millis > 0 ? Duration.millis(millis) : undefined
}

/**
 * GigaChat error bodies look like `{"status":404,"message":"No such model"}`; the message is shown when present.
 *
 * @internal
 */
export const serverMessage = (body: string): string | undefined => {
  if (body.length === 0 || body.length > 64 * 1024 || body[0] !== "{") return undefined
  try {
    const json: unknown = JSON.parse(body)
    if (typeof json === "object" && json !== null && "message" in json && typeof json.message === "string") {
      return json.message
    }
  } catch {
    // not JSON: the raw body is shown instead
  }
  return undefined
}

/** @internal */
export const responseMessage = (self: {
  readonly status: number
  readonly method: string
  readonly url: string
  readonly body: string
  readonly requestId?: string | undefined
}): string => {
  const detail = serverMessage(self.body) ?? truncate(self.body, 300)
  const id = self.requestId === undefined ? "" : ` [x-request-id ${self.requestId}]`
  return `${self.status} ${self.method} ${self.url}${id}${detail === "" ? "" : `: ${detail}`}`
}

/**
 * A one-line description of a network failure: the error code (ECONNREFUSED, UND_ERR_SOCKET, ...) and message,
 * looking through `cause` chains as undici and fetch nest them.
 *
 * @internal
 */
export const describeCause = (cause: unknown): string | undefined => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const code = "code" in current && typeof current.code === "string" ? current.code : undefined
    const message = "message" in current && typeof current.message === "string" ? current.message : undefined
    const text = [code, message].filter((part) => part !== undefined && part !== "").join(" ")
    if (text !== "" && !parts.includes(text)) parts.push(text)
    current = "cause" in current ? current.cause : undefined
  }
  return parts.length === 0 ? undefined : parts.join(": ")
}

const timeoutCodes: ReadonlySet<string> = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"])

/**
 * Is this network failure a client's own timeout? Looks through `cause` chains as undici nests them.
 *
 * @internal
 */
export const isTimeoutCause = (cause: unknown): boolean => {
  let current: unknown = cause
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    if ("code" in current && typeof current.code === "string" && timeoutCodes.has(current.code)) return true
    current = "cause" in current ? current.cause : undefined
  }
  return false
}
