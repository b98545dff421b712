/**
 * `tornado-ts/database`: the seed's small SQL wrapper on MySQL/MariaDB, PostgreSQL and SQLite.
 *
 * ```ts
 * import { Connection, IntegrityError } from "tornado-ts/database";
 * const db = new Connection(process.env.DATABASE_URL ?? "sqlite:app.db");
 * const rows = await db.query("SELECT * FROM entries WHERE author_id = ? ORDER BY published DESC", userId);
 * ```
 */
export { Connection, Queryable, Transaction } from "./connection";
export type { ConnectionOptions, Param, Row } from "./connection";
export { DatabaseError, IntegrityError, OperationalError, ProgrammingError } from "./errors";
export type { DatabaseErrorDetails } from "./errors";
export { translatePlaceholders } from "./placeholders";
