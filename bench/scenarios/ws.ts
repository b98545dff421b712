/**
 * `npm run bench -- ws`: WebSocket echo round trips/s, then N idle sockets (memory per socket) and
 * one broadcast to all of them, tornado-ts against `ws` on node:http, each in a fresh process.
 */
import { fork } from "node:child_process";
import path from "node:path";
import type { BenchOptions } from "../lib/options";
import { pinned, rssOf, startServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";

interface Reply { ok: boolean; value?: number; error?: string }

const CONTENDERS = [
  { name: "tornado-ts", file: "ws_tornadots.js" },
  { name: "ws on node:http", file: "ws_nodehttp.js" },
];

function client() {
  const [cmd, args] = pinned(1, process.execPath, []);
  const child = fork(path.join(__dirname, "../lib/ws_client.js"), [], { execPath: cmd, execArgv: args, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ask = (msg: object, timeoutMs = 300_000) => new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ws client: no answer to ${JSON.stringify(msg)}`)), timeoutMs);
    child.once("message", (r: Reply) => { clearTimeout(timer); if (r.ok) resolve(r.value ?? 0); else reject(new Error(r.error)); });
    child.send(msg);
  });
  return { ask, kill: () => child.kill("SIGKILL") };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startContender(file: string) {
  return startServer(file, process.execPath, [path.join(__dirname, "../servers", file), "0"]);
}

export async function runWsScenario(opts: BenchOptions): Promise<Table[]> {
  const connections = 50;
  const rates = new Map<string, number[]>(CONTENDERS.map((c) => [c.name, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const c of CONTENDERS) {
      const server = await startContender(c.file);
      const cl = client();
      try {
        rates.get(c.name)!.push(await cl.ask({ cmd: "echo", port: server.port, connections, seconds: opts.seconds }));
      } finally {
        cl.kill();
        await server.stop();
      }
    }
  }
  const n = opts.standingConnections;
  const standing = new Map<string, { kb: number; ms: number }>();
  for (const c of CONTENDERS) {
    const server = await startContender(c.file);
    const cl = client();
    try {
      await settle(300);
      const base = rssOf(server.pid);
      await cl.ask({ cmd: "open", port: server.port, n });
      await settle(500);
      const kb = (rssOf(server.pid) - base) / n / 1024;
      const ms = await cl.ask({ cmd: "broadcast", port: server.port });
      standing.set(c.name, { kb, ms });
    } finally {
      cl.kill();
      await server.stop();
    }
  }
  const ours = median(rates.get("tornado-ts")!);
  const theirs = median(rates.get("ws on node:http")!);
  const o = standing.get("tornado-ts")!;
  const t = standing.get("ws on node:http")!;
  return [
    {
      title: `WebSocket echo: ${connections} clients, 32-byte messages, round trips/s`,
      note: `Median of ${opts.rounds} round(s) of ${opts.seconds} s; the ws npm client drives both servers from the other core.`,
      columns: ["server", "round trips/s", "vs ws"],
      rows: CONTENDERS.map((c) => [c.name, fmt(median(rates.get(c.name)!)), ratio(median(rates.get(c.name)!), theirs)]),
      goals: [goal("≥ 1.2× ws round trips", ours / theirs >= 1.2, ratio(ours, theirs))],
    },
    {
      title: `WebSocket standing: ${fmt(n)} idle sockets, then one broadcast to all`,
      note: "Server RSS growth divided by the socket count; broadcast = GET /broadcast until every client has the message (client process clock).",
      columns: ["server", "sockets", "KB/idle socket", "broadcast ms"],
      rows: CONTENDERS.map((c) => [c.name, fmt(n), standing.get(c.name)!.kb.toFixed(2), standing.get(c.name)!.ms.toFixed(1)]),
      goals: [
        goal("broadcast ≤ 1.0× ws's time", o.ms <= t.ms, ratio(o.ms, t.ms)),
        goal("memory per idle WebSocket ≤ 0.7× ws's", o.kb <= 0.7 * t.kb, ratio(o.kb, t.kb)),
      ],
    },
  ];
}
