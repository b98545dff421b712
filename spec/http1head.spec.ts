import { expect } from "chai";
import { addLogHandler, type LogRecord } from "../src/log";
import { echoHandler, PROBE_REQUEST as PROBE, RawClient, sendWithProbe, startServer } from "./support/rawclient";

type Started = Awaited<ReturnType<typeof startServer>>;

/**
 * [what, exact bytes]: each is ambiguous between parsers (a proxy may read it differently), so the
 * server must refuse it with 400 and close, answering nothing that follows on the connection.
 */
export const AMBIGUOUS_HEADS: [string, string][] = [
  ["a bare LF line end amid CRLF lines", "POST /echo HTTP/1.1\r\nHost: a\r\nDummy: x\nContent-Length: 23\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"],
  ["a bare LF empty line ending a CRLF head early", "POST /echo HTTP/1.1\r\nHost: a\r\nX: y\n\nContent-Length: 5\r\n\r\nhello"],
  ["a CRLF line in a head with bare LF line ends", "GET /echo HTTP/1.1\nHost: a\r\nX: y\n\n"],
  ["obs-fold smuggling a Transfer-Encoding", "POST /echo HTTP/1.1\r\nHost: a\r\nX: x\r\n Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"],
  ["obs-fold with a tab", "GET /echo HTTP/1.1\r\nHost: a\r\nX-Fold: one\r\n\ttwo\r\n\r\n"],
  ["Transfer-Encoding: chunked followed by a tab", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t\r\n\r\n5\r\nhello\r\n0\r\n\r\n"],
  ["an HTTP/1.1 absolute-form request with no Host", "GET http://evil/ip HTTP/1.1\r\n\r\n"],
];

describe("HTTP1ServerConnection head parsing", () => {
  let s: Started;
  before(async () => {
    s = await startServer(echoHandler);
  });
  after(() => s.stop());

  describe("when a head could be read two ways", () => {
    for (const [what, raw] of AMBIGUOUS_HEADS) {
      it(`answers 400 and closes for ${what}, answering nothing after it`, async () => {
        const reply = await sendWithProbe(s.port, raw);
        expect(reply).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
        expect(reply.match(/HTTP\/1\.1 \d\d\d /g)).to.have.length(1);
        expect(reply).to.include("Connection: close\r\n");
        expect(reply).not.to.include("probe");
        expect(reply).not.to.include("smuggled");
      });
    }
  });

  describe("when a head uses bare LF line ends throughout", () => {
    it("serves it and then the next request on the connection", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET /lf HTTP/1.1\nHost: a\nX: y\n\n" + PROBE);
        expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/lf");
        expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/probe");
      } finally {
        c.close();
      }
    });
  });

  describe("when an HTTP/1.0 absolute-form request has no Host", () => {
    it("takes the host from the target", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET http://example.com/p HTTP/1.0\r\n\r\n");
        const json = JSON.parse((await c.readResponse()).body.toString());
        expect([json.host, json.path]).to.deep.equal(["example.com", "/p"]);
      } finally {
        c.close();
      }
    });
  });

  describe("when a request is refused before the application sees it", () => {
    it("writes an access-log line with the status, the request line and the cause", async () => {
      const records: LogRecord[] = [];
      const remove = addLogHandler((r) => records.push(r));
      const c = await RawClient.connect(s.port);
      try {
        c.send("POST /refused HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n");
        expect((await c.readResponse()).code).to.equal(400);
        const line = records.find((r) => r.logger === "tornado.access");
        expect(line?.level).to.equal("warning");
        expect(line?.message).to.match(/^400 POST \/refused \(127\.0\.0\.1\) [0-9.]+ms: invalid chunk size line$/);
      } finally {
        remove();
        c.close();
      }
    });

    it("logs a 431 for a head past maxHeaderSize, naming the limit", async () => {
      const records: LogRecord[] = [];
      const remove = addLogHandler((r) => records.push(r));
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET /big HTTP/1.1\r\nHost: a\r\nX: " + "a".repeat(70 * 1024) + "\r\n\r\n");
        const r = await c.readResponse();
        expect(r.code).to.equal(431);
        expect(r.body.toString()).to.equal("431 Request Header Fields Too Large: request head larger than maxHeaderSize\n");
        expect(records.some((x) => x.logger === "tornado.access" && x.message.startsWith("431 ") && x.message.endsWith("maxHeaderSize"))).to.equal(true);
      } finally {
        remove();
        c.close();
      }
    });
  });

  describe("when a refused request is answered", () => {
    it("says in a short text body what was wrong", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send("GET / HTTP/1.1\r\nHost: a\r\nX: x\r\n folded\r\n\r\n");
        const r = await c.readResponse();
        expect(r.headers["content-type"]).to.equal("text/plain; charset=utf-8");
        expect(r.body.toString()).to.equal("400 Bad Request: obsolete line folding in header X\n");
      } finally {
        c.close();
      }
    });
  });
});
