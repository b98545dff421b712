import { expect } from "chai";
import { addLogHandler, type LogRecord } from "../../src/log";
import { startTestServer, type TestServer } from "../../src/testing";
import { HTTPError } from "../../src/web/errors";
import { RequestHandler } from "../../src/web/handler";
import type { ErrorExtras } from "../../src/web/handler_response";
import { RawClient } from "../support/rawclient";

/** Answers `/raise/CODE` with `throw new HTTPError(CODE)` and `/send/CODE` with `sendError(CODE)`. */
class Raise extends RequestHandler {
  get(code: string): void {
    this.write("a body that must not go out");
    throw new HTTPError(Number(code));
  }
}

class Send extends RequestHandler {
  get(code: string): void {
    this.sendError(Number(code));
  }
}

/** A writeError that writes a page whatever the status (as many apps' error pages do). */
class PageForEverything extends RequestHandler {
  get(code: string): void {
    throw new HTTPError(Number(code));
  }
  override writeError(code: number, _extras: ErrorExtras): void {
    this.finish(`<h1>error ${code}</h1>`);
  }
}

describe("HandlerResponse with statuses that have no body", () => {
  let server: TestServer;
  let records: LogRecord[];
  let removeLog: () => void;

  before(async () => {
    server = await startTestServer([
      ["/raise/(\\d+)", Raise],
      ["/send/(\\d+)", Send],
      ["/page/(\\d+)", PageForEverything],
    ]);
  });
  after(() => server.close());
  beforeEach(() => {
    records = [];
    removeLog = addLogHandler((r) => records.push(r), "warning");
  });
  afterEach(() => removeLog());

  async function exchange(path: string): Promise<{ code: number; headers: Record<string, string>; body: string; closed: boolean; pending: string }> {
    const client = await RawClient.connect(server.port);
    try {
      client.send(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const response = await client.readResponse({ timeoutMs: 5000 });
      // Give a stray body (sent after a bodiless head) the time to arrive.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { code: response.code, headers: response.headers, body: response.body.toString(), closed: client.isClosed(), pending: client.pending().toString("latin1") };
    } finally {
      client.close();
    }
  }

  for (const code of [204, 304]) {
    for (const how of ["raise", "send", "page"]) {
      it(`answers ${how} of ${code} with a ${code}, no body and no Content-Length, and keeps the connection usable`, async () => {
        const answer = await exchange(`/${how}/${code}`);
        expect(answer.code).to.equal(code);
        expect(answer.headers).not.to.have.property("content-length");
        expect(answer.headers).not.to.have.property("transfer-encoding");
        expect(answer.headers).not.to.have.property("content-type");
        expect(answer.pending).to.equal("");
        expect(answer.closed).to.equal(false);
      });
    }
  }

  for (const code of [100, 103, 199]) {
    it(`answers an HTTPError(${code}) with a bodiless ${code} and closes, so the client is not left waiting`, async () => {
      const client = await RawClient.connect(server.port);
      try {
        client.send(`GET /raise/${code} HTTP/1.1\r\nHost: x\r\n\r\n`);
        const all = (await client.readAll(5000)).toString("latin1");
        expect(all).to.match(new RegExp(`^HTTP/1\\.1 ${code} `));
        expect(all.endsWith("\r\n\r\n")).to.equal(true);
        expect(all).not.to.match(/content-length|transfer-encoding|a body/i);
      } finally {
        client.close();
      }
    });
  }

  it("logs a writeError body for a 304 once, naming the status", async () => {
    await exchange("/page/304");
    const messages = records.map((r) => `${r.message} ${r.error instanceof Error ? r.error.message : ""}`);
    expect(messages.filter((m) => /304/.test(m))).to.have.length(1);
  });

  it("logs nothing for a plain HTTPError(304)", async () => {
    await exchange("/raise/304");
    expect(records.map((r) => r.message)).to.deep.equal([]);
  });
});
