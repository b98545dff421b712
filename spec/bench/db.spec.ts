import { expect } from "chai";
import { TINY } from "../../bench/lib/options";
import { SCENARIOS } from "../../bench/run";
import { BACKENDS, reachable } from "../database/backends";
import { commandExists, needs } from "../support/services";

// Keeps the db scenario from rotting: it seeds the blog, starts both servers, checks their pages
// and reports numbers. How big the numbers are is the benchmark's business.
describe("bench db scenario", function () {
  this.timeout(180_000);

  it("loads the blog and the Fastify + EJS peer on SQLite and MariaDB and times get() against the raw drivers", async function () {
    needs(this, "wrk", commandExists("wrk"), "apt-get install -y wrk");
    for (const b of BACKENDS.filter((x) => x.server)) needs(this, b.name, await reachable(b), b.howToStart);
    const tables = await SCENARIOS.db({ ...TINY, seconds: 1, rounds: 1 });
    const pages = tables.filter((t) => t.title.startsWith("db: blog pages"));
    expect(pages.map((t) => t.title.replace(/, .*/, ""))).to.deep.equal(["db: blog pages on SQLite", "db: blog pages on MariaDB"]);
    for (const t of pages) {
      expect(t.rows.map((r) => r[0])).to.deep.equal(["home: tornado-ts blog", "home: fastify + ejs", "entry: tornado-ts blog", "entry: fastify + ejs"]);
      for (const r of t.rows) {
        expect(Number(String(r[1]).replace(/,/g, "")), `${t.title} ${r[0]}`).to.be.greaterThan(0);
        expect(r[4], `errors for ${r[0]}`).to.equal(0);
      }
    }
    const drivers = tables.find((t) => t.title.startsWith("db: driver overhead"))!;
    expect(drivers.rows.map((r) => String(r[0]).replace(/:.*/, "")), drivers.note).to.include.members(["SQLite (better-sqlite3)", "MariaDB (mysql2)", "PostgreSQL (pg)"]);
    for (const r of drivers.rows) expect(Number(String(r[1]).replace(/,/g, ""))).to.be.greaterThan(0);
  });
});
