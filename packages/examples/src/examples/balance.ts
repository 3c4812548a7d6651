/**
 * Balance: the tokens left per model on a prepaid account.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  yield* gc.getBalance().pipe(
    Effect.flatMap((balance) =>
      Effect.forEach(balance.balance, (entry) => Console.log(`${entry.usage.padEnd(16)} ${entry.value}`))
    ),
    // Only prepaid accounts have a balance; others get 403, a typed ForbiddenError.
    Effect.catchTag("ForbiddenError", () => Console.log("no balance: this is not a prepaid account"))
  )
})
