/**
 * The API reference check (CI) and generator.
 *
 *   node scripts/docs-check.mjs             check every public export, type-check the `@example` blocks, run docgen
 *   node scripts/docs-check.mjs --generate  only run docgen (what `pnpm docgen` does)
 *
 * 1. Every public module (`packages/{core,node,emulator,ai}/src/*.ts`, not `internal/` or `bin/`) starts with a module JSDoc,
 *    and every export in it (const, function, class, interface, type, namespace, re-export) and every class member
 *    docgen documents has its own multi-line JSDoc with a description and `@since` (`@internal`/`@ignore` opt out). All offenders are listed at once as `file:line` (docgen stops at the
 *    first kind of error per module, so fixing its list can reveal more).
 * 2. The ```ts blocks of `@example` tags are written to `packages/emulator/.docs-examples/` (those of
 *    @effect-gigachat/ai to `packages/ai/.docs-examples/`, where @effect/ai resolves) and type-checked against the
 *    workspace sources (they are not run: most of them would call the real API).
 * 3. `@effect/docgen` generates `packages/<pkg>/docs/` (git-ignored) and enforces `@since` and descriptions too.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const packages = ["core", "node", "emulator", "ai"]
const bin = (name) => path.join(root, "node_modules", ".bin", process.platform === "win32" ? `${name}.cmd` : name)

const run = (command, args, options) => {
  const started = Date.now()
  const result = spawnSync(command, args, { stdio: "inherit", shell: process.platform === "win32", ...options })
  return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) }
}

const docgen = () => {
  let ok = true
  for (const pkg of packages) {
    // docgen would run the examples with tsx (network calls), and 0.5.2 drops its first two CLI arguments, so the
    // switch goes through its environment configuration instead of `--no-run-examples`.
    const result = run(bin("docgen"), [], {
      cwd: path.join(root, "packages", pkg),
      env: { ...process.env, DOCGEN_RUN_EXAMPLES: "false" }
    })
    console.log(`docs-check: docgen @effect-gigachat/${pkg} ${result.ok ? "ok" : "FAILED"} (${result.seconds} s)`)
    ok &&= result.ok
  }
  return ok
}

if (process.argv.includes("--generate")) process.exit(docgen() ? 0 : 1)

// ---------------------------------------------------------------------------------------------------------------
// 1. JSDoc of every export
// ---------------------------------------------------------------------------------------------------------------

const publicModules = (pkg) => {
  const dir = path.join(root, "packages", pkg, "src")
  return fs.readdirSync(dir).filter((file) => file.endsWith(".ts")).sort().map((file) => path.join(dir, file))
}

const commentText = (comment) => (ts.getTextOfJSDocComment(comment) ?? "").trim()

/** The JSDoc blocks written directly above a node. */
const jsDocsOf = (node) => (node.jsDoc ?? []).filter((doc) => ts.isJSDoc(doc))

const problemsOf = (doc) => {
  if (doc === undefined) return ["no JSDoc"]
  // docgen reads tags line by line: in `/** text @since 0.1.0 */` it finds no @since.
  if (!doc.getText().includes("\n")) return ["one-line JSDoc (docgen needs the block on several lines)"]
  const problems = []
  if (commentText(doc.comment) === "") problems.push("no description")
  const since = (doc.tags ?? []).find((tag) => tag.tagName.text === "since")
  if (since === undefined || commentText(since.comment) === "") problems.push("no @since")
  return problems
}

/** `@internal` and `@ignore` keep a declaration out of the reference, as in docgen. */
const isIgnored = (doc) => (doc?.tags ?? []).some((tag) => ["internal", "ignore"].includes(tag.tagName.text))

/**
 * The class members docgen documents, and so requires a JSDoc for: instance properties that are not `private`, and
 * instance and static methods (the first of several overloads carries the JSDoc).
 */
const documentedMembers = (declaration) => {
  const members = []
  const seenMethods = new Set()
  for (const member of declaration.members) {
    const modifiers = ts.canHaveModifiers(member) ? ts.getModifiers(member) ?? [] : []
    const isStatic = modifiers.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)
    const isPrivate = modifiers.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)
    const memberName = member.name?.getText() ?? ""
    if (isIgnored(jsDocsOf(member).at(-1))) continue
    if (ts.isPropertyDeclaration(member) && !isStatic && !isPrivate && !ts.isPrivateIdentifier(member.name)) {
      members.push({ member, memberName })
    } else if (ts.isMethodDeclaration(member) && !seenMethods.has(`${isStatic}:${memberName}`)) {
      seenMethods.add(`${isStatic}:${memberName}`)
      members.push({ member, memberName })
    }
  }
  return members
}

const isExported = (node) =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

const declarationName = (statement) => {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((d) => d.name.getText()).join(", ")
  }
  if (ts.isExportDeclaration(statement)) {
    if (statement.exportClause === undefined) return `* from ${statement.moduleSpecifier?.getText()}`
    return ts.isNamespaceExport(statement.exportClause)
      ? statement.exportClause.name.text
      : statement.exportClause.elements.map((e) => e.name.text).join(", ")
  }
  return statement.name?.getText() ?? "(anonymous)"
}

const kindOf = (statement) =>
  ts.isVariableStatement(statement)
    ? "const"
    : ts.isFunctionDeclaration(statement)
    ? "function"
    : ts.isClassDeclaration(statement)
    ? "class"
    : ts.isInterfaceDeclaration(statement)
    ? "interface"
    : ts.isTypeAliasDeclaration(statement)
    ? "type"
    : ts.isModuleDeclaration(statement)
    ? "namespace"
    : ts.isExportDeclaration(statement)
    ? "re-export"
    : ts.SyntaxKind[statement.kind]

