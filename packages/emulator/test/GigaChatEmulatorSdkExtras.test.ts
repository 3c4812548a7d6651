import { Batches, Functions, GigaChat, GigaChatConfig, Tool } from "@effect-gigachat/core"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"

// The SDK's batches, filterCheck, functionsValidate, image downloads and tool loops against the in-process emulator.

const sdkOverEmulator = (options?: GigaChatEmulator.Options) =>
  GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer({
      baseUrl: GigaChatEmulator.baseUrl,
      authUrl: GigaChatEmulator.authUrl,
      credentials: Redacted.make(GigaChatEmulator.defaultCredentials)
    })),
    Layer.provideMerge(GigaChatEmulator.layerHttpClient(options))
  )

/** Moves the TestClock a second at a time, letting the fiber's in-process exchanges run in between, until it ends. */
const driveToEnd = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, maxSeconds: number) =>
  Effect.gen(function*() {
    for (let second = 0; second < maxSeconds && fiber.unsafePoll() === null; second++) {
      for (let i = 0; i < 200 && (yield* TestClock.sleeps()).length === 0 && fiber.unsafePoll() === null; i++) {
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
      }
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.join(fiber)
  })

const isJpeg = (bytes: Uint8Array) =>
  bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[bytes.length - 2] === 0xff && bytes[bytes.length - 1] === 0xd9

describe("GigaChatEmulator with the SDK: batches, checks, images, natural tool calls", () => {
  it.effect("a chat batch: create, waitFor on the TestClock, decoded results with a failed task in its place", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const created = yield* gc.batches.create({
        method: "chat_completions",
        requests: [
          "Count from 1 to 3",
          { id: "broken", request: { model: "NoSuchModel", messages: [{ role: "user", content: "Hi" }] } },
          { id: "hello", request: "Say hello" }
        ]
      })
      assert.strictEqual(created.status, "created")
      assert.strictEqual(created.request_counts.total, 3)
      const fiber = yield* Effect.fork(gc.batches.waitFor(created.id))
      const done = yield* driveToEnd(fiber, 30)
      assert.strictEqual(done.status, "completed")
      assert.deepStrictEqual(done.request_counts, { total: 3, completed: 2, failed: 1 })
      assert.strictEqual((yield* gc.batches.get(created.id)).output_file_id, done.output_file_id)
      assert.deepStrictEqual((yield* gc.batches.list()).batches.map((batch) => batch.id), [created.id])

      const lines = yield* gc.batches.chatResults(done)
      assert.strictEqual(lines.length, 3)
      const [first, broken, hello] = lines
      assert.isTrue(Either.isRight(first) && first.right.id === "1")
      assert.strictEqual(Either.isRight(first) ? first.right.result.choices[0].message.content : "", "1, 2, 3")
      assert.isTrue(Either.isLeft(broken))
      if (Either.isLeft(broken)) {
        assert.instanceOf(broken.left, Batches.BatchResultError)
        assert.strictEqual(broken.left.id, "broken")
        assert.strictEqual(broken.left.status, 404)
      }
      assert.strictEqual(Either.isRight(hello) ? hello.right.result.choices[0].message.content : "", "hello")
    }).pipe(Effect.provide(sdkOverEmulator())))

  it.effect("an embeddings batch on a caller's schedule; bad input never reaches the server", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const emulator = yield* GigaChatEmulator.GigaChatEmulator
      const created = yield* gc.batches.create({ method: "embedder", requests: [{ input: ["one", "two"] }, "three"] })
      const fiber = yield* Effect.fork(
        gc.batches.waitFor(created, { schedule: Schedule.spaced("250 millis") })
      )
      const done = yield* driveToEnd(fiber, 10)
      const results = yield* gc.batches.embeddingsResults(done)
      assert.deepStrictEqual(results.map((line) => Either.isRight(line) ? line.right.result.data.length : -1), [2, 1])

      const before = (yield* emulator.requests).length
      const empty = yield* Effect.flip(gc.batches.create({ method: "embedder", requests: [] }))
      assert.strictEqual(empty._tag, "InvalidRequestError")
      const unknown = yield* Effect.flip(gc.batches.create({ method: "images", requests: ["x"] } as any))
      assert.include(unknown.message, "method:")
      assert.strictEqual((yield* emulator.requests).length, before)
      const missing = yield* Effect.flip(gc.batches.get("no-such-batch"))
      assert.strictEqual(missing._tag, "NotFoundError")
    }).pipe(Effect.provide(sdkOverEmulator())))

  it.effect("filterCheck and functionsValidate", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const clean = yield* gc.filterCheck("Nice weather today")
      assert.isFalse(clean.is_profane)
      assert.isAbove(clean.usage?.filter_tokens ?? 0, 0)
      const profane = yield* gc.filterCheck({ messages: [{ role: "user", content: "What the fuck" }] })
      assert.isTrue(profane.is_profane)
      const noModel = yield* Effect.flip(
        gc.filterCheck({ model: "GigaChat", messages: [{ role: "user", content: "x" }] })
      )
      assert.strictEqual(noModel._tag, "NotFoundError")

      const tool = yield* Tool.make("get_weather", {
        description: "The weather in a city",
        parameters: Schema.Struct({ city: Schema.String.annotations({ description: "City name" }) })
      })
      const valid = yield* gc.functionsValidate(tool)
      assert.isTrue(Functions.isValid(valid))
      assert.deepStrictEqual(valid.warnings, [{
        description: "few_shot_examples are missing",
        schema_location: "(root)"
      }])
      const invalid = yield* gc.functionsValidate({ name: "no description" })
      assert.isFalse(Functions.isValid(invalid))
      assert.strictEqual(invalid.message, "Incorrect function syntax")
    }).pipe(Effect.provide(sdkOverEmulator())))

  it.effect("generated images: v2 downloadImages and v1 getImage give a JPEG", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const answer = yield* gc.completions.create({
        messages: [{ role: "user", content: "Draw a lighthouse" }],
        tools: ["image_generate"]
      })
      const images = yield* gc.completions.downloadImages(answer)
      assert.strictEqual(images.length, 1)
      assert.strictEqual(images[0].file.mime, "image/jpeg")
      assert.isTrue(isJpeg(images[0].content.bytes))

      const v1 = yield* gc.chat({ messages: [{ role: "user", content: "Draw a lighthouse" }], function_call: "auto" })
      const id = /<img src="([^"]+)" fuse="true"\/>/.exec(v1.choices[0].message.content)?.[1]
      assert.isDefined(id)
      const image = yield* gc.getImage(id!)
      assert.isTrue(isJpeg(Either.getOrThrow(Encoding.decodeBase64(image.content))))
    }).pipe(Effect.provide(sdkOverEmulator())))

  it.effect("a natural prompt runs the tool loop, v1 and v2, with the city from the prompt", () =>
    Effect.gen(function*() {
      const gc = yield* GigaChat.GigaChat
      const getWeather = yield* Tool.make("get_weather", {
        description: "Current weather in a city",
        parameters: Schema.Struct({ city: Schema.String })
      })
      const seen: Array<string> = []
      const handlers = {
        get_weather: ({ city }: { readonly city: string }) => Effect.sync(() => (seen.push(city), { sky: "sunny" }))
      }
      const v2 = yield* gc.completions.runTools("What's the weather like in Rome today?", {
        tools: [getWeather],
        handlers
      })
      assert.strictEqual(v2.steps, 2)
      const v1 = yield* gc.chatRunTools("Какая погода в Москве?", { tools: [getWeather], handlers })
      assert.strictEqual(v1.steps, 2)
      assert.include(v1.response.choices[0].message.content, "sunny")
      assert.deepStrictEqual(seen, ["Rome", "Москва"])
    }).pipe(Effect.provide(sdkOverEmulator())))
})
