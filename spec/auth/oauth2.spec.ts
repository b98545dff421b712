import { expect } from "chai";
import { OAUTH2_STATE_COOKIE, OAuth2Mixin, pkceChallenge, pkceVerifier } from "../../src/auth";
import { runHandler } from "../../src/testing";
import { RequestHandler } from "../../src/web";

class ExampleLogin extends OAuth2Mixin(RequestHandler) {
  override oauthAuthorizeUrl = "https://provider.example/authorize";
  override oauthAccessTokenUrl = "https://provider.example/token";

  get(): void {
    this.authorizeRedirect({ redirectUri: "http://127.0.0.1/cb", clientId: "app", scope: ["read", "write"] });
  }
}

describe("auth/oauth2", () => {
  describe("pkceChallenge", () => {
    it("matches RFC 7636 appendix B byte for byte", () => {
      expect(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).to.equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    });
  });

  describe("pkceVerifier", () => {
    it("makes a fresh 43-character URL-safe verifier each time", () => {
      const a = pkceVerifier();
      expect(a).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(pkceVerifier()).to.not.equal(a);
    });
  });

  describe("OAuth2Mixin#authorizeRedirect", () => {
    it("redirects with client id, scope, state and an S256 challenge, and keeps state and verifier in a signed cookie", async () => {
      const res = await runHandler(ExampleLogin, { uri: "/login", settings: { cookieSecret: "s3cret" } });
      expect(res.status).to.equal(302);
      const location = new URL(res.redirectedTo!);
      expect(location.origin + location.pathname).to.equal("https://provider.example/authorize");
      const q = location.searchParams;
      expect([q.get("response_type"), q.get("client_id"), q.get("redirect_uri"), q.get("scope"), q.get("code_challenge_method")])
        .to.deep.equal(["code", "app", "http://127.0.0.1/cb", "read write", "S256"]);
      const cookie = res.cookies[OAUTH2_STATE_COOKIE];
      expect(cookie.attributes.httponly).to.equal(true);
      const flow = JSON.parse(res.handler.getSecureCookie(OAUTH2_STATE_COOKIE, { value: cookie.value })!) as Record<string, string>;
      expect(flow.state).to.equal(q.get("state"));
      expect(pkceChallenge(flow.verifier)).to.equal(q.get("code_challenge"));
    });
  });
});
