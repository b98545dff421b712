import { expect } from "chai";
import net from "node:net";
import { Connection } from "../../src/database";
import { needs } from "../support/services";
import { BACKENDS, reachable, uniqueTable } from "./backends";

/**
 * A TCP relay in front of the database server that can keep a pooled connection from learning
 * that the server dropped it: once frozen, what the server sends (its "killed" error, its close)
 * is held back, and the client first hears of it when it sends its next statement (the relay
 * then resets the connection). That is the case a dead peer behind NAT, or a close that crosses
 * the next query on the wire, produces; it makes the pool's reconnect-and-retry path run every time.
 */
class FreezingRelay {
  private readonly server: net.Server;
  private readonly pairs: { frozen: boolean; upstreamGone: boolean }[] = [];
  /** Client connections accepted so far. */
  accepted = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      this.accepted++;
      const pair = { frozen: false, upstreamGone: false };
      this.pairs.push(pair);
      const upstream = net.connect(this.target.port, this.target.host);
      upstream.on("data", (d) => { if (!pair.frozen) client.write(d); });
      upstream.on("error", () => undefined);
      upstream.on("close", () => {
        pair.upstreamGone = true;
        if (!pair.frozen) client.destroy();
      });
      client.on("data", (d) => {
        if (pair.upstreamGone) client.resetAndDestroy();
        else upstream.write(d);
      });
      client.on("error", () => undefined);
      client.on("close", () => upstream.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Holds back everything the server sends on the connections open now. */
  freeze(): void {
    for (const p of this.pairs) p.frozen = true;
  }

  /** True once the server side of every frozen connection has closed. */
  get frozenUpstreamsGone(): boolean {
    return this.pairs.every((p) => !p.frozen || p.upstreamGone);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const backend of BACKENDS.filter((b) => b.server)) {
  describe(`database.Connection reconnect-and-retry on ${backend.name}`, function () {
    this.timeout(30_000);
    let relay: FreezingRelay;
    let admin: Connection;
    let db: Connection;
    let table: string;

    before(async function () {
      needs(this, backend.name, await reachable(backend), backend.howToStart);
    });
    beforeEach(async () => {
      const direct = new URL(backend.url());
      relay = new FreezingRelay({ host: direct.hostname, port: Number(direct.port) });
      const port = await relay.listen();
      direct.host = `127.0.0.1:${port}`;
      admin = new Connection(backend.url());
      db = new Connection(direct.toString(), { poolSize: 1 });
      table = uniqueTable("retry");
      await admin.execute(`CREATE TABLE ${table} (${backend.idColumn}, name VARCHAR(100) NOT NULL UNIQUE)`);
    });
    afterEach(async () => {
      await db.close();
      await admin.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
      await admin.close();
      await relay.close();
    });

    /** Kills the pool's one connection on the server while the pool still holds it as idle. */
    async function killUnnoticed(): Promise<number> {
      const victim = Number((await db.get<{ id: number }>(backend.connectionIdSql!))!.id);
      relay.freeze();
      await backend.kill!(admin, victim);
      await until("the server has closed the killed connection", () => relay.frozenUpstreamsGone);
      expect(db.openConnections, "the pool has not noticed").to.equal(1);
      return victim;
    }

    it("runs the next statement once, on a new connection, when the server killed the idle one", async () => {
      const victim = await killUnnoticed();
      expect(await db.execute(`INSERT INTO ${table} (name) VALUES (?)`, "after-kill")).to.be.a("number");
      expect(relay.accepted, "one new connection").to.equal(2);
      expect(await admin.query(`SELECT name FROM ${table}`)).to.deep.equal([{ name: "after-kill" }]);
      expect(Number((await db.get<{ id: number }>(backend.connectionIdSql!))!.id)).to.not.equal(victim);
      expect(db.openConnections).to.equal(1);
    });

    it("retries a query and a get() the same way, returning their rows", async () => {
      await admin.execute(`INSERT INTO ${table} (name) VALUES (?)`, "there");
      await killUnnoticed();
      expect(await db.query(`SELECT name FROM ${table}`)).to.deep.equal([{ name: "there" }]);
      await killUnnoticed();
      expect(await db.get(`SELECT name FROM ${table} WHERE name = ?`, "there")).to.deep.equal({ name: "there" });
      expect(relay.accepted).to.equal(3);
    });

    it("starts a transaction on a new connection when the idle one was killed", async () => {
      await killUnnoticed();
      await db.transaction(async (tx) => { await tx.execute(`INSERT INTO ${table} (name) VALUES (?)`, "in-tx"); });
      expect(await admin.query(`SELECT name FROM ${table}`)).to.deep.equal([{ name: "in-tx" }]);
    });
  });
}
