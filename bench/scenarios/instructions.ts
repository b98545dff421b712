/**
 * Scenario "instructions": user-space CPU instructions per request on the server's main thread,
 * counted by callgrind, which repeats where wall-clock req/s on these VMs moves by a quarter.
 *
 * Per server: start it under `valgrind --tool=callgrind` on core 0; a client on core 1 keeps 10
 * keep-alive connections with one request in flight each; after a warm-up of W requests the counters
 * are zeroed, dumped after N1 more and dumped again at N2. The second dump holds exactly
 * Ir(W+N2) − Ir(W+N1), the work of N2 − N1 requests with start-up, JIT warm-up and connection set-up
 * left out. V8 flags pin what otherwise depends on wall time under valgrind's slow-down (hash seeds,
 * when the young generation grows, the memory reducer).
 */
import { execFileSync, fork } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONTENDERS } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { ensureDebianCommand, pinned, startServer } from "../lib/proc";
import { fmt, goal, type Table } from "../lib/report";

const CONNECTIONS = 10;
const V8_FLAGS = ["--hash-seed=1", "--random-seed=1", "--min-semi-space-size=16", "--max-semi-space-size=16", "--no-memory-reducer"];
const PATHS = { hello: "/", json: "/user/7?q=x" } as const;

interface Measured { name: string; scenario: keyof typeof PATHS; perRequest: number[] }

/** The servers measured, in the order shown; the raw `net` canned reply is the floor. */
const LINEUP: [string, keyof typeof PATHS][] = [
  ["raw net (ceiling)", "hello"],
  ["tornado-ts", "hello"],
  ["tornado-ts", "json"],
  ["node:http", "hello"],
  ["node:http", "json"],
  ["fastify", "hello"],
  ["fastify", "json"],
];

function client() {
  const script = path.join(__dirname, "../lib/instr_client.js");
  const [cmd, args] = pinned(1, process.execPath, []);
  const child = fork(script, [], { execPath: cmd, execArgv: args, stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const ask = (msg: object) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instructions client: no answer to ${JSON.stringify(msg)} in 10 min`)), 600_000);
    const onExit = (code: number | null) => { clearTimeout(timer); reject(new Error(`instructions client exited (${code}) during ${JSON.stringify(msg)}`)); };
    child.once("exit", onExit);
    child.once("message", (r: { ok: boolean; error?: string }) => {
      clearTimeout(timer);
      child.removeListener("exit", onExit);
      if (r.ok) resolve(); else reject(new Error(r.error));
    });
    child.send(msg);
  });
  return { ask, stop: () => child.kill("SIGKILL") };
}

/** The main thread's total Ir in dump `part` of process `pid` (thread 1 is the main thread). */
function mainThreadIr(dir: string, pid: number, part: number): number {
  const file = path.join(dir, `cg.${pid}.${part}-01`);
  if (!existsSync(file)) throw new Error(`callgrind wrote no dump ${part} for pid ${pid} in ${dir} (${readdirSync(dir).join(", ")})`);
  const m = /^totals: (\d+)/m.exec(readFileSync(file, "utf8"));
  if (!m) throw new Error(`no totals line in ${file}`);
  return Number(m[1]);
}

async function measure(name: string, scenario: keyof typeof PATHS, dir: string, opts: BenchOptions): Promise<number> {
  const { warmup, n1, n2 } = opts.callgrind;
  const c = CONTENDERS.find((x) => x.name === name)!;
  const args = ["--tool=callgrind", "--separate-threads=yes", `--callgrind-out-file=${dir}/cg.%p`, c.cmd, ...V8_FLAGS, ...c.args(scenario)];
  // Node starts 20-50× slower under valgrind, and more on a busy machine.
  const server = await startServer(`${name} under callgrind`, "valgrind", args, 600_000);
  const cl = client();
  try {
    await cl.ask({ cmd: "open", port: server.port, path: PATHS[scenario], connections: CONNECTIONS });
    await cl.ask({ cmd: "run", n: warmup });
    execFileSync("callgrind_control", ["--zero", String(server.pid)], { stdio: "ignore" });
    await cl.ask({ cmd: "run", n: n1 });
    execFileSync("callgrind_control", ["--dump", String(server.pid)], { stdio: "ignore" });
    await cl.ask({ cmd: "run", n: n2 - n1 });
    execFileSync("callgrind_control", ["--dump", String(server.pid)], { stdio: "ignore" });
    return mainThreadIr(dir, server.pid, 2) / (n2 - n1);
  } finally {
    cl.stop();
    await server.stop();
  }
}

export async function runInstructionsScenario(opts: BenchOptions): Promise<Table[]> {
  if (!ensureDebianCommand("valgrind", "valgrind")) throw new Error("valgrind is missing and could not be installed: run `apt-get install -y valgrind` as root");
  const lineup = opts.only ? LINEUP.filter(([n]) => opts.only!.includes(n) || n === "raw net (ceiling)") : LINEUP;
  // Two measurements each in a full run, to show how well the count repeats.
  const repeats = opts.rounds > 1 ? 2 : 1;
  const dir = mkdtempSync(path.join(os.tmpdir(), "tornado-ts-callgrind-"));
  const results: Measured[] = lineup.map(([name, scenario]) => ({ name, scenario, perRequest: [] }));
  try {
    for (let r = 0; r < repeats; r++) {
      for (const m of results) {
        process.stderr.write(`  callgrind: ${m.name} ${m.scenario} (${r + 1}/${repeats})…\n`);
        m.perRequest.push(await measure(m.name, m.scenario, dir, opts));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const floor = Math.min(...results[0].perRequest);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const spread = (xs: number[]) => (xs.length > 1 ? `±${((100 * (Math.max(...xs) - Math.min(...xs))) / 2 / mean(xs)).toFixed(2)}%` : "—");
  const times = (m: Measured) => mean(m.perRequest) / floor;
  const rows = results.map((m) => [
    `${m.name} ${m.scenario === "hello" ? "hello" : "JSON " + PATHS.json}`,
    m.perRequest.map((x) => fmt(x)).join(" / "),
    spread(m.perRequest),
    times(m).toFixed(2) + "×",
  ]);
  const ts = (s: keyof typeof PATHS) => results.find((m) => m.name === "tornado-ts" && m.scenario === s);
  const goals: string[] = [];
  const hello = ts("hello");
  const json = ts("json");
  if (hello) goals.push(goal("tornado-ts hello ≤ 2.0× the raw floor", times(hello) <= 2.0, `${times(hello).toFixed(2)}×`));
  if (json) goals.push(goal("tornado-ts JSON route ≤ 2.5× the raw floor", times(json) <= 2.5, `${times(json).toFixed(2)}×`));
  return [{
    title: "Instructions per request (callgrind, server main thread)",
    note:
      `(Ir(W+N2) − Ir(W+N1)) / (N2 − N1) with W = ${fmt(opts.callgrind.warmup)}, N1 = ${fmt(opts.callgrind.n1)}, N2 = ${fmt(opts.callgrind.n2)}; ${CONNECTIONS} keep-alive connections, ` +
      `one request in flight each; server on core 0, client on core 1; node ${V8_FLAGS.join(" ")}. ` +
      "Ratios against the raw `net` canned reply (Node's socket read + write and nothing else).",
    columns: ["server", "instructions / request", "repeat", "× floor"],
    rows,
    goals,
  }];
}
