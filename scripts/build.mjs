/**
 * `pnpm build`: compiles @effect-gigachat/core, @effect-gigachat/node, @effect-gigachat/emulator and @effect-gigachat/ai to
 * `packages/<pkg>/dist` (ESM `.js`,
 * `.d.ts`, source and declaration maps) with their `tsconfig.build.json`. Each `dist` and build-info file is removed
 * first, so a deleted module never lingers in `dist` (and in the tarball).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const packages = ["core", "node", "emulator", "ai"]

for (const pkg of packages) {
  const dir = path.join(root, "packages", pkg)
  fs.rmSync(path.join(dir, "dist"), { recursive: true, force: true })
  fs.rmSync(path.join(dir, ".tsbuildinfo", "build.tsbuildinfo"), { force: true })
}

const tsc = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "tsc.cmd" : "tsc")
const projects = packages.map((pkg) => path.join("packages", pkg, "tsconfig.build.json"))
const result = spawnSync(tsc, ["-b", ...projects], { cwd: root, stdio: "inherit", shell: process.platform === "win32" })
process.exit(result.status ?? 1)
