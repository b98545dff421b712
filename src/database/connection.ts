/**
 * The seed's `database` module: a thin, promise-based wrapper that makes a SQL database easy to use
 * from handlers. One `Connection` is a small pool; statements use `?` placeholders on every backend,
 * and the parameters are always bound by the driver, never spliced into the SQL.
 *
 * ```ts
 * const db = new Connection("mysql://root@127.0.0.1/blog"); // or postgres://…, sqlite:blog.db
 * const id = await db.execute("INSERT INTO entries (title) VALUES (?)", "Hello");
 * const entry = await db.get("SELECT * FROM entries WHERE id = ?", id);
 * for await (const row of db.iter("SELECT * FROM entries")) console.log(row.title);
 * await db.transaction(async (tx) => { await tx.execute("UPDATE …", 1); await tx.execute("UPDATE …", 2); });
 * ```
 */
import type { Backend, Driver, Param, Row, RunResult } from "./driver";
import { DatabaseError, ProgrammingError } from "./errors";
import { inTransaction, Pool } from "./pool";

export type { Param, Row } from "./driver";

export interface ConnectionOptions {
  /** Connections open at most (default 5; SQLite always 1). */
  poolSize?: number;
  /** Seconds a connection may sit idle before it is closed and a new one opened instead (default 7 hours, as the seed). */
  maxIdleTime?: number;
  /** Milliseconds to wait for a free connection before failing (default 30 000). */
  acquireTimeout?: number;
  /** Milliseconds to wait for the server when connecting (default 10 000). */
  connectTimeout?: number;
}

/** The statements both a Connection and a Transaction run. */
export abstract class Queryable {
  protected abstract backend: Backend;
  /** Runs one statement on some driver; the Connection may retry on a fresh one. */
  protected abstract run(sql: string, params: readonly Param[]): Promise<RunResult>;
  protected abstract stream(sql: string, params: readonly Param[]): AsyncIterable<Row>;

  /** The rows of a query, as plain objects. */
  async query<T extends object = Row>(sql: string, ...params: Param[]): Promise<T[]> {
    return (await this.run(sql, params)).rows as T[];
  }

  /** The single row of a query, or null; more than one row is a ProgrammingError. */
  async get<T extends object = Row>(sql: string, ...params: Param[]): Promise<T | null> {
    const { rows } = await this.run(sql, params);
    if (rows.length > 1) throw new ProgrammingError(`get() expected at most one row and the query returned ${rows.length}`, { statement: sql });
    return (rows[0] as T | undefined) ?? null;
  }

  /**
   * Runs a statement and returns the id it inserted (MySQL's insert id, SQLite's rowid; on
   * PostgreSQL the `id` column, or else the first column, of an INSERT's returned row).
   */
  async execute(sql: string, ...params: Param[]): Promise<number | null> {
    return (await this.run(sql, params)).insertId;
  }

  /** Runs a statement and returns how many rows it changed. */
  async executeRowcount(sql: string, ...params: Param[]): Promise<number> {
    return (await this.run(sql, params)).rowCount;
  }

  /** Runs a statement once per parameter list, in order, and returns the last inserted id. */
  async executeMany(sql: string, paramsList: Iterable<readonly Param[]>): Promise<number | null> {
    let id: number | null = null;
    for (const params of paramsList) id = (await this.run(sql, params)).insertId;
    return id;
  }

  /** Runs a statement once per parameter list and returns the total rows changed. */
  async executeManyRowcount(sql: string, paramsList: Iterable<readonly Param[]>): Promise<number> {
    let count = 0;
    for (const params of paramsList) count += (await this.run(sql, params)).rowCount;
    return count;
  }

  /**
   * Streams the rows of a query without loading the whole result (MySQL, PostgreSQL and SQLite
   * files). The connection stays busy until the loop ends; `break` is fine.
   */
  iter<T extends object = Row>(sql: string, ...params: Param[]): AsyncIterable<T> {
    return this.stream(sql, params) as AsyncIterable<T>;
  }
}

/**
 * A database reached by URL: `mysql://user:pass@host:port/db` (MySQL and MariaDB, over mysql2),
 * `postgres://user@host/db` (over pg), `sqlite:path/to.db` or `sqlite::memory:` (over
 * better-sqlite3). Connections open on first use.
 */
export class Connection extends Queryable {
  protected readonly backend: Backend;
  private readonly pool: Pool;

  constructor(readonly url: string, options: ConnectionOptions = {}) {
    super();
    this.backend = openBackend(url, options);
    const size = Math.max(1, Math.min(options.poolSize ?? 5, this.backend.maxPoolSize));
    this.pool = new Pool(() => this.backend.connect(), size, (options.maxIdleTime ?? 7 * 3600) * 1000, options.acquireTimeout ?? 30_000);
  }

  /** Which backend the URL chose. */
  get backendName(): Backend["name"] {
    return this.backend.name;
  }

  /** Connections open now (idle and busy). */
  get openConnections(): number {
    return this.pool.openCount;
  }

