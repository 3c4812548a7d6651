/**
 * Schemas of the file endpoints: `POST /files`, `GET /files`, `GET /files/{id}`, `POST /files/{id}/delete` and
 * `GET /files/{id}/content` (as an {@link Image}).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * What an uploaded file is for, as sent in the `purpose` form field of `POST /files`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FilePurpose = Schema.Literal("general", "assistant")

/**
 * The decoded value of the `FilePurpose` schema.
 *
 * @since 0.1.0
 * @category models
 */
export type FilePurpose = typeof FilePurpose.Type

/**
 * A stored file. `object` is `"file"`, `bytes` its size, `created_at` Unix seconds; `purpose` is a
 * {@link FilePurpose} or any other string the server may add; `access_policy` is e.g. `"private"`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UploadedFile = Schema.Struct({
  id: Schema.String,
  object: Schema.String,
  bytes: Schema.Number,
  created_at: Schema.Number,
  filename: Schema.String,
  purpose: Schema.Union(FilePurpose, Schema.String),
  access_policy: Schema.optionalWith(Schema.String, { nullable: true })
})

/**
 * The decoded value of the `UploadedFile` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadedFile extends Schema.Schema.Type<typeof UploadedFile> {}

/**
 * The answer of `GET /files`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UploadedFiles = Schema.Struct({
  data: Schema.Array(UploadedFile)
})

/**
 * The decoded value of the `UploadedFiles` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface UploadedFiles extends Schema.Schema.Type<typeof UploadedFiles> {}

/**
 * The answer of `POST /files/{id}/delete`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeletedFile = Schema.Struct({
  id: Schema.String,
  deleted: Schema.Boolean,
  object: Schema.optionalWith(Schema.String, { nullable: true })
})

/**
 * The decoded value of the `DeletedFile` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface DeletedFile extends Schema.Schema.Type<typeof DeletedFile> {}

/**
 * The content of a file (e.g. a generated image) as base64, built by the client from the raw response body of
 * `GET /files/{id}/content`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Image = Schema.Struct({
  content: Schema.String
})

/**
 * The decoded value of the `Image` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Image extends Schema.Schema.Type<typeof Image> {}

const mimeTypes: Readonly<Record<string, string>> = {
  // documents
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  htm: "text/html",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  epub: "application/epub+zip",
  rtf: "application/rtf",
  odt: "application/vnd.oasis.opendocument.text",
  // images
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  heic: "image/heic",
  // audio
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  opus: "audio/opus",
  flac: "audio/flac",
  m4a: "audio/mp4",
  aac: "audio/aac",
  webm: "audio/webm",
  // video
  mp4: "video/mp4",
  mov: "video/quicktime"
}

/**
 * The MIME type for a file name or path, by its extension (case-insensitive); `application/octet-stream` when the
 * extension is unknown or missing. Uploads without an explicit type use it.
 *
 * @since 0.1.0
 * @category utils
 */
export const mimeTypeOf = (filename: string): string => {
  const base = filename.slice(Math.max(filename.lastIndexOf("/"), filename.lastIndexOf("\\")) + 1)
  const dot = base.lastIndexOf(".")
  const extension = dot > 0 ? base.slice(dot + 1).toLowerCase() : ""
  // own keys only: "x.constructor" must not find Object.prototype.constructor
  return (Object.hasOwn(mimeTypes, extension) ? mimeTypes[extension] : undefined) ?? "application/octet-stream"
}
