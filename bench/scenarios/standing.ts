/**
 * Scenario 5: many idle keep-alive connections, then as many long-poll waiters, on one server
 * process; memory per connection and the time one broadcast takes to reach every waiter.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { contendersFor } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { pinned, rssOf, startServer } from "../lib/proc";
import { fmt, goal, type Table } from "../lib/report";

interface Reply { ok: boolean; ms?: number; error?: string }

function client() {
  const script = path.join(__dirname, "../lib/standing_client.js");
  // fork() with taskset as the exec path: `taskset -c 1 node script`, keeping the IPC channel.
  const [cmd, args] = pinned(1, process.execPath, []);
  const child = fork(script, [], { execPath: cmd, execArgv: args, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ask = (msg: object, timeoutMs = 120_000) => new Promise<Reply>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`standing client: no answer to ${JSON.stringify(msg)}`)), timeoutMs);
    child.once("message", (r: Reply) => { clearTimeout(timer); if (r.ok) resolve(r); else reject(new Error(r.error)); });
    child.send(msg);
  });
  return { ask, kill: () => child.kill("SIGKILL") };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waiterCount(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/count`);
  return Number(await res.text());
}

export async function runStandingScenario(opts: BenchOptions): Promise<Table[]> {
  const n = opts.standingConnections;
  const rows: (string | number)[][] = [];
  const goals: string[] = [];
  for (const c of contendersFor("poll", opts.only)) {
    const server = await startServer(c.name, c.cmd, c.args("poll"));
    const cl = client();
    try {
      await settle(300);
      const base = rssOf(server.pid);
      await cl.ask({ cmd: "open", port: server.port, n });
      await settle(500);
      const idle = rssOf(server.pid);
      await cl.ask({ cmd: "wait" });
      for (let i = 0; i < 200 && (await waiterCount(server.port)) < n; i++) await settle(50);
      const waiting = await waiterCount(server.port);
      if (waiting !== n) throw new Error(`${c.name}: ${waiting} of ${n} waiters registered`);
      const polled = rssOf(server.pid);
      const broadcast = (await cl.ask({ cmd: "broadcast", port: server.port })).ms!;
      const idleKb = (idle - base) / n / 1024;
      const pollKb = (polled - base) / n / 1024;
      rows.push([c.name, fmt(n), fmt(base / 1048576, 1), idleKb.toFixed(2), pollKb.toFixed(2), broadcast.toFixed(1)]);
      if (c.name === "tornado-ts") {
        goals.push(goal("≤ 5 KB per idle connection", idleKb <= 5, idleKb.toFixed(2) + " KB"));
        goals.push(goal("broadcast to all waiters < 100 ms", broadcast < 100, broadcast.toFixed(1) + " ms"));
      }
    } finally {
      cl.kill();
      await server.stop();
    }
  }
  return [{
    title: `standing connections: ${fmt(n)} keep-alive connections, then ${fmt(n)} long-poll waiters`,
    note: "Server RSS growth divided by the connection count; broadcast = one GET /broadcast until every waiter has its reply (measured by the client process). " +
      "The raw net row answers each waiter with one canned write and no HTTP framework: the floor for both columns on this machine.",
    columns: ["server", "connections", "base RSS MB", "KB/idle conn", "KB/waiter", "broadcast ms"],
    rows,
    goals,
  }];
}
