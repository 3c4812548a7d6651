import type { GigaChatConfig } from "@effect-gigachat/core"
import { GigaChat, RequestContext } from "@effect-gigachat/core"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type { Handler } from "./utils/mockHttp.js"
import { credentials, json, mockServices, sse, tokenValue } from "./utils/mockHttp.js"

const completion = (content = "Hi!") => ({
  choices: [{ message: { role: "assistant", content }, index: 0, finish_reason: "stop" }],
  created: 1,
  model: "GigaChat:1",
  object: "chat.completion",
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }
})

const chunk = (content: string) =>
  `data: ${
    JSON.stringify({
      choices: [{ delta: { role: "assistant", content }, index: 0 }],
      created: 1,
      model: "GigaChat:1",
      object: "chat.completion"
    })
  }\n\n`

const setup = (api: Handler = () => json(completion()), options: GigaChatConfig.Options = { credentials }) =>
  mockServices(api, options)

type WithField = {
  (value: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, value: string): Effect.Effect<A, E, R>
}

const fields: ReadonlyArray<readonly [string, WithField, string]> = [
  ["withSessionId", RequestContext.withSessionId, "x-session-id"],
  ["withRequestId", RequestContext.withRequestId, "x-request-id"],
  ["withClientId", RequestContext.withClientId, "x-client-id"],
  ["withServiceId", RequestContext.withServiceId, "x-service-id"],
  ["withOperationId", RequestContext.withOperationId, "x-operation-id"],
  ["withTraceId", RequestContext.withTraceId, "x-trace-id"],
  ["withAgentId", RequestContext.withAgentId, "x-agent-id"]
]

