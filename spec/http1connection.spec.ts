import { expect } from "chai";
import * as zlib from "node:zlib";
import { echoHandler, exchangeUntilClose, RawClient, startServer } from "./support/rawclient";

type Started = Awaited<ReturnType<typeof startServer>>;

const H = "Host: example.com\r\n";

/** [description, raw request, expected status] — every one must be answered and closed. */
const MALFORMED: [string, string, number][] = [
  ["a request line with no spaces", "GET\r\n\r\n", 400],
  ["an HTTP/0.9 request line", "GET /\r\n\r\n", 400],
  ["a request line with an extra part", "GET / HTTP/1.1 extra\r\n" + H + "\r\n", 400],
  ["a double space in the request line", "GET  / HTTP/1.1\r\n" + H + "\r\n", 400],
  ["a tab separating the request line", "GET\t/ HTTP/1.1\r\n" + H + "\r\n", 400],
  ["a method that is not a token", "G@T / HTTP/1.1\r\n" + H + "\r\n", 400],
  ["HTTP/2.0 as the version", "GET / HTTP/2.0\r\n" + H + "\r\n", 400],
  ["a version with trailing junk", "GET / HTTP/1.1x\r\n" + H + "\r\n", 400],
  ["a lower-case protocol name", "GET / http/1.1\r\n" + H + "\r\n", 400],
  ["a version without a minor number", "GET / HTTP/1\r\n" + H + "\r\n", 400],
  ["a NUL in the target", "GET /a\x00b HTTP/1.1\r\n" + H + "\r\n", 400],
  ["a DEL in the target", "GET /a\x7fb HTTP/1.1\r\n" + H + "\r\n", 400],
  ["a target without a leading slash", "GET noslash HTTP/1.1\r\n" + H + "\r\n", 400],
  ["an asterisk target outside OPTIONS", "GET * HTTP/1.1\r\n" + H + "\r\n", 400],
  ["an authority-form target", "CONNECT example.com:443 HTTP/1.1\r\n" + H + "\r\n", 400],
  ["an absolute-form target with no host", "GET http:///x HTTP/1.1\r\n" + H + "\r\n", 400],
  ["an HTTP/1.1 request without Host", "GET / HTTP/1.1\r\n\r\n", 400],
  ["two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400],
  ["a Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400],
  ["a Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400],
  ["a Host with a non-numeric port", "GET / HTTP/1.1\r\nHost: a:http\r\n\r\n", 400],
  ["an empty Host", "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400],
  ["a header line without a colon", "GET / HTTP/1.1\r\n" + H + "Foo\r\n\r\n", 400],
  ["whitespace before the colon", "GET / HTTP/1.1\r\n" + H + "Foo : bar\r\n\r\n", 400],
  ["an empty header name", "GET / HTTP/1.1\r\n" + H + ": bar\r\n\r\n", 400],
  ["a header name with a parenthesis", "GET / HTTP/1.1\r\n" + H + "Fo(o: bar\r\n\r\n", 400],
  ["a header name with a non-ASCII byte", "GET / HTTP/1.1\r\n" + H + "F\xf6o: bar\r\n\r\n", 400],
  ["a NUL in a header value", "GET / HTTP/1.1\r\n" + H + "Foo: a\x00b\r\n\r\n", 400],
  ["a bare CR in a header value", "GET / HTTP/1.1\r\n" + H + "Foo: a\rb\r\n\r\n", 400],
  ["a DEL in a header value", "GET / HTTP/1.1\r\n" + H + "Foo: a\x7fb\r\n\r\n", 400],
  ["a continuation line before any header", "GET / HTTP/1.1\r\n folded: x\r\n" + H + "\r\n", 400],
  ["a Content-Length that is not a number", "POST / HTTP/1.1\r\n" + H + "Content-Length: abc\r\n\r\n", 400],
  ["a negative Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", 400],
  ["a Content-Length with a plus sign", "POST / HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\nhello", 400],
  ["a fractional Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 1.5\r\n\r\nab", 400],
  ["an empty Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length:\r\n\r\n", 400],
  ["two different Content-Length headers", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400],
  ["a Content-Length list with different values", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5, 6\r\n\r\nhello!", 400],
  ["both Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
  ["Transfer-Encoding gzip", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip\r\n\r\n", 400],
  ["chunked not being the final coding", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked, gzip\r\n\r\n", 400],
  ["a coding before chunked", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400],
  ["Transfer-Encoding identity", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: identity\r\n\r\n", 400],
  ["chunked in an HTTP/1.0 request", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400],
  ["a chunk size that is not hex", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400],
  ["a chunk size with a 0x prefix", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400],
  ["a negative chunk size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n-1\r\nx\r\n0\r\n\r\n", 400],
  ["an empty chunk size line", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", 400],
  ["chunk data longer than its size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400],
  ["an overlong chunk size", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\n", 400],
  ["a chunk size line past its limit", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1;" + "x".repeat(5000) + "\r\n", 400],
  ["a malformed trailer", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nBad Trailer\r\n\r\n", 400],
  ["multipart without a boundary", "POST / HTTP/1.1\r\n" + H + "Content-Type: multipart/form-data\r\nContent-Length: 3\r\n\r\nabc", 400],
  ["multipart that never terminates", "POST / HTTP/1.1\r\n" + H + "Content-Type: multipart/form-data; boundary=xx\r\nContent-Length: 10\r\n\r\n--xx\r\nabcd", 400],
  ["a head past maxHeaderSize", "GET / HTTP/1.1\r\n" + H + "X-Big: " + "a".repeat(3000) + "\r\n\r\n", 431],
  ["a Content-Length past maxBodySize", "POST / HTTP/1.1\r\n" + H + "Content-Length: 5000\r\n\r\n", 413],
  ["an astronomically large Content-Length", "POST / HTTP/1.1\r\n" + H + "Content-Length: 100000000000000000000\r\n\r\n", 413],
  ["a chunked body past maxBodySize", "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n1000\r\n" + "a".repeat(4096) + "\r\n1\r\nb\r\n0\r\n\r\n", 413],
];

describe("HTTP1ServerConnection", () => {
  let s: Started;
  before(async () => {
    s = await startServer(echoHandler, { maxHeaderSize: 2048, maxBodySize: 4096 });
  });
  after(() => s.stop());

  async function roundTrip(raw: string): Promise<{ code: number; json: Record<string, unknown> }> {
    const c = await RawClient.connect(s.port);
    try {
      c.send(raw);
      const r = await c.readResponse();
      return { code: r.code, json: r.code === 200 ? JSON.parse(r.body.toString()) : {} };
    } finally {
      c.close();
    }
  }

  describe("when a request is malformed", () => {
    for (const [what, raw, status] of MALFORMED) {
      it(`answers ${status} and closes for ${what}`, async () => {
        const reply = await exchangeUntilClose(s.port, raw);
        expect(reply).to.match(new RegExp("^HTTP/1\\.1 " + status + " "));
        expect(reply).to.include("Connection: close\r\n");
      });
    }

    it("lists at least 40 distinct malformed requests", () => {
      expect(new Set(MALFORMED.map((m) => m[1])).size).to.be.at.least(40);
    });

    it("still serves well-formed requests afterwards", async () => {
      const r = await roundTrip("GET /after HTTP/1.1\r\n" + H + "\r\n");
      expect(r.code).to.equal(200);
      expect(r.json.path).to.equal("/after");
    });
  });

  describe("when the body is chunked", () => {
    it("joins the chunks, ignoring extensions and trailers", async () => {
      const r = await roundTrip(
        "POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
      );
      expect(r.json.body).to.equal("hello world");
    });

    it("accepts upper-case hex sizes", async () => {
      const r = await roundTrip("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n");
      expect(r.json.body).to.equal("0123456789");
    });
  });

  describe("when the head uses bare LF line ends", () => {
    it("parses it anyway", async () => {
      const r = await roundTrip("GET /lf HTTP/1.1\n" + "Host: a\n\n");
      expect(r.json.path).to.equal("/lf");
    });
  });

  describe("when a header is folded (obs-fold)", () => {
    it("refuses it with 400 (RFC 9112 §5.2), as node:http does", async () => {
      const r = await roundTrip("GET / HTTP/1.1\r\n" + H + "X-Fold: one\r\n  two\r\n\r\n");
      expect(r.code).to.equal(400);
    });
  });

  describe("when empty lines precede the request line", () => {
    it("ignores them", async () => {
      const r = await roundTrip("\r\n\r\nGET /x HTTP/1.1\r\n" + H + "\r\n");
      expect(r.json.path).to.equal("/x");
    });
  });

  describe("when the target is in absolute form", () => {
    it("takes the path and the host from it", async () => {
      const r = await roundTrip("GET http://other.example:81/p?q=1 HTTP/1.1\r\n" + H + "\r\n");
      expect(r.json.uri).to.equal("/p?q=1");
      expect(r.json.host).to.equal("other.example:81");
    });
  });

  describe("when Content-Length repeats with the same value", () => {
    it("accepts the body", async () => {
      const r = await roundTrip("POST / HTTP/1.1\r\n" + H + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
      expect(r.json.body).to.equal("abc");
    });
  });

  describe("when the client expects 100-continue", () => {
    it("sends 100 Continue before reading the body", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("POST / HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        const interim = await c.readResponse();
        expect(interim.code).to.equal(100);
        c.send("hello");
        const r = await c.readResponse();
        expect(JSON.parse(r.body.toString()).body).to.equal("hello");
      } finally {
        c.close();
      }
    });

    it("answers 413 without 100 Continue when the body is too large", async () => {
      const reply = await exchangeUntilClose(s.port, "POST / HTTP/1.1\r\n" + H + "Expect: 100-continue\r\nContent-Length: 99999\r\n\r\n");
      expect(reply).to.match(/^HTTP\/1\.1 413 /);
      expect(reply).not.to.include("100 Continue");
    });
  });

  describe("when the body is refused for its size", () => {
    it("answers 413 before the client sent any of it", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("PUT / HTTP/1.1\r\n" + H + "Content-Length: 1000000\r\n\r\n");
        const r = await c.readResponse();
        expect(r.code).to.equal(413);
        expect(await c.waitClose()).to.equal(true);
      } finally {
        c.close();
      }
    });
  });

  describe("when a request arrives one byte at a time", () => {
    it("assembles and answers it", async () => {
      const c = await RawClient.connect(s.port);
      c.socket.setNoDelay(true);
      try {
        const raw = "POST /slow?a=1 HTTP/1.1\r\n" + H + "Content-Length: 4\r\n\r\nbody";
        for (const ch of raw) {
          c.send(ch);
          await new Promise((r) => setImmediate(r));
        }
        const r = await c.readResponse();
        const json = JSON.parse(r.body.toString());
        expect(json.uri).to.equal("/slow?a=1");
        expect(json.body).to.equal("body");
      } finally {
        c.close();
      }
    });
  });
});

describe("HTTP1ServerConnection timeouts", () => {
  let s: Started;
  before(async () => {
    s = await startServer(echoHandler, { headerTimeout: 0.15, bodyTimeout: 0.15, idleConnectionTimeout: 0.4 });
  });
  after(() => s.stop());

  describe("when a client dribbles its head", () => {
    it("closes the connection after headerTimeout", async () => {
      const c = await RawClient.connect(s.port);
      const started = Date.now();
      const raw = "GET / HTTP/1.1\r\n" + H + "X-Slow: " + "a".repeat(200);
      let i = 0;
      const timer = setInterval(() => {
        if (i < raw.length && !c.isClosed()) c.send(raw[i++]);
      }, 10);
      try {
        expect(await c.waitClose(3000)).to.equal(true);
        expect(Date.now() - started).to.be.below(2000);
        expect(i).to.be.below(raw.length);
      } finally {
        clearInterval(timer);
        c.close();
      }
    });
  });

  describe("when a keep-alive connection sits idle", () => {
    it("closes it after idleConnectionTimeout", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET / HTTP/1.1\r\n" + H + "\r\n");
        expect((await c.readResponse()).code).to.equal(200);
        expect(await c.waitClose(3000)).to.equal(true);
      } finally {
        c.close();
      }
    });
  });

  describe("when a new connection never sends a request", () => {
    it("closes it after idleConnectionTimeout, not the longer headerTimeout", async () => {
      const s2 = await startServer(echoHandler, { headerTimeout: 60, idleConnectionTimeout: 0.2 });
      const c = await RawClient.connect(s2.port);
      try {
        expect(await c.waitClose(5000)).to.equal(true);
        expect(c.pending().length).to.equal(0);
      } finally {
        c.close();
        await s2.stop();
      }
    });
  });

  describe("when a body arrives too slowly", () => {
    it("closes the connection after bodyTimeout", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("POST / HTTP/1.1\r\n" + H + "Content-Length: 10\r\n\r\nabc");
        expect(await c.waitClose(3000)).to.equal(true);
        expect(c.pending().length).to.equal(0);
      } finally {
        c.close();
      }
    });
  });

  describe("when requests keep coming in time", () => {
    it("keeps the connection open", async () => {
      const c = await RawClient.connect(s.port);
      try {
        for (let i = 0; i < 3; i++) {
          c.send("GET / HTTP/1.1\r\n" + H + "\r\n");
          expect((await c.readResponse()).code).to.equal(200);
          await new Promise((r) => setTimeout(r, 60));
        }
        expect(c.isClosed()).to.equal(false);
      } finally {
        c.close();
      }
    });
  });
});

describe("HTTP1ServerConnection with decompressRequest", () => {
  let s: Started;
  before(async () => {
    s = await startServer(echoHandler, { decompressRequest: true, maxBodySize: 1000 });
  });
  after(() => s.stop());

  function gzipped(body: Buffer): Buffer {
    const head = "POST / HTTP/1.1\r\n" + H + "Content-Encoding: gzip\r\nContent-Length: " + body.length + "\r\n\r\n";
    return Buffer.concat([Buffer.from(head), body]);
  }

  it("inflates a gzip body and notes the consumed encoding", async () => {
    const c = await RawClient.connect(s.port);
    try {
      c.send(gzipped(zlib.gzipSync("squeezed")));
      const json = JSON.parse((await c.readResponse()).body.toString());
      expect(json.body).to.equal("squeezed");
      expect(json.headers["x-consumed-content-encoding"]).to.equal("gzip");
      expect(json.headers["content-encoding"]).to.equal(undefined);
    } finally {
      c.close();
    }
  });

  it("answers 413 when the inflated body passes maxBodySize", async () => {
    const reply = await exchangeUntilClose(s.port, gzipped(zlib.gzipSync(Buffer.alloc(100000))));
    expect(reply).to.match(/^HTTP\/1\.1 413 /);
  });

  it("answers 400 for a body that is not gzip", async () => {
    const reply = await exchangeUntilClose(s.port, gzipped(Buffer.from("not gzip at all")));
    expect(reply).to.match(/^HTTP\/1\.1 400 /);
  });
});
