/**
 * The batch API of the `GigaChat` service (`gc.batches`): the JSONL upload built from typed requests, the batch
 * look-ups, the wait on a `Schedule`, and the result file decoded line by line.
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import * as Batches from "../Batches.js"
import * as Chat from "../Chat.js"
import * as Embeddings from "../Embeddings.js"
import * as GigaChatError from "../GigaChatError.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as XHeaders from "../XHeaders.js"
import * as JsonCalls from "./jsonCalls.js"
import { describeParseError, encodeBodyEither, isPlainObject } from "./requestEncoding.js"
import * as telemetry from "./telemetry.js"
import * as TypeGuard from "./typeGuard.js"

const defaultEmbeddingsModel = "Embeddings"

const invalid = (description: string) => new GigaChatError.InvalidRequestError({ description })

const isTask = (item: unknown): item is Batches.Task<unknown> => isPlainObject(item) && "request" in item

/** One task's request body, checked by its Schema: the chat body `gc.chat` would send, or an embeddings body. */
const encodeTask = (
  method: Batches.KnownBatchMethod,
  request: unknown,
  defaults: Chat.RequestDefaults
): Either.Either<unknown, GigaChatError.InvalidRequestError> => {
  if (method === "chat_completions") {
    if (typeof request === "string") return Chat.encodeRequestEither(Chat.fromPrompt(request), defaults, false)
    if (!isPlainObject(request)) return Either.left(invalid("expected a prompt or a chat request"))
    return Chat.encodeRequestEither(request as Chat.ChatRequestInput, defaults, false)
  }
  if (typeof request === "string") {
    return encodeBodyEither(Embeddings.EmbeddingsRequest, { input: [request], model: defaultEmbeddingsModel })
  }
  if (!isPlainObject(request)) return Either.left(invalid("expected a text or an embeddings request"))
  const { input, model, ...rest } = request
  return encodeBodyEither(Embeddings.EmbeddingsRequest, {
    ...rest,
    input: typeof input === "string" ? [input] : input,
    model: model ?? defaultEmbeddingsModel
  })
}

/**
 * The JSONL body of `POST /batches`: one `{"id","request"}` line per task joined with `\n`, no final newline (the
 * official TS and Java SDKs' format). Every mistake names its field; nothing is sent then.
 *
 * @internal
 */
export const encodeUpload = (
  input: Batches.CreateInput,
  defaults: Chat.RequestDefaults
): Either.Either<
  { readonly method: Batches.KnownBatchMethod; readonly jsonl: string },
  GigaChatError.InvalidRequestError
> => {
  if (!isPlainObject(input)) return Either.left(invalid("request: expected { method, requests }"))
  const method: unknown = input.method
  if (method !== "chat_completions" && method !== "embedder") {
    return Either.left(
      invalid(`method: expected "chat_completions" | "embedder", actual ${JSON.stringify(method) ?? "undefined"}`)
    )
  }
  const requests: unknown = input.requests
  if (!Array.isArray(requests)) return Either.left(invalid("requests: expected an array of requests"))
  if (requests.length === 0) return Either.left(invalid("requests: a batch needs at least one request"))
  const lines: Array<string> = []
  const seen = new Set<string>()
  for (let i = 0; i < requests.length; i++) {
    const item: unknown = requests[i]
    const task = isTask(item) ? item : { id: undefined, request: item }
    if (task.id !== undefined && (typeof task.id !== "string" || task.id === "")) {
      return Either.left(invalid(`requests[${i}].id: expected a non-empty string`))
    }
    const id = task.id ?? String(i + 1)
    if (seen.has(id)) return Either.left(invalid(`requests[${i}].id: "${id}" is used by an earlier task`))
    seen.add(id)
    const body = encodeTask(method, task.request, defaults)
    if (Either.isLeft(body)) {
      return Either.left(
        new GigaChatError.InvalidRequestError({
          description: `requests[${i}].request: ${body.left.description}`,
          cause: body.left
        })
      )
    }
    try {
      const line: Batches.BatchLine = { id, request: body.right as Batches.BatchLine["request"] }
      lines.push(JSON.stringify(line))
    } catch (cause) {
      return Either.left(
        new GigaChatError.InvalidRequestError({ description: `requests[${i}].request: cannot be sent as JSON`, cause })
      )
    }
  }
  return Either.right({ method, jsonl: lines.join("\n") })
}

/**
 * The lines of a result file, each decoded with the answer's Schema; a line that is not an answer is the
 * `BatchResultError` of that line.
 *
 * @internal
 */
