import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
const safe = GigaChat.chat("Hi").pipe(
  Effect.catchTags({
    RateLimitError: (e) => Console.log(`slow down, retry after ${e.retryAfter}`),
    AuthenticationError: (e) => Console.log(`check GIGACHAT_CREDENTIALS: ${e.message}`)
  })
)
export { safe }
