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

describe("RequestHandler's prepared response head on a socket", () => {
  let server: TestServer;

  class Hello extends RequestHandler {
    get(): void {
      this.write("Hello, world");
    }
  }

  class Json extends RequestHandler {
    get(): void {
      this.write({ id: 7 });
    }
  }

  class Extra extends RequestHandler {
    get(): void {
      this.setHeader("X-Extra", "1");
      this.setCookie("c", "v");
      this.write("extra");
    }
  }

  class Typed extends RequestHandler {
    get(): void {
      this.setHeader("Content-Type", "text/plain; charset=UTF-8");
      this.setStatus(201);
      this.write("typed");
    }
  }

  class Flushed extends RequestHandler {
    async get(): Promise<void> {
      this.write("a");
      await this.flush();
      this.write("b");
    }
  }

  before(async () => {
    server = await startTestServer([["/hello", Hello], ["/json", Json], ["/extra", Extra], ["/typed", Typed], ["/flushed", Flushed]]);
  });
  after(() => server.close());

  const DATE = "[A-Z][a-z]{2}, \\d\\d [A-Z][a-z]{2} \\d{4} \\d\\d:\\d\\d:\\d\\d GMT";

  it("writes Server, Content-Type, Date, Etag and Content-Length in that order", async () => {
    const answer = await rawRequest(server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).to.match(new RegExp(
      "^HTTP/1\\.1 200 OK\r\nServer: TornadoServer/[^\r\n]+\r\nContent-Type: text/html; charset=UTF-8\r\n" +
      `Date: ${DATE}\r\nEtag: "c-[0-9a-f]{16}"\r\nContent-Length: 12\r\nConnection: close\r\n\r\nHello, world$`,
    ));
  });

  it("sends a JSON body's type and keeps an HTTP/1.0 keep-alive connection open", async () => {
    const answer = await rawRequest(server.port, "GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", /\{"id":7\}$/);
    expect(answer).to.match(/\r\nContent-Type: application\/json; charset=UTF-8\r\n/);
    expect(answer).to.match(/\r\nContent-Length: 8\r\nConnection: Keep-Alive\r\n\r\n\{"id":7\}$/);
  });

  it("answers If-None-Match with a bodiless 304", async () => {
    const first = await rawRequest(server.port, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const etag = /\r\nEtag: ("[^"]+")/.exec(first)![1];
    const answer = await rawRequest(server.port, `GET /hello HTTP/1.1\r\nHost: x\r\nIf-None-Match: ${etag}\r\nConnection: close\r\n\r\n`);
    expect(answer).to.match(/^HTTP\/1\.1 304 Not Modified\r\n/);
    expect(answer).not.to.match(/Content-Length|Content-Type/);
    expect(answer.endsWith("\r\n\r\n")).to.equal(true);
  });

  it("writes the handler's own headers and cookies after the defaults", async () => {
    const answer = await rawRequest(server.port, "GET /extra HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).to.match(new RegExp(`\r\nDate: ${DATE}\r\nX-Extra: 1\r\nEtag: "5-[0-9a-f]{16}"\r\nContent-Length: 5\r\nSet-Cookie: c=v; Path=/\r\n`));
    expect(answer.endsWith("\r\n\r\nextra")).to.equal(true);
  });

  it("writes another Content-Type and status", async () => {
    const answer = await rawRequest(server.port, "GET /typed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(answer).to.match(/^HTTP\/1\.1 201 Created\r\n/);
    expect(answer).to.match(/\r\nContent-Type: text\/plain; charset=UTF-8\r\n/);
    expect(answer).not.to.match(/Etag/);
    expect(answer.endsWith("\r\nContent-Length: 5\r\nConnection: close\r\n\r\ntyped")).to.equal(true);
  });

  it("sends a flushed body chunked, HTTP/1.0 one until the close", async () => {
    const chunked = await rawRequest(server.port, "GET /flushed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(chunked).to.match(/\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n$/);
    expect(chunked).not.to.match(/Content-Length/);
    const closed = await rawRequest(server.port, "GET /flushed HTTP/1.0\r\n\r\n");
    expect(closed).to.match(/\r\n\r\nab$/);
    expect(closed).not.to.match(/Content-Length|Transfer-Encoding|Keep-Alive/);
  });
});
