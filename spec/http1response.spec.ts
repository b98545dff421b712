import { expect } from "chai";
import { HTTPHeaders } from "../src/httputil";
import type { HTTPServerRequest } from "../src/httputil";
import { exchangeUntilClose, RawClient, startServer } from "./support/rawclient";

type Started = Awaited<ReturnType<typeof startServer>>;
const H = "Host: example.com\r\n";
const OK = { version: "HTTP/1.1", code: 200, reason: "OK" };

/** Routes by path to small response scenarios; errors thrown by the connection are recorded. */
const thrown: string[] = [];
async function scenario(request: HTTPServerRequest): Promise<void> {
  const conn = request.connection!;
  switch (request.path) {
    case "/chunked":
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Type": "text/plain" }), "hello ");
      await conn.write(Buffer.from("big "));
      await conn.write("");
      await conn.write("world");
      conn.finish();
      return;
    case "/length":
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Length": "11" }), Buffer.from("hello "));
      await conn.write("world");
      conn.finish();
      return;
    case "/nocontent":
      await conn.writeHeaders({ version: "HTTP/1.1", code: 204, reason: "" }, new HTTPHeaders(), "ignored");
      conn.finish();
      return;
    case "/notmodified":
      await conn.writeHeaders({ version: "HTTP/1.1", code: 304, reason: "" }, new HTTPHeaders({ ETag: '"x"' }));
      conn.finish();
      return;
    case "/custom-reason":
      await conn.writeHeaders({ version: "HTTP/1.1", code: 299, reason: "Fine Enough" }, new HTTPHeaders({ "Content-Length": "0" }));
      conn.finish();
      return;
    case "/overflow":
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Length": "2" }));
      try {
        await conn.write("too long");
      } catch (err) {
        thrown.push((err as Error).message);
      }
      return;
    case "/short":
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Length": "10" }), "abc");
      conn.finish();
      return;
    case "/inject":
      try {
        await conn.writeHeaders(OK, new HTTPHeaders({ "X-Evil": "a\r\nSet-Cookie: pwned=1" }));
      } catch (err) {
        thrown.push((err as Error).message);
      }
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Length": "4" }), "safe");
      conn.finish();
      return;
    case "/latin1":
      await conn.writeHeaders(OK, new HTTPHeaders({ "X-Name": "caf\u00e9", "Content-Length": "2" }), "ok");
      conn.finish();
      return;
    case "/twice":
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Length": "0" }));
      conn.finish();
      try {
        conn.finish();
      } catch (err) {
        thrown.push((err as Error).message);
      }
      return;
    case "/upgrade": {
      // A toy upgraded protocol: after the 101, each line the client sends comes back reversed.
      const stream = conn.detach!();
      await conn.writeHeaders({ version: "HTTP/1.1", code: 101, reason: "" }, new HTTPHeaders({ Upgrade: "toy", Connection: "Upgrade" }));
      conn.finish();
      for (;;) {
        const line = await stream.readUntil("\n").catch(() => null);
        if (line === null) return;
        const text = line.toString().trim();
        if (text === "bye") return stream.close();
        await stream.write(text.split("").reverse().join("") + "\n");
      }
    }
    default: {
      const body = "body of " + request.method;
      await conn.writeHeaders(OK, new HTTPHeaders({ "Content-Length": String(body.length) }), body);
      conn.finish();
    }
  }
}

