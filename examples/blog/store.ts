/**
 * The blog's tables and the queries on them. The same SQL runs on SQLite, MySQL/MariaDB and
 * PostgreSQL through tornado-ts/database; only the CREATE TABLE statements differ.
 */
import { Connection, IntegrityError } from "../../src/database";

export interface Author { id: number; email: string; name: string; hashed_password: string }
export interface Entry { id: number; author_id: number; slug: string; title: string; markdown: string; html: string; published: number; updated: number; author_name?: string }

/** Column types that differ by backend. */
const DIALECT = {
  sqlite: { id: "id INTEGER PRIMARY KEY AUTOINCREMENT", text: "TEXT", suffix: "" },
  mysql: { id: "id INT AUTO_INCREMENT PRIMARY KEY", text: "MEDIUMTEXT", suffix: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" },
  postgres: { id: "id SERIAL PRIMARY KEY", text: "TEXT", suffix: "" },
} as const;

export class BlogStore {
  readonly authors: string;
  readonly entries: string;

  /** `prefix` names the tables (`authors`, `entries` by default), so several blogs can share a database. */
  constructor(readonly db: Connection, prefix = "") {
    if (!/^[A-Za-z0-9_]*$/.test(prefix)) throw new Error(`table prefix ${JSON.stringify(prefix)}: use letters, digits and _ only`);
    this.authors = `${prefix}authors`;
    this.entries = `${prefix}entries`;
  }

  /** Creates the tables when they are missing (on every start: cheap, and the first start needs it). */
  async createSchema(): Promise<void> {
    const d = DIALECT[this.db.backendName];
    await this.db.execute(`CREATE TABLE IF NOT EXISTS ${this.authors} (${d.id}, email VARCHAR(100) NOT NULL UNIQUE,
      name VARCHAR(100) NOT NULL, hashed_password VARCHAR(200) NOT NULL)${d.suffix}`);
    await this.db.execute(`CREATE TABLE IF NOT EXISTS ${this.entries} (${d.id}, author_id INT NOT NULL REFERENCES ${this.authors}(id),
      slug VARCHAR(100) NOT NULL UNIQUE, title VARCHAR(512) NOT NULL, markdown ${d.text} NOT NULL, html ${d.text} NOT NULL,
      published BIGINT NOT NULL, updated BIGINT NOT NULL)${d.suffix}`);
    // MySQL has no CREATE INDEX IF NOT EXISTS; a duplicate index name there is "already exists".
    await this.db.execute(`CREATE INDEX ${this.db.backendName === "mysql" ? "" : "IF NOT EXISTS "}${this.entries}_published ON ${this.entries} (published)`)
      .catch((err) => { if (!/exist|Duplicate key name/i.test(String(err.message))) throw err; });
  }

  /** Drops the tables (specs clean up with this). */
  async dropSchema(): Promise<void> {
    await this.db.execute(`DROP TABLE IF EXISTS ${this.entries}`);
    await this.db.execute(`DROP TABLE IF EXISTS ${this.authors}`);
  }

  hasAuthor(): Promise<boolean> {
    return this.db.get(`SELECT id FROM ${this.authors} LIMIT 1`).then((row) => row !== null);
  }

  authorById(id: number): Promise<Author | null> {
    return this.db.get<Author>(`SELECT * FROM ${this.authors} WHERE id = ?`, id);
  }

  authorByEmail(email: string): Promise<Author | null> {
    return this.db.get<Author>(`SELECT * FROM ${this.authors} WHERE email = ?`, email);
  }

  /**
   * Creates the first author, or returns null when someone already is: the check and the insert
   * share a transaction, so two first sign-ins at once can't both win.
   */
  async createFirstAuthor(email: string, name: string, hashedPassword: string): Promise<Author | null> {
    return this.db.transaction(async (tx) => {
      if (await tx.get(`SELECT id FROM ${this.authors} LIMIT 1`)) return null;
      const id = await tx.execute(`INSERT INTO ${this.authors} (email, name, hashed_password) VALUES (?, ?, ?)`, email, name, hashedPassword);
      return { id: id!, email, name, hashed_password: hashedPassword };
    });
  }

  /**
   * The newest entries. A LEFT JOIN (every entry has its author: the column is NOT NULL and a
   * foreign key) makes entries the driving table on every backend, so the newest rows come
   * straight off the `published` index; with an inner join MariaDB starts from the one-row
   * authors table and copies every entry, bodies included, into a temporary table to sort it.
   */
  latest(limit: number): Promise<Entry[]> {
    return this.db.query<Entry>(`SELECT e.*, a.name AS author_name FROM ${this.entries} e LEFT JOIN ${this.authors} a ON a.id = e.author_id
      ORDER BY e.published DESC, e.id DESC LIMIT ${Math.max(1, Math.floor(limit))}`);
  }

  archive(): Promise<Pick<Entry, "slug" | "title" | "published">[]> {
    return this.db.query(`SELECT slug, title, published FROM ${this.entries} ORDER BY published DESC, id DESC`);
  }

  bySlug(slug: string): Promise<Entry | null> {
    return this.db.get<Entry>(`SELECT e.*, a.name AS author_name FROM ${this.entries} e JOIN ${this.authors} a ON a.id = e.author_id WHERE e.slug = ?`, slug);
  }

  byId(id: number): Promise<Entry | null> {
    return this.db.get<Entry>(`SELECT * FROM ${this.entries} WHERE id = ?`, id);
  }

  /** Adds an entry under a slug made from the title, numbered (-2, -3, …) when taken. */
  async create(authorId: number, title: string, markdown: string, html: string, now = Date.now()): Promise<string> {
    const base = slugify(title);
    for (let n = 1; n < 1000; n++) {
      const slug = n === 1 ? base : `${base.slice(0, 90)}-${n}`;
      if (await this.db.get(`SELECT id FROM ${this.entries} WHERE slug = ?`, slug)) continue;
      try {
        await this.db.execute(`INSERT INTO ${this.entries} (author_id, slug, title, markdown, html, published, updated) VALUES (?, ?, ?, ?, ?, ?, ?)`,
          authorId, slug, title, markdown, html, now, now);
        return slug;
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err; // taken meanwhile: try the next number
      }
    }
    throw new Error(`no free slug for ${JSON.stringify(title)}`);
  }

  /** Changes an entry's title and body; its slug (its address) stays. */
  async update(id: number, title: string, markdown: string, html: string, now = Date.now()): Promise<string | null> {
    const changed = await this.db.executeRowcount(`UPDATE ${this.entries} SET title = ?, markdown = ?, html = ?, updated = ? WHERE id = ?`, title, markdown, html, now, id);
    return changed === 0 ? null : (await this.byId(id))!.slug;
  }
}

/** "Hello, World!" → "hello-world"; accents dropped; "entry" when nothing is left. */
export function slugify(title: string): string {
  const slug = title.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 90).replace(/-+$/, "");
  return slug || "entry";
}