  /**
   * Runs `fn` in a transaction on one connection: committed when `fn` resolves, rolled back when it
   * throws (the error is rethrown). A statement that fails inside is reported, never retried.
   */
  async transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    const begin = this.backend.name === "mysql" ? "START TRANSACTION" : "BEGIN";
    // BEGIN itself may go through the same stale-connection retry as any statement: nothing ran yet.
    const driver = await this.withDriver(async (d) => { await d.run(begin, []); return d; }, begin, true);
    const tx = new Transaction(this.backend, driver);
    const held = new Set(inTransaction.getStore() ?? []).add(this.pool);
    let broken = false;
    try {
      let result: T;
      try {
        result = await inTransaction.run(held, () => fn(tx));
      } catch (err) {
        tx.finished = true;
        broken = driver.dead || this.backend.isDisconnect(err instanceof DatabaseError ? err.cause : err);
        if (!broken) {
          try { await driver.run("ROLLBACK", []); } catch { broken = true; }
        }
        throw err;
      }
      tx.finished = true;
      try {
        await driver.run("COMMIT", []);
      } catch (err) {
        broken = true;
        throw this.classify(err, "COMMIT");
      }
      return result;
    } finally {
      this.pool.release(driver, broken);
    }
  }

  /** Closes every connection; the Connection can't be used afterwards. */
  async close(): Promise<void> {
    await this.pool.drain(true);
  }

  /** Closes the idle connections and opens a new one, as the seed's reconnect() does. */
  async reconnect(): Promise<void> {
    await this.pool.drain(false);
    const { driver } = await this.pool.acquire(true).catch((err) => { throw this.backend.classify(err, undefined); });
    this.pool.release(driver);
  }

  protected run(sql: string, params: readonly Param[]): Promise<RunResult> {
    return this.withDriver((d) => d.run(sql, params), sql, false);
  }

  protected async *stream(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    if (this.backend.iterateApart) {
      // SQLite's one connection must stay free for statements run inside the loop.
      try {
        const apart = this.backend.iterateApart(sql, params);
        for await (const row of apart ?? (await this.run(sql, params)).rows) yield row;
      } catch (err) {
        throw this.classify(err, sql);
      }
      return;
    }
    const { driver } = await this.pool.acquire().catch((err) => { throw this.classify(err, sql); });
    try {
      for await (const row of driver.iterate(sql, params)) yield row;
    } catch (err) {
      throw this.classify(err, sql);
    } finally {
      this.pool.release(driver, driver.dead);
    }
  }

  /**
   * Runs `fn` on a pooled driver. When a connection that sat idle in the pool turns out to be
   * gone (the server closed it: a timeout, a restart, KILL), the statement never ran on it, so
   * it is run once more on a new connection; any other failure is reported as it is.
   */
  private async withDriver<T>(fn: (d: Driver) => Promise<T>, sql: string, keep: boolean): Promise<T> {
    let lease = this.pool.tryAcquire() ?? await this.pool.acquire().catch((err) => { throw this.classify(err, sql); });
    for (let attempt = 0; ; attempt++) {
      const { driver, reused } = lease;
      try {
        const result = await fn(driver);
        if (!keep) this.pool.release(driver);
        return result;
      } catch (err) {
        const gone = driver.dead || this.backend.isDisconnect(err);
        this.pool.release(driver, gone);
        if (!(gone && reused && attempt === 0)) throw this.classify(err, sql);
      }
      lease = await this.pool.acquire(true).catch((err) => { throw this.classify(err, sql); });
    }
  }

  private classify(err: unknown, sql: string): DatabaseError {
    return err instanceof DatabaseError ? err : this.backend.classify(err, sql);
  }
}

/** The connection of one `transaction()`: the same statements, all on that one connection. */
export class Transaction extends Queryable {
  /** Set when the transaction committed or rolled back; later statements are an error. */
  finished = false;

  constructor(protected readonly backend: Backend, private readonly driver: Driver) {
    super();
  }

  protected async run(sql: string, params: readonly Param[]): Promise<RunResult> {
    this.check(sql);
    try {
      return await this.driver.run(sql, params);
    } catch (err) {
      throw this.backend.classify(err, sql);
    }
  }

  protected async *stream(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    this.check(sql);
    try {
      for await (const row of this.driver.iterate(sql, params)) yield row;
    } catch (err) {
      throw this.backend.classify(err, sql);
    }
  }

  private check(sql: string): void {
    if (this.finished) throw new ProgrammingError("this transaction has already committed or rolled back: run statements inside the transaction() callback", { statement: sql });
  }
}

/** The backend for a URL (loaded on demand, so an app pays only for its own driver). */
function openBackend(url: string, options: ConnectionOptions): Backend {
  const scheme = /^([a-z0-9+]+):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case "mysql":
    case "mariadb":
      return new (require("./mysql") as typeof import("./mysql")).MySQLBackend(url, options);
    case "postgres":
    case "postgresql":
      return new (require("./postgres") as typeof import("./postgres")).PostgresBackend(url, options);
    case "sqlite":
      return new (require("./sqlite") as typeof import("./sqlite")).SQLiteBackend(url, options);
    default:
      throw new ProgrammingError(`unsupported database URL ${JSON.stringify(url.replace(/\/\/[^@/]*@/, "//…@"))}: use mysql://user@host/db, postgres://user@host/db, sqlite:path/to.db or sqlite::memory:`);
  }
}
