/**
 * Vision: upload an image from disk and ask the model about it (set GIGACHAT_EXAMPLE_IMAGE to use your own).
 */
import { GigaChat } from "@effect-gigachat/core"
import { NodeFile } from "@effect-gigachat/node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { fileURLToPath } from "node:url"

// The JPEG sample in packages/examples/assets, unless another image is given.
const imagePath = process.env.GIGACHAT_EXAMPLE_IMAGE ??
  fileURLToPath(new URL("../../assets/image.jpg", import.meta.url))

export const example = Effect.gen(function*() {
  const gc = yield* GigaChat.GigaChat
  // The bytes, the file name and image/jpeg from the extension; a missing file is an InvalidRequestError.
  const image = yield* NodeFile.fromPath(imagePath)
  const uploaded = yield* gc.uploadFile(image)
  yield* Console.log(`uploaded ${uploaded.filename} (${uploaded.bytes} bytes) as ${uploaded.id}`)

  const answer = yield* gc.chat({
    model: "GigaChat-2-Max",
    messages: [{
      role: "user",
      content: "What is in this picture? Answer in one sentence.",
      attachments: [uploaded.id]
    }]
  })
  yield* Console.log(answer.choices[0]?.message.content)

  yield* gc.deleteFile(uploaded.id)
})
