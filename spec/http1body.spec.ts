import { expect } from "chai";
import { echoHandler, PROBE_REQUEST as PROBE, RawClient, sendWithProbe, startServer } from "./support/rawclient";

type Started = Awaited<ReturnType<typeof startServer>>;

const CHUNKED = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

/** [what, exact bytes]: chunked framing that another parser could read differently. */
export const AMBIGUOUS_BODIES: [string, string][] = [
  ["a lone LF ending the trailer section", CHUNKED + "5\r\nhello\r\n0\r\n\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"],
  [
    "a lone LF ending the trailer section before a body",
    CHUNKED + "5\r\nhello\r\n0\r\n\nPOST /smuggled HTTP/1.1\r\nHost: a\r\nContent-Length: 33\r\n\r\nGET /smuggled2 HTTP/1.1\r\nHost: a\r\n\r\n",
  ],
  ["a trailer line ending in a bare LF", CHUNKED + "5\r\nhello\r\n0\r\nX-T: 1\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"],
  ["a chunk size line ending in a bare LF", CHUNKED + "5\nhello\r\n0\r\n\r\n"],
  ["a chunk size with a trailing space", CHUNKED + "5 \r\nhello\r\n0\r\n\r\n"],
  ["a chunk size with a trailing tab", CHUNKED + "5\t\r\nhello\r\n0\r\n\r\n"],
  ["an empty chunk extension", CHUNKED + "5;\r\nhello\r\n0\r\n\r\n"],
  ["a NUL in a chunk extension", CHUNKED + "5;a\x00b\r\nhello\r\n0\r\n\r\n"],
  ["a chunk extension with an empty value", CHUNKED + "5;a=\r\nhello\r\n0\r\n\r\n"],
  ["whitespace before a chunk extension", CHUNKED + "5 ;a=b\r\nhello\r\n0\r\n\r\n"],
];

describe("HTTP1ServerConnection body framing", () => {
  let s: Started;
  before(async () => {
    s = await startServer(echoHandler);
  });
  after(() => s.stop());

  describe("when chunked framing could be read two ways", () => {
    for (const [what, raw] of AMBIGUOUS_BODIES) {
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

  describe("when chunk extensions are well formed", () => {
    it("ignores them, quoted values too, and serves the next request", async () => {
      const c = await RawClient.connect(s.port);
      try {
        c.send(CHUNKED + '5;a=b;c="d;\\"e"\r\nhello\r\n6;flag\r\n world\r\n0\r\nX-T: 1\r\n\r\n' + PROBE);
        expect(JSON.parse((await c.readResponse()).body.toString()).body).to.equal("hello world");
        expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/probe");
      } finally {
        c.close();
      }
    });
  });

  describe("when a body is larger than 64 KiB", () => {
    for (const framing of ["Content-Length", "chunked"] as const) {
      it(`reads it whole with ${framing} and serves the next request`, async () => {
        const c = await RawClient.connect(s.port);
        try {
          const body = Buffer.alloc(300 * 1024 + 7, "xyz");
          const head = "POST /big HTTP/1.1\r\nHost: a\r\n" + (framing === "chunked" ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${body.length}\r\n\r\n`);
          c.send(head);
          if (framing === "chunked") {
            for (let i = 0; i < body.length; i += 70000) {
              const piece = body.subarray(i, i + 70000);
              c.send(piece.length.toString(16) + "\r\n");
              c.send(piece);
              c.send("\r\n");
            }
            c.send("0\r\n\r\n");
          } else {
            c.send(body);
          }
          c.send(PROBE);
          const json = JSON.parse((await c.readResponse({ timeoutMs: 20000 })).body.toString());
          expect(json.body).to.equal(body.toString("latin1"));
          expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/probe");
        } finally {
          c.close();
        }
      });
    }
  });
});
