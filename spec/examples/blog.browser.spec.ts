import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { makeBlogApplication } from "../../examples/blog/app";
import { renderMarkdown } from "../../examples/blog/markdown";
import type { BlogStore } from "../../examples/blog/store";
import type { Connection } from "../../src/database";
import { startTestServer, type TestServer } from "../../src/testing";
import { needs } from "../support/services";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];
/** Where the screenshots go (ignored by git): look at them after a run. */
const SHOTS = path.resolve(__dirname, "../../../.build/screenshots");

const EARLIER = [
  { title: "Notes from a slow week", days: 9, markdown: "Not much happened, which was the point.\n\nI read two books, fixed the bike's back brake, and finally\nlearned how the kitchen radio's alarm works. Some weeks are for *keeping up*, not for making things." },
  { title: "Why I keep a plain-text blog", days: 3, markdown: "A blog is a notebook that other people can read over your shoulder.\n\n> Write the things you would want to find again.\n\nThree rules I try to keep:\n\n1. One idea per entry.\n2. Say when something was wrong, and link to the fix.\n3. Keep it fast: no trackers, no pop-ups, just text." },
];

describe("examples/blog in Chromium", function () {
  this.timeout(90_000);
  let server: TestServer;
  let db: Connection;
  let store: BlogStore;
  let dir: string;
  let browser: import("playwright-core").Browser | undefined;

  before(async function () {
    needs(this, "Chromium", existsSync(CHROMIUM), "apt-get install -y chromium");
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    dir = mkdtempSync(path.join(tmpdir(), "tornado-blog-"));
    const blog = await makeBlogApplication({ database: `sqlite:${path.join(dir, "blog.db")}` });
    db = blog.db;
    store = blog.store;
    server = await startTestServer(blog.app);
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("signs in as the first author, composes an entry in the page, and shows it on the home page and in the feed", async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(server.url("/"));
    expect(await page.textContent("main")).to.contain("Nothing here yet");
    await page.click("main a[href=\"/auth/login?next=%2Fcompose\"]");
    await page.fill("#email", "ada@example.com");
    await page.fill("#name", "Ada Lovelace");
    await page.fill("#password", "analytical-engine");
    await Promise.all([page.waitForURL(server.url("/compose")), page.click("#signin")]);

    // Earlier entries, straight into the store, so the home page looks lived-in.
    const author = (await store.authorByEmail("ada@example.com"))!;
    for (const e of EARLIER) await store.create(author.id, e.title, e.markdown, renderMarkdown(e.markdown), Date.now() - e.days * 86_400_000);

    await page.fill("#title", "On the Analytical Engine");
    await page.fill("#markdown", [
      "The engine *weaves algebraic patterns* just as the Jacquard loom weaves flowers and leaves.",
      "",
      "## What it can do",
      "",
      "- add, subtract, multiply and divide",
      "- repeat a sequence of operations (a **loop**, we would say)",
      "- keep results on the *store* for later steps",
      "",
      "A small example of the idea, in today's notation:",
      "",
      "```",
      "for (let n = 1; n <= 10; n++) table.push(bernoulli(n));",
      "```",
      "",
      "> It might act upon other things besides number.",
    ].join("\n"));
    await Promise.all([page.waitForURL(server.url("/entry/on-the-analytical-engine")), page.click("#publish")]);
    expect(await page.textContent("h1.entrytitle")).to.equal("On the Analytical Engine");
    expect(await page.innerHTML(".entry .body")).to.contain("<strong>loop</strong>");
    await page.screenshot({ path: path.join(SHOTS, "blog-entry-1280x800.png") });

    await page.goto(server.url("/"));
    const titles = await page.$$eval("h1.entrytitle", (hs) => hs.map((h) => h.textContent));
    expect(titles).to.deep.equal(["On the Analytical Engine", "Why I keep a plain-text blog", "Notes from a slow week"]);
    await page.screenshot({ path: path.join(SHOTS, "blog-home-1280x800.png") });

    const feed = await page.request.get(server.url("/feed"));
    expect(feed.headers()["content-type"]).to.contain("application/atom+xml");
    expect(await feed.text()).to.contain("<title type=\"text\">On the Analytical Engine</title>");
    await context.close();
  });

  it("reads well on a phone-sized screen", async () => {
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(server.url("/"));
    // Nothing wider than the screen: no sideways scrolling.
    expect((await page.evaluate("document.documentElement.scrollWidth")) as number).to.be.at.most(390);
    await page.screenshot({ path: path.join(SHOTS, "blog-home-390x844.png") });
    await page.goto(server.url("/entry/on-the-analytical-engine"));
    expect((await page.evaluate("document.documentElement.scrollWidth")) as number).to.be.at.most(390);
    await page.screenshot({ path: path.join(SHOTS, "blog-entry-390x844.png") });
    await context.close();
  });
});
