import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import { AsyncHTTPClient, HTTPTimeoutError } from "../../src/httpclient";
import { commandExists, needs } from "../support/services";

/**
 * Tornado's promise: a request that gets no answer fails with 599 when its timeout passes, not
 * much before and not much after. The upper bound allows scheduling slack on a loaded machine.
 */
const TIMEOUT = 1.5;
const SLACK = 0.75;

async function elapsedFailure(run: () => Promise<unknown>): Promise<{ error: unknown; seconds: number }> {
  const t0 = performance.now();
  const error = await run().then(() => null, (e: unknown) => e);
  return { error, seconds: (performance.now() - t0) / 1000 };
}

describe("AsyncHTTPClient timeouts", function () {
  this.timeout(30000);
  let client: AsyncHTTPClient;

  before(() => {
    client = new AsyncHTTPClient({ forceInstance: true });
  });

  after(() => client.close());

  describe("connecting to a server that never accepts", () => {
    let python: ChildProcess | null = null;
    let port = 0;
    const fillers: net.Socket[] = [];

    before(async function () {
      needs(this, "python3", commandExists("python3"), "apt-get install python3");
      // A socket that listens with a backlog of 0 and never accepts: once one connection fills
      // the backlog, the kernel drops further SYNs, so connecting hangs, like a blackholed host.
      python = spawn("python3", ["-c", [
        "import socket, sys",
        "s = socket.socket()",
        "s.bind(('127.0.0.1', 0))",
        "s.listen(0)",
        "print(s.getsockname()[1], flush=True)",
        "sys.stdin.read()",
      ].join("\n")], { stdio: ["pipe", "pipe", "inherit"] });
      port = await new Promise<number>((resolve, reject) => {
        python!.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
        python!.once("error", reject);
      });
      for (let i = 0; i < 2; i++) {
        const s = net.connect(port, "127.0.0.1");
        s.on("error", () => undefined);
        fillers.push(s);
      }
      await new Promise((r) => setTimeout(r, 200));
    });

    after(() => {
      for (const s of fillers) s.destroy();
      python?.stdin?.end();
      python?.kill();
    });

    it("fails with 599 'Timeout while connecting' after connectTimeout (within -10%, +10% plus slack)", async () => {
      const { error, seconds } = await elapsedFailure(() => client.fetch(`http://127.0.0.1:${port}/`, { connectTimeout: TIMEOUT, requestTimeout: 20 }));
      expect(error).to.be.instanceOf(HTTPTimeoutError);
      expect((error as HTTPTimeoutError).code).to.equal(599);
      expect((error as Error).message).to.equal("Timeout while connecting");
      expect(seconds).to.be.within(TIMEOUT * 0.9, TIMEOUT * 1.1 + SLACK);
    });

    it("fails with 599 after requestTimeout when that is shorter than connectTimeout", async () => {
      const { error, seconds } = await elapsedFailure(() => client.fetch(`http://127.0.0.1:${port}/`, { connectTimeout: 20, requestTimeout: TIMEOUT }));
      expect(error).to.be.instanceOf(HTTPTimeoutError);
      expect(seconds).to.be.within(TIMEOUT * 0.9, TIMEOUT * 1.1 + SLACK);
    });
  });

  describe("a server that accepts and never answers", () => {
    let server: net.Server;
    const sockets = new Set<net.Socket>();

    before(async () => {
      server = net.createServer((s) => {
        sockets.add(s);
        s.on("error", () => undefined);
        s.resume(); // read the request, answer nothing
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    });

    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    });

    it("fails with 599 'Timeout during request' after requestTimeout (within -10%, +10% plus slack)", async () => {
      const port = (server.address() as net.AddressInfo).port;
      const { error, seconds } = await elapsedFailure(() => client.fetch(`http://127.0.0.1:${port}/`, { requestTimeout: TIMEOUT }));
      expect(error).to.be.instanceOf(HTTPTimeoutError);
      expect((error as HTTPTimeoutError).code).to.equal(599);
      expect((error as Error).message).to.equal("Timeout during request");
      expect(seconds).to.be.within(TIMEOUT * 0.9, TIMEOUT * 1.1 + SLACK);
    });

    it("closes the connection it gave up on", async () => {
      const port = (server.address() as net.AddressInfo).port;
      const before = sockets.size;
      await client.fetch(`http://127.0.0.1:${port}/`, { requestTimeout: 0.3 }).catch(() => undefined);
      const socket = [...sockets][before];
      await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));
      expect(socket.destroyed).to.equal(true);
    });
  });
});
