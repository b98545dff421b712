/**
 * The chat room's memory: a bounded cache of recent messages and the long-poll waiters to wake
 * when a new one arrives. Waiters that go away are removed, so a closed tab leaves nothing behind.
 */
import { randomUUID } from "node:crypto";
import type { MessageStore } from "./store";

export interface Message {
  id: number;
  from: string;
  body: string;
  /** The message rendered by the Message UI module's template, ready to insert. */
  html: string;
}

export type Waiter = (messages: Message[]) => void;

export class MessageBuffer implements MessageStore {
  /**
   * Names this history: message ids count from 1 again in a new buffer (a restarted server), so a
   * page that saw another epoch must drop what it shows and start over from this buffer's messages.
   */
  readonly epoch = randomUUID();
  private readonly waiters = new Set<Waiter>();
  private readonly cache: Message[] = [];
  private nextId = 1;

  constructor(readonly cacheSize = 200) {}

  /** Messages newer than `cursor` (the last id a client has seen); all cached ones without it. */
  since(cursor: number | null): Message[] {
    if (cursor === null) return this.cache.slice();
    let i = this.cache.length;
    while (i > 0 && this.cache[i - 1].id > cursor) i--;
    return this.cache.slice(i);
  }

  /**
   * Calls `waiter` with the messages the client missed, at once when there are any, else on the
   * next new message. Returns a function that cancels the wait.
   */
  waitForMessages(waiter: Waiter, cursor: number | null): () => void {
    const missed = cursor === null ? [] : this.since(cursor);
    if (missed.length > 0) {
      waiter(missed);
      return () => undefined;
    }
    this.waiters.add(waiter);
    return () => this.waiters.delete(waiter);
  }

  /** The same wait as a promise; `signal` aborting (the client went away) cancels it. */
  wait(cursor: number | null, signal?: AbortSignal): Promise<Message[]> {
    return new Promise((resolve) => {
      const cancel = this.waitForMessages(resolve, cursor);
      signal?.addEventListener("abort", () => { cancel(); resolve([]); }, { once: true });
    });
  }

  /** Adds a message (assigning its id) and wakes every waiter with it. */
  add(from: string, body: string, render: (m: Message) => string): Message {
    const message: Message = { id: this.nextId++, from, body, html: "" };
    message.html = render(message);
    this.cache.push(message);
    if (this.cache.length > this.cacheSize) this.cache.splice(0, this.cache.length - this.cacheSize);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w([message]);
    return message;
  }

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
}
