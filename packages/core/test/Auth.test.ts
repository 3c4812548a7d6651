import { Auth, GigaChat, GigaChatConfig, GigaChatError, RequestContext } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { Handler, RecordedRequest } from "./utils/mockHttp.js"
import { credentials, json, makeMockHttp, sse } from "./utils/mockHttp.js"

const baseUrl = "https://gigachat.test/api/v1"
const authUrl = "https://auth.test/api/v2/oauth"

const completion = {
  choices: [{ message: { role: "assistant", content: "Hi!" }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:1",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
}

const minutes = (n: number) => n * 60 * 1000

/** The n-th token the mock OAuth server hands out (1-based), so a test can tell the tokens apart. */
const tokenNumber = (n: number) => `oauth-token-${n}-do-not-leak`

interface Setup {
  /** Answers API calls (everything that is neither the OAuth URL nor `/token`). */
  readonly api?: Handler
  /** Answers the OAuth request; by default a token numbered by the request, valid 30 minutes from now. */
  readonly oauth?: Handler
  /** Answers `POST {base}/token`. */
  readonly password?: Handler
}

const setup = (handlers: Setup, options: GigaChatConfig.Options = { credentials }) => {
  let oauthCount = 0
  let passwordCount = 0
  const mock = makeMockHttp((request, index) => {
    if (request.url === authUrl) {
      oauthCount++
      return handlers.oauth !== undefined
        ? handlers.oauth(request, oauthCount)
        : Effect.map(
          Clock.currentTimeMillis,
          (now) => json({ access_token: tokenNumber(oauthCount), expires_at: now + minutes(30) })
        )
    }
    if (request.url === `${baseUrl}/token`) {
      passwordCount++
      return handlers.password !== undefined
        ? handlers.password(request, passwordCount)
        : json({ tok: `password-token-${passwordCount}`, exp: 0 })
    }
    return handlers.api !== undefined ? handlers.api(request, index) : json(completion)
  })
  const layer = GigaChat.layerServices.pipe(
    Layer.provideMerge(GigaChatConfig.layer({ baseUrl, authUrl, ...options })),
    Layer.provide(mock.layer)
  )
  const isApi = (request: RecordedRequest) => request.url !== authUrl && request.url !== `${baseUrl}/token`
  return {
    mock,
    layer,
    oauth: () => mock.requests.filter((request) => request.url === authUrl),
    password: () => mock.requests.filter((request) => request.url === `${baseUrl}/token`),
    api: () => mock.requests.filter(isApi),
    bearers: () => mock.requests.filter(isApi).map((request) => request.headers["authorization"])
  }
}

const unauthorized = () => new Response(`{"status":401,"message":"Token has expired"}`, { status: 401 })

/** Collects every log line, formatted with all its parts (message, annotations, spans, cause). */
const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options))
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i

