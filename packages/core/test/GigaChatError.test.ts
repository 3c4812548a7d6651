import { GigaChatError } from "@effect-gigachat/core"
import * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import * as Duration from "effect/Duration"

const info = (
  status: number,
  headers: Record<string, string> = {},
  body = `{"status":${status},"message":"boom"}`
) => ({
  status,
  method: "POST",
  url: "https://gigachat.example/api/v1/chat/completions",
  body,
  headers
})

describe("GigaChatError", () => {
  it("maps every status to its tag", () => {
    const table: ReadonlyArray<[number, string]> = [
      [400, "BadRequestError"],
      [401, "AuthenticationError"],
      [403, "ForbiddenError"],
      [404, "NotFoundError"],
      [413, "RequestEntityTooLargeError"],
      [422, "UnprocessableEntityError"],
      [429, "RateLimitError"],
      [500, "ServerError"],
      [503, "ServerError"],
      [599, "ServerError"],
      [201, "ResponseError"],
      [302, "ResponseError"],
      [418, "ResponseError"]
    ]
    for (const [status, tag] of table) {
      const error = GigaChatError.fromResponse(info(status))
      assert.strictEqual(error._tag, tag, `status ${status}`)
      assert.isTrue(GigaChatError.isGigaChatError(error))
      assert.isTrue(GigaChatError.isResponseError(error))
    }
  })

  it("parses Retry-After in seconds and as an HTTP date", () => {
    const seconds = GigaChatError.fromResponse(info(429, { "retry-after": "1.5" }))
    assert.strictEqual(seconds._tag, "RateLimitError")
    assert.deepStrictEqual(seconds._tag === "RateLimitError" && seconds.retryAfter, Duration.millis(1500))
    const now = Date.parse("2026-01-01T00:00:00Z")
    const date = GigaChatError.fromResponse(info(429, { "retry-after": "Thu, 01 Jan 2026 00:00:10 GMT" }), now)
    assert.deepStrictEqual(date._tag === "RateLimitError" && date.retryAfter, Duration.millis(10_000))
    const invalid = GigaChatError.fromResponse(info(429, { "retry-after": "soon" }))
    assert.isTrue(invalid._tag === "RateLimitError" && invalid.retryAfter === undefined)
  })

  it("shows the server message and the request id, and redacts sensitive headers", () => {
    const error = GigaChatError.fromResponse(
      info(
        404,
        { "x-request-id": "req-1", "set-cookie": "session=secret-cookie" },
        `{"status":404,"message":"No such model"}`
      )
    )
    assert.strictEqual(error.requestId, "req-1")
    assert.include(error.message, "No such model")
    assert.include(error.message, "req-1")
    assert.strictEqual(error.headers["set-cookie"], "<redacted>")
    assert.notInclude(JSON.stringify(error), "secret-cookie")
    assert.notInclude(String(error), "secret-cookie")
  })

  it("keeps a non-JSON body and cuts a huge one", () => {
    const html = GigaChatError.fromResponse(info(502, {}, "<html><body>Bad Gateway</body></html>"))
    assert.include(html.message, "Bad Gateway")
    const huge = GigaChatError.fromResponse(info(500, {}, "x".repeat(100_000)))
    assert.isBelow(huge.body.length, 9_000)
  })

  it("a client's own timeout (undici's codes) becomes a TimeoutError, other network errors a TransportError", () => {
    const request = HttpClientRequest.get("http://127.0.0.1:1/api/v1/models")
    const timedOut = new HttpClientError.RequestError({
      request,
      reason: "Transport",
      cause: Object.assign(new Error("Headers Timeout Error"), { code: "UND_ERR_HEADERS_TIMEOUT" })
    })
    const timeout = Duration.seconds(5)
    assert.strictEqual(GigaChatError.fromHttpClientError(timedOut, "GET", request.url, timeout)._tag, "TimeoutError")
    // without the configured timeout nothing claims it was one
    assert.strictEqual(GigaChatError.fromHttpClientError(timedOut, "GET", request.url)._tag, "TransportError")
    const refused = new HttpClientError.RequestError({
      request,
      reason: "Transport",
      cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
    })
    const error = GigaChatError.fromHttpClientError(refused, "GET", request.url, timeout)
    assert.strictEqual(error._tag, "TransportError")
    assert.include(error.message, "ECONNREFUSED")
  })
})
