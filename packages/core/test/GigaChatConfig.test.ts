import { GigaChatConfig } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const resolve = (env: Record<string, string>, options: GigaChatConfig.Options = {}) =>
  GigaChatConfig.makeConfig(options).pipe(withEnv(env))

describe("GigaChatConfig", () => {
  it.effect("has the Python SDK's defaults", () =>
    Effect.gen(function*() {
      const config = yield* resolve({})
      assert.strictEqual(config.baseUrl, "https://gigachat.devices.sberbank.ru/api/v1")
      assert.strictEqual(config.authUrl, "https://ngw.devices.sberbank.ru:9443/api/v2/oauth")
      assert.strictEqual(config.scope, "GIGACHAT_API_PERS")
      assert.isTrue(Duration.equals(config.timeout, Duration.seconds(30)))
      assert.strictEqual(config.maxRetries, 0)
      assert.strictEqual(config.retryBackoffFactor, 0.5)
      assert.deepStrictEqual(config.retryOnStatusCodes, [429, 500, 502, 503, 504])
      assert.isTrue(Duration.equals(config.tokenExpiryBuffer, Duration.seconds(60)))
      assert.isTrue(config.verifySslCerts)
      assert.isFalse(config.httpSpans)
      assert.isUndefined(config.credentials)
      assert.isUndefined(config.model)
    }))

  it.effect("reads every GIGACHAT_* variable", () =>
    Effect.gen(function*() {
      const config = yield* resolve({
        GIGACHAT_BASE_URL: "http://127.0.0.1:1/api/v1",
        GIGACHAT_AUTH_URL: "http://127.0.0.1:1/api/v2/oauth",
        GIGACHAT_CREDENTIALS: "creds",
        GIGACHAT_SCOPE: "GIGACHAT_API_CORP",
        GIGACHAT_ACCESS_TOKEN: "token",
        GIGACHAT_MODEL: "GigaChat-2-Max",
        GIGACHAT_PROFANITY_CHECK: "false",
        GIGACHAT_USER: "user",
        GIGACHAT_PASSWORD: "password",
        GIGACHAT_TIMEOUT: "12.5",
        GIGACHAT_VERIFY_SSL_CERTS: "False",
        GIGACHAT_CA_BUNDLE_FILE: "/ca.pem",
        GIGACHAT_CERT_FILE: "/cert.pem",
        GIGACHAT_KEY_FILE: "/key.pem",
        GIGACHAT_KEY_FILE_PASSWORD: "passphrase",
        GIGACHAT_FLAGS: "[\"a\",\"b\"]",
        GIGACHAT_MAX_CONNECTIONS: "8",
        GIGACHAT_MAX_RETRIES: "3",
        GIGACHAT_RETRY_BACKOFF_FACTOR: "0.25",
        GIGACHAT_RETRY_ON_STATUS_CODES: "408, 503",
        GIGACHAT_MAX_RETRY_AFTER: "5",
        GIGACHAT_TOKEN_EXPIRY_BUFFER_MS: "1000",
        GIGACHAT_CHAT_COMPLETIONS_URL: "/v2/chat/completions",
        GIGACHAT_MAX_SSE_EVENT_SIZE: "1024",
        GIGACHAT_HTTP_SPANS: "true"
      })
      assert.strictEqual(config.baseUrl, "http://127.0.0.1:1/api/v1")
      assert.strictEqual(config.authUrl, "http://127.0.0.1:1/api/v2/oauth")
      assert.strictEqual(Redacted.value(config.credentials!), "creds")
      assert.strictEqual(config.scope, "GIGACHAT_API_CORP")
      assert.strictEqual(Redacted.value(config.accessToken!), "token")
      assert.strictEqual(config.model, "GigaChat-2-Max")
      assert.strictEqual(config.profanityCheck, false)
      assert.strictEqual(config.user, "user")
      assert.strictEqual(Redacted.value(config.password!), "password")
      assert.isTrue(Duration.equals(config.timeout, Duration.millis(12_500)))
      assert.isFalse(config.verifySslCerts)
      assert.strictEqual(config.caBundleFile, "/ca.pem")
      assert.strictEqual(config.certFile, "/cert.pem")
      assert.strictEqual(config.keyFile, "/key.pem")
      assert.strictEqual(Redacted.value(config.keyFilePassword!), "passphrase")
      assert.deepStrictEqual(config.flags, ["a", "b"])
      assert.strictEqual(config.maxConnections, 8)
      assert.strictEqual(config.maxRetries, 3)
      assert.strictEqual(config.retryBackoffFactor, 0.25)
      assert.deepStrictEqual(config.retryOnStatusCodes, [408, 503])
      assert.isTrue(Duration.equals(config.maxRetryAfter, Duration.seconds(5)))
      assert.isTrue(Duration.equals(config.tokenExpiryBuffer, Duration.millis(1000)))
      assert.strictEqual(config.chatCompletionsUrl, "/v2/chat/completions")
      assert.strictEqual(config.maxSseEventSize, 1024)
      assert.isTrue(config.httpSpans)
    }))

  it.effect("a duration option takes a Duration or a duration string; a bare number from JavaScript is seconds", () =>
    Effect.sync(() => {
      assert.isTrue(Duration.equals(GigaChatConfig.make({ timeout: "45 seconds" }).timeout, Duration.seconds(45)))
      assert.isTrue(Duration.equals(GigaChatConfig.make({ timeout: Duration.minutes(2) }).timeout, Duration.minutes(2)))
      // The type refuses a number; an untyped caller's 30 means 30 seconds, as GIGACHAT_TIMEOUT=30 does, not 30 ms.
      const untyped = { timeout: 30, maxRetryAfter: 5, tokenExpiryBuffer: 1500 } as unknown as GigaChatConfig.Options
      const config = GigaChatConfig.make(untyped)
      assert.isTrue(Duration.equals(config.timeout, Duration.seconds(30)))
      assert.isTrue(Duration.equals(config.maxRetryAfter, Duration.seconds(5)))
      assert.isTrue(
        Duration.equals(config.tokenExpiryBuffer, Duration.millis(1500)),
        "as GIGACHAT_TOKEN_EXPIRY_BUFFER_MS"
      )
    }))

  it.effect("layerConfig reads Config values over the defaults; without an argument every GIGACHAT_* variable", () =>
    Effect.gen(function*() {
      const fromConfigs = yield* GigaChatConfig.GigaChatConfig.pipe(
        Effect.provide(GigaChatConfig.layerConfig({
          credentials: Config.redacted("APP_KEY"),
          model: Config.withDefault(Config.string("APP_MODEL"), "GigaChat-2-Max"),
          timeout: "5 seconds"
        })),
        withEnv({ APP_KEY: "key-from-app", GIGACHAT_MODEL: "ignored" })
      )
      assert.strictEqual(Redacted.value(fromConfigs.credentials!), "key-from-app")
      assert.strictEqual(fromConfigs.model, "GigaChat-2-Max", "only the given Configs are read")
      assert.isTrue(Duration.equals(fromConfigs.timeout, Duration.seconds(5)))
      const missing = yield* Effect.flip(
        GigaChatConfig.GigaChatConfig.pipe(
          Effect.provide(GigaChatConfig.layerConfig({ credentials: Config.redacted("APP_KEY") })),
          withEnv({})
        )
      )
      assert.include(String(missing), "APP_KEY")
      const fromEnv = yield* GigaChatConfig.GigaChatConfig.pipe(
        Effect.provide(GigaChatConfig.layerConfig()),
        withEnv({ GIGACHAT_MODEL: "env-model" })
      )
      assert.strictEqual(fromEnv.model, "env-model")
      // the 0.1 form: plain options over the environment, as layerEnv
      const plain = yield* GigaChatConfig.GigaChatConfig.pipe(
        Effect.provide(GigaChatConfig.layerConfig({ scope: "GIGACHAT_API_B2B" })),
        withEnv({ GIGACHAT_MODEL: "env-model" })
      )
      assert.strictEqual(plain.model, "env-model")
      assert.strictEqual(plain.scope, "GIGACHAT_API_B2B")
      const env = yield* GigaChatConfig.GigaChatConfig.pipe(
        Effect.provide(GigaChatConfig.layerEnv({ scope: "GIGACHAT_API_B2B" })),
        withEnv({ GIGACHAT_MODEL: "env-model" })
      )
      assert.deepStrictEqual([env.model, env.scope], ["env-model", "GIGACHAT_API_B2B"])
    }))

  it.effect("options win over the environment, which wins over defaults", () =>
    Effect.gen(function*() {
      const config = yield* resolve(
        { GIGACHAT_MODEL: "from-env", GIGACHAT_TIMEOUT: "10", GIGACHAT_SCOPE: "GIGACHAT_API_B2B" },
        { model: "from-options", credentials: "opt-creds" }
      )
      assert.strictEqual(config.model, "from-options")
      assert.isTrue(Duration.equals(config.timeout, Duration.seconds(10)))
      assert.strictEqual(config.scope, "GIGACHAT_API_B2B")
      assert.strictEqual(Redacted.value(config.credentials!), "opt-creds")
      assert.strictEqual(config.maxRetries, 0)
    }))

  it.effect("a blank text or secret variable counts as not set, as the Python SDK's truth tests do", () =>
    Effect.gen(function*() {
      // A `.env` template with the lines left empty, next to a user and password that are set.
      const env = {
        GIGACHAT_CREDENTIALS: "",
        GIGACHAT_ACCESS_TOKEN: "  ",
        GIGACHAT_MODEL: "",
        GIGACHAT_SCOPE: " ",
        GIGACHAT_BASE_URL: "",
        GIGACHAT_CA_BUNDLE_FILE: "",
        GIGACHAT_USER: "alice",
        GIGACHAT_PASSWORD: "secret"
      }
      const fromEnv = yield* GigaChatConfig.config.pipe(withEnv(env))
      assert.isUndefined(fromEnv.credentials)
      assert.isUndefined(fromEnv.accessToken)
      assert.isUndefined(fromEnv.model)
      const config = yield* resolve(env)
      assert.isUndefined(config.credentials)
      assert.isUndefined(config.accessToken)
      assert.isUndefined(config.model)
      assert.isUndefined(config.caBundleFile)
      assert.strictEqual(config.scope, GigaChatConfig.defaults.scope)
      assert.strictEqual(config.baseUrl, GigaChatConfig.defaults.baseUrl)
      assert.strictEqual(config.user, "alice")
      assert.isTrue(GigaChatConfig.canFetchToken(config))
    }))

  it("a blank option in code counts as not given: the environment or the default applies", () => {
    const config = GigaChatConfig.make({ credentials: "", accessToken: Redacted.make(""), model: " ", user: "" })
    assert.isUndefined(config.credentials)
    assert.isUndefined(config.accessToken)
    assert.isUndefined(config.model)
    assert.isUndefined(config.user)
    assert.isFalse(GigaChatConfig.canFetchToken(config))
  })

  it.effect("reads a variable in lower case too, as pydantic-settings do; the upper-case name wins", () =>
    Effect.gen(function*() {
      const config = yield* resolve({
        gigachat_credentials: "lower-creds",
        gigachat_timeout: "12",
        gigachat_max_retries: "2",
        gigachat_flags: "a,b",
        GIGACHAT_MODEL: "upper-model",
        gigachat_model: "lower-model"
      })
      assert.strictEqual(Redacted.value(config.credentials!), "lower-creds")
      assert.isTrue(Duration.equals(config.timeout, Duration.seconds(12)))
      assert.strictEqual(config.maxRetries, 2)
      assert.deepStrictEqual(config.flags, ["a", "b"])
      assert.strictEqual(config.model, "upper-model")
      // An upper-case value that does not parse is an error, not a reason to read the lower-case one.
      const error = yield* Effect.flip(resolve({ GIGACHAT_TIMEOUT: "abc", gigachat_timeout: "5" }))
      assert.include(String(error), "GIGACHAT_TIMEOUT")
      const lowerInvalid = yield* Effect.flip(resolve({ gigachat_max_retries: "many" }))
      assert.include(String(lowerInvalid), "gigachat_max_retries")
    }))

  it.effect("an invalid value fails with a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[string, string]> = [
        ["GIGACHAT_TIMEOUT", "abc"],
        ["GIGACHAT_MAX_RETRIES", "-x"],
        ["GIGACHAT_VERIFY_SSL_CERTS", "maybe"],
        ["GIGACHAT_RETRY_ON_STATUS_CODES", "[429, \"x\"]"],
        ["GIGACHAT_FLAGS", "[1"],
        ["GIGACHAT_MAX_CONNECTIONS", "-1"]
      ]
      for (const [name, value] of cases) {
        const error = yield* Effect.flip(resolve({ [name]: value }))
        assert.strictEqual(error._op, "InvalidData", name)
        assert.include(String(error), name)
      }
    }))

  it.effect("layerConfig fails the layer on a bad variable", () =>
    Effect.gen(function*() {
      const error = yield* GigaChatConfig.GigaChatConfig.pipe(
        Effect.provide(
          GigaChatConfig.layerConfig().pipe(
            Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["GIGACHAT_TIMEOUT", "abc"]]))))
          )
        ),
        Effect.flip
      )
      assert.include(String(error), "GIGACHAT_TIMEOUT")
    }))

  it("a negative max_retries disables retrying, as in the Python SDK", () => {
    assert.strictEqual(GigaChatConfig.make({ maxRetries: -5 }).maxRetries, 0)
  })

  it("never shows a secret in JSON or strings", () => {
    const config = GigaChatConfig.make({
      credentials: "credential-secret",
      accessToken: "token-secret",
      password: "password-secret",
      keyFilePassword: "passphrase-secret"
    })
    const text = JSON.stringify(config) + String(config.credentials) + String(config.accessToken) +
      String(config.password) + String(config.keyFilePassword)
    for (const secret of ["credential-secret", "token-secret", "password-secret", "passphrase-secret"]) {
      assert.notInclude(text, secret)
    }
  })

  it("resolves URLs as the Python SDK does", () => {
    const base = "https://gigachat.devices.sberbank.ru/api/v1"
    assert.strictEqual(GigaChatConfig.resolveUrl(base, "/models"), `${base}/models`)
    assert.strictEqual(GigaChatConfig.resolveUrl(`${base}/`, "models"), `${base}/models`)
    assert.strictEqual(
      GigaChatConfig.resolveUrl(base, "/api/v2/chat/completions"),
      "https://gigachat.devices.sberbank.ru/api/v2/chat/completions"
    )
    assert.strictEqual(GigaChatConfig.resolveUrl(base, "/v2/chat"), "https://gigachat.devices.sberbank.ru/v2/chat")
    assert.strictEqual(GigaChatConfig.resolveUrl(base, "http://other/x"), "http://other/x")
  })
})
