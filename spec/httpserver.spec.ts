import { expect } from "chai";
import { HTTPServer } from "../src/httpserver";
import { HTTPHeaders } from "../src/httputil";
import type { HTTPServerRequest } from "../src/httputil";
import { bindSockets } from "../src/process";
import { echoHandler, exchangeUntilClose, makeSelfSignedCert, RawClient, startServer } from "./support/rawclient";

type Started = Awaited<ReturnType<typeof startServer>>;
const H = "Host: example.com\r\n";

function seedHello(request: HTTPServerRequest): void {
  const message = "You requested " + request.path + "\n";
  void request.write("HTTP/1.1 200 OK\r\nContent-Length: " + message.length + "\r\n\r\n" + message);
  request.finish();
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe("HTTPServer", () => {
  describe("with a plain callback in the seed's style", () => {
    let s: Started;
    before(async () => (s = await startServer(seedHello)));
    after(() => s.stop());

    it("sends what request.write wrote and keeps the connection", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET /one HTTP/1.1\r\n" + H + "\r\nGET /two HTTP/1.1\r\n" + H + "\r\n");
        expect((await c.readResponse()).body.toString()).to.equal("You requested /one\n");
        expect((await c.readResponse()).body.toString()).to.equal("You requested /two\n");
        expect(c.isClosed()).to.equal(false);
      } finally {
        c.close();
      }
    });

    it("closes after a HEAD, whose raw body the client will not read", async () => {
      const reply = await exchangeUntilClose(s.port, "HEAD /h HTTP/1.1\r\n" + H + "\r\n");
      expect(reply).to.match(/^HTTP\/1\.1 200 OK/);
    });

    it("closes after the response for HTTP/1.0", async () => {
      const reply = await exchangeUntilClose(s.port, "GET /old HTTP/1.0\r\n\r\n");
      expect(reply).to.match(/You requested \/old\n$/);
    });
  });

  describe("with a multipart upload", () => {
    it("hands the handler its files and fields", async () => {
      const s = await startServer((request) => {
        const file = request.files.doc[0];
        const body = `${request.bodyArguments.title[0]}|${file.filename}|${file.contentType}|${file.body.toString()}`;
        void request.write("HTTP/1.1 200 OK\r\nContent-Length: " + Buffer.byteLength(body) + "\r\n\r\n" + body);
        request.finish();
      });
      try {
        const parts =
          '--B\r\nContent-Disposition: form-data; name="title"\r\n\r\nReport\r\n' +
          '--B\r\nContent-Disposition: form-data; name="doc"; filename="r.txt"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--B--\r\n';
        const reply = await exchangeUntilClose(
          s.port,
          "POST /up HTTP/1.1\r\n" + H + "Connection: close\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: " + parts.length + "\r\n\r\n" + parts,
        );
        expect(reply.endsWith("\r\n\r\nReport|r.txt|text/plain|line1\r\nline2")).to.equal(true);
      } finally {
        await s.stop();
      }
    });
  });

  describe("with an object target", () => {
    it("calls its handleRequest", async () => {
      const server = new HTTPServer({ handleRequest: echoHandler });
      await server.listen(0, "127.0.0.1");
      try {
        const reply = await exchangeUntilClose(server.address()!.port, "GET /obj HTTP/1.0\r\n\r\n");
        expect(reply).to.include('"path":"/obj"');
      } finally {
        await server.stop();
      }
    });

    it("refuses a target that is neither", () => {
      expect(() => new HTTPServer({} as never)).to.throw(TypeError, /handleRequest/);
    });
  });

  describe("keep-alive rules", () => {
    let s: Started;
    before(async () => (s = await startServer(echoHandler)));
    after(() => s.stop());

    it("keeps HTTP/1.1 connections open by default", async () => {
      const c = await RawClient.connect(s.port);
      try {
        for (let i = 0; i < 3; i++) {
          c.send("GET /k" + i + " HTTP/1.1\r\n" + H + "\r\n");
          const r = await c.readResponse();
          expect(r.headers.connection).to.equal(undefined);
        }
        expect(c.isClosed()).to.equal(false);
      } finally {
        c.close();
      }
    });

    it("closes HTTP/1.1 after Connection: close, saying so", async () => {
      const reply = await exchangeUntilClose(s.port, "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n");
      expect(reply).to.include("Connection: close\r\n");
    });

    it("keeps HTTP/1.0 with Connection: keep-alive open, saying so", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        const r = await c.readResponse();
        expect(r.headers.connection).to.equal("Keep-Alive");
        c.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/again");
      } finally {
        c.close();
      }
    });

    it("closes plain HTTP/1.0 after one response", async () => {
      const reply = await exchangeUntilClose(s.port, "GET / HTTP/1.0\r\n\r\n");
      expect(reply).to.match(/^HTTP\/1\.1 200 OK/);
    });

    it("closes after each response with noKeepAlive", async () => {
      const t = await startServer(echoHandler, { noKeepAlive: true });
      try {
        const reply = await exchangeUntilClose(t.port, "GET / HTTP/1.1\r\n" + H + "\r\n");
        expect(reply).to.include("Connection: close\r\n");
      } finally {
        await t.stop();
      }
    });
  });

  describe("pipelining", () => {
    let s: Started;
    before(async () => {
      // Answers out of order in time (later requests are faster) to prove ordering is kept.
      s = await startServer((request) => {
        const n = Number(request.path.slice(1));
        setTimeout(() => echoHandler(request), n % 3);
      });
    });
    after(() => s.stop());

    it("answers 100 requests sent in one write in order", async () => {
      const c = await RawClient.connect(s.port);
      try {
        let raw = "";
        for (let i = 0; i < 100; i++) raw += "GET /" + i + " HTTP/1.1\r\n" + H + "\r\n";
        c.send(raw);
        for (let i = 0; i < 100; i++) {
          const r = await c.readResponse();
          expect(JSON.parse(r.body.toString()).path).to.equal("/" + i);
        }
      } finally {
        c.close();
      }
    });
  });

  describe("when a pipelining client does not read its responses", () => {
    it("stops reading requests until the client catches up, then answers them all", async () => {
      const big = "x".repeat(256 * 1024);
      let handled = 0;
      const s = await startServer((request) => {
        handled++;
        void request.write("HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n" + big);
        request.finish();
      });
      const c = await RawClient.connect(s.port);
      try {
        c.socket.pause();
        let raw = "";
        for (let i = 0; i < 300; i++) raw += "GET /" + i + " HTTP/1.1\r\n" + H + "\r\n";
        c.send(raw);
        await sleep(300);
        expect(handled).to.be.below(300);
        c.socket.resume();
        for (let i = 0; i < 300; i++) expect((await c.readResponse()).body.length).to.equal(big.length);
        expect(handled).to.equal(300);
      } finally {
        c.close();
        await s.stop();
      }
    });
  });

  describe("when the application fails", () => {
    let s: Started;
    before(async () => {
      s = await startServer((request) => {
        if (request.path === "/throw") throw new Error("boom");
        if (request.path === "/reject") return Promise.reject(new Error("async boom"));
        if (request.path === "/late") {
          void request.connection!.writeHeaders({ version: "HTTP/1.1", code: 200, reason: "OK" }, new HTTPHeaders(), "partial");
          throw new Error("after start");
        }
        echoHandler(request);
        return undefined;
      });
    });
    after(() => s.stop());

    it("answers 500 for a throw and keeps serving", async () => {
      expect(await exchangeUntilClose(s.port, "GET /throw HTTP/1.1\r\n" + H + "\r\n")).to.match(/^HTTP\/1\.1 500 /);
      expect(await exchangeUntilClose(s.port, "GET /ok HTTP/1.0\r\n\r\n")).to.match(/^HTTP\/1\.1 200 /);
    });

    it("answers 500 for a rejected promise", async () => {
      expect(await exchangeUntilClose(s.port, "GET /reject HTTP/1.1\r\n" + H + "\r\n")).to.match(/^HTTP\/1\.1 500 /);
    });

    it("closes the connection when the response had already started", async () => {
      const reply = await exchangeUntilClose(s.port, "GET /late HTTP/1.1\r\n" + H + "\r\n");
      expect(reply).to.match(/^HTTP\/1\.1 200 OK/);
      expect(reply).not.to.include("500");
    });
  });

  describe("xheaders", () => {
    let s: Started;
    before(async () => (s = await startServer(echoHandler, { xheaders: true, trustedDownstream: ["10.0.0.9"] })));
    after(() => s.stop());

    async function described(extra: string): Promise<{ remoteIp: string; protocol: string }> {
      const reply = await exchangeUntilClose(s.port, "GET / HTTP/1.1\r\n" + H + extra + "Connection: close\r\n\r\n");
      return JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4));
    }

    it("takes a valid X-Real-Ip", async () => {
      expect((await described("X-Real-Ip: 4.4.4.4\r\n")).remoteIp).to.equal("4.4.4.4");
    });

    it("ignores an X-Real-Ip that is not an address", async () => {
      expect((await described("X-Real-Ip: <script>\r\n")).remoteIp).to.equal("127.0.0.1");
    });

    it("takes the last untrusted X-Forwarded-For hop", async () => {
      expect((await described("X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.9\r\n")).remoteIp).to.equal("2.2.2.2");
    });

    it("accepts IPv6 in X-Forwarded-For", async () => {
      expect((await described("X-Forwarded-For: 2001:db8::1\r\n")).remoteIp).to.equal("2001:db8::1");
    });

    it("takes https from X-Scheme and X-Forwarded-Proto", async () => {
      expect((await described("X-Scheme: https\r\n")).protocol).to.equal("https");
      expect((await described("X-Forwarded-Proto: http, https\r\n")).protocol).to.equal("https");
    });

    it("ignores a scheme other than http or https", async () => {
      expect((await described("X-Forwarded-Proto: javascript\r\n")).protocol).to.equal("http");
    });

    it("ignores the headers when xheaders is off", async () => {
      const t = await startServer(echoHandler);
      try {
        const reply = await exchangeUntilClose(t.port, "GET / HTTP/1.0\r\nX-Real-Ip: 4.4.4.4\r\nX-Scheme: https\r\n\r\n");
        const json = JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4));
        expect(json.remoteIp).to.equal("127.0.0.1");
        expect(json.protocol).to.equal("http");
      } finally {
        await t.stop();
      }
    });
  });

  describe("with TLS", () => {
    let cert: Buffer;
    let s: Started;
    before(async function () {
      this.timeout(20000);
      const pair = makeSelfSignedCert();
      cert = pair.cert;
      s = await startServer(echoHandler, { ssl: pair });
    });
    after(() => s.stop());

    it("serves HTTPS and reports the protocol", async () => {
      const c = await RawClient.connectTls(s.port, cert);
      try {
        c.send("GET /secure HTTP/1.1\r\nHost: localhost\r\n\r\n");
        const json = JSON.parse((await c.readResponse()).body.toString());
        expect(json.protocol).to.equal("https");
        expect(json.path).to.equal("/secure");
        c.send("GET /again HTTP/1.1\r\nHost: localhost\r\n\r\n");
        expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/again");
      } finally {
        c.close();
      }
    });

    it("drops a client that speaks plain HTTP to it", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET / HTTP/1.1\r\n" + H + "\r\n");
        expect(await c.waitClose()).to.equal(true);
        expect(c.pending().toString("latin1")).not.to.include("200 OK");
      } finally {
        c.close();
      }
    });
  });

  describe("#stop", () => {
    it("lets requests in flight finish, closes idle connections and refuses new ones", async () => {
      const waiting: HTTPServerRequest[] = [];
      const server = new HTTPServer((request) => {
        waiting.push(request);
      });
      await server.listen(0, "127.0.0.1");
      const port = server.address()!.port;
      const busy = await Promise.all([0, 1, 2, 3, 4].map(() => RawClient.connect(port)));
      busy.forEach((c, i) => c.send("GET /" + i + " HTTP/1.1\r\n" + H + "\r\n"));
      const idle = await RawClient.connect(port);
      idle.send("GET /idle HTTP/1.1\r\n" + H + "\r\n");
      while (waiting.length < 6) await sleep(5);
      echoHandler(waiting.find((r) => r.path === "/idle")!);
      await idle.readResponse();

      const stopped = server.stop();
      expect(await idle.waitClose()).to.equal(true);
      await new Promise<void>((resolve) => {
        const probe = require("node:net").connect(port, "127.0.0.1");
        probe.on("error", () => resolve());
        probe.on("close", () => resolve());
      });
      for (const request of waiting) if (request.path !== "/idle") echoHandler(request);
      for (const [i, c] of busy.entries()) {
        const r = await c.readResponse();
        expect(JSON.parse(r.body.toString()).path).to.equal("/" + i);
        expect(r.headers.connection).to.equal("close");
        expect(await c.waitClose()).to.equal(true);
      }
      await stopped;
      expect(server.connectionCount).to.equal(0);
    });

    it("answers the first request of a connection opened just before stop (Connection: close), and closes a silent one after a moment", async () => {
      const server = new HTTPServer({ handleRequest: echoHandler });
      await server.listen(0, "127.0.0.1");
      const port = server.address()!.port;
      const late = await RawClient.connect(port);
      const silent = await RawClient.connect(port);
      await sleep(20); // both accepted, neither has sent anything
      const stopped = server.stop();
      await sleep(100);
      late.send("POST /late HTTP/1.1\r\n" + H + "Content-Length: 2\r\n\r\nhi");
      const r = await late.readResponse();
      expect(JSON.parse(r.body.toString()).path).to.equal("/late");
      expect(r.headers.connection).to.equal("close");
      expect(await late.waitClose()).to.equal(true);
      expect(await silent.waitClose()).to.equal(true);
      await stopped;
      expect(server.connectionCount).to.equal(0);
    });

    it("closes what is left after drainTimeout", async () => {
      const server = new HTTPServer(() => undefined, { drainTimeout: 0.1 });
      await server.listen(0, "127.0.0.1");
      const c = await RawClient.connect(server.address()!.port);
      c.send("GET / HTTP/1.1\r\n" + H + "\r\n");
      await sleep(20);
      await server.stop();
      expect(await c.waitClose()).to.equal(true);
    });
  });

  describe("when the client goes away before the response", () => {
    it("runs the close callback the handler set", async () => {
      let closed!: () => void;
      const fired = new Promise<void>((r) => (closed = r));
      const s = await startServer((request) => request.connection!.setCloseCallback(closed));
      try {
        const c = await RawClient.connect(s.port);
        c.send("GET /wait HTTP/1.1\r\n" + H + "\r\n");
        await sleep(30);
        c.close();
        await fired;
        expect(s.server.connectionCount).to.equal(0);
      } finally {
        await s.stop();
      }
    });
  });

  describe("#closeAllConnections", () => {
    it("drops connections at once", async () => {
      const s = await startServer(() => undefined);
      const c = await RawClient.connect(s.port);
      c.send("GET / HTTP/1.1\r\n" + H + "\r\n");
      await sleep(20);
      s.server.closeAllConnections();
      expect(await c.waitClose(1000)).to.equal(true);
      await s.stop();
    });
  });

  describe("#listen", () => {
    it("rejects with a clear message when the port is taken", async () => {
      const s = await startServer(echoHandler);
      try {
        const other = new HTTPServer(echoHandler);
        let error: NodeJS.ErrnoException | undefined;
        await other.listen(s.port, "127.0.0.1").catch((e: NodeJS.ErrnoException) => (error = e));
        expect(error?.message).to.equal(`Port ${s.port} on 127.0.0.1 is already in use (EADDRINUSE)`);
        expect(error?.code).to.equal("EADDRINUSE");
      } finally {
        await s.stop();
      }
    });

    it("serves what bind() recorded once start() runs", async () => {
      const server = new HTTPServer(echoHandler);
      server.bind(0, "127.0.0.1");
      expect(server.address()).to.equal(null);
      await server.start(1);
      try {
        const reply = await exchangeUntilClose(server.address()!.port, "GET /bound HTTP/1.0\r\n\r\n");
        expect(reply).to.include('"path":"/bound"');
      } finally {
        await server.stop();
      }
    });

    it("serves sockets handed over with addSockets", async () => {
      const server = new HTTPServer(echoHandler);
      server.addSockets(await bindSockets(0, "127.0.0.1"));
      try {
        const reply = await exchangeUntilClose(server.address()!.port, "GET /added HTTP/1.0\r\n\r\n");
        expect(reply).to.include('"path":"/added"');
      } finally {
        await server.stop();
      }
    });

    it("reports the bound address", async () => {
      const s = await startServer(echoHandler);
      try {
        expect(s.server.address()).to.include({ address: "127.0.0.1", port: s.port });
      } finally {
        await s.stop();
      }
    });
  });
});
