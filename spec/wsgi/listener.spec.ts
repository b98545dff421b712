import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import express from "express";
import { Application } from "../../src/web/application";
import { Asynchronous, Route, XsrfExempt } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";
import { toRequestListener } from "../../src/wsgi/listener";
import { BrowserLikeClient } from "../support/cookiejar";
import { chunkedUpload } from "../support/chunked_upload";

describe("toRequestListener: a tornado-ts Application mounted at /tt in Express 5", () => {
  let server: http.Server;
  let base: string;
  let port: number;
  let staticDir: string;
  const polls = { waiting: [] as RequestHandler[], closed: 0 };

  @Route("/tt/hello")
  class Hello extends RequestHandler {
    get(): void {
      this.write({ path: this.request.path, ip: this.request.remoteIp, host: this.request.host });
    }
  }

  @Route("/tt/login")
  class Login extends RequestHandler {
    post(): void {
      this.setSecureCookie("user", this.getArgument("name")!);
      this.setCookie("plain", "yes");
      this.write("ok");
    }
  }

  @Route("/tt/me")
  class Me extends RequestHandler {
    get(): void {
      this.write({ user: this.getSecureCookie("user"), plain: this.getCookie("plain") ?? null });
    }
  }

  @Route("/tt/form")
  class Form extends RequestHandler {
    get(): void {
      this.write(this.xsrfToken);
    }
    post(): void {
      this.write("accepted " + this.getArgument("v"));
    }
  }

  @Route("/tt/upload")
  class Upload extends RequestHandler {
    @XsrfExempt
    put(): void {
      this.write({ length: this.request.body.length, sha256: createHash("sha256").update(this.request.body).digest("hex") });
    }
  }

  @Route("/tt/poll")
  class Poll extends RequestHandler {
    @Asynchronous
    get(): void {
      this.setHeader("Content-Type", "text/plain");
      polls.waiting.push(this);
    }
    override onConnectionClose(): void {
      polls.closed++;
    }
  }

  @Route("/tt/poke")
  class Poke extends RequestHandler {
    post(): void {
      const waiting = polls.waiting.splice(0);
      for (const h of waiting) h.finish("news: " + this.getArgument("msg"));
      this.write(String(waiting.length));
    }
  }

  @Route("/tt/boom")
  class Boom extends RequestHandler {
    get(): void {
      throw new Error("kaboom");
    }
  }

  before(async () => {
    staticDir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-wsgi-"));
    fs.writeFileSync(path.join(staticDir, "site.css"), "body { color: red }\n");
    const app = new Application([Hello, Login, Me, Form, Upload, Poll, Poke, Boom], {
      cookieSecret: "a secret long enough for the spec",
      xsrfCookies: true,
      staticPath: staticDir,
      staticUrlPrefix: "/tt/static/",
    });
    const host = express();
    host.get("/express-own", (_req, res) => {
      res.send("from express");
    });
    host.use("/tt", toRequestListener(app));
    server = http.createServer(host);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(staticDir, { recursive: true, force: true });
  });

  it("routes on the full URL the client sent, next to Express's own routes", async () => {
    const res = await fetch(base + "/tt/hello?x=1");
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ path: "/tt/hello", ip: "127.0.0.1", host: `127.0.0.1:${port}` });
    expect(await (await fetch(base + "/express-own")).text()).to.equal("from express");
  });

  it("answers 404 from tornado-ts for unknown paths under the mount", async () => {
    const res = await fetch(base + "/tt/nothing-here");
    expect(res.status).to.equal(404);
  });

  it("sets and reads plain and secure cookies across requests", async () => {
    const client = new BrowserLikeClient(base);
    await client.fetch("/tt/form"); // xsrf cookie first
    const login = await client.postForm("/tt/login", { name: "ada" });
    expect(login.status).to.equal(200);
    expect(login.headers.getSetCookie().length).to.be.at.least(2);
    const me = await client.fetch("/tt/me");
    expect(await me.json()).to.deep.equal({ user: "ada", plain: "yes" });
  });

  it("refuses a POST without the XSRF token and accepts it with one", async () => {
    const client = new BrowserLikeClient(base);
    const token = await (await client.fetch("/tt/form")).text();
    expect(token).to.have.length.greaterThan(10);
    expect((await client.postForm("/tt/form", { v: "1" }, false)).status).to.equal(403);
    const ok = await client.postForm("/tt/form", { v: "2" });
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal("accepted 2");
  });

  it("serves static files with validators, and 304 on a matching If-None-Match", async () => {
    const res = await fetch(base + "/tt/static/site.css");
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal("body { color: red }\n");
    const etag = res.headers.get("etag");
    expect(etag).to.be.a("string");
    const again = await fetch(base + "/tt/static/site.css", { headers: { "If-None-Match": etag! } });
    expect(again.status).to.equal(304);
  });

  it("receives a chunked streamed upload whole", async () => {
    const parts = Array.from({ length: 20 }, (_, i) => Buffer.alloc(10_000, i));
    const res = await chunkedUpload(port, "/tt/upload", parts);
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body)).to.deep.equal({ length: 200_000, sha256: createHash("sha256").update(Buffer.concat(parts)).digest("hex") });
  });

  it("refuses a body over maxBodySize with 413", async () => {
    const app = new Application([Upload]);
    const small = http.createServer(toRequestListener(app, { maxBodySize: 1000 }));
    await new Promise<void>((resolve) => small.listen(0, "127.0.0.1", resolve));
    try {
      const res = await chunkedUpload((small.address() as AddressInfo).port, "/tt/upload", [Buffer.alloc(800), Buffer.alloc(800)]);
      expect(res.status).to.equal(413);
    } finally {
      small.closeAllConnections();
      small.close();
    }
  });

  it("holds a long poll open until another request answers it", async () => {
    const pending = fetch(base + "/tt/poll");
    while (polls.waiting.length === 0) await new Promise((r) => setTimeout(r, 10));
    const client = new BrowserLikeClient(base);
    await client.fetch("/tt/form");
    const poke = await client.postForm("/tt/poke", { msg: "hi" });
    expect(await poke.text()).to.equal("1");
    const res = await pending;
    expect(await res.text()).to.equal("news: hi");
  });

  it("tells a long poll when its client goes away", async () => {
    const before = polls.closed;
    const req = http.get({ port, host: "127.0.0.1", path: "/tt/poll" });
    req.on("error", () => undefined);
    while (polls.waiting.length === 0) await new Promise((r) => setTimeout(r, 10));
    req.destroy();
    while (polls.closed === before) await new Promise((r) => setTimeout(r, 10));
    expect(polls.closed).to.equal(before + 1);
    polls.waiting.splice(0);
  });

  it("answers a handler's exception with tornado-ts's 500 page", async () => {
    const res = await fetch(base + "/tt/boom");
    expect(res.status).to.equal(500);
  });
});
