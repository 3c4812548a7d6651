/**
 * `pnpm emulator`: runs the GigaChat emulator on 127.0.0.1 until SIGINT/SIGTERM and prints the settings a client
 * needs. The port comes from `--port <n>` (or `--port=<n>`), then the `PORT` variable, then 8089.
 *
 * @since 0.1.0
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as GigaChatEmulator from "../GigaChatEmulator.js"
import * as NodeGigaChatEmulator from "../NodeGigaChatEmulator.js"

const portArgument = (argv: ReadonlyArray<string>): string | undefined => {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") return argv[i + 1] ?? ""
    if (argv[i].startsWith("--port=")) return argv[i].slice("--port=".length)
  }
  return undefined
}

const port = Effect.suspend(() => {
  const raw = portArgument(process.argv.slice(2)) ?? process.env.PORT
  if (raw === undefined || raw === "") return Effect.succeed(NodeGigaChatEmulator.defaultPort)
  const port = Number(raw)
  return Number.isInteger(port) && port >= 0 && port <= 65535 ?
    Effect.succeed(port) :
    Effect.fail(`Invalid port "${raw}": expected an integer from 0 to 65535`)
})

const banner = (server: NodeGigaChatEmulator.Service) =>
  [
    `GigaChat emulator listening on ${server.url}`,
    "",
    "Point a GigaChat client at it with:",
    `  export GIGACHAT_BASE_URL=${server.baseUrl}`,
    `  export GIGACHAT_AUTH_URL=${server.authUrl}`,
    `  export GIGACHAT_CREDENTIALS=${GigaChatEmulator.defaultCredentials}`,
    `  export GIGACHAT_SCOPE=${GigaChatEmulator.defaultScope}`,
    "",
    "Press Ctrl+C to stop."
  ].join("\n")

const main = Effect.gen(function*() {
  const server = yield* NodeGigaChatEmulator.NodeGigaChatEmulator
  yield* Console.log(banner(server))
  return yield* Effect.never
})

NodeRuntime.runMain(
  Effect.flatMap(port, (port) => Effect.provide(main, NodeGigaChatEmulator.layerServer({ port })))
)
