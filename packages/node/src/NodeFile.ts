/**
 * Files from disk for `GigaChat.uploadFile`: reads a file by its path into the `GigaChat.UploadFile` shape, with a
 * MIME type chosen by the file's extension. A file that cannot be read fails with an `InvalidRequestError` naming
 * the path, before anything is sent.
 *
 * @example
 * ```ts
 * import { GigaChat } from "@effect-gigachat/core"
 * import { NodeFile } from "@effect-gigachat/node"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const gc = yield* GigaChat.GigaChat
 *   const file = yield* NodeFile.fromPath("./photo.jpg")
 *   const uploaded = yield* gc.uploadFile(file)
 *   return yield* gc.chat({
 *     messages: [{ role: "user", content: "What is in the picture?", attachments: [uploaded.id] }]
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 */
// The modules themselves, not the core index, and the file system only when a file is read: start-up time.
import * as Files from "@effect-gigachat/core/Files"
import * as GigaChat from "@effect-gigachat/core/GigaChat"
import * as GigaChatError from "@effect-gigachat/core/GigaChatError"
import type * as XHeaders from "@effect-gigachat/core/XHeaders"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as path from "node:path"

/**
 * Options of {@link fromPath}; each one overrides what is derived from the path.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The name the server stores; defaults to the last segment of the path. */
  readonly filename?: string | undefined
  /** Defaults to the type that {@link mimeTypeOf} gives for the file name. */
  readonly mimeType?: string | undefined
  /** `general` (default) or `assistant`. */
  readonly purpose?: Files.FilePurpose | undefined
}

/**
 * The MIME type for a file name or path, by its extension (case-insensitive); `application/octet-stream` when the
 * extension is unknown or missing. The same table as core's `Files.mimeTypeOf`.
 *
 * @since 0.1.0
 * @category utils
 */
export const mimeTypeOf: (filename: string) => string = Files.mimeTypeOf

/**
 * Reads the file at `filePath` into the `GigaChat.UploadFile` shape: its bytes, its name and a MIME type from its
 * extension. A missing file, a directory or a file that cannot be read fails with `InvalidRequestError` naming the
 * path.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPath = (
  filePath: string,
  options: Options = {}
): Effect.Effect<GigaChat.UploadFile, GigaChatError.InvalidRequestError> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const bytes = yield* fs.readFile(filePath)
    const filename = options.filename ?? path.basename(filePath)
    return {
      file: bytes,
      filename,
      mimeType: options.mimeType ?? mimeTypeOf(filename),
      ...(options.purpose !== undefined ? { purpose: options.purpose } : {})
    }
  }).pipe(
    Effect.mapError((error) =>
      new GigaChatError.InvalidRequestError({
        description: `cannot read the file ${filePath}: ${error.message}`,
        cause: error
      })
    ),
    (read) =>
      Effect.flatMap(
        Effect.promise(() => import("@effect/platform-node/NodeFileSystem")),
        (NodeFileSystem) => Effect.provide(read, NodeFileSystem.layer)
      )
  )

/**
 * Reads the file at `filePath` (see {@link fromPath}) and uploads it with `GigaChat.uploadFile`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const upload = (
  filePath: string,
  options: Options = {}
): Effect.Effect<
  XHeaders.WithXHeaders<Files.UploadedFile>,
  GigaChatError.GigaChatError,
  GigaChat.GigaChat
> =>
  Effect.flatMap(
    fromPath(filePath, options),
    (file) => Effect.flatMap(GigaChat.GigaChat, (gc) => gc.uploadFile(file))
  )
