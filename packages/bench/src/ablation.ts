/**
 * Where our per-request CPU goes: the chat request built up layer by layer, from a bare undici request to
 * `GigaChat.chat`, each measured as client CPU per request over the same canned server (started here, in its own
 * process). Not part of `pnpm bench`; run it with `tsx src/ablation.ts [--requests N] [--rounds N] [--chunks N]`.
 *
 * Steps (each adds to the one before, unless said otherwise):
 * 1. undici `Pool.request` + `body.json()`, promise lanes (the floor of `pnpm bench`);
 * 1b. the same undici request inside one `Effect.async`, driven by `Effect.forEach` (the floor of any client built on
 *    Effect: a fiber per call and an async boundary, nothing of the SDK);
 * 1c. the package's own `HttpClient` over undici's dispatcher (what `NodeGigaChat.layer` uses): `execute` + `text` +
 *    `JSON.parse`, driven by `Effect.forEach` (the HTTP exchange of steps 5-7 without the SDK);
 * 1d. the same undici handler in a client made with `HttpClient.makeWith` instead of `HttpClient.make`: no
 *    `AbortController`, URL parse or tracer switch per request, and no way for `HttpClient.withScope` to abort it
 *    (interruption is its only abort); what a per-request abort hook costs is the distance from 1c;
 * 1e. 1d with the exchange on a fiber of its own (`Effect.fork` + `Fiber.join`), which a deadline could interrupt:
 *    the cheapest way to abort a request of any client without `HttpClient.withScope`;
 * 1f. 1d under `Effect.timeoutFail`, the library's own timeout;
 * 2. `@effect/platform` `HttpClient` over undici (`NodeHttpClient.layerUndici`): `execute` + `response.json`, driven
 *    by `Effect.forEach` — with the platform's per-request span (the default);
 * 3. the same with the platform's span disabled (`HttpClient.currentTracerDisabledWhen`);
 * 4. step 2 + `Schema.decodeUnknown(Chat.ChatCompletion)`;
 * 5. our `HttpTransport.json` (URL resolution, headers, token, timeout, status mapping, decoding) over
 *    `NodeGigaChat.layer`, whose `HttpClient` is the package's own over undici's dispatcher, not the platform's;
 * 6. `GigaChat.chat` (request validation and encoding, span, `xHeaders`);
 * 7. `GigaChat.chat` with the tracer disabled (`Effect.withTracerEnabled(false)`);
 * and without any HTTP: `Chat.encodeRequest` alone, and `Schema.decodeUnknown(ChatCompletion)` of a parsed body.
 *
 * In memory (steps m1-m3): the package's undici client over a dispatcher that answers every request at once from
 * memory, then `HttpTransport.json` and `GigaChat.chat` over it. No socket, no kernel and no server share the CPU,
 * so these figures are the SDK's own cost per call, and they vary far less from run to run than the steps above.
 * The client is imported from the node package's sources (its `internal/` is not exported), which works under tsx.
 *
 * Streaming (steps s1-s4): client CPU per chunk of one stream at the server's fixed pace (10 events a millisecond, as
 * `pnpm bench`'s paced workload): s1 the bench's raw undici client; s2 the body of the package's `HttpClient` read
 * with `Stream.runForEach` (the floor of an Effect stream over it); s3 `HttpTransport.events` (+ SSE decoding);
 * s4 `GigaChat.stream` (+ JSON parsing and chunk decoding).
 */
import * as Chat from "@effect-gigachat/core/Chat"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatConfig from "@effect-gigachat/core/GigaChatConfig"
import * as HttpTransport from "@effect-gigachat/core/HttpTransport"
import * as NodeGigaChat from "@effect-gigachat/node/NodeGigaChat"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Undici from "undici"
// The node package does not export its internals; the ablation runs from sources under tsx.
import * as UndiciClient from "../../node/src/internal/undiciClient.js"
import { pool, prompt } from "./client.js"
import * as UndiciBench from "./clientUndici.js"
import { accessToken } from "./job.js"

