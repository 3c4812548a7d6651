import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Multipart from "@effect/platform/Multipart"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type * as GigaChatEmulator from "../GigaChatEmulator.js"
import * as Batches from "./batches.js"
import * as Chat from "./chat.js"
import * as Checks from "./checks.js"
import * as Data from "./data.js"
import * as Faults from "./faults.js"
import * as OpenApi from "./openapi.js"
import * as Text from "./text.js"
import * as Threads from "./threads.js"

// ---------------------------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------------------------

interface StoredFile {
  readonly id: string
  readonly filename: string
  readonly purpose: string
  readonly contentType: string
  readonly content: Uint8Array
  readonly createdAt: number
  readonly clientId: string | undefined
}

interface State {
  readonly tokens: Map<string, number>
  readonly files: Map<string, StoredFile>
  faults: Array<Faults.ActiveFault>
  log: Array<GigaChatEmulator.RecordedRequest>
  issuedTokens: number
  oauthRequests: number
  activeRequests: number
}

interface UploadPart {
  readonly key: string
  readonly name: string | undefined
  readonly contentType: string
  readonly content: Uint8Array
}

/** What a route handler knows about the request beyond the `HttpServerRequest`. */
interface RequestInfo {
  readonly body: Uint8Array
  readonly text: string
  readonly now: number
  readonly fault: GigaChatEmulator.Fault | undefined
  readonly clientId: string | undefined
}

class CurrentRequest extends Context.Tag("@effect-gigachat/emulator/GigaChatEmulator/CurrentRequest")<
  CurrentRequest,
  RequestInfo
>() {}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

const jsonContentType = "application/json; charset=utf-8"

const json = (body: unknown, status = 200): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.text(JSON.stringify(body), { status, contentType: jsonContentType })

const apiError = (status: number, message: string): HttpServerResponse.HttpServerResponse =>
  json({ status, message }, status)

const invalidJsonBody = "{\"choices\": [{\"message\": {\"content\": \"this JSON is cut o"

const syntheticResponse = (fault: GigaChatEmulator.Fault): HttpServerResponse.HttpServerResponse => {
  const status = fault.status ?? 200
  const body = fault.body ??
    (fault.invalidJson === true ?
      invalidJsonBody :
      status >= 400 ?
      JSON.stringify({ status, message: Data.statusText[status] ?? "Error" }) :
      "{}")
  return HttpServerResponse.text(body, { status, contentType: fault.contentType ?? jsonContentType })
}

const uuid = (): string => globalThis.crypto.randomUUID()

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const base64Pattern = /^[A-Za-z0-9+/_-]+={0,2}$/

const decoder = new TextDecoder()

const decodeBase64 = (value: string): string | undefined => {
  try {
    const binary = atob(value.replace(/-/g, "+").replace(/_/g, "/"))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return decoder.decode(bytes)
  } catch {
    return undefined
  }
}

