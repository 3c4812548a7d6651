import * as AccessToken from "@effect-gigachat/core/AccessToken"
import * as AiCheck from "@effect-gigachat/core/AiCheck"
import * as Balance from "@effect-gigachat/core/Balance"
import * as Embeddings from "@effect-gigachat/core/Embeddings"
import * as Files from "@effect-gigachat/core/Files"
import * as Functions from "@effect-gigachat/core/Functions"
import * as Models from "@effect-gigachat/core/Models"
import * as Tokens from "@effect-gigachat/core/Tokens"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { apiInteractions, loadCassette, readJsonFixture } from "./utils/cassette.js"

const decodeFixture = <A, I>(schema: Schema.Schema<A, I>, name: string) =>
  Schema.decodeUnknown(schema)(readJsonFixture(name))

const decodeJson = <A, I>(schema: Schema.Schema<A, I>, text: string) =>
  Schema.decodeUnknown(Schema.parseJson(schema))(text)

/** The one API interaction of a cassette, asserted to be a 200. */
const recorded = (name: string) => {
  const interactions = apiInteractions(name)
  assert.strictEqual(interactions.length, 1, name)
  assert.strictEqual(interactions[0].response.status, 200, name)
  return interactions[0]
}

describe("Embeddings", () => {
  it.effect("decodes the fixture", () =>
    Effect.gen(function*() {
      const embeddings = yield* decodeFixture(Embeddings.Embeddings, "embeddings.json")
      assert.strictEqual(embeddings.object, "list")
      assert.strictEqual(embeddings.model, "Embeddings")
      assert.strictEqual(embeddings.data[0].index, 0)
      assert.strictEqual(embeddings.data[0].object, "embedding")
      assert.deepStrictEqual(embeddings.data[0].usage, { prompt_tokens: 11 })
      assert.isAbove(embeddings.data[0].embedding.length, 100)
    }))

  it.effect("decodes the recorded responses and reproduces the recorded requests", () =>
    Effect.gen(function*() {
      for (
        const [name, texts] of [
          ["test_embeddings_single", ["Hello, world!"]],
          ["test_embeddings_multiple", ["First text", "Second text"]]
        ] as const
      ) {
        const interaction = recorded(name)
        const embeddings = yield* decodeJson(Embeddings.Embeddings, interaction.response.body)
        assert.deepStrictEqual(embeddings.data.map((e) => e.index), texts.map((_, i) => i))
        for (const embedding of embeddings.data) assert.strictEqual(embedding.embedding.length, 1024)

        const body = yield* Schema.encode(Embeddings.EmbeddingsRequest)({ input: texts, model: "Embeddings" })
        assert.deepStrictEqual(body, JSON.parse(interaction.request.body!))
      }
    }))

  it.effect("accepts an embedding without usage", () =>
    Effect.gen(function*() {
      const embeddings = yield* Schema.decodeUnknown(Embeddings.Embeddings)({
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [0.5], usage: null, extra: true }]
      })
      assert.deepStrictEqual(embeddings, {
        object: "list",
        data: [{ object: "embedding", index: 0, embedding: [0.5] }]
      })
    }))
})

describe("Models", () => {
  it.effect("decodes the fixtures", () =>
    Effect.gen(function*() {
      const models = yield* decodeFixture(Models.Models, "models.json")
      assert.deepStrictEqual(models, {
        object: "list",
        data: [{ id: "GigaChat:v1.2.19.2", object: "model", owned_by: "salutedevices" }]
      })
      const model = yield* decodeFixture(Models.Model, "model.json")
      assert.strictEqual(model.id, "GigaChat:v1.2.19.2")
    }))

  it.effect("decodes the recorded responses and keeps the type", () =>
    Effect.gen(function*() {
      const models = yield* decodeJson(Models.Models, recorded("test_get_models").response.body)
      assert.isAbove(models.data.length, 1)
      assert.isTrue(models.data.every((model) => typeof model.type === "string"))
      const types = new Set(models.data.map((model) => model.type))
      assert.isTrue(types.has("chat"))

      const model = yield* decodeJson(Models.Model, recorded("test_get_model").response.body)
      assert.deepStrictEqual(model, { id: "GigaChat", object: "model", owned_by: "salutedevices", type: "chat" })
    }))

  it.effect("accepts an unknown model type", () =>
    Effect.gen(function*() {
      const model = yield* Schema.decodeUnknown(Models.Model)({
        id: "X",
        object: "model",
        owned_by: "someone",
        type: "video-generator"
      })
      assert.strictEqual(model.type, "video-generator")
    }))
})

