/**
 * tornado-ts/auth: third-party login as RequestHandler mixins — OAuth 1.0a, OAuth 2.0 (PKCE),
 * OpenID Connect, and Google, Facebook, Twitter and GitHub over them.
 *
 * @example
 * import { GoogleOAuth2Mixin } from "tornado-ts/auth";
 * class GoogleLogin extends GoogleOAuth2Mixin(RequestHandler) { ... }
 */
export { AuthError } from "./errors";
export type { HandlerClass } from "./mixin";
export {
  OAuthMixin, oauthSignature, oauthSignatureBaseString, oauthEscape, oauthRequestParameters, oauthAuthorizationHeader,
} from "./oauth1";
export type { OAuthToken, OAuthParams } from "./oauth1";
export { OAuth2Mixin, pkceChallenge, pkceVerifier, OAUTH2_STATE_COOKIE } from "./oauth2";
export type { AuthorizeRedirectOptions, TokenRequestOptions, TokenResponse } from "./oauth2";
export { OpenIdConnectMixin, discoverOidc, verifyIdToken } from "./openid";
export type { OidcConfiguration, VerifyIdTokenOptions, IdTokenClaims, OidcUser } from "./openid";
export { GoogleOAuth2Mixin } from "./google";
export { GitHubOAuth2Mixin } from "./github";
export { FacebookGraphMixin, appsecretProof } from "./facebook";
export { TwitterMixin } from "./twitter";
