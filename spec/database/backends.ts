/**
 * The backends the database specs run against, with what differs between them (auto-increment
 * DDL, how to name and kill a server-side connection) and a check that the server is there.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Connection } from "../../src/database";

export interface BackendCase {
  name: string;
  /** A fresh URL (SQLite files live in a temp folder removed by `cleanup`). */
  url(): string;
  server: boolean;
  howToStart: string;
  /** Column definition of an auto-increment primary key called id. */
  idColumn: string;
  /** SQL giving this connection's server-side id as column `id`. */
  connectionIdSql?: string;
  /** Ends server-side connection `id` from another connection. */
  kill?(admin: Connection, id: number): Promise<void>;
  cleanup(): void;
}

let tempDir: string | undefined;

function sqliteFile(): string {
  tempDir ??= mkdtempSync(path.join(tmpdir(), "tornado-db-"));
  return `sqlite:${path.join(tempDir, `db-${process.pid}-${Math.random().toString(36).slice(2)}.sqlite`)}`;
}

export const BACKENDS: BackendCase[] = [
  {
    name: "SQLite in memory", url: () => "sqlite::memory:", server: false, howToStart: "",
    idColumn: "id INTEGER PRIMARY KEY AUTOINCREMENT", cleanup() {},
  },
  {
    name: "SQLite file", url: sqliteFile, server: false, howToStart: "",
    idColumn: "id INTEGER PRIMARY KEY AUTOINCREMENT",
    cleanup() { if (tempDir) rmSync(tempDir, { recursive: true, force: true }); tempDir = undefined; },
  },
  {
    name: "MariaDB", url: () => process.env.TEST_MYSQL_URL ?? "mysql://root@127.0.0.1:3306/test", server: true,
    howToStart: "start MariaDB on 127.0.0.1:3306 (service mariadb start) with database `test` for root without password",
    idColumn: "id INT AUTO_INCREMENT PRIMARY KEY",
    connectionIdSql: "SELECT CONNECTION_ID() AS id",
    async kill(admin, id) { await admin.execute(`KILL CONNECTION ${Number(id)}`); },
    cleanup() {},
  },
  {
    name: "PostgreSQL", url: () => process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test", server: true,
    howToStart: "start PostgreSQL on 127.0.0.1:5432 (service postgresql start) with trust auth and database `test`",
    idColumn: "id SERIAL PRIMARY KEY",
    connectionIdSql: "SELECT pg_backend_pid() AS id",
    async kill(admin, id) { await admin.query("SELECT pg_terminate_backend(?)", id); },
    cleanup() {},
  },
];

/** True when one statement runs on the backend's server within a few seconds. */
export async function reachable(b: BackendCase): Promise<boolean> {
  if (!b.server) return true;
  const db = new Connection(b.url(), { connectTimeout: 3000, acquireTimeout: 3000 });
  try {
    await db.query("SELECT 1 AS one");
    return true;
  } catch {
    return false;
  } finally {
    await db.close();
  }
}

let counter = 0;

/** A table name no other run (or rerun) uses. */
export function uniqueTable(prefix = "t"): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
}
