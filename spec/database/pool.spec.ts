import { expect } from "chai";
import type { Driver } from "../../src/database/driver";
import { OperationalError, ProgrammingError } from "../../src/database/errors";
import { Pool } from "../../src/database/pool";

/** A driver that runs nothing and records whether it was closed. */
class FakeDriver implements Driver {
  dead = false;
  closed = false;
  constructor(readonly n: number) {}
  run(_sql: string, _params: readonly unknown[], done: (err: unknown, r: { rows: never[]; insertId: null; rowCount: number }) => void) { done(null, { rows: [], insertId: null, rowCount: 0 }); }
  async *iterate() { /* no rows */ }
  async close() { this.closed = true; }
}

function makePool(size: number, maxIdleMillis = 60_000, acquireTimeoutMillis = 5_000) {
  const made: FakeDriver[] = [];
  const pool = new Pool(async () => { const d = new FakeDriver(made.length + 1); made.push(d); return d; }, size, maxIdleMillis, acquireTimeoutMillis);
  return { pool, made };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("database Pool", () => {
  it("hands the most recently released driver out again, marked as reused", async () => {
    const { pool, made } = makePool(3);
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect(a.reused).to.equal(false);
    pool.release(a.driver);
    pool.release(b.driver);
    const again = await pool.acquire();
    expect(again.driver).to.equal(b.driver);
    expect(again.reused).to.equal(true);
    expect(made).to.have.length(2);
  });

  it("makes callers wait when every driver is busy, serving them in order on release", async () => {
    const { pool, made } = makePool(1);
    const first = await pool.acquire();
    const order: number[] = [];
    const w1 = pool.acquire().then((l) => { order.push(1); return l; });
    const w2 = pool.acquire().then((l) => { order.push(2); return l; });
    await sleep(10);
    expect(order).to.deep.equal([]);
    pool.release(first.driver);
    const l1 = await w1;
    pool.release(l1.driver);
    await w2;
    expect(order).to.deep.equal([1, 2]);
    expect(made).to.have.length(1);
  });

  it("fails a wait that outlasts the acquire timeout with an OperationalError naming the pool size", async () => {
    const { pool } = makePool(1, 60_000, 50);
    await pool.acquire();
    const err = await pool.acquire().then(() => null, (e) => e);
    expect(err).to.be.instanceOf(OperationalError);
    expect(err.message).to.contain("pool size 1");
  });

  it("closes a driver idle longer than maxIdleTime and opens a new one instead", async () => {
    const { pool, made } = makePool(2, 30);
    const a = await pool.acquire();
    pool.release(a.driver);
    await sleep(60);
    const b = await pool.acquire();
    expect(b.driver).to.not.equal(a.driver);
    expect(b.reused).to.equal(false);
    expect(made[0].closed).to.equal(true);
    expect(pool.openCount).to.equal(1);
  });

  it("drops a driver that died while idle", async () => {
    const { pool, made } = makePool(2);
    const a = await pool.acquire();
    pool.release(a.driver);
    made[0].dead = true;
    const b = await pool.acquire();
    expect(b.driver).to.equal(made[1]);
    expect(pool.openCount).to.equal(1);
  });

  it("gives a waiter a new driver when a busy one is released as broken", async () => {
    const { pool, made } = makePool(1);
    const a = await pool.acquire();
    const waiting = pool.acquire();
    pool.release(a.driver, true);
    const b = await waiting;
    expect(b.driver).to.equal(made[1]);
    expect(made[0].closed).to.equal(true);
  });

  it("refuses acquires after a final drain and rejects those waiting", async () => {
    const { pool } = makePool(1);
    await pool.acquire();
    const waiting = pool.acquire().then(() => null, (e) => e);
    await pool.drain(true);
    expect(await waiting).to.be.instanceOf(ProgrammingError);
    expect(await pool.acquire().then(() => null, (e) => e)).to.be.instanceOf(ProgrammingError);
  });
});
