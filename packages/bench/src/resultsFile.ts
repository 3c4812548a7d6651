/**
 * RESULTS.md is written by two scripts: `pnpm bench` (`main.ts`, the whole file) and `pnpm load` (`load.ts`, its own
 * section). Each keeps the other's part.
 */
import * as Fs from "node:fs"

/** The heading of the section `load.ts` writes. */
export const loadHeading = "## The backend example under load"

/** Where the section under `heading` starts and ends in `text` (end: the next `## ` heading, or the end). */
const find = (text: string, heading: string): { readonly start: number; readonly end: number } | undefined => {
  const start = text.startsWith(heading) ? 0 : text.indexOf(`\n${heading}\n`) + 1
  if (start === 0 && !text.startsWith(heading)) return undefined
  const next = text.indexOf("\n## ", start + heading.length)
  return { start, end: next === -1 ? text.length : next + 1 }
}

const read = (file: string): string => Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : ""

/** Puts `section` (which starts with `heading`) into the file: in place of an earlier one, or at the end. */
export const writeSection = (file: string, heading: string, section: string): void => {
  const text = read(file)
  const found = find(text, heading)
  const body = `${section.trimEnd()}\n`
  Fs.writeFileSync(
    file,
    found === undefined
      ? `${text.trimEnd()}\n\n${body}`
      : `${text.slice(0, found.start)}${body}${found.end < text.length ? `\n${text.slice(found.end)}` : ""}`
  )
}

/** Writes `markdown` as the whole file, keeping the section under `heading` that the file has now. */
export const writeKeeping = (file: string, heading: string, markdown: string): void => {
  const text = read(file)
  const found = find(text, heading)
  const kept = found === undefined ? "" : `\n${text.slice(found.start, found.end).trimEnd()}\n`
  Fs.writeFileSync(file, `${markdown.trimEnd()}\n${kept}`)
}
