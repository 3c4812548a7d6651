import { GigaChatEmulator } from "@effect-gigachat/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import { readdirSync } from "node:fs"
import type { Example } from "../src/runtime.js"
import { hasRealCredentials } from "../src/runtime.js"

const folder = new URL("../src/examples/", import.meta.url)
const names = readdirSync(folder).filter((file) => file.endsWith(".ts")).map((file) => file.slice(0, -3))

// Every example runs against the in-process emulator: no sockets, no credentials. Its batches finish in 0.3 s of
// the real clock these tests run on (3 s by default).
const emulator = GigaChatEmulator.layer({ batchDuration: "300 millis" })

describe("examples", () => {
  it("are found", () => {
    assert.include(names, "chat")
  })

  it("use the real API only with an auth setting that is not blank", () => {
    assert.isFalse(hasRealCredentials({}))
    assert.isFalse(hasRealCredentials({ GIGACHAT_CREDENTIALS: "", GIGACHAT_ACCESS_TOKEN: "  " }))
    assert.isFalse(hasRealCredentials({ GIGACHAT_USER: "user", GIGACHAT_PASSWORD: "" }))
    assert.isTrue(hasRealCredentials({ GIGACHAT_CREDENTIALS: "a2V5" }))
    assert.isTrue(hasRealCredentials({ gigachat_credentials: "a2V5" }))
    assert.isTrue(hasRealCredentials({ GIGACHAT_USER: "user", GIGACHAT_PASSWORD: "pass" }))
  })

  for (const name of names) {
    it.live(`${name} runs to completion against the emulator`, () =>
      Effect.gen(function*() {
        const { example } = (yield* Effect.promise(() => import(`../src/examples/${name}.ts`))) as {
          readonly example: Example
        }
        yield* example.pipe(
          Effect.scoped,
          Effect.provide(emulator),
          Effect.provide(Logger.remove(Logger.defaultLogger))
        )
      }))
  }
})