const checkModule = (file) => {
  const text = fs.readFileSync(file, "utf8")
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const relative = path.relative(root, file)
  const line = (node) => source.getLineAndCharacterOfPosition(node.getStart(source, false)).line + 1
  const problems = []
  const statements = [...source.statements]
  const first = statements[0]
  // The module JSDoc is the first block of the file; when the first statement is an export, it needs a block of
  // its own after the module's.
  const firstDocs = first === undefined ? [] : jsDocsOf(first)
  const moduleDoc = firstDocs[0]
  for (const problem of problemsOf(moduleDoc)) problems.push(`${relative}:1: module JSDoc: ${problem}`)
  const documentedFunctions = new Set()
  for (const statement of statements) {
    const exported = ts.isExportDeclaration(statement) || ts.isExportAssignment(statement) || isExported(statement)
    if (!exported) continue
    let docs = jsDocsOf(statement)
    if (statement === first) docs = docs.slice(1)
    const name = declarationName(statement)
    if (ts.isFunctionDeclaration(statement)) {
      // Overloads: the JSDoc of the first signature documents them all.
      if (documentedFunctions.has(name)) continue
      documentedFunctions.add(name)
    }
    if (isIgnored(docs.at(-1))) continue
    for (const problem of problemsOf(docs.at(-1))) {
      problems.push(`${relative}:${line(statement)}: ${name} (${kindOf(statement)}): ${problem}`)
    }
    if (ts.isClassDeclaration(statement)) {
      for (const { member, memberName } of documentedMembers(statement)) {
        for (const problem of problemsOf(jsDocsOf(member).at(-1))) {
          problems.push(`${relative}:${line(member)}: ${name}#${memberName} (class member): ${problem}`)
        }
      }
    }
  }
  return problems
}

const jsDocProblems = packages.flatMap((pkg) => publicModules(pkg).flatMap(checkModule))
if (jsDocProblems.length === 0) {
  console.log("docs-check: every public export has a JSDoc with a description and @since")
} else {
  console.error(`docs-check: ${jsDocProblems.length} export(s) without a complete JSDoc:`)
  for (const problem of jsDocProblems) console.error(`  ${problem}`)
}

// ---------------------------------------------------------------------------------------------------------------
// 2. @example blocks type-check
// ---------------------------------------------------------------------------------------------------------------

const examplesOf = (file) => {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  const examples = []
  const visit = (node) => {
    for (const doc of jsDocsOf(node)) {
      for (const tag of doc.tags ?? []) {
        if (tag.tagName.text !== "example") continue
        for (const match of commentText(tag.comment).matchAll(/```(?:ts|typescript)\n([\s\S]*?)```/g)) {
          const line = source.getLineAndCharacterOfPosition(tag.getStart(source)).line + 1
          examples.push({ line, code: match[1] })
        }
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return examples
}

const examplesTsconfig = {
  compilerOptions: {
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    module: "NodeNext",
    moduleResolution: "NodeNext",
    moduleDetection: "force",
    target: "ES2022",
    lib: ["ES2022", "DOM"],
    types: ["node"],
    skipLibCheck: true
  },
  include: ["*.ts"]
}

// One program for the packages the emulator depends on, inside packages/emulator so that `@effect-gigachat/emulator`
// (its own name) and `@effect-gigachat/core` and `@effect-gigachat/node` (its dependencies) resolve to the workspace
// sources; one inside packages/ai for @effect-gigachat/ai, whose examples also import @effect/ai and the emulator.
const examplesDirOf = (pkg) => path.join(root, "packages", pkg === "ai" ? "ai" : "emulator", ".docs-examples")
const examplesDirs = [...new Set(packages.map(examplesDirOf))]
for (const dir of examplesDirs) {
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir)
}
let exampleCount = 0
const countIn = new Map()
for (const pkg of packages) {
  for (const file of publicModules(pkg)) {
    for (const example of examplesOf(file)) {
      const name = `${pkg}-${path.basename(file, ".ts")}-${example.line}.ts`
      const dir = examplesDirOf(pkg)
      fs.writeFileSync(path.join(dir, name), `// @example at ${path.relative(root, file)}:${example.line}\n${example.code}`)
      exampleCount++
      countIn.set(dir, (countIn.get(dir) ?? 0) + 1)
    }
  }
}
let examplesOk = true
const examplesStarted = Date.now()
for (const dir of examplesDirs) {
  if ((countIn.get(dir) ?? 0) === 0) continue
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(examplesTsconfig, null, 2))
  examplesOk = run(bin("tsc"), ["-p", path.join(dir, "tsconfig.json")], { cwd: dir }).ok && examplesOk
}
if (exampleCount > 0) {
  console.log(
    `docs-check: ${exampleCount} @example block(s) ${
      examplesOk
        ? "type-check"
        : "do NOT type-check, or the sources they import do not (example files: <package>-<Module>-<line>.ts)"
    } (${((Date.now() - examplesStarted) / 1000).toFixed(1)} s)`
  )
}
for (const dir of examplesDirs) fs.rmSync(dir, { recursive: true, force: true })

// ---------------------------------------------------------------------------------------------------------------
// 3. docgen
// ---------------------------------------------------------------------------------------------------------------

// docgen reports a subset of the problems listed above, so it only runs once they are fixed.
const docgenOk = jsDocProblems.length === 0 ? docgen() : false
if (jsDocProblems.length > 0) console.error("docs-check: docgen skipped until the exports above are documented")

process.exit(jsDocProblems.length === 0 && examplesOk && docgenOk ? 0 : 1)