describe("Tokens", () => {
  it.effect("decodes the fixture (a JSON array)", () =>
    Effect.gen(function*() {
      const counts = yield* decodeFixture(Tokens.TokensCountList, "tokens_count.json")
      assert.deepStrictEqual(counts, [{ object: "tokens", tokens: 7, characters: 36 }])
    }))

  it.effect("decodes the recorded responses and reproduces the recorded requests", () =>
    Effect.gen(function*() {
      for (
        const [name, input] of [
          ["test_tokens_count_single", ["Hello, world!"]],
          ["test_tokens_count_multiple", ["First text", "Second text"]]
        ] as const
      ) {
        const interaction = recorded(name)
        const counts = yield* decodeJson(Tokens.TokensCountList, interaction.response.body)
        assert.strictEqual(counts.length, input.length)
        assert.deepStrictEqual(counts.map((count) => count.characters), input.map((text) => text.length))

        const body = yield* Schema.encode(Tokens.TokensCountRequest)({ model: "GigaChat", input })
        assert.deepStrictEqual(body, JSON.parse(interaction.request.body!))
      }
    }))

  it.effect("rejects a single object where the array is expected", () =>
    Effect.gen(function*() {
      const error = yield* Schema.decodeUnknown(Tokens.TokensCountList)({ object: "tokens", tokens: 1, characters: 1 })
        .pipe(Effect.flip)
      assert.strictEqual(error._tag, "ParseError")
    }))
})

describe("Files", () => {
  it.effect("decodes the fixtures", () =>
    Effect.gen(function*() {
      const file = yield* decodeFixture(Files.UploadedFile, "get_file.json")
      assert.deepStrictEqual(file, {
        id: "123",
        object: "file",
        bytes: 202725,
        access_policy: "private",
        created_at: 1740658568,
        filename: "invoicesample.pdf",
        purpose: "general"
      })
      const uploaded = yield* decodeFixture(Files.UploadedFile, "post_files.json")
      assert.strictEqual(uploaded.filename, "image.jpg")
      assert.isUndefined(uploaded.access_policy)
      const files = yield* decodeFixture(Files.UploadedFiles, "get_files.json")
      assert.deepStrictEqual(files.data.map((f) => f.filename), ["invoicesample.pdf", "123.jpg"])
      const deleted = yield* decodeFixture(Files.DeletedFile, "post_files_delete.json")
      assert.deepStrictEqual(deleted, { id: "123", object: "file", deleted: true })
    }))

  it.effect("accepts an unknown purpose and a delete answer without object", () =>
    Effect.gen(function*() {
      const file = yield* Schema.decodeUnknown(Files.UploadedFile)({
        id: "1",
        object: "file",
        bytes: 1,
        created_at: 1,
        filename: "a.txt",
        purpose: "batch"
      })
      assert.strictEqual(file.purpose, "batch")
      const deleted = yield* Schema.decodeUnknown(Files.DeletedFile)({ id: "1", deleted: false })
      assert.deepStrictEqual(deleted, { id: "1", deleted: false })
    }))

  it.effect("FilePurpose accepts only general and assistant", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Schema.decodeUnknown(Files.FilePurpose)("assistant"), "assistant")
      const error = yield* Schema.decodeUnknown(Files.FilePurpose)("batch").pipe(Effect.flip)
      assert.strictEqual(error._tag, "ParseError")
    }))

  it.effect("Image holds base64 content", () =>
    Effect.gen(function*() {
      const image = yield* Schema.decodeUnknown(Files.Image)({ content: "aGVsbG8=" })
      assert.strictEqual(Buffer.from(image.content, "base64").toString(), "hello")
    }))
})

describe("Balance", () => {
  it.effect("decodes the fixture", () =>
    Effect.gen(function*() {
      const balance = yield* decodeFixture(Balance.Balance, "balance.json")
      assert.deepStrictEqual(balance.balance.map((b) => b.usage), [
        "embeddings",
        "GigaChat-Pro",
        "GigaChat-Max",
        "GigaChat"
      ])
      assert.strictEqual(balance.balance[0].value, 9999967)
    }))
})