const concatBytes = (chunks: ReadonlyArray<Uint8Array>, size: number): Uint8Array => {
  if (chunks.length === 1) return chunks[0]
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

const emptyBody = { bytes: new Uint8Array(0), tooLarge: false }

/** Reads the whole body, keeping at most `limit` bytes (the rest is drained so the client can read the answer). */
const readBody = (
  request: HttpServerRequest.HttpServerRequest,
  limit: number
): Effect.Effect<{ readonly bytes: Uint8Array; readonly tooLarge: boolean }> =>
  Effect.suspend(() => {
    const declared = Number(request.headers["content-length"] ?? Number.NaN)
    if (declared === 0) return Effect.succeed(emptyBody)
    if ((declared > 0 && declared <= limit) || request.source instanceof Request) {
      // One read instead of a stream of chunks: the common case (and in-process, the body is in memory anyway).
      return Effect.match(HttpServerRequest.withMaxBodySize(request.arrayBuffer, Option.some(limit + 1)), {
        onFailure: () => emptyBody,
        onSuccess: (buffer) =>
          buffer.byteLength > limit ? { bytes: new Uint8Array(0), tooLarge: true } : {
            bytes: new Uint8Array(buffer),
            tooLarge: false
          }
      })
    }
    const chunks: Array<Uint8Array> = []
    let size = 0
    let tooLarge = false
    return request.stream.pipe(
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          size += chunk.length
          if (tooLarge) return
          if (size > limit) {
            tooLarge = true
            chunks.length = 0
          } else {
            chunks.push(chunk)
          }
        })
      ),
      Effect.match({
        onFailure: () => emptyBody,
        onSuccess: () =>
          tooLarge ? { bytes: new Uint8Array(0), tooLarge } : { bytes: concatBytes(chunks, size), tooLarge }
      })
    )
  })

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const secret = (value: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(value) ? Redacted.value(value) : value

// ---------------------------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------------------------

const defaultFileSizeLimit = 40 * 1024 * 1024

/** @internal */
export const make = (options: GigaChatEmulator.Options = {}): Effect.Effect<GigaChatEmulator.Service> =>
  Effect.sync(() => {
    const credentials = options.credentials === undefined ?
      undefined :
      new Set(
        (Array.isArray(options.credentials) ? options.credentials : [options.credentials]).map(
          (value: string | Redacted.Redacted<string>) => secret(value)
        )
      )
    const fixedToken = options.accessToken === undefined ? undefined : secret(options.accessToken)
    const tokenLifetime = Duration.toMillis(Duration.decode(options.tokenLifetime ?? Duration.minutes(30)))
    const fileSizeLimit = options.fileSizeLimit ?? defaultFileSizeLimit
    const bodyLimit = fileSizeLimit + 1024 * 1024
    const logLimit = Math.max(0, options.requestLogLimit ?? 10_000)
    const models = options.models ?? Data.defaultModels
    const modelsById = new Map(models.map((model) => [model.id, model]))
    const initialFaults = options.faults ?? []

    const state: State = {
      tokens: new Map(),
      files: new Map(),
      faults: initialFaults.map(Faults.activate),
      log: [],
      issuedTokens: 0,
      oauthRequests: 0,
      activeRequests: 0
    }

    /** A model by id; `GigaChat:latest`-style ids with a version suffix resolve to their base model. */
    const findModel = (id: string, type: string): GigaChatEmulator.Model | undefined => {
      const model = modelsById.get(id) ?? modelsById.get(id.split(":")[0])
      return model !== undefined && model.type === type ? model : undefined
    }

    const issue = (now: number) => {
      const accessToken = `emulator.${uuid()}`
      const expiresAt = now + tokenLifetime
      state.tokens.set(accessToken, expiresAt)
      state.issuedTokens++
      return { accessToken, expiresAt }
    }

    const visible = (file: StoredFile, clientId: string | undefined): boolean =>
      file.clientId === undefined || file.clientId === clientId

    /** Stores a file the emulator made (a generated image, a batch's results) for the caller to download. */
    const storeFile = (content: Uint8Array, filename: string, contentType: string, now: number, clientId?: string) => {
      const file: StoredFile = {
        id: uuid(),
        filename,
        purpose: "general",
        contentType,
        content,
        createdAt: Math.floor(now / 1000),
        clientId
      }
      state.files.set(file.id, file)
      return file.id
    }

    const chatEnvironment = (now: number, clientId: string | undefined): Chat.ChatEnvironment => ({
      isChatModel: (model) => findModel(model, "chat") !== undefined,
      fileExists: (id) => {
        const file = state.files.get(id)
        return file !== undefined && visible(file, clientId)
      },
      nowSeconds: Math.floor(now / 1000),
      uuid,
      createImage: () => storeFile(Data.generatedJpeg, "image.jpg", "image/jpeg", now, clientId)
    })

    // -------------------------------------------------------------------------------------------------------------
    // Handlers
    // -------------------------------------------------------------------------------------------------------------

    const oauth = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const info = yield* CurrentRequest
      state.oauthRequests++
      const fail = (error: { readonly status: number; readonly body: unknown }) => json(error.body, error.status)
      const authorization = /^Basic\s+(\S+)\s*$/i.exec(request.headers["authorization"] ?? "")
      if (authorization === null || !base64Pattern.test(authorization[1])) {
        return fail(Data.oauthErrors.badAuthorization)
      }
      if (credentials !== undefined && !credentials.has(authorization[1])) {
        return fail(Data.oauthErrors.badCredentials)
      }
      if (!uuidPattern.test(request.headers["rquid"] ?? "")) return fail(Data.oauthErrors.badRqUid)
      const scope = new URLSearchParams(info.text).get("scope")
      if (scope === null || scope === "") return fail(Data.oauthErrors.emptyScope)
      if (!Data.scopes.includes(scope)) return fail(Data.oauthErrors.badScope)
      const token = issue(info.now)
      return json({ access_token: token.accessToken, expires_at: token.expiresAt })
    })

    const passwordToken = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const info = yield* CurrentRequest
      const authorization = /^Basic\s+(\S+)\s*$/i.exec(request.headers["authorization"] ?? "")
      const decoded = authorization === null ? undefined : decodeBase64(authorization[1])
      const separator = decoded?.indexOf(":") ?? -1
      if (decoded === undefined || separator === -1) return apiError(401, "Unauthorized")
      const user = decoded.slice(0, separator)
      const password = decoded.slice(separator + 1)
      const accepted = options.users === undefined ?
        user !== "" && password !== "" :
        options.users.some((pair) => pair.user === user && pair.password === password)
      if (!accepted) return apiError(401, "Unauthorized")
      const token = issue(info.now)
      return json({ tok: token.accessToken, exp: token.expiresAt })
    })

    /** Wraps an API handler with the bearer token check. */
    const api = <E, R>(
      handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
    ): Effect.Effect<
      HttpServerResponse.HttpServerResponse,
      E,
      R | HttpServerRequest.HttpServerRequest | CurrentRequest
    > =>
      Effect.flatMap(
        Effect.zip(HttpServerRequest.HttpServerRequest, CurrentRequest),
        ([request, info]) => {
          const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers["authorization"] ?? "")
          if (bearer === null) return Effect.succeed(apiError(401, "Unauthorized"))
          const token = bearer[1]
          if (fixedToken !== undefined && token === fixedToken) return handler
          const expiresAt = state.tokens.get(token)
          if (expiresAt === undefined) return Effect.succeed(apiError(401, "Unauthorized"))
          if (expiresAt <= info.now) return Effect.succeed(apiError(401, "Token has expired"))
          return handler
        }
      )

    /** Parses the JSON body and hands it to `f`; 400 when it is not JSON. */
    const withJson = (
      f: (body: unknown, info: RequestInfo) => Effect.Effect<HttpServerResponse.HttpServerResponse, never, any>
    ) =>
      Effect.flatMap(CurrentRequest, (info) => {
        const parsed = parseJson(info.text)
        return parsed.ok ? f(parsed.value, info) : Effect.succeed(apiError(400, "Invalid JSON in the request body"))
      })

    const chat = (answer: (body: unknown, environment: Chat.ChatEnvironment) => Chat.ChatOutcome) =>
      withJson((body, info) =>
        Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
          const outcome = answer(body, chatEnvironment(info.now, info.clientId))
          switch (outcome._tag) {
            case "Error":
              return apiError(outcome.status, outcome.message)
            case "Json":
              return json(outcome.body)
            case "Sse": {
              const abort = options.abortConnection
              return HttpServerResponse.stream(
                Faults.sseStream(outcome.frames, info.fault, abort === undefined ? undefined : abort(request)),
                { contentType: "text/event-stream", headers: { "cache-control": "no-cache" } }
              )
            }
          }
        })
      )

    // Assistants, threads and chat storage (internal/threads.ts): this emulator's state, cleared by `reset`.
    const threads = Threads.make({ fileName: (id) => state.files.get(id)?.filename })

    /** A GET of the threads API: the query in, a JSON answer or an API error out. */
    const withQuery = (answer: (query: URLSearchParams) => Chat.ChatOutcome) =>
      Effect.map(HttpServerRequest.HttpServerRequest, (request) => {
        const outcome = answer(new URLSearchParams(request.url.split("?")[1] ?? ""))
        return outcome._tag === "Json" ? json(outcome.body) : outcome._tag === "Error" ?
          apiError(outcome.status, outcome.message) :
          apiError(500, "Internal Server Error")
      })

    const inputTexts = (input: unknown): ReadonlyArray<string> | undefined =>
      typeof input === "string" ?
        [input] :
        Array.isArray(input) && input.every((item) => typeof item === "string") ?
        input :
        undefined

    const reply = (answer: Checks.Reply) => json(answer.body, answer.status)

    const embeddingsReply = (body: unknown): Checks.Reply => {
      const fail = (status: number, message: string) => ({ status, body: { status, message } })
      if (!isRecord(body)) return fail(422, "Invalid params: the body must be a JSON object")
      const modelId = typeof body.model === "string" ? body.model : "Embeddings"
      const model = findModel(modelId, "embedder")
      if (model === undefined) return fail(404, "No such model")
      const texts = inputTexts(body.input)
      if (texts === undefined) return fail(422, "Invalid params: input must be a list of strings")
      const dimensions = Data.embeddingDimensions[model.id] ?? Data.defaultEmbeddingDimension
      return {
        status: 200,
        body: {
          object: "list",
          model: model.id,
          data: texts.map((text, index) => ({
            object: "embedding",
            index,
            embedding: Text.embed(text, dimensions),
            usage: { prompt_tokens: Text.countTokens(text) }
          }))
        }
      }
    }

    const embeddings = withJson((body) => Effect.succeed(reply(embeddingsReply(body))))

    const batches = Batches.make({
      answer: (method, request, now, clientId) => {
        if (method === "embedder") return embeddingsReply(request)
        const outcome = Chat.v1(
          isRecord(request) ? { ...request, stream: false } : request,
          chatEnvironment(now, clientId)
        )
        return outcome._tag === "Json" ?
          { status: 200, body: outcome.body } :
          { status: outcome._tag === "Error" ? outcome.status : 500, body: outcome }
      },
      storeResults: (content, now, clientId) =>
        storeFile(content, "batch_results.jsonl", "application/jsonl", now, clientId),
      uuid
    }, Duration.toMillis(Duration.decode(options.batchDuration ?? Duration.seconds(3))))

    const searchOf = (url: string) => new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "")

    const createBatch = Effect.map(
      Effect.zip(HttpServerRequest.HttpServerRequest, CurrentRequest),
      ([request, info]) => reply(batches.create(searchOf(request.url), info.text, info.now, info.clientId))
    )

    const getBatches = Effect.map(
      Effect.zip(HttpServerRequest.HttpServerRequest, CurrentRequest),
      ([request, info]) => reply(batches.get(searchOf(request.url), info.now, info.clientId))
    )

    const filterCheck = withJson((body, info) =>
      Effect.succeed(reply(Checks.filterCheck(body, {
        isFilterModel: (model) => findModel(model, "filter") !== undefined,
        fileExists: (id) => {
          const file = state.files.get(id)
          return file !== undefined && visible(file, info.clientId)
        }
      })))
    )

    const functionsValidate = withJson((body) => Effect.succeed(reply(Checks.validateFunction(body))))

    const tokensCount = withJson((body) => {
      if (!isRecord(body)) return Effect.succeed(apiError(422, "Invalid params: the body must be a JSON object"))
      const modelId = typeof body.model === "string" ? body.model : "GigaChat"
      if (findModel(modelId, "chat") === undefined) return Effect.succeed(apiError(404, "No such model"))
      const texts = inputTexts(body.input)
      if (texts === undefined) return Effect.succeed(apiError(422, "Invalid params: input must be a list of strings"))
      return Effect.succeed(json(texts.map((text) => ({
        object: "tokens",
        tokens: Text.countTokens(text),
        characters: Text.countCharacters(text)
      }))))
    })

    const renderModel = (model: GigaChatEmulator.Model) => ({
      id: model.id,
      object: "model",
      owned_by: "salutedevices",
      type: model.type
    })

    const listModels = Effect.sync(() => json({ object: "list", data: models.map(renderModel) }))

    const getModel = Effect.map(HttpRouter.params, (params) => {
      const model = modelsById.get(params.id ?? "")
      return model === undefined ? apiError(404, "No such model") : json(renderModel(model))
    })

    const renderFile = (file: StoredFile, withPolicy: boolean) => ({
      id: file.id,
      object: "file",
      bytes: file.content.length,
      ...(withPolicy ? { access_policy: "private" } : {}),
      created_at: file.createdAt,
      filename: file.filename,
      purpose: file.purpose
    })

    const uploadFile = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const info = yield* CurrentRequest
      if (!(request.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")) {
        return apiError(400, "The request must be multipart/form-data")
      }
      const parts = yield* Stream.succeed(info.body).pipe(
        Stream.pipeThroughChannel(Multipart.makeChannel<never>(request.headers)),
        Stream.mapEffect((part): Effect.Effect<UploadPart, Multipart.MultipartError> =>
          part._tag === "File" ?
            Effect.map(part.contentEffect, (content) => ({
              key: part.key,
              name: part.name,
              contentType: part.contentType,
              content
            })) :
            Effect.succeed({
              key: part.key,
              name: undefined,
              contentType: part.contentType,
              content: new TextEncoder().encode(part.value)
            })
        ),
        Stream.runCollect,
        Multipart.withLimits({ maxTotalSize: Option.none(), maxFileSize: Option.none(), maxFieldSize: bodyLimit }),
        Effect.option
      )
      if (Option.isNone(parts)) return apiError(400, "Invalid multipart body")
      let file: UploadPart | undefined
      let purpose = "general"
      for (const part of parts.value) {
        if (part.key === "file" && file === undefined) file = part
        if (part.key === "purpose") purpose = decoder.decode(part.content).trim() || purpose
      }
      if (file === undefined) return apiError(400, "The request has no 'file' part")
      if (file.content.length > fileSizeLimit) return apiError(413, "Payload too large")
      const stored: StoredFile = {
        id: uuid(),
        filename: file.name ?? "file",
        purpose,
        contentType: file.contentType === "" ? "application/octet-stream" : file.contentType,
        content: file.content,
        createdAt: Math.floor(info.now / 1000),
        clientId: info.clientId
      }
      state.files.set(stored.id, stored)
      return json(renderFile(stored, false))
    })

    const listFiles = Effect.map(CurrentRequest, (info) =>
      json({
        data: Array.from(state.files.values()).filter((file) => visible(file, info.clientId)).map((file) =>
          renderFile(file, true)
        )
      }))

    /** Runs `f` with the file named by the `:id` path parameter; 404 / 403 when it is missing or not the caller's. */
    const withFile = (f: (file: StoredFile) => HttpServerResponse.HttpServerResponse) =>
      Effect.map(Effect.zip(HttpRouter.params, CurrentRequest), ([params, info]) => {
        const id = params.id ?? ""
        const file = state.files.get(id)
        if (file === undefined) return apiError(404, "File not found")
        if (!visible(file, info.clientId)) return apiError(403, `Access to file '${id}' is denied`)
        return f(file)
      })

    const getFile = withFile((file) => json(renderFile(file, true)))

    const deleteFile = withFile((file) => {
      state.files.delete(file.id)
      return json({ id: file.id, object: "file", deleted: true })
    })

    const fileContent = withFile((file) =>
      HttpServerResponse.uint8Array(file.content, { contentType: file.contentType })
    )

    const getBalance = Effect.sync(() => json(Data.balance))

    const aiCheck = withJson((body) => {
      if (!isRecord(body)) return Effect.succeed(apiError(422, "Invalid params: the body must be a JSON object"))
      if (typeof body.model !== "string" || findModel(body.model, "aicheck") === undefined) {
        return Effect.succeed(apiError(404, "No such model"))
      }
      if (typeof body.input !== "string") return Effect.succeed(apiError(422, "Invalid params: input must be a string"))
      return Effect.succeed(json(Text.aiCheck(body.input)))
    })

    const functionsConvert = Effect.map(CurrentRequest, (info) => {
      const functions = OpenApi.convert(OpenApi.parseDocument(info.text))
      return functions === undefined ?
        apiError(422, "Invalid params: the body must be an OpenAPI document with paths") :
        json({ functions })
    })

    // The threads API's routes, then the others (one pipe takes at most 20 routes).
    const threadRoutes = HttpRouter.empty.pipe(
      HttpRouter.get("/api/v1/assistants", api(withQuery(threads.getAssistants))),
      HttpRouter.post("/api/v1/assistants", api(chat(threads.createAssistant))),
      HttpRouter.post("/api/v1/assistants/modify", api(chat(threads.modifyAssistant))),
      HttpRouter.post("/api/v1/assistants/delete", api(chat(threads.deleteAssistant))),
      HttpRouter.post("/api/v1/assistants/files/delete", api(chat(threads.deleteAssistantFile))),
      HttpRouter.get("/api/v1/threads", api(withQuery(threads.listThreads))),
      HttpRouter.post("/api/v1/threads", api(chat(threads.createThread))),
      HttpRouter.post("/api/v1/threads/retrieve", api(chat(threads.retrieveThreads))),
      HttpRouter.post("/api/v1/threads/delete", api(chat(threads.deleteThread))),
      HttpRouter.get("/api/v1/threads/messages", api(withQuery(threads.getMessages))),
      HttpRouter.post("/api/v1/threads/messages", api(chat(threads.addMessages))),
      HttpRouter.get("/api/v1/threads/run", api(withQuery(threads.getRun))),
      HttpRouter.post("/api/v1/threads/run", api(chat(threads.runThread(Chat.v1)))),
      HttpRouter.post("/api/v1/threads/messages/run", api(chat(threads.runMessages(Chat.v1)))),
      HttpRouter.post("/api/v1/threads/messages/rerun", api(chat(threads.rerunMessages(Chat.v1))))
    )

    const router = threadRoutes.pipe(
      HttpRouter.post("/api/v2/oauth", oauth),
      HttpRouter.post("/api/v1/token", passwordToken),
      HttpRouter.post("/api/v1/chat/completions", api(chat(threads.v1(Chat.v1)))),
      HttpRouter.post("/api/v2/chat/completions", api(chat(threads.v2(Chat.v2)))),
      HttpRouter.post("/api/v1/embeddings", api(embeddings)),
      HttpRouter.post("/api/v1/tokens/count", api(tokensCount)),
      HttpRouter.get("/api/v1/models", api(listModels)),
      HttpRouter.get("/api/v1/models/:id", api(getModel)),
      HttpRouter.post("/api/v1/files", api(uploadFile)),
      HttpRouter.get("/api/v1/files", api(listFiles)),
      HttpRouter.get("/api/v1/files/:id", api(getFile)),
      HttpRouter.post("/api/v1/files/:id/delete", api(deleteFile)),
      HttpRouter.get("/api/v1/files/:id/content", api(fileContent)),
      HttpRouter.get("/api/v1/balance", api(getBalance)),
      HttpRouter.post("/api/v1/ai/check", api(aiCheck)),
      HttpRouter.post("/api/v1/functions/convert", api(functionsConvert)),
      HttpRouter.post("/api/v1/functions/validate", api(functionsValidate)),
      HttpRouter.post("/api/v1/filter/check", api(filterCheck)),
      HttpRouter.post("/api/v1/batches", api(createBatch)),
      HttpRouter.get("/api/v1/batches", api(getBatches))
    )

    // -------------------------------------------------------------------------------------------------------------
    // The app: log, faults, routing, x-headers
    // -------------------------------------------------------------------------------------------------------------

    const record = (entry: GigaChatEmulator.RecordedRequest) => {
      if (logLimit === 0) return
      if (state.log.length >= logLimit) state.log.shift()
      state.log.push(entry)
    }

    const app = Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const now = yield* Clock.currentTimeMillis
      const queryIndex = request.url.indexOf("?")
      const path = queryIndex === -1 ? request.url : request.url.slice(0, queryIndex)
      const body = request.method === "GET" || request.method === "HEAD" ?
        emptyBody :
        yield* readBody(request, bodyLimit)
      const text = body.bytes.length === 0 ? "" : decoder.decode(body.bytes)
      const headers = request.headers
      record({ method: request.method, url: request.url, path, headers, body: text, receivedAt: now })

      const fault = Faults.take(state.faults, request.method, path)
      // The platform runs handlers uninterruptibly; the wait must end when the client goes away.
      if (fault?.latency !== undefined) yield* Effect.interruptible(Effect.sleep(fault.latency))

      let response: HttpServerResponse.HttpServerResponse
      if (fault !== undefined && Faults.isSynthetic(fault)) {
        response = syntheticResponse(fault)
      } else if (body.tooLarge) {
        response = apiError(413, "Payload too large")
      } else {
        const info: RequestInfo = { body: body.bytes, text, now, fault, clientId: headers["x-client-id"] }
        response = yield* router.pipe(
          Effect.provideService(CurrentRequest, info),
          Effect.catchTag("RouteNotFound", () => Effect.succeed(apiError(404, "Not found"))),
          Effect.catchAllDefect(() => Effect.succeed(apiError(500, "Internal Server Error")))
        )
      }
      const responseHeaders: Record<string, string> = {
        "x-request-id": headers["x-request-id"] ?? uuid(),
        "x-session-id": headers["x-session-id"] ?? uuid()
      }
      const clientId = headers["x-client-id"]
      if (clientId !== undefined) responseHeaders["x-client-id"] = clientId
      if (fault?.headers !== undefined) Object.assign(responseHeaders, fault.headers)
      return HttpServerResponse.setHeaders(response, responseHeaders)
    })

    /** Counts the request as active until its response, or its response stream, is done. */
    const counted: Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =
      Effect.suspend(() => {
        state.activeRequests++
        let streaming = false
        return app.pipe(
          Effect.map((response) => {
            if (response.body._tag !== "Stream") return response
            streaming = true
            const finished = Effect.sync(() => {
              state.activeRequests--
            })
            return HttpServerResponse.setBody(
              response,
              HttpBody.stream(
                Stream.ensuring(response.body.stream, finished),
                response.body.contentType,
                response.body.contentLength
              )
            )
          }),
          Effect.ensuring(Effect.sync(() => {
            if (!streaming) state.activeRequests--
          }))
        )
      })

    return {
      app: counted,
      addFault: (fault) =>
        Effect.sync(() => {
          state.faults.push(Faults.activate(fault))
        }),
      clearFaults: Effect.sync(() => {
        state.faults = []
      }),
      requests: Effect.sync(() => state.log.slice()),
      reset: Effect.sync(() => {
        state.tokens.clear()
        state.files.clear()
        threads.reset()
        batches.clear()
        state.faults = initialFaults.map(Faults.activate)
        state.log = []
        state.issuedTokens = 0
        state.oauthRequests = 0
      }),
      issuedTokens: Effect.sync(() => state.issuedTokens),
      oauthRequests: Effect.sync(() => state.oauthRequests),
      activeRequests: Effect.sync(() => state.activeRequests),
      issueToken: Effect.map(Clock.currentTimeMillis, issue)
    } satisfies GigaChatEmulator.Service
  })
