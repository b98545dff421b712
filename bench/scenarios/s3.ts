/**
 * Scenario s3: PUT and GET of 4 KB and 16 MB objects with @aws-sdk/client-s3 (SigV4, default
 * checksums) against tornado-ts's s3server and s3rver, each in its own process; the disk's own
 * copy speed for 16 MB files measured in the same run; server RSS sampled during the large cases.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ROOT } from "../lib/contenders";
import type { BenchOptions } from "../lib/options";
import { rssOf, startServer } from "../lib/proc";
import { fmt, goal, ratio, type Table } from "../lib/report";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const SMALL = 4 * 1024;
const LARGE = 16 * 1024 * 1024;

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

export async function runS3Scenario(opts: BenchOptions): Promise<Table[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), "tornado-bench-s3-"));
  const small = randomBytes(SMALL);
  const large = randomBytes(LARGE);
  const seconds = Math.max(2, opts.seconds * 2);
  const rows: (string | number)[][] = [];
  const results = new Map<string, number>();
  try {
    // The disk's own speed: copy a 16 MB file, as many times as fit in the time.
    const src = path.join(work, "copy-src.bin");
    writeFileSync(src, large);
    const copyPerSec = await rate(seconds, 1, async (i) => copyFileSync(src, path.join(work, `copy-${i % 4}.bin`)));
    const diskMBs = (copyPerSec * LARGE) / 1048576;
    rows.push(["disk (fs.copyFile)", "copy 16 MB", fmt(copyPerSec, 1), fmt(diskMBs), "", ""]);
    const contenders = [
      { name: "tornado-ts", script: "s3_tornadots.js" },
      { name: "s3rver", script: "s3rver.js" },
    ];
    for (const c of contenders) {
      const root = mkdtempSync(path.join(work, c.name + "-"));
      const server = await startServer(c.name, process.execPath, [path.join(ROOT, "dist/bench/servers", c.script), root], 30000);
      const client = new S3Client({
        endpoint: `http://127.0.0.1:${server.port}`, region: "us-east-1", forcePathStyle: true,
        credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, maxAttempts: 1,
      });
      try {
        await client.send(new CreateBucketCommand({ Bucket: "bench" }));
        const idle = rssOf(server.pid);
        const cases: [string, number, number, (i: number) => Promise<void>][] = [
          ["PUT 4 KB", SMALL, 16, async (i) => void (await client.send(new PutObjectCommand({ Bucket: "bench", Key: `s/${i % 256}`, Body: small })))],
          ["GET 4 KB", SMALL, 16, async (i) => void (await drain((await client.send(new GetObjectCommand({ Bucket: "bench", Key: `s/${i % 256}` }))).Body))],
          ["PUT 16 MB", LARGE, 2, async (i) => void (await client.send(new PutObjectCommand({ Bucket: "bench", Key: `l/${i % 4}`, Body: large })))],
          ["GET 16 MB", LARGE, 2, async (i) => void (await drain((await client.send(new GetObjectCommand({ Bucket: "bench", Key: `l/${i % 4}` }))).Body))],
        ];
        for (const [name, bytes, concurrency, op] of cases) {
          let peak = idle;
          const sampler = setInterval(() => (peak = Math.max(peak, rssOf(server.pid))), 50);
          const perSec = await rate(seconds, concurrency, op);
          clearInterval(sampler);
          results.set(`${c.name}|${name}`, perSec);
          rows.push([c.name, name, fmt(perSec, 1), fmt((perSec * bytes) / 1048576, 1), ((peak - idle) / 1048576).toFixed(1), String(concurrency)]);
        }
      } finally {
        client.destroy();
        await server.stop();
      }
    }
    const goals: string[] = [];
    for (const name of ["PUT 4 KB", "GET 4 KB"]) {
      const ours = results.get(`tornado-ts|${name}`)!;
      const peer = results.get(`s3rver|${name}`)!;
      goals.push(goal(`${name} ≥ 2× s3rver`, ours >= 2 * peer, ratio(ours, peer)));
    }
    for (const name of ["PUT 16 MB", "GET 16 MB"]) {
      const ours = (results.get(`tornado-ts|${name}`)! * LARGE) / 1048576;
      goals.push(goal(`${name} ≥ 0.8× the disk's copy speed`, ours >= 0.8 * diskMBs, `${fmt(ours)} vs ${fmt(diskMBs)} MB/s, ${ratio(ours, diskMBs)}`));
    }
    return [{
      title: "s3server",
      note: `@aws-sdk/client-s3 in the harness process, ${seconds}s per case; RSS growth = peak during the case minus idle; both servers check SigV4.`,
      columns: ["server", "case", "ops/s", "MB/s", "RSS growth MB", "in flight"],
      rows,
      goals,
    }];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
