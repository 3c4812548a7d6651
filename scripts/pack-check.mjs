/**
 * The packaging check (CI): do the packed packages install and work outside the workspace, with nothing missing?
 *
 *   node scripts/pack-check.mjs                  after `pnpm build`; what `pnpm pack-check` runs
 *   node scripts/pack-check.mjs --contents-only  only steps 1-2 (no npm install, a few seconds)
 *   node scripts/pack-check.mjs --keep           keep the scratch directory for a look
 *
 * 1. `pnpm pack` @effect-gigachat/core, @effect-gigachat/node, @effect-gigachat/emulator and @effect-gigachat/ai into a
 *    temporary directory; the file list is read
 *    from the tarball itself, and the manifest is the packed one (publishConfig applied, workspace: replaced).
 * 2. Contents: every target the `exports` map (and `main`, `types`) names is in the tarball; every public module
 *    `src/<Module>.ts` has an `./<Module>` entry and every entry a module; every relative import of a packed
 *    `.js`/`.d.ts` resolves to a packed file; every bare import is a `node:` builtin or a declared dependency or
 *    peer dependency (so nothing works only because the workspace has it); no `workspace:` or unranged dependency.
 * 3. A scratch project in a fresh temporary directory (outside the workspace) `npm install`s the four tarballs and
 *    the peers from the registry (the ranges of the packed peerDependencies), type-checks a program with the
 *    workspace's TypeScript (NodeNext and Bundler resolution, `skipLibCheck: false` for our declarations), runs it
 *    with Node (it serves the emulator on 127.0.0.1 with NodeGigaChatEmulator and chats with it through
 *    NodeGigaChat, and through @effect/ai's LanguageModel on GigaChatLanguageModel), and checks that the packages'
 *    `internal/*` modules cannot be imported.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { builtinModules } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const packages = ["core", "node", "emulator", "ai"]
const contentsOnly = process.argv.includes("--contents-only")
const keep = process.argv.includes("--keep")
const isWindows = process.platform === "win32"

const problems = []
const fail = (message) => problems.push(message)
const started = Date.now()
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`
const log = (message) => console.log(`pack-check: ${message} [${elapsed()}]`)
const quote = (output) => console.log(output.trimEnd().replace(/^/gm, "  | "))

/** Runs a command; returns its stdout, or throws with its output when it fails. */
const exec = (command, args, options = {}) => {
  const result = spawnSync(command, args, { encoding: "utf8", shell: isWindows, ...options })
  if (result.status !== 0) {
    const output = [result.stdout, result.stderr, result.error?.message].filter(Boolean).join("\n").trim()
    throw new Error(`${command} ${args.join(" ")} failed (exit ${result.status ?? result.signal}):\n${output}`)
  }
  return result.stdout
}

const scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "effect-gigachat-pack-")))
if (scratch.startsWith(root + path.sep)) throw new Error(`the scratch directory ${scratch} is inside the workspace`)
const cleanup = () =>
  keep ? console.log(`pack-check: kept ${scratch}`) : fs.rmSync(scratch, { recursive: true, force: true })

// ---------------------------------------------------------------------------------------------------------------
// 1. pack
// ---------------------------------------------------------------------------------------------------------------

const pack = (pkg) => {
  const dir = path.join(root, "packages", pkg)
  const source = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"))
  if (!fs.existsSync(path.join(dir, "dist", "index.js"))) {
    throw new Error(`packages/${pkg}/dist is missing: run \`pnpm build\` first`)
  }
  const destination = path.join(scratch, "tarballs")
  exec("pnpm", ["pack", "--pack-destination", destination], { cwd: dir })
  const tarball = fs.readdirSync(destination).map((file) => path.join(destination, file))
    .find((file) => path.basename(file).startsWith(`${source.name.replace("@", "").replace("/", "-")}-`))
  if (tarball === undefined) throw new Error(`pnpm pack wrote no tarball for ${source.name}`)
  // What is really in the tarball, not what pnpm says it packed.
  const files = exec("tar", ["-tzf", tarball]).split("\n").filter((line) => line !== "")
    .map((line) => line.replace(/^package\//, "")).filter((file) => !file.endsWith("/"))
  const extracted = path.join(scratch, "extracted", pkg)
  fs.mkdirSync(extracted, { recursive: true })
  exec("tar", ["-xzf", tarball, "-C", extracted])
  const packageDir = path.join(extracted, "package")
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"))
  return { pkg, dir, tarball, files: new Set(files), packageDir, manifest }
}

// ---------------------------------------------------------------------------------------------------------------
// 2. contents
// ---------------------------------------------------------------------------------------------------------------

const targetsOf = (value) =>
  value === null ? [] : typeof value === "string" ? [value] : Object.values(value).flatMap(targetsOf)

const importsOf = (code) => {
  const specifiers = []
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\sfrom\s*["']([^"']+)["']/g, // import x from "a", export * from "a"
    /\bimport\s*["']([^"']+)["']/g, // import "a"
    /\bimport\(\s*["']([^"']+)["']\s*\)/g // import("a"), also import("a").T in declarations
  ]
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.push(match[1])
  return specifiers
}

const packageNameOf = (specifier) =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]

