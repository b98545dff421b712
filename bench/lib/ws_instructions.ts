/**
 * User-space instructions per WebSocket echo round trip on a server's main thread, counted by
 * callgrind: a figure that repeats on a shared, loaded machine where wall-clock rates move by half.
 * It leaves out the kernel's share (both contenders make the same system calls per round trip:
 * one read and one write, checked with strace), so it shows the part a framework can change.
 *
 * The server runs under `valgrind --tool=callgrind` with the V8 flags of the instructions scenario;
 * 10 raw connections keep one 32-byte frame in flight each. After a warm-up the counters are zeroed,
 * N1 round trips run and are dumped, then again for N2: (Ir(N2) − Ir(N1)) / (N2 − N1).
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { ensureDebianCommand } from "./proc";

const V8_FLAGS = ["--hash-seed=1", "--random-seed=1", "--min-semi-space-size=16", "--max-semi-space-size=16", "--no-memory-reducer", "--single-threaded-gc"];
const CONNECTIONS = 10;

/** The client's frame: FIN + text, masked with a fixed key, 32 bytes of "x". */
const FRAME = (() => {
  const mask = [0x37, 0xfa, 0x21, 0x3d];
  const out = Buffer.alloc(38);
  out[0] = 0x81;
  out[1] = 0x80 | 32;
  for (let i = 0; i < 4; i++) out[2 + i] = mask[i];
  for (let i = 0; i < 32; i++) out[6 + i] = 0x78 ^ mask[i & 3];
  return out;
})();
const ECHO_SIZE = 34; // the server's unmasked answer: 2-byte head + 32 bytes

/** Whether callgrind can be used here (installs valgrind when root). */
export function haveCallgrind(): boolean {
  return ensureDebianCommand("valgrind", "valgrind") && ensureDebianCommand("callgrind_control", "valgrind");
}

/** Instructions per round trip for the server script `file` (which prints `listening PORT`). */
export async function echoInstructions(file: string, batches: [number, number] = [2000, 6000]): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tornado-ts-ws-cg-"));
  // Not pinned: instruction counts do not depend on the core, and the servers run side by side.
  const [cmd, args] = ["valgrind", ["--tool=callgrind", "--separate-threads=yes", `--callgrind-out-file=${dir}/cg.%p`, process.execPath, ...V8_FLAGS, file, "0"]] as const;
  const server = spawn(cmd, [...args], { stdio: ["ignore", "pipe", "ignore"] });
  const sockets: net.Socket[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`${file} did not start under callgrind in 300 s`)), 300_000);
      server.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening (\d+)/.exec(out);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      });
      server.once("exit", (code) => { clearTimeout(timer); reject(new Error(`${file} exited with ${code} under callgrind`)); });
    });
    let remaining = 0;
    let done: () => void = () => undefined;
    const carry = new Map<net.Socket, number>();
    const onData = (socket: net.Socket, bytes: number): void => {
      const have = (carry.get(socket) ?? 0) + bytes;
      carry.set(socket, have % ECHO_SIZE);
      for (let i = 0; i < Math.floor(have / ECHO_SIZE) && remaining > 0; i++) {
        remaining--;
        if (remaining >= CONNECTIONS) socket.write(FRAME);
        if (remaining === 0) done();
      }
    };
    for (let i = 0; i < CONNECTIONS; i++) sockets.push(await handshake(port, onData));
    const run = (n: number): Promise<void> => new Promise((resolve) => {
      remaining = n;
      done = resolve;
      for (const s of sockets) s.write(FRAME);
    });
    const dump = (): number => {
      execFileSync("callgrind_control", ["-d", String(server.pid)], { stdio: "ignore" });
      const newest = readdirSync(dir).filter((f) => f.endsWith("-01")).map((f) => path.join(dir, f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
      const text = readFileSync(newest, "utf8");
      const m = /^totals: (\d+)/m.exec(text) ?? /^summary: (\d+)/m.exec(text);
      if (!m) throw new Error(`no totals in ${newest}`);
      return Number(m[1]);
    };
    await run(3000); // warm-up: JIT, inline caches
    const counts: number[] = [];
    for (const n of batches) {
      execFileSync("callgrind_control", ["-z", String(server.pid)], { stdio: "ignore" });
      await run(n);
      counts.push(dump());
    }
    return (counts[1] - counts[0]) / (batches[1] - batches[0]);
  } finally {
    for (const s of sockets) s.destroy();
    if (server.exitCode === null) server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}

function handshake(port: number, onData: (socket: net.Socket, bytes: number) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
    let head = "";
    const onHead = (d: Buffer): void => {
      head += d.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!head.startsWith("HTTP/1.1 101")) { reject(new Error("handshake refused: " + head.slice(0, end))); return; }
      socket.removeListener("data", onHead);
      socket.on("data", (data: Buffer) => onData(socket, data.length));
      resolve(socket);
    };
    socket.on("data", onHead);
    socket.once("error", reject);
    socket.write(
      `GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
  });
}
