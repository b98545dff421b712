import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import express from "express";
import { HTTPServer } from "../../src/httpserver";
import { Application } from "../../src/web/application";
import { Route } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";
import { NodeHandlerContainer } from "../../src/wsgi/container";
import { FallbackHandler } from "../../src/wsgi/fallback";
import { BrowserLikeClient } from "../support/cookiejar";
import { chunkedUpload } from "../support/chunked_upload";

describe("NodeHandlerContainer: an Express 5 app under /legacy on tornado-ts's HTTPServer", () => {
  let server: HTTPServer;
  let port: number;
  let base: string;
  let staticDir: string;
  const polls: { waiting: express.Response[]; closed: number } = { waiting: [], closed: 0 };

  @Route("/native")
  class Native extends RequestHandler {
    get(): void {
      this.write("native " + this.xsrfToken.length);
    }
    post(): void {
      this.write("native post");
    }
  }

  before(async () => {
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-legacy-"));
    fs.writeFileSync(path.join(staticDir, "app.js"), "console.log('legacy');\n");
    const legacy = express();
    legacy.set("env", "test"); // finalhandler stays quiet about the deliberate 500
    legacy.get("/legacy/hello", (req, res) => {
      res.json({ path: req.path, query: req.query, ip: req.ip, protocol: req.protocol });
    });
    legacy.get("/legacy/set", (_req, res) => {
      res.cookie("flavour", "oat", { httpOnly: true });
      res.cookie("size", "big");
      res.send("set");
    });
    legacy.get("/legacy/cookies", (req, res) => {
      res.send(req.headers.cookie ?? "");
    });
    legacy.post("/legacy/form", express.urlencoded({ extended: false }), (req, res) => {
      res.send("legacy got " + (req.body as Record<string, string>).v);
    });
    legacy.use("/legacy/static", express.static(staticDir));
    legacy.put("/legacy/upload", (req, res) => {
      const hash = createHash("sha256");
      let length = 0;
      req.on("data", (d: Buffer) => {
        length += d.length;
        hash.update(d);
      });
      req.on("end", () => res.json({ length, sha256: hash.digest("hex") }));
    });
    legacy.get("/legacy/poll", (req, res) => {
      polls.waiting.push(res);
      req.on("close", () => {
        if (!res.writableEnded) polls.closed++;
      });
    });
    legacy.post("/legacy/poke", (_req, res) => {
      const waiting = polls.waiting.splice(0);
      for (const r of waiting) r.send("news");
      res.send(String(waiting.length));
    });
    legacy.get("/legacy/boom", () => {
      throw new Error("legacy kaboom");
    });

    const app = new Application([[String.raw`/legacy(?:/.*)?`, FallbackHandler, { fallback: new NodeHandlerContainer(legacy) }], Native], {
      xsrfCookies: true,
    });
    server = new HTTPServer(app);
    await server.listen(0, "127.0.0.1");
    port = server.address()!.port;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await server.stop();
    fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it("passes the path, query and client address to Express, next to native handlers", async () => {
    const res = await fetch(base + "/legacy/hello?a=1&b=two");
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ path: "/legacy/hello", query: { a: "1", b: "two" }, ip: "127.0.0.1", protocol: "http" });
    expect(await (await fetch(base + "/native")).text()).to.match(/^native \d+$/);
  });

  it("carries Set-Cookie out and Cookie in", async () => {
    const client = new BrowserLikeClient(base);
    const set = await client.fetch("/legacy/set");
    expect(set.headers.getSetCookie()).to.have.length(2);
    const back = await client.fetch("/legacy/cookies");
    expect(await back.text()).to.equal("flavour=oat; size=big");
  });

  it("leaves XSRF to the legacy app while native routes keep enforcing it", async () => {
    const client = new BrowserLikeClient(base);
    const legacy = await client.postForm("/legacy/form", { v: "7" }, false);
    expect(await legacy.text()).to.equal("legacy got 7");
    expect((await client.postForm("/native", {}, false)).status).to.equal(403);
    await client.fetch("/native");
    expect((await client.postForm("/native", {})).status).to.equal(200);
  });

  it("serves Express's static files, with its 304", async () => {
    const res = await fetch(base + "/legacy/static/app.js");
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal("console.log('legacy');\n");
    const etag = res.headers.get("etag")!;
    // Plain http.get: fetch adds `Cache-Control: no-cache` to conditional requests, which Express honours.
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ port, host: "127.0.0.1", path: "/legacy/static/app.js", headers: { "If-None-Match": etag } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      }).on("error", reject);
    });
    expect(status).to.equal(304);
  });

  it("delivers a chunked streamed upload to the Express request stream", async () => {
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(10_000, i + 1));
    const res = await chunkedUpload(port, "/legacy/upload", parts);
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.deep.equal({ length: 200_000, sha256: createHash("sha256").update(Buffer.concat(parts)).digest("hex") });
  });

  it("holds a long poll until another request answers it", async () => {
    const pending = fetch(base + "/legacy/poll");
    while (polls.waiting.length === 0) await new Promise((r) => setTimeout(r, 10));
    const poke = await fetch(base + "/legacy/poke", { method: "POST" });
    expect(await poke.text()).to.equal("1");
    expect(await (await pending).text()).to.equal("news");
  });

  it("closes the Express request when the client goes away mid-poll", async () => {
    const before = polls.closed;
    const req = http.get({ port, host: "127.0.0.1", path: "/legacy/poll" });
    req.on("error", () => undefined);
    while (polls.waiting.length === 0) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    while (polls.closed === before) await new Promise((r) => setTimeout(r, 10));
    expect(polls.closed).to.equal(before + 1);
    polls.waiting.splice(0);
  });

  it("keeps the client's connection alive across legacy and native responses", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    const get = (p: string): Promise<string> =>
      new Promise((resolve, reject) => {
        http.get({ port, host: "127.0.0.1", path: p, agent }, (res) => {
          ports.push(res.socket.localPort!);
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve(body));
        }).on("error", reject);
      });
    try {
      expect(await get("/legacy/set")).to.equal("set");
      expect(await get("/native")).to.match(/^native/);
      expect(await get("/legacy/static/app.js")).to.contain("legacy");
      expect(new Set(ports).size).to.equal(1);
    } finally {
      agent.destroy();
    }
  });

  it("answers HEAD without a body and keeps the status of Express errors", async () => {
    const head = await fetch(base + "/legacy/hello", { method: "HEAD" });
    expect(head.status).to.equal(200);
    expect(await head.text()).to.equal("");
    const boom = await fetch(base + "/legacy/boom");
    expect(boom.status).to.equal(500);
  });
});
