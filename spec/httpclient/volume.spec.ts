import { expect } from "chai";
import * as fs from "node:fs";
import type { ServerResponse } from "node:http";
import { AsyncHTTPClient } from "../../src/httpclient";
import { RequestHandler } from "../../src/web";
import { startTestServer, type TestServer } from "../../src/testing";
import { startPeer, type PeerServer } from "../support/httpservers";
import { needs } from "../support/services";

class PingHandler extends RequestHandler {
  get(): void {
    this.write("pong");
  }
}

const MB = 1024 * 1024;
const STREAM_SIZE = 200 * MB;

function openFds(): number {
  return fs.readdirSync("/proc/self/fd").length;
}

/** Writes `total` bytes in 64 KB pieces, waiting for drain: the server never holds the body. */
function writeLarge(res: ServerResponse, total: number): void {
  const piece = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  res.setHeader("Content-Length", String(total));
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(piece.length, total - sent);
      sent += n;
      if (!res.write(n === piece.length ? piece : piece.subarray(0, n))) {
        res.once("drain", pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

describe("AsyncHTTPClient under volume", function () {
  this.timeout(180000);
  let tornado: TestServer;
  let peer: PeerServer;

  before(async () => {
    tornado = await startTestServer([["/ping", PingHandler]]);
    peer = await startPeer((req, res) => {
      const url = new URL(req.url!, "http://x");
      if (url.pathname === "/large") writeLarge(res, Number(url.searchParams.get("bytes")));
      else res.end("ok");
    });
  });

  after(async () => {
    await tornado.close();
    await peer.close();
  });

  it("reuses keep-alive connections for sequential requests instead of opening one each", async () => {
    const client = new AsyncHTTPClient({ forceInstance: true });
    try {
      const before = peer.connections;
      for (let i = 0; i < 50; i++) await client.fetch(peer.url("/"));
      // undici's pool opens a second connection once, when the first is still marked busy in
      // the tick its first response completes; after that the idle ones are reused.
      expect(peer.connections - before).to.be.within(1, 2);
    } finally {
      await client.close();
    }
  });

  it("makes 10,000 keep-alive requests through one client without leaking file descriptors", async function () {
    needs(this, "/proc/self/fd (open file descriptors are counted there)", fs.existsSync("/proc/self/fd"), "run on Linux");
    const client = new AsyncHTTPClient({ forceInstance: true, maxClients: 10 });
    try {
      await client.fetch(tornado.url("/ping"));
      const baseline = openFds();
      let done = 0;
      const worker = async (): Promise<void> => {
        while (done < 10000) {
          done++;
          const res = await client.fetch(tornado.url("/ping"));
          if (res.text() !== "pong") throw new Error("unexpected body " + res.text());
        }
      };
      await Promise.all(Array.from({ length: 20 }, worker));
      // At most maxClients pooled connections, each two descriptors here (client and server side).
      expect(openFds() - baseline).to.be.at.most(2 * 10);
      expect(client.stats).to.deep.equal({ active: 0, queued: 0 });
    } finally {
      await client.close();
    }
  });

  it("streams a 200 MB body through streamingCallback with flat memory", async () => {
    const client = new AsyncHTTPClient({ forceInstance: true });
    try {
      const baseline = process.memoryUsage().rss;
      let received = 0;
      let peak = baseline;
      let nextSample = 0;
      const res = await client.fetch(peer.url(`/large?bytes=${STREAM_SIZE}`), {
        requestTimeout: 120,
        streamingCallback: (chunk) => {
          received += chunk.length;
          if (received >= nextSample) {
            peak = Math.max(peak, process.memoryUsage().rss);
            nextSample += 4 * MB;
          }
        },
      });
      expect(res.code).to.equal(200);
      expect(received).to.equal(STREAM_SIZE);
      expect(res.body.length).to.equal(0);
      // Buffering the body would add 200 MB; streaming keeps the growth to socket buffers and garbage.
      expect(peak - baseline).to.be.below(80 * MB);
    } finally {
      await client.close();
    }
  });

  it("does not call streamingCallback again until the promise it returned settles", async () => {
    const client = new AsyncHTTPClient({ forceInstance: true });
    try {
      let inFlight = 0;
      let maxInFlight = 0;
      let calls = 0;
      let received = 0;
      await client.fetch(peer.url(`/large?bytes=${4 * MB}`), {
        streamingCallback: async (chunk) => {
          calls++;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, calls <= 5 ? 30 : 0));
          received += chunk.length;
          inFlight--;
        },
      });
      expect(maxInFlight).to.equal(1);
      expect(received).to.equal(4 * MB);
    } finally {
      await client.close();
    }
  });
});