export const decodeResults = <A, I>(
  text: string,
  schema: Schema.Schema<A, I>
): ReadonlyArray<Batches.ResultLine<A>> => {
  const decode = TypeGuard.decoder(schema)
  const out: Array<Batches.ResultLine<A>> = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim()
    if (raw === "") continue
    const line = i + 1
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch (cause) {
      out.push(Either.left(new Batches.BatchResultError({ line, description: "the line is not JSON", cause })))
      continue
    }
    if (!isPlainObject(json)) {
      out.push(Either.left(new Batches.BatchResultError({ line, description: "the line is not a JSON object" })))
      continue
    }
    const id = typeof json.id === "string" ? json.id : typeof json.id === "number" ? String(json.id) : undefined
    if (isPlainObject(json.error)) {
      const error = json.error
      out.push(Either.left(
        new Batches.BatchResultError({
          line,
          id,
          status: typeof error.status === "number" ? error.status : undefined,
          description: typeof error.message === "string" ? error.message : JSON.stringify(error)
        })
      ))
      continue
    }
    if (id === undefined) {
      out.push(Either.left(new Batches.BatchResultError({ line, description: "id: is missing" })))
      continue
    }
    if (!("result" in json)) {
      out.push(Either.left(new Batches.BatchResultError({ line, id, description: "result: is missing" })))
      continue
    }
    const decoded = decode(json.result)
    out.push(
      Either.isRight(decoded)
        ? Either.right({ id, result: decoded.right })
        : Either.left(
          new Batches.BatchResultError({
            line,
            id,
            description: `result: ${describeParseError(decoded.left)}`,
            cause: decoded.left
          })
        )
    )
  }
  return out
}

const defaultSchedule: Schedule.Schedule<unknown, unknown> = Schedule.exponential(Duration.seconds(1)).pipe(
  Schedule.union(Schedule.spaced(Duration.minutes(1)))
)

/** @internal */
export const make = (options: {
  readonly transport: HttpTransport.HttpTransport["Type"]
  readonly defaults: Chat.RequestDefaults
  readonly nested: boolean
  /** `GigaChat.getFileContent`: a batch's results are the content of its output file. */
  readonly getFileContent: (id: string) => Effect.Effect<HttpTransport.Bytes, GigaChatError.GigaChatError>
}): Batches.BatchesService => {
  const { defaults, getFileContent, nested, transport } = options
  const calls = JsonCalls.make(transport)

  const create = (input: Batches.CreateInput) =>
    Effect.suspend(() =>
      Either.match(encodeUpload(input, defaults), {
        onLeft: Effect.fail,
        onRight: ({ jsonl, method }) =>
          Effect.map(
            transport.json(
              HttpClientRequest.post("/batches", {
                urlParams: { method },
                body: HttpBody.text(jsonl, "application/octet-stream")
              }),
              Batches.Batch
            ),
            JsonCalls.withXHeaders
          )
      })
    ).pipe(telemetry.withSpan("GigaChat.batches.create", { parent: nested }))

  const get = (id: string) =>
    Effect.flatMap(
      Effect.flatMap(JsonCalls.requireId("batch_id", id), (id) =>
        calls.get("/batches", [["batch_id", id]], Batches.BatchList)),
      (list) => {
        const batch = list.batches.find((batch) =>
          batch.id === id
        )
        return batch === undefined
          ? Effect.fail(
            new GigaChatError.DecodeError({
              description: `the answer of GET /batches?batch_id=${id} lists no batch "${id}"`,
              body: JSON.stringify(list.batches.map((batch) => batch.id)).slice(0, 500)
            })
          )
          : Effect.succeed(XHeaders.attach(batch, list.xHeaders))
      }
    ).pipe(telemetry.withSpan("GigaChat.batches.get", { parent: nested }))

  const list = () =>
    calls.get("/batches", [], Batches.BatchList).pipe(
      telemetry.withSpan("GigaChat.batches.list", { parent: nested })
    )

  const waitFor = <Out, R>(batch: string | Batches.Batch, options?: Batches.WaitOptions<Out, R>) => {
    const id = typeof batch === "string" ? batch : batch.id
    const schedule = (options?.schedule ?? defaultSchedule) as Schedule.Schedule<unknown, Batches.Batch, R>
    return Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const loop: Effect.Effect<XHeaders.WithXHeaders<Batches.Batch>, GigaChatError.GigaChatError, R> = Effect
        .flatMap(
          get(id),
          (current) =>
            Batches.isFinished(current) ? Effect.succeed(current) : Effect.matchEffect(driver.next(current), {
              onFailure: () => Effect.succeed(current),
              onSuccess: () => loop
            })
        )
      return loop
    })
  }

  const results = <A, I>(name: string, schema: Schema.Schema<A, I>) => (batch: string | Batches.Batch) =>
    Effect.suspend(() => {
      const fileId = typeof batch === "string" ? batch : batch.output_file_id
      if (fileId === undefined || fileId === "") {
        return Effect.fail(invalid(
          typeof batch === "string" ?
            "output_file_id: must not be empty" :
            `output_file_id: batch "${batch.id}" has no results yet (status ${batch.status})`
        ))
      }
      return Effect.map(getFileContent(fileId), ({ bytes }) => decodeResults(new TextDecoder().decode(bytes), schema))
    }).pipe(telemetry.withSpan(`GigaChat.batches.${name}`, { parent: nested }))

  return {
    create,
    get,
    list,
    waitFor,
    chatResults: results("chatResults", Chat.ChatCompletion),
    embeddingsResults: results("embeddingsResults", Embeddings.Embeddings)
  }
}
