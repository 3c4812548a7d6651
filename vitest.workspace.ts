/**
 * The single list of test projects. The root `vitest.config.ts` reads it into `test.projects`
 * (vitest 3.2 deprecates a workspace file that vitest loads by itself).
 */
export default [
  "packages/core/vitest.config.ts",
  "packages/ai/vitest.config.ts",
  "packages/node/vitest.config.ts",
  "packages/emulator/vitest.config.ts",
  "packages/examples/vitest.config.ts",
  "packages/bench/vitest.config.ts"
]
