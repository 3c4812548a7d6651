/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`, written by `pnpm bench --profile` into `profiles/`): self time per
 * function and per package, so the hot spots of a benchmark child can be read without DevTools.
 *
 * Usage: `tsx src/profile.ts [profile files or directories] [--top N] [--filter text]` (default: every file in
 * `profiles/`, newest first). With `--filter`, only functions whose location contains the text are listed (e.g.
 * `--filter effect-gigachat` or `--filter core/src`), along with the total time under them ("inclusive").
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const here = Path.dirname(Url.fileURLToPath(import.meta.url))

/** `effect/Stream`, `@effect/platform/HttpClient`, `core/src/internal/sse`, `undici`, `(node)` ... */
const where = (url: string): string => {
  if (url === "") return "(native)"
  if (url.startsWith("node:")) return url
  const path = url.replace(/^file:\/\//, "")
  const modules = path.lastIndexOf("/node_modules/")
  if (modules !== -1) {
    const rest = path.slice(modules + "/node_modules/".length).split("/")
    const name = rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]
    const file = rest[rest.length - 1].replace(/\.(m?js|ts)$/, "")
    return `${name}/${file}`
  }
  const compiled = path.indexOf("/bench/build/js/")
  if (compiled !== -1) {
    const [name, ...rest] = path.slice(compiled + "/bench/build/js/".length).split("/")
    return `${name}/src/${rest.join("/")}`.replace(/\.(js|ts)$/, "")
  }
  const packages = path.indexOf("/packages/")
  if (packages !== -1) return path.slice(packages + "/packages/".length).replace(/\.ts$/, "")
  return path
}

const packageOf = (url: string): string => {
  const place = where(url)
  if (place.startsWith("core/") || place.startsWith("node/")) return `effect-gigachat ${place.split("/")[0]}`
  if (place.startsWith("bench/")) return "bench harness"
  const slash = place.lastIndexOf("/")
  return slash === -1 ? place : place.slice(0, slash)
}

const summarize = (file: string, top: number, filter: string | undefined): void => {
  const profile = JSON.parse(Fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const selfTime = new Map<number, number>()
  let total = 0
  for (let index = 0; index < profile.samples.length; index++) {
    const delta = profile.timeDeltas[index] ?? 0
    total += delta
    selfTime.set(profile.samples[index], (selfTime.get(profile.samples[index]) ?? 0) + delta)
  }
  const label = (frame: CallFrame) =>
    `${frame.functionName || "(anonymous)"} ${where(frame.url)}:${frame.lineNumber + 1}`
  const byFunction = new Map<string, number>()
  const byPackage = new Map<string, number>()
  const byFile = new Map<string, number>()
  const inclusive = new Map<string, number>()
  for (const [id, time] of selfTime) {
    const node = byId.get(id)
    if (node === undefined) continue
    const key = label(node.callFrame)
    byFunction.set(key, (byFunction.get(key) ?? 0) + time)
    const pkg = node.callFrame.url === "" ? node.callFrame.functionName || "(native)" : packageOf(node.callFrame.url)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time)
    const file = node.callFrame.url === "" ? pkg : where(node.callFrame.url)
    byFile.set(file, (byFile.get(file) ?? 0) + time)
    if (filter !== undefined) {
      // Every distinct matching frame on the stack gets the sample once.
      const seen = new Set<string>()
      for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
        const frame = byId.get(current)?.callFrame
        if (frame === undefined) break
        const frameKey = label(frame)
        if (!frameKey.includes(filter) || seen.has(frameKey)) continue
        seen.add(frameKey)
        inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + time)
      }
    }
  }
  const print = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title}`)
    const sorted = [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)
    for (const [key, time] of sorted) {
      console.log(
        `${(time / 1000).toFixed(0).padStart(7)} ms ${((time / total) * 100).toFixed(1).padStart(5)} %  ${key}`
      )
    }
  }
  console.log(`${Path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled`)
  print("self time by package", byPackage)
  print("self time by file", byFile)
  print("self time by function", byFunction)
  if (filter !== undefined) print(`inclusive time of functions matching "${filter}"`, inclusive)
}

const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const index = args.indexOf(`--${name}`)
  return index === -1 ? undefined : args[index + 1]
}
const top = Number(option("top") ?? 25)
const filter = option("filter")
const given = args.filter((arg, index) => !arg.startsWith("--") && !args[index - 1]?.startsWith("--"))
const files = (given.length > 0 ? given : [Path.join(here, "..", "profiles")]).flatMap((path) => {
  if (!Fs.statSync(path).isDirectory()) return [path]
  const entries = Fs.readdirSync(path)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => Path.join(path, name))
    .sort((a, b) => Fs.statSync(b).mtimeMs - Fs.statSync(a).mtimeMs)
  return entries
})
for (const file of files) summarize(file, top, filter)
