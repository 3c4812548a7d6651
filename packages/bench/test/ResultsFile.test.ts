import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { writeKeeping, writeSection } from "../src/resultsFile.js"

const heading = "## Load"

const withFile = (text: string, f: (file: string) => void): string => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "results-file-"))
  const file = Path.join(dir, "RESULTS.md")
  try {
    Fs.writeFileSync(file, text)
    f(file)
    return Fs.readFileSync(file, "utf8")
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe("RESULTS.md shared by pnpm bench and pnpm load", () => {
  it("writeSection appends the section once, then replaces it in place, keeping what follows", () => {
    const appended = withFile(
      "# Benchmarks\n\nold tables\n",
      (file) => writeSection(file, heading, `${heading}\n\nrun 1\n`)
    )
    assert.strictEqual(appended, `# Benchmarks\n\nold tables\n\n${heading}\n\nrun 1\n`)
    const replaced = withFile(
      `# Benchmarks\n\n${heading}\n\nrun 1\n\n## Start-up\n\nfigures\n`,
      (file) => writeSection(file, heading, `${heading}\n\nrun 2\n`)
    )
    assert.strictEqual(replaced, `# Benchmarks\n\n${heading}\n\nrun 2\n\n## Start-up\n\nfigures\n`)
  })

  it("writeKeeping rewrites the file and keeps the load section; without one it writes the file as given", () => {
    const kept = withFile(
      `# Benchmarks\n\nold tables\n\n${heading}\n\nrun 1\n`,
      (file) => writeKeeping(file, heading, "# Benchmarks\n\nnew tables\n")
    )
    assert.strictEqual(kept, `# Benchmarks\n\nnew tables\n\n${heading}\n\nrun 1\n`)
    const plain = withFile("# Benchmarks\n\nold\n", (file) => writeKeeping(file, heading, "# Benchmarks\n\nnew\n"))
    assert.strictEqual(plain, "# Benchmarks\n\nnew\n")
  })
})
