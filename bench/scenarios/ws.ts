/**
 * `npm run bench -- ws`: WebSocket echo round trips/s, then N idle sockets (memory per socket) and
 * one broadcast to all of them, tornado-ts against `ws` on node:http, each in a fresh process.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchOptions } from "../lib/options";
import { pinned, rssOf, startServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";
import { echoInstructions, haveCallgrind } from "../lib/ws_instructions";

interface Reply { ok: boolean; value?: number; error?: string }

const CONTENDERS = [
  { name: "tornado-ts", file: "ws_tornadots.js" },
  { name: "ws on node:http", file: "ws_nodehttp.js" },
  // Not a contender: the floor under any server on net.Socket (see ws_floor.ts).
  { name: "bare net.Socket (floor)", file: "ws_floor.js" },
];
const OURS = "tornado-ts";
const THEIRS = "ws on node:http";

/** CPU time (user + system) a process has used, in ms, from /proc (NaN where unavailable). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

const load = (): string => os.loadavg()[0].toFixed(1);

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
  const loadBefore = load();
  const rates = new Map<string, number[]>(CONTENDERS.map((c) => [c.name, []]));
  const cpu = new Map<string, number[]>(CONTENDERS.map((c) => [c.name, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const c of CONTENDERS) {
      const server = await startContender(c.file);
      const cl = client();
      try {
        const before = cpuMs(server.pid);
        const rate = await cl.ask({ cmd: "echo", port: server.port, connections, seconds: opts.seconds });
        rates.get(c.name)!.push(rate);
        cpu.get(c.name)!.push(((cpuMs(server.pid) - before) * 1000) / (rate * opts.seconds));
      } finally {
        cl.kill();
        await server.stop();
      }
    }
  }
  // Full runs only (about two minutes under valgrind): the three servers at once, since
  // instruction counts do not depend on what else runs.
  const instructions = new Map<string, number>();
  if (opts.rounds > 1 && haveCallgrind()) {
    const counted = await Promise.all(CONTENDERS.map((c) => echoInstructions(path.join(__dirname, "../servers", c.file)).catch(() => NaN)));
    CONTENDERS.forEach((c, i) => instructions.set(c.name, counted[i]));
  }
  const ir = (name: string): number => instructions.get(name) ?? NaN;
  const n = opts.standingConnections;
  const broadcasts = Math.min(opts.rounds, 5);
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
      const times: number[] = [];
      for (let i = 0; i < broadcasts; i++) {
        times.push(await cl.ask({ cmd: "broadcast", port: server.port }));
        await settle(100);
      }
      standing.set(c.name, { kb, ms: median(times) });
    } finally {
      cl.kill();
      await server.stop();
    }
  }
  const ours = median(rates.get(OURS)!);
  const theirs = median(rates.get(THEIRS)!);
  const usPer = (name: string): number => median(cpu.get(name)!);
  const o = standing.get(OURS)!;
  const t = standing.get(THEIRS)!;
  return [
    {
      title: `WebSocket echo: ${connections} clients, 32-byte messages, round trips/s`,
      note:
        `Median of ${opts.rounds} round(s) of ${opts.seconds} s, a fresh server process each. One lean raw-socket client ` +
        "(bench/lib/ws_client.ts: pre-built masked frames, frames counted, not decoded) drives every server from core 1; the server is on core 0. " +
        "The client spends about as much CPU per round trip as the floor server does, so near the floor's rate it is the client that limits; " +
        "\"server CPU µs/round trip\" (the server's user + system time from /proc over the run, divided by its round trips) does not depend on the client. " +
        `Load average (1 min) before this scenario: ${loadBefore}; other processes share the machine. ` +
        "\"instructions/round trip\": user-space instructions on the server's main thread under callgrind (bench/lib/ws_instructions.ts; full runs only), " +
        "which repeat under load; every server makes the same two system calls per round trip (one read, one write), whose kernel time this leaves out.",
      columns: ["server", "round trips/s", "vs ws", "server CPU µs/round trip", "instructions/round trip"],
      rows: CONTENDERS.map((c) => [c.name, fmt(median(rates.get(c.name)!)), ratio(median(rates.get(c.name)!), theirs), usPer(c.name).toFixed(1), fmt(ir(c.name))]),
      goals: [
        goal("≥ 1.2× ws round trips", ours / theirs >= 1.2, ratio(ours, theirs)),
        `server CPU per round trip: ws / tornado-ts = ${ratio(usPer(THEIRS), usPer(OURS))}, ws / bare net.Socket = ${ratio(usPer(THEIRS), usPer("bare net.Socket (floor)"))} (the most any server on net.Socket could reach)`,
        `instructions per round trip: ws / tornado-ts = ${ratio(ir(THEIRS), ir(OURS))}, ws / bare net.Socket = ${ratio(ir(THEIRS), ir("bare net.Socket (floor)"))}`,
      ],
    },
    {
      title: `WebSocket standing: ${fmt(n)} idle sockets, then one broadcast to all`,
      note:
        "Server RSS growth divided by the socket count (no forced GC, same for all); broadcast = a GET /broadcast on a connection opened beforehand, " +
        `until every client has the message (client process clock), median of ${broadcasts}. tornado-ts broadcasts with WebSocketHandler.broadcast (one frame for all), ` +
        "ws with ws.send per socket, as its README's broadcast example does. The bare net.Socket row holds nothing per socket but the socket: " +
        "its KB/idle socket is the floor for any server on net.Socket.",
      columns: ["server", "sockets", "KB/idle socket", "broadcast ms"],
      rows: CONTENDERS.map((c) => [c.name, fmt(n), standing.get(c.name)!.kb.toFixed(2), standing.get(c.name)!.ms.toFixed(1)]),
      goals: [
        goal("broadcast ≤ 1.0× ws's time", o.ms <= t.ms, ratio(o.ms, t.ms)),
        goal("memory per idle WebSocket ≤ 0.7× ws's", o.kb <= 0.7 * t.kb, ratio(o.kb, t.kb)),
        `bare net.Socket / ws memory per idle socket = ${ratio(standing.get("bare net.Socket (floor)")!.kb, t.kb)} (the least any server on net.Socket could reach)`,
      ],
    },
  ];
}
