/**
 * The wire format of `gc.assistants` against a recording mock client: paths, query keys, JSON bodies (with the
 * `null`s the Python SDK sends), the decoded answers, and the typed errors.
 */
import { GigaChat } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, json, mockServices } from "./utils/mockHttp.js"

const base = "https://gigachat.test/api/v1"

// The shape of the Python SDK's tests/data/assistants/get_assistants.json, plus a field the schema does not know.
const assistant = {
  assistant_id: "111",
  created_at: 1715684019,
  name: "lonely",
  instructions: "Assistant",
  model: "GigaChat-Pro",
  updated_at: 1715684019,
  metadata: { test: 234 },
  file_ids: ["222"],
  added_later: { by: "the server" }
}

const setup = (handler: Handler) => mockServices(handler, { credentials })

const run = <A, E>(
  layer: ReturnType<typeof setup>["layer"],
  f: (gc: GigaChat.Service) => Effect.Effect<A, E>
) => Effect.flatMap(GigaChat.GigaChat, f).pipe(Effect.provide(layer))

const body = (text: string | undefined) => JSON.parse(text ?? "null")

describe("gc.assistants", () => {
  it.effect("get() is GET /assistants without a query and decodes every assistant, unknown fields kept", () => {
    const { api, layer } = setup(() => json({ data: [assistant, { ...assistant, assistant_id: "222" }] }))
    return Effect.gen(function*() {
      const result = yield* run(layer, (gc) => gc.assistants.get())
      assert.strictEqual(api()[0]!.method, "GET")
      assert.strictEqual(api()[0]!.url, `${base}/assistants`)
      assert.deepStrictEqual(result.data.map((a) => a.assistant_id), ["111", "222"])
      assert.deepStrictEqual(result.data[0]!.file_ids, ["222"])
      assert.deepStrictEqual(result.data[0]!.metadata, { test: 234 })
      assert.deepStrictEqual((result.data[0] as unknown as { added_later: unknown }).added_later, { by: "the server" })
    })
  })

  it.effect("get(id) asks for one assistant with ?assistant_id=", () => {
    const { api, layer } = setup(() => json({ data: [assistant] }))
    return Effect.gen(function*() {
      yield* run(layer, (gc) => gc.assistants.get("111"))
      assert.strictEqual(api()[0]!.url, `${base}/assistants?assistant_id=111`)
    })
  })

  it.effect("create sends model, name and the unset optional fields as null, functions only when given", () => {
    const { api, layer } = setup(() => json({ assistant_id: "111", created_at: 1715684019 }))
    return Effect.gen(function*() {
      const created = yield* run(
        layer,
        (gc) => gc.assistants.create({ model: "GigaChat-Pro", name: "lonely", instructions: "Assistant" })
      )
      assert.strictEqual(api()[0]!.method, "POST")
      assert.strictEqual(api()[0]!.url, `${base}/assistants`)
      assert.strictEqual(
        api()[0]!.body,
        JSON.stringify({
          model: "GigaChat-Pro",
          name: "lonely",
          description: null,
          instructions: "Assistant",
          file_ids: null,
          metadata: null
        })
      )
      assert.strictEqual(created.assistant_id, "111")
      assert.strictEqual(created.created_at, 1715684019)

      yield* run(layer, (gc) =>
        gc.assistants.create({
          model: "GigaChat",
          name: "weather",
          file_ids: ["f1"],
          metadata: { team: "a" },
          functions: [{ name: "get_weather", parameters: { type: "object", properties: {} } }]
        }))
      assert.deepStrictEqual(body(api()[1]!.body), {
        model: "GigaChat",
        name: "weather",
        description: null,
        instructions: null,
        file_ids: ["f1"],
        metadata: { team: "a" },
        functions: [{ name: "get_weather", parameters: { type: "object", properties: {} } }]
      })
    })
  })

  it.effect("update is POST /assistants/modify with the id first and null for what is left as it is", () => {
    const { api, layer } = setup(() => json({ ...assistant, name: "lonely_assistant" }))
    return Effect.gen(function*() {
      const updated = yield* run(layer, (gc) => gc.assistants.update("111", { name: "lonely_assistant" }))
      assert.strictEqual(api()[0]!.url, `${base}/assistants/modify`)
      assert.strictEqual(
        api()[0]!.body,
        JSON.stringify({
          assistant_id: "111",
          name: "lonely_assistant",
          description: null,
          instructions: null,
          file_ids: null,
          metadata: null
        })
      )
      assert.strictEqual(updated.name, "lonely_assistant")
      assert.strictEqual(updated.model, "GigaChat-Pro")
    })
  })

  it.effect("delete and deleteFile send the ids and decode the answers", () => {
    const { api, layer } = setup((request) =>
      request.url.endsWith("/files/delete")
        ? json({ file_id: "222", deleted: true })
        : json({ assistant_id: "111", deleted: true })
    )
    return Effect.gen(function*() {
      const deleted = yield* run(layer, (gc) => gc.assistants.delete("111"))
      const detached = yield* run(layer, (gc) => gc.assistants.deleteFile("111", "222"))
      assert.strictEqual(api()[0]!.url, `${base}/assistants/delete`)
      assert.strictEqual(api()[0]!.body, "{\"assistant_id\":\"111\"}")
      assert.strictEqual(api()[1]!.url, `${base}/assistants/files/delete`)
      assert.strictEqual(api()[1]!.body, "{\"assistant_id\":\"111\",\"file_id\":\"222\"}")
      assert.deepStrictEqual([deleted.assistant_id, deleted.deleted], ["111", true])
      assert.deepStrictEqual([detached.file_id, detached.deleted], ["222", true])
    })
  })

  it.effect("bad input is an InvalidRequestError naming the field, and nothing is sent", () => {
    const { api, layer } = setup(() => json({}))
    return Effect.gen(function*() {
      const noName = yield* Effect.flip(run(layer, (gc) => gc.assistants.create({ model: "GigaChat", name: "" })))
      assert.strictEqual(noName._tag, "InvalidRequestError")
      assert.match(noName.message, /name/)
      const noId = yield* Effect.flip(run(layer, (gc) => gc.assistants.update("", { name: "x" })))
      assert.match(noId.message, /assistant_id/)
      const badFile = yield* Effect.flip(run(layer, (gc) => gc.assistants.deleteFile("111", "")))
      assert.match(badFile.message, /file_id/)
      assert.strictEqual(api().length, 0)
    })
  })

  it.effect("an unknown assistant is the server's NotFoundError; an answer without an id is a DecodeError", () => {
    const { layer } = setup((request) =>
      request.url.endsWith("/delete")
        ? json({ status: 404, message: "assistant not found" }, { status: 404 })
        : json({ data: [{ model: "GigaChat" }] })
    )
    return Effect.gen(function*() {
      const missing = yield* Effect.flip(run(layer, (gc) => gc.assistants.delete("nope")))
      assert.strictEqual(missing._tag, "NotFoundError")
      const malformed = yield* Effect.flip(run(layer, (gc) => gc.assistants.get()))
      assert.strictEqual(malformed._tag, "DecodeError")
      assert.match(malformed.message, /assistant_id/)
    })
  })
})
