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
import { type Backend, type Driver, type Param, type Row, type RunResult, runPromise } from "./driver";
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

/** What a statement's caller wants from its result (plain functions: nothing allocated per call). */
type Pick<T> = (result: RunResult, sql: string) => T;

const pickRows = (r: RunResult): Row[] => r.rows;
const pickId = (r: RunResult): number | null => r.insertId;
const pickCount = (r: RunResult): number => r.rowCount;
function pickOne(r: RunResult, sql: string): Row | null {
  const rows = r.rows;
  if (rows.length > 1) throw new ProgrammingError(`get() expected at most one row and the query returned ${rows.length}`, { statement: sql });
  return rows.length === 0 ? null : rows[0];
}

/** The statements both a Connection and a Transaction run. */
export abstract class Queryable {
  protected abstract backend: Backend;
  /**
   * Runs one statement on some driver and gives `pick` of its result; the Connection may retry
   * on a fresh driver. Never throws: failures are rejections.
   */
  protected abstract runPicked<T>(sql: string, params: readonly Param[], pick: Pick<T>): Promise<T>;
  protected abstract stream(sql: string, params: readonly Param[]): AsyncIterable<Row>;

  /** The rows of a query, as plain objects. */
  query<T extends object = Row>(sql: string, ...params: Param[]): Promise<T[]> {
    return this.runPicked(sql, params, pickRows) as Promise<T[]>;
  }

  /** The single row of a query, or null; more than one row is a ProgrammingError. */
  get<T extends object = Row>(sql: string, ...params: Param[]): Promise<T | null> {
    return this.runPicked(sql, params, pickOne) as Promise<T | null>;
  }

  /**
   * Runs a statement and returns the id it inserted (MySQL's insert id, SQLite's rowid; on
   * PostgreSQL the `id` column, or else the first column, of an INSERT's returned row).
   */
  execute(sql: string, ...params: Param[]): Promise<number | null> {
    return this.runPicked(sql, params, pickId);
  }

  /** Runs a statement and returns how many rows it changed. */
  executeRowcount(sql: string, ...params: Param[]): Promise<number> {
    return this.runPicked(sql, params, pickCount);
  }

  /** Runs a statement once per parameter list, in order, and returns the last inserted id. */
  async executeMany(sql: string, paramsList: Iterable<readonly Param[]>): Promise<number | null> {
    let id: number | null = null;
    for (const params of paramsList) id = await this.runPicked(sql, params, pickId);
    return id;
  }

  /** Runs a statement once per parameter list and returns the total rows changed. */
  async executeManyRowcount(sql: string, paramsList: Iterable<readonly Param[]>): Promise<number> {
    let count = 0;
    for (const params of paramsList) count += await this.runPicked(sql, params, pickCount);
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
    const driver = await this.withDriver(async (d) => { await runPromise(d, begin, []); return d; }, begin, true, false);
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
          try { await runPromise(driver, "ROLLBACK", []); } catch { broken = true; }
        }
        throw err;
      }
      tx.finished = true;
      try {
        await runPromise(driver, "COMMIT", []);
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

  /**
   * The hot path: an idle driver taken at once, the statement run with a callback, one promise
   * for the caller (none but that one even for SQLite, which answers synchronously). Anything
   * else (waiting for a driver, a dropped connection) goes the slower way of withDriver.
   */
  protected runPicked<T>(sql: string, params: readonly Param[], pick: Pick<T>): Promise<T> {
    const driver = this.pool.tryAcquire();
    if (driver === null) return this.withDriver((d) => runPromise(d, sql, params), sql, false, false).then((r) => pick(r, sql));
    if (driver.runSync !== undefined) {
      let result: RunResult;
      try {
        result = driver.runSync(sql, params);
      } catch (err) {
        this.pool.release(driver, driver.dead);
        return Promise.reject(this.classify(err, sql));
      }
      this.pool.release(driver);
      try {
        return Promise.resolve(pick(result, sql));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return new Promise<T>((resolve, reject) => {
      let answered = false;
      driver.run(sql, params, (err, result) => {
        // mysql2 may report a killed connection twice (the server's error packet, then the
        // close): only the first answer counts, or the statement would be retried twice.
        if (answered) return;
        answered = true;
        if (err === null) {
          this.pool.release(driver);
          try {
            resolve(pick(result!, sql));
          } catch (pickErr) {
            reject(pickErr);
          }
          return;
        }
        // The driver sat idle in the pool: if the server dropped it meanwhile, the statement
        // never ran there, so it runs once more on a new connection.
        const gone = driver.dead || this.backend.isDisconnect(err);
        this.pool.release(driver, gone);
        if (!gone) reject(this.classify(err, sql));
        else this.withDriver((d) => runPromise(d, sql, params), sql, false, true).then((r) => resolve(pick(r, sql)), reject);
      });
    });
  }

  protected async *stream(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    if (this.backend.iterateApart) {
      // SQLite's one connection must stay free for statements run inside the loop.
      try {
        const apart = this.backend.iterateApart(sql, params);
        for await (const row of apart ?? (await this.runPicked(sql, params, pickRows))) yield row;
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
   * Runs `fn` on a pooled driver (a new one with `fresh`). When a connection that sat idle in
   * the pool turns out to be gone (the server closed it: a timeout, a restart, KILL), the
   * statement never ran on it, so it is run once more on a new connection; any other failure is
   * reported as it is. With `keep` the driver stays leased (a transaction's BEGIN).
   */
  private async withDriver<T>(fn: (d: Driver) => Promise<T>, sql: string, keep: boolean, fresh: boolean): Promise<T> {
    let lease = await this.pool.acquire(fresh).catch((err) => { throw this.classify(err, sql); });
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

  protected runPicked<T>(sql: string, params: readonly Param[], pick: Pick<T>): Promise<T> {
    if (this.finished) return Promise.reject(this.finishedError(sql));
    return runPromise(this.driver, sql, params).then((r) => pick(r, sql), (err) => { throw this.backend.classify(err, sql); });
  }

  protected async *stream(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    if (this.finished) throw this.finishedError(sql);
    try {
      for await (const row of this.driver.iterate(sql, params)) yield row;
    } catch (err) {
      throw this.backend.classify(err, sql);
    }
  }

  private finishedError(sql: string): ProgrammingError {
    return new ProgrammingError("this transaction has already committed or rolled back: run statements inside the transaction() callback", { statement: sql });
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
