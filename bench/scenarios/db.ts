/**
 * Scenario "db": the blog demo's home and entry pages (real templates, real database) against the
 * same pages in Fastify + the same driver + EJS, on SQLite and on MariaDB; then the database
 * module's own cost: `get()` against the raw driver on one small select.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderMarkdown } from "../../examples/blog/markdown";
import { BlogStore } from "../../examples/blog/store";
import { Connection } from "../../src/database";
import type { BenchOptions } from "../lib/options";
import { startServer, type RunningServer } from "../lib/proc";
import { fmt, goal, median, ratio, type Table } from "../lib/report";
import { runWrk, type LoadResult } from "../lib/wrk";

const SERVERS = path.resolve(__dirname, "../servers");
const ENTRY_SLUG = "entry-number-7";

interface BackendSetup { name: string; url: string; cleanup(): void }

function backends(): BackendSetup[] {
  const dir = mkdtempSync(path.join(tmpdir(), "tornado-bench-db-"));
  return [
    { name: "SQLite", url: `sqlite:${path.join(dir, "blog.db")}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) },
    { name: "MariaDB", url: process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test", cleanup: () => undefined },
  ];
}

/** Twenty entries of a few paragraphs by one author: the pages show five, or one. */
async function seed(url: string, prefix: string): Promise<BlogStore> {
  const store = new BlogStore(new Connection(url), prefix);
  await store.dropSchema();
  await store.createSchema();
  const author = await store.createFirstAuthor("bench@example.com", "Bench Author", "not-a-real-hash");
  const paragraph = "A paragraph with *emphasis*, a [link](https://example.com/page?a=1&b=2) and `code`, long enough to look like prose in a real entry. ";
  for (let i = 1; i <= 20; i++) {
    const markdown = `${paragraph.repeat(3)}\n\n## Section ${i}\n\n- one\n- two\n- three\n\n${paragraph.repeat(4)}`;
    await store.create(author!.id, `Entry number ${i}`, markdown, renderMarkdown(markdown), Date.UTC(2026, 0, i));
  }
  return store;
}

const PAGES = [["home", "/"], ["entry", `/entry/${ENTRY_SLUG}`]] as const;

export async function runDbScenario(opts: BenchOptions): Promise<Table[]> {
  const tables: Table[] = [];
  const skipped: string[] = [];
  const connections = opts.connections[0];
  for (const b of backends()) {
    const prefix = `bench_${process.pid}_`;
    let store: BlogStore;
    try {
      store = await seed(b.url, prefix);
    } catch (err) {
      skipped.push(`${b.name}: ${(err as Error).message}`);
      b.cleanup();
      continue;
    }
    const servers: RunningServer[] = [];
    try {
      servers.push(await startServer("tornado-ts blog", process.execPath, [path.join(SERVERS, "blog_tornadots.js"), b.url, prefix]));
      servers.push(await startServer("fastify + ejs", process.execPath, [path.join(SERVERS, "blog_fastify.js"), b.url, prefix]));
      for (const s of servers) await checkPages(s);
      const results = new Map<string, LoadResult[]>();
      for (const [page, p] of PAGES) {
        for (const s of servers) {
          results.set(`${page} ${s.name}`, []);
          await runWrk(`http://127.0.0.1:${s.port}${p}`, connections, 1); // warm up
        }
      }
      for (let round = 0; round < opts.rounds; round++) {
        for (const [page, p] of PAGES) {
          for (let i = 0; i < servers.length; i++) {
            const s = servers[(i + round) % servers.length];
            results.get(`${page} ${s.name}`)!.push(await runWrk(`http://127.0.0.1:${s.port}${p}`, connections, opts.seconds));
          }
        }
      }
      tables.push(pageTable(b.name, connections, results, opts));
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await store.dropSchema().catch(() => undefined);
      await store.db.close();
      b.cleanup();
    }
  }
  tables.push(await driverTable(opts, skipped));
  return tables;
}

async function checkPages(s: RunningServer): Promise<void> {
  for (const [page, p] of PAGES) {
    const res = await fetch(`http://127.0.0.1:${s.port}${p}`);
    const html = await res.text();
    const want = page === "home" ? "Entry number 20" : "Entry number 7";
    if (res.status !== 200 || !html.includes(want) || !html.includes("<h2>Section")) throw new Error(`${s.name} ${p}: unexpected page (${res.status})`);
  }
}

