/**
 * Backend: the HTTP service of src/backend on a free port — one POST /chat, one POST /chat/stream, then shutdown.
 *
 * The service itself keeps running with `pnpm exec tsx src/backend/main.ts` (Ctrl-C stops it); this example only
 * shows one round trip so that it ends by itself.
 */
import { Sse } from "@effect-gigachat/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { ChatAnswer } from "../backend/routes.js"
import * as Server from "../backend/server.js"

const ask = (content: string) => HttpClientRequest.bodyUnsafeJson({ messages: [{ role: "user", content }] })

export const example = Effect.gen(function*() {
  // The backend gets GigaChat from this example's context, and lives in a scope of its own: closing it is the
  // graceful shutdown a signal would trigger in main.ts.
  const scope = yield* Scope.make()
  const backend = yield* Server.make({ port: 0 }).pipe(Scope.extend(scope))
  yield* Console.log(`backend listening at ${backend.url}`)

  const client = yield* HttpClient.HttpClient
  const answer = yield* client.execute(
    HttpClientRequest.post(`${backend.url}/chat`).pipe(
      ask("Say hello from the backend"),
      HttpClientRequest.setHeader("x-session-id", "example-session")
    )
  ).pipe(Effect.flatMap(HttpClientResponse.schemaBodyJson(ChatAnswer)))
  yield* Console.log(`POST /chat -> ${JSON.stringify(answer.answer)} (session ${answer.sessionId})`)

  yield* Console.log("POST /chat/stream ->")
  const response = yield* client.execute(
    HttpClientRequest.post(`${backend.url}/chat/stream`).pipe(ask("count from 1 to 10"))
  )
  yield* response.stream.pipe(
    Sse.decode(),
    Stream.runForEach((event) =>
      event.event === undefined
        ? Effect.sync(() => process.stdout.write((JSON.parse(event.data) as { delta: string }).delta))
        : Console.log(`\n  event ${event.event}: ${event.data}`)
    )
  )

  yield* Scope.close(scope, Exit.void)
  yield* Console.log("backend stopped")
}).pipe(Effect.provide(NodeHttpClient.layerUndici))
