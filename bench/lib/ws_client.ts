/**
 * The client side of the WebSocket scenario, in its own process (pinned to the load core) so the
 * server's memory figure is its own. Uses the `ws` client for both contenders. Driven over IPC.
 */
import WebSocket from "ws";

type Command =
  | { cmd: "echo"; port: number; connections: number; seconds: number }
  | { cmd: "open"; port: number; n: number }
  | { cmd: "broadcast"; port: number }
  | { cmd: "close" };

let idle: WebSocket[] = [];

function connect(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`, { perMessageDeflate: false });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

/** `connections` clients each send a 32-byte message and wait for its echo, for `seconds`: round trips/s. */
async function echo(port: number, connections: number, seconds: number): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: connections }, () => connect(port)));
  const payload = "x".repeat(32);
  let count = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(sockets.map((ws) => new Promise<void>((resolve) => {
    ws.on("message", () => {
      count++;
      if (performance.now() < until) ws.send(payload);
      else resolve();
    });
    ws.send(payload);
  })));
  const rate = count / seconds;
  for (const ws of sockets) ws.terminate();
  return rate;
}

async function open(port: number, n: number): Promise<void> {
  const batch = 500; // a 10k burst would overflow the listen backlog
  for (let i = 0; i < n; i += batch) {
    idle.push(...(await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => connect(port)))));
  }
}

/** Time from asking the server to broadcast until every idle client has the message. */
async function broadcast(port: number): Promise<number> {
  const received = idle.map((ws) => new Promise<void>((resolve) => ws.once("message", () => resolve())));
  const t0 = performance.now();
  await fetch(`http://127.0.0.1:${port}/broadcast`);
  await Promise.all(received);
  return performance.now() - t0;
}

process.on("message", async (m: Command) => {
  try {
    if (m.cmd === "echo") process.send!({ ok: true, value: await echo(m.port, m.connections, m.seconds) });
    else if (m.cmd === "open") {
      await open(m.port, m.n);
      process.send!({ ok: true });
    } else if (m.cmd === "broadcast") process.send!({ ok: true, value: await broadcast(m.port) });
    else {
      for (const ws of idle) ws.terminate();
      idle = [];
      process.send!({ ok: true });
    }
  } catch (err) {
    process.send!({ ok: false, error: String(err) });
  }
});
