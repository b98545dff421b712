import { expect } from "chai";
import type { HTTPServerRequest } from "../src/httputil";
import { HTTPHeaders } from "../src/httputil";
import { RawClient, startServer } from "./support/rawclient";

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASES = [
  "GET /a?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: fuzz\r\nAccept: */*\r\n\r\n",
  "POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 11\r\n\r\na=1&b=2&c=3",
  "POST /chunked HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: v\r\n\r\n",
  "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
  "PUT /up HTTP/1.1\r\nHost: example.com:8080\r\nContent-Length: 4\r\nX-Folded: one\r\n two\r\n\r\nbody",
  "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n",
  "POST /m HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=zz\r\nContent-Length: 70\r\n\r\n--zz\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nvalue\r\n--zz--\r\n",
  "GET http://example.com/abs HTTP/1.1\r\nHost: example.com\r\nCookie: a=b; c=d\r\n\r\n",
];

const TOKENS = [
  "\r\n", "\n", "\r", ":", " ", "\t", "\x00", "\x7f", "\xff", "\r\n\r\n", "Content-Length: 5\r\n",
  "Transfer-Encoding: chunked\r\n", "Content-Length: 99999999999\r\n", "Host: b\r\n", "Expect: 100-continue\r\n",
  "0\r\n\r\n", "ffffffff\r\n", "HTTP/1.0", "HTTP/1.1", ",", ";", "\"", "%", "?", "#", "a".repeat(5000),
];

function mutate(rand: () => number, base: string): Buffer {
  let bytes = Buffer.from(base, "latin1");
  const n = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < n; k++) {
    const at = Math.floor(rand() * (bytes.length + 1));
    switch (Math.floor(rand() * 6)) {
      case 0: // replace a byte
        if (bytes.length > 0) bytes[Math.min(at, bytes.length - 1)] = Math.floor(rand() * 256);
        break;
      case 1: // insert random bytes
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => Math.floor(rand() * 256))), bytes.subarray(at)]);
        break;
      case 2: { // delete a range
        const len = 1 + Math.floor(rand() * 8);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + len)]);
        break;
      }
      case 3: { // duplicate a range
        const len = 1 + Math.floor(rand() * 20);
        bytes = Buffer.concat([bytes.subarray(0, at + len), bytes.subarray(at, at + len), bytes.subarray(at + len)]);
        break;
      }
      case 4: // insert a token that means something to a parser
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(TOKENS[Math.floor(rand() * TOKENS.length)], "latin1"), bytes.subarray(at)]);
        break;
      default: // truncate
        bytes = bytes.subarray(0, at);
    }
  }
  return bytes;
}

function fuzzHandler(request: HTTPServerRequest): void {
  const body = JSON.stringify({ path: request.path, size: request.body.length });
  const headers = new HTTPHeaders({ "Content-Length": String(body.length), "X-Method": request.method.replace(/[^A-Za-z]/g, "_") });
  void request.connection!.writeHeaders({ version: "HTTP/1.1", code: 200, reason: "OK" }, headers, body);
  request.connection!.finish();
}

describe("HTTPServer under fuzzed input", function () {
  this.timeout(120000);
  const CASES = 10000;
  const WORKERS = 128;

  it(`answers or closes every one of ${CASES} mutated requests and keeps serving`, async () => {
    const s = await startServer(fuzzHandler, { maxHeaderSize: 4096, maxBodySize: 8192, headerTimeout: 0.1, bodyTimeout: 0.1, idleConnectionTimeout: 0.15 });
    const rand = prng(20260101);
    const cases = Array.from({ length: CASES }, () => mutate(rand, BASES[Math.floor(rand() * BASES.length)]));
    const seen = { responses: 0, closes: 0 };
    const isHead = (h: Record<string, string>): boolean => h["x-method"] === "HEAD";
    let next = 0;
    const worker = async (): Promise<void> => {
      let conn: RawClient | null = null;
      while (next < cases.length) {
        const id = next++;
        if (conn === null || conn.isClosed()) conn = await RawClient.connect(s.port);
        const sentinel = "/sentinel-" + id;
        conn.send(Buffer.concat([cases[id], Buffer.from("GET " + sentinel + " HTTP/1.1\r\nHost: s\r\n\r\n")]));
        for (;;) {
          let r;
          try {
            r = await conn.readResponse({ head: isHead, timeoutMs: 3000 });
          } catch (err) {
            if (!conn.isClosed()) throw new Error(`case ${id} hung: ${JSON.stringify(cases[id].toString("latin1"))}: ${String(err)}`);
            seen.closes++;
            break;
          }
          seen.responses++;
          expect([100, 200, 400, 413, 431], `case ${id}`).to.include(r.code);
          if (r.code === 200 && !isHead(r.headers) && JSON.parse(r.body.toString()).path === sentinel) break;
        }
      }
      conn?.close();
    };
    try {
      await Promise.all(Array.from({ length: WORKERS }, worker));
      if (process.env.FUZZ_STATS) console.log(seen);
      expect(seen.responses + seen.closes).to.be.at.least(CASES);
      const c = await RawClient.connect(s.port);
      c.send("GET /still-alive HTTP/1.1\r\nHost: a\r\n\r\n");
      expect(JSON.parse((await c.readResponse()).body.toString()).path).to.equal("/still-alive");
      c.close();
    } finally {
      await s.stop();
    }
  });
});
