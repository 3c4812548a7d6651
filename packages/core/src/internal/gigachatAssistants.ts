/**
 * The `assistants` namespace of the `GigaChat` service, and the request helpers it shares with `threads`: every body
 * checked by its Schema before it is sent, every answer decoded by its Schema with the response's `x-*` headers.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as UrlParams from "@effect/platform/UrlParams"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as Assistants from "../Assistants.js"
import type * as GigaChatConfig from "../GigaChatConfig.js"
import * as GigaChatError from "../GigaChatError.js"
import type * as HttpTransport from "../HttpTransport.js"
import * as XHeaders from "../XHeaders.js"
import { encodeBodyEither, postJsonEither } from "./requestEncoding.js"
import * as telemetry from "./telemetry.js"

/**
 * What the namespaces need from the `GigaChat` service under construction.
 *
 * @internal
 */
export interface Dependencies {
  readonly config: GigaChatConfig.Service
  readonly transport: HttpTransport.Service
}

/**
 * The JSON helpers of one transport.
 *
 * @internal
 */
export const makeRequests = (transport: HttpTransport.Service) => {
  const decoded = <A>(effect: Effect.Effect<HttpTransport.Decoded<A>, GigaChatError.GigaChatError>) =>
    Effect.map(effect, ({ value, xHeaders }) => XHeaders.attach(value as A & object, xHeaders))

  /** A POST of `body` checked by `requestSchema`: nothing is sent when the Schema refuses it. */
  const post = <A, I, B, J>(
    path: string,
    requestSchema: Schema.Schema<B, J>,
    body: unknown,
    responseSchema: Schema.Schema<A, I>
  ) =>
    Effect.suspend(() =>
      Either.match(request(path, requestSchema, body), {
        onLeft: Effect.fail,
        onRight: (request) => decoded(transport.json(request, responseSchema))
      })
    )

  const request = <B, J>(path: string, requestSchema: Schema.Schema<B, J>, body: unknown) =>
    postJsonEither(path, encodeBodyEither(requestSchema, body))

  /** A GET with query keys; a value that is `undefined` is left out. */
  const get = <A, I>(
    path: string,
    query: ReadonlyArray<readonly [string, string | number | undefined]>,
    responseSchema: Schema.Schema<A, I>
  ) => {
    const urlParams: Array<[string, string]> = []
    for (const [key, value] of query) if (value !== undefined) urlParams.push([key, String(value)])
    return decoded(
      transport.json(HttpClientRequest.get(path, { urlParams: urlParams as UrlParams.Input }), responseSchema)
    )
  }

  return { post, request, get }
}

/**
 * An id the caller must give: an empty one is an `InvalidRequestError` naming the field, and nothing is sent.
 *
 * @internal
 */
export const requireId = (field: string, id: unknown): Effect.Effect<string, GigaChatError.InvalidRequestError> =>
  typeof id === "string" && id !== "" ? Effect.succeed(id) : Effect.fail(
    new GigaChatError.InvalidRequestError({
      description: `${field}: Expected a non-empty string, actual ${JSON.stringify(id) ?? String(id)}`
    })
  )

const orNull = <A>(value: A | undefined): A | null => value === undefined ? null : value

/** @internal */
export const make = ({ config, transport }: Dependencies): Assistants.AssistantsService => {
  const { get, post } = makeRequests(transport)
  // See `nested` in gigachat.ts.
  const nested = config.httpSpans

  return {
    get: (assistantId) =>
      get("/assistants", [["assistant_id", assistantId === "" ? undefined : assistantId]], Assistants.Assistants)
        .pipe(telemetry.withSpan("GigaChat.assistants.get", { parent: nested })),
    create: (input) =>
      post("/assistants", Assistants.CreateAssistantRequest, {
        model: input.model,
        name: input.name,
        description: orNull(input.description),
        instructions: orNull(input.instructions),
        file_ids: orNull(input.file_ids),
        metadata: orNull(input.metadata),
        ...(input.functions !== undefined ? { functions: input.functions } : {})
      }, Assistants.CreateAssistant).pipe(telemetry.withSpan("GigaChat.assistants.create", { parent: nested })),
    update: (assistantId, changes) =>
      post("/assistants/modify", Assistants.UpdateAssistantRequest, {
        assistant_id: assistantId,
        name: orNull(changes.name),
        description: orNull(changes.description),
        instructions: orNull(changes.instructions),
        file_ids: orNull(changes.file_ids),
        metadata: orNull(changes.metadata),
        ...(changes.functions !== undefined ? { functions: changes.functions } : {})
      }, Assistants.Assistant).pipe(telemetry.withSpan("GigaChat.assistants.update", { parent: nested })),
    delete: (assistantId) =>
      post(
        "/assistants/delete",
        Assistants.DeleteAssistantRequest,
        { assistant_id: assistantId },
        Assistants.AssistantDelete
      ).pipe(telemetry.withSpan("GigaChat.assistants.delete", { parent: nested })),
    deleteFile: (assistantId, fileId) =>
      post(
        "/assistants/files/delete",
        Assistants.DeleteAssistantFileRequest,
        { assistant_id: assistantId, file_id: fileId },
        Assistants.AssistantFileDelete
      ).pipe(telemetry.withSpan("GigaChat.assistants.deleteFile", { parent: nested }))
  }
}
