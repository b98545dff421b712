import { expect } from "chai";
import { inspect } from "node:util";
import { Connection, DatabaseError, IntegrityError, OperationalError, ProgrammingError } from "../../src/database";
import { needs } from "../support/services";
import { BACKENDS, reachable, uniqueTable } from "./backends";

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of BACKENDS) {
  describe(`database.Connection on ${backend.name}`, function () {
    this.timeout(30_000);
    let db: Connection;
    const tables: string[] = [];

    before(async function () {
      needs(this, backend.name, await reachable(backend), backend.howToStart);
    });
    beforeEach(() => {
      db = new Connection(backend.url());
    });
    afterEach(async () => {
      for (const t of tables.splice(0)) await db.execute(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
      await db.close();
    });
    after(() => backend.cleanup());

    /** A new table `people (id, name UNIQUE, age)` with a name of its own. */
    async function people(on: Connection = db): Promise<string> {
      const t = uniqueTable("people");
      tables.push(t);
      await on.execute(`CREATE TABLE ${t} (${backend.idColumn}, name VARCHAR(100) NOT NULL UNIQUE, age INT)`);
      return t;
    }

    it("returns query rows as plain objects with one property per column, parameters bound as values", async () => {
      const t = await people();
      await db.execute(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, "O'Reilly; DROP TABLE x -- ?", 41);
      await db.execute(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, "Ann", 30);
      const rows = await db.query<{ id: number; name: string; age: number }>(`SELECT id, name, age FROM ${t} WHERE age > ? ORDER BY age`, 20);
      expect(rows.map((r) => ({ name: r.name, age: r.age }))).to.deep.equal([{ name: "Ann", age: 30 }, { name: "O'Reilly; DROP TABLE x -- ?", age: 41 }]);
      expect(rows[0].id).to.be.a("number");
    });

    it("leaves a ? inside a string literal alone", async () => {
      const t = await people();
      await db.execute(`INSERT INTO ${t} (name, age) VALUES ('who?', ?)`, 7);
      expect(await db.get(`SELECT name, 'x?' AS q FROM ${t} WHERE age = ?`, 7)).to.deep.equal({ name: "who?", q: "x?" });
    });

    it("gets one row, null for none, and refuses a query that returns several", async () => {
      const t = await people();
      await db.executeMany(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, [["a", 1], ["b", 1]]);
      expect(await db.get(`SELECT name FROM ${t} WHERE name = ?`, "a")).to.deep.equal({ name: "a" });
      expect(await db.get(`SELECT name FROM ${t} WHERE name = ?`, "zzz")).to.equal(null);
      const err = await rejection(db.get(`SELECT name FROM ${t} WHERE age = ?`, 1));
      expect(err).to.be.instanceOf(ProgrammingError);
      expect(err.message).to.contain("2");
    });

    it("returns the inserted id from execute and the changed row count from executeRowcount", async () => {
      const t = await people();
      const first = await db.execute(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, "a", 1);
      const second = await db.execute(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, "b", 2);
      expect(first).to.be.a("number");
      expect(second).to.equal(first! + 1);
      expect((await db.get<{ name: string }>(`SELECT name FROM ${t} WHERE id = ?`, second))!.name).to.equal("b");
      expect(await db.executeRowcount(`UPDATE ${t} SET age = age + 1 WHERE age >= ?`, 1)).to.equal(2);
      expect(await db.executeRowcount(`DELETE FROM ${t} WHERE name = ?`, "nobody")).to.equal(0);
    });

    it("runs executeMany once per parameter list, returning the last id, and counts with executeManyRowcount", async () => {
      const t = await people();
      const last = await db.executeMany(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, [["a", 1], ["b", 2], ["c", 3]]);
      expect((await db.get<{ name: string }>(`SELECT name FROM ${t} WHERE id = ?`, last))!.name).to.equal("c");
      expect(await db.executeManyRowcount(`UPDATE ${t} SET age = 0 WHERE name = ?`, [["a"], ["c"], ["nobody"]])).to.equal(2);
    });

    it("streams rows with iter in order, and the connection stays usable after a loop left early", async () => {
      const t = await people();
      const rows = Array.from({ length: 500 }, (_, i) => [`n${i}`, i] as const);
      await db.transaction(async (tx) => { await tx.executeMany(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, rows); });
      let count = 0;
      let sum = 0;
      for await (const row of db.iter<{ age: number }>(`SELECT age FROM ${t} WHERE age >= ? ORDER BY age`, 0)) {
        expect(row.age).to.equal(count);
        count++;
        sum += row.age;
      }
      expect([count, sum]).to.deep.equal([500, (499 * 500) / 2]);
      for await (const row of db.iter<{ age: number }>(`SELECT age FROM ${t} ORDER BY age`)) {
        if (row.age === 3) break;
      }
      expect(await db.get(`SELECT COUNT(*) AS n FROM ${t}`)).to.deep.equal({ n: 500 });
    });

    it("lets other statements run while an iter loop awaits", async () => {
      const t = await people();
      await db.executeMany(`INSERT INTO ${t} (name, age) VALUES (?, ?)`, [["a", 1], ["b", 2]]);
      const seen: string[] = [];
      for await (const row of db.iter<{ name: string }>(`SELECT name FROM ${t} ORDER BY name`)) {
        seen.push(row.name);
        await db.execute(`UPDATE ${t} SET age = age + 10 WHERE name = ?`, row.name);
      }
      expect(seen).to.deep.equal(["a", "b"]);
      expect(await db.query(`SELECT age FROM ${t} ORDER BY name`)).to.deep.equal([{ age: 11 }, { age: 12 }]);
    });

    it("commits a transaction whose callback resolves, and returns its value", async () => {
      const t = await people();
      const value = await db.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "a");
        await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "b");
        return (await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${t}`))!.n;
      });
      expect(value).to.equal(2);
      expect(await db.get(`SELECT COUNT(*) AS n FROM ${t}`)).to.deep.equal({ n: 2 });
    });

    it("rolls a transaction back when its callback throws, and rethrows that error", async () => {
      const t = await people();
      await db.execute(`INSERT INTO ${t} (name) VALUES (?)`, "kept");
      const boom = new Error("boom");
      const err = await rejection(db.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "lost");
        throw boom;
      }));
      expect(err).to.equal(boom);
      expect(await db.query(`SELECT name FROM ${t}`)).to.deep.equal([{ name: "kept" }]);
    });

    it("rolls back a transaction whose statement violates a constraint, reporting an IntegrityError", async () => {
      const t = await people();
      const err = await rejection(db.transaction(async (tx) => {
        await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "a");
        await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "a");
      }));
      expect(err).to.be.instanceOf(IntegrityError);
      expect(await db.query(`SELECT name FROM ${t}`)).to.deep.equal([]);
    });

    it("refuses statements on a transaction after it finished", async () => {
      const t = await people();
      let kept: import("../../src/database").Transaction | undefined;
      await db.transaction(async (tx) => { kept = tx; });
      expect(await rejection(kept!.query(`SELECT * FROM ${t}`))).to.be.instanceOf(ProgrammingError);
    });

    it("reports a constraint violation as an IntegrityError with the backend's code and the statement, never the parameters", async () => {
      const t = uniqueTable("users");
      tables.push(t);
      await db.execute(`CREATE TABLE ${t} (${backend.idColumn}, email VARCHAR(100) NOT NULL UNIQUE, password VARCHAR(100))`);
      await db.execute(`INSERT INTO ${t} (email, password) VALUES (?, ?)`, "a@example.com", "first-secret");
      const sql = `INSERT INTO ${t} (email, password) VALUES (?, ?)`;
      const err = (await rejection(db.execute(sql, "a@example.com", "hunter2-secret"))) as DatabaseError;
      expect(err).to.be.instanceOf(IntegrityError).and.instanceOf(DatabaseError);
      expect(err.code).to.be.a("string").and.not.equal("");
      expect(err.statement).to.equal(sql);
      expect(inspect(err, { depth: 10 })).to.not.contain("hunter2-secret");
      expect(JSON.stringify(err)).to.not.contain("hunter2-secret");
    });

    it("reports bad SQL, an unknown table and a wrong parameter count as ProgrammingErrors", async () => {
      const t = await people();
      for (const [sql, params] of [["SELEC 1", []], [`SELECT * FROM ${t}_missing`, []], [`SELECT * FROM ${t} WHERE name = ? AND age = ?`, ["a"]]] as const) {
        const err = (await rejection(db.query(sql, ...params))) as DatabaseError;
        expect(err, sql).to.be.instanceOf(ProgrammingError);
        expect(err.statement).to.equal(sql);
      }
    });

    it("refuses statements after close()", async () => {
      await db.query("SELECT 1 AS one");
      await db.close();
      expect(await rejection(db.query("SELECT 1 AS one"))).to.be.instanceOf(ProgrammingError);
      db = new Connection(backend.url());
    });

    if (!backend.server) {
      it("says to use the transaction's methods when the callback uses the busy connection instead", async () => {
        const t = await people();
        const err = await rejection(db.transaction(async () => { await db.query(`SELECT * FROM ${t}`); }));
        expect(err).to.be.instanceOf(ProgrammingError);
        expect(err.message).to.contain("tx.query");
        expect(await db.query(`SELECT * FROM ${t}`)).to.deep.equal([]);
      });
      return;
    }

    async function connectionId(on: Connection = db): Promise<number> {
      return Number((await on.get<{ id: number }>(backend.connectionIdSql!))!.id);
    }

    it("opens no more connections than poolSize, queueing the rest", async () => {
      await db.close();
      db = new Connection(backend.url(), { poolSize: 2 });
      const ids = await Promise.all(Array.from({ length: 8 }, () => connectionId()));
      expect(new Set(ids).size).to.be.at.most(2);
      expect(db.openConnections).to.be.at.most(2);
    });

    it("replaces a connection idle longer than maxIdleTime", async () => {
      await db.close();
      db = new Connection(backend.url(), { maxIdleTime: 0.2 });
      const first = await connectionId();
      expect(await connectionId()).to.equal(first);
      await sleep(400);
      expect(await connectionId()).to.not.equal(first);
    });

    it("reconnects transparently when the server killed an idle connection", async () => {
      const admin = new Connection(backend.url());
      try {
        const t = await people();
        const victim = await connectionId();
        await backend.kill!(admin, victim);
        expect(await db.execute(`INSERT INTO ${t} (name) VALUES (?)`, "after-kill")).to.be.a("number");
        expect(await db.query(`SELECT name FROM ${t}`)).to.deep.equal([{ name: "after-kill" }]);
        expect(await connectionId()).to.not.equal(victim);
      } finally {
        await admin.close();
      }
    });

    it("reports a connection killed mid-transaction as an OperationalError and commits nothing", async () => {
      const admin = new Connection(backend.url());
      try {
        const t = await people();
        let statements = 0;
        const err = await rejection(db.transaction(async (tx) => {
          await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "before-kill");
          const id = Number((await tx.get<{ id: number }>(backend.connectionIdSql!))!.id);
          await backend.kill!(admin, id);
          await sleep(100);
          statements++;
          await tx.execute(`INSERT INTO ${t} (name) VALUES (?)`, "after-kill");
          statements++;
        }));
        expect(err).to.be.instanceOf(OperationalError);
        expect(statements).to.equal(1);
        expect(await db.query(`SELECT name FROM ${t}`)).to.deep.equal([]);
      } finally {
        await admin.close();
      }
    });

    it("opens a new connection on reconnect()", async () => {
      const first = await connectionId();
      await db.reconnect();
      expect(await connectionId()).to.not.equal(first);
    });

    it("reports a server that can't be reached as an OperationalError", async () => {
      const url = backend.url().replace(/:(3306|5432)\//, ":1/");
      const bad = new Connection(url, { connectTimeout: 3000 });
      try {
        expect(await rejection(bad.query("SELECT 1 AS one"))).to.be.instanceOf(OperationalError);
      } finally {
        await bad.close();
      }
    });
  });
}

describe("database.Connection URLs", () => {
  it("refuses an unknown scheme, saying which ones work, without echoing a password", () => {
    expect(() => new Connection("oracle://scott:tiger@db/x")).to.throw(ProgrammingError, /mysql:\/\/.*postgres:\/\/.*sqlite:/).and.not.match(/tiger/);
  });
});