const builtins = new Set(builtinModules)

const checkContents = ({ dir, files, manifest, packageDir, pkg }) => {
  const where = manifest.name
  const exportsMap = manifest.exports
  if (exportsMap === undefined || typeof exportsMap !== "object") return fail(`${where}: no exports map`)

  // Everything the manifest points at is packed, and points at build output.
  for (const [key, value] of Object.entries(exportsMap)) {
    for (const target of new Set(targetsOf(value))) {
      if (!files.has(target.replace(/^\.\//, ""))) {
        fail(`${where}: exports["${key}"] names ${target}, not in the tarball`)
      }
      if (/\.ts$/.test(target) && !target.endsWith(".d.ts")) {
        fail(`${where}: exports["${key}"] points at source ${target}`)
      }
    }
    if (value !== null && typeof value === "object") {
      const conditions = Object.keys(value)
      if (conditions[0] !== "types") fail(`${where}: exports["${key}"] must list "types" first`)
      for (const condition of ["types", "import", "default"]) {
        if (!conditions.includes(condition)) fail(`${where}: exports["${key}"] has no "${condition}" condition`)
      }
    }
  }
  if (exportsMap["./internal/*"] !== null) fail(`${where}: exports["./internal/*"] must be null`)
  for (const field of ["main", "types"]) {
    if (typeof manifest[field] !== "string") fail(`${where}: no "${field}" field`)
    else if (!files.has(manifest[field].replace(/^\.\//, ""))) {
      fail(`${where}: ${field} ${manifest[field]} is not in the tarball`)
    }
  }

  // One export entry per public module, and no entry without a module.
  const modules = fs.readdirSync(path.join(dir, "src")).filter((file) => file.endsWith(".ts") && file !== "index.ts")
    .map((file) => file.slice(0, -".ts".length))
  const entries = Object.keys(exportsMap).filter((key) => !["./package.json", ".", "./internal/*"].includes(key))
  for (const module of modules) {
    if (!(`./${module}` in exportsMap)) {
      fail(
        `${where}: src/${module}.ts has no exports["./${module}"] in publishConfig.exports of packages/${pkg}/package.json`
      )
    }
  }
  for (const entry of entries) {
    if (!modules.includes(entry.slice(2))) fail(`${where}: exports["${entry}"] has no module src/${entry.slice(2)}.ts`)
  }

  // Dependencies as a consumer gets them.
  const declared = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {})
  ])
  for (const field of ["dependencies", "peerDependencies"]) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (!/^[~^]?\d/.test(range)) fail(`${where}: ${field}["${name}"] is "${range}", not a version range`)
    }
  }
  if (manifest.engines?.node === undefined) fail(`${where}: no engines.node`)
  if (!Array.isArray(manifest.sideEffects) || manifest.sideEffects.length !== 0) fail(`${where}: sideEffects is not []`)
  for (const field of ["license", "repository", "homepage"]) {
    if (manifest[field] === undefined) fail(`${where}: no ${field}`)
  }

  // Every import of the packed code resolves within the tarball or to a declared package.
  for (const file of files) {
    const isJs = file.endsWith(".js")
    const isDts = file.endsWith(".d.ts")
    if (!file.startsWith("dist/") || (!isJs && !isDts)) continue
    const code = fs.readFileSync(path.join(packageDir, file), "utf8")
    for (const specifier of importsOf(code)) {
      if (specifier.startsWith(".")) {
        const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier))
        const candidates = isDts ? [resolved.replace(/\.js$/, ".d.ts")] : [resolved]
        if (!candidates.some((candidate) => files.has(candidate))) {
          fail(`${where}: ${file} imports ${specifier}, which is not in the tarball`)
        }
      } else if (specifier.startsWith("node:") || builtins.has(specifier)) {
        continue
      } else if (packageNameOf(specifier) !== manifest.name && !declared.has(packageNameOf(specifier))) {
        fail(`${where}: ${file} imports ${specifier}, but ${packageNameOf(specifier)} is not a dependency or peer`)
      }
    }
    if (isJs && !files.has(`${file}.map`)) fail(`${where}: ${file} has no source map`)
  }
  // Source maps point at packed sources.
  for (const file of files) {
    if (!file.endsWith(".map")) continue
    const map = JSON.parse(fs.readFileSync(path.join(packageDir, file), "utf8"))
    for (const source of map.sources ?? []) {
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), map.sourceRoot ?? "", source))
      if (!files.has(resolved)) fail(`${where}: ${file} maps to ${resolved}, not in the tarball`)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// 3. install and run outside the workspace
