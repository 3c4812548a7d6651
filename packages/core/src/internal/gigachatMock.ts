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
  "filterCheck",
  "functionsValidate",
  "getToken"
] as const

const completionsMethods = ["create", "parse", "downloadImages"] as const

const assistantsMethods = ["get", "create", "update", "delete", "deleteFile"] as const
const threadsMethods = [
  "list",
  "create",
  "retrieve",
  "delete",
  "getMessages",
  "addMessages",
  "run",
  "getRun",
  "runMessages",
  "rerunMessages"
] as const
const threadsStreams = ["runStream", "runMessagesStream", "rerunMessagesStream"] as const
const batchesMethods = ["create", "get", "list", "waitFor", "chatResults", "embeddingsResults"] as const

// A method the test did not mock is a mistake in the test, not a failure of the API: it dies with a clear message.
const missing = (name: string) => () => Effect.dieMessage(`GigaChat.layerMock: no handler for ${name}`)
const missingStream = (name: string) => () => Stream.dieMessage(`GigaChat.layerMock: no handler for ${name}`)

/** A namespace of the service: the handlers given, the others dying with their name. */
const namespace = (
  name: string,
  handlers: Readonly<Record<string, unknown>> | undefined,
  methods: ReadonlyArray<string>,
  streams: ReadonlyArray<string>
): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const method of methods) out[method] = handlers?.[method] ?? missing(`${name}.${method}`)
  for (const method of streams) out[method] = handlers?.[method] ?? missingStream(`${name}.${method}`)
  return out
}

/** @internal */
export const make = (handlers: GigaChat.MockHandlers): GigaChat.Service => {
  const service: Record<string, unknown> = { stream: handlers.stream ?? missingStream("stream") }
  for (const name of methods) service[name] = handlers[name] ?? missing(name)
  const completions = namespace("completions", handlers.completions, completionsMethods, ["stream"])
  // Without a handler of their own, the tool loops run over the mocked `chat` and `completions.create`.
  const mocked = service as unknown as GigaChat.Service
  service.chatRunTools = handlers.chatRunTools ??
    ((request: GigaChat.ChatInput, options: any) => ToolLoop.runChatTools(mocked.chat, request, options))
  completions.runTools = handlers.completions?.runTools ??
    ((request: GigaChat.CompletionsInput, options: any) =>
      ToolLoop.runTools(mocked.completions.create, request, options))
  service.completions = completions
  service.assistants = namespace("assistants", handlers.assistants, assistantsMethods, [])
  service.threads = namespace("threads", handlers.threads, threadsMethods, threadsStreams)
  service.batches = namespace("batches", handlers.batches, batchesMethods, [])
  return mocked
}
