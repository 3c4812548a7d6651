/**
 * Schemas of the access token returned by the OAuth server (`{access_token, expires_at}`) and by the password flow
 * `POST /token` (`{tok, exp}`). Once decoded, the token value is always `Redacted`: it never shows in logs,
 * `toString` or JSON.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An access token and when it expires, in Unix milliseconds; `0` means it never expires (a token given by the user).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccessToken = Schema.Struct({
  access_token: Schema.Redacted(Schema.String),
  /** Unix time in milliseconds; `0` = never expires. */
  expires_at: Schema.Number
})

/**
 * The decoded value of the `AccessToken` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessToken extends Schema.Schema.Type<typeof AccessToken> {}

/**
 * The wire form of {@link AccessToken}: `{ access_token: string, expires_at: number }`.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccessTokenEncoded extends Schema.Schema.Encoded<typeof AccessToken> {}

/**
 * The answer of the password flow `POST /token`: `{ tok, exp }`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Token = Schema.Struct({
  tok: Schema.String,
  exp: Schema.Number
})

/**
 * The decoded value of the `Token` schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Token extends Schema.Schema.Type<typeof Token> {}

/**
 * Decodes `{ tok, exp }` into an {@link AccessToken}.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccessTokenFromToken = Schema.transform(Token, AccessToken, {
  strict: true,
  decode: ({ exp, tok }) => ({ access_token: tok, expires_at: exp }),
  encode: ({ access_token, expires_at }) => ({ tok: access_token, exp: expires_at })
})

/**
 * A token response of either shape, `{ access_token, expires_at }` (OAuth) or `{ tok, exp }` (password flow),
 * decoded into an {@link AccessToken}. Encoding gives the OAuth shape.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccessTokenResponse = Schema.Union(AccessToken, AccessTokenFromToken)