// ---------------------------------------------------------------------------------------------------------------

const program = `import { GigaChatLanguageModel } from "@effect-gigachat/ai"
import { GigaChat } from "@effect-gigachat/core"
import * as GigaChatError from "@effect-gigachat/core/GigaChatError"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as NodeGigaChatEmulator from "@effect-gigachat/emulator/NodeGigaChatEmulator"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const program = Effect.gen(function*() {
  const server = yield* NodeGigaChatEmulator.make()
  yield* Console.log(\`emulator: \${server.url}\`)
  const layer = NodeGigaChat.layer({
    baseUrl: server.baseUrl,
    authUrl: server.authUrl,
    credentials: GigaChatEmulator.defaultCredentials,
    scope: GigaChatEmulator.defaultScope
  })
  const answer = yield* GigaChat.chat("Hello from the packed tarballs").pipe(Effect.provide(layer))
  yield* Console.log(\`answer: \${answer.choices[0]?.message.content ?? "(none)"}\`)
  const streamed = yield* GigaChat.stream({ messages: [{ role: "user", content: "Stream, please" }] }).pipe(
    GigaChat.streamText,
    Stream.runFold("", (text, delta) => text + delta),
    Effect.provide(layer)
  )
  yield* Console.log(\`streamed: \${streamed}\`)
  const missing = yield* Effect.flatMap(GigaChat.GigaChat, (gc) => gc.getModel("NoSuchModel")).pipe(
    Effect.flip,
    Effect.provide(layer)
  )
  const tag: GigaChatError.GigaChatError["_tag"] = missing._tag
  yield* Console.log(\`error: \${tag} \${GigaChatError.isGigaChatError(missing)}\`)
  const generated = yield* LanguageModel.generateText({ prompt: "Hello from @effect/ai" }).pipe(
    Effect.provide(GigaChatLanguageModel.model("GigaChat")),
    Effect.provide(layer)
  )
  yield* Console.log(\`ai: \${generated.text} (\${generated.finishReason})\`)
})

Effect.runPromise(Effect.scoped(program)).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
`

// The internal modules stay private, whatever the resolution.
const internalProbe =
  `const attempts = ["@effect-gigachat/core/internal/gigachat", "@effect-gigachat/core/internal/gigachat.js",
  "@effect-gigachat/node/internal/nodeGigaChat.js", "@effect-gigachat/emulator/internal/server.js",
  "@effect-gigachat/ai/internal/errors.js",
  "@effect-gigachat/core/dist/GigaChat.js"]
for (const specifier of attempts) {
  try {
    await import(specifier)
    console.error("importable: " + specifier)
    process.exitCode = 1
  } catch (error) {
    if (error.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error
  }
}
console.log("internal modules: not importable")
`

const compilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  target: "ES2022",
  lib: ["ES2022"],
  types: ["node"],
  // Our declarations are checked in full; a broken or stripped type would otherwise silently become `any`.
  skipLibCheck: false,
  rootDir: "src"
}

/** The environment for npm and the program: nothing from pnpm's script runner or the user's GigaChat settings. */
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([key]) =>
      !/^GIGACHAT_/i.test(key) && !(/^npm_/i.test(key) && !/^npm_config_(registry|cache|userconfig)$/i.test(key))
    )
  )

