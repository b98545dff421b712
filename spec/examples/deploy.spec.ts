import { expect } from "chai";
import { existsSync } from "node:fs";
import http from "node:http";
import * as net from "node:net";
import path from "node:path";
import Redis from "ioredis";
import { exampleDir } from "../../examples/assets";
import { NGINX, portOpen, startLayout, type Layout } from "../../examples/deploy/layout";
import { websocketConnect, type WebSocketClientConnection } from "../../src/websocket";
import { BrowserLikeClient } from "../support/cookiejar";
import { needs } from "../support/services";

interface Reply { messages: { id: number; body: string }[] }

/** Free TCP ports on 127.0.0.1 (bound to port 0, then released). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function cookieHeader(c: BrowserLikeClient): string {
  return [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** A long poll straight to `port`; resolves with its JSON reply. */
function longPoll(port: number, c: BrowserLikeClient, cursor?: number): Promise<Reply> {
  const fields: Record<string, string> = { _xsrf: decodeURIComponent(c.cookies.get("_xsrf")!) };
  if (cursor !== undefined) fields.cursor = String(cursor);
  const body = new URLSearchParams(fields).toString();
  const reply = new Promise<Reply>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/a/message/updates", method: "POST", agent: false,
      headers: { Cookie: cookieHeader(c), "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      let data = "";
      res.on("data", (d) => (data += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(data) as Reply) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
  reply.catch(() => undefined);
  return reply;
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

describe("examples/deploy: nginx in front of chat frontends sharing Redis", function () {
  this.timeout(120_000);
  const prefix = `deploy-spec-${process.pid}-${Date.now()}`;
  let layout: Layout | undefined;
  let user: BrowserLikeClient;
  let base: string;

  before(async function () {
    needs(this, "nginx", existsSync(NGINX), "apt-get install -y nginx");
    needs(this, "Redis on 127.0.0.1:6379", await portOpen(6379), "apt-get install -y redis-server; redis-server --daemonize yes");
    const [port, ...frontendPorts] = await freePorts(3);
    layout = await startLayout({
      port, frontendPorts, staticPath: path.join(exampleDir("chat"), "static"), frontendArgs: [`--redis-prefix=${prefix}`, "--logging=warning"],
    });
    base = `http://127.0.0.1:${port}`;
    user = new BrowserLikeClient(base);
    await user.fetch("/auth/login");
    expect((await user.postForm("/auth/login", { name: "grace", next: "/" })).status).to.equal(302);
  });

  after(async () => {
    await layout?.stop();
    const admin = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
    try {
      await admin.connect();
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length) await admin.del(...keys);
    } catch {
      // nothing to clean up without Redis
    } finally {
      admin.disconnect();
    }
  });

  async function post(body: string): Promise<{ status: number; id?: number }> {
    const res = await user.postForm("/a/message/new", { body });
    return { status: res.status, id: res.status === 200 ? ((await res.json()) as { id: number }).id : undefined };
  }

  function socket(cursor?: number): Promise<WebSocketClientConnection> {
    const query = cursor === undefined ? "" : `?cursor=${cursor}`;
    return websocketConnect(`ws://127.0.0.1:${layout!.port}/a/message/socket${query}`, { headers: { Cookie: cookieHeader(user), Origin: base } });
  }

  it("serves static files from nginx itself, with far-future expiry for versioned URLs", async () => {
    const res = await fetch(`${base}/static/chat.css?v=abc`);
    expect(res.status).to.equal(200);
    expect(res.headers.get("server")).to.match(/^nginx/);
    expect(res.headers.get("cache-control")).to.equal("max-age=315360000");
    const page = await user.fetch("/");
    expect(page.headers.get("server")).to.match(/^TornadoServer/);
  });

  it("passes the client's address and scheme to the frontends, which read them with xheaders", async () => {
    const viaNginx = await (await user.fetch("/a/connection", { headers: { "X-Real-IP": "6.6.6.6" } })).json();
    expect(viaNginx).to.deep.equal({ remoteIp: "127.0.0.1", protocol: "http" }); // nginx overwrites the forged header
    const direct = new BrowserLikeClient(`http://127.0.0.1:${layout!.frontends[0].port}`);
    for (const [k, v] of user.cookies) direct.cookies.set(k, v);
    const behindTls = await (await direct.fetch("/a/connection", { headers: { "X-Real-IP": "10.1.2.3", "X-Scheme": "https" } })).json();
    expect(behindTls).to.deep.equal({ remoteIp: "10.1.2.3", protocol: "https" });
  });

  it("delivers a message posted through nginx to long polls on every frontend and to a WebSocket through nginx", async () => {
    const polls = layout!.frontends.map((f) => longPoll(f.port, user));
    const ws = await socket();
    await new Promise((r) => setTimeout(r, 200));
    const { status, id } = await post("hello through nginx");
    expect(status).to.equal(200);
    for (const [i, p] of polls.entries()) {
      expect((await within(p, 10_000, `long-poll reply on frontend ${i}`)).messages.map((m) => m.id)).to.deep.equal([id]);
    }
    const pushed = JSON.parse((await within(ws.readMessage(), 10_000, "WebSocket push")) as string) as Reply;
    expect(pushed.messages.map((m) => m.id)).to.deep.equal([id]);
    ws.close();
  });

  it("loses no message and no request while each frontend is restarted in turn (SIGTERM, graceful stop)", async () => {
    // A page's worth of behaviour: a socket that reconnects with its cursor whenever it closes.
    const seen = new Set<number>();
    let cursor: number | undefined;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        let ws: WebSocketClientConnection;
        try {
          ws = await socket(cursor);
        } catch {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        for (;;) {
          const m = await ws.readMessage();
          if (m === null) break;
          for (const msg of (JSON.parse(m as string) as Reply).messages) {
            seen.add(msg.id);
            cursor = Math.max(cursor ?? 0, msg.id);
          }
          if (!watching) ws.close();
        }
      }
    })();

    const results: { status: number; id?: number }[] = [];
    let posting = true;
    const poster = (async () => {
      for (let i = 0; posting; i++) {
        results.push(await post(`rolling ${i}`).catch(() => ({ status: 0 })));
        await new Promise((r) => setTimeout(r, 30));
      }
    })();

    await new Promise((r) => setTimeout(r, 500));
    await layout!.restartFrontend(0);
    await new Promise((r) => setTimeout(r, 500));
    await layout!.restartFrontend(1);
    await new Promise((r) => setTimeout(r, 500));
    posting = false;
    await poster;

    expect(results.length).to.be.greaterThan(10);
    expect(results.filter((r) => r.status !== 200)).to.deep.equal([]);
    const posted = results.map((r) => r.id!);
    const deadline = Date.now() + 20_000;
    while (posted.some((id) => !seen.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    watching = false;
    expect(posted.filter((id) => !seen.has(id))).to.deep.equal([]);
    // Wake the watcher so it sees `watching` is off.
    await post("done");
    await within(watch, 20_000, "end of the watcher");
  });
});
