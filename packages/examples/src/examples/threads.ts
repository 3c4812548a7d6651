/**
 * Threads and storage: a conversation the server keeps, continued, streamed, re-run and read back; a stored chat.
 */
import { Chat, GigaChat, type Threads } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat

  // Without a thread id the server makes a thread; its id comes back with the answer.
  const first = yield* gc.threads.runMessages("Count from 1 to 3")
  const threadId = first.thread_id
  yield* Console.log(`thread ${threadId}: ${first.message.content}`)

  // The next message only: the server adds the thread's earlier messages itself.
  const second = yield* gc.threads.runMessages("Say again", { threadId })
  yield* Console.log(`continued: ${second.message.content} (${second.usage.prompt_tokens} prompt tokens)`)

  // A streamed run; a failure before the first chunk is retried, never after it.
  yield* Console.log("streamed: ")
  yield* gc.threads.runMessagesStream("Count from 1 to 5", { threadId }).pipe(
    Stream.map((chunk) => chunk.choices[0]?.delta.content ?? ""),
    Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text)))
  )
  yield* Console.log("")

  // A run over messages added earlier: started, then asked for until it is done.
  yield* gc.threads.addMessages(threadId, "Say done")
  yield* gc.threads.run(threadId)
  const run = yield* gc.threads.getRun(threadId).pipe(
    Effect.repeat(
      Schedule.recurWhile((result: Threads.ThreadRunResult) => result.status === "in_progress").pipe(
        Schedule.addDelay(() => "1 second")
      )
    )
  )
  yield* Console.log(`run ${run.status}: ${run.messages?.map((m) => m.content).join(" ") ?? ""}`)

  const again = yield* gc.threads.rerunMessages(threadId, { threadOptions: { temperature: 0.7 } })
  yield* Console.log(`re-run: ${again.message.content}`)

  const history = yield* gc.threads.getMessages(threadId)
  for (const message of history.messages) yield* Console.log(`  ${message.role.padEnd(9)} ${message.content}`)

  // Storage in plain chat: the first answer names its thread, continueThread builds the next request.
  const stored = yield* gc.chat({ messages: [{ role: "user", content: "Say one" }], storage: { is_stateful: true } })
  const next = yield* gc.chat(Chat.continueThread(stored, "Say two"))
  yield* Console.log(
    `stored chat ${next.thread_id}: ${stored.choices[0]?.message.content}, ${next.choices[0]?.message.content}`
  )

  // A thread that does not exist is a typed NotFoundError.
  yield* gc.threads.getMessages("no-such-thread").pipe(
    Effect.catchTag("NotFoundError", (error) => Console.log(`unknown thread: ${error.status}`))
  )

  yield* gc.threads.delete(threadId)
  yield* gc.threads.delete(stored.thread_id ?? threadId).pipe(Effect.ignore)
  yield* Console.log(`threads left: ${(yield* gc.threads.list()).threads.length}`)
})