const installAndRun = (packed) => {
  const app = path.join(scratch, "app")
  fs.mkdirSync(path.join(app, "src"), { recursive: true })
  const rootManifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
  const dependencies = {}
  for (const { manifest, tarball } of packed) dependencies[manifest.name] = `file:${tarball}`
  for (const { manifest } of packed) Object.assign(dependencies, manifest.peerDependencies)
  const appManifest = {
    name: "pack-check-app",
    private: true,
    type: "module",
    dependencies,
    devDependencies: { "@types/node": rootManifest.devDependencies["@types/node"] },
    // @effect-gigachat/node and /emulator depend on @effect-gigachat/core (and /node) ^x.y.z, which the registry may
    // not have yet.
    overrides: {
      "@effect-gigachat/core": `$@effect-gigachat/core`,
      "@effect-gigachat/node": `$@effect-gigachat/node`
    }
  }
  fs.writeFileSync(path.join(app, "package.json"), JSON.stringify(appManifest, null, 2))
  fs.writeFileSync(path.join(app, "src", "main.ts"), program)
  fs.writeFileSync(path.join(app, "internal-probe.mjs"), internalProbe)
  fs.writeFileSync(
    path.join(app, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...compilerOptions, module: "NodeNext", outDir: "build" }, include: ["src"] })
  )
  fs.writeFileSync(
    path.join(app, "tsconfig.bundler.json"),
    JSON.stringify({
      // The declarations were checked in full above; this run is about resolving through the exports map.
      compilerOptions: {
        ...compilerOptions,
        module: "Preserve",
        moduleResolution: "Bundler",
        noEmit: true,
        skipLibCheck: true
      },
      include: ["src"]
    })
  )
  const env = cleanEnv()
  const specs = Object.entries(dependencies).map(([name, spec]) => spec.startsWith("file:") ? name : `${name}@${spec}`)
  log(`npm install in ${app}: ${specs.join(", ")} (tarballs for @effect-gigachat/*)`)
  exec("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: app, env })
  const versionIn = (name) =>
    JSON.parse(fs.readFileSync(path.join(app, "node_modules", name, "package.json"), "utf8")).version
  const installed = [...Object.keys(dependencies), "@effect/cluster", "@effect/rpc", "@effect/sql"]
    .map((name) => `${name}@${versionIn(name)}`)
  log(`installed ${installed.join(", ")}`)
  for (const dependent of ["node", "emulator", "ai"]) {
    const nested = path.join(app, "node_modules", "@effect-gigachat", dependent, "node_modules", "@effect-gigachat")
    if (fs.existsSync(nested)) fail(`@effect-gigachat/${dependent} got its own copy of ${fs.readdirSync(nested).join(", ")}`)
  }

  const tsc = path.join(root, "node_modules", ".bin", isWindows ? "tsc.cmd" : "tsc")
  exec(tsc, ["-p", "tsconfig.json"], { cwd: app })
  log("the program type-checks (NodeNext) and compiled")
  exec(tsc, ["-p", "tsconfig.bundler.json"], { cwd: app })
  log("the program type-checks (Bundler)")

  const output = exec(process.execPath, [path.join("build", "main.js")], { cwd: app, env, timeout: 120_000 })
  quote(output)
  for (const expected of [/^answer: \S/m, /^streamed: \S/m, /^error: NotFoundError true$/m, /^ai: \S.* \(stop\)$/m]) {
    if (!expected.test(output)) fail(`the program's output has no line matching ${expected}`)
  }
  const probe = exec(process.execPath, ["internal-probe.mjs"], { cwd: app, env })
  quote(probe)
  log("the program ran")
}

// ---------------------------------------------------------------------------------------------------------------

try {
  const packed = packages.map(pack)
  for (const { manifest, files } of packed) log(`packed ${manifest.name}@${manifest.version}: ${files.size} files`)
  for (const entry of packed) checkContents(entry)
  const exportCount = packed.reduce((n, { manifest }) => n + targetsOf(manifest.exports).length, 0)
  if (problems.length === 0) log(`contents: all ${exportCount} export targets are packed, imports resolve`)
  if (problems.length === 0 && !contentsOnly) installAndRun(packed)
} catch (error) {
  fail(error instanceof Error ? error.message : String(error))
} finally {
  cleanup()
}

if (problems.length > 0) {
  console.error(`pack-check: FAILED [${elapsed()}]`)
  for (const problem of problems) console.error(`  ${problem}`)
  process.exit(1)
}
log("ok")
