import * as Undici from "@effect/platform-node/Undici"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import type { ClientOptions } from "../NodeGigaChat.js"

/**
 * Where requests go through a proxy: one proxy per target scheme (absent: direct) and the hosts that bypass both.
 *
 * @internal
 */
export interface ProxySettings {
  readonly http: URL | undefined
  readonly https: URL | undefined
  readonly noProxy: ReadonlyArray<NoProxyEntry>
  /** `NO_PROXY=*`: nothing goes through a proxy. */
  readonly bypassAll: boolean
}

/** @internal */
export interface NoProxyEntry {
  readonly host: string
  /** 0: any port. */
  readonly port: number
}

// The proxy URL may hold a user and password: no message here quotes it.
const parseProxyUrl = (setting: string, value: string): Effect.Effect<URL, ConfigError.ConfigError> => {
  // As curl does, `proxy.corp:3128` (no scheme, a common form of these variables) means an HTTP proxy.
  const text = value.includes("://") ? value : `http://${value}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Effect.fail(
      ConfigError.InvalidData([setting], `${setting}: not a proxy URL (expected e.g. http://proxy.example:3128)`)
    )
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Effect.fail(
      ConfigError.InvalidData(
        [setting],
        `${setting}: the proxy scheme ${url.protocol} is not supported (http: or https:); ` +
          "for another kind of proxy pass a dispatcher of your own"
      )
    )
  }
  return Effect.succeed(url)
}

const hostOf = (host: string): string => host.replace(/^\[|\]$/g, "").toLowerCase()

/**
 * `NO_PROXY` as curl and httpx read it: entries separated by commas or spaces, each a host name (which also covers its
 * subdomains; a leading `.` or `*.` is dropped), an IP address, optionally with `:port`; `*` alone bypasses the proxy
 * for every host.
 *
 * @internal
 */
export const parseNoProxy = (value: string): Pick<ProxySettings, "noProxy" | "bypassAll"> => {
  const noProxy: Array<NoProxyEntry> = []
  let bypassAll = false
  for (const raw of value.split(/[,\s]+/)) {
    const entry = raw.trim()
    if (entry === "") continue
    if (entry === "*") {
      bypassAll = true
      continue
    }
    // `[::1]:8080`, `host:8080`; a bare IPv6 address has several colons and no port.
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry)
    const host = withPort === null ? entry : withPort[1]!
    noProxy.push({
      host: hostOf(host).replace(/^\*?\./, ""),
      port: withPort === null ? 0 : Number(withPort[2])
    })
  }
  return { noProxy, bypassAll }
}

const defaultPorts: Record<string, number> = { "http:": 80, "https:": 443 }

/**
 * Whether a request to `origin` goes through the proxy of its scheme.
 *
 * @internal
 */
export const proxyFor = (settings: ProxySettings, origin: URL): URL | undefined => {
  const proxy = origin.protocol === "https:" ? settings.https : origin.protocol === "http:" ? settings.http : undefined
  if (proxy === undefined || settings.bypassAll) return undefined
  const host = hostOf(origin.hostname)
  const port = origin.port === "" ? defaultPorts[origin.protocol] ?? 0 : Number(origin.port)
  for (const entry of settings.noProxy) {
    if (entry.port !== 0 && entry.port !== port) continue
    if (host === entry.host || host.endsWith(`.${entry.host}`)) return undefined
  }
  return proxy
}

/** An optional variable, lower case first (as curl, httpx and undici read these), blank counting as not set. */
const variable = (name: string): Config.Config<string | undefined> =>
  Config.map(
    Config.option(Config.orElse(Config.string(name.toLowerCase()), () => Config.string(name))),
    (value) => value._tag === "Some" && value.value.trim() !== "" ? value.value.trim() : undefined
  )

const fromVariable = (name: string, value: string | undefined) =>
  value === undefined ? Effect.succeed(undefined) : parseProxyUrl(name, value)

