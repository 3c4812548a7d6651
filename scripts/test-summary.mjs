// Prints the closing `N passed, M failed` line from vitest's JSON report, so CI shows the count.
import { readFileSync } from "node:fs"

const report = JSON.parse(readFileSync(process.argv[2] ?? ".vitest-report.json", "utf8"))
const skipped = report.numPendingTests + report.numTodoTests
console.log(
  `${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`
)
process.exit(report.numFailedTests === 0 && report.numTotalTests > 0 && report.success ? 0 : 1)
