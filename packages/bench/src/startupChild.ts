/**
 * The body of a start-up child (`startupIndex.ts`, `startupModules.ts`): one chat call through `NodeGigaChat.layer`
 * against the server in its argument, then `{ loadedMs, firstMs, cpuMs }` to the parent: when the imports were done
 * and when the answer came, in ms since the process started (`performance.now()`), and the CPU time used by then
 * (user + system; less sensitive than wall time to other work on the machine). The modules are passed in, so that the two children differ only in their imports.
 */
import type * as GigaChat from "@effect-gigachat/core/GigaChat"
import type * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import * as Effect from "effect/Effect"

/** What the parent passes as the child's argument (JSON). */
export interface StartupTarget {
  readonly baseUrl: string
  readonly authUrl: string
  readonly credentials: string
}

/** What a child reports: when its imports were done, when the first chat call completed, the CPU used by then. */
export interface StartupSample {
  readonly loadedMs: number
  readonly firstMs: number
  readonly cpuMs: number
  /** The CPU time used when the imports were done. */
  readonly loadedCpuMs: number
}

export const run = (
  modules: { readonly GigaChat: typeof GigaChat; readonly NodeGigaChat: typeof NodeGigaChat },
  loadedMs: number
): void => {
  const loadedCpu = process.cpuUsage()
  const target = JSON.parse(process.argv[2]) as StartupTarget
  const layer = modules.NodeGigaChat.layer(target)
  Effect.runPromise(Effect.provide(modules.GigaChat.chat("Hello"), layer)).then(
    () => {
      const firstMs = performance.now()
      const cpu = process.cpuUsage()
      const sample: StartupSample = {
        loadedMs,
        firstMs,
        cpuMs: (cpu.user + cpu.system) / 1000,
        loadedCpuMs: (loadedCpu.user + loadedCpu.system) / 1000
      }
      process.send!(sample, undefined, {}, () => process.exit(0))
    },
    (error: unknown) => {
      console.error(error)
      process.exit(1)
    }
  )
}
