import { GigaChat, GigaChatConfig, GigaChatEmulator, GigaChatError, RequestContext, Tool, Auth, HttpTransport } from "@effect-gigachat/core"
import { NodeFile, NodeGigaChat, NodeGigaChatEmulator } from "@effect-gigachat/node"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Layer from "effect/Layer"

const S = Schema.Struct({ a: Schema.String })
export const p = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  yield* gc.chat("x")
  yield* gc.chat({ messages: [{ role: "user", content: "x" }] })
  gc.stream({ messages: [{ role: "user", content: "x" }] })
  GigaChat.streamText(gc.stream("x"))
  GigaChat.finalCompletion(gc.stream("x"))
  const r = yield* gc.chatParse("x", S, { strict: true })
  r.completion; r.parsed.a
  yield* gc.completions.create({ model: "GigaChat", messages: [{ role: "user", content: [{ text: "x" }] }], tools: ["web_search"] } as any)
  gc.completions.stream("x")
  yield* gc.completions.parse("x", S)
  const res = yield* gc.completions.create("x")
  yield* gc.completions.downloadImages(res)
  const tool = yield* Tool.make("f", { parameters: S })
  yield* gc.completions.runTools("x", { tools: [tool], handlers: { f: (a: { a: string }) => Effect.succeed(a.a) } })
  yield* GigaChat.chatRunTools("x", { tools: [tool], handlers: { f: (a: { a: string }) => Effect.succeed(a.a) } })
  yield* gc.embeddings(["a"], { model: "Embeddings" })
  yield* gc.tokensCount(["a"], { model: "GigaChat" })
  yield* gc.getModels(); yield* gc.getModel("GigaChat")
  yield* gc.uploadFile({ file: new Uint8Array(), filename: "a", mimeType: "text/plain", purpose: "general" })
  yield* gc.getFile("id"); yield* gc.getFiles(); yield* gc.deleteFile("id"); yield* gc.getFileContent("id"); yield* gc.getImage("id")
  yield* gc.getBalance(); yield* gc.checkAi("t", "GigaCheckDetection"); yield* gc.functionsConvert("openapi")
  const t = yield* gc.getToken()
  yield* NodeFile.fromPath("/x")
})
export const l = [GigaChatConfig.layerConfig(), NodeGigaChat.layer({ caBundleFile: "x", verifySslCerts: false, certFile: "a", keyFile: "b", keyFilePassword: "c", user: "u", password: "p", accessToken: "t", credentials: "c", scope: "GIGACHAT_API_B2B", httpSpans: true, maxRetries: 1, retryBackoffFactor: 1, timeout: "30 seconds" }),
  GigaChatEmulator.layer(), GigaChat.layerMock({}), NodeGigaChatEmulator.layer(), Auth.layer, HttpTransport.layer, GigaChatConfig.layer()]
const rc = [RequestContext.withSessionId("a"), RequestContext.withRequestId("a"), RequestContext.withClientId("a"), RequestContext.withServiceId("a"), RequestContext.withOperationId("a"), RequestContext.withTraceId("a"), RequestContext.withAgentId("a"), RequestContext.withHeaders({}), RequestContext.withAuthorization("Bearer x"), RequestContext.withContextStream({ sessionId: "x" })]
export const g = [GigaChatError.isGigaChatError, GigaChatError.isResponseError, rc]
export const nu = NodeFile.upload
