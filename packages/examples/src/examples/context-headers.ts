/**
 * Context headers: X-Session-ID and friends per fiber, so concurrent conversations never mix their headers.
 *
 * GigaChat caches the context of a session: calls with the same X-Session-ID can reuse the tokens of the earlier
 * ones (`usage.precached_prompt_tokens`). The ids are set around an effect or a stream and reach every API call
 * made inside it (and `POST /token`), never the OAuth server.
 */
import { GigaChat, RequestContext } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat

  const turn = (sessionId: string, question: string) =>
    gc.chat({ messages: [{ role: "user", content: question }] }).pipe(
      Effect.tap((answer) =>
        Console.log(
          `[${sessionId}] ${question} -> session ${answer.xHeaders["x-session-id"]}, request ${
            answer.xHeaders["x-request-id"]
          }, precached ${answer.usage.precached_prompt_tokens ?? 0} tokens`
        )
      ),
      // Every call of one conversation carries the same session id; each call gets its own request id.
      RequestContext.withRequestId(crypto.randomUUID()),
      RequestContext.withSessionId(sessionId)
    )

  // Two conversations side by side: each fiber sends only its own session id.
  yield* Effect.all([
    Effect.zipRight(turn("session-a", "Name a planet."), turn("session-a", "And its largest moon?")),
    Effect.zipRight(turn("session-b", "Name a river."), turn("session-b", "Which sea does it flow into?"))
  ], { concurrency: 2 })

  // Several ids at once, plus any extra header (extra headers win over everything else).
  yield* gc.chat("Hello!").pipe(
    RequestContext.withContext({ sessionId: "session-c", clientId: "my-service", traceId: "trace-42" }),
    RequestContext.withHeaders({ "X-Custom-Header": "value" }),
    Effect.tap((answer) => Console.log(`[session-c] client ${answer.xHeaders["x-client-id"]}`))
  )

  // A stream keeps the context it was built with, wherever it is run.
  const stream = gc.stream("Count to three.").pipe(RequestContext.withContextStream({ sessionId: "session-d" }))
  const text = yield* stream.pipe(
    Stream.map((chunk) => chunk.choices[0]?.delta.content ?? ""),
    Stream.mkString
  )
  yield* Console.log(`[session-d] streamed ${text.length} characters`)
})
