/**
 * `pnpm example` lists the examples; `pnpm example <name>` runs one. Each example runs against the real GigaChat
 * API when an auth setting (GIGACHAT_CREDENTIALS, GIGACHAT_ACCESS_TOKEN or GIGACHAT_USER + GIGACHAT_PASSWORD) is in
 * the environment, and against the built-in emulator otherwise.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { readdirSync, readFileSync } from "node:fs"
import { runExample } from "./runtime.js"
import type { Example } from "./runtime.js"

const folder = new URL("./examples/", import.meta.url)

const examples = readdirSync(folder)
  .filter((file) => file.endsWith(".ts"))
  .map((file) => file.slice(0, -3))
  .sort()

const describe = (name: string): string => {
  const source = readFileSync(new URL(`${name}.ts`, folder), "utf8")
  return /\/\*\*\s*\n?\s*\*?\s*(.+)/.exec(source)?.[1]?.trim() ?? ""
}

const name = process.argv[2]
if (name === undefined || !examples.includes(name)) {
  if (name !== undefined) console.error(`Unknown example: ${name}\n`)
  console.log("Usage: pnpm example <name>\n\nExamples:")
  for (const example of examples) console.log(`  ${example.padEnd(18)} ${describe(example)}`)
  process.exitCode = name === undefined ? 0 : 1
} else {
  const module = (await import(`./examples/${name}.ts`)) as { readonly example: Example }
  NodeRuntime.runMain(runExample(module.example))
}