function pageTable(backend: string, connections: number, results: Map<string, LoadResult[]>, opts: BenchOptions): Table {
  const rps = (key: string) => median((results.get(key) ?? []).map((r) => r.requestsPerSec));
  const rows: (string | number)[][] = [];
  const goals: string[] = [];
  for (const [page] of PAGES) {
    const ours = rps(`${page} tornado-ts blog`);
    const peer = rps(`${page} fastify + ejs`);
    for (const name of ["tornado-ts blog", "fastify + ejs"]) {
      const rs = results.get(`${page} ${name}`) ?? [];
      rows.push([`${page}: ${name}`, fmt(rps(`${page} ${name}`)), median(rs.map((r) => r.p99Ms)).toFixed(2), ratio(rps(`${page} ${name}`), peer), rs.reduce((a, r) => a + r.errors, 0)]);
    }
    goals.push(goal(`${page} page ≥ 1.5× fastify + ejs req/s`, ours >= 1.5 * peer, ratio(ours, peer)));
  }
  return {
    title: `db: blog pages on ${backend}, ${connections} connections`,
    note: `GET / (five latest entries) and GET /entry/${ENTRY_SLUG}; the blog demo (tornado-ts/database, its templates, Entry UI module) vs ` +
      `Fastify + the raw driver + EJS rendering the same HTML. wrk -t1 -c${connections} -d${opts.seconds}s, median of ${opts.rounds} round(s).`,
    columns: ["page: server", "req/s", "p99 ms", "vs fastify + ejs", "errors"],
    rows,
    goals,
  };
}

// --- the driver's own cost --------------------------------------------------------------------

interface AsyncContender { name: string; run(): Promise<unknown> }
interface DriverCase { backend: string; contenders: AsyncContender[]; rawGet: string; close(): Promise<void> }

const SMALL = `bench_small_${process.pid}`;
const SMALL_SELECT = `SELECT id, name FROM ${SMALL} WHERE id = ?`;

/**
 * Per backend: the module's query() and get() and the raw driver's calls that do the same work,
 * as people write them: better-sqlite3's prepared statement (all() for the rows, get() for the
 * first), mysql2/promise's execute() (prepared, cached per connection, like the module's), pg's
 * client.query() with the `$1` text.
 */
async function driverCases(skipped: string[]): Promise<DriverCase[]> {
  const out: DriverCase[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), "tornado-bench-drv-"));
  const prepare = async (url: string, ddl: string) => {
    const db = new Connection(url);
    await db.execute(`DROP TABLE IF EXISTS ${SMALL}`);
    await db.execute(`CREATE TABLE ${SMALL} (${ddl}, name VARCHAR(50))`);
    await db.executeMany(`INSERT INTO ${SMALL} (name) VALUES (?)`, Array.from({ length: 100 }, (_, i) => [`row ${i}`]));
    return db;
  };
  const ours = (db: Connection): AsyncContender[] => [
    { name: "tornado-ts query()", run: () => db.query(SMALL_SELECT, 42) },
    { name: "tornado-ts get()", run: () => db.get(SMALL_SELECT, 42) },
  ];
  const file = path.join(dir, "small.db");
  const lite = await prepare(`sqlite:${file}`, "id INTEGER PRIMARY KEY AUTOINCREMENT");
  const Database = require("better-sqlite3") as typeof import("better-sqlite3");
  const raw = new Database(file);
  const stmt = raw.prepare(SMALL_SELECT);
  out.push({
    backend: "SQLite (better-sqlite3)", rawGet: "stmt.get()",
    contenders: [...ours(lite), { name: "raw rows", run: async () => stmt.all(42) }, { name: "raw first row", run: async () => stmt.get(42) }],
    close: async () => { await lite.close(); raw.close(); rmSync(dir, { recursive: true, force: true }); },
  });
  try {
    const url = process.env.BENCH_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test";
    const db = await prepare(url, "id INT AUTO_INCREMENT PRIMARY KEY");
    const mysql = require("mysql2/promise") as typeof import("mysql2/promise");
    const conn = await mysql.createConnection({ uri: url });
    out.push({
      backend: "MariaDB (mysql2)", rawGet: "execute() rows[0]",
      contenders: [...ours(db), { name: "raw rows", run: async () => (await conn.execute(SMALL_SELECT, [42]))[0] },
        { name: "raw first row", run: async () => ((await conn.execute(SMALL_SELECT, [42]))[0] as unknown[])[0] }],
      close: async () => { await conn.end(); await db.execute(`DROP TABLE IF EXISTS ${SMALL}`); await db.close(); },
    });
  } catch (err) {
    skipped.push(`MariaDB driver comparison: ${(err as Error).message}`);
  }
  try {
    const url = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
    const db = await prepare(url, "id SERIAL PRIMARY KEY");
    const pg = require("pg") as typeof import("pg");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const text = `SELECT id, name FROM ${SMALL} WHERE id = $1`;
    out.push({
      backend: "PostgreSQL (pg)", rawGet: "query() rows[0]",
      contenders: [...ours(db), { name: "raw rows", run: async () => (await client.query(text, [42])).rows },
        { name: "raw first row", run: async () => (await client.query(text, [42])).rows[0] }],
      close: async () => { await client.end(); await db.execute(`DROP TABLE IF EXISTS ${SMALL}`); await db.close(); },
    });
  } catch (err) {
    skipped.push(`PostgreSQL driver comparison: ${(err as Error).message}`);
  }
  return out;
}

