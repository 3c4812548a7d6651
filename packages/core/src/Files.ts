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
