/**
 * Scenario s3: PUT and GET of 4 KB and 16 MB objects with @aws-sdk/client-s3 (SigV4, default
 * checksums) against tornado-ts's s3server and s3rver, each in its own process; the disk's own
 * copy speed for 16 MB files measured in the same run; server RSS sampled during the large cases.
 * A no-op in-memory server shows the client's own ceiling in the same harness.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ROOT } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { rssOf, startServer, type RunningServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const SMALL = 4 * 1024;
const LARGE = 16 * 1024 * 1024;
const CEILING = "no-op server (client ceiling)";

/** CPU seconds a process used so far, all its threads, user and system (Linux /proc; NaN elsewhere). */
function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return NaN;
  }
}

async function drain(body: unknown): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) n += chunk.length;
  return n;
}

/** Operations per second of `op` with `concurrency` in flight for `seconds`. */
async function rate(seconds: number, concurrency: number, op: (i: number) => Promise<void>): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let i = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      await op(i++);
      done++;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

interface Contender {
  name: string;
  server: RunningServer;
  client: S3Client;
  idleRss: number;
  /** Keys each PUT case stored: GETs read only those (a slow server may not reach them all). */
  stored: Map<string, Set<string>>;
}

type Case = { name: string; bytes: number; concurrency: number; kind: "small" | "large"; put: boolean };

const CASES: Case[] = [
  { name: "PUT 4 KB", bytes: SMALL, concurrency: 16, kind: "small", put: true },
  { name: "GET 4 KB", bytes: SMALL, concurrency: 16, kind: "small", put: false },
  { name: "PUT 16 MB", bytes: LARGE, concurrency: 2, kind: "large", put: true },
  { name: "GET 16 MB", bytes: LARGE, concurrency: 2, kind: "large", put: false },
];

function operation(c: Contender, k: Case, body: Buffer): (i: number) => Promise<void> {
  const stored = c.stored.get(k.kind)!;
  const prefix = k.kind === "small" ? "s/" : "l/";
  const keyCount = k.kind === "small" ? 256 : 4;
  if (k.put) {
    return async (i) => {
      const key = prefix + (i % keyCount);
      await c.client.send(new PutObjectCommand({ Bucket: "bench", Key: key, Body: body }));
      stored.add(key);
    };
  }
  const keys = [...stored];
  return async (i) => {
    const key = keys[i % keys.length];
    const got = await drain((await c.client.send(new GetObjectCommand({ Bucket: "bench", Key: key }))).Body);
    if (got !== k.bytes) throw new Error(`${c.name} GET ${key}: ${got} bytes, expected ${k.bytes}`);
  };
}

