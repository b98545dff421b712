/**
 * `npm run bench -- cluster`: hello world through nginx to 1 and 2 frontends, the seed's
 * production layout and its performance table. nginx runs with examples/deploy's config (the one
 * `npm run deploy:local` uses) as our own process, on a free port with a temporary prefix, and is
 * stopped by its PID. node:http frontends behind the same nginx give the scaling ratio a peer.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import os from "node:os";
import path from "node:path";
import { NGINX, renderNginxConfig } from "../../examples/deploy/layout";
import { contendersFor } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { ensureDebianCommand, pinned } from "../lib/proc";
import { fmt, median, ratio, type Table } from "../lib/report";
import { runWrk } from "../lib/wrk";

/** wrk's connections to nginx (kept alive); nginx opens one upstream connection per request. */
const CONNECTIONS = 25;

interface Proc { port: number; child: ChildProcess }

/** Starts a hello-world contender pinned to `core`; resolves once it prints `listening PORT`. */
function startFrontend(cmd: string, args: string[], core: number): Promise<Proc> {
  const [c, a] = pinned(core, cmd, args);
  const child = spawn(c, a, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`${args.join(" ")} did not start`)); }, 15000);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      resolve({ port: Number(m[1]), child });
    });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`${args.join(" ")} exited with ${code}`)); });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => { s.destroy(); resolve(true); });
      s.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on ${port}`);
}

/** nginx (unpinned: it shares the two cores with the frontends) in front of `upstreams`. */
async function startNginx(upstreams: number[]): Promise<Proc & { prefix: string }> {
  const prefix = mkdtempSync(path.join(os.tmpdir(), "tornado-ts-bench-nginx-"));
  for (const dir of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(prefix, dir));
  const port = await freePort();
  const conf = path.join(prefix, "nginx.conf");
  writeFileSync(conf, renderNginxConfig({ prefix, user: os.userInfo().username, listen: `127.0.0.1:${port}`, upstreams, staticPath: prefix }));
  const check = spawnSync(NGINX, ["-t", "-q", "-p", prefix, "-c", conf], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx rejects the config: ${check.stderr}`);
  const child = spawn(NGINX, ["-p", prefix, "-c", conf], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(port, child);
  return { port, child, prefix };
}

/** Stops a process we started, by its PID: SIGTERM, then SIGKILL after 5 s. */
async function stop(p: Proc): Promise<void> {
  const child = p.child;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(child.pid!, "SIGTERM"); // nginx's master stops its worker on SIGTERM
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, "SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

interface Setup { key: string; contender: string; frontends: number; port: number }

export async function runClusterScenario(opts: BenchOptions): Promise<Table[]> {
  if (!ensureDebianCommand(NGINX, "nginx")) {
    return [{ title: "Cluster: hello world through nginx", columns: ["skipped"], rows: [["nginx is missing and could not be installed: apt-get install -y nginx"]] }];
  }
  const contenders = contendersFor("hello", ["tornado-ts", "node:http"]);
  const procs: Proc[] = [];
  const prefixes: string[] = [];
  try {
    const setups: Setup[] = [];
    for (const c of contenders) {
      // Frontend i on core i: with two, one per core, as the seed advises.
      const fronts = [await startFrontend(c.cmd, c.args("hello"), 0), await startFrontend(c.cmd, c.args("hello"), 1)];
      procs.push(...fronts);
      setups.push({ key: `${c.name} direct`, contender: c.name, frontends: 0, port: fronts[0].port });
      for (const n of [1, 2]) {
        const ng = await startNginx(fronts.slice(0, n).map((f) => f.port));
        procs.push(ng);
        prefixes.push(ng.prefix);
        setups.push({ key: `${c.name} nginx ${n}`, contender: c.name, frontends: n, port: ng.port });
      }
    }
    const rates = new Map<string, number[]>(setups.map((s) => [s.key, []]));
    let errors = 0;
    for (const s of setups) await runWrk(`http://127.0.0.1:${s.port}/`, CONNECTIONS, 1); // warm up
    for (let round = 0; round < opts.rounds; round++) {
      for (let i = 0; i < setups.length; i++) {
        const s = setups[(i + round) % setups.length];
        const r = await runWrk(`http://127.0.0.1:${s.port}/`, CONNECTIONS, opts.seconds);
        rates.get(s.key)!.push(r.requestsPerSec);
        errors += r.errors;
      }
    }
    const rps = (key: string): number => median(rates.get(key)!);
    return [{
      title: `Cluster: hello world through nginx to 1 and 2 frontends, ${CONNECTIONS} connections, requests/s`,
      note:
        `Median of ${opts.rounds} round(s) of ${opts.seconds} s, setups interleaved. nginx ${nginxVersion()} with examples/deploy/nginx.conf ` +
        "(1 worker, access log on, a new upstream connection per request, as the seed's config); frontend i pinned to core i; " +
        "nginx and wrk unpinned (wrk on core 1), so on this 2-core machine all of them share the two cores. " +
        `"direct" = wrk straight to one frontend, no nginx. ${errors === 0 ? "No errors." : `${errors} non-2xx responses or socket errors in total.`}`,
      columns: ["frontends", "direct (1, no nginx)", "nginx → 1", "nginx → 2", "scaling (2 / 1)"],
      rows: contenders.map((c) => [
        c.name,
        fmt(rps(`${c.name} direct`)),
        fmt(rps(`${c.name} nginx 1`)),
        fmt(rps(`${c.name} nginx 2`)),
        ratio(rps(`${c.name} nginx 2`), rps(`${c.name} nginx 1`)),
      ]),
    }];
  } finally {
    await Promise.all(procs.map(stop));
    for (const p of prefixes) rmSync(p, { recursive: true, force: true });
  }
}

function nginxVersion(): string {
  const r = spawnSync(NGINX, ["-v"], { encoding: "utf8" });
  return /nginx\/(\S+)/.exec(r.stderr ?? "")?.[1] ?? "";
}
