/**
 * Peer for the db scenario: the blog's home and entry pages done the usual Fastify way, with the
 * same driver the blog uses (better-sqlite3 or mysql2, no wrapper), EJS templates and the same
 * HTML. `node blog_fastify.js DATABASE_URL TABLE_PREFIX`.
 */
import Database from "better-sqlite3";
import ejs from "ejs";
import Fastify from "fastify";
import mysql from "mysql2/promise";
import { readFileSync } from "node:fs";
import path from "node:path";
import { getLocale } from "../../src/locale";
import { announce } from "./common";

const [url, prefix] = process.argv.slice(2);
const entries = `${prefix}entries`;
const authors = `${prefix}authors`;
// The same SQL text as examples/blog/store.ts sends.
const LATEST = `SELECT e.*, a.name AS author_name FROM ${entries} e LEFT JOIN ${authors} a ON a.id = e.author_id
      ORDER BY e.published DESC, e.id DESC LIMIT 5`;
const BY_SLUG = `SELECT e.*, a.name AS author_name FROM ${entries} e JOIN ${authors} a ON a.id = e.author_id WHERE e.slug = ?`;

type Row = Record<string, unknown>;
let latest: () => Promise<Row[]>;
let bySlug: (slug: string) => Promise<Row | undefined>;
if (url.startsWith("sqlite:")) {
  const db = new Database(url.slice("sqlite:".length));
  const l = db.prepare(LATEST);
  const s = db.prepare(BY_SLUG);
  latest = async () => l.all() as Row[];
  bySlug = async (slug) => s.get(slug) as Row | undefined;
} else {
  const pool = mysql.createPool({ uri: url, connectionLimit: 5, timezone: "Z" });
  latest = async () => (await pool.query(LATEST))[0] as Row[];
  bySlug = async (slug) => ((await pool.execute(BY_SLUG, [slug]))[0] as Row[])[0];
}

const dir = path.join(__dirname, "../../../bench/servers/blog_ejs");
const compile = (name: string) => ejs.compile(readFileSync(path.join(dir, name), "utf8"), { filename: path.join(dir, name), cache: true });
const home = compile("home.ejs");
const entryPage = compile("entry.ejs");
const locale = getLocale("en_US");
const helpers = {
  title: "A tornado-ts blog",
  date: (ms: unknown) => locale.formatDate(new Date(Number(ms)), { fullFormat: true, shorter: true }),
  iso: (ms: unknown) => new Date(Number(ms)).toISOString(),
  css: "/static/blog.css?v=1",
};

const app = Fastify({ logger: false, keepAliveTimeout: 600_000 });
app.get("/", async (_req, reply) => {
  reply.type("text/html; charset=UTF-8");
  return home({ ...helpers, entries: await latest() });
});
app.get<{ Params: { slug: string } }>("/entry/:slug", async (req, reply) => {
  const entry = await bySlug(req.params.slug);
  if (!entry) return reply.code(404).send("Not Found");
  reply.type("text/html; charset=UTF-8");
  return entryPage({ ...helpers, entry });
});
app.listen({ port: 0, host: "127.0.0.1" }).then(() => {
  const addr = app.server.address();
  announce(typeof addr === "object" && addr ? addr.port : 0);
});
