import { expect } from "chai";
import Redis from "ioredis";
import type { Message } from "../../examples/chat/messages";
import { RedisMessageBuffer } from "../../examples/chat/redis_buffer";
import { portOpen } from "../../examples/deploy/layout";
import { needs } from "../support/services";

const REDIS = "redis://127.0.0.1:6379";
const render = (m: Message): string => `<div id="m${m.id}">${m.body}</div>`;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms))]);
}

describe("examples/chat RedisMessageBuffer", function () {
  this.timeout(60_000);
  const prefix = `buffer-spec-${process.pid}-${Date.now()}`;
  let a: RedisMessageBuffer;
  let b: RedisMessageBuffer;
  let admin: Redis | undefined;

  before(async function () {
    needs(this, "Redis on 127.0.0.1:6379", await portOpen(6379), "apt-get install -y redis-server; redis-server --daemonize yes");
    admin = new Redis(REDIS);
    a = await RedisMessageBuffer.connect(REDIS, { prefix, name: `${prefix}-a` });
    b = await RedisMessageBuffer.connect(REDIS, { prefix, name: `${prefix}-b` });
  });

  after(async () => {
    await a?.close();
    await b?.close();
    if (admin) {
      const keys = await admin.keys(`${prefix}:*`);
      if (keys.length) await admin.del(...keys);
      admin.disconnect();
    }
  });

  it("shares one epoch between the frontends", () => {
    expect(a.epoch).to.match(/^[0-9a-f-]{36}$/);
    expect(b.epoch).to.equal(a.epoch);
  });

  it("wakes a waiter of the other frontend with a message added on one, and both keep the same history", async () => {
    const got = within(new Promise<Message[]>((resolve) => b.waitForMessages(resolve, null)), 10_000, "message on B");
    const added = await a.add("ada", "hello B", render);
    expect((await got).map((m) => [m.id, m.body, m.html])).to.deep.equal([[added.id, "hello B", `<div id="m${added.id}">hello B</div>`]]);
    const second = await b.add("bob", "hello A", render);
    expect(second.id).to.be.greaterThan(added.id);
    const deadline = Date.now() + 10_000;
    while (a.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(a.since(null).map((m) => m.id)).to.deep.equal(b.since(null).map((m) => m.id));
  });

  it("answers waiters at once with no messages on releaseWaiters", async () => {
    const got = new Promise<Message[]>((resolve) => a.waitForMessages(resolve, null));
    a.releaseWaiters();
    expect(await within(got, 1000, "release")).to.deep.equal([]);
    expect(a.waiterCount).to.equal(0);
  });

  it("keeps answering from its mirror when its Redis connections are killed, and catches up after reconnecting", async () => {
    const list = (await admin!.client("LIST")) as string;
    const ids = list.split("\n").filter((l) => l.includes(`name=${prefix}-b-`)).map((l) => /\bid=([0-9]+)/.exec(l)![1]);
    expect(ids).to.have.length(2);
    for (const id of ids) await admin!.client("KILL", "ID", id);
    expect(b.since(null).length).to.be.greaterThan(0);
    const cursor = Math.max(...b.since(null).map((m) => m.id));
    const got = within(new Promise<Message[]>((resolve) => b.waitForMessages(resolve, cursor)), 20_000, "message on B after the reconnect");
    const added = await a.add("ada", "after the outage", render);
    expect((await got).map((m) => m.id)).to.include(added.id);
  });
});
