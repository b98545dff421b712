/**
 * The chat's message cache shared by several frontends through Redis: history in a capped list,
 * new messages announced on a pub/sub channel. Each frontend keeps a local mirror of the history,
 * so pages and long polls are answered from memory and keep working while Redis is away; when
 * the subscription comes back, the mirror catches up from the list.
 *
 * ioredis rather than node-redis: it re-subscribes by itself after a reconnect and queues
 * commands while disconnected, which is exactly the "lose Redis, carry on" behaviour wanted here.
 */
import { randomUUID } from "node:crypto";
import Redis from "ioredis";
import type { Message, Waiter } from "./messages";
import type { MessageStore } from "./store";

export interface RedisBufferOptions {
  /** Keys and channel are prefixed with this (several rooms can share one Redis). */
  prefix?: string;
  cacheSize?: number;
  /** CLIENT SETNAME of both connections (operators see which frontend is which). */
  name?: string;
}

export class RedisMessageBuffer implements MessageStore {
  readonly cacheSize: number;
  /** The history's name, shared by every frontend (kept in Redis): pages reset when it changes. */
  epoch = "";
  private readonly cache: Message[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listKey: string;
  private readonly idKey: string;
  private readonly channel: string;
  private readonly epochKey: string;
  private closing = false;

  private constructor(url: string, options: RedisBufferOptions) {
    const prefix = options.prefix ?? "chat";
    this.cacheSize = options.cacheSize ?? 200;
    this.listKey = `${prefix}:messages`;
    this.idKey = `${prefix}:next-id`;
    this.channel = `${prefix}:new`;
    this.epochKey = `${prefix}:epoch`;
    const name = options.name ?? `chat-${process.pid}`;
    this.pub = new Redis(url, { connectionName: `${name}-pub`, lazyConnect: true });
    this.sub = new Redis(url, { connectionName: `${name}-sub`, lazyConnect: true });
    for (const client of [this.pub, this.sub]) client.on("error", () => undefined); // reconnects on its own
  }

  /**
   * Connects, subscribes and loads the history.
   *
   * @example
   * const buffer = await RedisMessageBuffer.connect("redis://127.0.0.1:6379");
   */
  static async connect(url: string, options: RedisBufferOptions = {}): Promise<RedisMessageBuffer> {
    const buffer = new RedisMessageBuffer(url, options);
    await Promise.all([buffer.pub.connect(), buffer.sub.connect()]);
    await buffer.pub.set(buffer.epochKey, randomUUID(), "NX");
    buffer.epoch = (await buffer.pub.get(buffer.epochKey)) ?? buffer.epoch;
    buffer.sub.on("message", (_channel: string, text: string) => buffer.receive([JSON.parse(text) as Message]));
    await buffer.sub.subscribe(buffer.channel);
    // After a reconnect the subscription is back (ioredis re-subscribes); fetch what we missed.
    buffer.sub.on("ready", () => void buffer.catchUp());
    await buffer.catchUp();
    return buffer;
  }

  /** Messages newer than `cursor`; all cached ones without it. */
  since(cursor: number | null): Message[] {
    if (cursor === null) return this.cache.slice();
    let i = this.cache.length;
    while (i > 0 && this.cache[i - 1].id > cursor) i--;
    return this.cache.slice(i);
  }

  /** As MessageBuffer.waitForMessages: now when the client missed some, else on the next one. */
  waitForMessages(waiter: Waiter, cursor: number | null): () => void {
    const missed = cursor === null ? [] : this.since(cursor);
    if (missed.length > 0) {
      waiter(missed);
      return () => undefined;
    }
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  wait(cursor: number | null, signal?: AbortSignal): Promise<Message[]> {
    return new Promise((resolve) => {
      const cancel = this.waitForMessages(resolve, cursor);
      signal?.addEventListener("abort", () => { cancel(); resolve([]); }, { once: true });
    });
  }

  /**
   * Adds a message for every frontend: the id comes from Redis, the list keeps the last
   * `cacheSize`, the channel tells the others. Local waiters are woken at once.
   */
  async add(from: string, body: string, render: (m: Message) => string): Promise<Message> {
    const id = await this.pub.incr(this.idKey);
    const message: Message = { id, from, body, html: "" };
    message.html = render(message);
    const text = JSON.stringify(message);
    this.receive([message]);
    await this.pub.multi().rpush(this.listKey, text).ltrim(this.listKey, -this.cacheSize, -1).publish(this.channel, text).exec();
    return message;
  }

  /** Answers every waiting long poll now with no messages (a stopping frontend sends them elsewhere). */
  releaseWaiters(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w([]);
  }

  get waiterCount(): number {
    return this.waiters.size;
  }

  get size(): number {
    return this.cache.length;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }

  /** Merges messages into the mirror in id order (each once) and wakes the waiters with the new ones. */
  private receive(messages: Message[]): void {
    const fresh: Message[] = [];
    for (const m of messages) {
      if (this.cache.some((c) => c.id === m.id)) continue;
      let i = this.cache.length;
      while (i > 0 && this.cache[i - 1].id > m.id) i--;
      this.cache.splice(i, 0, m);
      fresh.push(m);
    }
    if (this.cache.length > this.cacheSize) this.cache.splice(0, this.cache.length - this.cacheSize);
    if (fresh.length === 0) return;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w(fresh);
  }

  private async catchUp(): Promise<void> {
    if (this.closing) return;
    try {
      const items = await this.pub.lrange(this.listKey, -this.cacheSize, -1);
      this.receive(items.map((t) => JSON.parse(t) as Message));
    } catch {
      // Redis went away again: the next "ready" tries once more.
    }
  }
}
