/**
 * SQLite over better-sqlite3 (version 12: 13 needs Node 22). The library is synchronous, so one
 * connection serves every statement in turn; the pool's lock still keeps a transaction's
 * statements together. `sqlite:path/to.db` (relative to the working directory),
 * `sqlite:///absolute/path.db`, `sqlite::memory:`.
 */
import Database from "better-sqlite3";
import type { ConnectionOptions } from "./connection";
import { type Backend, type Driver, type Param, type Row, type RunCallback, type RunResult, toId } from "./driver";
import { DatabaseError, type DatabaseError as DatabaseErrorType, IntegrityError, OperationalError, ProgrammingError, wrapError } from "./errors";

const OPERATIONAL = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|NOMEM|INTERRUPT|PROTOCOL|CORRUPT|NOTADB|PERM|ABORT)/;

export class SQLiteBackend implements Backend {
  readonly name = "sqlite" as const;
  readonly maxPoolSize = 1;
  readonly file: string;
  private readonly timeout: number;

  constructor(url: string, options: ConnectionOptions) {
    const rest = url.replace(/^sqlite:/i, "");
    this.file = rest === ":memory:" || rest === "" ? ":memory:" : rest.startsWith("//") ? rest.slice(2) : rest;
    this.timeout = options.connectTimeout ?? 10_000;
  }

  async connect(): Promise<Driver> {
    const db = new Database(this.file, { timeout: this.timeout });
    if (this.file !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma("foreign_keys = ON");
    return new SQLiteDriver(db, this.file);
  }

  /**
   * A file database streams from a read-only connection of its own, so statements can run on the
   * main one while the loop awaits; an in-memory database returns null (the caller reads the rows
   * whole: they already live in this process's memory).
   */
  iterateApart(sql: string, params: readonly Param[]): AsyncIterable<Row> | null {
    return this.file === ":memory:" ? null : streamFrom(this.file, sql, params);
  }

  isDisconnect(): boolean {
    return false;
  }

  classify(err: unknown, statement: string | undefined): DatabaseErrorType {
    if (err instanceof DatabaseError) return err;
    const code = (err as { code?: string } | undefined)?.code;
    if (code?.startsWith("SQLITE_CONSTRAINT")) return wrapError(IntegrityError, err, code, statement);
    if (code !== undefined && OPERATIONAL.test(code)) return wrapError(OperationalError, err, code, statement);
    // SQLITE_ERROR is SQLite's "bad SQL" (syntax, no such table); RangeError / TypeError are
    // better-sqlite3 refusing the parameters (too few, too many, unsupported type).
    if (code === "SQLITE_ERROR" || err instanceof RangeError || err instanceof TypeError) return wrapError(ProgrammingError, err, code, statement);
    return wrapError(DatabaseError, err, code, statement);
  }
}

/** A prepared statement and what runSync needs to know about it, worked out once. */
interface Prepared { stmt: Database.Statement; reader: boolean; inserts: boolean }

class SQLiteDriver implements Driver {
  dead = false;
  private readonly statements = new Map<string, Prepared>();

  constructor(private readonly db: Database.Database, private readonly file: string) {}

  run(sql: string, params: readonly Param[], done: RunCallback): void {
    let result: RunResult;
    try {
      result = this.runSync(sql, params);
    } catch (err) {
      done(err, undefined);
      return;
    }
    done(null, result);
  }

  runSync(sql: string, params: readonly Param[]): RunResult {
    const prepared = this.prepare(sql);
    if (prepared.reader) {
      const rows = prepared.stmt.all(bindable(params)) as Row[];
      return { rows, insertId: null, rowCount: rows.length };
    }
    const info = prepared.stmt.run(bindable(params));
    return { rows: [], insertId: prepared.inserts ? toId(info.lastInsertRowid) : null, rowCount: info.changes };
  }

  /** Inside a transaction only this connection sees the rows: they are read whole, then yielded. */
  async *iterate(sql: string, params: readonly Param[]): AsyncIterable<Row> {
    yield* this.runSync(sql, params).rows;
  }

  async close(): Promise<void> {
    this.dead = true;
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  private prepare(sql: string): Prepared {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      const stmt = this.db.prepare(sql);
      prepared = { stmt, reader: stmt.reader, inserts: /^\s*(insert|replace)\b/i.test(sql) };
      if (this.statements.size >= 500) this.statements.clear();
      this.statements.set(sql, prepared);
    }
    return prepared;
  }
}

async function* streamFrom(file: string, sql: string, params: readonly Param[]): AsyncIterable<Row> {
  const reader = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const stmt = reader.prepare(sql);
    if (!stmt.reader) throw new TypeError("iter() runs queries that return rows; use execute() for other statements");
    for (const row of stmt.iterate(bindable(params)) as IterableIterator<Row>) yield row;
  } finally {
    reader.close();
  }
}

/**
 * better-sqlite3 takes numbers, strings, bigints, Buffers and null: booleans become 1/0, Dates ISO
 * text. The list itself when every value is already one of those (no copy per statement).
 */
function bindable(params: readonly Param[]): unknown[] {
  let i = 0;
  while (i < params.length && isBindable(params[i])) i++;
  if (i === params.length) return params as unknown[];
  const out = params.slice() as unknown[];
  for (; i < out.length; i++) {
    const p = out[i] as Param;
    out[i] = p === undefined ? null : typeof p === "boolean" ? (p ? 1 : 0) : p instanceof Date ? p.toISOString()
      : p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p) : p;
  }
  return out;
}

function isBindable(p: Param): boolean {
  switch (typeof p) {
    case "string":
    case "number":
    case "bigint":
      return true;
    case "object":
      return p === null || Buffer.isBuffer(p);
    default:
      return false;
  }
}
