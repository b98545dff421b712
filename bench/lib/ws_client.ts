/**
 * The client side of the WebSocket scenario, in its own process (pinned to the load core) so the
 * server's memory figure is its own. Driven over IPC.
 *
 * A deliberately lean raw-socket client, the same for both contenders: the handshake is one
 * fixed request, every message is one pre-built masked frame (the same bytes to both servers),
 * and incoming frames are only counted, never decoded. An earlier version used the `ws` client,
 * which spent about as much CPU per round trip as the servers did, so the run measured the
 * client as much as the server (both contenders came out within a few percent of each other).
 */
import net from "node:net";

type Command =
  | { cmd: "echo"; port: number; connections: number; seconds: number }
  | { cmd: "open"; port: number; n: number }
  | { cmd: "broadcast"; port: number }
  | { cmd: "close" };

const PAYLOAD = Buffer.from("x".repeat(32));
/** The client frame every echo round trip sends: FIN + text, masked, 32 bytes. */
const FRAME = (() => {
  const mask = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  const out = Buffer.alloc(2 + 4 + PAYLOAD.length);
  out[0] = 0x81;
  out[1] = 0x80 | PAYLOAD.length;
  mask.copy(out, 2);
  for (let i = 0; i < PAYLOAD.length; i++) out[6 + i] = PAYLOAD[i] ^ mask[i & 3];
  return out;
})();

/**
 * Counts the complete data frames in a server's byte stream (unmasked, any length), keeping only
 * the few bytes of a head split across reads.
 */
class FrameCounter {
  private skip = 0;
  private partial: Buffer | null = null;

  /** Feeds bytes; returns how many frames with FIN ended in them. */
  feed(chunk: Buffer): number {
    if (this.partial !== null) {
      chunk = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let frames = 0;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.skip > 0) {
        const take = Math.min(this.skip, n - i);
        this.skip -= take;
        i += take;
        if (this.skip === 0) frames++;
        continue;
      }
      if (n - i < 2) break;
      const len7 = chunk[i + 1] & 0x7f;
      const headLen = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
      if (n - i < headLen) break;
      const len = len7 === 126 ? chunk.readUInt16BE(i + 2) : len7 === 127 ? Number(chunk.readBigUInt64BE(i + 2)) : len7;
      i += headLen;
      if (len === 0) frames++;
      else this.skip = len;
    }
    if (i < n) this.partial = Buffer.from(chunk.subarray(i));
    return frames;
  }
}

let idle: net.Socket[] = [];
/** Set during a broadcast: called once per idle socket when its first message arrives. */
let onIdleMessage: (() => void) | null = null;

/** Opens a socket and does the WebSocket handshake; `onFrames` gets the number of frames per read. */
function connect(port: number, onFrames: (count: number) => void): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", noDelay: true });
    const counter = new FrameCounter();
    let head = Buffer.alloc(0);
    const onHead = (data: Buffer): void => {
      head = Buffer.concat([head, data]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (!head.subarray(0, 13).toString("latin1").startsWith("HTTP/1.1 101")) {
        socket.destroy();
        reject(new Error("handshake refused: " + head.subarray(0, end).toString("latin1")));
        return;
      }
      socket.removeListener("data", onHead);
      socket.on("data", (d: Buffer) => {
        const count = counter.feed(d);
        if (count > 0) onFrames(count);
      });
      resolve(socket);
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.emit("data", rest);
    };
    socket.on("data", onHead);
    socket.once("error", reject);
    socket.write(
      `GET /echo HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
  });
}

/** `connections` clients each send a 32-byte message and wait for its echo, for `seconds`: round trips/s. */
async function echo(port: number, connections: number, seconds: number): Promise<number> {
  let count = 0;
  let until = Infinity;
  let running = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const sockets: net.Socket[] = [];
  for (let i = 0; i < connections; i++) {
    const socket: net.Socket = await connect(port, (frames) => {
      count += frames;
      if (performance.now() < until) socket.write(FRAME);
      else if (--running === 0) finished();
    });
    sockets.push(socket);
  }
  const started = performance.now();
  until = started + seconds * 1000;
  running = sockets.length;
  for (const s of sockets) s.write(FRAME);
  await done;
  const rate = count / ((performance.now() - started) / 1000);
  for (const s of sockets) s.destroy();
  return rate;
}

async function open(port: number, n: number): Promise<void> {
  const batch = 500; // a 10k burst would overflow the listen backlog
  const onFrames = (): void => onIdleMessage?.();
  for (let i = 0; i < n; i += batch) {
    idle.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => connect(port, onFrames)))));
  }
}

/** Time from asking the server to broadcast until every idle client has the message. */
async function broadcast(port: number): Promise<number> {
  let remaining = idle.length;
  const received = new Promise<void>((resolve) => {
    onIdleMessage = () => {
      if (--remaining === 0) resolve();
    };
  });
  // A raw request on a connection opened beforehand: fetch would load undici on first use (tens
  // of ms inside the timed span) and the TCP handshake is no part of the broadcast.
  const trigger = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ port, host: "127.0.0.1", noDelay: true }, () => resolve(s));
    s.once("error", reject);
  });
  trigger.resume();
  const t0 = performance.now();
  trigger.write(`GET /broadcast HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  await received;
  const ms = performance.now() - t0;
  onIdleMessage = null;
  trigger.destroy();
  return ms;
}

process.on("message", async (m: Command) => {
  try {
    if (m.cmd === "echo") process.send!({ ok: true, value: await echo(m.port, m.connections, m.seconds) });
    else if (m.cmd === "open") {
      await open(m.port, m.n);
      process.send!({ ok: true });
    } else if (m.cmd === "broadcast") process.send!({ ok: true, value: await broadcast(m.port) });
    else {
      for (const s of idle) s.destroy();
      idle = [];
      process.send!({ ok: true });
    }
  } catch (err) {
    process.send!({ ok: false, error: String(err) });
  }
});
