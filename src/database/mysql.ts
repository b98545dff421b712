/**
 * MySQL and MariaDB over mysql2. Statements with parameters go through the binary protocol's
 * prepared statements (mysql2 keeps them per connection), so values are bound by the server and
 * never spliced into the SQL; statements without parameters use the plain text protocol.
 */
import mysql from "mysql2";
import type { ConnectionOptions } from "./connection";
import { type Backend, type Driver, normalizeParams, type Param, type Row, type RunCallback, type RunResult, toId } from "./driver";
import { DatabaseError, type DatabaseError as DatabaseErrorType, IntegrityError, OperationalError, ProgrammingError, wrapError } from "./errors";

/** Error numbers that mean the connection is gone rather than the statement wrong. */
const GONE_CODES = new Set(["PROTOCOL_CONNECTION_LOST", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ER_CONNECTION_KILLED", "ER_SERVER_SHUTDOWN", "PROTOCOL_SEQUENCE_TIMEOUT"]);
const INTEGRITY_ERRNOS = new Set([1022, 1048, 1062, 1169, 1216, 1217, 1364, 1451, 1452, 1557, 1586, 3819, 4025]);
const PROGRAMMING_ERRNOS = new Set([1044, 1049, 1050, 1051, 1054, 1064, 1091, 1110, 1146, 1149, 1210, 1243, 1247, 1305]);

interface MySQLError extends Error { code?: string; errno?: number; sqlState?: string; fatal?: boolean }

export class MySQLBackend implements Backend {
  readonly name = "mysql" as const;
  readonly maxPoolSize = Number.MAX_SAFE_INTEGER;
  private readonly config: mysql.ConnectionOptions;

  constructor(url: string, options: ConnectionOptions) {
    this.config = {
      uri: url.replace(/^mariadb:/i, "mysql:"),
      connectTimeout: options.connectTimeout ?? 10_000,
      // DATETIME values are read and written as UTC, the same on every machine.
      timezone: "Z",
      supportBigNumbers: true,
      multipleStatements: false,
    };
  }

  connect(): Promise<Driver> {
    return new Promise((resolve, reject) => {
      const conn = mysql.createConnection(this.config);
      const driver = new MySQLDriver(conn);
      conn.connect((err) => (err ? reject(err) : resolve(driver)));
    });
  }

  isDisconnect(err: unknown): boolean {
    const e = err as MySQLError | undefined;
    if (!e || typeof e !== "object") return false;
    return e.fatal === true || GONE_CODES.has(e.code ?? "") || /closed state|connection lost|server has gone away/i.test(e.message ?? "");
  }

  classify(err: unknown, statement: string | undefined): DatabaseErrorType {
    if (err instanceof DatabaseError) return err;
    const e = (err ?? {}) as MySQLError;
    const code = e.code ?? (e.errno === undefined ? undefined : String(e.errno));
    const state = e.sqlState ?? "";
    if ((e.errno !== undefined && INTEGRITY_ERRNOS.has(e.errno)) || state.startsWith("23")) return wrapError(IntegrityError, err, code, statement);
    if ((e.errno !== undefined && PROGRAMMING_ERRNOS.has(e.errno)) || state.startsWith("42")) return wrapError(ProgrammingError, err, code, statement);
    if (this.isDisconnect(err) || state.startsWith("08") || state.startsWith("40") || e.errno === 1205 || e.errno === undefined) {
      return wrapError(OperationalError, err, code, statement);
    }
    return wrapError(DatabaseError, err, code, statement);
  }
}

class MySQLDriver implements Driver {
  dead = false;

  constructor(private readonly conn: mysql.Connection) {
    // A server-side close arrives while the connection sits idle: note it so the pool drops it.
    conn.on("error", () => { this.dead = true; });
    conn.on("end", () => { this.dead = true; });
  }

  run(sql: string, params: readonly Param[], done: RunCallback): void {
    const callback = (err: unknown, result: unknown) => (err ? done(err, undefined) : done(null, toResult(result)));
    if (params.length === 0) this.conn.query(sql, callback);
    else this.conn.execute(sql, normalizeParams(params) as never, callback);
  }

  async *iterate(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    const command = params.length === 0 ? this.conn.query(sql) : this.conn.execute(sql, normalizeParams(params) as never);
    // mysql2 pauses the socket while the stream's buffer is full: rows are read as they are used.
    const stream = (command as unknown as { stream(o?: object): AsyncIterable<Row> }).stream({ highWaterMark: 64 });
    let complete = false;
    try {
      for await (const row of stream) yield row;
      complete = true;
    } finally {
      // Left early: the rest of the result is still on the wire, so this connection can't be reused.
      if (!complete) {
        this.dead = true;
        this.conn.destroy();
      }
    }
  }

  close(): Promise<void> {
    if (this.dead) {
      this.conn.destroy();
      return Promise.resolve();
    }
    this.dead = true;
    return new Promise((resolve) => this.conn.end(() => { this.conn.destroy(); resolve(); }));
  }
}

function toResult(result: unknown): RunResult {
  if (Array.isArray(result)) return { rows: result as Row[], insertId: null, rowCount: result.length };
  const header = result as { insertId?: number; affectedRows?: number };
  return { rows: [], insertId: toId(header.insertId), rowCount: header.affectedRows ?? 0 };
}
