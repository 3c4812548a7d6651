/**
 * Assistants: a model with instructions and a file kept on the server, asked in a thread, updated, then deleted.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  // Files an assistant reads are uploaded with purpose "assistant".
  const notes = yield* gc.uploadFile({
    file: new TextEncoder().encode("Opening hours: 9:00 to 18:00, Monday to Friday.\n"),
    filename: "hours.txt",
    purpose: "assistant"
  })
  const created = yield* gc.assistants.create({
    model: "GigaChat",
    name: "front-desk",
    instructions: "Answer in one short sentence.",
    file_ids: [notes.id],
    metadata: { team: "support" }
  })
  yield* Console.log(`created assistant ${created.assistant_id}`)

  // The assistant's model, instructions and files apply to every thread that names it.
  const answer = yield* gc.threads.runMessages("Say hello", { assistantId: created.assistant_id })
  yield* Console.log(`thread ${answer.thread_id}: ${answer.message.content}`)

  // Fields left out of an update are sent as null and stay as they are.
  const updated = yield* gc.assistants.update(created.assistant_id, { description: "Answers about opening hours" })
  yield* Console.log(`updated: ${updated.name}, "${updated.description}", ${updated.file_ids?.length ?? 0} file(s)`)

  const all = yield* gc.assistants.get()
  yield* Console.log(`assistants on the account: ${all.data.map((a) => a.name).join(", ")}`)

  yield* gc.assistants.deleteFile(created.assistant_id, notes.id)
  yield* gc.threads.delete(answer.thread_id)
  const deleted = yield* gc.assistants.delete(created.assistant_id)
  yield* Console.log(`deleted ${deleted.assistant_id}: ${deleted.deleted}`)
  yield* gc.deleteFile(notes.id)
})