describe("AiCheck", () => {
  it.effect("decodes the fixture", () =>
    Effect.gen(function*() {
      const result = yield* decodeFixture(AiCheck.AiCheckResult, "ai_check.json")
      assert.deepStrictEqual(result, {
        category: "mixed",
        characters: 533,
        tokens: 224,
        ai_intervals: [[1, 262], [415, 533]]
      })
    }))

  it.effect("accepts an unknown category and no intervals", () =>
    Effect.gen(function*() {
      const result = yield* Schema.decodeUnknown(AiCheck.AiCheckResult)({
        category: "unsure",
        characters: 1,
        tokens: 1
      })
      assert.deepStrictEqual(result, { category: "unsure", characters: 1, tokens: 1 })
    }))

  it.effect("encodes the request", () =>
    Effect.gen(function*() {
      const body = yield* Schema.encode(AiCheck.AiCheckRequest)({ input: "text", model: "GigaCheckClassification" })
      assert.deepStrictEqual(body, { input: "text", model: "GigaCheckClassification" })
    }))
})

describe("Functions", () => {
  it.effect("decodes the convert fixture, keeping every JSON-schema key", () =>
    Effect.gen(function*() {
      const converted = yield* decodeFixture(Functions.OpenApiFunctions, "convert_functions.json")
      const [fn] = converted.functions
      assert.strictEqual(fn.name, "send_sms")
      assert.deepStrictEqual(fn.parameters!.required, ["version", "employeeId", "text"])
      const properties = fn.parameters!.properties as Record<string, Record<string, unknown>>
      assert.strictEqual(properties.employeeId.format, "int32")
      assert.strictEqual(properties.text.minLength, 1)
      assert.deepStrictEqual(fn.few_shot_examples![0].params, {
        employeeId: "111111",
        text: "Hello world",
        version: "2"
      })
      assert.strictEqual(fn.return_parameters!.type, "object")
    }))
})

describe("AccessToken", () => {
  it.effect("decodes the OAuth shape into a redacted token", () =>
    Effect.gen(function*() {
      const token = yield* Schema.decodeUnknown(AccessToken.AccessTokenResponse)({
        access_token: "secret-oauth-token",
        expires_at: 4102444800000
      })
      assert.isTrue(Redacted.isRedacted(token.access_token))
      assert.strictEqual(Redacted.value(token.access_token), "secret-oauth-token")
      assert.strictEqual(token.expires_at, 4102444800000)
      assert.notInclude(String(token.access_token), "secret")
      assert.notInclude(JSON.stringify(token), "secret")
    }))

  it.effect("decodes the password-flow shape {tok, exp} into the same AccessToken", () =>
    Effect.gen(function*() {
      const token = yield* Schema.decodeUnknown(AccessToken.AccessTokenResponse)({
        tok: "secret-tok",
        exp: 1700000000000
      })
      assert.deepStrictEqual(Object.keys(token).sort(), ["access_token", "expires_at"])
      assert.isTrue(Redacted.isRedacted(token.access_token))
      assert.strictEqual(Redacted.value(token.access_token), "secret-tok")
      assert.strictEqual(token.expires_at, 1700000000000)
      assert.notInclude(String(token.access_token), "secret")
      assert.notInclude(`${token.access_token}`, "secret")
    }))

  it.effect("decodes the token response recorded in a cassette", () =>
    Effect.gen(function*() {
      const [oauth] = loadCassette("test_chat_simple")
      assert.isTrue(oauth.request.uri.endsWith("/api/v2/oauth"))
      const token = yield* decodeJson(AccessToken.AccessTokenResponse, oauth.response.body)
      assert.strictEqual(Redacted.value(token.access_token), "REDACTED")
      assert.strictEqual(token.expires_at, 4102444800000)
    }))

  it.effect("rejects a response with neither shape", () =>
    Effect.gen(function*() {
      const error = yield* Schema.decodeUnknown(AccessToken.AccessTokenResponse)({ token: "x" }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "ParseError")
    }))

  it.effect("encodes back to the OAuth shape", () =>
    Effect.gen(function*() {
      const token = yield* Schema.decodeUnknown(AccessToken.AccessTokenResponse)({ tok: "t", exp: 5 })
      const encoded = yield* Schema.encode(AccessToken.AccessTokenResponse)(token)
      assert.deepStrictEqual(encoded, { access_token: "t", expires_at: 5 })
    }))
})
