/**
 * What each backend (mysql.ts, postgres.ts, sqlite.ts) provides to `Connection`: one physical
 * connection that runs a statement with `?` placeholders and bound parameters.
 */
import type { DatabaseError } from "./errors";

/** A row: column names to values. */
export type Row = Record<string, unknown>;

/** A bound parameter value. */
export type Param = string | number | bigint | boolean | null | undefined | Date | Buffer | Uint8Array;

export interface RunResult {
  rows: Row[];
  /** The id the statement inserted, when the backend knows one. */
  insertId: number | null;
  /** Rows changed by an INSERT / UPDATE / DELETE (or returned, for a SELECT). */
  rowCount: number;
}

/** One physical connection to a server (or one open SQLite database). */
export interface Driver {
  /** Runs one statement; the parameters are bound by the driver, never put into the SQL text. */
  run(sql: string, params: readonly Param[]): Promise<RunResult>;
  /** Streams the rows of one statement; breaking out early may close the connection (see `dead`). */
  iterate(sql: string, params: readonly Param[]): AsyncIterable<Row>;
  /** Set once the driver knows its connection is gone (server closed it, fatal error). */
  readonly dead: boolean;
  close(): Promise<void>;
}

/** A backend: opens drivers for a URL and sorts driver errors into DB-API classes. */
export interface Backend {
  readonly name: "mysql" | "postgres" | "sqlite";
  connect(): Promise<Driver>;
  /** The driver error as a DatabaseError of the right class. */
  classify(err: unknown, statement: string | undefined): DatabaseError;
  /** True when `err` means the connection itself is gone (not that the statement was wrong). */
  isDisconnect(err: unknown): boolean;
  /**
   * Streams a query's rows without holding a pooled connection, or null when this backend can't
   * (SQLite files read from a connection of their own; nothing else has this).
   */
  iterateApart?(sql: string, params: readonly Param[]): AsyncIterable<Row> | null;
  /** How many connections may be open at once at most (SQLite: 1). */
  readonly maxPoolSize: number;
}

/** Parameters as most drivers want them: undefined becomes NULL, Uint8Array a Buffer. */
export function normalizeParams(params: readonly Param[]): unknown[] {
  const out = new Array<unknown>(params.length);
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    out[i] = p === undefined ? null : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p;
  }
  return out;
}

/** Number of a driver's id or count when it is a safe integer; null for none. */
export function toId(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "bigint" ? Number(value) : Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
