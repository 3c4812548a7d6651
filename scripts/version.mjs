/**
 * Part of `pnpm changeset-version`: writes the version that `changeset version` gave @effect-gigachat/core into
 * `packages/core/src/internal/version.ts`, so that the `User-Agent` names the release it ships in.
 * `test/Version.test.ts` fails when the two differ.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const { version } = JSON.parse(fs.readFileSync(path.join(root, "packages", "core", "package.json"), "utf8"))
const target = path.join(root, "packages", "core", "src", "internal", "version.ts")
fs.writeFileSync(
  target,
  `/** The package's version, written by \`scripts/version.mjs\` (run by \`pnpm changeset-version\`). */\n` +
    `export const version = ${JSON.stringify(version)}\n`
)
console.log(`version.ts: ${version}`)
