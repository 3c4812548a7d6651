/**
 * The `x-*` response headers GigaChat returns with every answer, attached to every decoded response as `xHeaders`.
 *
 * @since 0.1.0
 */

/**
 * The `x-request-id`, `x-session-id` and `x-client-id` response headers (`undefined` when absent).
 *
 * @since 0.1.0
 * @category models
 */
export interface XHeaders {
  readonly "x-request-id": string | undefined
  readonly "x-session-id": string | undefined
  readonly "x-client-id": string | undefined
}

/**
 * A decoded response together with the response's `x-*` headers.
 *
 * @since 0.1.0
 * @category models
 */
export type WithXHeaders<A> = A & { readonly xHeaders: XHeaders }

/**
 * No headers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: XHeaders = {
  "x-request-id": undefined,
  "x-session-id": undefined,
  "x-client-id": undefined
}

/**
 * Picks the `x-*` headers out of a (lower-cased) header record.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHeaders = (headers: Readonly<Record<string, string>>): XHeaders => ({
  "x-request-id": headers["x-request-id"],
  "x-session-id": headers["x-session-id"],
  "x-client-id": headers["x-client-id"]
})

/**
 * Adds `xHeaders` to a decoded value.
 *
 * @since 0.1.0
 * @category combinators
 */
export const attach = <A extends object>(value: A, xHeaders: XHeaders): WithXHeaders<A> => ({ ...value, xHeaders })