describe("ServerResponse", () => {
  let s: Started;
  before(async () => (s = await startServer(scenario)));
  after(() => s.stop());
  beforeEach(() => (thrown.length = 0));

  async function get(path: string, extra = "", head = false): Promise<Awaited<ReturnType<RawClient["readResponse"]>>> {
    const c = await RawClient.connect(s.port);
    try {
      c.send((head ? "HEAD " : "GET ") + path + " HTTP/1.1\r\n" + H + extra + "\r\n");
      return await c.readResponse({ head });
    } finally {
      c.close();
    }
  }

  describe("when no Content-Length is set on HTTP/1.1", () => {
    it("sends the body chunked, skipping empty writes", async () => {
      const r = await get("/chunked");
      expect(r.headers["transfer-encoding"]).to.equal("chunked");
      expect(r.raw).to.include("\r\n\r\n6\r\nhello \r\n4\r\nbig \r\n5\r\nworld\r\n0\r\n\r\n");
      expect(r.body.toString()).to.equal("hello big world");
    });
  });

  describe("when no Content-Length is set on HTTP/1.0", () => {
    it("sends the body plainly and closes to end it", async () => {
      const reply = await exchangeUntilClose(s.port, "GET /chunked HTTP/1.0\r\n\r\n");
      expect(reply).not.to.include("Transfer-Encoding");
      expect(reply.endsWith("\r\n\r\nhello big world")).to.equal(true);
    });
  });

  describe("when Content-Length is set", () => {
    it("writes head and body as given", async () => {
      const r = await get("/length");
      expect(r.headers["transfer-encoding"]).to.equal(undefined);
      expect(r.body.toString()).to.equal("hello world");
    });

    it("refuses writes past the length and closes", async () => {
      const reply = await exchangeUntilClose(s.port, "GET /overflow HTTP/1.1\r\n" + H + "\r\n");
      expect(reply).not.to.include("too long");
      expect(thrown[0]).to.match(/Content-Length/);
    });

    it("closes the connection when fewer bytes were written", async () => {
      const reply = await exchangeUntilClose(s.port, "GET /short HTTP/1.1\r\n" + H + "\r\n");
      expect(reply.endsWith("abc")).to.equal(true);
    });
  });

  describe("when the request is HEAD", () => {
    it("sends no body but keeps Content-Length, and the connection stays usable", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("HEAD /x HTTP/1.1\r\n" + H + "\r\nGET /y HTTP/1.1\r\n" + H + "\r\n");
        const head = await c.readResponse({ head: true });
        expect(head.headers["content-length"]).to.equal("12");
        expect(head.body.length).to.equal(0);
        const next = await c.readResponse();
        expect(next.body.toString()).to.equal("body of GET");
      } finally {
        c.close();
      }
    });

    it("does not chunk a response without a length", async () => {
      const r = await get("/chunked", "", true);
      expect(r.headers["transfer-encoding"]).to.equal(undefined);
    });
  });

  describe("when the status forbids a body", () => {
    it("sends 204 without one", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET /nocontent HTTP/1.1\r\n" + H + "\r\nGET /after HTTP/1.1\r\n" + H + "\r\n");
        const r = await c.readResponse();
        expect(r.code).to.equal(204);
        expect(r.raw).to.equal("HTTP/1.1 204 No Content\r\n\r\n");
        expect((await c.readResponse()).body.toString()).to.equal("body of GET");
      } finally {
        c.close();
      }
    });

    it("sends 304 without one", async () => {
      const r = await get("/notmodified");
      expect(r.raw).to.equal('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n');
    });
  });

  describe("status lines", () => {
    it("uses a custom reason phrase when given", async () => {
      expect((await get("/custom-reason")).raw).to.match(/^HTTP\/1\.1 299 Fine Enough\r\n/);
    });
  });

  describe("header safety", () => {
    it("throws on a value with CR/LF instead of splitting the response", async () => {
      const r = await get("/inject");
      expect(thrown[0]).to.match(/invalid character/);
      expect(r.raw).not.to.include("pwned");
      expect(r.body.toString()).to.equal("safe");
    });

    it("sends latin1 values as single bytes", async () => {
      const r = await get("/latin1");
      expect(r.headers["x-name"]).to.equal("caf\xe9");
    });
  });

  describe("when the application detaches the stream (protocol upgrade)", () => {
    it("reads no further requests and lets the application speak its protocol on the stream", async () => {
      const c = await RawClient.connect(s.port);
      try {
        // The first line after the head arrives with it: it must stay buffered for the application.
        c.send("GET /upgrade HTTP/1.1\r\n" + H + "Connection: Upgrade\r\nUpgrade: toy\r\n\r\nabc\n");
        const r = await c.readResponse();
        expect(r.code).to.equal(101);
        c.send("GET / HTTP/1.1\n");
        c.send("bye\n");
        const rest = (await c.readAll()).toString("latin1");
        expect(rest).to.equal("cba\n1.1/PTTH / TEG\n");
      } finally {
        c.close();
      }
    });

    it("no longer counts the connection as the server's", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET /upgrade HTTP/1.1\r\n" + H + "Connection: Upgrade\r\nUpgrade: toy\r\n\r\n");
        await c.readResponse();
        expect(s.server.connectionCount).to.equal(0);
        c.send("bye\n");
        await c.readAll();
      } finally {
        c.close();
      }
    });
  });

  describe("when finish is called twice", () => {
    it("throws the second time", async () => {
      await get("/twice");
      expect(thrown[0]).to.match(/finish called twice/);
    });
  });
});
