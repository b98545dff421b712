/**
 * A small pool of drivers: up to `size` open, the most recently used handed out first (so the
 * others can age past `maxIdleTime` and be closed), waiters served in order.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Driver } from "./driver";
import { OperationalError, ProgrammingError } from "./errors";

export interface Lease {
  driver: Driver;
  /** True when the driver had been idle in the pool (so the server may have dropped it meanwhile). */
  reused: boolean;
}

interface Waiter {
  resolve(lease: Lease): void;
  reject(err: unknown): void;
  timer: NodeJS.Timeout;
}

/** Which pools the current async context holds a transaction on (to catch self-deadlock). */
export const inTransaction = new AsyncLocalStorage<Set<Pool>>();

export class Pool {
  private readonly idle: { driver: Driver; since: number }[] = [];
  private readonly waiters: Waiter[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<Driver>,
    readonly size: number,
    private readonly maxIdleMillis: number,
    private readonly acquireTimeoutMillis: number,
  ) {}

  /**
   * An idle driver at once (so it is a reused one), or null when none is ready: then use
   * acquire(). The hot path of every statement, so it allocates nothing.
   */
  tryAcquire(): Driver | null {
    if (this.closed || this.idle.length === 0) return null;
    const { driver, since } = this.idle[this.idle.length - 1];
    if (driver.dead || Date.now() - since > this.maxIdleMillis) return null; // acquire() drops it
    this.idle.pop();
    return driver;
  }

  /** A driver for one statement or transaction; `fresh` skips idle ones (a reconnect). */
  async acquire(fresh = false): Promise<Lease> {
    if (this.closed) throw new ProgrammingError("the database connection is closed");
    while (!fresh && this.idle.length > 0) {
      const { driver, since } = this.idle.pop()!;
      if (driver.dead || Date.now() - since > this.maxIdleMillis) {
        this.discard(driver);
        continue;
      }
      return { driver, reused: true };
    }
    if (fresh && this.open >= this.size && this.idle.length > 0) this.discard(this.idle.shift()!.driver);
    if (this.open < this.size) return { driver: await this.openOne(), reused: false };
    if (inTransaction.getStore()?.has(this)) {
      throw new ProgrammingError(`every connection of the pool (size ${this.size}) is busy and this code runs inside one of its transactions: use the transaction's own methods (tx.query, ...) inside transaction()`);
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        resolve, reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new OperationalError(`no database connection became free within ${this.acquireTimeoutMillis} ms (pool size ${this.size}): raise poolSize, or look for a transaction or iter() that is never finished`));
        }, this.acquireTimeoutMillis),
      };
      this.waiters.push(waiter);
    });
  }

  /** Gives a driver back; a broken one is closed and its place handed to a waiter as a new connection. */
  release(driver: Driver, broken = false): void {
    if (broken || driver.dead || this.closed) {
      this.discard(driver);
      this.serveWaiterWithNew();
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve({ driver, reused: false });
    } else {
      this.idle.push({ driver, since: Date.now() });
    }
  }

  /** Closes the idle drivers; busy ones close when released. With `final`, later acquires fail. */
  async drain(final: boolean): Promise<void> {
    if (final) this.closed = true;
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(idle.map(({ driver }) => driver.close().catch(() => undefined)));
    if (final) {
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new ProgrammingError("the database connection was closed while waiting for a free connection"));
      }
    }
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get openCount(): number {
    return this.open;
  }

  private async openOne(): Promise<Driver> {
    this.open++;
    try {
      return await this.connect();
    } catch (err) {
      this.open--;
      this.serveWaiterWithNew();
      throw err;
    }
  }

  private discard(driver: Driver): void {
    this.open--;
    driver.close().catch(() => undefined);
  }

  private serveWaiterWithNew(): void {
    if (this.waiters.length === 0 || this.open >= this.size || this.closed) return;
    const waiter = this.waiters.shift()!;
    clearTimeout(waiter.timer);
    this.openOne().then((driver) => waiter.resolve({ driver, reused: false }), waiter.reject);
  }
}
