/** The package's version, written by `scripts/version.mjs` (run by `pnpm changeset-version`). */
export const version = "0.0.0"
