import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type * as Jose from "jose";
import { AuthError, OAUTH2_STATE_COOKIE, OpenIdConnectMixin, verifyIdToken } from "../../src/auth";
import { startTestServer, type TestServer } from "../../src/testing";
import { RequestHandler } from "../../src/web";

const jose = require("jose") as typeof Jose;

/** A cookie jar per origin, following redirects by hand as a browser would. */
class Browser {
  readonly jars = new Map<string, Map<string, string>>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.origin) ?? new Map<string, string>();
    this.jars.set(u.origin, jar);
    const headers = new Headers(init.headers);
    if (jar.size) headers.set("Cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(url, { redirect: "manual", ...init, headers });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired) jar.delete(pair.slice(0, eq).trim());
      else jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  }

  /** Follows redirects from `url` until a page that is not a redirect; returns it and its URL. */
  async follow(url: string, init: RequestInit = {}): Promise<{ res: Response; url: string }> {
    let res = await this.request(url, init);
    for (let hops = 0; res.status >= 300 && res.status < 400 && hops < 20; hops++) {
      url = new URL(res.headers.get("location")!, url).href;
      if (this.stopAt?.(url)) return { res, url };
      res = await this.request(url);
    }
    return { res, url };
  }

  stopAt: ((url: string) => boolean) | null = null;
}

