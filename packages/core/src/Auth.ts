/**
 * Access tokens for the GigaChat API. The token source follows the Python SDK's priority: an explicit access token
 * (until the server rejects it), then OAuth credentials, then user and password; with none of them no token is sent
 * (mTLS). Tokens are cached, refreshed before they expire, and fetched once for any number of concurrent callers.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as AccessToken from "./AccessToken.js"
import type * as GigaChatConfig from "./GigaChatConfig.js"
import type * as GigaChatError from "./GigaChatError.js"
import * as internal from "./internal/auth.js"

/**
 * The token cache the transport asks before every API call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * The token for the next API call: the cached one while it is valid for longer than the expiry buffer, else a
   * new one (one request for all concurrent callers; a failure reaches all of them and the next call tries again).
   * `None` when no token source is configured, and when the request context carries its own `Authorization`
   * (`RequestContext.withAuthorization`): then nothing is fetched.
   */
  readonly token: Effect.Effect<Option.Option<AccessToken.AccessToken>, GigaChatError.GigaChatError>
  /**
   * Runs `call` with the token for it (as `token` gives it). When the server rejects a token that was cached before
   * this call with 401 (`AuthenticationError`), the token is dropped, a new one fetched and `call` run once more; a
   * 401 on a token fetched for this very call, or on the only token there is (an explicit access token alone), is
   * the call's answer. This is the Python SDK's rule (one re-authentication, only for a token believed valid).
   */
  readonly withToken: <A>(
    call: (token: Option.Option<AccessToken.AccessToken>) => Effect.Effect<A, GigaChatError.GigaChatError>
  ) => Effect.Effect<A, GigaChatError.GigaChatError>
}

/**
 * The service tag of the token cache.
 *
 * @since 0.1.0
 * @category tags
 */
export class Auth extends Context.Tag("@effect-gigachat/core/Auth")<Auth, Service>() {}

/**
 * Builds the token cache. Token requests are forked into the given scope, so an interrupted caller never leaves
 * the other waiters without an answer; closing the scope interrupts a request in flight. Logs a warning (never the
 * value) when the credentials are not a base64 authorization key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<
  Service,
  never,
  GigaChatConfig.GigaChatConfig | HttpClient.HttpClient | Scope.Scope
> = internal.make

/**
 * The token cache as a layer, scoped to the layer's lifetime.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Auth, never, GigaChatConfig.GigaChatConfig | HttpClient.HttpClient> = Layer.scoped(
  Auth,
  make
)
