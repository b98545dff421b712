import { expect } from "chai";
import { Route, StreamRequestBody } from "../../src/web/decorators";
import { HTTPError } from "../../src/web/errors";
import { RequestHandler } from "../../src/web/handler";
import { startTestServer, type TestServer } from "../../src/testing";
import { RawClient } from "../support/rawclient";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await sleep(5);
  }
}

/** Everything the handlers saw, for the assertions. */
const seen = { events: [] as string[], bytes: 0, closed: 0, release: null as (() => void) | null };

@Route("/upload/(.*)")
@StreamRequestBody
class Upload extends RequestHandler {
  private pieces = 0;
  private total = 0;

  override prepare(): void {
    seen.events.push("prepare");
    const limit = this.getQueryArgument("limit", null);
    if (limit !== null) this.request.connection!.setMaxBodySize!(Number(limit));
    if (this.getQueryArgument("deny", null) !== null) throw new HTTPError(403);
  }

  override dataReceived(chunk: Buffer): void | Promise<void> {
    this.pieces++;
    this.total += chunk.length;
    seen.bytes += chunk.length;
    if (this.getQueryArgument("fail", null) !== null) throw new HTTPError(413, "too much for this handler");
    if (this.getQueryArgument("hold", null) !== null && seen.release === null) {
      return new Promise((resolve) => (seen.release = resolve));
    }
  }

  override onConnectionClose(): void {
    seen.closed++;
  }

  put(name: string): void {
    seen.events.push("put");
    this.write({ name, total: this.total, pieces: this.pieces, body: this.request.body.length });
  }

  post(name: string): void {
    this.put(name);
  }
}

@Route("/buffered")
class Buffered extends RequestHandler {
  put(): void {
    this.write({ body: this.request.body.length });
  }
}

describe("@StreamRequestBody handlers", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer([Upload, Buffered], { server: { maxBodySize: 100_000 } });
  });
  after(() => server.close());
  beforeEach(() => {
    seen.events = [];
    seen.bytes = 0;
    seen.closed = 0;
    seen.release = null;
  });

  it("runs prepare when the head arrives, dataReceived per piece, then the verb", async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send("PUT /upload/a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
      await until(() => seen.events.includes("prepare"), "prepare");
      expect(seen.events).to.deep.equal(["prepare"]);
      c.send("hello");
      await until(() => seen.bytes === 5, "the first piece");
      c.send("world");
      const r = await c.readResponse();
      expect(JSON.parse(r.body.toString())).to.deep.equal({ name: "a", total: 10, pieces: 2, body: 0 });
      expect(seen.events).to.deep.equal(["prepare", "put"]);
    } finally {
      c.close();
    }
  });

  it("streams a chunked body and serves the next request on the connection", async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send("POST /upload/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n");
      c.send("PUT /buffered HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz");
      expect(JSON.parse((await c.readResponse()).body.toString())).to.include({ name: "c", total: 7 });
      expect(JSON.parse((await c.readResponse()).body.toString())).to.deep.equal({ body: 3 });
    } finally {
      c.close();
    }
  });

  it("lets prepare raise maxBodySize for its own request only", async () => {
    const body = "x".repeat(150_000);
    const raised = await server.fetch("/upload/big?limit=200000", { method: "PUT", body });
    expect(await raised.json()).to.include({ total: 150_000 });
    const plain = await RawClient.connect(server.port);
    try {
      plain.send("PUT /upload/big HTTP/1.1\r\nHost: x\r\nContent-Length: 150000\r\n\r\n");
      const r = await plain.readResponse();
      expect(r.code).to.equal(413);
      expect(r.body.toString()).to.include("maxBodySize");
      expect(await plain.waitClose()).to.equal(true);
    } finally {
      plain.close();
    }
  });

  it("reads no more of the body while dataReceived's promise is pending (flow control)", async function () {
    this.timeout(30000);
    const c = await RawClient.connect(server.port);
    try {
      const size = 64 * 1024 * 1024;
      c.send(`PUT /upload/slow?hold=1&limit=${size} HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
      c.send(Buffer.alloc(size, 1));
      await until(() => seen.release !== null, "the first piece");
      await sleep(300);
      const taken = seen.bytes;
      await sleep(300);
      expect(seen.bytes).to.equal(taken);
      // What the server did not read is still queued in the client's socket.
      expect(c.socket.writableLength).to.be.above(size / 2);
      seen.release!();
      const r = await c.readResponse({ timeoutMs: 25000 });
      expect(JSON.parse(r.body.toString())).to.include({ total: size });
    } finally {
      c.close();
    }
  });

  it("answers an error thrown by prepare without reading the body, then closes", async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send("PUT /upload/d?deny=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      expect((await c.readResponse()).code).to.equal(403);
      expect(await c.waitClose()).to.equal(true);
      expect(seen.bytes).to.equal(0);
      expect(seen.events).to.deep.equal(["prepare"]);
    } finally {
      c.close();
    }
  });

  it("answers an error thrown by dataReceived like one from a verb, then closes", async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send("PUT /upload/e?fail=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
      const r = await c.readResponse();
      expect(r.code).to.equal(413);
      expect(await c.waitClose()).to.equal(true);
      expect(seen.events).to.deep.equal(["prepare"]);
    } finally {
      c.close();
    }
  });

  it("answers 400 for malformed chunked framing mid-stream, tells the handler, and skips the verb", async () => {
    const c = await RawClient.connect(server.port);
    try {
      c.send("PUT /upload/f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4 \r\ndefg\r\n0\r\n\r\n");
      const r = await c.readResponse();
      expect(r.code).to.equal(400);
      expect(r.body.toString()).to.include("chunk size");
      expect(await c.waitClose()).to.equal(true);
      await until(() => seen.closed === 1, "onConnectionClose");
      expect(seen.events).to.deep.equal(["prepare"]);
      expect(seen.bytes).to.equal(3);
    } finally {
      c.close();
    }
  });

  it("tells the handler when the client leaves mid-body", async () => {
    const c = await RawClient.connect(server.port);
    c.send("PUT /upload/g HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
    await until(() => seen.bytes === 3, "the first piece");
    c.close();
    await until(() => seen.closed === 1, "onConnectionClose");
    expect(seen.events).to.deep.equal(["prepare"]);
  });

  it("keeps memory flat for an upload far larger than the read buffer", async function () {
    this.timeout(60000);
    const size = 256 * 1024 * 1024;
    const c = await RawClient.connect(server.port);
    try {
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
      c.send(`PUT /upload/huge?limit=${size} HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\n\r\n`);
      const piece = Buffer.alloc(1024 * 1024, 7);
      for (let sent = 0; sent < size; sent += piece.length) {
        if (!c.socket.write(piece)) await new Promise((r) => c.socket.once("drain", r));
      }
      const r = await c.readResponse({ timeoutMs: 55000 });
      clearInterval(sampler);
      expect(JSON.parse(r.body.toString())).to.include({ total: size });
      // Buffered, the body alone would add 256 MiB; streamed, the process grows by a few socket buffers.
      expect(peak - before).to.be.below(64 * 1024 * 1024);
    } finally {
      c.close();
    }
  });
});
