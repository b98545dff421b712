import { expect } from "chai";
import { existsSync } from "node:fs";
import { makeAuthApplication, setBaseUrl } from "../../examples/auth/app";
import { startTestServer, type TestServer } from "../../src/testing";
import { needs } from "../support/services";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

describe("examples/auth in Chromium", function () {
  this.timeout(60_000);
  let server: TestServer;
  let browser: import("playwright-core").Browser | undefined;

  before(async function () {
    needs(this, "Chromium", existsSync(CHROMIUM), "apt-get install -y chromium");
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    const { app, devProvider } = makeAuthApplication({ baseUrl: "", cookieSecret: "browser-spec-secret" });
    server = await startTestServer(app);
    setBaseUrl(app, devProvider, server.url("").replace(/\/$/, ""));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("signs in through the development provider and out again", async () => {
    const page = await (await browser!.newContext()).newPage();
    await page.goto(server.url("/"));
    expect(await page.locator("a[id^=signin-]").count()).to.equal(1);
    await Promise.all([page.waitForURL(/\/dev-provider\/authorize/), page.click("#signin-dev")]);
    await page.fill("#name", "Ann <Example>");
    await Promise.all([page.waitForURL(server.url("/")), page.click("#signin")]);
    expect(await page.textContent("#hello")).to.equal("Hello, Ann <Example> (via development provider)");
    await Promise.all([page.waitForURL(server.url("/")), page.click("#logout")]);
    expect(await page.locator("#signin-dev").count()).to.equal(1);
  });
});
