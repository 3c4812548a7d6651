/**
 * How examples run: against the real GigaChat API when an auth setting is in the environment, else against the
 * built-in emulator served on a free 127.0.0.1 port. The first line printed says which.
 *
 * An example module exports `example`: an Effect that needs the GigaChat services (and may use a Scope).
 */
import type { Auth, GigaChat, HttpTransport } from "@effect-gigachat/core"
import { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChatEmulator, NodeGigaChatEmulator } from "@effect-gigachat/emulator"
import { NodeGigaChat } from "@effect-gigachat/node"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

/**
 * What an example may use.
 */
export type Services = GigaChat.GigaChat | HttpTransport.HttpTransport | Auth.Auth | GigaChatConfig.GigaChatConfig

/**
 * An example program.
 */
export type Example = Effect.Effect<unknown, unknown, Services | Scope.Scope>

/**
 * Is there a way to authenticate against the real API in this environment?
 */
export const hasRealCredentials = (env: NodeJS.ProcessEnv): boolean => {
  // Blank counts as not set, and a lower-case name is read too, as for the SDK's settings.
  const set = (name: string) => (env[name] ?? env[name.toLowerCase()] ?? "").trim() !== ""
  return set("GIGACHAT_CREDENTIALS") || set("GIGACHAT_ACCESS_TOKEN") ||
    (set("GIGACHAT_USER") && set("GIGACHAT_PASSWORD"))
}

/**
 * The services for an example, announcing the backend on the first line.
 */
export const layer: Layer.Layer<Services, unknown> = Layer.unwrapScoped(
  Effect.gen(function*() {
    if (hasRealCredentials(process.env)) {
      const config = yield* GigaChatConfig.makeConfig()
      yield* Console.log(`Backend: the GigaChat API at ${config.baseUrl} (settings from GIGACHAT_* variables)`)
      return NodeGigaChat.layer()
    }
    const server = yield* NodeGigaChatEmulator.make()
    yield* Console.log(
      `Backend: the built-in GigaChat emulator at ${server.url} (set GIGACHAT_CREDENTIALS to use the real API)`
    )
    return NodeGigaChat.layer(GigaChatEmulator.clientOptions(server))
  })
)

/**
 * Runs an example with the services of `layer`.
 */
export const runExample = (example: Example): Effect.Effect<unknown, unknown> =>
  example.pipe(Effect.scoped, Effect.provide(layer))
