/**
 * OAuth 1.0a (RFC 5849): request signatures (HMAC-SHA1, PLAINTEXT) and OAuthMixin, Tornado's
 * three-legged flow: request token → user authorizes → access token. The request token's
 * secret waits in a signed cookie between the redirect and the callback.
 */

import { createHmac, randomBytes } from "node:crypto";
import { urlConcat } from "../httputil";
import type { RequestHandler } from "../web/handler";
import { AuthError } from "./errors";
import { authHttpClient, safeEqual, saveFlowCookie, takeFlowCookie, type HandlerClass, type MixinCtor } from "./mixin";

export interface OAuthToken {
  key: string;
  secret: string;
}

export type OAuthParams = Record<string, string | number>;

/** RFC 3986 percent-encoding, as OAuth requires (unreserved characters only stay). */
export function oauthEscape(value: string | number): string {
  return encodeURIComponent(String(value)).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** RFC 5849 §3.4.1.2: scheme and host lower-cased, default port dropped, no query or fragment. */
function baseStringUri(url: URL): string {
  return `${url.protocol}//${url.host.toLowerCase()}${url.pathname}`;
}

/**
 * The signature base string of RFC 5849 §3.4.1: method, base URI and the sorted, encoded
 * parameters (the URL's query plus `params`, without `oauth_signature` and `realm`).
 */
export function oauthSignatureBaseString(method: string, url: string, params: OAuthParams): string {
  const u = new URL(url);
  const pairs: [string, string][] = [];
  for (const [k, v] of u.searchParams) pairs.push([oauthEscape(k), oauthEscape(v)]);
  for (const [k, v] of Object.entries(params)) {
    if (k === "oauth_signature" || k === "realm") continue;
    pairs.push([oauthEscape(k), oauthEscape(v)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join("&");
  return [method.toUpperCase(), baseStringUri(u), normalized].map(oauthEscape).join("&");
}

/**
 * Signs a request (RFC 5849 §3.4): HMAC-SHA1 over the base string, or PLAINTEXT when
 * `params.oauth_signature_method` says so.
 *
 * @example
 * oauthSignature({ key: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44" }, "GET",
 *   "http://photos.example.net/photos?file=vacation.jpg&size=original",
 *   { oauth_consumer_key: "dpf43f3p2l4k3l03", oauth_token: "nnch734d00sl2jdk", oauth_signature_method: "HMAC-SHA1",
 *     oauth_timestamp: "137131202", oauth_nonce: "chapoH" },
 *   { key: "nnch734d00sl2jdk", secret: "pfkkdhi9sl3r4s00" }); // "MdpQcU8iPSUjWoN/UDMsK2sui9I="
 */
export function oauthSignature(consumer: OAuthToken, method: string, url: string, params: OAuthParams, token?: OAuthToken | null): string {
  const key = oauthEscape(consumer.secret) + "&" + oauthEscape(token?.secret ?? "");
  const signatureMethod = String(params.oauth_signature_method ?? "HMAC-SHA1");
  if (signatureMethod === "PLAINTEXT") return key;
  if (signatureMethod !== "HMAC-SHA1") throw new AuthError(`unsupported oauth_signature_method ${signatureMethod} (use HMAC-SHA1 or PLAINTEXT)`);
  return createHmac("sha1", key).update(oauthSignatureBaseString(method, url, params)).digest("base64");
}

/** The oauth_* parameters (signature included) for a request signed with consumer and token. */
export function oauthRequestParameters(
  consumer: OAuthToken,
  method: string,
  url: string,
  token: OAuthToken | null,
  extra: OAuthParams = {},
  signatureMethod: "HMAC-SHA1" | "PLAINTEXT" = "HMAC-SHA1",
): Record<string, string> {
  const params: Record<string, string> = {
    oauth_consumer_key: consumer.key,
    oauth_signature_method: signatureMethod,
    oauth_timestamp: String(Math.floor(Date.now() / 1000)),
    oauth_nonce: randomBytes(16).toString("hex"),
    oauth_version: "1.0",
  };
  if (token) params.oauth_token = token.key;
  for (const [k, v] of Object.entries(extra)) params[k] = String(v);
  params.oauth_signature = oauthSignature(consumer, method, url, params, token);
  return params;
}

/** An `Authorization: OAuth ...` header value for the given oauth_* parameters. */
export function oauthAuthorizationHeader(params: Record<string, string>, realm?: string): string {
  const parts = Object.entries(params).filter(([k]) => k.startsWith("oauth_")).map(([k, v]) => `${oauthEscape(k)}="${oauthEscape(v)}"`);
  if (realm !== undefined) parts.unshift(`realm="${realm.replace(/"/g, "")}"`);
  return "OAuth " + parts.join(", ");
}

const REQUEST_TOKEN_COOKIE = "_oauth_request_token";

/** What OAuthMixin adds to a handler. */
export interface OAuthMethods {
  oauthRequestTokenUrl: string;
  oauthAccessTokenUrl: string;
  oauthAuthorizeUrl: string;
  oauthSignatureMethod: "HMAC-SHA1" | "PLAINTEXT";
  oauthConsumerToken(): OAuthToken;
  oauthGetUser(accessToken: OAuthToken & Record<string, string>): Promise<Record<string, unknown> | null>;
  authorizeRedirect(callbackUri?: string, extraParams?: Record<string, string>, authorizeUrl?: string): Promise<void>;
  authenticateRedirect(callbackUri?: string, authenticateUrl?: string): Promise<void>;
  getAuthenticatedUser(): Promise<Record<string, unknown> & { accessToken: OAuthToken }>;
  oauthRequest(url: string, accessToken: OAuthToken, args?: Record<string, string>, postArgs?: Record<string, string>): Promise<unknown>;
}

function parseTokenResponse(body: string): OAuthToken & Record<string, string> {
  const p = new URLSearchParams(body);
  const key = p.get("oauth_token");
  const secret = p.get("oauth_token_secret");
  if (!key || secret === null) throw new AuthError(`the provider's token response lacks oauth_token/oauth_token_secret: ${body.slice(0, 200)}`);
  const out: OAuthToken & Record<string, string> = { key, secret };
  for (const [k, v] of p) if (k !== "oauth_token" && k !== "oauth_token_secret") out[k] = v;
  return out;
}

/**
 * OAuth 1.0a login for a RequestHandler. Subclasses set the three URLs, return their consumer
 * key and secret from `oauthConsumerToken()`, and fetch the user in `oauthGetUser()`.
 *
 * @example
 * class ExampleLogin extends OAuthMixin(RequestHandler) {
 *   oauthRequestTokenUrl = "https://example.com/request_token"; // and Access, Authorize
 *   oauthConsumerToken() { return { key: "…", secret: "…" }; }
 *   async oauthGetUser(token) { return (await this.oauthRequest("https://example.com/me", token)) as object; }
 *   async get() {
 *     if (this.getArgument("oauth_token", null)) { const user = await this.getAuthenticatedUser(); ... }
 *     else await this.authorizeRedirect(this.request.fullUrl());
 *   }
 * }
 */
export function OAuthMixin<TBase extends HandlerClass>(Base: TBase): TBase & MixinCtor<OAuthMethods> {
  abstract class OAuthHandler extends Base {
    oauthRequestTokenUrl = "";
    oauthAccessTokenUrl = "";
    oauthAuthorizeUrl = "";
    oauthSignatureMethod: "HMAC-SHA1" | "PLAINTEXT" = "HMAC-SHA1";

    /** This application's consumer key and secret; subclasses override it. */
    oauthConsumerToken(): OAuthToken {
      throw new AuthError(`${this.constructor.name} must override oauthConsumerToken() to return its consumer key and secret`);
    }

    /** The user for an access token (a provider's "who am I" call); subclasses override it. */
    async oauthGetUser(_accessToken: OAuthToken & Record<string, string>): Promise<Record<string, unknown> | null> {
      throw new AuthError(`${this.constructor.name} must override oauthGetUser(accessToken)`);
    }

    /**
     * Gets a request token, keeps it in a signed cookie, and redirects the user to authorize it.
     * `callbackUri` is where the provider sends the user back (oob when omitted).
     */
    async authorizeRedirect(callbackUri?: string, extraParams: Record<string, string> = {}, authorizeUrl = this.oauthAuthorizeUrl): Promise<void> {
      const handler = this as unknown as RequestHandler;
      const consumer = this.oauthConsumerToken();
      const params = oauthRequestParameters(consumer, "GET", this.oauthRequestTokenUrl, null, { oauth_callback: callbackUri ?? "oob", ...extraParams }, this.oauthSignatureMethod);
      const res = await authHttpClient().fetch(urlConcat(this.oauthRequestTokenUrl, params), { raiseError: false });
      if (res.code !== 200) throw new AuthError(`could not get a request token: HTTP ${res.code} ${res.text().slice(0, 200)}`);
      const token = parseTokenResponse(res.text());
      saveFlowCookie(handler, REQUEST_TOKEN_COOKIE, { key: token.key, secret: token.secret });
      handler.redirect(urlConcat(authorizeUrl, { oauth_token: token.key }));
    }

    /** Like authorizeRedirect, to the provider's "authenticate" URL (sign in, no re-consent). */
    async authenticateRedirect(callbackUri?: string, authenticateUrl = this.oauthAuthorizeUrl): Promise<void> {
      await this.authorizeRedirect(callbackUri, {}, authenticateUrl);
    }

    /**
     * On the callback: checks the returned token against the cookie, exchanges it (with the
     * verifier) for an access token, and returns the user with `accessToken` set.
     */
    async getAuthenticatedUser(): Promise<Record<string, unknown> & { accessToken: OAuthToken }> {
      const handler = this as unknown as RequestHandler;
      const requestKey = handler.getArgument("oauth_token", null);
      const verifier = handler.getArgument("oauth_verifier", null);
      if (!requestKey) throw new AuthError("missing oauth_token in the callback");
      const saved = takeFlowCookie(handler, REQUEST_TOKEN_COOKIE);
      if (!safeEqual(saved.key ?? "", requestKey)) throw new AuthError("request token does not match the one this browser was given");
      const consumer = this.oauthConsumerToken();
      const extra: OAuthParams = verifier ? { oauth_verifier: verifier } : {};
      const params = oauthRequestParameters(consumer, "GET", this.oauthAccessTokenUrl, { key: saved.key, secret: saved.secret }, extra, this.oauthSignatureMethod);
      const res = await authHttpClient().fetch(urlConcat(this.oauthAccessTokenUrl, params), { raiseError: false });
      if (res.code !== 200) throw new AuthError(`could not get an access token: HTTP ${res.code} ${res.text().slice(0, 200)}`);
      const accessToken = parseTokenResponse(res.text());
      const user = await this.oauthGetUser(accessToken);
      if (!user) throw new AuthError("the provider returned no user");
      return { ...user, accessToken };
    }

    /** A signed request to the provider's API; JSON answers are parsed. */
    async oauthRequest(url: string, accessToken: OAuthToken, args: Record<string, string> = {}, postArgs?: Record<string, string>): Promise<unknown> {
      const method = postArgs ? "POST" : "GET";
      const target = urlConcat(url, args);
      const params = oauthRequestParameters(this.oauthConsumerToken(), method, target, accessToken, postArgs ?? {}, this.oauthSignatureMethod);
      const oauthOnly = Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith("oauth_")));
      const res = await authHttpClient().fetch(target, {
        method,
        headers: { Authorization: oauthAuthorizationHeader(oauthOnly) },
        body: postArgs ? new URLSearchParams(postArgs).toString() : undefined,
        raiseError: false,
      });
      if (res.code >= 400) throw new AuthError(`${method} ${url} failed: HTTP ${res.code} ${res.text().slice(0, 200)}`);
      return /json/.test(res.headers.get("content-type") ?? "") ? res.json() : res.text();
    }
  }
  return OAuthHandler;
}
