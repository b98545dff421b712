import { expect } from "chai";
import { addLogHandler, type LogRecord } from "../../src/log";
import { startTestServer, type TestServer } from "../../src/testing";
import { RequestHandler } from "../../src/web/handler";

/** Echoes `foo` as JSON, from wherever getArgument finds it. */
class Echo extends RequestHandler {
  get(): void {
    this.write({ foo: this.getArgument("foo", null), all: this.getArguments("foo") });
  }
  post(): void {
    this.write({ foo: this.getBodyArgument("foo", null) });
  }
}

class PathEcho extends RequestHandler {
  get(value: string): void {
    this.write({ value });
  }
}

/** An app whose clients send latin1, Tornado's decode_argument override. */
class Latin extends RequestHandler {
  override decodeArgument(value: Buffer, _name?: string): string {
    return value.toString("latin1");
  }
  get(): void {
    this.write({ foo: this.getArgument("foo") });
  }
  post(): void {
    this.write({ foo: this.getBodyArgument("foo") });
  }
}

describe("RequestHandler argument decoding over HTTP", () => {
  let server: TestServer;
  let records: LogRecord[];
  let removeLog: () => void;

  before(async () => {
    server = await startTestServer([
      ["/echo", Echo],
      ["/path/(.*)", PathEcho],
      ["/latin", Latin],
    ]);
  });
  after(() => server.close());
  beforeEach(() => {
    records = [];
    removeLog = addLogHandler((r) => records.push(r), "warning");
  });
  afterEach(() => removeLog());

  const form = (body: string): RequestInit => ({ method: "POST", body, headers: { "Content-Type": "application/x-www-form-urlencoded" } });

  function multipart(value: Buffer): RequestInit {
    const head = Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="foo"\r\n\r\n');
    return {
      method: "POST",
      body: Buffer.concat([head, value, Buffer.from("\r\n--XyZ--\r\n")]),
      headers: { "Content-Type": "multipart/form-data; boundary=XyZ" },
    };
  }

  it("decodes valid UTF-8 in the query and the body", async () => {
    expect(await (await server.fetch("/echo?foo=%C3%A9t%C3%A9+x")).json()).to.deep.equal({ foo: "été x", all: ["été x"] });
    expect(await (await server.fetch("/echo", form("foo=%E2%82%AC"))).json()).to.deep.equal({ foo: "€" });
    expect(await (await server.fetch("/echo", multipart(Buffer.from("€ ok")))).json()).to.deep.equal({ foo: "€ ok" });
  });

  for (const [what, path, init] of [
    ["a query argument", "/echo?foo=%FF", undefined],
    ["a truncated sequence in a query argument", "/echo?foo=%C3", undefined],
    ["a url-encoded body argument", "/echo", form("foo=%FFbar")],
    ["a multipart body argument", "/echo", multipart(Buffer.from([0x61, 0xff, 0x62]))],
  ] as const) {
    it(`answers 400 "Invalid unicode in foo" for invalid UTF-8 in ${what}`, async () => {
      const response = await server.fetch(path, init);
      expect(response.status).to.equal(400);
      expect(records.map((r) => r.message).join("\n")).to.match(/Invalid unicode in foo/);
    });
  }

  for (const query of ["foo=%zz", "foo=%4", "foo=a%"]) {
    it(`answers 400 for the malformed escape in ?${query}`, async () => {
      const response = await server.fetch(`/echo?${query}`);
      expect(response.status).to.equal(400);
      expect(records.map((r) => r.message).join("\n")).to.match(/Invalid percent-encoding in foo/);
    });
  }

  it("answers 400 for invalid UTF-8 in a path argument", async () => {
    expect((await server.fetch("/path/%FF%FE")).status).to.equal(400);
    expect(await (await server.fetch("/path/%C3%A9")).json()).to.deep.equal({ value: "é" });
  });

  it("leaves other arguments readable when one is undecodable", async () => {
    const response = await server.fetch("/echo?bar=%FF&foo=ok");
    expect(await response.json()).to.deep.equal({ foo: "ok", all: ["ok"] });
  });

  it("lets a handler's decodeArgument choose another charset for query and body arguments", async () => {
    expect(await (await server.fetch("/latin?foo=caf%E9")).json()).to.deep.equal({ foo: "café" });
    expect(await (await server.fetch("/latin", form("foo=%E0+5"))).json()).to.deep.equal({ foo: "à 5" });
    expect(await (await server.fetch("/latin", multipart(Buffer.from([0xfc])))).json()).to.deep.equal({ foo: "ü" });
  });
});
