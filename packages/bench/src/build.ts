/**
 * Compiles the bench children and our packages to plain JavaScript (TypeScript's `transpileModule`, no type check)
 * under `build/js/`, so the children run on `node` alone, as an application would run a published build. Under
 * the tsx loader every import of every client goes through its resolve/load hooks and our sources are transpiled
 * on load, which made start-up several times slower and would dominate the cold-start figures.
 *
 * `@effect-gigachat/core[/X]`, `@effect-gigachat/node[/X]` and `@effect-gigachat/ai[/X]` are rewritten to the compiled
 * files; every other import (effect, @effect/platform, @effect/ai, undici, gigachat) resolves from `packages/bench/node_modules` as usual. A file is only
 * compiled again when its source is newer than its output.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import ts from "typescript"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))
const packagesDir = Path.resolve(here, "..", "..")

/** Where the compiled files go: `build/js/<bench|core|node|ai>/...`. */
export const outDir = Path.resolve(here, "..", "build", "js")

const sources: ReadonlyArray<readonly [name: string, dir: string]> = [
  ["bench", Path.join(packagesDir, "bench", "src")],
  ["core", Path.join(packagesDir, "core", "src")],
  ["node", Path.join(packagesDir, "node", "src")],
  ["ai", Path.join(packagesDir, "ai", "src")]
]

const walk = (dir: string): Array<string> =>
  Fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = Path.join(dir, entry.name)
    if (entry.isDirectory()) return walk(path)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : []
  })

const ownPackage = /(["'])@effect-gigachat\/(core|node|ai)(\/[A-Za-z0-9_/]+)?\1/g

const rewrite = (code: string, file: string): string =>
  code.replace(ownPackage, (_, quote: string, name: string, subpath: string | undefined) => {
    const target = Path.join(outDir, name, `${subpath === undefined ? "index" : subpath.slice(1)}.js`)
    let relative = Path.relative(Path.dirname(file), target).split(Path.sep).join("/")
    if (!relative.startsWith(".")) relative = `./${relative}`
    return `${quote}${relative}${quote}`
  })

const compilerOptions: ts.CompilerOptions = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  isolatedModules: true,
  // Positions in CPU profiles are mapped back to the TypeScript sources (`--enable-source-maps`).
  inlineSourceMap: true,
  inlineSources: false
}

/** Compiles what changed; returns the number of files written. */
export const compile = (): number => {
  let written = 0
  for (const [name, dir] of sources) {
    for (const source of walk(dir)) {
      const target = Path.join(outDir, name, Path.relative(dir, source)).replace(/\.ts$/, ".js")
      const sourceTime = Fs.statSync(source).mtimeMs
      if (Fs.existsSync(target) && Fs.statSync(target).mtimeMs >= sourceTime) continue
      const output = ts.transpileModule(Fs.readFileSync(source, "utf8"), { compilerOptions, fileName: source })
      Fs.mkdirSync(Path.dirname(target), { recursive: true })
      Fs.writeFileSync(target, rewrite(output.outputText, target))
      written++
    }
  }
  return written
}
