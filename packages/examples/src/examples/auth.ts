/**
 * Auth: every way to authenticate (OAuth credentials, user and password, a ready token, your own header, mTLS).
 *
 * The first line uses the method configured for this run. The others show each method's settings against an
 * in-process emulator, printing which endpoints each one called; no account is needed for them.
 */
import { GigaChat, GigaChatConfig, RequestContext } from "@effect-gigachat/core"
import { GigaChatEmulator } from "@effect-gigachat/emulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

const configuredMethod = (config: GigaChatConfig.Service): string =>
  config.accessToken !== undefined
    ? "an access token"
    : config.credentials !== undefined
    ? `OAuth credentials (scope ${config.scope})`
    : config.user !== undefined && config.password !== undefined
    ? "user and password"
    : "no token (mTLS, if the server accepts the client certificate)"

export const example = Effect.gen(function*() {
  // 1. Whatever this run is configured with (GIGACHAT_* variables, or the emulator of the example runner).
  const config = yield* GigaChatConfig.GigaChatConfig
  const token = yield* Effect.flatMap(GigaChat.GigaChat, (gc) => gc.getToken())
  yield* Console.log(
    `configured: ${configuredMethod(config)}; ${
      Option.match(token, {
        onNone: () => "no token is sent",
        onSome: ({ expires_at }) =>
          expires_at === 0 ? "the token is used as is" : `token valid until ${new Date(expires_at).toISOString()}`
      })
    }`
  )

  // 2. Each method's settings, against one in-process emulator.
  const emulator = yield* GigaChatEmulator.make()
  const client = Layer.succeed(HttpClient.HttpClient, GigaChatEmulator.toHttpClient(emulator))
  const services = (options: GigaChatConfig.Options) =>
    GigaChat.layerServices.pipe(
      Layer.provideMerge(
        GigaChatConfig.layer({ baseUrl: GigaChatEmulator.baseUrl, authUrl: GigaChatEmulator.authUrl, ...options })
      ),
      Layer.provide(client)
    )
  const show = (
    label: string,
    options: GigaChatConfig.Options,
    around: (
      self: Effect.Effect<unknown, unknown, GigaChat.GigaChat>
    ) => Effect.Effect<unknown, unknown, GigaChat.GigaChat> = identity
  ) =>
    Effect.gen(function*() {
      const before = (yield* emulator.requests).length
      yield* around(GigaChat.chat("Hello!")).pipe(Effect.provide(services(options)))
      const calls = (yield* emulator.requests).slice(before).map((request) => `${request.method} ${request.path}`)
      yield* Console.log(`${label.padEnd(44)} ${calls.join(", ")}`)
    })

  // OAuth: the base64 "Authorization key" of your project and its scope (GIGACHAT_CREDENTIALS, GIGACHAT_SCOPE).
  yield* show("OAuth credentials + scope", {
    credentials: Redacted.make(GigaChatEmulator.defaultCredentials),
    scope: "GIGACHAT_API_PERS" // or GIGACHAT_API_B2B, GIGACHAT_API_CORP
  })

  // User and password: POST {baseUrl}/token with HTTP Basic auth (GIGACHAT_USER, GIGACHAT_PASSWORD).
  yield* show("user + password", { user: "demo-user", password: Redacted.make("demo-password") })

  // A ready token (GIGACHAT_ACCESS_TOKEN): sent as is and never refreshed; alone, a 401 is returned to you.
  const issued = yield* emulator.issueToken
  yield* show("access token", { accessToken: Redacted.make(issued.accessToken) })

  // A token together with credentials: when the server rejects the token (401), a new one is fetched with OAuth.
  yield* show("access token (revoked) + credentials", {
    accessToken: Redacted.make("revoked-token"),
    credentials: Redacted.make(GigaChatEmulator.defaultCredentials)
  })

  // Your own Authorization header for some calls (e.g. a token per end user): the SDK fetches nothing then.
  const own = yield* emulator.issueToken
  yield* show(
    "RequestContext.withAuthorization",
    { credentials: Redacted.make(GigaChatEmulator.defaultCredentials) },
    RequestContext.withAuthorization(Redacted.make(`Bearer ${own.accessToken}`))
  )

  // mTLS needs a real TLS connection, so it is configured on the Node layer (GIGACHAT_CERT_FILE, GIGACHAT_KEY_FILE,
  // GIGACHAT_KEY_FILE_PASSWORD, GIGACHAT_CA_BUNDLE_FILE). With no token source, no Authorization header is sent:
  //   NodeGigaChat.layer({ certFile: "client.pem", keyFile: "client.key", keyFilePassword: Redacted.make("..."),
  //                        caBundleFile: "russian_trusted_root_ca.pem" })
  yield* Console.log(`${"mTLS".padEnd(44)} NodeGigaChat.layer({ certFile, keyFile, keyFilePassword, caBundleFile })`)
})
