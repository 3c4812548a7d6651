/**
 * The backend as a long-running service: `pnpm exec tsx src/backend/main.ts` (in packages/examples).
 *
 * GigaChat is the real API when GIGACHAT_CREDENTIALS (or another auth setting) is set, else the built-in emulator
 * on a free port. Settings: BACKEND_PORT (8080), BACKEND_MAX_CONCURRENT_CHATS (8), BACKEND_SHUTDOWN_GRACE
 * (e.g. "10 seconds"), LOG_FORMAT (`json`, the default, or `pretty`). Logs are one JSON object per line.
 *
 * Ctrl-C or SIGTERM: `NodeRuntime.runMain` interrupts the program, so the layers are released in reverse order —
 * the backend stops (see server.ts), then the GigaChat client closes its connection pool — and the process exits
 * with code 0.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import { layer as gigaChatLayer } from "../runtime.js"
import * as Server from "./server.js"

const settings = Config.all({
  // 0 picks a free port (Config.port refuses it).
  port: Config.integer("BACKEND_PORT").pipe(
    Config.validate({ message: "Expected a port number from 0 to 65535", validation: (n) => n >= 0 && n <= 65535 }),
    Config.withDefault(8080)
  ),
  maxConcurrentChats: Config.integer("BACKEND_MAX_CONCURRENT_CHATS").pipe(Config.withDefault(8)),
  shutdownGracePeriod: Config.duration("BACKEND_SHUTDOWN_GRACE").pipe(Config.withDefault("10 seconds")),
  logFormat: Config.literal("json", "pretty")("LOG_FORMAT").pipe(Config.withDefault("json"))
})

const BackendLive = Layer.unwrapEffect(
  Effect.map(settings, (options) =>
    Server.layer(options).pipe(
      Layer.provide(gigaChatLayer),
      Layer.provide(options.logFormat === "json" ? Logger.json : Logger.pretty)
    ))
)

// The logger is chosen above, so runMain's own pretty logger stays off.
NodeRuntime.runMain(Layer.launch(BackendLive), { disablePrettyLogger: true })
