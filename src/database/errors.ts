/**
 * The database module's errors, after Python's DB-API: every failure is a `DatabaseError`, and the
 * subclass says what kind. Each carries the backend's own error code and the statement that failed,
 * but never the parameters, which may hold passwords or personal data.
 *
 * ```ts
 * try { await db.execute("INSERT INTO users (email) VALUES (?)", email); }
 * catch (e) { if (e instanceof IntegrityError) return this.render("signup.html", { error: "taken" }); throw e; }
 * ```
 */

export interface DatabaseErrorDetails {
  /** The backend's code: MySQL's `ER_DUP_ENTRY`, PostgreSQL's SQLSTATE `23505`, SQLite's `SQLITE_CONSTRAINT_UNIQUE`. */
  code?: string;
  /** The SQL text that failed (with its `?` placeholders, not the values). */
  statement?: string;
  /** The driver's own error, for its stack and extra fields. */
  cause?: unknown;
}

/** Base of every error this module throws. */
export class DatabaseError extends Error {
  readonly code: string | undefined;
  readonly statement: string | undefined;

  constructor(message: string, details: DatabaseErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.statement = details.statement;
  }
}

/** A constraint said no: duplicate key, foreign key, NOT NULL, CHECK. */
export class IntegrityError extends DatabaseError {}

/** The connection or the server failed: lost connection, server gone, timeouts, deadlocks, no free connection. */
export class OperationalError extends DatabaseError {}

/** The program asked for something wrong: bad SQL, unknown table or column, wrong number of parameters, misuse of the API. */
export class ProgrammingError extends DatabaseError {}

export type DatabaseErrorClass = typeof DatabaseError | typeof IntegrityError | typeof OperationalError | typeof ProgrammingError;

/** Builds the error of `kind` from a driver error, keeping the driver's message and code. */
export function wrapError(kind: DatabaseErrorClass, err: unknown, code: string | undefined, statement: string | undefined): DatabaseError {
  const message = err instanceof Error ? err.message : String(err);
  return new kind(statement === undefined ? message : `${message} (in: ${shorten(statement)})`, { code, statement, cause: err });
}

function shorten(sql: string): string {
  const one = sql.replace(/\s+/g, " ").trim();
  return one.length > 200 ? one.slice(0, 197) + "..." : one;
}
