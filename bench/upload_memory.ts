/**
 * `node dist/bench/upload_memory.js [ROOT]`: the server's peak RSS growth while it receives large
 * uploads — 99 MiB with Content-Length, 99 MiB chunked, four of each at once, and a 1 GiB upload
 * to a @StreamRequestBody handler. ROOT is a checkout whose dist/ is built (default: this one),
 * so a baseline can be measured from an older build.
 *
 * Each case runs in a fresh server process. After a warm-up request and a GC, its VmRSS is the
 * baseline; the kernel's peak counter (VmHWM) is reset through /proc/PID/clear_refs, the uploads
 * run, and VmHWM minus the baseline is the figure. Linux only.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

const MiB = 1024 * 1024;

interface Case {
  name: string;
  framing: "length" | "chunked";
  size: number;
  parallel: number;
  streamed: boolean;
}

const CASES: Case[] = [
  { name: "99 MiB, Content-Length", framing: "length", size: 99 * MiB, parallel: 1, streamed: false },
  { name: "99 MiB, chunked", framing: "chunked", size: 99 * MiB, parallel: 1, streamed: false },
  { name: "4 × 99 MiB at once, Content-Length", framing: "length", size: 99 * MiB, parallel: 4, streamed: false },
  { name: "4 × 99 MiB at once, chunked", framing: "chunked", size: 99 * MiB, parallel: 4, streamed: false },
  { name: "1 GiB to @StreamRequestBody, Content-Length", framing: "length", size: 1024 * MiB, parallel: 1, streamed: true },
  { name: "1 GiB to @StreamRequestBody, chunked", framing: "chunked", size: 1024 * MiB, parallel: 1, streamed: true },
];

/** The server process: a plain callback that answers with the body's length, or a streaming handler. */
function serve(root: string): void {
  const { HTTPServer } = require(path.join(root, "dist/src/httpserver.js")) as typeof import("../src/httpserver");
  const web = require(path.join(root, "dist/src/web/index.js")) as typeof import("../src/web");
  const streaming = typeof web.StreamRequestBody === "function";
  class Counter extends web.RequestHandler {
    private total = 0;
    override prepare(): void {
      this.request.connection?.setMaxBodySize?.(4 * 1024 * MiB);
    }
    override dataReceived(chunk: Buffer): void {
      this.total += chunk.length;
    }
    post(): void {
      this.write(String(this.total));
    }
  }
  class Buffered extends web.RequestHandler {
    post(): void {
      this.write(String(this.request.body.length));
    }
  }
  if (streaming) web.StreamRequestBody(Counter);
  const app = new web.Application([["/stream", Counter], ["/buffered", Buffered]]);
  const server = new HTTPServer(app, { maxBodySize: 100 * MiB });
  void server.listen(0, "127.0.0.1").then(() => process.send!({ port: server.address()!.port, streaming }));
  process.on("message", (m) => {
    if (m === "gc") {
      global.gc?.();
      process.send!("gc-done");
    }
  });
}

function status(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
}

function upload(port: number, uri: string, c: Case): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let reply = "";
    socket.on("data", (d) => {
      reply += d.toString("latin1");
      const end = reply.indexOf("\r\n\r\n");
      const m = /Content-Length: (\d+)/i.exec(reply);
      if (end >= 0 && m && reply.length >= end + 4 + Number(m[1])) {
        socket.destroy();
        resolve(reply.slice(end + 4));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed early: " + reply.slice(0, 200))));
    const piece = Buffer.alloc(MiB, 0x61);
    const framing = c.framing === "length" ? `Content-Length: ${c.size}` : "Transfer-Encoding: chunked";
    void (async () => {
      socket.write(`POST ${uri} HTTP/1.1\r\nHost: bench\r\n${framing}\r\n\r\n`);
      for (let sent = 0; sent < c.size; sent += MiB) {
        const ok = c.framing === "length" ? socket.write(piece) : socket.write(Buffer.concat([Buffer.from("100000\r\n"), piece, Buffer.from("\r\n")]));
        if (!ok) await new Promise((r) => socket.once("drain", r));
      }
      if (c.framing === "chunked") socket.write("0\r\n\r\n");
    })();
  });
}

async function measure(root: string, c: Case): Promise<string> {
  const child: ChildProcess = fork(__filename, ["--serve", root], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    const { port, streaming } = await new Promise<{ port: number; streaming: boolean }>((r) => child.once("message", (m) => r(m as never)));
    if (c.streamed && !streaming) return `| ${c.name} | n/a (no @StreamRequestBody in this build) | |`;
    const uri = c.streamed ? "/stream" : "/buffered";
    await upload(port, uri, { ...c, size: MiB, parallel: 1 }); // warm-up
    child.send("gc");
    await new Promise((r) => child.once("message", r));
    const pid = child.pid!;
    const base = status(pid, "VmRSS");
    writeFileSync(`/proc/${pid}/clear_refs`, "5"); // reset VmHWM to the current RSS
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: c.parallel }, () => upload(port, uri, c)));
    const seconds = (Date.now() - started) / 1000;
    const peak = status(pid, "VmHWM");
    for (const r of replies) if (Number(r) !== c.size) throw new Error(`${c.name}: server saw ${r} bytes, sent ${c.size}`);
    const growth = peak - base;
    const ratio = growth / (c.size * c.parallel);
    return `| ${c.name} | +${(growth / MiB).toFixed(0)} MiB | ${ratio.toFixed(2)}× | ${seconds.toFixed(1)} s |`;
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, "..", ".."));
  const only = process.argv[3];
  const lines = [`root ${root}`, "", "| upload | peak RSS growth | × body bytes | time |", "| --- | --- | --- | --- |"];
  console.log(lines.join("\n"));
  for (const c of CASES) {
    if (only !== undefined && !c.name.includes(only)) continue;
    console.log(await measure(root, c));
  }
}

if (process.argv[2] === "--serve") serve(process.argv[3]);
else if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
