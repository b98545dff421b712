import { expect } from "chai";
import http from "node:http";
import { makeChatApplication } from "../../examples/chat/app";
import type { MessageBuffer } from "../../examples/chat/messages";
import { startTestServer, type TestServer } from "../../src/testing";
import { BrowserLikeClient } from "../support/cookiejar";

interface PostedMessage { id: number; from: string; body: string; html: string }

/** Polls `check` every 10 ms until it is true, failing after `ms`. */
async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("examples/chat", function () {
  this.timeout(30_000);
  let server: TestServer;
  let buffer: MessageBuffer;

  before(async () => {
    const chat = makeChatApplication();
    buffer = chat.buffer;
    server = await startTestServer(chat.app);
  });
  after(() => server.close());

  async function signedIn(name: string): Promise<BrowserLikeClient> {
    const c = new BrowserLikeClient(server.url(""));
    await c.fetch("/auth/login");
    const res = await c.postForm("/auth/login", { name, next: "/" });
    expect(res.status).to.equal(302);
    return c;
  }

  /** A raw long-poll request on its own connection; resolves with the parsed JSON reply. */
  function longPoll(c: BrowserLikeClient, path: string, fields: Record<string, string> = {}): { reply: Promise<{ messages: { id: number; body: string }[] }>; abort(): void } {
    const body = new URLSearchParams({ ...fields, _xsrf: decodeURIComponent(c.cookies.get("_xsrf")!) }).toString();
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let req!: http.ClientRequest;
    const reply = new Promise<{ messages: { id: number; body: string }[] }>((resolve, reject) => {
      req = http.request({ host: "127.0.0.1", port: server.port, path, method: "POST", agent: false,
        headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } }, (res) => {
        let data = "";
        res.on("data", (d) => (data += d));
        res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(data)) : reject(new Error(`status ${res.statusCode}: ${data}`))));
      });
      req.on("error", reject);
      req.end(body);
    });
    reply.catch(() => undefined);
    return { reply, abort: () => req.destroy() };
  }

  it("sends the login page to an anonymous visitor of the room", async () => {
    const res = await new BrowserLikeClient(server.url("")).fetch("/");
    expect(res.status).to.equal(302);
    expect(res.headers.get("location")).to.equal("/auth/login?next=%2F");
  });

  it("shows the room with the compose form, XSRF field and versioned static files once signed in", async () => {
    const c = await signedIn("ann");
    const html = await (await c.fetch("/")).text();
    expect(html).to.contain('id="messageform"').and.contain('name="_xsrf"').and.contain('<span class="user">ann</span>');
    expect(html).to.match(/src="\/static\/chat\.js\?v=[0-9a-f]+"/).and.match(/href="\/static\/chat\.css\?v=[0-9a-f]+"/);
  });

  it("delivers a posted message to a waiting long poll, escaped and linkified", async () => {
    const c = await signedIn("bob");
    const poll = longPoll(c, "/a/message/updates");
    await eventually(() => buffer.waiterCount >= 1, 2000, "the waiter");
    const res = await c.postForm("/a/message/new", { body: "<hi> http://example.com" });
    const posted = (await res.json()) as PostedMessage;
    const { messages } = await poll.reply;
    expect(messages.map((m) => m.id)).to.deep.equal([posted.id]);
    expect(posted.html).to.contain("&lt;hi&gt;").and.contain('<a href="http://example.com">');
  });

  it("catches a client up from its cursor without waiting", async () => {
    const c = await signedIn("cat");
    const first = (await (await c.postForm("/a/message/new", { body: "one" })).json()) as PostedMessage;
    await c.postForm("/a/message/new", { body: "two" });
    const { messages } = await longPoll(c, "/a/message/updates", { cursor: String(first.id) }).reply;
    expect(messages.map((m) => m.body)).to.deep.equal(["two"]);
  });

  for (const path of ["/a/message/updates", "/a/message/updates-async"]) {
    it(`answers a ${path} poll from another history (a restarted server) at once with this whole history`, async () => {
      const c = await signedIn("fay");
      const page = await (await c.fetch("/")).text();
      const epoch = /data-epoch="([^"]+)"/.exec(page)![1];
      expect(epoch).to.equal(buffer.epoch);
      const posted = (await (await c.postForm("/a/message/new", { body: "in this history" })).json()) as PostedMessage & { epoch: string };
      expect(posted.epoch).to.equal(epoch);
      const reply = (await longPoll(c, path, { epoch: "an-epoch-before-the-restart", cursor: "999999" }).reply) as unknown as {
        epoch: string; reset: boolean; messages: { id: number }[];
      };
      expect(reply.reset).to.equal(true);
      expect(reply.epoch).to.equal(epoch);
      expect(reply.messages.map((m) => m.id)).to.deep.equal(buffer.since(null).map((m) => m.id)).and.include(posted.id);
    });

    it(`leaves no waiter behind when a client closes its ${path} poll`, async () => {
      const c = await signedIn("dan");
      const before = buffer.waiterCount;
      const poll = longPoll(c, path);
      await eventually(() => buffer.waiterCount === before + 1, 2000, "the waiter to register");
      poll.abort();
      await eventually(() => buffer.waiterCount === before, 2000, "the waiter to be removed");
    });
  }

  it("holds 1,000 concurrent long polls and wakes every one with a single message", async () => {
    const c = await signedIn("eve");
    const base = buffer.waiterCount;
    const polls = Array.from({ length: 1000 }, (_, i) => longPoll(c, i % 2 ? "/a/message/updates" : "/a/message/updates-async"));
    await eventually(() => buffer.waiterCount === base + 1000, 20_000, "1,000 waiters");
    const posted = (await (await c.postForm("/a/message/new", { body: "to everyone" })).json()) as PostedMessage;
    const replies = await Promise.all(polls.map((p) => p.reply));
    expect(replies.filter((r) => r.messages.length === 1 && r.messages[0].id === posted.id)).to.have.length(1000);
    expect(buffer.waiterCount).to.equal(base);
  });
});
