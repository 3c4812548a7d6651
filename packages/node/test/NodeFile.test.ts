import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeFile, NodeGigaChat } from "@effect-gigachat/node"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

// The JPEG sample of the core package's recorded fixtures.
const image = new URL("../../core/test/fixtures/responses/image.jpg", import.meta.url)

/** A fresh temporary folder, removed when the scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "nodefile-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const emulator = GigaChat.layerServices.pipe(
  Layer.provideMerge(GigaChatConfig.layer({
    baseUrl: GigaChatEmulator.baseUrl,
    authUrl: GigaChatEmulator.authUrl,
    credentials: GigaChatEmulator.defaultCredentials
  })),
  Layer.provide(GigaChatEmulator.layerHttpClient())
)

describe("NodeFile", () => {
  it("mimeTypeOf picks the type by extension, case-insensitively, else application/octet-stream", () => {
    const table: ReadonlyArray<[string, string]> = [
      ["photo.jpg", "image/jpeg"],
      ["PHOTO.JPEG", "image/jpeg"],
      ["/a/b/scan.png", "image/png"],
      ["report.pdf", "application/pdf"],
      ["notes.txt", "text/plain"],
      ["letter.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      ["voice.mp3", "audio/mpeg"],
      ["archive.tar.gz", "application/octet-stream"],
      ["Makefile", "application/octet-stream"],
      [".bashrc", "application/octet-stream"],
      ["trap.constructor", "application/octet-stream"],
      ["proto.__proto__", "application/octet-stream"]
    ]
    for (const [name, type] of table) assert.strictEqual(NodeFile.mimeTypeOf(name), type, name)
  })

  it.effect("fromPath reads the bytes, takes the file name and its MIME type", () =>
    Effect.gen(function*() {
      const file = yield* NodeFile.fromPath(image.pathname)
      assert.strictEqual(file.filename, "image.jpg")
      assert.strictEqual(file.mimeType, "image/jpeg")
      assert.isUndefined(file.purpose)
      assert.instanceOf(file.file, Uint8Array)
      assert.deepStrictEqual(new Uint8Array(file.file as Uint8Array), new Uint8Array(readFileSync(image)))
      assert.strictEqual((file.file as Uint8Array).length, 42966)
    }))

  it.scoped("options override the name, the type and the purpose", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const filePath = join(dir, "data.bin")
      writeFileSync(filePath, "hello")
      const file = yield* NodeFile.fromPath(filePath, {
        filename: "greeting.txt",
        mimeType: "text/x-greeting",
        purpose: "assistant"
      })
      assert.deepStrictEqual(
        { filename: file.filename, mimeType: file.mimeType, purpose: file.purpose },
        { filename: "greeting.txt", mimeType: "text/x-greeting", purpose: "assistant" }
      )
      assert.strictEqual(new TextDecoder().decode(file.file as Uint8Array), "hello")
      const named = yield* NodeFile.fromPath(filePath, { filename: "page.html" })
      assert.strictEqual(named.mimeType, "text/html", "the type follows the given name")
    }))

  it.scoped("a missing file or a directory fails with InvalidRequestError naming the path", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const missing = join(dir, "nope.pdf")
      const notFound = yield* Effect.flip(NodeFile.fromPath(missing))
      assert.strictEqual(notFound._tag, "InvalidRequestError")
      assert.include(notFound.message, missing)
      const directory = yield* Effect.flip(NodeFile.fromPath(dir))
      assert.strictEqual(directory._tag, "InvalidRequestError")
      assert.include(directory.message, dir)
    }))

  it.effect("upload sends the file, and the server stores the same bytes under its name", () =>
    Effect.gen(function*() {
      const uploaded = yield* NodeFile.upload(image.pathname)
      assert.strictEqual(uploaded.filename, "image.jpg")
      assert.strictEqual(uploaded.bytes, 42966)
      assert.strictEqual(uploaded.purpose, "general")
      const gc = yield* GigaChat.GigaChat
      const content = yield* gc.getFileContent(uploaded.id)
      assert.deepStrictEqual(content.bytes, new Uint8Array(readFileSync(image)))
    }).pipe(Effect.provide(emulator)))

  it.scoped("upload over undici and a real socket: the server stores the same bytes", () =>
    Effect.gen(function*() {
      const server = yield* NodeGigaChatEmulator.make()
      const layer = NodeGigaChat.layer({
        baseUrl: server.baseUrl,
        authUrl: server.authUrl,
        credentials: GigaChatEmulator.defaultCredentials
      })
      const content = yield* Effect.gen(function*() {
        const uploaded = yield* NodeFile.upload(image.pathname, { purpose: "assistant" })
        assert.strictEqual(uploaded.filename, "image.jpg")
        assert.strictEqual(uploaded.purpose, "assistant")
        const gc = yield* GigaChat.GigaChat
        return yield* gc.getFileContent(uploaded.id)
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(content.bytes, new Uint8Array(readFileSync(image)))
    }))

  it.effect("upload of a missing file sends nothing", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(NodeFile.upload("/definitely/not/here.png"))
      assert.strictEqual(error._tag, "InvalidRequestError")
      const gc = yield* GigaChat.GigaChat
      const files = yield* gc.getFiles()
      assert.strictEqual(files.data.length, 0)
    }).pipe(Effect.provide(emulator)))
})
