import { expect } from "chai";
import * as zlib from "node:zlib";
import { AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse, HTTPStreamClosedError, HTTPTimeoutError } from "../../src/httpclient";
import { IOLoop } from "../../src/ioloop";
import { RequestHandler } from "../../src/web";
import { startTestServer, type TestServer } from "../../src/testing";
import { readBody, startPeer, type PeerServer } from "../support/httpservers";

class HelloHandler extends RequestHandler {
  get(): void {
    this.write("Hello from tornado-ts");
  }

  post(): void {
    this.write({ got: this.getBodyArgument("name", null), type: this.request.headers.get("content-type") ?? null });
  }
}

class MissingHandler extends RequestHandler {
  get(): void {
    this.setStatus(404);
    this.write("no such thing");
  }
}

class BigHandler extends RequestHandler {
  get(): void {
    this.write("x".repeat(5000));
  }
}

describe("AsyncHTTPClient", () => {
  let tornado: TestServer;
  let peer: PeerServer;
  let client: AsyncHTTPClient;

  before(async () => {
    tornado = await startTestServer([["/", HelloHandler], ["/missing", MissingHandler], ["/big", BigHandler]], {
      settings: { compressResponse: true },
    });
    peer = await startPeer(async (req, res) => {
      const url = new URL(req.url!, "http://x");
      const body = await readBody(req);
      switch (url.pathname) {
        case "/echo":
          res.setHeader("Content-Type", "application/json");
          res.end(JSON.stringify({ method: req.method, headers: req.headers, body: body.toString() }));
          return;
        case "/chunked":
          res.write("one,");
          setTimeout(() => res.end("two"), 20);
          return;
        case "/gzip":
          res.setHeader("Content-Encoding", "gzip");
          res.end(zlib.gzipSync("squeezed by gzip"));
          return;
        case "/deflate":
          res.setHeader("Content-Encoding", "deflate");
          res.end(zlib.deflateSync("squeezed by deflate"));
          return;
        case "/br":
          res.setHeader("Content-Encoding", "br");
          res.end(zlib.brotliCompressSync("squeezed by brotli"));
          return;
        case "/badgzip":
          res.setHeader("Content-Encoding", "gzip");
          res.end("this is not gzip");
          return;
        case "/digest": {
          const auth = req.headers.authorization ?? "";
          if (!auth.startsWith("Digest ")) {
            res.statusCode = 401;
            res.setHeader("WWW-Authenticate", 'Digest realm="spec", qop="auth", nonce="abc123", opaque="xyz"');
            res.end();
            return;
          }
          res.end(auth);
          return;
        }
        case "/slow":
          setTimeout(() => res.end("slow " + url.searchParams.get("n")), Number(url.searchParams.get("ms") ?? 100));
          return;
        case "/reset":
          req.socket.destroy();
          return;
        default:
          res.statusCode = 404;
          res.end();
      }
    });
    client = new AsyncHTTPClient({ forceInstance: true });
  });

  after(async () => {
    await client.close();
    await tornado.close();
    await peer.close();
  });

  describe("fetch against a tornado-ts server", () => {
    it("resolves with the code, reason, headers, body and effective URL", async () => {
      const res = await client.fetch(tornado.url("/"));
      expect(res.code).to.equal(200);
      expect(res.reason).to.equal("OK");
      expect(res.text()).to.equal("Hello from tornado-ts");
      expect(res.headers.get("content-type")).to.match(/^text\/html/);
      expect(res.effectiveUrl).to.equal(tornado.url("/"));
      expect(res.error).to.equal(null);
      expect(res.requestTime).to.be.greaterThan(0);
    });

    it("posts a form body with the form content type by default", async () => {
      const res = await client.fetch(tornado.url("/"), { method: "POST", body: "name=ben" });
      expect(res.json()).to.deep.equal({ got: "ben", type: "application/x-www-form-urlencoded" });
    });

    it("rejects a non-2xx response with HTTPClientError carrying the response", async () => {
      const err = await client.fetch(tornado.url("/missing")).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(HTTPClientError);
      expect((err as HTTPClientError).code).to.equal(404);
      expect((err as HTTPClientError).response?.text()).to.equal("no such thing");
      expect(String(err)).to.equal("HTTP 404: Not Found");
    });

    it("resolves a non-2xx response when raiseError is false, with error set", async () => {
      const res = await client.fetch(tornado.url("/missing"), { raiseError: false });
      expect(res.code).to.equal(404);
      expect(res.error).to.be.instanceOf(HTTPClientError);
      expect(() => res.rethrow()).to.throw(HTTPClientError);
    });

    it("decompresses the server's gzip output and says which encoding it consumed", async () => {
      const res = await client.fetch(tornado.url("/big"));
      expect(res.text()).to.equal("x".repeat(5000));
      expect(res.headers.get("x-consumed-content-encoding")).to.equal("gzip");
      expect(res.headers.has("content-encoding")).to.equal(false);
    });

    it("keeps the body compressed when decompressResponse is false", async () => {
      const res = await client.fetch(tornado.url("/big"), { decompressResponse: false, headers: { "Accept-Encoding": "gzip" } });
      expect(res.headers.get("content-encoding")).to.equal("gzip");
      expect(zlib.gunzipSync(res.body).toString()).to.equal("x".repeat(5000));
    });
  });

  describe("the callback form", () => {
    it("passes the response to fetch(url, callback)", async () => {
      let seen: HTTPResponse | null = null;
      const res = await client.fetch(tornado.url("/"), (r) => (seen = r));
      expect(seen).to.equal(res);
      expect(res.text()).to.equal("Hello from tornado-ts");
    });

    it("puts errors in response.error instead of rejecting, for { callback }", async () => {
      let seen: HTTPResponse | null = null;
      await client.fetch(tornado.url("/missing"), { callback: (r) => (seen = r) });
      expect(seen!.code).to.equal(404);
      expect(seen!.error).to.be.instanceOf(HTTPClientError);
    });

    it("reports a refused connection to the callback as a 599 response", async () => {
      let seen: HTTPResponse | null = null;
      await client.fetch("http://127.0.0.1:1/", (r) => (seen = r));
      expect(seen!.code).to.equal(599);
      expect(seen!.error).to.be.instanceOf(HTTPStreamClosedError);
    });
  });

  describe("shared instances", () => {
    it("returns one shared client per IOLoop unless forceInstance is set", async () => {
      const a = new AsyncHTTPClient();
      const b = new AsyncHTTPClient();
      const c = new AsyncHTTPClient({ forceInstance: true });
      expect(a).to.equal(b);
      expect(c).to.not.equal(a);
      const other = new AsyncHTTPClient({ ioloop: new IOLoop() });
      expect(other).to.not.equal(a);
      await Promise.all([a.close(), c.close(), other.close()]);
      expect(new AsyncHTTPClient()).to.not.equal(a);
      await new AsyncHTTPClient().close();
    });

    it("refuses to fetch after close()", async () => {
      const c = new AsyncHTTPClient({ forceInstance: true });
      await c.close();
      const err = await c.fetch(tornado.url("/")).then(() => null, (e: Error) => e);
      expect(err?.message).to.match(/after close/);
    });
  });

  describe("against a node:http server", () => {
    it("reads a chunked body written in two pieces", async () => {
      const res = await client.fetch(peer.url("/chunked"));
      expect(res.headers.get("transfer-encoding")).to.equal("chunked");
      expect(res.text()).to.equal("one,two");
    });

    for (const encoding of ["gzip", "deflate", "br"]) {
      it(`decompresses a ${encoding} body`, async () => {
        const res = await client.fetch(peer.url("/" + encoding));
        expect(res.text()).to.match(/^squeezed by /);
        expect(res.headers.get("x-consumed-content-encoding")).to.equal(encoding);
      });
    }

    it("offers gzip, deflate and br, a user agent, and no body on GET", async () => {
      const sent = (await client.fetch(peer.url("/echo"))).json<{ headers: Record<string, string>; body: string }>();
      expect(sent.headers["accept-encoding"]).to.equal("gzip, deflate, br");
      expect(sent.headers["user-agent"]).to.match(/^tornado-ts\//);
      expect(sent.body).to.equal("");
    });

    it("fails with 599 naming the encoding when a compressed body is corrupt", async () => {
      const err = (await client.fetch(peer.url("/badgzip")).catch((e: unknown) => e)) as HTTPClientError;
      expect(err.code).to.equal(599);
      expect(err.message).to.match(/cannot decode gzip/);
    });

    it("sends basic auth, user agent, If-Modified-Since and custom headers", async () => {
      const res = await client.fetch(peer.url("/echo"), {
        authUsername: "ben", authPassword: "s3cret", userAgent: "spec-agent/1",
        ifModifiedSince: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)), headers: { "X-Custom": "yes" },
      });
      const h = res.json<{ headers: Record<string, string> }>().headers;
      expect(h.authorization).to.equal("Basic " + Buffer.from("ben:s3cret").toString("base64"));
      expect(h["user-agent"]).to.equal("spec-agent/1");
      expect(h["if-modified-since"]).to.equal("Thu, 02 Jan 2020 03:04:05 GMT");
      expect(h["x-custom"]).to.equal("yes");
    });

    it("answers a Digest challenge when authMode is digest", async () => {
      const res = await client.fetch(peer.url("/digest?a=1"), { authUsername: "ben", authPassword: "pw", authMode: "digest" });
      const auth = res.text();
      expect(auth).to.match(/^Digest username="ben", realm="spec", nonce="abc123", uri="\/digest\?a=1"/);
      expect(auth).to.contain('opaque="xyz"');
      expect(auth).to.contain("qop=auth");
    });

    it("streams a request body from an async iterable", async () => {
      async function* pieces(): AsyncGenerator<string> {
        yield "part1-";
        yield "part2";
      }
      const res = await client.fetch(peer.url("/echo"), { method: "PUT", body: pieces() });
      expect(res.json<{ body: string; headers: Record<string, string> }>().body).to.equal("part1-part2");
    });

    it("gives each header line, with its CRLF, to headerCallback", async () => {
      const lines: string[] = [];
      await client.fetch(peer.url("/echo"), { headerCallback: (line) => lines.push(line) });
      expect(lines[0]).to.equal("HTTP/1.1 200 OK\r\n");
      expect(lines).to.include("Content-Type: application/json\r\n");
      expect(lines[lines.length - 1]).to.equal("\r\n");
    });

    it("gives the body to streamingCallback and leaves response.body empty", async () => {
      const pieces: string[] = [];
      const res = await client.fetch(peer.url("/chunked"), { streamingCallback: (c) => pieces.push(c.toString()) });
      expect(pieces.join("")).to.equal("one,two");
      expect(res.body.length).to.equal(0);
    });

    it("fails with 599 when the body passes maxBodySize", async () => {
      const small = new AsyncHTTPClient({ forceInstance: true, maxBodySize: 10 });
      try {
        const err = (await small.fetch(tornado.url("/")).catch((e: unknown) => e)) as HTTPClientError;
        expect(err.code).to.equal(599);
        expect(err.message).to.match(/maxBodySize/);
      } finally {
        await small.close();
      }
    });

    it("reports a connection reset as HTTPStreamClosedError (599)", async () => {
      const err = await client.fetch(peer.url("/reset")).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(HTTPStreamClosedError);
      expect((err as HTTPClientError).code).to.equal(599);
    });
  });

  describe("request validation", () => {
    it("rejects a body on GET and a missing body on POST, naming the fix", async () => {
      const a = await client.fetch(peer.url("/echo"), { body: "x" }).catch((e: Error) => e);
      expect((a as Error).message).to.match(/body must be empty for method GET/);
      const b = await client.fetch(peer.url("/echo"), { method: "POST" }).catch((e: Error) => e);
      expect((b as Error).message).to.match(/body must not be empty for method POST/);
    });

    it("sends a nonstandard method only with allowNonstandardMethods", async () => {
      const refused = await client.fetch(peer.url("/echo"), { method: "PROPFIND" }).catch((e: Error) => e);
      expect((refused as Error).message).to.match(/unknown method PROPFIND/);
      const res = await client.fetch(peer.url("/echo"), { method: "PROPFIND", allowNonstandardMethods: true });
      expect(res.json<{ method: string }>().method).to.equal("PROPFIND");
    });

    it("rejects a URL that is not absolute http(s)", async () => {
      const err = await client.fetch("ftp://127.0.0.1/x").catch((e: Error) => e);
      expect((err as Error).message).to.match(/unsupported URL scheme ftp:/);
    });

    it("applies the client's defaults under a request's own options", async () => {
      const c = new AsyncHTTPClient({ forceInstance: true, defaults: { userAgent: "default-agent", headers: { "X-A": "1" } } });
      try {
        const h = (await c.fetch(peer.url("/echo"), { headers: { "X-B": "2" } })).json<{ headers: Record<string, string> }>().headers;
        expect([h["user-agent"], h["x-a"], h["x-b"]]).to.deep.equal(["default-agent", "1", "2"]);
      } finally {
        await c.close();
      }
    });

    it("fetches an HTTPRequest object as given", async () => {
      const res = await client.fetch(new HTTPRequest(peer.url("/echo"), { method: "DELETE" }));
      expect(res.json<{ method: string }>().method).to.equal("DELETE");
    });
  });

  describe("maxClients", () => {
    it("queues requests beyond maxClients and runs them as slots free", async () => {
      const c = new AsyncHTTPClient({ forceInstance: true, maxClients: 2 });
      try {
        const all = [1, 2, 3, 4, 5].map((n) => c.fetch(peer.url(`/slow?ms=100&n=${n}`)));
        await new Promise((r) => setImmediate(r));
        expect(c.stats).to.deep.equal({ active: 2, queued: 3 });
        const bodies = (await Promise.all(all)).map((r) => r.text());
        expect(bodies).to.deep.equal(["slow 1", "slow 2", "slow 3", "slow 4", "slow 5"]);
        expect(c.stats).to.deep.equal({ active: 0, queued: 0 });
      } finally {
        await c.close();
      }
    });

    it("times a queued request out after min(connectTimeout, requestTimeout) in the queue", async () => {
      const c = new AsyncHTTPClient({ forceInstance: true, maxClients: 1 });
      try {
        const first = c.fetch(peer.url("/slow?ms=1500&n=1"));
        const queued = await c.fetch(peer.url("/slow?ms=10&n=2"), { connectTimeout: 0.2, requestTimeout: 5 }).catch((e: unknown) => e);
        expect(queued).to.be.instanceOf(HTTPTimeoutError);
        expect((queued as Error).message).to.equal("Timeout in request queue");
        expect((await first).text()).to.equal("slow 1");
      } finally {
        await c.close();
      }
    });

    it("counts queue time toward requestTimeout", async () => {
      const c = new AsyncHTTPClient({ forceInstance: true, maxClients: 1 });
      try {
        const first = c.fetch(peer.url("/slow?ms=1000&n=1"));
        // Dequeued after ~1 s; the 1.5 s it then needs would fit a 2 s timeout counted from
        // dequeue, but not one counted from the fetch call.
        const queued = await c.fetch(peer.url("/slow?ms=1500&n=2"), { requestTimeout: 2, connectTimeout: 5 }).catch((e: unknown) => e);
        expect(queued).to.be.instanceOf(HTTPTimeoutError);
        expect((queued as Error).message).to.equal("Timeout during request");
        await first;
      } finally {
        await c.close();
      }
    });
  });
});
