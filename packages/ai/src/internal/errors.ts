/**
 * GigaChat errors as `@effect/ai` errors: the closed `AiError` union, with the GigaChat error kept as the cause.
 */
import * as GigaChatError from "@effect-gigachat/core/GigaChatError"
import * as AiError from "@effect/ai/AiError"
import * as Option from "effect/Option"

type Method = typeof AiError.HttpRequestDetails.Type["method"]

const methods = new Set<string>(["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"])

const requestDetails = (method: string, url: string): typeof AiError.HttpRequestDetails.Type => {
  const hashAt = url.indexOf("#")
  const withoutHash = hashAt === -1 ? url : url.slice(0, hashAt)
  const queryAt = withoutHash.indexOf("?")
  const urlParams: Array<[string, string]> = []
  if (queryAt !== -1) {
    for (const [key, value] of new URLSearchParams(withoutHash.slice(queryAt + 1))) urlParams.push([key, value])
  }
  return {
    method: (methods.has(method) ? method : "POST") as Method,
    url: queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt),
    urlParams,
    hash: hashAt === -1 ? Option.none() : Option.some(url.slice(hashAt + 1)),
    headers: {}
  }
}

/**
 * Keeps the GigaChat error on an `AiError` that has no `cause` field (`HttpResponseError`): it is set on the
 * instance, where `error.cause` finds it, as on any `Error`.
 */
const withCause = <E extends Error>(error: E, cause: unknown): E => {
  Object.defineProperty(error, "cause", { value: cause, enumerable: false, configurable: true, writable: true })
  return error
}

/**
 * Maps a GigaChat error to the `AiError` a provider reports:
 *
 * - an HTTP status → `HttpResponseError` (`StatusCode`) with the status, the (redacted) headers and the body; the
 *   GigaChat error's message (with the request id and the retry delay) is the `description`;
 * - transport failures and timeouts → `HttpRequestError` (`Transport`);
 * - an answer that cannot be decoded → `MalformedOutput`; an invalid request → `MalformedInput`;
 * - anything else → `UnknownError`.
 *
 * The GigaChat error is the `cause` of each.
 *
 * @internal
 */
export const toAiError = (module: string, method: string, error: GigaChatError.GigaChatError): AiError.AiError => {
  if (GigaChatError.isResponseError(error)) {
    const headers = error.requestId !== undefined && error.headers["x-request-id"] === undefined
      ? { ...error.headers, "x-request-id": error.requestId }
      : error.headers
    return withCause(
      new AiError.HttpResponseError({
        module,
        method,
        reason: "StatusCode",
        request: requestDetails(error.method, error.url),
        response: { status: error.status, headers },
        body: error.body,
        description: error.message
      }),
      error
    )
  }
  switch (error._tag) {
    case "TransportError":
    case "TimeoutError":
      return new AiError.HttpRequestError({
        module,
        method,
        reason: "Transport",
        request: requestDetails(error.method, error.url),
        description: error.message,
        cause: error
      })
    case "DecodeError":
    case "LengthFinishReasonError":
      return new AiError.MalformedOutput({ module, method, description: error.message, cause: error })
    case "InvalidRequestError":
      return new AiError.MalformedInput({ module, method, description: error.message, cause: error })
    default:
      return new AiError.UnknownError({ module, method, description: error.message, cause: error })
  }
}
