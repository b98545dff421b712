/**
 * The client side of the standing-connections scenario, in its own process so the server's fd
 * and memory figures are its own. Driven over IPC by scenarios/standing.ts.
 */
import net from "node:net";

type Command =
  | { cmd: "open"; port: number; n: number }
  | { cmd: "wait" }
  | { cmd: "broadcast"; port: number }
  | { cmd: "close" };

const sockets: net.Socket[] = [];
let port = 0;

function reply(msg: object): void {
  process.send!(msg);
}

/** Resolves when `socket` has received data containing `marker`. */
function awaitData(socket: net.Socket, marker: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d.toString("latin1");
      if (seen.includes(marker)) { socket.off("data", onData); resolve(); }
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

async function open(n: number): Promise<void> {
  const batch = 500; // connect in batches: a 10k burst overflows the listen backlog
  for (let i = 0; i < n; i += batch) {
    const group = [];
    for (let k = i; k < Math.min(n, i + batch); k++) {
      const s = net.connect(port, "127.0.0.1");
      s.setNoDelay(true);
      sockets.push(s);
      s.write("GET / HTTP/1.1\r\nHost: bench\r\n\r\n");
      group.push(awaitData(s, "Hello, world"));
    }
    await Promise.all(group);
  }
}

process.on("message", async (m: Command) => {
  try {
    if (m.cmd === "open") {
      port = m.port;
      const t0 = performance.now();
      await open(m.n);
      reply({ ok: true, ms: performance.now() - t0 });
    } else if (m.cmd === "wait") {
      for (const s of sockets) s.write("GET /wait HTTP/1.1\r\nHost: bench\r\n\r\n");
      reply({ ok: true });
    } else if (m.cmd === "broadcast") {
      const received = sockets.map((s) => awaitData(s, "hi"));
      const t0 = performance.now();
      const b = net.connect(m.port, "127.0.0.1");
      b.write("GET /broadcast HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n");
      await Promise.all(received);
      reply({ ok: true, ms: performance.now() - t0 });
      b.destroy();
    } else if (m.cmd === "close") {
      for (const s of sockets) s.destroy();
      reply({ ok: true });
      process.exit(0);
    }
  } catch (err) {
    reply({ ok: false, error: String(err) });
  }
});
