/**
 * The client of the instructions scenario, in its own process on core 1 (forked with IPC): it keeps
 * `connections` keep-alive connections with one GET in flight each and answers `{ cmd: "run", n }`
 * once exactly `n` more responses have arrived, so the harness can zero and dump callgrind's
 * counters between batches while the server idles.
 */
import net from "node:net";

interface Conn { socket: net.Socket; pending: Buffer | null }
interface Msg { cmd: "open" | "run"; port?: number; path?: string; connections?: number; n?: number }

let request = Buffer.alloc(0);
let conns: Conn[] = [];
let wanted = 0;
let sent = 0;
let received = 0;
let onDone: (() => void) | null = null;

/** Length of the complete response at the start of `buf` (Content-Length or chunked framing), or -1. */
function responseLength(buf: Buffer): number {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return -1;
  const head = buf.toString("latin1", 0, end);
  if (!head.startsWith("HTTP/1.1 200 ")) throw new Error(`unexpected response: ${head.split("\r\n")[0]}`);
  const m = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (m) {
    const total = end + 4 + Number(m[1]);
    return buf.length >= total ? total : -1;
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) throw new Error("response with neither Content-Length nor chunked framing");
  // The benchmark bodies are small and end with the zero-length chunk.
  const last = buf.indexOf("\r\n0\r\n\r\n", end + 2);
  return last < 0 ? -1 : last + 7;
}

function onData(conn: Conn, data: Buffer): void {
  let buf = conn.pending ? Buffer.concat([conn.pending, data]) : data;
  for (let len = responseLength(buf); len >= 0; len = responseLength(buf)) {
    buf = buf.subarray(len);
    received++;
    if (sent < wanted) {
      sent++;
      conn.socket.write(request);
    }
  }
  conn.pending = buf.length ? buf : null;
  if (received === wanted && onDone) {
    const done = onDone;
    onDone = null;
    done();
  }
}

function open(port: number, path: string, n: number): Promise<void> {
  request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: instr-client\r\nAccept: */*\r\n\r\n`);
  const opened = Array.from({ length: n }, () => new Promise<void>((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", resolve);
    socket.setNoDelay(true);
    const conn: Conn = { socket, pending: null };
    socket.on("data", (d) => {
      try {
        onData(conn, d);
      } catch (err) {
        process.send!({ ok: false, error: (err as Error).message });
        socket.destroy();
      }
    });
    socket.on("error", reject);
    socket.on("close", () => { if (onDone) process.send!({ ok: false, error: "server closed a connection" }); });
    conns.push(conn);
  }));
  return Promise.all(opened).then(() => undefined);
}

/** Sends requests until `n` more responses came back, one in flight per connection. */
function run(n: number): Promise<void> {
  return new Promise((resolve) => {
    wanted += n;
    onDone = resolve;
    for (const c of conns) {
      if (sent >= wanted) break;
      sent++;
      c.socket.write(request);
    }
  });
}

process.on("message", (msg: Msg) => {
  const work: Promise<void> = msg.cmd === "open" ? open(msg.port!, msg.path!, msg.connections!) : run(msg.n!);
  work.then(
    () => process.send!({ ok: true }),
    (err: Error) => process.send!({ ok: false, error: err.message }),
  );
});
process.on("disconnect", () => {
  for (const c of conns) c.socket.destroy();
  conns = [];
});
