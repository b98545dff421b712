/**
 * A local OpenID Connect provider for development, so the auth example signs in on a machine
 * with no internet: discovery, JWKS, an authorize page that asks only for a name, and a token
 * endpoint that checks the client secret, the redirect URI and PKCE, and signs ID tokens (ES256,
 * with jose). Not for production: any name is accepted.
 */
import { createHash, randomBytes } from "node:crypto";
import type * as Jose from "jose";
import { xhtmlEscape } from "../../src";
import { RequestHandler, type RouteInput } from "../../src/web";

export interface DevProviderOptions {
  /** Where the provider is mounted, absolute (e.g. http://127.0.0.1:8888/dev-provider). */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  nonce: string;
  challenge: string;
  name: string;
  expires: number;
}

/** The provider's state: signing key and outstanding codes (single-use, 60 s). */
export class DevProvider {
  private readonly codes = new Map<string, PendingCode>();
  private keys: Promise<{ privateKey: Jose.CryptoKey; jwk: Jose.JWK }> | null = null;
  private readonly jose = require("jose") as typeof Jose;

  constructor(public options: DevProviderOptions) {}

  private signingKey(): Promise<{ privateKey: Jose.CryptoKey; jwk: Jose.JWK }> {
    return (this.keys ??= (async () => {
      const { privateKey, publicKey } = await this.jose.generateKeyPair("ES256", { extractable: true });
      return { privateKey, jwk: { ...(await this.jose.exportJWK(publicKey)), kid: "dev-1", alg: "ES256", use: "sig" } };
    })());
  }

  discovery(): Record<string, unknown> {
    const i = this.options.issuer;
    return {
      issuer: i, authorization_endpoint: i + "/authorize", token_endpoint: i + "/token", jwks_uri: i + "/jwks",
      response_types_supported: ["code"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["ES256"],
      code_challenge_methods_supported: ["S256"],
    };
  }

  async jwks(): Promise<{ keys: Jose.JWK[] }> {
    return { keys: [(await this.signingKey()).jwk] };
  }

  /** Checks an authorization request; returns what is wrong, or null. */
  checkAuthorize(q: Record<string, string | null>): string | null {
    if (q.client_id !== this.options.clientId) return "unknown client_id";
    if (!q.redirect_uri) return "missing redirect_uri";
    if (q.response_type !== "code") return "only response_type=code is supported";
    if (q.code_challenge_method !== "S256" || !q.code_challenge) return "PKCE S256 is required";
    return null;
  }

  issueCode(q: Record<string, string | null>, name: string): string {
    const code = randomBytes(24).toString("base64url");
    this.codes.set(code, {
      clientId: q.client_id!, redirectUri: q.redirect_uri!, nonce: q.nonce ?? "", challenge: q.code_challenge!, name, expires: Date.now() + 60_000,
    });
    return code;
  }

  /** Redeems a code once; returns the token response or an OAuth error. */
  async redeem(f: Record<string, string | null>): Promise<{ status: number; body: Record<string, unknown> }> {
    const code = f.code ? this.codes.get(f.code) : undefined;
    if (f.code) this.codes.delete(f.code);
    const fail = (error: string, description: string) => ({ status: 400, body: { error, error_description: description } });
    if (f.client_id !== this.options.clientId || f.client_secret !== this.options.clientSecret) return { status: 401, body: { error: "invalid_client" } };
    if (!code || code.expires < Date.now()) return fail("invalid_grant", "unknown, used or expired code");
    if (code.redirectUri !== f.redirect_uri) return fail("invalid_grant", "redirect_uri differs from the authorization request");
    const challenge = createHash("sha256").update(f.code_verifier ?? "").digest("base64url");
    if (challenge !== code.challenge) return fail("invalid_grant", "PKCE verifier does not match");
    const sub = code.name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const idToken = await new this.jose.SignJWT({ nonce: code.nonce, name: code.name, email: `${sub}@dev.example` })
      .setProtectedHeader({ alg: "ES256", kid: "dev-1" })
      .setIssuer(this.options.issuer).setAudience(code.clientId).setSubject(sub).setIssuedAt().setExpirationTime("5m")
      .sign((await this.signingKey()).privateKey);
    return { status: 200, body: { access_token: randomBytes(24).toString("base64url"), token_type: "Bearer", expires_in: 300, id_token: idToken } };
  }
}

/** Handlers of the provider, mounted under a prefix with `{ provider }` as init. */
export function devProviderRoutes(prefix: string, provider: DevProvider): RouteInput[] {
  const init = { provider };
  return [
    [`${prefix}/.well-known/openid-configuration`, DiscoveryHandler, init],
    [`${prefix}/jwks`, JwksHandler, init],
    [`${prefix}/authorize`, AuthorizeHandler, init],
    [`${prefix}/token`, TokenHandler, init],
  ];
}

class ProviderHandler extends RequestHandler {
  provider!: DevProvider;

  override initialize(init: { provider: DevProvider }): void {
    this.provider = init.provider;
  }

  protected params(names: string[]): Record<string, string | null> {
    return Object.fromEntries(names.map((n) => [n, this.getArgument(n, null)]));
  }
}

class DiscoveryHandler extends ProviderHandler {
  get(): void {
    this.write(this.provider.discovery());
  }
}

class JwksHandler extends ProviderHandler {
  async get(): Promise<void> {
    this.write(await this.provider.jwks());
  }
}

const AUTHORIZE_PARAMS = ["client_id", "redirect_uri", "response_type", "state", "nonce", "code_challenge", "code_challenge_method", "scope"];

class AuthorizeHandler extends ProviderHandler {
  get(): void {
    const q = this.params(AUTHORIZE_PARAMS);
    const problem = this.provider.checkAuthorize(q);
    if (problem) {
      this.setStatus(400);
      this.write(xhtmlEscape(problem));
      return;
    }
    const hidden = AUTHORIZE_PARAMS.filter((n) => q[n] !== null).map((n) => `<input type="hidden" name="${n}" value="${xhtmlEscape(q[n])}">`).join("");
    this.write(`<!DOCTYPE html><html><head><title>Development provider</title></head><body>
<h1>Development sign-in</h1><p>Any name signs in; this provider exists only for local development.</p>
<form method="post" action="">${hidden}<label>Name <input id="name" name="name" required></label> <button id="signin" type="submit">Sign in</button></form>
</body></html>`);
  }

  post(): void {
    const q = this.params(AUTHORIZE_PARAMS);
    const problem = this.provider.checkAuthorize(q);
    const name = (this.getArgument("name", "") ?? "").trim();
    if (problem || !name) {
      this.setStatus(400);
      this.write(xhtmlEscape(problem ?? "a name is required"));
      return;
    }
    const target = new URL(q.redirect_uri!);
    target.searchParams.set("code", this.provider.issueCode(q, name));
    if (q.state) target.searchParams.set("state", q.state);
    this.redirect(target.href);
  }
}

class TokenHandler extends ProviderHandler {
  async post(): Promise<void> {
    const result = await this.provider.redeem(this.params(["code", "client_id", "client_secret", "redirect_uri", "code_verifier", "grant_type"]));
    this.setStatus(result.status);
    this.write(result.body);
  }
}
