import { expect } from "chai";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { RequestHandler, Route } from "../../src/web/index";
import { WebSocketHandler } from "../../src/websocket/handler";
import { websocketConnect } from "../../src/websocket/client";
import { needs } from "../support/services";
import { startApp, type LiveApp } from "./live_helpers";

const PYTHON = "/usr/bin/python3";
const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

function pythonHasWebsockets(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import websockets"]).status === 0;
}

const closes: string[] = [];

@Route("/echo")
class Echo extends WebSocketHandler {
  override getCompressionOptions() {
    return {};
  }
  override onMessage(message: string | Buffer): Promise<void> {
    return this.writeMessage(message);
  }
  override onClose(): void {
    closes.push(`${this.closeCode} ${this.closeReason}`);
  }
}

@Route("/page")
class Page extends RequestHandler {
  get(): void {
    this.write("<!doctype html><title>ws</title><p>socket page</p>");
  }
}

// Python's websockets (asyncio client, deflate on): text, bytes, a large message, a close code.
const PYTHON_CLIENT = `
import asyncio, json, sys, websockets
async def main(url):
    out = {}
    async with websockets.connect(url, compression="deflate", max_size=None) as ws:
        out["extensions"] = [type(e).__name__ for e in ws.extensions]
        await ws.send("h\\u00e9llo")
        out["text"] = await ws.recv()
        await ws.send(bytes([0, 1, 255]))
        out["binary"] = list(await ws.recv())
        big = "tornado " * 50000
        await ws.send(big)
        out["big"] = (await ws.recv()) == big
        pong = await ws.ping(b"py")
        await asyncio.wait_for(pong, 10)
        out["pong"] = True
        await ws.close(4003, "python done")
        out["close"] = ws.close_code
    print(json.dumps(out))
asyncio.run(main(sys.argv[1]))
`;

// Python's websockets as the server: echoes, and closes with 4004 on "bye".
const PYTHON_SERVER = `
import asyncio, websockets
async def echo(ws, path=None):
    async for m in ws:
        if m == "bye":
            await ws.close(4004, "python server bye")
            return
        await ws.send(m)
async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, compression="deflate") as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()
asyncio.run(main())
`;

describe("WebSocket interoperability", function () {
  this.timeout(60_000);
  let app: LiveApp;
  before(async () => (app = await startApp([Echo, Page])));
  after(() => app.stop());
  beforeEach(() => (closes.length = 0));

  describe("with Python's websockets", () => {
    before(function () {
      needs(this, "Python websockets", pythonHasWebsockets(), "apt-get install -y python3-websockets");
    });

    it("serves the Python client: text, binary, a large compressed message, ping and close code", async () => {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(PYTHON, ["-c", PYTHON_CLIENT, app.url("/echo")], { timeout: 30_000 }, (err, out, errOut) => (err ? reject(new Error(errOut || String(err))) : resolve(out)));
      });
      const result = JSON.parse(stdout) as Record<string, unknown>;
      expect(result).to.deep.equal({
        extensions: ["PerMessageDeflate"], text: "héllo", binary: [0, 1, 255], big: true, pong: true, close: 4003,
      });
      expect(closes).to.deep.equal(["4003 python done"]);
    });

    it("talks to a Python server with our client, compression included", async () => {
      const child: ChildProcess = spawn(PYTHON, ["-c", PYTHON_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
      try {
        const port = await new Promise<number>((resolve, reject) => {
          child.stdout!.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
          child.once("exit", (code) => reject(new Error(`python server exited with ${code}`)));
        });
        const ws = await websocketConnect(`ws://127.0.0.1:${port}/`, { compressionOptions: {} });
        const big = "ünïcode ".repeat(30000);
        await ws.writeMessage(big);
        expect(await ws.readMessage()).to.equal(big);
        await ws.writeMessage(Buffer.from([5, 6]));
        expect([...((await ws.readMessage()) as Buffer)]).to.deep.equal([5, 6]);
        await ws.writeMessage("bye");
        expect(await ws.readMessage()).to.equal(null);
        expect([ws.closeCode, ws.closeReason]).to.deep.equal([4004, "python server bye"]);
      } finally {
        child.kill();
      }
    });
  });

  describe("with headless Chromium", () => {
    let browser: import("playwright-core").Browser | undefined;
    before(async function () {
      needs(this, "Chromium", existsSync(CHROMIUM), "apt-get install -y chromium");
      const { chromium } = await import("playwright-core");
      browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    });
    after(async () => browser?.close());

    it("lets a page open a socket, exchange text and binary messages (compressed) and close with a code", async () => {
      const page = await browser!.newPage();
      await page.goto(`http://127.0.0.1:${app.port}/page`);
      const result = await page.evaluate(async (url: string) => {
        const ws = new WebSocket(url);
        ws.binaryType = "arraybuffer";
        const inbox: unknown[] = [];
        let wake: () => void = () => undefined;
        ws.onmessage = (e) => {
          inbox.push(e.data);
          wake();
        };
        const next = async (): Promise<unknown> => {
          while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          return inbox.shift();
        };
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        ws.send("from the browser ✓");
        const text = await next();
        ws.send(new Uint8Array([1, 2, 3]).buffer);
        const binary = Array.from(new Uint8Array((await next()) as ArrayBuffer));
        const big = "abc".repeat(100000);
        ws.send(big);
        const bigOk = (await next()) === big;
        const extensions = ws.extensions;
        const closed = new Promise<number>((resolve) => (ws.onclose = (e) => resolve(e.code)));
        ws.close(4005, "browser done");
        return { text, binary, bigOk, extensions, closeCode: await closed };
      }, `ws://127.0.0.1:${app.port}/echo`);
      expect(result).to.deep.equal({ text: "from the browser ✓", binary: [1, 2, 3], bigOk: true, extensions: "permessage-deflate", closeCode: 4005 });
      expect(closes).to.deep.equal(["4005 browser done"]);
      await page.close();
    });
  });
});
