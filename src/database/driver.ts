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

/** How a driver reports one statement: exactly one call, `(null, result)` or `(error, undefined)`. */
export type RunCallback = (err: unknown, result: RunResult | undefined) => void;

/** One physical connection to a server (or one open SQLite database). */
export interface Driver {
  /**
   * Runs one statement; the parameters are bound by the driver, never put into the SQL text.
   * A callback rather than a promise: the Connection makes the one promise its caller awaits.
   */
  run(sql: string, params: readonly Param[], done: RunCallback): void;
  /** The same at once, for a synchronous library (SQLite): returns the result or throws. */
  runSync?(sql: string, params: readonly Param[]): RunResult;
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

/** The result of `run` as a promise (for the paths that are not hot: transactions, retries). */
export function runPromise(driver: Driver, sql: string, params: readonly Param[]): Promise<RunResult> {
  if (driver.runSync !== undefined) {
    try {
      return Promise.resolve(driver.runSync(sql, params));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return new Promise((resolve, reject) => driver.run(sql, params, (err, result) => (err === null ? resolve(result!) : reject(err))));
}

/**
 * Parameters as most drivers want them: undefined becomes NULL, Uint8Array a Buffer. The list
 * itself when nothing needs changing (the usual case: no copy per statement).
 */
export function normalizeParams(params: readonly Param[]): unknown[] {
  let i = 0;
  while (i < params.length && !needsNormalizing(params[i])) i++;
  if (i === params.length) return params as unknown[];
  const out = params.slice() as unknown[];
  for (; i < out.length; i++) {
    const p = out[i] as Param;
    if (needsNormalizing(p)) out[i] = p === undefined ? null : Buffer.from(p as Uint8Array);
  }
  return out;
}

function needsNormalizing(p: Param): boolean {
  return p === undefined || (p instanceof Uint8Array && !Buffer.isBuffer(p));
}

/** Number of a driver's id or count when it is a safe integer; null for none. */
export function toId(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === "bigint" ? Number(value) : Number(value);
  return Number.isSafeInteger(n) ? n : null;
}
