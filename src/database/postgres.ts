/**
 * PostgreSQL over pg. The module's `?` placeholders become `$1, $2, …` (outside string literals,
 * quoted identifiers, comments and dollar-quoted bodies); values travel separately in the
 * extended protocol, never inside the SQL.
 */
import pg from "pg";
import Cursor from "pg-cursor";
import type { ConnectionOptions } from "./connection";
import { type Backend, type Driver, normalizeParams, type Param, type Row, type RunCallback, type RunResult, toId } from "./driver";
import { translatePlaceholders } from "./placeholders";
import { DatabaseError, type DatabaseError as DatabaseErrorType, IntegrityError, OperationalError, ProgrammingError, wrapError } from "./errors";

interface PgError extends Error { code?: string }

const GONE_CODES = new Set(["57P01", "57P02", "57P03", "ECONNRESET", "EPIPE", "ETIMEDOUT"]);
const GONE_MESSAGE = /connection terminated|not queryable|connection ended|terminating connection/i;

/** int8 (COUNT(*), BIGSERIAL ids) as a number when it fits, else the exact digits as a string. */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: string): (value: string) => unknown {
    if (oid === INT8_OID && format !== "binary") return parseInt8;
    return (pg.types.getTypeParser as (o: number, f?: string) => (value: string) => unknown)(oid, format);
  },
};
function parseInt8(value: string): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

export class PostgresBackend implements Backend {
  readonly name = "postgres" as const;
  readonly maxPoolSize = Number.MAX_SAFE_INTEGER;
  private readonly config: pg.ClientConfig;

  constructor(url: string, options: ConnectionOptions) {
    this.config = {
      connectionString: url.replace(/^postgresql:/i, "postgres:"),
      connectionTimeoutMillis: options.connectTimeout ?? 10_000,
      types: types as pg.CustomTypesConfig,
    };
  }

  async connect(): Promise<Driver> {
    const client = new pg.Client(this.config);
    const driver = new PostgresDriver(client);
    await client.connect();
    return driver;
  }

  isDisconnect(err: unknown): boolean {
    const e = err as PgError | undefined;
    if (!e || typeof e !== "object") return false;
    return GONE_CODES.has(e.code ?? "") || GONE_MESSAGE.test(e.message ?? "");
  }

  classify(err: unknown, statement: string | undefined): DatabaseErrorType {
    if (err instanceof DatabaseError) return err;
    const code = (err as PgError | undefined)?.code;
    const cls = code?.slice(0, 2) ?? "";
    if (cls === "23") return wrapError(IntegrityError, err, code, statement);
    // 08P01 is a protocol violation: here, the wrong number of parameters for the placeholders.
    if (cls === "42" || cls === "26" || cls === "34" || code === "08P01") return wrapError(ProgrammingError, err, code, statement);
    if (this.isDisconnect(err) || ["08", "40", "53", "57", "58", "55"].includes(cls) || code === undefined || !/^[0-9A-Z]{5}$/.test(code)) {
      return wrapError(OperationalError, err, code, statement);
    }
    return wrapError(DatabaseError, err, code, statement);
  }
}

class PostgresDriver implements Driver {
  dead = false;

  constructor(private readonly client: pg.Client) {
    // pg_terminate_backend, a restart or a network drop while idle: the pool drops this one.
    client.on("error", () => { this.dead = true; });
    client.on("end", () => { this.dead = true; });
  }

  run(sql: string, params: readonly Param[], done: RunCallback): void {
    this.client.query({ text: pgText(sql), values: normalizeParams(params) }, (err: Error | null, result: pg.QueryResult) => {
      if (err) done(err, undefined);
      else done(null, toResult(result));
    });
  }

  async *iterate(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    const cursor = this.client.query(new Cursor(translatePlaceholders(sql), normalizeParams(params), { types } as never));
    try {
      for (;;) {
        const rows = (await cursor.read(100)) as Row[];
        if (rows.length === 0) break;
        for (const row of rows) yield row;
      }
    } finally {
      await cursor.close().catch(() => { this.dead = true; });
    }
  }

  async close(): Promise<void> {
    this.dead = true;
    await this.client.end().catch(() => undefined);
  }
}

function toResult(result: pg.QueryResult): RunResult {
  const rows = result.rows as Row[];
  if (result.command === "INSERT") {
    const first = rows[0];
    const id = first === undefined ? null : "id" in first ? first.id : first[result.fields[0]?.name ?? ""];
    return { rows, insertId: toId(id), rowCount: result.rowCount ?? 0 };
  }
  return { rows, insertId: null, rowCount: result.rowCount ?? rows.length };
}

/** The text sent for a statement, worked out once per distinct statement. */
const texts = new Map<string, string>();

function pgText(sql: string): string {
  let text = texts.get(sql);
  if (text === undefined) {
    text = forInsertId(translatePlaceholders(sql));
    if (texts.size >= 2000) texts.clear();
    texts.set(sql, text);
  }
  return text;
}

/** An INSERT without RETURNING gets `RETURNING *` so execute() can report the new row's id. */
function forInsertId(sql: string): string {
  if (!/^\s*insert\b/i.test(sql) || /\breturning\b/i.test(sql)) return sql;
  return sql.replace(/[\s;]*$/, "") + " RETURNING *";
}