/** Submits the one form on an oidc-provider interaction page, filling login/password. */
async function submitForm(browser: Browser, page: string, pageUrl: string, fields: Record<string, string> = {}): Promise<{ res: Response; url: string }> {
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error("no form on the page: " + page.slice(0, 500));
  const body = new URLSearchParams();
  for (const m of page.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) body.set(m[1], m[2]);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  return browser.follow(new URL(action, pageUrl).href, {
    method: "POST", body: body.toString(), headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
}

describe("auth/openid", function () {
  this.timeout(60000);

  describe("OpenIdConnectMixin against oidc-provider", () => {
    let providerServer: http.Server;
    let issuer = "";
    let app: TestServer;
    const CLIENT = { client_id: "tornado-app", client_secret: "tornado-secret" };

    class OidcLogin extends OpenIdConnectMixin(RequestHandler) {
      async get(): Promise<void> {
        this.oidcIssuer = issuer;
        const opts = { redirectUri: app.url("/login"), clientId: CLIENT.client_id, clientSecret: CLIENT.client_secret };
        if (!this.getArgument("code", null) && !this.getArgument("error", null)) {
          await this.authorizeRedirect(opts);
          return;
        }
        try {
          const user = await this.getAuthenticatedUser(opts);
          this.setSecureCookie("user", JSON.stringify({ sub: user.sub, email: user.email, name: user.name }));
          this.redirect("/me");
        } catch (err) {
          if (!(err instanceof AuthError)) throw err;
          this.setStatus(403);
          this.write(err.message);
        }
      }
    }

    class MeHandler extends RequestHandler {
      get(): void {
        this.write(this.getSecureCookie("user") ?? "nobody");
      }
    }

    before(async () => {
      providerServer = http.createServer();
      await new Promise<void>((r) => providerServer.listen(0, "127.0.0.1", r));
      issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
      app = await startTestServer([["/login", OidcLogin], ["/me", MeHandler]], { settings: { cookieSecret: "spec-secret" } });
      // oidc-provider 8 (the line that supports Node 20) is ESM; Node 20's require(esm) loads it.
      const { default: Provider } = require("oidc-provider") as { default: new (issuer: string, conf: object) => { callback(): http.RequestListener } };
      const provider = new Provider(issuer, {
        clients: [{ ...CLIENT, redirect_uris: [app.url("/login")], token_endpoint_auth_method: "client_secret_post" }],
        findAccount: (_ctx: unknown, sub: string) => ({
          accountId: sub,
          claims: () => ({ sub, email: `${sub}@example.test`, name: "Ann Example" }),
        }),
        claims: { openid: ["sub"], email: ["email"], profile: ["name"] },
        conformIdTokenClaims: false,
        pkce: { methods: ["S256"], required: () => true },
        features: { devInteractions: { enabled: true } },
        cookies: { keys: ["spec-provider-cookie-key"] },
      });
      providerServer.on("request", provider.callback());
    });

    after(async () => {
      await app?.close();
      providerServer?.closeAllConnections();
      await new Promise((r) => providerServer?.close(r));
    });

    /** Walks redirect → provider login → consent, stopping at the app's callback URL. */
    async function loginUntilCallback(browser: Browser): Promise<string> {
      browser.stopAt = (url) => url.startsWith(app.url("/login?"));
      const loginPage = await browser.follow(app.url("/login"));
      expect(loginPage.url).to.match(new RegExp("^" + issuer + "/interaction/"));
      const consent = await submitForm(browser, await loginPage.res.text(), loginPage.url, { login: "ann", password: "any" });
      const back = consent.url.startsWith(app.url("/login?")) ? consent : await submitForm(browser, await consent.res.text(), consent.url);
      expect(back.url.startsWith(app.url("/login?"))).to.equal(true, back.url);
      browser.stopAt = null;
      return back.url;
    }

    it("signs a user in end to end: redirect, provider login, callback, user in a signed cookie", async () => {
      const browser = new Browser();
      const callback = await loginUntilCallback(browser);
      const done = await browser.follow(callback);
      expect(done.url).to.equal(app.url("/me"));
      expect(JSON.parse(await done.res.text())).to.deep.equal({ sub: "ann", email: "ann@example.test", name: "Ann Example" });
    });

    it("sent a PKCE S256 challenge and a nonce in the authorization request", async () => {
      const browser = new Browser();
      browser.stopAt = (url) => url.startsWith(issuer + "/auth");
      const first = await browser.follow(app.url("/login"));
      const q = new URL(first.url).searchParams;
      expect(q.get("code_challenge_method")).to.equal("S256");
      expect(q.get("code_challenge")).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get("nonce")).to.match(/^[A-Za-z0-9_-]{16,}$/);
      expect(q.get("scope")).to.equal("openid profile email");
    });

    it("refuses a callback whose state was tampered with", async () => {
      const browser = new Browser();
      const callback = new URL(await loginUntilCallback(browser));
      callback.searchParams.set("state", "tampered" + callback.searchParams.get("state"));
      const res = await browser.request(callback.href);
      expect(res.status).to.equal(403);
      expect(await res.text()).to.match(/state does not match/);
    });

    it("refuses a replayed authorization code", async () => {
      const browser = new Browser();
      const callback = await loginUntilCallback(browser);
      const flowCookie = browser.jars.get(new URL(app.url()).origin)!.get(OAUTH2_STATE_COOKIE)!;
      expect((await browser.request(callback)).status).to.equal(302);
      // The attacker replays the same callback with the same (valid) flow cookie.
      browser.jars.get(new URL(app.url()).origin)!.set(OAUTH2_STATE_COOKIE, flowCookie);
      const replay = await browser.request(callback);
      expect(replay.status).to.equal(403);
      expect(await replay.text()).to.match(/token request failed: invalid_grant/);
    });

    it("refuses a callback without the flow cookie (another browser's callback)", async () => {
      const callback = await loginUntilCallback(new Browser());
      const res = await new Browser().request(callback);
      expect(res.status).to.equal(403);
      expect(await res.text()).to.match(/missing or invalid _oauth2_state cookie/);
    });
  });

  describe("verifyIdToken", () => {
    const ISSUER = "https://issuer.example";
    let key: Jose.CryptoKey;
    let publicKey: Jose.CryptoKey;
    let otherKey: Jose.CryptoKey;

    before(async () => {
      ({ privateKey: key, publicKey } = await jose.generateKeyPair("ES256"));
      ({ privateKey: otherKey } = await jose.generateKeyPair("ES256"));
    });

    function token(claims: Record<string, unknown>, signWith = key, expiresIn: string | number = "5m"): Promise<string> {
      return new jose.SignJWT({ nonce: "n-1", ...claims })
        .setProtectedHeader({ alg: "ES256" })
        .setIssuer(ISSUER).setAudience("app").setSubject("ann").setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(signWith);
    }

    const verify = (jwt: string, nonce = "n-1") => verifyIdToken(jwt, { issuer: ISSUER, audience: "app", nonce, jwks: publicKey });

    it("returns the claims of a valid token", async () => {
      const claims = await verify(await token({ email: "ann@example.test" }));
      expect([claims.sub, claims.email]).to.deep.equal(["ann", "ann@example.test"]);
    });

    it("refuses a token with the wrong nonce", async () => {
      const err = await verify(await token({}), "n-2").catch((e: unknown) => e);
      expect(err).to.be.instanceOf(AuthError);
      expect((err as Error).message).to.match(/nonce does not match/);
    });

    it("refuses an expired token", async () => {
      const err = await verify(await token({}, key, Math.floor(Date.now() / 1000) - 3600)).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(AuthError);
      expect((err as Error).message).to.match(/ID token refused: .*exp/);
    });

    it("refuses a token signed with another key", async () => {
      const err = await verify(await token({}, otherKey)).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(AuthError);
      expect((err as Error).message).to.match(/signature verification failed/);
    });

    it("refuses a token for another audience or from another issuer", async () => {
      const wrongAud = await new jose.SignJWT({ nonce: "n-1" }).setProtectedHeader({ alg: "ES256" }).setIssuer(ISSUER)
        .setAudience("someone-else").setSubject("ann").setIssuedAt().setExpirationTime("5m").sign(key);
      expect(((await verify(wrongAud).catch((e: unknown) => e)) as Error).message).to.match(/aud/);
      const wrongIss = await new jose.SignJWT({ nonce: "n-1" }).setProtectedHeader({ alg: "ES256" }).setIssuer("https://evil.example")
        .setAudience("app").setSubject("ann").setIssuedAt().setExpirationTime("5m").sign(key);
      expect(((await verify(wrongIss).catch((e: unknown) => e)) as Error).message).to.match(/iss/);
    });

    it("refuses an unsigned (alg none) token", async () => {
      const unsigned = new jose.UnsecuredJWT({ nonce: "n-1" }).setIssuer(ISSUER).setAudience("app").setSubject("ann").setIssuedAt().setExpirationTime("5m").encode();
      expect(await verify(unsigned).catch((e: unknown) => e)).to.be.instanceOf(AuthError);
    });
  });
});
