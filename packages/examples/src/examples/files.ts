/**
 * Files: upload a text file, list and read it back, then delete it.
 */
import { GigaChat } from "@effect-gigachat/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  const text = "effect-gigachat files example\nThe answer is 42.\n"
  // Uint8Array or Blob; the MIME type comes from the Blob, else from the file name (NodeFile.fromPath reads a path).
  const uploaded = yield* gc.uploadFile({ file: new TextEncoder().encode(text), filename: "notes.txt" })
  yield* Console.log(`uploaded ${uploaded.filename}: id ${uploaded.id}, ${uploaded.bytes} bytes, ${uploaded.purpose}`)

  const file = yield* gc.getFile(uploaded.id)
  yield* Console.log(`getFile: ${file.filename}, created at ${new Date(file.created_at * 1000).toISOString()}`)

  const files = yield* gc.getFiles()
  yield* Console.log(`getFiles: ${files.data.length} file(s) stored`)

  // Reading content back may be refused for uploads the server does not serve (e.g. user documents): handle it.
  yield* gc.getFileContent(uploaded.id).pipe(
    Effect.flatMap((content) =>
      Console.log(`content: ${content.bytes.length} bytes, ${content.contentType ?? "no content type"}`)
    ),
    Effect.catchTags({
      ForbiddenError: (error) => Console.log(`content not available: ${error.message}`),
      NotFoundError: (error) => Console.log(`content not available: ${error.message}`)
    })
  )

  const deleted = yield* gc.deleteFile(uploaded.id)
  yield* Console.log(`deleted ${deleted.id}: ${deleted.deleted}`)
})
