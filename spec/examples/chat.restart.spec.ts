import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, SCREENSHOTS } from "../support/browser";

// `npm start` as a user runs it, restarted under an open page. With the cookie secret kept in
// the state folder the page goes on posting; when the server no longer accepts its cookies (a
// new secret) the page goes back to the sign-in form instead of failing silently.

const MAIN = path.join(__dirname, "../../examples/chat/main.js");

interface Chat { child: ChildProcess; port: number; output: () => string }

/** Starts the chat demo with `args` and the state folder `stateHome`; resolves once it listens. */
function startChat(stateHome: string, args: string[]): Promise<Chat> {
  const child = spawn(process.execPath, [MAIN, "--logging=none", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, XDG_STATE_HOME: stateHome },
  });
  let out = "";
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)\//.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out });
    });
    child.once("exit", (code) => reject(new Error(`chat demo exited with ${code}: ${out}`)));
  });
}

async function stopChat(chat: Chat): Promise<void> {
  if (chat.child.exitCode !== null || chat.child.signalCode !== null) return;
  const exited = new Promise((resolve) => chat.child.once("exit", resolve));
  chat.child.kill("SIGTERM");
  await exited;
}

describe("examples/chat across a server restart", function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let stateHome: string;
  const running: Chat[] = [];

  before(async function () {
    browser = await launchChromium(this);
  });
  beforeEach(() => {
    stateHome = fs.mkdtempSync(path.join(os.tmpdir(), "chat-state-"));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map(stopChat));
    fs.rmSync(stateHome, { recursive: true, force: true });
  });
  after(async () => {
    await browser?.close();
  });

  async function start(args: string[]): Promise<Chat> {
    const chat = await startChat(stateHome, args);
    running.push(chat);
    return chat;
  }

  async function restart(chat: Chat, args: string[] = []): Promise<Chat> {
    await stopChat(chat);
    running.splice(running.indexOf(chat), 1);
    return start([`--port=${chat.port}`, ...args]);
  }

  async function signedInPage(port: number, name: string): Promise<Page> {
    const page = await browser!.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.fill("#name", name);
    await Promise.all([page.waitForURL(`http://127.0.0.1:${port}/`), page.click("#loginform input[type=submit]")]);
    await page.waitForSelector("#messageform");
    return page;
  }

  async function say(page: Page, text: string): Promise<void> {
    await page.fill("#message", text);
    await page.press("#message", "Enter");
  }

  it("keeps the cookie secret in $XDG_STATE_HOME/tornado-ts/chat-cookie-secret, private, across starts", async () => {
    const chat = await start(["--port=0"]);
    const file = path.join(stateHome, "tornado-ts", "chat-cookie-secret");
    const secret = fs.readFileSync(file, "utf8");
    expect(secret.trim()).to.have.length.of.at.least(32);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(chat.output()).to.contain(`cookie secret from ${file}`);
    await restart(chat);
    expect(fs.readFileSync(file, "utf8")).to.equal(secret);
  });

  it("lets an open page go on posting after a restart with the same secret, showing the new history", async () => {
    const chat = await start(["--port=0"]);
    const alice = await signedInPage(chat.port, "alice");
    const bob = await signedInPage(chat.port, "bob");
    await say(alice, "before the restart");
    await bob.waitForSelector("text=before the restart");
    let reloads = 0;
    alice.on("load", () => reloads++);

    const again = await restart(chat);
    await say(alice, "after the restart");
    // The new server's history starts over (ids from 1 again): both pages replace what they showed.
    for (const page of [alice, bob]) {
      await page.waitForSelector("#inbox .message >> text=after the restart", { timeout: 20_000 });
      await page.waitForFunction('!document.querySelector("#inbox").textContent.includes("before the restart")', undefined, { timeout: 20_000 });
    }
    expect(reloads).to.equal(0);
    expect(alice.url()).to.equal(`http://127.0.0.1:${again.port}/`);
    await say(bob, "and a reply");
    await alice.waitForSelector("#inbox .message >> text=and a reply", { timeout: 20_000 });
    await alice.screenshot({ path: path.join(SCREENSHOTS, "chat-after-restart-phone.png") });
    await Promise.all([alice.close(), bob.close()]);
  });

  it("sends an open page back to the sign-in form, keeping the unsent text, when the new server refuses its cookie", async () => {
    const chat = await start(["--port=0"]);
    const page = await signedInPage(chat.port, "carol");
    await restart(chat, ["--cookie-secret=" + "another secret, so the old sign-in cookie is refused"]);
    await say(page, "typed while the server was away");
    await page.waitForURL(/\/auth\/login\?next=%2F$/, { timeout: 20_000 });
    await page.waitForSelector("#loginform");
    expect(await page.textContent("#notice")).to.contain("You were signed out").and.contain("unsent message is kept");
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "chat-refused-phone.png") });
    await page.fill("#name", "carol");
    await page.click("#loginform input[type=submit]");
    await page.waitForSelector("#messageform");
    expect(await page.inputValue("#message")).to.equal("typed while the server was away");
    await page.close();
  });
});
