import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as GigaChat from "../GigaChat.js"
import * as ToolLoop from "./toolLoop.js"

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

const completionsMethods = ["create", "parse", "downloadImages"] as const

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
  // Without a handler of their own, the tool loops run over the mocked `chat` and `completions.create`.
  const mocked = service as unknown as GigaChat.Service
  service.chatRunTools = handlers.chatRunTools ??
    ((request: GigaChat.ChatInput, options: any) => ToolLoop.runChatTools(mocked.chat, request, options))
  completions.runTools = handlers.completions?.runTools ??
    ((request: GigaChat.CompletionsInput, options: any) =>
      ToolLoop.runTools(mocked.completions.create, request, options))
  service.completions = completions
  return mocked
}
