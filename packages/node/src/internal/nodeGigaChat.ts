import { GigaChat, GigaChatConfig } from "@effect-gigachat/core"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Fs from "node:fs"
import * as Tls from "node:tls"
import type { TlsOptions } from "../NodeGigaChat.js"

const readFile = (setting: string, path: string) =>
  Effect.try({
    try: () => Fs.readFileSync(path, "utf8"),
    catch: (cause) =>
      ConfigError.InvalidData(
        [setting],
        `cannot read ${path}: ${cause instanceof Error ? cause.message : String(cause)}`
      )
  })

/** @internal */
export const tlsOptions = (config: GigaChatConfig.Service) =>
  Effect.gen(function*() {
    // An extra CA is added to Node's roots, not put in their place: the public roots keep working.
    const ca = config.caBundleFile === undefined
      ? undefined
      : [...Tls.rootCertificates, yield* readFile("GIGACHAT_CA_BUNDLE_FILE", config.caBundleFile)]
    const cert = config.certFile === undefined ? undefined : yield* readFile("GIGACHAT_CERT_FILE", config.certFile)
    const key = config.keyFile === undefined ? undefined : yield* readFile("GIGACHAT_KEY_FILE", config.keyFile)
    const passphrase = config.keyFilePassword === undefined ? undefined : Redacted.value(config.keyFilePassword)
    if (cert !== undefined || key !== undefined) {
      // Checks the pair (and the passphrase) now, so a mistake fails the layer instead of every request.
      yield* Effect.try({
        try: () => Tls.createSecureContext({ cert, key, passphrase }),
        catch: (cause) =>
          ConfigError.InvalidData(
            [key !== undefined ? "GIGACHAT_KEY_FILE" : "GIGACHAT_CERT_FILE"],
            `cannot use the client certificate ${config.certFile ?? ""} with the key ${config.keyFile ?? ""}: ${
              cause instanceof Error ? cause.message : String(cause)
            }`
          )
      })
    }
    // As in the Python SDK, a CA bundle wins over verifySslCerts: false.
    const rejectUnauthorized = config.verifySslCerts || ca !== undefined
    if (!rejectUnauthorized) {
      yield* Effect.logWarning(
        "GigaChat: TLS certificate verification is DISABLED (verifySslCerts: false). Use caBundleFile instead."
      )
    }
    const options: TlsOptions = { ca, cert, key, passphrase, rejectUnauthorized }
    return options
  })

/** @internal */
export const makeDispatcher = (config: GigaChatConfig.Service) =>
  Effect.flatMap(tlsOptions(config), (tls) =>
    Effect.acquireRelease(
      Effect.sync(() =>
        new Undici.Agent({
          connect: {
            rejectUnauthorized: tls.rejectUnauthorized,
            ...(tls.ca !== undefined ? { ca: [...tls.ca] } : {}),
            ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
            ...(tls.key !== undefined ? { key: tls.key } : {}),
            ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {})
          },
          ...(config.maxConnections !== undefined && config.maxConnections > 0
            ? { connections: config.maxConnections }
            : {})
        })
      ),
      (agent) => Effect.promise(() => agent.destroy())
    ))

/** @internal */
export const layerHttpClient = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
  Layer.provide(
    Layer.scoped(NodeHttpClient.Dispatcher, Effect.flatMap(GigaChatConfig.GigaChatConfig, makeDispatcher))
  )
)

/** @internal */
export const layer = (options: GigaChatConfig.Options) =>
  GigaChat.layerServices.pipe(
    Layer.provide(layerHttpClient),
    Layer.provideMerge(GigaChatConfig.layerConfig(options))
  )