describe("RequestContext", () => {
  for (const [name, withField, header] of fields) {
    it.effect(`${name} sets ${header} on the API call, data-last and data-first, and only inside`, () => {
      const { api, layer } = setup()
      return Effect.gen(function*() {
        yield* GigaChat.chat("x").pipe(withField("value-1"))
        yield* withField(GigaChat.chat("x"), "value-2")
        yield* GigaChat.chat("x")
        const sent = api().map((request) => request.headers[header])
        assert.deepStrictEqual(sent, ["value-1", "value-2", undefined])
        // Only the one header: no other context header appears.
        const contextHeaders = Object.keys(api()[0]!.headers).filter((key) => key.startsWith("x-"))
        assert.deepStrictEqual(contextHeaders, [header])
      }).pipe(Effect.provide(layer))
    })
  }

  it.effect("withHeaders adds any header; nested calls merge and the inner value wins", () => {
    const { api, layer } = setup()
    return Effect.gen(function*() {
      yield* GigaChat.chat("x").pipe(
        RequestContext.withHeaders({ "X-Inner": "inner", "X-Both": "inner" }),
        RequestContext.withHeaders({ "X-Outer": "outer", "x-both": "outer" })
      )
      const headers = api()[0]!.headers
      assert.strictEqual(headers["x-inner"], "inner")
      assert.strictEqual(headers["x-outer"], "outer")
      assert.strictEqual(headers["x-both"], "inner")
    }).pipe(Effect.provide(layer))
  })

  it.effect("withHeaders wins over the named fields, User-Agent and Accept", () => {
    const { api, layer } = setup()
    return Effect.gen(function*() {
      yield* GigaChat.chat("x").pipe(
        RequestContext.withSessionId("from-field"),
        RequestContext.withHeaders({ "X-Session-ID": "from-headers", "User-Agent": "mine", Accept: "text/plain" })
      )
      const headers = api()[0]!.headers
      assert.strictEqual(headers["x-session-id"], "from-headers")
      assert.strictEqual(headers["user-agent"], "mine")
      assert.strictEqual(headers["accept"], "text/plain")
    }).pipe(Effect.provide(layer))
  })

  it.effect("an inner field replaces an outer one; withContext sets several at once", () => {
    const { api, layer } = setup()
    return Effect.gen(function*() {
      yield* GigaChat.chat("x").pipe(
        RequestContext.withSessionId("inner"),
        RequestContext.withContext({ sessionId: "outer", requestId: "request", agentId: "agent" })
      )
      const headers = api()[0]!.headers
      assert.strictEqual(headers["x-session-id"], "inner")
      assert.strictEqual(headers["x-request-id"], "request")
      assert.strictEqual(headers["x-agent-id"], "agent")
    }).pipe(Effect.provide(layer))
  })

  it.effect("empty values are not sent", () => {
    const { api, layer } = setup()
    return Effect.gen(function*() {
      yield* GigaChat.chat("x").pipe(RequestContext.withSessionId(""), RequestContext.withAuthorization(""))
      const headers = api()[0]!.headers
      assert.notProperty(headers, "x-session-id")
      assert.strictEqual(headers["authorization"], `Bearer ${tokenValue}`, "an empty Authorization is no Authorization")
    }).pipe(Effect.provide(layer))
  })

  describe("precedence: SDK token < withAuthorization < withHeaders", () => {
    it.effect("the SDK token when nothing else is set", () => {
      const { api, layer } = setup()
      return Effect.gen(function*() {
        yield* GigaChat.chat("x")
        assert.strictEqual(api()[0]!.headers["authorization"], `Bearer ${tokenValue}`)
      }).pipe(Effect.provide(layer))
    })

    it.effect("withAuthorization is sent verbatim and no token is requested at all", () => {
      const { api, layer, oauth } = setup()
      return Effect.gen(function*() {
        yield* GigaChat.chat("x").pipe(RequestContext.withAuthorization("Bearer caller-token"))
        yield* GigaChat.chat("x").pipe(RequestContext.withAuthorization(Redacted.make("Basic Y2FsbGVy")))
        assert.deepStrictEqual(api().map((request) => request.headers["authorization"]), [
          "Bearer caller-token",
          "Basic Y2FsbGVy"
        ])
        assert.strictEqual(oauth().length, 0)
      }).pipe(Effect.provide(layer))
    })

    it.effect("withHeaders' Authorization wins over withAuthorization, and also stops token fetching", () => {
      const { api, layer, oauth } = setup()
      return Effect.gen(function*() {
        yield* GigaChat.chat("x").pipe(
          RequestContext.withAuthorization("Bearer from-authorization"),
          RequestContext.withHeaders({ Authorization: "Bearer from-headers" })
        )
        yield* GigaChat.chat("x").pipe(RequestContext.withHeaders({ authorization: "Bearer headers-only" }))
        assert.deepStrictEqual(api().map((request) => request.headers["authorization"]), [
          "Bearer from-headers",
          "Bearer headers-only"
        ])
        assert.strictEqual(oauth().length, 0)
      }).pipe(Effect.provide(layer))
    })

    it.effect("a 401 under withAuthorization surfaces: there is no SDK token to renew", () => {
      const { api, layer, oauth } = setup(() => new Response("{}", { status: 401 }))
      return Effect.gen(function*() {
        const error = yield* Effect.flip(GigaChat.chat("x").pipe(RequestContext.withAuthorization("Bearer stale")))
        assert.strictEqual(error._tag, "AuthenticationError")
        assert.strictEqual(api().length, 1)
        assert.strictEqual(oauth().length, 0)
      }).pipe(Effect.provide(layer))
    })
  })

  it.effect("two concurrent fibers with different sessions each send only their own headers", () => {
    // Each answer is held back for a second, so the two calls are in flight together; the answer echoes the
    // session header it received, and every request's headers are checked against the body it carried.
    const { api, layer } = setup((request) =>
      Effect.delay(Effect.succeed(json(completion(request.headers["x-session-id"] ?? "none"))), "1 second")
    )
    const call = (session: string, extra: string) =>
      GigaChat.chat(`from ${session}`).pipe(
        Effect.map((answer) => answer.choices[0]!.message.content),
        RequestContext.withSessionId(session),
        RequestContext.withHeaders({ "X-Extra": extra })
      )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Effect.all([call("session-a", "a"), call("session-b", "b"), GigaChat.chat("no session")], {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust("1 second")
      const [a, b, none] = yield* Fiber.join(fiber)
      assert.strictEqual(a, "session-a")
      assert.strictEqual(b, "session-b")
      assert.strictEqual(none.choices[0]!.message.content, "none")
      assert.strictEqual(api().length, 3)
      for (const request of api()) {
        const prompt = JSON.parse(request.body!).messages[0].content as string
        const expected = prompt === "from session-a"
          ? ["session-a", "a"]
          : prompt === "from session-b"
          ? ["session-b", "b"]
          : [undefined, undefined]
        assert.deepStrictEqual([request.headers["x-session-id"], request.headers["x-extra"]], expected, prompt)
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("many concurrent sessions never see each other's headers", () => {
    const { api, layer } = setup((request) =>
      Effect.delay(Effect.succeed(json(completion(request.headers["x-session-id"]))), "10 millis")
    )
    return Effect.gen(function*() {
      const sessions = Array.from({ length: 40 }, (_, i) => `session-${i}`)
      const fiber = yield* Effect.fork(Effect.forEach(
        sessions,
        (session) =>
          GigaChat.chat(session).pipe(
            Effect.map((answer) => answer.choices[0]!.message.content),
            RequestContext.withSessionId(session)
          ),
        { concurrency: "unbounded" }
      ))
      yield* TestClock.adjust("10 millis")
      assert.deepStrictEqual(yield* Fiber.join(fiber), sessions)
      for (const request of api()) {
        assert.strictEqual(request.headers["x-session-id"], JSON.parse(request.body!).messages[0].content)
      }
    }).pipe(Effect.provide(layer))
  })

  it.effect("the context of the first caller goes to a shared token request, never to the OAuth server", () => {
    const { layer, oauth } = setup()
    return Effect.gen(function*() {
      yield* Effect.all([
        GigaChat.chat("x").pipe(RequestContext.withSessionId("a")),
        GigaChat.chat("x").pipe(RequestContext.withSessionId("b"))
      ], { concurrency: "unbounded" })
      assert.strictEqual(oauth().length, 1)
      assert.notProperty(oauth()[0]!.headers, "x-session-id")
    }).pipe(Effect.provide(layer))
  })

  it.effect("the context applies to every retry attempt", () => {
    const { api, layer } = setup(
      () => api().length === 1 ? new Response("", { status: 503 }) : json(completion()),
      { credentials, maxRetries: 1 }
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(GigaChat.chat("x").pipe(RequestContext.withSessionId("session-1")))
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(api().map((request) => request.headers["x-session-id"]), ["session-1", "session-1"])
    }).pipe(Effect.provide(layer))
  })

  describe("streams", () => {
    const streaming = () =>
      setup((request) =>
        request.headers["accept"] === "text/event-stream"
          ? sse([chunk("Hel"), chunk("lo"), "data: [DONE]\n\n"])
          : json(completion())
      )

    it.effect("withContextStream applies to the stream's request; the context ends with the stream", () => {
      const { api, layer } = streaming()
      return Effect.gen(function*() {
        const stream = GigaChat.stream("x").pipe(
          RequestContext.withContextStream({ sessionId: "stream-session", headers: { "X-Extra": "1" } })
        )
        const chunks = yield* Stream.runCollect(stream)
        assert.strictEqual(
          Chunk.toReadonlyArray(chunks).map((c) => c.choices[0]!.delta.content).join(""),
          "Hello"
        )
        assert.strictEqual(api()[0]!.headers["x-session-id"], "stream-session")
        assert.strictEqual(api()[0]!.headers["x-extra"], "1")
        assert.deepStrictEqual(yield* RequestContext.get, {}, "nothing leaks after the stream")
        yield* GigaChat.chat("x")
        assert.notProperty(api()[1]!.headers, "x-session-id")
      }).pipe(Effect.provide(layer))
    })

    it.effect("a stream built outside keeps its context when run elsewhere; the runner's context adds to it", () => {
      const { api, layer } = streaming()
      return Effect.gen(function*() {
        const stream = RequestContext.withContextStream(GigaChat.stream("x"), { sessionId: "built-with" })
        yield* Stream.runDrain(stream).pipe(RequestContext.withRequestId("run-with"))
        const headers = api()[0]!.headers
        assert.strictEqual(headers["x-session-id"], "built-with")
        assert.strictEqual(headers["x-request-id"], "run-with")
      }).pipe(Effect.provide(layer))
    })

    it.effect("withAuthorization through withContextStream: no token request", () => {
      const { api, layer, oauth } = streaming()
      return Effect.gen(function*() {
        yield* Stream.runDrain(
          RequestContext.withContextStream(GigaChat.stream("x"), { authorization: Redacted.make("Bearer mine") })
        )
        assert.strictEqual(api()[0]!.headers["authorization"], "Bearer mine")
        assert.strictEqual(oauth().length, 0)
      }).pipe(Effect.provide(layer))
    })
  })

  describe("toHeaders / hasAuthorization", () => {
    it("gives the wire names, skips empty values, lets headers win and keeps Authorization verbatim", () => {
      assert.deepStrictEqual(
        RequestContext.toHeaders({
          sessionId: "s",
          requestId: "r",
          clientId: "c",
          serviceId: "sv",
          operationId: "o",
          traceId: "t",
          agentId: "",
          authorization: Redacted.make("Bearer z"),
          headers: { "X-Trace-ID": "override" }
        }),
        {
          authorization: "Bearer z",
          "x-session-id": "s",
          "x-request-id": "r",
          "x-service-id": "sv",
          "x-operation-id": "o",
          "x-client-id": "c",
          "x-trace-id": "override"
        }
      )
      assert.deepStrictEqual(RequestContext.toHeaders({}), {})
    })

    it("hasAuthorization: withAuthorization or an Authorization header in any case", () => {
      assert.isFalse(RequestContext.hasAuthorization({}))
      assert.isFalse(RequestContext.hasAuthorization({ authorization: Redacted.make("") }))
      assert.isTrue(RequestContext.hasAuthorization({ authorization: Redacted.make("Bearer z") }))
      assert.isTrue(RequestContext.hasAuthorization({ headers: { AUTHORIZATION: "Bearer z" } }))
      assert.isFalse(RequestContext.hasAuthorization({ headers: { "x-other": "1" } }))
    })

    it.effect("the Authorization of the context is redacted when the context is printed", () =>
      Effect.gen(function*() {
        const context = yield* RequestContext.get.pipe(RequestContext.withAuthorization("Bearer secret-value"))
        assert.notInclude(String(context.authorization), "secret-value")
        assert.notInclude(JSON.stringify(context), "secret-value")
      }))
  })
})
