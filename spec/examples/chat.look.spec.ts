import { expect } from "chai";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { makeChatApplication } from "../../examples/chat/app";
import { startTestServer, type TestServer } from "../../src/testing";
import { launchChromium, SCREENSHOTS } from "../support/browser";

// The chat page on a phone (390×844, an iPhone 12-15) and on a desktop (1280×800): it fits the
// screen, reads well, and comes with a favicon. Screenshots land in dist/screenshots/ to look at.

const SCREENS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

describe("examples/chat's page", function () {
  this.timeout(90_000);
  let server: TestServer;
  let browser: Browser | undefined;

  before(async function () {
    browser = await launchChromium(this);
    server = await startTestServer(makeChatApplication().app);
    mkdirSync(SCREENSHOTS, { recursive: true });
    console.log(`      screenshots: ${SCREENSHOTS}`);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(page: Page, name: string, at: TestServer): Promise<void> {
    await page.goto(at.url("/"));
    await page.fill("#name", name);
    await Promise.all([page.waitForURL(at.url("/")), page.click("#loginform input[type=submit]")]);
    await page.waitForSelector("#messageform");
  }

  async function say(page: Page, text: string): Promise<void> {
    const before = await page.locator("#inbox .message").count();
    await page.fill("#message", text);
    await page.press("#message", "Enter");
    await page.waitForFunction(`document.querySelectorAll("#inbox .message").length > ${before}`);
  }

  /** Widest element's right edge beyond the viewport, in CSS pixels (0 when nothing overflows). */
  function overflow(page: Page): Promise<number> {
    // A string, as these specs compile without the DOM library.
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
  }

  function fontSizeOf(page: Page, selector: string): Promise<number> {
    return page.evaluate(`parseFloat(getComputedStyle(document.querySelector(${JSON.stringify(selector)})).fontSize)`);
  }

  it("links a favicon that the server serves as SVG, a touch icon, and /favicon.ico for the rest", async () => {
    const page = await browser!.newPage();
    await page.goto(server.url("/auth/login"));
    for (const [selector, type] of [["link[rel=icon]", "image/svg+xml"], ["link[rel=apple-touch-icon]", "image/png"]]) {
      const href = await page.getAttribute(selector, "href");
      const res = await fetch(server.url(href!));
      expect(res.status, selector).to.equal(200);
      expect(res.headers.get("content-type"), selector).to.equal(type);
    }
    const ico = await fetch(server.url("/favicon.ico"));
    expect(ico.status).to.equal(200);
    expect(Buffer.from(await ico.arrayBuffer()).subarray(0, 4)).to.deep.equal(Buffer.from([0, 0, 1, 0])); // an ICO header
    await page.close();
  });

  for (const screen of SCREENS) {
    describe(`at ${screen.width}×${screen.height} (${screen.name})`, () => {
      it("shows a sign-in form that fits, with a 16px+ field (no zoom-on-focus on phones)", async () => {
        const context = await browser!.newContext({ viewport: { width: screen.width, height: screen.height } });
        const page = await context.newPage();
        await page.goto(server.url("/auth/login"));
        expect(await page.getAttribute("meta[name=viewport]", "content")).to.contain("width=device-width");
        expect(await overflow(page)).to.equal(0);
        const box = (await page.locator("#loginform").boundingBox())!;
        expect(box.x).to.be.at.least(0);
        expect(box.x + box.width).to.be.at.most(screen.width);
        const fontSize = await fontSizeOf(page, "#name");
        expect(fontSize).to.be.at.least(16);
        await page.screenshot({ path: path.join(SCREENSHOTS, `chat-login-${screen.name}.png`) });
        await context.close();
      });

      it("shows the room with own messages on the right and the compose bar on screen", async () => {
        // A room of its own, so the other screen's messages are not in this one.
        const room = await startTestServer(makeChatApplication().app);
        const contexts = await Promise.all([0, 1].map(() => browser!.newContext({ viewport: { width: screen.width, height: screen.height } })));
        const [alice, bob] = await Promise.all(contexts.map((c) => c.newPage()));
        await signIn(alice, "alice", room);
        await signIn(bob, "bob", room);
        await say(alice, "Hi Bob! Did you see the new release notes?");
        await say(bob, "Yes: https://www.tornadoweb.org/en/stable/releases.html, and a long word: Donaudampfschifffahrtsgesellschaftskapitänsmütze");
        await say(alice, "Nice. The chat reloads itself after a restart now!");
        await bob.waitForSelector("text=reloads itself");

        expect(await overflow(bob)).to.equal(0);
        const mine = bob.locator("#inbox .message.mine");
        const theirs = bob.locator("#inbox .message:not(.mine)");
        expect(await mine.count()).to.equal(1);
        expect(await theirs.count()).to.equal(2);
        const mineBox = (await mine.first().boundingBox())!;
        const theirsBox = (await theirs.first().boundingBox())!;
        expect(mineBox.x + mineBox.width).to.be.greaterThan(theirsBox.x + theirsBox.width);
        for (const selector of ["#message", "#messageform button"]) {
          const box = (await bob.locator(selector).boundingBox())!;
          expect(box.y + box.height, selector).to.be.at.most(screen.height);
          expect(box.x + box.width, selector).to.be.at.most(screen.width);
        }
        expect((await bob.locator("#message").boundingBox())!.width).to.be.at.least(200);
        const fontSize = await fontSizeOf(bob, "#inbox .message .bubble");
        expect(fontSize).to.be.at.least(15);
        await bob.screenshot({ path: path.join(SCREENSHOTS, `chat-room-${screen.name}.png`) });
        await bob.emulateMedia({ colorScheme: "dark" });
        await bob.screenshot({ path: path.join(SCREENSHOTS, `chat-room-${screen.name}-dark.png`) });
        await Promise.all(contexts.map((c) => c.close()));
        await room.close();
      });
    });
  }
});
