/**
 * Data the emulator serves as is: the model list recorded from the real server, balances, embedding sizes.
 * Kept as constants so the emulator never reads fixture files at run time.
 */

/** @internal */
export interface ModelEntry {
  readonly id: string
  readonly type: string
}

/**
 * The model list the real server returned (cassette `test_get_models.yaml`), plus `GigaChat-3-Ultra`, the model the
 * recorded v2 cassettes talk to.
 *
 * @internal
 */
export const defaultModels: ReadonlyArray<ModelEntry> = [
  { id: "GigaChat", type: "chat" },
  { id: "GigaChat-2", type: "chat" },
  { id: "GigaChat-2-Max", type: "chat" },
  { id: "GigaChat-2-Max-preview", type: "chat" },
  { id: "GigaChat-2-Pro", type: "chat" },
  { id: "GigaChat-2-Pro-preview", type: "chat" },
  { id: "GigaChat-2-preview", type: "chat" },
  { id: "GigaChat-Max", type: "chat" },
  { id: "GigaChat-Max-preview", type: "chat" },
  { id: "GigaChat-Plus", type: "chat" },
  { id: "GigaChat-Pro", type: "chat" },
  { id: "GigaChat-Pro-preview", type: "chat" },
  { id: "GigaChat-preview", type: "chat" },
  { id: "GigaFilter", type: "filter" },
  { id: "GigaCheckClassification", type: "aicheck" },
  { id: "GigaCheckDetection", type: "aicheck" },
  { id: "Embeddings", type: "embedder" },
  { id: "Embeddings-2", type: "embedder" },
  { id: "EmbeddingsGigaR", type: "embedder" },
  { id: "GigaEmbeddings-3B-2025-09", type: "embedder" },
  { id: "GigaChat-3-Ultra", type: "chat" }
]

/**
 * Vector sizes of the embedding models. `Embeddings` (1024) and `EmbeddingsGigaR` (2560) are known from the
 * real server; the sizes of the other two are the emulator's assumption.
 *
 * @internal
 */
export const embeddingDimensions: Readonly<Record<string, number>> = {
  "Embeddings": 1024,
  "Embeddings-2": 1024,
  "EmbeddingsGigaR": 2560,
  "GigaEmbeddings-3B-2025-09": 2048
}

/** @internal */
export const defaultEmbeddingDimension = 1024

/**
 * The prepaid balance the emulator reports (values from the SDK's `balance.json` sample).
 *
 * @internal
 */
export const balance = {
  balance: [
    { usage: "embeddings", value: 9999967 },
    { usage: "GigaChat-Pro", value: 991490 },
    { usage: "GigaChat-Max", value: 50000 },
    { usage: "GigaChat", value: 900000 }
  ]
} as const

/**
 * The `code`/`message` bodies of the OAuth server's errors.
 *
 * @internal
 */
export const oauthErrors = {
  badScope: { status: 400, body: { code: 1, message: "scope data format invalid" } },
  // The RqUID rejection body is not documented; the status is.
  badRqUid: { status: 400, body: { code: 3, message: "RqUID header is missing or is not a uuid4" } },
  badAuthorization: { status: 401, body: { code: 4, message: "Can't decode 'Authorization' header" } },
  emptyScope: { status: 400, body: { code: 5, message: "scope is empty" } },
  badCredentials: { status: 401, body: { code: 6, message: "credentials doesn't match db data" } }
} as const

/** @internal */
export const scopes: ReadonlyArray<string> = ["GIGACHAT_API_PERS", "GIGACHAT_API_B2B", "GIGACHAT_API_CORP"]

/** @internal */
export const statusText: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Permission denied",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout"
}

/**
 * The picture every generated image is: an 8×8 grey baseline JPEG (JFIF), small and valid for any decoder.
 *
 * @internal
 */
export const generatedJpeg: Uint8Array = Uint8Array.from(
  atob(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB" +
      "AQEBAQH/wAALCAAIAAgBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAAP/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAAA/AD//2Q=="
  ),
  (c) => c.charCodeAt(0)
)
