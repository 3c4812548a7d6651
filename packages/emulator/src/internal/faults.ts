import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as GigaChatEmulator from "../GigaChatEmulator.js"

/**
 * A fault with its remaining uses.
 *
 * @internal
 */
export interface ActiveFault {
  readonly fault: GigaChatEmulator.Fault
  readonly matches: (method: string, path: string) => boolean
  remaining: number
}

const globToRegExp = (pattern: string): RegExp =>
  new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)

const compileRoute = (route: GigaChatEmulator.FaultRoute | undefined): (method: string, path: string) => boolean => {
  if (route === undefined) return () => true
  if (typeof route === "function") return (method, path) => route({ method, path })
  const match = /^([A-Za-z]+)\s+(\S+)$/.exec(route.trim())
  const method = match ? match[1].toUpperCase() : undefined
  const pattern = match ? match[2] : route.trim()
  if (pattern.includes("*")) {
    const regexp = globToRegExp(pattern)
    return (requestMethod, path) => (method === undefined || method === requestMethod) && regexp.test(path)
  }
  return (requestMethod, path) => (method === undefined || method === requestMethod) && path === pattern
}

/** @internal */
export const activate = (fault: GigaChatEmulator.Fault): ActiveFault => ({
  fault,
  matches: compileRoute(fault.route),
  remaining: fault.times === undefined ? Infinity : Math.max(0, Math.floor(fault.times))
})

/**
 * Takes the first fault matching a request, using up one of its applications.
 *
 * @internal
 */
export const take = (
  faults: Array<ActiveFault>,
  method: string,
  path: string
): GigaChatEmulator.Fault | undefined => {
  for (let i = 0; i < faults.length; i++) {
    const active = faults[i]
    if (active.remaining <= 0) continue
    if (!active.matches(method, path)) continue
    active.remaining--
    if (active.remaining <= 0) faults.splice(i, 1)
    return active.fault
  }
  return undefined
}

/**
 * Whether a fault replaces the response with a made-up one.
 *
 * @internal
 */
export const isSynthetic = (fault: GigaChatEmulator.Fault): boolean =>
  fault.status !== undefined || fault.body !== undefined || fault.invalidJson === true

/**
 * The body stream of an SSE response ended on purpose by `dropAfterChunks`, when no way to cut the connection is
 * available (in-process).
 *
 * @internal
 */
export class ConnectionDropped extends Data.TaggedError("ConnectionDropped")<{ readonly afterChunks: number }> {
  override get message() {
    return `The GigaChat emulator dropped the connection after ${this.afterChunks} events (fault injection)`
  }
}

/**
 * A frame no SSE client can decode: its data is not JSON. It carries an event name so that parsers of named events
 * (v2) do not skip it.
 *
 * @internal
 */
export const malformedFrame = "event: response.message.delta\ndata: {\"choices\": [{\"delta\": \n\n"

const encoder = new TextEncoder()

/**
 * The body of an SSE response: one chunk per frame, with the stream faults applied. A dropped connection sends the
 * first half of the next frame before it ends, as a connection cut mid-event would; the half frame also makes the
 * in-process body fail only once the client has read the complete frames before it.
 *
 * @internal
 */
export const sseStream = (
  frames: ReadonlyArray<string>,
  fault: GigaChatEmulator.Fault | undefined,
  abort: Effect.Effect<void> | undefined
): Stream.Stream<Uint8Array, ConnectionDropped> => {
  let output: ReadonlyArray<string> = frames
  if (fault?.malformedFrame === true) {
    output = output.length === 0 ? [malformedFrame] : [output[0], malformedFrame, ...output.slice(1)]
  }
  const dropAfter = fault?.dropAfterChunks
  const complete = dropAfter === undefined ? output : output.slice(0, Math.max(0, dropAfter))
  // Frames are written one by one, but handed over together unless a fault needs them apart (cheaper per request).
  let stream: Stream.Stream<Uint8Array, ConnectionDropped> = Stream.map(
    Stream.fromIterable(complete),
    (frame) => encoder.encode(frame)
  )
  const delay = fault?.chunkDelay
  if (delay !== undefined || dropAfter !== undefined) stream = Stream.rechunk(stream, 1)
  if (delay !== undefined) {
    stream = Stream.mapEffect(stream, (chunk) => Effect.as(Effect.sleep(delay), chunk))
  }
  if (dropAfter !== undefined) {
    const next = output[complete.length] ?? "data: {\"choices\": []}\n\n"
    const half = encoder.encode(next.slice(0, Math.max(1, Math.floor(next.length / 2))))
    const dropped = new ConnectionDropped({ afterChunks: complete.length })
    stream = Stream.concat(
      stream,
      Stream.concat(
        Stream.succeed(half),
        abort === undefined ? Stream.fail(dropped) : Stream.fromEffect(Effect.zipRight(abort, Effect.fail(dropped)))
      )
    )
  }
  return stream
}
