import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as GigaChat from "../GigaChat.js"

const methods = [
  "chat",
  "chatParse",
  "embeddings",
  "tokensCount",
  "getModels",
  "getModel",
  "getBalance",
  "checkAi",
  "uploadFile",
  "getFile",
  "getFiles",
  "deleteFile",
  "getFileContent",
  "getImage",
  "functionsConvert",
  "getToken"
] as const

const completionsMethods = ["create", "parse", "runTools", "downloadImages"] as const

// A method the test did not mock is a mistake in the test, not a failure of the API: it dies with a clear message.
const missing = (name: string) => () => Effect.dieMessage(`GigaChat.layerMock: no handler for ${name}`)
const missingStream = (name: string) => () => Stream.dieMessage(`GigaChat.layerMock: no handler for ${name}`)

/** @internal */
export const make = (handlers: GigaChat.MockHandlers): GigaChat.Service => {
  const service: Record<string, unknown> = { stream: handlers.stream ?? missingStream("stream") }
  for (const name of methods) service[name] = handlers[name] ?? missing(name)
  const completions: Record<string, unknown> = {
    stream: handlers.completions?.stream ?? missingStream("completions.stream")
  }
  for (const name of completionsMethods) {
    completions[name] = handlers.completions?.[name] ?? missing(`completions.${name}`)
  }
  service.completions = completions
  return service as unknown as GigaChat.Service
}
