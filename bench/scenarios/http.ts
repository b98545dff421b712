/**
 * Scenarios 1 and 2: "hello" and "json + params" through each HTTP contender, under wrk, with the
 * contenders alternated round-robin so drift hits all of them alike.
 */
import { contendersFor } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { startServer, type RunningServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";
import { runWrk, type LoadResult } from "../lib/wrk";
import type { Scenario } from "../servers/common";

const PATHS: Record<string, string> = { hello: "/", json: "/user/42?q=abc" };

// Measured with an accept-time probe: wrk opens every connection at once, and since libuv 1.45
// (libuv PR #3696, in Node 20) a Node server accepts one connection per event-loop iteration, so
// under load the last ones are accepted up to about a second later. The slow requests all fall in
// that first second: the same server gave p99 301 ms over a 2 s run and 13 ms over an 8 s run.
const RAMP_NOTE =
  " p99 at this connection count is set by the first second of each run: a loaded Node server accepts one new " +
  "connection per event-loop iteration (libuv ≥ 1.45), so the connections wrk opens at once are accepted over up to ~1 s. " +
  "Every Node contender, raw net included, shows it, by an amount that varies from round to round.";

export async function runHttpScenario(scenario: "hello" | "json", opts: BenchOptions): Promise<Table[]> {
  const contenders = contendersFor(scenario as Scenario, opts.only);
  const skipped = contenders.filter((c) => c.missing()).map((c) => `${c.name}: ${c.missing()}`);
  const servers: RunningServer[] = [];
  try {
    for (const c of contenders.filter((x) => !x.missing())) servers.push(await startServer(c.name, c.cmd, c.args(scenario)));
    const tables: Table[] = [];
    for (const connections of opts.connections) {
      const results = new Map<string, LoadResult[]>(servers.map((s) => [s.name, []]));
      for (const s of servers) await runWrk(url(s, scenario), connections, 1); // warm up the JIT
      for (let round = 0; round < opts.rounds; round++) {
        // Rotate the starting contender each round.
        for (let i = 0; i < servers.length; i++) {
          const s = servers[(i + round) % servers.length];
          results.get(s.name)!.push(await runWrk(url(s, scenario), connections, opts.seconds));
        }
      }
      tables.push(tableFor(scenario, connections, results, opts, skipped));
    }
    return tables;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function url(s: RunningServer, scenario: string): string {
  return `http://127.0.0.1:${s.port}${PATHS[scenario]}`;
}

function tableFor(scenario: string, connections: number, results: Map<string, LoadResult[]>, opts: BenchOptions, skipped: string[]): Table {
  const summary = new Map([...results].map(([name, rs]) => [name, {
    rps: median(rs.map((r) => r.requestsPerSec)),
    p50: median(rs.map((r) => r.p50Ms)),
    p99: median(rs.map((r) => r.p99Ms)),
    errors: rs.reduce((a, r) => a + r.errors, 0),
  }]));
  const base = summary.get("node:http")?.rps ?? NaN;
  const fastify = summary.get("fastify")?.rps ?? NaN;
  const rows = [...summary].sort((a, b) => b[1].rps - a[1].rps).map(([name, s]) => [
    name, fmt(s.rps), s.p50.toFixed(2), s.p99.toFixed(2), ratio(s.rps, base), ratio(s.rps, fastify), s.errors,
  ]);
  const ours = summary.get("tornado-ts");
  const goals: string[] = [];
  if (ours && Number.isFinite(base)) goals.push(goal("≥ 1.5× node:http req/s", ours.rps >= 1.5 * base, ratio(ours.rps, base)));
  if (ours && Number.isFinite(fastify)) goals.push(goal("≥ 1.3× fastify req/s", ours.rps >= 1.3 * fastify, ratio(ours.rps, fastify)));
  const nodeP99 = summary.get("node:http")?.p99;
  if (ours && nodeP99 !== undefined) goals.push(goal("p99 ≤ node:http p99", ours.p99 <= nodeP99, `${ours.p99.toFixed(2)} ms vs ${nodeP99.toFixed(2)} ms`));
  const ceiling = summary.get("raw net (ceiling)")?.rps;
  if (ours && ceiling) goals.push(`share of the raw net ceiling: ${ratio(ours.rps, ceiling)}`);
  return {
    title: `${scenario}: GET ${PATHS[scenario]}, ${connections} connections`,
    note: `wrk -t1 -c${connections} -d${opts.seconds}s, median of ${opts.rounds} round(s), server on core 0, wrk on core 1.` +
      (connections >= 100 ? RAMP_NOTE : "") +
      (skipped.length ? ` Not run: ${skipped.join("; ")}.` : ""),
    columns: ["contender", "req/s", "p50 ms", "p99 ms", "vs node:http", "vs fastify", "errors"],
    rows,
    goals,
  };
}
