import { expect } from "chai";
import * as net from "node:net";
import { Asynchronous, Route } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";
import { startTestServer, type TestServer } from "../../src/testing";

/** Sends raw bytes and collects the answer until the server closes or `until` matches. */
function rawRequest(port: number, text: string, until?: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (d) => {
      data += d.toString("latin1");
      if (until && until.test(data)) socket.end();
    });
    socket.on("end", () => resolve(data));
    socket.on("close", () => resolve(data));
    socket.on("error", reject);
    socket.write(text);
  });
}

describe("RequestHandler over a real connection", () => {
  let server: TestServer;
  const waiting = { closed: 0, started: 0 };

  @Route("/stream")
  class Stream extends RequestHandler {
    async get(): Promise<void> {
      this.write("first,");
      await this.flush();
      this.write("second");
    }
  }

  @Route("/head")
  class Head extends RequestHandler {
    get(): void {
      this.write("a body of 20 bytes!!");
    }
    head(): void {
      this.write("a body of 20 bytes!!");
    }
  }

  @Route("/poll")
  class Poll extends RequestHandler {
    @Asynchronous
    get(): void {
      waiting.started++;
    }
    override onConnectionClose(): void {
      waiting.closed++;
    }
  }

  before(async () => {
    server = await startTestServer([Stream, Head, Poll]);
  });
  after(() => server.close());

  it("streams flushed output with chunked encoding", async () => {
    const answer = await rawRequest(server.port, "GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).to.match(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).to.match(/\r\nTransfer-Encoding: chunked\r\n/i);
    expect(answer).not.to.match(/\r\nContent-Length:/i);
    expect(answer.endsWith("6\r\nfirst,\r\n6\r\nsecond\r\n0\r\n\r\n")).to.equal(true);
  });

  it("answers HEAD with the Content-Length of the body and no body", async () => {
    const answer = await rawRequest(server.port, "HEAD /head HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).to.match(/\r\nContent-Length: 20\r\n/i);
    expect(answer.endsWith("\r\n\r\n")).to.equal(true);
  });

  it("calls onConnectionClose when the client goes away during an @Asynchronous request", async () => {
    const before = waiting.closed;
    const socket = net.connect(server.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    socket.write("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n");
    for (let i = 0; i < 100 && waiting.started === 0; i++) await new Promise((r) => setTimeout(r, 5));
    socket.destroy();
    for (let i = 0; i < 100 && waiting.closed === before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(waiting.closed).to.equal(before + 1);
  });
});

describe("RequestHandler.prepare for a method the class does not implement (Tornado's order)", () => {
  let server: TestServer;
  const prepared: string[] = [];

  /** Answers every request from prepare(), as Tornado apps that dispatch themselves do. */
  class PrepareOnly extends RequestHandler {
    override prepare(): void {
      prepared.push(this.request.method);
      this.finish(`prepared ${this.request.method}`);
    }
  }

  class AsyncPrepareOnly extends RequestHandler {
    override async prepare(): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 5));
      this.finish("later");
    }
  }

  /** Implements GET only; prepare does not finish. */
  class GetOnly extends RequestHandler {
    override prepare(): void {
      prepared.push(`get-only ${this.request.method}`);
    }
    get(): void {
      this.write("got");
    }
  }

  before(async () => {
    server = await startTestServer([
      ["/prepare-only", PrepareOnly],
      ["/async-prepare-only", AsyncPrepareOnly],
      ["/get-only", GetOnly],
    ]);
  });
  after(() => server.close());
  beforeEach(() => {
    prepared.length = 0;
  });

  it("runs prepare first, so a handler that finishes there answers GET and POST with 200", async () => {
    const get = await server.fetch("/prepare-only");
    expect([get.status, await get.text()]).to.deep.equal([200, "prepared GET"]);
    const post = await server.fetch("/prepare-only", { method: "POST", body: "x" });
    expect([post.status, await post.text()]).to.deep.equal([200, "prepared POST"]);
    expect(prepared).to.deep.equal(["GET", "POST"]);
  });

  it("waits for an async prepare that finishes", async () => {
    const response = await server.fetch("/async-prepare-only", { method: "DELETE" });
    expect([response.status, await response.text()]).to.deep.equal([200, "later"]);
  });

  it("still answers 405 with Allow after a prepare that did not finish", async () => {
    const response = await server.fetch("/get-only", { method: "PUT", body: "x" });
    expect(response.status).to.equal(405);
    expect(response.headers.get("allow")).to.equal("GET");
    expect(prepared).to.deep.equal(["get-only PUT"]);
  });

  it("answers 405 without running prepare for a method outside SUPPORTED_METHODS", async () => {
    const answer = await rawRequest(server.port, "PROPFIND /prepare-only HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).to.match(/^HTTP\/1\.1 405 /);
    expect(prepared).to.deep.equal([]);
  });
});