const here = Path.dirname(Url.fileURLToPath(import.meta.url))
const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`)
  return index === -1 ? fallback : Number(args[index + 1])
}
const requests = option("requests", 3000)
const rounds = option("rounds", 2)
const chunks = option("chunks", 5000)
const concurrency = 32

const startServer = (): Promise<{ port: number; stop: () => void }> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.fork(Path.join(here, "server.ts"), [], {
      execArgv: process.execArgv,
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    child.once("message", (message: any) => resolve({ port: message.port, stop: () => child.kill() }))
    child.once("error", reject)
  })

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since)
  return used.user + used.system
}

const measure = async (
  label: string,
  n: number,
  run: (n: number) => Promise<void>,
  results: Map<string, Array<number>>
) => {
  await run(Math.min(500, n))
  const cpu = process.cpuUsage()
  await run(n)
  const perRequest = cpuMicros(cpu) / n
  results.set(label, [...(results.get(label) ?? []), perRequest])
}

const main = async () => {
  const server = await startServer()
  const origin = `http://127.0.0.1:${server.port}`
  const baseUrl = `${origin}/r/ablation/api/v1`
  const chatUrl = `${baseUrl}/chat/completions`
  const chatRequest = { model: "GigaChat", messages: [{ role: "user", content: prompt }] }
  const chatJson = JSON.stringify(chatRequest)
  const headers = {
    authorization: `Bearer ${accessToken}`,
    "content-type": "application/json",
    accept: "application/json"
  }

  const undiciPool = new Undici.Pool(origin)
  const platform = ManagedRuntime.make(NodeHttpClient.layerUndici)
  const ours = ManagedRuntime.make(
    NodeGigaChat.layer({
      baseUrl,
      authUrl: `${origin}/r/ablation/api/v2/oauth`,
      credentials: Buffer.from("bench-client:bench-secret").toString("base64")
    })
  )
  const decodeCompletion = Schema.decodeUnknown(Chat.ChatCompletion)
  const parsedCompletion = JSON.parse(
    await (await undiciPool.request({
      method: "POST",
      path: "/r/ablation/api/v1/chat/completions",
      headers,
      body: chatJson
    }))
      .body.text()
  )

  const forEach = <E, R>(n: number, effect: Effect.Effect<unknown, E, R>) =>
    Effect.forEach(Array.from({ length: n }), () => effect, { concurrency, discard: true })

  const platformRequest = HttpClientRequest.post(chatUrl, {
    headers,
    body: HttpBody.text(chatJson, "application/json")
  })
  const platformJson = Effect.flatMap(
    HttpClient.HttpClient,
    (client) => Effect.flatMap(client.execute(platformRequest), (response) => response.json)
  )

  const networkAgent = new Undici.Agent()
  const networkClient = UndiciClient.make(networkAgent)
  const makeWithClient = HttpClient.makeWith(
    (effect) =>
      Effect.flatMap(
        effect,
        (request) =>
          Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
            const handler = new UndiciClient.Exchange(request, resume)
            const url = new URL(request.url)
            networkAgent.dispatch({
              method: request.method,
              origin: url.origin,
              path: url.pathname,
              headers: request.headers,
              body: request.body._tag === "Uint8Array" ? request.body.body : null
            }, handler)
            return Effect.sync(() => handler.abort())
          })
      ),
    Effect.succeed as HttpClient.HttpClient.Preprocess<never, never>
  )
  const makeWithJson = Effect.flatMap(
    makeWithClient.execute(platformRequest),
    (response) => Effect.map(response.text, JSON.parse)
  )
  const steps: ReadonlyArray<readonly [string, (n: number) => Promise<void>]> = [
    ["1. undici Pool.request + body.json()", (n) =>
      pool(n, concurrency, async () => {
        const response = await undiciPool.request({
          method: "POST",
          path: "/r/ablation/api/v1/chat/completions",
          headers,
          body: chatJson
        })
        await response.body.json()
      })],
    ["1b. the same in Effect.async, Effect.forEach", (n) =>
      Effect.runPromise(forEach(
        n,
        Effect.async<unknown, unknown>((resume) => {
          undiciPool.request({
            method: "POST",
            path: "/r/ablation/api/v1/chat/completions",
            headers,
            body: chatJson
          }).then((response) => response.body.json()).then(
            (json) => resume(Effect.succeed(json)),
            (error) => resume(Effect.fail(error))
          )
        })
      ))],
    ["1c. our undici client, execute + text + JSON.parse", (n) =>
      Effect.runPromise(forEach(
        n,
        Effect.flatMap(networkClient.execute(platformRequest), (response) => Effect.map(response.text, JSON.parse))
      ))],
    ["1d. the same handler under HttpClient.makeWith", (n) => Effect.runPromise(forEach(n, makeWithJson))],
    [
      "1e. 1d on a forked fiber",
      (n) => Effect.runPromise(forEach(n, Effect.flatMap(Effect.fork(makeWithJson), Fiber.join)))
    ],
    ["1f. 1d under Effect.timeoutFail", (n) =>
      Effect.runPromise(forEach(
        n,
        Effect.timeoutFail(makeWithJson, { duration: "1 minute", onTimeout: () => new Error("timed out") })
      ))],
    ["2. platform HttpClient execute + json (span on)", (n) => platform.runPromise(forEach(n, platformJson))],
    ["3. platform HttpClient execute + json (span off)", (n) =>
      platform.runPromise(
        forEach(n, platformJson).pipe(Effect.locally(HttpClient.currentTracerDisabledWhen, () => true))
      )],
    [
      "4. step 2 + Schema decode ChatCompletion",
      (n) => platform.runPromise(forEach(n, Effect.flatMap(platformJson, decodeCompletion)))
    ],
    [
      "5. HttpTransport.json(ChatCompletion)",
      (n) =>
        ours.runPromise(Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
          forEach(
            n,
            transport.json(
              HttpClientRequest.post("/chat/completions", { body: HttpBody.text(chatJson, "application/json") }),
              Chat.ChatCompletion
            )
          )))
    ],
    [
      "6. GigaChat.chat",
      (n) => ours.runPromise(Effect.flatMap(GigaChat.GigaChat, (gc) => forEach(n, gc.chat(chatRequest))))
    ],
    ["7. GigaChat.chat, tracer disabled", (n) =>
      ours.runPromise(
        Effect.flatMap(GigaChat.GigaChat, (gc) => forEach(n, gc.chat(chatRequest))).pipe(
          Effect.withTracerEnabled(false)
        )
      )],
    [
      "no HTTP: Chat.encodeRequest",
      (n) =>
        Effect.runPromise(
          forEach(
            n,
            Chat.encodeRequest(chatRequest, { model: undefined, profanityCheck: undefined, flags: undefined }, false)
          )
        )
    ],
    ["no HTTP: Schema decode ChatCompletion", (n) => Effect.runPromise(forEach(n, decodeCompletion(parsedCompletion)))]
  ]

  // In memory: a dispatcher that answers at once (in a microtask, as a socket read would come later) from memory.
  const chatAnswer = Buffer.from(JSON.stringify(parsedCompletion))
  const oauthAnswer = Buffer.from(JSON.stringify({ access_token: accessToken, expires_at: Date.now() + 86_400_000 }))
  const memoryDispatcher = {
    dispatch(options: { readonly path: string }, handler: Undici.Dispatcher.DispatchHandler) {
      const body = options.path.endsWith("/oauth") ? oauthAnswer : chatAnswer
      const controller = {
        paused: false,
        aborted: false,
        reason: null,
        abort() {},
        pause() {},
        resume() {}
      }
      queueMicrotask(() => {
        handler.onRequestStart?.(controller, {})
        handler.onResponseStart?.(controller, 200, {
          "content-type": "application/json",
          "content-length": String(body.length),
          "x-request-id": "ablation"
        }, "OK")
        handler.onResponseData?.(controller, body)
        handler.onResponseEnd?.(controller, {})
      })
      return true
    }
  } as unknown as Undici.Dispatcher
  const memoryClient = UndiciClient.make(memoryDispatcher)
  const memoryOrigin = "http://127.0.0.1:9"
  const inMemory = ManagedRuntime.make(
    GigaChat.layerServices.pipe(
      Layer.provide(
        Layer.succeed(HttpClient.HttpClient, memoryClient)
      ),
      Layer.provideMerge(GigaChatConfig.layerEnv({
        baseUrl: `${memoryOrigin}/api/v1`,
        authUrl: `${memoryOrigin}/api/v2/oauth`,
        credentials: Buffer.from("bench-client:bench-secret").toString("base64")
      }))
    )
  )
  const memoryRequest = HttpClientRequest.post(`${memoryOrigin}/api/v1/chat/completions`, {
    headers,
    body: HttpBody.text(chatJson, "application/json")
  })
  const memorySteps: ReadonlyArray<readonly [string, (n: number) => Promise<void>]> = [
    ["m1. in memory: our client execute + text + JSON.parse", (n) =>
      Effect.runPromise(
        forEach(
          n,
          Effect.flatMap(memoryClient.execute(memoryRequest), (response) => Effect.map(response.text, JSON.parse))
        )
      )],
    [
      "m2. in memory: HttpTransport.json(ChatCompletion)",
      (n) =>
        inMemory.runPromise(Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
          forEach(
            n,
            Effect.suspend(() =>
              transport.json(
                HttpClientRequest.post("/chat/completions", { body: HttpBody.text(chatJson, "application/json") }),
                Chat.ChatCompletion
              )
            )
          )))
    ],
    [
      "m3. in memory: GigaChat.chat",
      (n) => inMemory.runPromise(Effect.flatMap(GigaChat.GigaChat, (gc) => forEach(n, gc.chat(chatRequest))))
    ]
  ]

  // One stream at the server's fixed pace (10 events a millisecond, each its own write): CPU per chunk.
  const streamText = `stream ${chunks} paced`
  const streamBody = JSON.stringify({
    model: "GigaChat",
    messages: [{ role: "user", content: streamText }],
    stream: true
  })
  const streamRequest = HttpClientRequest.post(chatUrl, {
    headers: { ...headers, accept: "text/event-stream" },
    body: HttpBody.text(streamBody, "application/json")
  })
  const undiciStreams = UndiciBench.make({
    origin,
    baseUrl,
    authUrl: `${origin}/r/ablation/api/v2/oauth`,
    credentials: Buffer.from("bench-client:bench-secret").toString("base64")
  })
  let received = 0
  const count = () => {
    received++
  }
  const streamSteps: ReadonlyArray<readonly [string, (n: number) => Promise<void>]> = [
    ["s1. raw undici (the bench's floor client)", (n) => undiciStreams.streamMany(1, n, true, count)],
    ["s2. our undici client's body, Stream.runForEach", () =>
      Effect.runPromise(
        Effect.flatMap(
          networkClient.execute(streamRequest),
          (response) => Stream.runForEach(response.stream, () => Effect.sync(count))
        )
      )],
    [
      "s3. HttpTransport.events",
      () =>
        ours.runPromise(Effect.flatMap(HttpTransport.HttpTransport, (transport) =>
          Stream.runForEach(
            transport.events(
              HttpClientRequest.post("/chat/completions", { body: HttpBody.text(streamBody, "application/json") })
            ),
            () => Effect.sync(count)
          )))
    ],
    ["s4. GigaChat.stream", () =>
      ours.runPromise(Effect.flatMap(GigaChat.GigaChat, (gc) =>
        Stream.runForEach(
          gc.stream({ model: "GigaChat", messages: [{ role: "user", content: streamText }] }),
          () => Effect.sync(count)
        )))]
  ]
  const measureStream = async (label: string, run: (n: number) => Promise<void>) => {
    received = 0
    const cpu = process.cpuUsage()
    await run(chunks)
    const perChunk = cpuMicros(cpu) / chunks
    // s2 sees network reads, not events: about one a chunk at this pace, a few more or less.
    if (label.startsWith("s2") ? received === 0 : received !== chunks) {
      throw new Error(`${label}: ${received} of ${chunks} chunks received`)
    }
    results.set(label, [...(results.get(label) ?? []), perChunk])
  }

  const results = new Map<string, Array<number>>()
  // One stream each first, so that the measured ones run warm (the chat steps warm up in `measure`).
  for (const [, run] of streamSteps) await run(chunks)
  for (let round = 0; round < rounds; round++) {
    for (const [label, run] of steps) await measure(label, requests, run, results)
    // Memory steps are cheap: more calls make their figures steadier.
    for (const [label, run] of memorySteps) await measure(label, requests * 5, run, results)
    for (const [label, run] of streamSteps) await measureStream(label, run)
  }
  console.log(
    `client CPU µs per request, ${requests} requests (in memory: ${
      requests * 5
    }) at concurrency ${concurrency}; s-steps: µs per chunk of one paced stream of ${chunks} chunks; ${rounds} round(s):`
  )
  for (const [label, values] of results) {
    console.log(`${label.padEnd(52)} ${values.map((value) => value.toFixed(0).padStart(6)).join(" ")}`)
  }
  await ours.dispose()
  await inMemory.dispose()
  await platform.dispose()
  await undiciPool.close()
  await undiciStreams.close()
  await networkAgent.close()
  server.stop()
}

main().catch((error) => {
  console.error(error)
  process.exit(1)
})
