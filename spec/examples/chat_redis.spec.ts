import { expect } from "chai";
import http from "node:http";
import Redis from "ioredis";
import { makeChatApplication } from "../../examples/chat/app";
import { RedisMessageBuffer } from "../../examples/chat/redis_buffer";
import { startTestServer, type TestServer } from "../../src/testing";
import { websocketConnect, type WebSocketClientConnection } from "../../src/websocket";
import { BrowserLikeClient } from "../support/cookiejar";
import { needs } from "../support/services";
import { portOpen } from "../../examples/deploy/layout";

const REDIS = "redis://127.0.0.1:6379";
const SECRET = "the same secret on every frontend";

interface Frontend { server: TestServer; store: RedisMessageBuffer }
interface Reply { messages: { id: number; body: string }[] }

/** A long poll on its own connection; resolves with the JSON reply. */
function longPoll(port: number, c: BrowserLikeClient, cursor?: number): Promise<Reply> {
  const fields: Record<string, string> = { _xsrf: decodeURIComponent(c.cookies.get("_xsrf")!) };
  if (cursor !== undefined) fields.cursor = String(cursor);
  const body = new URLSearchParams(fields).toString();
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/a/message/updates", method: "POST", agent: false,
      headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      let data = "";
      res.on("data", (d) => (data += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(data) as Reply) : reject(new Error(`status ${res.statusCode}: ${data}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
  reply.catch(() => undefined);
  return reply;
}

/** Fails when `p` does not settle within `ms` (a generous bound: this checks delivery, not speed). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

function messageIds(html: string): number[] {
  return [...html.matchAll(/id="m([0-9]+)"/g)].map((m) => Number(m[1]));
}

describe("examples/chat across frontends through Redis", function () {
  this.timeout(60_000);
  const prefix = `chat-spec-${process.pid}-${Date.now()}`;
  const frontends: Frontend[] = [];
  let admin: Redis | undefined;
  let user: BrowserLikeClient;

  before(async function () {
    needs(this, "Redis on 127.0.0.1:6379", await portOpen(6379), "apt-get install -y redis-server; redis-server --daemonize yes");
    admin = new Redis(REDIS);
    for (const name of ["a", "b"]) {
      const store = await RedisMessageBuffer.connect(REDIS, { prefix, name: `${prefix}-${name}` });
      const { app } = makeChatApplication({ cookieSecret: SECRET }, store);
      frontends.push({ server: await startTestServer(app), store });
    }
    user = new BrowserLikeClient(frontends[0].server.url(""));
    await user.fetch("/auth/login");
    expect((await user.postForm("/auth/login", { name: "ada", next: "/" })).status).to.equal(302);
  });

  after(async () => {
    for (const f of frontends) {
      await f.server.close();
      await f.store.close();
    }
    if (admin) {
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length) await admin.del(...keys);
      admin.disconnect();
    }
  });

  const [a, b] = [() => frontends[0], () => frontends[1]];

  async function post(f: Frontend, body: string): Promise<number> {
    const c = new BrowserLikeClient(f.server.url(""));
    for (const [k, v] of user.cookies) c.cookies.set(k, v);
    const res = await c.postForm("/a/message/new", { body });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { id: number }).id;
  }

  function socketOn(f: Frontend, cursor?: number): Promise<WebSocketClientConnection> {
    const cookie = [...user.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const query = cursor === undefined ? "" : `?cursor=${cursor}`;
    return websocketConnect(`ws://127.0.0.1:${f.server.port}/a/message/socket${query}`, { headers: { Cookie: cookie } });
  }

  it("delivers a message posted on A to a long poll and a WebSocket on B", async () => {
    const poll = longPoll(b().server.port, user);
    const ws = await socketOn(b());
    await new Promise((r) => setTimeout(r, 100)); // both waiters registered on B
    const id = await post(a(), "from A to B");
    const polled = await within(poll, 10_000, "long-poll reply on B");
    expect(polled.messages.map((m) => [m.id, m.body])).to.deep.equal([[id, "from A to B"]]);
    const pushed = JSON.parse((await within(ws.readMessage(), 10_000, "WebSocket message on B")) as string) as Reply;
    expect(pushed.messages.map((m) => m.id)).to.deep.equal([id]);
    ws.close();
  });

  it("shows the same history on both frontends after a reload", async () => {
    await post(b(), "from B");
    await new Promise((r) => setTimeout(r, 200));
    const pages = await Promise.all(frontends.map(async (f) => {
      const c = new BrowserLikeClient(f.server.url(""));
      for (const [k, v] of user.cookies) c.cookies.set(k, v);
      return messageIds(await (await c.fetch("/")).text());
    }));
    expect(pages[0].length).to.be.greaterThan(1);
    expect(pages[1]).to.deep.equal(pages[0]);
  });

  it("keeps serving when it loses Redis, and receives again once it reconnected", async () => {
    const list = (await admin!.client("LIST")) as string;
    const ids = list.split("\n").filter((l) => l.includes(`name=${prefix}-b-`)).map((l) => /\bid=([0-9]+)/.exec(l)![1]);
    expect(ids).to.have.length(2);
    for (const id of ids) await admin!.client("KILL", "ID", id);

    const c = new BrowserLikeClient(b().server.url(""));
    for (const [k, v] of user.cookies) c.cookies.set(k, v);
    const page = await c.fetch("/");
    expect(page.status).to.equal(200);
    expect(messageIds(await page.text()).length).to.be.greaterThan(1);

    // Whether the message comes by the re-established subscription or by the catch-up read after
    // reconnecting, B's waiter gets it.
    const cursor = Math.max(...b().store.since(null).map((m) => m.id));
    const poll = longPoll(b().server.port, user, cursor);
    const id = await post(a(), "after the outage");
    const polled = await within(poll, 20_000, "long-poll reply on B after the reconnect");
    expect(polled.messages.map((m) => m.id)).to.include(id);
  });
});
