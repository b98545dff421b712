/**
 * OpenID Connect on top of OAuth2Mixin: the provider's discovery document, a nonce kept with
 * `state` in the signed cookie, and the ID token verified with jose (signature against the
 * provider's JWKS, `iss`, `aud`, `exp`, `nonce`). No hand-written crypto.
 */

import type * as Jose from "jose";
import { AuthError } from "./errors";
import { authHttpClient, randomToken, safeEqual, type HandlerClass, type MixinCtor } from "./mixin";
import { OAuth2Mixin, type AuthorizeRedirectOptions, type OAuth2Methods, type TokenRequestOptions, type TokenResponse } from "./oauth2";

export interface OidcConfiguration {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  [field: string]: unknown;
}

export interface VerifyIdTokenOptions {
  issuer: string;
  /** The client id the token must be issued to. */
  audience: string;
  /** The nonce sent with the authorization request; the token must carry the same. */
  nonce?: string;
  /** The provider's JWKS URL, or a key (set) to verify with directly. */
  jwks: string | Jose.JWTVerifyGetKey | Jose.CryptoKey | Uint8Array;
  /** Seconds of clock skew tolerated for exp/iat/nbf (default 30). */
  clockTolerance?: number;
}

export type IdTokenClaims = Jose.JWTPayload & { nonce?: string; email?: string; name?: string };

// jose is ESM; Node 20's require(esm) loads it, and only when an ID token is first verified.
let jose: typeof Jose | null = null;
function loadJose(): typeof Jose {
  return (jose ??= require("jose") as typeof Jose);
}

const discoveryCache = new Map<string, Promise<OidcConfiguration>>();
const jwksCache = new Map<string, Jose.JWTVerifyGetKey>();

/**
 * Fetches (once per issuer) the provider's `/.well-known/openid-configuration`; its `issuer`
 * must equal the one asked for (OpenID Connect Discovery §4.3).
 */
export function discoverOidc(issuer: string): Promise<OidcConfiguration> {
  let pending = discoveryCache.get(issuer);
  if (!pending) {
    pending = (async () => {
      const url = issuer.replace(/\/$/, "") + "/.well-known/openid-configuration";
      const res = await authHttpClient().fetch(url, { raiseError: false });
      if (res.code !== 200) throw new AuthError(`OpenID discovery at ${url} failed: HTTP ${res.code}`);
      const conf = res.json<OidcConfiguration>();
      if (conf.issuer !== issuer) throw new AuthError(`OpenID discovery: issuer ${conf.issuer} does not match ${issuer}`);
      for (const field of ["authorization_endpoint", "token_endpoint", "jwks_uri"] as const) {
        if (typeof conf[field] !== "string") throw new AuthError(`OpenID discovery: ${field} missing`);
      }
      return conf;
    })();
    pending.catch(() => discoveryCache.delete(issuer));
    discoveryCache.set(issuer, pending);
  }
  return pending;
}

/**
 * Verifies an ID token and returns its claims; AuthError when the signature, issuer, audience,
 * expiry or nonce is wrong.
 *
 * @example
 * const claims = await verifyIdToken(idToken, { issuer, audience: clientId, nonce, jwks: conf.jwks_uri });
 */
export async function verifyIdToken(idToken: string, options: VerifyIdTokenOptions): Promise<IdTokenClaims> {
  const j = loadJose();
  let key = options.jwks;
  if (typeof key === "string") {
    let remote = jwksCache.get(key);
    if (!remote) jwksCache.set(key, (remote = j.createRemoteJWKSet(new URL(key))));
    key = remote;
  }
  let payload: IdTokenClaims;
  try {
    const result = await j.jwtVerify(idToken, key as Jose.JWTVerifyGetKey, {
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockTolerance ?? 30,
      requiredClaims: ["exp", "iat", "sub"],
    });
    payload = result.payload as IdTokenClaims;
  } catch (err) {
    throw new AuthError(`ID token refused: ${(err as Error).message}`, { cause: err });
  }
  if (options.nonce !== undefined && !safeEqual(String(payload.nonce ?? ""), options.nonce)) {
    throw new AuthError("ID token refused: nonce does not match the one this browser was given");
  }
  return payload;
}

export type OidcUser = IdTokenClaims & { accessToken: string; idToken: string; tokens: TokenResponse };

/** What OpenIdConnectMixin adds to a handler (over OAuth2Mixin's). */
export interface OpenIdConnectMethods extends OAuth2Methods {
  oidcIssuer: string;
  oidcConfiguration(): Promise<OidcConfiguration>;
  authorizeRedirect(options: AuthorizeRedirectOptions, extraCookie?: Record<string, string>): Promise<void>;
  getAuthenticatedUser(options: TokenRequestOptions): Promise<OidcUser>;
}

/**
 * OpenID Connect login: set `oidcIssuer`; `authorizeRedirect` discovers the provider's
 * endpoints and adds a nonce; `getAuthenticatedUser` returns the verified ID token's claims.
 *
 * @example
 * class Login extends OpenIdConnectMixin(RequestHandler) {
 *   oidcIssuer = "https://accounts.example.com";
 *   async get() {
 *     const opts = { redirectUri: "http://127.0.0.1:8888/login", clientId: "app", clientSecret: "…" };
 *     if (!this.getArgument("code", null) && !this.getArgument("error", null)) return this.authorizeRedirect(opts);
 *     const user = await this.getAuthenticatedUser(opts);
 *     this.setSecureCookie("user", JSON.stringify({ sub: user.sub, email: user.email }));
 *   }
 * }
 */
export function OpenIdConnectMixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<OpenIdConnectMethods> {
  abstract class OpenIdConnectHandler extends OAuth2Mixin(Base) {
    oidcIssuer = "";

    /** The provider's discovery document; sets the OAuth 2.0 endpoints from it. */
    async oidcConfiguration(): Promise<OidcConfiguration> {
      if (!this.oidcIssuer) throw new AuthError("set oidcIssuer to the provider's issuer URL");
      const conf = await discoverOidc(this.oidcIssuer);
      this.oauthAuthorizeUrl = conf.authorization_endpoint;
      this.oauthAccessTokenUrl = conf.token_endpoint;
      return conf;
    }

    override async authorizeRedirect(options: AuthorizeRedirectOptions, extraCookie: Record<string, string> = {}): Promise<void> {
      await this.oidcConfiguration();
      const nonce = randomToken();
      const scope = options.scope ?? ["openid", "profile", "email"];
      super.authorizeRedirect(
        { ...options, scope: scope.includes("openid") ? scope : ["openid", ...scope], extraParams: { nonce, ...(options.extraParams ?? {}) } },
        { nonce, ...extraCookie },
      );
    }

    /** Exchanges the code, verifies the ID token, and returns its claims plus the tokens. */
    async getAuthenticatedUser(options: TokenRequestOptions): Promise<OidcUser> {
      const conf = await this.oidcConfiguration();
      const { tokens, flow } = await this.getAuthenticatedTokens(options);
      const idToken = tokens.id_token;
      if (typeof idToken !== "string") throw new AuthError("token response has no id_token (is the openid scope requested?)");
      const claims = await verifyIdToken(idToken, { issuer: conf.issuer, audience: options.clientId, nonce: flow.nonce ?? "", jwks: conf.jwks_uri });
      return { ...claims, accessToken: tokens.access_token, idToken, tokens };
    }
  }
  return OpenIdConnectHandler;
}
