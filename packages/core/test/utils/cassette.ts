/**
 * Test helpers that read the recorded GigaChat traffic in `packages/core/test/fixtures` (copied from the official
 * Python SDK, see its README.md).
 *
 * - `loadCassette("test_chat_simple")` parses a VCR YAML cassette into its interactions;
 * - `readFixture("chat_completion.json")` reads a file of `fixtures/responses` as text.
 */
import { readFileSync } from "node:fs"
import { parse } from "yaml"

/** `packages/core/test/fixtures`, relative to this file (never to the working directory). */
const fixturesRoot = new URL("../fixtures/", import.meta.url)

/** One recorded request. `body` is `undefined` when the request had none. */
export interface CassetteRequest {
  readonly method: string
  readonly uri: string
  /** Header names as recorded (mixed case); repeated values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

/** One recorded response. */
export interface CassetteResponse {
  readonly status: number
  /** Lower-cased header names; repeated values joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A request and the response the server gave to it. */
export interface Interaction {
  readonly request: CassetteRequest
  readonly response: CassetteResponse
}

interface RawInteraction {
  readonly request: {
    readonly method: string
    readonly uri: string
    readonly headers?: Record<string, ReadonlyArray<string | number>> | null
    readonly body?: string | null
  }
  readonly response: {
    readonly status: { readonly code: number }
    readonly headers?: Record<string, ReadonlyArray<string | number>> | null
    readonly body?: { readonly string?: string | null } | null
  }
}

const joinHeaders = (
  headers: Record<string, ReadonlyArray<string | number>> | null | undefined,
  lowerCase: boolean
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, values] of Object.entries(headers ?? {})) {
    out[lowerCase ? name.toLowerCase() : name] = values.map(String).join(", ")
  }
  return out
}

/** The path of a fixture file, e.g. `fixturePath("cassettes/test_chat_simple.yaml")`. */
export const fixturePath = (relative: string): URL => new URL(relative, fixturesRoot)

/** Reads and parses `fixtures/cassettes/<name>.yaml` (the `.yaml` suffix is optional). */
export const loadCassette = (name: string): ReadonlyArray<Interaction> => {
  const file = name.endsWith(".yaml") ? name : `${name}.yaml`
  const raw = parse(readFileSync(fixturePath(`cassettes/${file}`), "utf8")) as {
    readonly interactions: ReadonlyArray<RawInteraction>
  }
  return raw.interactions.map(({ request, response }) => ({
    request: {
      method: request.method,
      uri: request.uri,
      headers: joinHeaders(request.headers, false),
      body: request.body === null || request.body === undefined || request.body === "" ? undefined : request.body
    },
    response: {
      status: response.status.code,
      headers: joinHeaders(response.headers, true),
      body: response.body?.string ?? ""
    }
  }))
}

/** The interactions of a cassette that are not the OAuth token request. */
export const apiInteractions = (name: string): ReadonlyArray<Interaction> =>
  loadCassette(name).filter((interaction) => !interaction.request.uri.endsWith("/api/v2/oauth"))

/** Reads `fixtures/responses/<name>` as UTF-8 text, e.g. `readFixture("chat_completion.json")`. */
export const readFixture = (name: string): string => readFileSync(fixturePath(`responses/${name}`), "utf8")

/** Reads and parses `fixtures/responses/<name>` as JSON. */
export const readJsonFixture = (name: string): unknown => JSON.parse(readFixture(name))