/** Sequential calls per second of each contender, `rounds` slices each, alternated; the median. */
async function measureAsync(contenders: AsyncContender[], sliceMs: number, rounds: number): Promise<Map<string, number>> {
  const rates = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  // Warm up until the JIT settles: a few hundred calls left the wrapper at 0.4× and 1 s of calls at 1×.
  for (const c of contenders) for (const start = performance.now(); performance.now() - start < 1000;) await c.run();
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + round) % contenders.length];
      let calls = 0;
      const start = performance.now();
      while (performance.now() - start < sliceMs) {
        await c.run();
        calls++;
      }
      rates.get(c.name)!.push(calls / ((performance.now() - start) / 1000));
    }
  }
  return new Map([...rates].map(([k, v]) => [k, median(v)]));
}

async function driverTable(opts: BenchOptions, skipped: string[]): Promise<Table> {
  const rows: (string | number)[][] = [];
  const goals: string[] = [];
  for (const { backend, contenders, rawGet, close } of await driverCases(skipped)) {
    try {
      // Short slices, many rounds: a server's speed drifts within seconds on this machine.
      const rates = await measureAsync(contenders, opts.seconds * 125, Math.max(4, opts.rounds * 4));
      const [query, get, rawRows, rawFirst] = ["tornado-ts query()", "tornado-ts get()", "raw rows", "raw first row"].map((n) => rates.get(n)!);
      rows.push(
        [`${backend}: tornado-ts query()`, fmt(query), ratio(query, rawRows), ratio(query, rawFirst)],
        [`${backend}: tornado-ts get()`, fmt(get), ratio(get, rawRows), ratio(get, rawFirst)],
        [`${backend}: raw rows`, fmt(rawRows), "1.00×", ratio(rawRows, rawFirst)],
        [`${backend}: raw first row (${rawGet})`, fmt(rawFirst), ratio(rawFirst, rawRows), "1.00×"],
      );
      goals.push(goal(`${backend} query() ≥ 0.95× raw rows`, query >= 0.95 * rawRows, ratio(query, rawRows)));
      goals.push(goal(`${backend} get() ≥ 0.95× raw first row`, get >= 0.95 * rawFirst, ratio(get, rawFirst)));
    } finally {
      await close().catch(() => undefined);
    }
  }
  return {
    title: "db: driver overhead on one small select (primary-key lookup of 100 rows)",
    note: "Sequential awaited calls per second on one connection, in this process, contenders alternated; median of slices. " +
      "get() reads the whole result to refuse a second row (the seed's contract); the raw first row does not: on SQLite that is " +
      "better-sqlite3's all() against its get(), and on Node 20 its all() costs more than get() in native code." +
      (skipped.length ? ` Not run: ${skipped.join("; ")}.` : ""),
    columns: ["backend: caller", "calls/s", "vs raw rows", "vs raw first row"],
    rows,
    goals,
  };
}
