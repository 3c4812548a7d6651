/**
 * The SDK's `gc.assistants`, `gc.threads` and chat storage end to end against the in-process emulator: every
 * method, the streamed runs, a stored conversation continued with `continueThread`, and `NotFoundError` for a
 * thread that does not exist.
 */
import { Chat, Completions, GigaChat, type Threads } from "@effect-gigachat/core"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const text = (chunks: Chunk.Chunk<Threads.ThreadCompletionChunk>) =>
  Chunk.toReadonlyArray(chunks).map((c) => c.choices[0]?.delta.content ?? "").join("")

describe("gc.assistants and gc.threads against the emulator", () => {
  it.effect("assistants: create, get, update, deleteFile, delete", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const file = yield* gc.uploadFile({
        file: new Uint8Array([1, 2, 3]),
        filename: "notes.txt",
        purpose: "assistant"
      })
      const created = yield* gc.assistants.create({
        model: "GigaChat-Pro",
        name: "helper",
        instructions: "Answer briefly.",
        file_ids: [file.id],
        functions: [{ name: "get_weather", description: "The weather in a city" }]
      })
      const [one] = (yield* gc.assistants.get(created.assistant_id)).data
      assert.strictEqual(one?.name, "helper")
      assert.deepStrictEqual(one?.file_ids, [file.id])
      assert.strictEqual(one?.functions?.[0]?.name, "get_weather")
      const updated = yield* gc.assistants.update(created.assistant_id, { description: "A helper" })
      assert.deepStrictEqual([updated.name, updated.description], ["helper", "A helper"])
      const detached = yield* gc.assistants.deleteFile(created.assistant_id, file.id)
      assert.isTrue(detached.deleted)
      assert.deepStrictEqual((yield* gc.assistants.get()).data[0]?.file_ids, [])
      assert.isTrue((yield* gc.assistants.delete(created.assistant_id)).deleted)
      const missing = yield* Effect.flip(gc.assistants.get(created.assistant_id))
      assert.strictEqual(missing._tag, "NotFoundError")
    }).pipe(Effect.provide(GigaChatEmulator.layer())))

  it.effect("threads: every method, the streams, and NotFoundError for an unknown thread", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const assistant = yield* gc.assistants.create({ model: "GigaChat-Max", name: "a", instructions: "Be brief." })
      const empty = yield* gc.threads.create()
      assert.strictEqual(empty.status, "ready")

      const added = yield* gc.threads.addMessages(undefined, "Count from 1 to 3")
      const threadId = added.thread_id
      const started = yield* gc.threads.run(threadId)
      assert.strictEqual(started.thread_id, threadId)
      const run = yield* gc.threads.getRun(threadId)
      assert.strictEqual(run.messages?.[0]?.content, "1, 2, 3")

      const answer = yield* gc.threads.runMessages(["Say more"], { threadId })
      assert.strictEqual(answer.message.content, "more")
      const again = yield* gc.threads.rerunMessages(threadId, { threadOptions: { temperature: 0.2 } })
      assert.strictEqual(again.message.content, "more")
      const streamed = yield* Stream.runCollect(gc.threads.runMessagesStream("Count from 1 to 4", { threadId }))
      assert.strictEqual(text(streamed), "1, 2, 3, 4")
      assert.isTrue(Chunk.toReadonlyArray(streamed).every((c) => c.thread_id === threadId))
      assert.strictEqual(text(yield* Stream.runCollect(gc.threads.rerunMessagesStream(threadId))), "1, 2, 3, 4")
      assert.strictEqual(text(yield* Stream.runCollect(gc.threads.runStream(threadId))), "1, 2, 3, 4")

      const messages = yield* gc.threads.getMessages(threadId)
      assert.deepStrictEqual(messages.messages.map((m) => m.content).slice(0, 4), [
        "Count from 1 to 3",
        "1, 2, 3",
        "Say more",
        "more"
      ])
      assert.strictEqual((yield* gc.threads.getMessages(threadId, { limit: 1 })).messages.length, 1)

      const forAssistant = yield* gc.threads.runMessages("Hi", { assistantId: assistant.assistant_id })
      const listed = yield* gc.threads.list({ assistantsIds: [assistant.assistant_id] })
      assert.deepStrictEqual(listed.threads.map((t) => t.id), [forAssistant.thread_id])
      assert.strictEqual((yield* gc.threads.list()).threads.length, 3)
      const retrieved = yield* gc.threads.retrieve([threadId, forAssistant.thread_id])
      assert.deepStrictEqual(retrieved.threads.map((t) => t.model), ["GigaChat", "GigaChat-Max"])

      assert.isTrue(yield* gc.threads.delete(threadId))
      const missing = yield* Effect.flip(gc.threads.getMessages(threadId))
      assert.strictEqual(missing._tag, "NotFoundError")
      const missingStream = yield* Effect.flip(Stream.runDrain(gc.threads.rerunMessagesStream(threadId)))
      assert.strictEqual(missingStream._tag, "NotFoundError")
    }).pipe(Effect.provide(GigaChatEmulator.layer())))

  it.effect("a stored v1 and v2 conversation continues with continueThread", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const first = yield* gc.chat({ messages: [{ role: "user", content: "Say one" }], storage: { is_stateful: true } })
      assert.isDefined(first.thread_id)
      const second = yield* gc.chat(Chat.continueThread(first, "Say two"))
      assert.strictEqual(second.thread_id, first.thread_id)
      const streamed = yield* Chat.finalCompletion(gc.stream(Chat.continueThread(second, "Say three")))
      assert.strictEqual(streamed.thread_id, first.thread_id)
      assert.isDefined(streamed.message_id)
      const stored = yield* gc.threads.getMessages(first.thread_id!)
      assert.deepStrictEqual(stored.messages.map((m) => m.content), [
        "Say one",
        "one",
        "Say two",
        "two",
        "Say three",
        "three"
      ])

      const v2 = yield* gc.completions.create({ messages: [{ role: "user", content: "Say alpha" }], storage: true })
      const v2Next = yield* gc.completions.create(Completions.continueThread(v2, "Say beta"))
      assert.strictEqual(v2Next.thread_id, v2.thread_id)
      assert.strictEqual((yield* gc.threads.getMessages(v2.thread_id!)).messages.length, 4)
      const unknown = yield* Effect.flip(gc.chat(Chat.continueThread({ thread_id: "nope" }, "hi")))
      assert.strictEqual(unknown._tag, "NotFoundError")
    }).pipe(Effect.provide(GigaChatEmulator.layer())))
})
