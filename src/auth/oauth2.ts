/**
 * OAuth 2.0 authorization code flow (RFC 6749) with PKCE S256 (RFC 7636) on by default, and
 * `state` checked against a signed cookie. Tornado's OAuth2Mixin, camelCased.
 */

import { createHash } from "node:crypto";
import { urlConcat } from "../httputil";
import type { RequestHandler } from "../web/handler";
import { AuthError } from "./errors";
import { authHttpClient, providerJson, randomToken, safeEqual, saveFlowCookie, takeFlowCookie, type HandlerClass, type MixinCtor } from "./mixin";

/**
 * The PKCE S256 code challenge for a verifier: base64url(SHA-256(verifier)).
 *
 * @example
 * pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); // "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
 */
export function pkceChallenge(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** A fresh PKCE code verifier: 43 URL-safe characters (32 random bytes). */
export function pkceVerifier(): string {
  return randomToken(32);
}

export interface AuthorizeRedirectOptions {
  redirectUri: string;
  clientId: string;
  scope?: string[];
  extraParams?: Record<string, string>;
  responseType?: string;
  /** PKCE S256 (default true); turn off only for providers that reject it. */
  pkce?: boolean;
}

export interface TokenRequestOptions {
  redirectUri: string;
  clientId: string;
  clientSecret?: string;
  /** The code; read from the callback's `code` argument when omitted. */
  code?: string;
  extraFields?: Record<string, string>;
}

export type TokenResponse = Record<string, unknown> & { access_token: string };

export const OAUTH2_STATE_COOKIE = "_oauth2_state";

/** What OAuth2Mixin adds to a handler. */
export interface OAuth2Methods {
  oauthAuthorizeUrl: string;
  oauthAccessTokenUrl: string;
  oauthTokenAuth: "post" | "basic";
  authorizeRedirect(options: AuthorizeRedirectOptions, extraCookie?: Record<string, string>): void | Promise<void>;
  getAuthenticatedTokens(options: TokenRequestOptions): Promise<{ tokens: TokenResponse; flow: Record<string, string> }>;
  oauth2Request(url: string, accessToken?: string, args?: Record<string, string>, postArgs?: Record<string, string>): Promise<unknown>;
}

/**
 * OAuth 2.0 login for a RequestHandler: `authorizeRedirect` sends the user to the provider with
 * a fresh `state` and PKCE challenge (both kept in a signed cookie); on the callback,
 * `getAuthenticatedTokens` checks `state` and trades the code (and verifier) for tokens.
 *
 * @example
 * class ExampleLogin extends OAuth2Mixin(RequestHandler) {
 *   oauthAuthorizeUrl = "https://example.com/authorize";
 *   oauthAccessTokenUrl = "https://example.com/token";
 *   async get() {
 *     const redirectUri = "http://127.0.0.1:8888/login";
 *     if (!this.getArgument("code", null)) return this.authorizeRedirect({ redirectUri, clientId: "app" });
 *     const tokens = await this.getAuthenticatedTokens({ redirectUri, clientId: "app", clientSecret: "…" });
 *   }
 * }
 */
export function OAuth2Mixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<OAuth2Methods> {
  abstract class OAuth2Handler extends Base {
    oauthAuthorizeUrl = "";
    oauthAccessTokenUrl = "";
    /** How the client authenticates at the token endpoint: form fields (default) or HTTP basic. */
    oauthTokenAuth: "post" | "basic" = "post";

    /** Redirects to the provider's authorization page; `extraCookie` adds fields to the flow cookie. */
    authorizeRedirect(options: AuthorizeRedirectOptions, extraCookie: Record<string, string> = {}): void {
      const handler = this as unknown as RequestHandler;
      const state = randomToken();
      const flow: Record<string, string> = { state, ...extraCookie };
      const args: Record<string, string> = {
        response_type: options.responseType ?? "code",
        client_id: options.clientId,
        redirect_uri: options.redirectUri,
        state,
      };
      if (options.scope?.length) args.scope = options.scope.join(" ");
      if (options.pkce !== false) {
        flow.verifier = pkceVerifier();
        args.code_challenge = pkceChallenge(flow.verifier);
        args.code_challenge_method = "S256";
      }
      Object.assign(args, options.extraParams ?? {});
      saveFlowCookie(handler, OAUTH2_STATE_COOKIE, flow);
      handler.redirect(urlConcat(this.oauthAuthorizeUrl, args));
    }

    /**
     * Checks the callback's `state` against the signed cookie, then exchanges the code for
     * tokens. Returns the token response and the flow cookie's fields (e.g. an OIDC nonce).
     * Throws AuthError for a provider error, a missing/forged state, or a refused code.
     */
    async getAuthenticatedTokens(options: TokenRequestOptions): Promise<{ tokens: TokenResponse; flow: Record<string, string> }> {
      const handler = this as unknown as RequestHandler;
      const providerError = handler.getArgument("error", null);
      if (providerError) {
        handler.clearCookie(OAUTH2_STATE_COOKIE, { path: "/" });
        const description = handler.getArgument("error_description", null);
        throw new AuthError(`the provider refused: ${providerError}${description ? ": " + description : ""}`);
      }
      const flow = takeFlowCookie(handler, OAUTH2_STATE_COOKIE);
      const state = handler.getArgument("state", null);
      if (!state || !safeEqual(state, flow.state ?? "")) throw new AuthError("state does not match the one this browser was given");
      const code = options.code ?? handler.getArgument("code", null);
      if (!code) throw new AuthError("missing code in the callback");
      const fields: Record<string, string> = {
        grant_type: "authorization_code",
        code,
        redirect_uri: options.redirectUri,
        ...(options.extraFields ?? {}),
      };
      if (flow.verifier) fields.code_verifier = flow.verifier;
      const headers: Record<string, string> = { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" };
      if (this.oauthTokenAuth === "basic" && options.clientSecret !== undefined) {
        const enc = (s: string): string => encodeURIComponent(s);
        headers.Authorization = "Basic " + Buffer.from(`${enc(options.clientId)}:${enc(options.clientSecret)}`).toString("base64");
      } else {
        fields.client_id = options.clientId;
        if (options.clientSecret !== undefined) fields.client_secret = options.clientSecret;
      }
      const res = await authHttpClient().fetch(this.oauthAccessTokenUrl, {
        method: "POST", headers, body: new URLSearchParams(fields).toString(), raiseError: false,
      });
      const tokens = providerJson(res.body, res.code, "token request") as TokenResponse;
      if (typeof tokens.access_token !== "string") throw new AuthError("token response has no access_token");
      return { tokens, flow };
    }

    /**
     * A request to the provider's API with the access token as a Bearer token (not in the query,
     * where it would land in logs); POST when `postArgs` is given. Returns the parsed JSON.
     */
    async oauth2Request(url: string, accessToken?: string, args: Record<string, string> = {}, postArgs?: Record<string, string>): Promise<unknown> {
      const headers: Record<string, string> = { Accept: "application/json" };
      if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
      const res = await authHttpClient().fetch(urlConcat(url, args), {
        method: postArgs ? "POST" : "GET",
        headers,
        body: postArgs ? new URLSearchParams(postArgs).toString() : undefined,
        raiseError: false,
      });
      return providerJson(res.body, res.code, `request to ${url}`);
    }
  }
  return OAuth2Handler;
}
