import { expect } from "chai";
import { addLogHandler, type LogRecord } from "../../src/log";
import { Route } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";
import { startTestServer, type TestServer } from "../../src/testing";
import { RawClient } from "../support/rawclient";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const state = { closed: 0, flushed: 0, failed: null as unknown };

@Route("/drip")
class Drip extends RequestHandler {
  override onConnectionClose(): void {
    state.closed++;
  }

  async get(): Promise<void> {
    const chunk = "x".repeat(64 * 1024);
    try {
      for (let i = 0; i < 10_000; i++) {
        this.write(chunk);
        await this.flush();
        state.flushed++;
      }
    } catch (err) {
      state.failed = err;
      throw err;
    }
  }
}

@Route("/only-get")
class OnlyGet extends RequestHandler {
  get(): void {
    this.write("ok");
  }
}

describe("RequestHandler and its connection", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer([Drip, OnlyGet]);
  });
  after(() => server.close());

  describe("when the client disconnects while the handler awaits flush()", () => {
    it("tells the handler (onConnectionClose) and logs it at debug, not as an error", async () => {
      const records: LogRecord[] = [];
      const remove = addLogHandler((r) => records.push(r));
      try {
        const c = await RawClient.connect(server.port);
        c.send("GET /drip HTTP/1.1\r\nHost: a\r\n\r\n");
        const deadline = Date.now() + 5000;
        while (state.flushed < 2 && Date.now() < deadline) await sleep(5);
        c.close();
        while ((state.closed === 0 || state.failed === null) && Date.now() < deadline) await sleep(5);
        await sleep(50);
        expect(state.closed).to.equal(1);
        expect((state.failed as Error).name).to.equal("StreamClosedError");
        expect(records.filter((r) => r.level === "error")).to.deep.equal([]);
        expect(records.some((r) => r.level === "debug" && r.message.includes("client connection lost"))).to.equal(true);
      } finally {
        remove();
      }
    });
  });

  describe("when the method is a valid token the handler does not implement", () => {
    it("answers M-SEARCH with 405 and Allow, not 400", async () => {
      const c = await RawClient.connect(server.port);
      try {
        c.send("M-SEARCH /only-get HTTP/1.1\r\nHost: a\r\n\r\n");
        const r = await c.readResponse();
        expect(r.code).to.equal(405);
        expect(r.headers.allow).to.equal("GET");
      } finally {
        c.close();
      }
    });
  });
});
