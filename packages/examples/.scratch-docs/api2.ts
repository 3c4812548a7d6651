import { GigaChat } from "@effect-gigachat/core"
import * as Effect from "effect/Effect"
export const p = Effect.flatMap(GigaChat.GigaChat, (gc) => gc.completions.create({ messages: [{ role: "user", content: [{ text: "x" }] }], tools: ["web_search"] }))
