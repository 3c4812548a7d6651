/**
 * The `User-Agent` names the version of the package it ships in: `scripts/version.mjs` writes it when
 * `pnpm changeset-version` bumps the version, and this test fails if a bump skipped that step.
 */
import { GigaChatConfig } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"

describe("version", () => {
  it("the User-Agent is effect-gigachat/<the version in packages/core/package.json>", () => {
    const { version } = JSON.parse(Fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    assert.strictEqual(GigaChatConfig.userAgent, `effect-gigachat/${version}`)
  })
})