export async function runS3Scenario(opts: BenchOptions): Promise<Table[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), "tornado-bench-s3-"));
  const bodies = { small: randomBytes(SMALL), large: randomBytes(LARGE) };
  const seconds = opts.seconds;
  const rounds = Math.max(1, Math.min(opts.rounds, 3));
  const contenders: Contender[] = [];
  try {
    for (const [name, script] of [["tornado-ts", "s3_tornadots.js"], ["s3rver", "s3rver.js"], [CEILING, "s3_null.js"]]) {
      const root = mkdtempSync(path.join(work, "root-"));
      const server = await startServer(name, process.execPath, [path.join(ROOT, "dist/bench/servers", script), root], 30000);
      const client = new S3Client({
        endpoint: `http://127.0.0.1:${server.port}`, region: "us-east-1", forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, maxAttempts: 1,
      });
      contenders.push({ name, server, client, idleRss: NaN, stored: new Map([["small", new Set()], ["large", new Set()]]) });
      await client.send(new CreateBucketCommand({ Bucket: "bench" }));
    }
    for (const c of contenders) c.idleRss = rssOf(c.server.pid);
    // The disk's own speed: copy a 16 MB file, as many times as fit in the time, once per round.
    const src = path.join(work, "copy-src.bin");
    writeFileSync(src, bodies.large);
    const copies: number[] = [];
    const rates = new Map<string, number[]>();
    const peaks = new Map<string, number>();
    /** Operations per CPU-second of the server process: its capacity, whether or not the client kept it busy. */
    const perCpu = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      copies.push(await rate(seconds, 1, async (i) => copyFileSync(src, path.join(work, `copy-${i % 4}.bin`))));
      for (const k of CASES) {
        for (let j = 0; j < contenders.length; j++) {
          const c = contenders[(j + round) % contenders.length];
          const key = `${c.name}|${k.name}`;
          let peak = peaks.get(key) ?? c.idleRss;
          const sampler = setInterval(() => (peak = Math.max(peak, rssOf(c.server.pid))), 50);
          const cpuBefore = cpuOf(c.server.pid);
          const perSec = await rate(seconds, k.concurrency, operation(c, k, bodies[k.kind]));
          const cpu = cpuOf(c.server.pid) - cpuBefore;
          clearInterval(sampler);
          peaks.set(key, peak);
          rates.set(key, [...(rates.get(key) ?? []), perSec]);
          perCpu.set(key, [...(perCpu.get(key) ?? []), cpu > 0 ? (perSec * seconds) / cpu : NaN]);
        }
      }
    }
    const copyPerSec = median(copies);
    const diskMBs = (copyPerSec * LARGE) / 1048576;
    const perSec = (name: string, k: Case) => median(rates.get(`${name}|${k.name}`) ?? []);
    const opsPerCpu = (name: string, k: Case) => median(perCpu.get(`${name}|${k.name}`) ?? []);
    const rows: (string | number)[][] = [["disk (fs.copyFile)", "copy 16 MB", fmt(copyPerSec, 1), fmt(diskMBs), "", "", "", "", "", "1"]];
    for (const c of contenders) {
      for (const k of CASES) {
        const ops = perSec(c.name, k);
        const rss = c.name === CEILING ? "" : ((peaks.get(`${c.name}|${k.name}`)! - c.idleRss) / 1048576).toFixed(1);
        rows.push([c.name, k.name, fmt(ops, 1), fmt((ops * k.bytes) / 1048576, 1), ratio(ops, perSec("s3rver", k)), ratio(ops, perSec(CEILING, k)),
          fmt(opsPerCpu(c.name, k), 1), ratio(opsPerCpu(c.name, k), opsPerCpu("s3rver", k)), rss, String(k.concurrency)]);
      }
    }
    const goals: string[] = [];
    for (const k of CASES.filter((x) => x.kind === "small")) {
      const ours = perSec("tornado-ts", k);
      const peer = perSec("s3rver", k);
      goals.push(goal(`${k.name} ≥ 2× s3rver`, ours >= 2 * peer, `${ratio(ours, peer)}; the client's ceiling here is ${ratio(perSec(CEILING, k), peer)} s3rver`));
      goals.push(goal(`${k.name} ops per server CPU-second ≥ 2× s3rver's`, opsPerCpu("tornado-ts", k) >= 2 * opsPerCpu("s3rver", k),
        ratio(opsPerCpu("tornado-ts", k), opsPerCpu("s3rver", k))));
    }
    for (const k of CASES.filter((x) => x.kind === "large")) {
      const ours = (perSec("tornado-ts", k) * LARGE) / 1048576;
      const ceiling = (perSec(CEILING, k) * LARGE) / 1048576;
      goals.push(goal(`${k.name} ≥ 0.8× the disk's copy speed`, ours >= 0.8 * diskMBs,
        `${fmt(ours)} vs ${fmt(diskMBs)} MB/s, ${ratio(ours, diskMBs)}; the client's ceiling here is ${fmt(ceiling)} MB/s, ${ratio(ceiling, diskMBs)}`));
    }
    return [{
      title: "s3server",
      note: `@aws-sdk/client-s3 in the harness process (not pinned), servers on core 0; ${seconds}s per case, median of ${rounds} round(s), servers alternated; ` +
        `RSS growth = peak during the case minus idle; tornado-ts and s3rver check SigV4. "${CEILING}" keeps bodies in memory and checks nothing: ` +
        "what the client itself reaches, so no server can show more in this harness. Ops per server CPU-second (user + system, all " +
        "threads, from /proc) is each server's capacity whether or not the client kept it busy.",
      columns: ["server", "case", "ops/s", "MB/s", "vs s3rver", "vs ceiling", "ops per server CPU-s", "CPU-s vs s3rver", "RSS growth MB", "in flight"],
      rows,
      goals,
    }];
  } finally {
    for (const c of contenders) {
      c.client.destroy();
      await c.server.stop();
    }
    rmSync(work, { recursive: true, force: true });
  }
}
