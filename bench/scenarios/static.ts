/**
 * Scenario 6: static files, 64 KB and large, whole and with Range, tornado-ts's StaticFileHandler
 * against node:http + fs.createReadStream; server RSS sampled during the large-file runs.
 */
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, ftruncateSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { contendersFor } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { rssOf, startServer, type RunningServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";
import { runWrk } from "../lib/wrk";

interface Case { name: string; file: string; connections: number; headers: string[]; bytes: number }

export async function runStaticScenario(opts: BenchOptions): Promise<Table[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "tornado-bench-static-"));
  writeFileSync(path.join(dir, "small.bin"), randomBytes(64 * 1024));
  const fd = openSync(path.join(dir, "large.bin"), "w");
  ftruncateSync(fd, opts.largeFileBytes); // sparse: no disk write, same bytes on the wire
  closeSync(fd);
  const largeMb = opts.largeFileBytes / 1048576;
  const cases: Case[] = [
    { name: "64 KB", file: "small.bin", connections: 25, headers: [], bytes: 65536 },
    { name: "64 KB, Range 1000-9999", file: "small.bin", connections: 25, headers: ["Range: bytes=1000-9999"], bytes: 9000 },
    { name: `${fmt(largeMb)} MB`, file: "large.bin", connections: 2, headers: [], bytes: opts.largeFileBytes },
    { name: `${fmt(largeMb)} MB, Range first 10 MB`, file: "large.bin", connections: 2, headers: [`Range: bytes=0-${10 * 1048576 - 1}`], bytes: 10 * 1048576 },
  ];
  const rows: (string | number)[][] = [];
  const goals: string[] = [];
  const growth = new Map<string, number>();
  const rates = new Map<string, number>();
  const servers: RunningServer[] = [];
  try {
    for (const c of contendersFor("static", opts.only)) servers.push(await startServer(c.name, c.cmd, c.args("static", [dir])));
    const idle = new Map(servers.map((s) => [s.name, rssOf(s.pid)]));
    for (const k of cases) {
      // Contenders alternate round by round (starting with a different one each round), so the
      // machine's drift hits them alike; the median of the rounds is reported.
      const samples = new Map<string, { rps: number[]; peak: number; errors: number }>(servers.map((s) => [s.name, { rps: [], peak: idle.get(s.name)!, errors: 0 }]));
      for (const s of servers) await runWrk(`http://127.0.0.1:${s.port}/static/${k.file}`, k.connections, 1, k.headers); // warm up
      for (let round = 0; round < opts.rounds; round++) {
        for (let i = 0; i < servers.length; i++) {
          const s = servers[(i + round) % servers.length];
          const sample = samples.get(s.name)!;
          const sampler = setInterval(() => { sample.peak = Math.max(sample.peak, rssOf(s.pid)); }, 50);
          const r = await runWrk(`http://127.0.0.1:${s.port}/static/${k.file}`, k.connections, opts.seconds, k.headers);
          clearInterval(sampler);
          sample.rps.push(r.requestsPerSec);
          sample.errors += r.errors;
        }
      }
      for (const s of servers) {
        const sample = samples.get(s.name)!;
        const rps = median(sample.rps);
        const growthMb = (sample.peak - idle.get(s.name)!) / 1048576;
        rows.push([s.name, k.name, fmt(rps, 1), fmt((rps * k.bytes) / 1048576), growthMb.toFixed(1), sample.errors]);
        growth.set(`${s.name}|${k.name}`, growthMb);
        rates.set(`${s.name}|${k.name}`, rps);
      }
    }
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const small = [rates.get("tornado-ts|64 KB"), rates.get("node:http|64 KB")];
  if (small[0] !== undefined && small[1] !== undefined) {
    goals.push(goal("64 KB file ≥ 1.0× node:http + fs.createReadStream", small[0] >= small[1], ratio(small[0], small[1])));
  }
  // "Flat": the file is streamed, not buffered: peak growth stays below the file's size and no
  // worse than node:http + fs.createReadStream under the same load (heap growth under load alone
  // is tens of MB for both, as the 64 KB rows show).
  for (const k of cases.filter((x) => x.file === "large.bin")) {
    const ours = growth.get(`tornado-ts|${k.name}`);
    const peer = growth.get(`node:http|${k.name}`);
    if (ours === undefined || peer === undefined) continue;
    const met = ours < opts.largeFileBytes / 1048576 && ours <= 1.1 * peer;
    goals.push(goal(`RSS flat while serving ${k.name} (growth < file size, ≤ 1.1× node:http's)`, met, `+${ours.toFixed(1)} MB vs node:http +${peer.toFixed(1)} MB`));
  }
  return [{
    title: "static files",
    note: `wrk for ${opts.seconds}s per case and contender, ${opts.rounds} interleaved round(s), median req/s; RSS growth = peak RSS during the case's runs minus idle RSS.`,
    columns: ["server", "case", "req/s", "MB/s", "RSS growth MB", "errors"],
    rows,
    goals,
  }];
}