describe("Auth", () => {
  it.effect("50 concurrent calls on a cold cache make exactly one OAuth request", () => {
    const { bearers, layer, oauth } = setup({
      // A slow OAuth server: every call arrives while the one request is in flight.
      oauth: () =>
        Effect.delay(
          Effect.map(Clock.currentTimeMillis, (now) => json({ access_token: "shared", expires_at: now + minutes(30) })),
          "1 second"
        )
    })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 50 }, () => GigaChat.chat("x")), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const answers = yield* Fiber.join(fiber)
      assert.strictEqual(answers.length, 50)
      assert.strictEqual(oauth().length, 1)
      assert.deepStrictEqual(bearers(), Array.from({ length: 50 }, () => "Bearer shared"))
    }).pipe(Effect.provide(layer))
  })

  it.effect("a token whose expiry no Date can hold still reaches the call (its debug log threw and hung the waiters)", () => {
    // 1.7e18: a server answering in nanoseconds; `new Date(...).toISOString()` throws on it.
    const { layer, oauth } = setup({ oauth: () => json({ access_token: tokenNumber(1), expires_at: 1.7e18 }) }, {
      credentials,
      logLevel: "Debug"
    })
    return Effect.gen(function*() {
      const answer = yield* GigaChat.chat("Hi")
      assert.strictEqual(answer.model, "GigaChat:1")
      assert.strictEqual(oauth().length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("reuses the token until it expires within the buffer, then refreshes it before the call", () => {
    const { bearers, layer, oauth } = setup({
      oauth: (_, n) =>
        Effect.map(
          Clock.currentTimeMillis,
          (now) => json({ access_token: tokenNumber(n), expires_at: now + minutes(5) })
        )
    })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      // Expires at 5:00; with the default 60 s buffer it is good until just before 4:00.
      yield* TestClock.adjust(minutes(4) - 1)
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 1)
      yield* TestClock.adjust(1)
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 2)
      assert.deepStrictEqual(bearers(), [
        `Bearer ${tokenNumber(1)}`,
        `Bearer ${tokenNumber(1)}`,
        `Bearer ${tokenNumber(2)}`
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("honours a configured expiry buffer", () => {
    const { layer, oauth } = setup({
      oauth: (_, n) =>
        Effect.map(
          Clock.currentTimeMillis,
          (now) => json({ access_token: tokenNumber(n), expires_at: now + minutes(5) })
        )
    }, { credentials, tokenExpiryBuffer: "10 seconds" })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      yield* TestClock.adjust(minutes(5) - 10_001)
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 1)
      yield* TestClock.adjust(1)
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a failed refresh fails every waiter with the same typed error; the next call recovers", () => {
    const { bearers, layer, oauth } = setup({
      oauth: (_, n) =>
        n === 1
          ? Effect.delay(Effect.succeed(new Response("down", { status: 503 })), "1 second")
          : Effect.map(Clock.currentTimeMillis, (now) =>
            json({ access_token: tokenNumber(n), expires_at: now + minutes(30) }))
    })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 10 }, () => Effect.flip(GigaChat.chat("x"))), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      const errors = yield* Fiber.join(fiber)
      assert.strictEqual(oauth().length, 1)
      assert.strictEqual(errors[0]!._tag, "ServerError")
      for (const error of errors) assert.strictEqual(error, errors[0])
      assert.strictEqual(bearers().length, 0, "no API call without a token")

      const answer = yield* GigaChat.chat("x")
      assert.strictEqual(answer.model, "GigaChat:1")
      assert.strictEqual(oauth().length, 2)
      assert.deepStrictEqual(bearers(), [`Bearer ${tokenNumber(2)}`])
    }).pipe(Effect.provide(layer))
  })

  it.effect("an interrupted caller does not cancel the refresh the others wait for", () => {
    const { layer, oauth } = setup({
      oauth: (_, n) =>
        Effect.delay(
          Effect.map(Clock.currentTimeMillis, (now) =>
            json({ access_token: tokenNumber(n), expires_at: now + minutes(30) })),
          "1 second"
        )
    })
    return Effect.gen(function*() {
      const first = yield* Effect.fork(GigaChat.chat("x"))
      const second = yield* Effect.fork(GigaChat.chat("x"))
      yield* TestClock.adjust("500 millis")
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust("500 millis")
      const answer = yield* Fiber.join(second)
      assert.strictEqual(answer.model, "GigaChat:1")
      assert.strictEqual(oauth().length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("when every waiter is interrupted, the next call still gets a token", () => {
    const { layer, oauth } = setup({
      oauth: (_, n) =>
        Effect.delay(
          Effect.map(Clock.currentTimeMillis, (now) =>
            json({ access_token: tokenNumber(n), expires_at: now + minutes(30) })),
          "1 second"
        )
    })
    return Effect.gen(function*() {
      const fibers = yield* Effect.all(Array.from({ length: 5 }, () => Effect.fork(GigaChat.chat("x"))))
      yield* Effect.yieldNow()
      yield* Fiber.interruptAll(fibers)
      const next = yield* Effect.fork(GigaChat.chat("x"))
      yield* TestClock.adjust("2 seconds")
      const answer = yield* Fiber.join(next)
      assert.strictEqual(answer.model, "GigaChat:1")
      assert.isAtMost(oauth().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("401 to a cached token drops it, fetches a new one and retries once", () => {
    const { api, bearers, layer, oauth } = setup({
      api: () => api().length === 1 ? unauthorized() : json(completion)
    })
    return Effect.gen(function*() {
      yield* GigaChat.getToken()
      const answer = yield* GigaChat.chat("x")
      assert.strictEqual(answer.model, "GigaChat:1")
      assert.strictEqual(oauth().length, 2)
      assert.deepStrictEqual(bearers(), [`Bearer ${tokenNumber(1)}`, `Bearer ${tokenNumber(2)}`])
      // The new token is cached: no further OAuth request.
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("20 concurrent calls whose cached token gets 401 share one new token: exactly one more OAuth request", () => {
    const { bearers, layer, oauth } = setup({
      api: (request) =>
        request.headers["authorization"] === `Bearer ${tokenNumber(1)}`
          ? Effect.delay(Effect.succeed(unauthorized()), "1 second")
          : json(completion)
    })
    return Effect.gen(function*() {
      yield* GigaChat.getToken()
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 20 }, () => GigaChat.chat("x")), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(fiber)
      assert.strictEqual(oauth().length, 2)
      assert.strictEqual(bearers().filter((bearer) => bearer === `Bearer ${tokenNumber(2)}`).length, 20)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a stream whose cached token gets 401 re-authenticates once and then streams", () => {
    const chunk = `data: ${
      JSON.stringify({
        choices: [{ delta: { role: "assistant", content: "streamed" }, index: 0 }],
        created: 1,
        model: "GigaChat:1",
        object: "chat.completion"
      })
    }\n\n`
    const { bearers, layer, oauth } = setup({
      api: (request) =>
        request.headers["authorization"] === `Bearer ${tokenNumber(1)}`
          ? unauthorized()
          : sse([chunk, "data: [DONE]\n\n"])
    })
    return Effect.gen(function*() {
      yield* GigaChat.getToken()
      const chunks = yield* Stream.runCollect(GigaChat.stream("x"))
      assert.deepStrictEqual(Chunk.toReadonlyArray(chunks).map((c) => c.choices[0]?.delta.content), ["streamed"])
      assert.strictEqual(oauth().length, 2)
      assert.deepStrictEqual(bearers(), [`Bearer ${tokenNumber(1)}`, `Bearer ${tokenNumber(2)}`])
    }).pipe(Effect.provide(layer))
  })

  it.effect("401 twice to a cached token surfaces as AuthenticationError after exactly one retry", () => {
    const { api, layer, oauth } = setup({ api: unauthorized })
    return Effect.gen(function*() {
      yield* GigaChat.getToken()
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.instanceOf(error, GigaChatError.AuthenticationError)
      assert.strictEqual(api().length, 2)
      assert.strictEqual(oauth().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a 401 to a token fetched for this very call is its answer: one OAuth and one API request", () => {
    const { api, layer, oauth } = setup({ api: unauthorized })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(api().length, 1)
      assert.strictEqual(oauth().length, 1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a 401 under a retry policy still re-authenticates only once per attempt", () => {
    const { api, layer, oauth } = setup({ api: unauthorized }, { credentials, maxRetries: 3 })
    return Effect.gen(function*() {
      yield* GigaChat.getToken()
      const error = yield* Effect.flip(GigaChat.chat("x"))
      // 401 is not a retryable status: one attempt, one re-auth.
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.strictEqual(api().length, 2)
      assert.strictEqual(oauth().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an explicit access token alone: sent as is, never refreshed, a 401 surfaces with no token request", () => {
    const { api, bearers, layer, mock } = setup({
      api: () => api().length === 3 ? unauthorized() : json(completion)
    }, { accessToken: "explicit-token-do-not-leak" })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      yield* TestClock.adjust("30 days")
      yield* GigaChat.chat("x")
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.deepStrictEqual(bearers(), [
        "Bearer explicit-token-do-not-leak",
        "Bearer explicit-token-do-not-leak",
        "Bearer explicit-token-do-not-leak"
      ])
      assert.strictEqual(mock.requests.length, 3, "no OAuth and no /token request")
    }).pipe(Effect.provide(layer))
  })

  it.effect("an access token with credentials: a 401 falls back to OAuth", () => {
    const { bearers, layer, oauth } = setup({
      api: (request) => request.headers["authorization"] === "Bearer explicit" ? unauthorized() : json(completion)
    }, { accessToken: "explicit", credentials })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 1)
      assert.deepStrictEqual(bearers(), ["Bearer explicit", `Bearer ${tokenNumber(1)}`, `Bearer ${tokenNumber(1)}`])
    }).pipe(Effect.provide(layer))
  })

  it.effect("an access token with user and password: a 401 falls back to POST /token", () => {
    const { bearers, layer, password } = setup({
      api: (request) => request.headers["authorization"] === "Bearer explicit" ? unauthorized() : json(completion)
    }, { accessToken: "explicit", user: "user", password: "pass" })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      assert.strictEqual(password().length, 1)
      assert.deepStrictEqual(bearers(), ["Bearer explicit", "Bearer password-token-1"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("user and password: POST {base}/token with Basic auth and the context headers; {tok, exp} decoded", () => {
    const { bearers, layer, mock, password } = setup({
      password: (_, n) =>
        Effect.map(Clock.currentTimeMillis, (now) => json({ tok: `password-token-${n}`, exp: now + minutes(30) }))
    }, { user: "алиса@example", password: "pa:ss-do-not-leak" })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x").pipe(
        RequestContext.withSessionId("session-1"),
        RequestContext.withHeaders({ "X-Custom": "custom" })
      )
      yield* GigaChat.chat("x")
      const [request] = password()
      assert.strictEqual(request?.method, "POST")
      assert.strictEqual(request?.url, "https://gigachat.test/api/v1/token")
      const expected = Buffer.from("алиса@example:pa:ss-do-not-leak", "utf8").toString("base64")
      assert.strictEqual(request?.headers["authorization"], `Basic ${expected}`)
      assert.strictEqual(request?.headers["x-session-id"], "session-1")
      assert.strictEqual(request?.headers["x-custom"], "custom")
      assert.match(request?.headers["user-agent"] ?? "", /^effect-gigachat\//)
      assert.strictEqual(password().length, 1, "the token is reused while valid")
      assert.deepStrictEqual(bearers(), ["Bearer password-token-1", "Bearer password-token-1"])
      assert.isFalse(mock.requests.some((r) => r.url === authUrl))
      yield* TestClock.adjust(minutes(29))
      yield* GigaChat.chat("x")
      assert.strictEqual(password().length, 2, "refreshed inside the expiry buffer")
    }).pipe(Effect.provide(layer))
  })

  it.effect("the OAuth request: POST to the auth URL, Basic credentials, a fresh RqUID, scope form, no context", () => {
    const { api, layer, oauth } = setup({
      oauth: (_, n) =>
        Effect.map(
          Clock.currentTimeMillis,
          (now) => json({ access_token: tokenNumber(n), expires_at: now + minutes(5) })
        )
    }, { credentials, scope: "GIGACHAT_API_CORP" })
    const context = <A, E, R>(self: Effect.Effect<A, E, R>) =>
      self.pipe(
        RequestContext.withSessionId("session-1"),
        RequestContext.withRequestId("request-1"),
        RequestContext.withClientId("client-1"),
        RequestContext.withTraceId("trace-1"),
        RequestContext.withHeaders({ "X-Custom": "custom" })
      )
    return Effect.gen(function*() {
      yield* context(GigaChat.chat("x"))
      yield* TestClock.adjust(minutes(10))
      yield* context(GigaChat.chat("x"))
      const requests = oauth()
      assert.strictEqual(requests.length, 2)
      for (const request of requests) {
        assert.strictEqual(request.method, "POST")
        assert.strictEqual(request.url, authUrl)
        assert.strictEqual(request.headers["authorization"], `Basic ${credentials}`)
        assert.match(request.headers["rquid"] ?? "", uuidV4)
        assert.strictEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        assert.strictEqual(request.body, "scope=GIGACHAT_API_CORP")
        assert.match(request.headers["user-agent"] ?? "", /^effect-gigachat\//)
        const names = Object.keys(request.headers)
        for (const name of ["x-session-id", "x-request-id", "x-client-id", "x-trace-id", "x-custom"]) {
          assert.notInclude(names, name, `${name} must not reach the OAuth server`)
        }
        assert.isFalse(names.some((name) => name === "traceparent" || name.startsWith("b3")), "no trace headers")
      }
      assert.notStrictEqual(requests[0]!.headers["rquid"], requests[1]!.headers["rquid"], "a fresh RqUID each time")
      // ...while the API calls do carry the context.
      for (const request of api()) {
        assert.strictEqual(request.headers["x-session-id"], "session-1")
        assert.strictEqual(request.headers["x-custom"], "custom")
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("OAuth credentials win over user and password", () => {
    const { layer, oauth, password } = setup({}, { credentials, user: "user", password: "pass" })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 1)
      assert.strictEqual(password().length, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("blank credentials and access token (empty .env lines) leave user and password to authenticate", () => {
    const { layer, bearers, oauth, password } = setup({}, {
      credentials: "",
      accessToken: " ",
      user: "user",
      password: "pass"
    })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 0)
      assert.strictEqual(password().length, 1)
      assert.deepStrictEqual(bearers(), ["Bearer password-token-1"])
    }).pipe(Effect.provide(layer))
  })

  it.effect("credentials with surrounding whitespace (a file's newline) are trimmed in the header", () => {
    const { layer, oauth } = setup({}, { credentials: `${credentials}\n` })
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth()[0]?.headers["authorization"], `Basic ${credentials}`)
    }).pipe(Effect.provide(layer))
  })

  it.effect("rejected credentials: AuthenticationError from the OAuth server, no API call, not retried", () => {
    const { api, layer, oauth } = setup({
      oauth: () => new Response(`{"code":6,"message":"credentials doesn't match db data"}`, { status: 401 })
    }, { credentials, maxRetries: 2 })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "AuthenticationError")
      assert.include(error.message, "credentials doesn't match db data")
      assert.strictEqual(oauth().length, 1)
      assert.strictEqual(api().length, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("a token response of neither shape is a DecodeError that does not show the body", () => {
    const { layer } = setup({ oauth: () => json({ access_token: "leaky-token-do-not-leak", expires_in: 1800 }) })
    return Effect.gen(function*() {
      const error = yield* Effect.flip(GigaChat.chat("x"))
      assert.strictEqual(error._tag, "DecodeError")
      assert.notInclude(String(error), "leaky-token")
      assert.notInclude(JSON.stringify(error), "leaky-token")
    }).pipe(Effect.provide(layer))
  })

  it.effect("the OAuth request times out with a TimeoutError and the next call tries again", () => {
    const { layer, oauth } = setup({
      oauth: (_, n) =>
        n === 1
          ? Effect.never
          : Effect.map(Clock.currentTimeMillis, (now) =>
            json({ access_token: tokenNumber(n), expires_at: now + minutes(30) }))
    }, { credentials, timeout: "5 seconds" })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.flip(GigaChat.chat("x")))
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "TimeoutError")
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("an expiry sent in seconds is read as seconds, so the token is not fetched before every call", () => {
    const now = Date.UTC(2026, 0, 1)
    const { layer, oauth } = setup({
      oauth: (_, n) => json({ tok: tokenNumber(n), exp: Math.floor(now / 1000) + 30 * 60 })
    })
    return Effect.gen(function*() {
      yield* TestClock.setTime(now)
      yield* GigaChat.chat("x")
      yield* TestClock.adjust(minutes(20))
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 1)
      yield* TestClock.adjust(minutes(9))
      yield* GigaChat.chat("x")
      assert.strictEqual(oauth().length, 2, "refreshed within the buffer of the expiry read as seconds")
    }).pipe(Effect.provide(layer))
  })

  it.effect("no token source (mTLS only): no Authorization header and no token request", () => {
    const { api, layer, mock } = setup({}, {})
    return Effect.gen(function*() {
      yield* GigaChat.chat("x")
      assert.strictEqual(mock.requests.length, 1)
      assert.isUndefined(api()[0]?.headers["authorization"])
      const token = yield* Effect.flatMap(GigaChat.GigaChat, (gc) => gc.getToken())
      assert.isTrue(Option.isNone(token))
    }).pipe(Effect.provide(layer))
  })

  it.effect("token: the explicit token as is; None under withAuthorization, with nothing fetched", () => {
    const { layer, mock } = setup({}, { accessToken: "explicit", credentials })
    return Effect.gen(function*() {
      const auth = yield* Auth.Auth
      const explicit = yield* auth.token
      assert.strictEqual(
        Option.map(explicit, (token) => Redacted.value(token.access_token)).pipe(Option.getOrNull),
        "explicit"
      )
      const none = yield* RequestContext.withAuthorization(auth.token, "Bearer mine")
      assert.isTrue(Option.isNone(none))
      const viaHeaders = yield* RequestContext.withHeaders(auth.token, { authorization: "Bearer mine" })
      assert.isTrue(Option.isNone(viaHeaders))
      const gc = yield* GigaChat.GigaChat
      assert.isTrue(Option.isNone(yield* RequestContext.withAuthorization(gc.getToken(), "Bearer mine")))
      assert.strictEqual(mock.requests.length, 0)
    }).pipe(Effect.provide(layer))
  })

  it.effect("withToken runs the call once more, with a new token, only when a cached token was rejected", () =>
    Effect.gen(function*() {
      const rejectFirst = (auth: Auth.Service) => {
        const seen: Array<string> = []
        return Effect.map(
          Effect.either(auth.withToken((token) => {
            const value = Option.match(token, { onNone: () => "none", onSome: (t) => Redacted.value(t.access_token) })
            seen.push(value)
            return seen.length === 1
              ? Effect.fail(
                new GigaChatError.AuthenticationError({ status: 401, method: "POST", url: "u", body: "", headers: {} })
              )
              : Effect.succeed(value)
          })),
          (result) => ({ result, seen })
        )
      }
      const withCredentials = setup({})
      yield* Effect.gen(function*() {
        const auth = yield* Auth.Auth
        // Fetched for this call: the 401 is the answer.
        const fresh = yield* rejectFirst(auth)
        assert.isTrue(Either.isLeft(fresh.result))
        assert.deepStrictEqual(fresh.seen, [tokenNumber(1)])
        // Cached before the call: dropped, a new one fetched, the call run again.
        const cached = yield* rejectFirst(auth)
        assert.deepStrictEqual(cached.result, Either.right(tokenNumber(2)))
        assert.deepStrictEqual(cached.seen, [tokenNumber(1), tokenNumber(2)])
      }).pipe(Effect.provide(withCredentials.layer))
      const explicitOnly = setup({}, { accessToken: "explicit" })
      yield* Effect.gen(function*() {
        const auth = yield* Auth.Auth
        const only = yield* rejectFirst(auth)
        assert.isTrue(Either.isLeft(only.result))
        assert.deepStrictEqual(only.seen, ["explicit"])
      }).pipe(Effect.provide(explicitOnly.layer))
    }))

  it.effect("closing the layer interrupts a token request in flight; its waiters do not hang", () => {
    const { layer } = setup({ oauth: () => Effect.never })
    return Effect.gen(function*() {
      const exit = yield* Effect.gen(function*() {
        const auth = yield* Auth.Auth
        const waiter = yield* Effect.fork(auth.token)
        yield* Effect.yieldNow()
        return waiter
      }).pipe(
        Effect.provide(layer),
        Effect.flatMap(Fiber.await)
      )
      assert.isTrue(Exit.isInterrupted(exit))
    })
  })

  describe("credentials format", () => {
    const secretLike = "123e4567-e89b-42d3-a456-426614174000"
    for (
      const [name, value] of [
        ["a client secret (UUID)", secretLike],
        ["not base64 at all", "not base64!"],
        ["base64 without a client_id:secret pair", Buffer.from("justsecret").toString("base64")]
      ] as const
    ) {
      it.effect(`${name}: a warning through the logger that does not contain the value`, () => {
        const logs = captureLogs()
        const { layer } = setup({}, { credentials: value })
        return Effect.gen(function*() {
          yield* GigaChat.chat("x")
          const warnings = logs.lines.filter((line) => line.includes("level=WARN"))
          assert.strictEqual(warnings.length, 1, logs.lines.join("\n"))
          assert.include(warnings[0], "not a base64 authorization key")
          for (const line of logs.lines) assert.notInclude(line, value)
        }).pipe(Effect.provide(layer), Effect.provide(logs.layer))
      })
    }

    it.effect("a valid authorization key logs nothing", () => {
      const logs = captureLogs()
      const { layer } = setup({})
      return Effect.gen(function*() {
        yield* GigaChat.chat("x")
        assert.deepStrictEqual(logs.lines, [])
      }).pipe(Effect.provide(layer), Effect.provide(logs.layer))
    })

    it.effect("user without password: a warning, and no token is fetched", () => {
      const logs = captureLogs()
      const { layer, mock } = setup({}, { user: "user" })
      return Effect.gen(function*() {
        yield* GigaChat.chat("x")
        assert.strictEqual(mock.requests.length, 1)
        assert.isTrue(logs.lines.some((line) => line.includes("user is set without password")))
      }).pipe(Effect.provide(layer), Effect.provide(logs.layer))
    })
  })

  it.effect("no secret appears in logs, String(error), JSON.stringify(error), Cause.pretty or the config JSON", () => {
    const secrets = {
      credentials: "c2VjcmV0LWNsaWVudDpzZWNyZXQtdmFsdWUtMTIz",
      accessToken: "explicit-access-token-secret",
      password: "password-secret-value",
      keyFilePassword: "key-passphrase-secret"
    }
    const issued = "issued-token-secret"
    const logs = captureLogs()
    const { layer } = setup({
      oauth: () => Effect.map(Clock.currentTimeMillis, (now) => json({ access_token: issued, expires_at: now + 1 })),
      api: unauthorized
    }, { ...secrets, user: "user" })
    const mentions = (text: string) =>
      [...Object.values(secrets), issued, Buffer.from(`user:${secrets.password}`).toString("base64")].filter((
        secret
      ) => text.includes(secret))
    return Effect.gen(function*() {
      const config = yield* GigaChatConfig.GigaChatConfig
      assert.deepStrictEqual(mentions(JSON.stringify(config)), [])
      assert.deepStrictEqual(mentions(String(config.credentials)), [])

      const exit = yield* Effect.exit(GigaChat.chat("x"))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = Cause.squash(exit.cause)
        assert.deepStrictEqual(mentions(String(error)), [])
        assert.deepStrictEqual(mentions(JSON.stringify(error)), [])
        assert.deepStrictEqual(mentions(Cause.pretty(exit.cause)), [])
        yield* Effect.logError("call failed", exit.cause)
      }
      const token = yield* Effect.flatMap(Auth.Auth, (auth) => auth.token)
      yield* Effect.logInfo("token", token)
      assert.deepStrictEqual(mentions(String(token)), [])
      assert.deepStrictEqual(mentions(JSON.stringify(token)), [])
      assert.isAbove(logs.lines.length, 0)
      for (const line of logs.lines) assert.deepStrictEqual(mentions(line), [], line)
    }).pipe(Effect.provide(layer), Effect.provide(logs.layer))
  })
})