/**
 * The proxy settings of a client: none with `proxy: false` or `null`, the given proxy for every request, or else the
 * `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` / `NO_PROXY` variables (lower case first) read through Effect `Config`,
 * so any `ConfigProvider` works. `undefined`: no proxy at all (the direct agent is used, unwrapped).
 *
 * @internal
 */
export const proxySettings = (
  options: ClientOptions
): Effect.Effect<ProxySettings | undefined, ConfigError.ConfigError> => {
  const proxy = options.proxy
  if (proxy === false || proxy === null) return Effect.succeed(undefined)
  if (proxy !== undefined) {
    return Effect.map(
      parseProxyUrl("proxy", proxy instanceof URL ? proxy.href : proxy),
      (url) => ({ http: url, https: url, noProxy: [], bypassAll: false })
    )
  }
  return Effect.gen(function*() {
    const env = yield* Config.all({
      https: variable("HTTPS_PROXY"),
      http: variable("HTTP_PROXY"),
      all: variable("ALL_PROXY"),
      noProxy: variable("NO_PROXY")
    })
    // As httpx: HTTPS_PROXY for https targets, HTTP_PROXY for http ones, ALL_PROXY for either when its own is unset.
    const https = yield* env.https !== undefined
      ? fromVariable("HTTPS_PROXY", env.https)
      : fromVariable("ALL_PROXY", env.all)
    const http = yield* env.http !== undefined
      ? fromVariable("HTTP_PROXY", env.http)
      : fromVariable("ALL_PROXY", env.all)
    if (https === undefined && http === undefined) return undefined
    return { https, http, ...parseNoProxy(env.noProxy ?? "") }
  })
}

/**
 * Sends each request directly or through the proxy of its scheme, with the backstop timeouts of the direct agent.
 * It owns its agents: closing or destroying it closes them all.
 *
 * @internal
 */
export class ProxyRouter extends Undici.Dispatcher {
  private readonly routes = new Map<string, Undici.Dispatcher>()
  private readonly proxies = new Map<string, Undici.Dispatcher>()

  constructor(
    private readonly settings: ProxySettings,
    private readonly timeoutMillis: number,
    private readonly direct: Undici.Dispatcher,
    private readonly makeProxy: (url: URL) => Undici.Dispatcher
  ) {
    super()
  }

  private route(origin: string | URL): Undici.Dispatcher {
    const key = String(origin)
    let dispatcher = this.routes.get(key)
    if (dispatcher === undefined) {
      const proxy = proxyFor(this.settings, origin instanceof URL ? origin : new URL(key))
      if (proxy === undefined) {
        dispatcher = this.direct
      } else {
        dispatcher = this.proxies.get(proxy.href)
        if (dispatcher === undefined) {
          dispatcher = this.makeProxy(proxy)
          this.proxies.set(proxy.href, dispatcher)
        }
      }
      this.routes.set(key, dispatcher)
    }
    return dispatcher
  }

  override dispatch(options: Undici.Dispatcher.DispatchOptions, handler: Undici.Dispatcher.DispatchHandler): boolean {
    return this.route(options.origin ?? "").dispatch(
      { ...options, headersTimeout: this.timeoutMillis, bodyTimeout: this.timeoutMillis },
      handler
    )
  }

  private all(): Array<Undici.Dispatcher> {
    return [this.direct, ...this.proxies.values()]
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const done = Promise.all(this.all().map((dispatcher) => dispatcher.close())).then(() => undefined)
    if (callback === undefined) return done
    done.then(callback, callback)
  }

  override destroy(): Promise<void>
  override destroy(err: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(err: Error | null, callback: () => void): void
  override destroy(
    first?: Error | null | (() => void),
    second?: () => void
  ): Promise<void> | void {
    const err = typeof first === "function" ? null : first ?? null
    const callback = typeof first === "function" ? first : second
    const done = Promise.all(this.all().map((dispatcher) => dispatcher.destroy(err))).then(() => undefined)
    if (callback === undefined) return done
    done.then(callback, callback)
  }
}
