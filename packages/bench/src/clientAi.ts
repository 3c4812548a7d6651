/**
 * The `ai-stream` workload's client: one `ManagedRuntime` with `NodeGigaChat.layer` and the `@effect/ai` provider
 * over it, streaming the same v2 answer two ways: `gc.completions.stream` (the core's chunks, folded into the text)
 * and `LanguageModel.streamText` on `GigaChatLanguageModel` (its `text-delta` parts, folded into the text).
 */
import * as GigaChatLanguageModel from "@effect-gigachat/ai/GigaChatLanguageModel"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Stream from "effect/Stream"
import type { Target } from "./client.js"
import { streamPrompt } from "./client.js"

/** Both ways of streaming one answer of `chunks` events; each resolves with the streamed text. */
export interface AiClient {
  readonly core: (chunks: number) => Promise<string>
  readonly ai: (chunks: number) => Promise<string>
  readonly close: () => Promise<void>
}

/** A client with a fresh runtime. */
export const make = (target: Target): AiClient => {
  const runtime = ManagedRuntime.make(
    GigaChatLanguageModel.layer({ model: "GigaChat" }).pipe(
      Layer.provideMerge(
        NodeGigaChat.layer({ baseUrl: target.baseUrl, authUrl: target.authUrl, credentials: target.credentials })
      )
    )
  )
  return {
    core: (chunks) =>
      runtime.runPromise(Effect.flatMap(GigaChat.GigaChat, (gc) =>
        Stream.runFold(
          gc.completions.stream({
            model: "GigaChat",
            messages: [{ role: "user", content: streamPrompt(chunks, false) }]
          }),
          "",
          (text, chunk) => text + (chunk.messages?.[0]?.content?.[0]?.text ?? "")
        ))),
    ai: (chunks) =>
      runtime.runPromise(
        Stream.runFold(
          LanguageModel.streamText({ prompt: streamPrompt(chunks, false) }),
          "",
          (text, part) => part.type === "text-delta" ? text + part.delta : text
        )
      ),
    close: () => runtime.dispose()
  }
}
