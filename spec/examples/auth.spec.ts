import { expect } from "chai";
import { makeAuthApplication, setBaseUrl } from "../../examples/auth/app";
import { startTestServer, type TestServer } from "../../src/testing";
import { BrowserLikeClient } from "../support/cookiejar";

describe("examples/auth", function () {
  this.timeout(30_000);
  let server: TestServer;
  let client: BrowserLikeClient;

  before(async () => {
    const { app, devProvider } = makeAuthApplication({
      baseUrl: "", cookieSecret: "spec-secret", github: { clientId: "gh-id", clientSecret: "gh-secret" },
    });
    server = await startTestServer(app);
    setBaseUrl(app, devProvider, server.url("").replace(/\/$/, ""));
  });
  after(() => server.close());
  beforeEach(() => {
    client = new BrowserLikeClient(server.url("").replace(/\/$/, ""));
  });

  it("lists the development provider and each configured provider only", async () => {
    const page = await (await client.fetch("/")).text();
    expect(page).to.contain('id="signin-dev"').and.contain('id="signin-github"');
    expect(page).to.not.contain("signin-google");
  });

  it("sends GitHub sign-in to GitHub's authorize URL with PKCE", async () => {
    const res = await client.fetch("/auth/github");
    const location = new URL(res.headers.get("location")!);
    expect(location.origin + location.pathname).to.equal("https://github.com/login/oauth/authorize");
    expect(location.searchParams.get("client_id")).to.equal("gh-id");
    expect(location.searchParams.get("code_challenge_method")).to.equal("S256");
  });

  it("answers 403 naming the fix for a provider that is not configured", async () => {
    const res = await client.fetch("/auth/google");
    expect(res.status).to.equal(403);
    expect(await res.text()).to.contain("google sign-in is not configured");
  });

  it("signs in over HTTP through the development provider", async () => {
    const toProvider = await client.fetch("/auth/dev");
    const authorize = new URL(toProvider.headers.get("location")!);
    expect(authorize.pathname).to.equal("/dev-provider/authorize");
    const form = new URLSearchParams(authorize.search);
    form.set("name", "ben");
    const back = await fetch(authorize.href, { method: "POST", body: form, redirect: "manual" });
    const callback = new URL(back.headers.get("location")!);
    const signedIn = await client.fetch(callback.pathname + callback.search);
    expect(signedIn.headers.get("location")).to.equal("/");
    expect(await (await client.fetch("/")).text()).to.contain("Hello, ben (via development provider)");
  });

  it("refuses a replayed callback", async () => {
    const authorize = new URL((await client.fetch("/auth/dev")).headers.get("location")!);
    const form = new URLSearchParams(authorize.search);
    form.set("name", "cat");
    const callback = new URL((await fetch(authorize.href, { method: "POST", body: form, redirect: "manual" })).headers.get("location")!);
    const flow = client.cookies.get("_oauth2_state")!;
    await client.fetch(callback.pathname + callback.search);
    client.cookies.set("_oauth2_state", flow);
    const replay = await client.fetch(callback.pathname + callback.search);
    expect(replay.status).to.equal(403);
    expect(await replay.text()).to.contain("invalid_grant");
  });
});
