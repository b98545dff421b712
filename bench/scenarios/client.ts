/**
 * Scenario "client": 10,000 GETs (in a full run) against one local node:http server through
 * tornado-ts's AsyncHTTPClient, undici's own `request` and Node's `fetch`, at the same
 * concurrency. Each measurement runs in a fresh process pinned to core 1 (server on core 0);
 * clients alternate between rounds and the median is reported.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { CONTENDERS } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { pinned, startServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";

export const CLIENTS = ["AsyncHTTPClient", "undici request", "fetch"];
const CONCURRENCY = 10;

/** Requests per measurement: 10,000 in a full run (2 s slices), fewer in quick ones. */
export function requestsFor(opts: BenchOptions): number {
  return Math.max(500, Math.round(opts.seconds * 5000));
}

export async function runClientScenario(opts: BenchOptions): Promise<Table[]> {
  const nodeHttp = CONTENDERS.find((c) => c.name === "node:http")!;
  const server = await startServer("node:http", nodeHttp.cmd, nodeHttp.args("hello"));
  const url = `http://127.0.0.1:${server.port}/`;
  const count = requestsFor(opts);
  const worker = path.join(__dirname, "../lib/client_worker.js");
  const rates = new Map<string, number[]>(CLIENTS.map((c) => [c, []]));
  try {
    for (let round = 0; round < opts.rounds; round++) {
      for (let i = 0; i < CLIENTS.length; i++) {
        const name = CLIENTS[(i + round) % CLIENTS.length];
        const [cmd, args] = pinned(1, process.execPath, [worker, name, url, String(count), String(CONCURRENCY)]);
        rates.get(name)!.push(Number(execFileSync(cmd, args, { encoding: "utf8", timeout: 300_000 })));
      }
    }
  } finally {
    await server.stop();
  }
  const med = new Map([...rates].map(([k, v]) => [k, median(v)]));
  const ours = med.get("AsyncHTTPClient")!;
  const undici = med.get("undici request")!;
  const nodeFetch = med.get("fetch")!;
  return [{
    title: `client: ${fmt(count)} GETs of the hello page, ${CONCURRENCY} in flight`,
    note: "Requests per second against one node:http server; each client in a fresh process per round, clients alternated; median of rounds.",
    columns: ["client", "req/s", "vs undici request", "vs fetch"],
    rows: CLIENTS.map((c) => [c, fmt(med.get(c)!), ratio(med.get(c)!, undici), ratio(med.get(c)!, nodeFetch)]),
    goals: [
      goal("AsyncHTTPClient ≥ 0.9× undici request", ours >= 0.9 * undici, ratio(ours, undici)),
      goal("AsyncHTTPClient ≥ 1.5× fetch", ours >= 1.5 * nodeFetch, ratio(ours, nodeFetch)),
    ],
  }];
}
