import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { OAuthMixin, type OAuthToken } from "../../src/auth";
import { startTestServer, type TestServer } from "../../src/testing";
import { RequestHandler } from "../../src/web";
import { BrowserLikeClient } from "../support/cookiejar";
import { needs } from "../support/services";

const PYTHON = "/usr/bin/python3";
const CONSUMER = { key: "consumer-key", secret: "consumer-secret" };

// Verifies one request's HMAC-SHA1 signature with oauthlib, an implementation independent of ours.
const VERIFY = `
import json, sys
from urllib.parse import urlparse
from oauthlib.common import Request
from oauthlib.oauth1.rfc5849 import signature
d = json.load(sys.stdin)
r = Request(d["uri"], http_method=d["method"], body=d["body"] or None, headers=d["headers"])
def collect(exclude):
    return signature.collect_parameters(uri_query=urlparse(d["uri"]).query, body=r.body, headers=r.headers, exclude_oauth_signature=exclude)
r.params = collect(True)
r.signature = dict(collect(False)).get("oauth_signature", "")
print(json.dumps(signature.verify_hmac_sha1(r, d["client_secret"], d["token_secret"])))
`;

function oauthlibVerifies(handler: RequestHandler, tokenSecret: string, tamper = false): boolean {
  const uri = handler.request.fullUrl();
  const headers: Record<string, string> = {};
  const auth = handler.request.headers.get("authorization");
  if (auth) headers.Authorization = auth;
  const body = handler.request.body.toString();
  const input = { method: handler.request.method, uri: tamper ? uri.replace("oauth_nonce=", "oauth_nonce=x") : uri, headers, body, client_secret: CONSUMER.secret, token_secret: tokenSecret };
  const r = spawnSync(PYTHON, ["-c", VERIFY], { input: JSON.stringify(input), encoding: "utf8" });
  if (r.status !== 0) throw new Error("oauthlib failed: " + r.stderr);
  return JSON.parse(r.stdout) as boolean;
}

const verdicts: { step: string; ok: boolean }[] = [];

class RequestTokenHandler extends RequestHandler {
  get(): void {
    verdicts.push({ step: "request_token", ok: oauthlibVerifies(this, "") });
    verdicts.push({ step: "tampered", ok: oauthlibVerifies(this, "", true) });
    this.write("oauth_token=rt-1&oauth_token_secret=rt-secret&oauth_callback_confirmed=true");
  }
}

class AuthorizeHandler extends RequestHandler {
  get(): void {
    // The user approves at once; the provider sends them back with the verifier.
    this.redirect(`${this.settings.callback as string}?oauth_token=${this.getArgument("oauth_token")}&oauth_verifier=ver-1`);
  }
}

class AccessTokenHandler extends RequestHandler {
  get(): void {
    verdicts.push({ step: "access_token", ok: oauthlibVerifies(this, "rt-secret") && this.getArgument("oauth_verifier") === "ver-1" });
    this.write("oauth_token=at-1&oauth_token_secret=at-secret&screen_name=ann");
  }
}

class MeHandler extends RequestHandler {
  post(): void {
    verdicts.push({ step: "api", ok: oauthlibVerifies(this, "at-secret") });
    this.write({ name: "Ann", status: this.getBodyArgument("status") });
  }
}

describe("auth/oauth1 verified by python3-oauthlib", function () {
  this.timeout(60_000);
  let provider: TestServer;
  let app: TestServer;

  class ProviderLogin extends OAuthMixin(RequestHandler) {
    override oauthConsumerToken(): OAuthToken {
      return CONSUMER;
    }
    override async oauthGetUser(token: OAuthToken): Promise<Record<string, unknown>> {
      return (await this.oauthRequest(provider.url("/api/me"), token, { fields: "name" }, { status: "hello world!" })) as Record<string, unknown>;
    }
    async get(): Promise<void> {
      this.oauthRequestTokenUrl = provider.url("/oauth/request_token");
      this.oauthAccessTokenUrl = provider.url("/oauth/access_token");
      this.oauthAuthorizeUrl = provider.url("/oauth/authorize");
      if (!this.getArgument("oauth_token", null)) return this.authorizeRedirect(app.url("/login"));
      const user = await this.getAuthenticatedUser();
      this.write({ name: user.name, status: user.status, token: user.accessToken.key });
    }
  }

  before(async function () {
    const available = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import oauthlib"]).status === 0;
    needs(this, "python3-oauthlib", available, "apt-get install -y python3-oauthlib");
    app = await startTestServer([["/login", ProviderLogin]], { settings: { cookieSecret: "spec" } });
    provider = await startTestServer(
      [["/oauth/request_token", RequestTokenHandler], ["/oauth/authorize", AuthorizeHandler], ["/oauth/access_token", AccessTokenHandler], ["/api/me", MeHandler]],
      { settings: { callback: app.url("/login") } },
    );
  });

  after(async () => {
    await app?.close();
    await provider?.close();
  });

  it("signs every leg so that oauthlib accepts it, and oauthlib refuses a tampered one", async () => {
    const client = new BrowserLikeClient(app.url("").replace(/\/$/, ""));
    const toProvider = (await client.fetch("/login")).headers.get("location")!;
    expect(toProvider).to.equal(provider.url("/oauth/authorize?oauth_token=rt-1"));
    const back = new URL((await fetch(toProvider, { redirect: "manual" })).headers.get("location")!);
    const res = await client.fetch(back.pathname + back.search);
    expect(await res.json()).to.deep.equal({ name: "Ann", status: "hello world!", token: "at-1" });
    expect(verdicts).to.deep.equal([
      { step: "request_token", ok: true },
      { step: "tampered", ok: false },
      { step: "access_token", ok: true },
      { step: "api", ok: true },
    ]);
  });
});
