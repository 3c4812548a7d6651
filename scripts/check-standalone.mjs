/**
 * The standalone check (part of `pnpm test:all`): nothing in the repository reads a file outside it, so a fresh clone
 * with nothing beside it passes every test and runs every example.
 *
 *   node scripts/check-standalone.mjs    (`pnpm check-standalone`)
 *
 * It scans the sources of `packages/<pkg>/{src,test,bench,scripts}`, each package's `package.json`, the root
 * `scripts/` and the root configuration files, and lists as `file:line` every path that climbs out:
 *
 * - the team's reference folder beside the repository: `../shared`, `/work/shared`;
 * - an absolute path into the repository's parent folder (which is machine-specific even when it points back in);
 * - a relative path with `..` segments (a string such as `"../../x"`, or the arguments of a call such as
 *   `join(dir, "..", "..")` joined with `/`) that resolves above the repository root when joined with the file's
 *   folder, or, on a line that uses `process.cwd()`, with the folder the file's scripts run in (the package's
 *   folder, the root for the root's files).
 *
 * A line that must name such a path on purpose (a test of path handling) is skipped when it carries the comment
 * `check-standalone: ignore`. Exits with 1 when there is an offender.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const parent = path.dirname(root)

const sourceExtensions = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs", ".sh"])
const skippedFolders = new Set(["node_modules", "build", "dist", "docs", ".docs-examples", "coverage"])
const ignoreMarker = "check-standalone: ignore"

/** Every source file under `dir` (recursively), skipping build output and dependencies. */
const sourcesUnder = (dir) => {
  if (!fs.existsSync(dir)) return []
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return skippedFolders.has(entry.name) ? [] : sourcesUnder(full)
    return entry.isFile() && sourceExtensions.has(path.extname(entry.name)) ? [full] : []
  })
}

/** The files to scan, each with the folder its scripts run in (what `process.cwd()` is for it). */
const targets = () => {
  const files = []
  const packagesDir = path.join(root, "packages")
  for (const pkg of fs.readdirSync(packagesDir, { withFileTypes: true })) {
    if (!pkg.isDirectory()) continue
    const pkgDir = path.join(packagesDir, pkg.name)
    for (const folder of ["src", "test", "bench", "scripts"]) {
      for (const file of sourcesUnder(path.join(pkgDir, folder))) files.push({ file, cwd: pkgDir })
    }
    const manifest = path.join(pkgDir, "package.json")
    if (fs.existsSync(manifest)) files.push({ file: manifest, cwd: pkgDir })
  }
  for (const file of sourcesUnder(path.join(root, "scripts"))) {
    // this file names the paths it looks for
    if (file !== fileURLToPath(import.meta.url)) files.push({ file, cwd: root })
  }
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (entry.isFile() && (sourceExtensions.has(path.extname(entry.name)) || entry.name === "package.json")) {
      files.push({ file: path.join(root, entry.name), cwd: root })
    }
  }
  return files
}

const isInside = (target) => {
  const relative = path.relative(root, target)
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative))
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/** The reference folder beside the repository, by a relative or an absolute path. */
const sharedFolder = /(?:^|[^\w.-])(?:\.\.\/)+shared(?![\w-])|\/work\/shared(?![\w-])/
/** An absolute path into the parent folder of the repository (the repository itself included). */
const parentFolder = parent === path.parse(parent).root
  ? undefined
  : new RegExp(`(?:^|[^\\w./-])${escapeRegExp(parent)}/`)

/** String literals ('…', "…", `…`) of a line, with their positions. */
const literalsOf = (line) =>
  Array.from(line.matchAll(/(["'`])((?:\\.|(?!\1)[^\\])*)\1/g), (match) => ({
    value: match[2],
    start: match.index,
    end: match.index + match[0].length
  }))

/**
 * The path candidates of a line: each run of literals separated by commas only (the arguments of `join`/`resolve`)
 * joined with `/`, and each tail of the run that starts with a literal holding a whole path (with a `/`, not a bare
 * `..` segment); the words of a literal with spaces (a command line); in shell scripts the words outside quotes.
 */
const candidatesOf = (line, shell) => {
  const literals = literalsOf(line)
  const candidates = []
  let runStart = 0
  literals.forEach((literal, index) => {
    const last = index === literals.length - 1 ||
      !/^\s*,\s*$/.test(line.slice(literal.end, literals[index + 1].start))
    if (!last) return
    const run = literals.slice(runStart, index + 1).map((item) => item.value)
    run.forEach((value, start) => {
      if (start === 0 || value.includes("/")) candidates.push(run.slice(start).join("/"))
    })
    runStart = index + 1
  })
  for (const literal of literals) {
    if (/\s/.test(literal.value)) candidates.push(...literal.value.split(/\s+/))
  }
  if (shell) candidates.push(...line.split(/[\s"'`;|&()<>=]+/))
  return candidates
}

/** Whether a relative path with `..` segments climbs above the repository root from `base`. */
const climbsOut = (candidate, base) => {
  // only the path part: drop a template placeholder's tail, a query or a fragment
  const value = candidate.replace(/\$\{.*$/, "").replace(/[?#].*$/, "")
  if (value === "" || path.isAbsolute(value) || /^[a-z][\w+.-]*:/i.test(value)) return false
  if (!value.split("/").includes("..")) return false
  return !isInside(path.resolve(base, value))
}

/** The offending lines of one file, as `{ line, text, reason }`. */
const offendersOf = ({ cwd, file }) => {
  const shell = path.extname(file) === ".sh"
  const offenders = []
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/)
  lines.forEach((text, index) => {
    if (text.includes(ignoreMarker)) return
    const report = (reason) => offenders.push({ line: index + 1, text: text.trim(), reason })
    if (sharedFolder.test(text)) return report("reads the shared folder beside the repository")
    if (parentFolder?.test(text)) return report(`absolute path under ${parent}`)
    const base = text.includes("process.cwd()") ? cwd : path.dirname(file)
    // in a shell script, `$(dirname "$0")` is the script's folder
    const code = shell ? text.replace(/\$\(dirname\s+"?\$\{?0\}?"?\)/g, ".") : text
    const escaping = candidatesOf(code, shell).find((candidate) => climbsOut(candidate, base))
    if (escaping !== undefined) {
      report(`"${escaping}" resolves outside the repository from ${path.relative(root, base) || "."}`)
    }
  })
  return offenders
}

const files = targets()
const offenders = files.flatMap((target) =>
  offendersOf(target).map((offender) => ({ ...offender, file: path.relative(root, target.file) }))
)

for (const { file, line, reason, text } of offenders) {
  console.error(`${file}:${line}: ${reason}\n    ${text}`)
}
if (offenders.length > 0) {
  console.error(`check-standalone: ${offenders.length} path(s) outside the repository in ${files.length} files`)
  process.exit(1)
}
console.log(`check-standalone: ok (${files.length} files, no path outside the repository)`)
