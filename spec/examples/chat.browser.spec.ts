import { expect } from "chai";
import type { Browser } from "playwright-core";
import { makeChatApplication } from "../../examples/chat/app";
import type { MessageBuffer } from "../../examples/chat/messages";
import { startTestServer, type TestServer } from "../../src/testing";
import { launchChromium } from "../support/browser";

// Two real browser pages as two users: one posts, the other sees it without reloading.
describe("examples/chat in Chromium", function () {
  this.timeout(60_000);
  let server: TestServer;
  let buffer: MessageBuffer;
  let browser: Browser | undefined;

  before(async function () {
    browser = await launchChromium(this);
    const chat = makeChatApplication();
    buffer = chat.buffer;
    server = await startTestServer(chat.app);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function pageFor(name: string) {
    const context = await browser!.newContext();
    const page = await context.newPage();
    await page.goto(server.url("/"));
    await page.fill("#name", name);
    await Promise.all([page.waitForURL(server.url("/")), page.click("#loginform input[type=submit]")]);
    await page.waitForSelector("#messageform");
    return { page, context };
  }

  async function waiters(n: number): Promise<void> {
    const until = Date.now() + 5000;
    while (buffer.waiterCount !== n) {
      if (Date.now() > until) throw new Error(`expected ${n} waiters, have ${buffer.waiterCount}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it("shows one user's message on the other user's page within a second, without a reload", async () => {
    const alice = await pageFor("alice");
    const bob = await pageFor("bob");
    await waiters(2);
    let reloaded = false;
    bob.page.on("load", () => (reloaded = true));
    await alice.page.fill("#message", "hello from alice");
    await alice.page.press("#message", "Enter");
    await bob.page.waitForSelector("text=hello from alice", { timeout: 1000 });
    expect(reloaded).to.equal(false);
    expect(await bob.page.textContent("#inbox")).to.contain("alice: hello from alice");
    await alice.context.close();
    await bob.context.close();
  });

  it("leaves zero waiters on the server when a page is closed mid-poll", async () => {
    const carol = await pageFor("carol");
    await waiters(1);
    await carol.context.close();
    await waiters(0);
  });
});
