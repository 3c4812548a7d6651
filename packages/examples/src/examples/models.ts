/**
 * Models: the models available to the account, by type, and the details of one of them.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const models = yield* gc.getModels()
  const byType = new Map<string, Array<string>>()
  for (const model of models.data) {
    const type = model.type ?? "unknown"
    byType.set(type, [...(byType.get(type) ?? []), model.id])
  }
  for (const [type, ids] of byType) yield* Console.log(`${type}: ${ids.join(", ")}`)

  const model = yield* gc.getModel("GigaChat")
  yield* Console.log(`GigaChat: owned by ${model.owned_by}, type ${model.type ?? "unknown"}`)

  // An unknown id is a typed NotFoundError, not an exception.
  const missing = yield* Effect.flip(gc.getModel("NoSuchModel"))
  yield* Console.log(`NoSuchModel: ${missing._tag}`)
})
