/**
 * IOLoop and PeriodicCallback: Tornado's scheduling API on top of Node's own event loop.
 *
 * Node already runs an event loop, so the IOLoop owns no poller and never spins. It is a thin,
 * typed front for `setImmediate`/`setTimeout` that keeps Tornado's names and its guarantees:
 * callbacks run on a later turn, an exception in one callback is logged and never stops the loop,
 * and `start()` keeps the process alive until `stop()`.
 *
 * Keep-alive policy (why timers are unref'd): the timers behind `addTimeout`/`callLater` and
 * PeriodicCallback are unref'd, so a pending timeout alone never holds the process open — in Tornado
 * nothing runs unless the loop is started, and here a forgotten timeout must not hang a script or a
 * test run. `start()` and `runSync()` hold one ref'd handle while they run, which keeps the process
 * (and so every pending timeout) alive. Listening servers keep the process alive on their own.
 * Callbacks scheduled with `addCallback` use `setImmediate`, which runs on the next turn anyway.
 */

import { appLog } from "./log";

/** Node refuses timer delays above this (it would fire after 1 ms), so longer waits are chained. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

function noop(): void {
  /* the keep-alive handle does nothing: it only holds a ref on Node's loop */
}

function describeCallback(fn: (...args: never[]) => unknown): string {
  return fn.name ? `callback ${fn.name}` : "anonymous callback";
}

/** Runs `fn`, logging a synchronous throw or a rejected promise instead of letting it escape. */
function runGuarded(fn: (...args: unknown[]) => unknown, args: unknown[]): void {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (err) {
    appLog.error(`Exception in ${describeCallback(fn)}`, err);
    return;
  }
  if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
    (result as PromiseLike<unknown>).then(undefined, (err: unknown) => appLog.error(`Exception in ${describeCallback(fn)}`, err));
  }
}

function requireFunction(fn: unknown, what: string): asserts fn is (...args: unknown[]) => unknown {
  if (typeof fn !== "function") throw new TypeError(`${what} needs a function, got ${typeof fn}`);
}

/** Raised by `IOLoop#runSync` when the function does not settle within its timeout. */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TimeoutError";
  }
}

/**
 * The handle `addTimeout`/`callLater` return; pass it to `removeTimeout` to cancel.
 * Treat it as opaque apart from `deadline`.
 */
export class TimeoutHandle {
  /** @internal the live Node timer, null once fired or cancelled */
  timer: NodeJS.Timeout | null = null;
  /** @internal */
  cancelled = false;

  constructor(
    /** When the callback is due, in seconds since the epoch (like `IOLoop#time()`). */
    readonly deadline: number,
    /** @internal */
    readonly run: () => void,
  ) {}
}

/**
 * Tornado's IOLoop on Node's event loop.
 *
 * @example
 * const loop = IOLoop.current();
 * loop.callLater(0.5, () => loop.stop());
 * await loop.start(); // resolves after stop()
 */
export class IOLoop {
  private static singleton: IOLoop | null = null;
  private static currentLoop: IOLoop | null = null;

  private keepAlive: NodeJS.Timeout | null = null;
  private resolveStart: (() => void) | null = null;

  /** The process-wide IOLoop, created on first use. */
  static instance(): IOLoop {
    if (IOLoop.singleton === null) IOLoop.singleton = new IOLoop();
    return IOLoop.singleton;
  }

  /** The loop made current with `makeCurrent()`, else the process-wide `instance()`. */
  static current(): IOLoop {
    return IOLoop.currentLoop ?? IOLoop.instance();
  }

  /** Forgets the current loop so `current()` falls back to `instance()` again (tests use this). */
  static clearCurrent(): void {
    IOLoop.currentLoop = null;
  }

  /** Makes this loop the one `IOLoop.current()` returns. */
  makeCurrent(): void {
    IOLoop.currentLoop = this;
  }

  /** True between `start()` and `stop()`. */
  isRunning(): boolean {
    return this.resolveStart !== null;
  }

  /**
   * Keeps the process alive until `stop()`; the returned promise resolves then.
   * Throws if the loop is already started.
   *
   * @example
   * await IOLoop.current().start();
   */
  start(): Promise<void> {
    if (this.resolveStart !== null) throw new Error("IOLoop is already running");
    this.keepAlive = setInterval(noop, MAX_TIMER_DELAY_MS);
    return new Promise<void>((resolve) => {
      this.resolveStart = resolve;
    });
  }

  /**
   * Ends `start()`: its promise resolves and the loop stops holding the process alive.
   * Pending callbacks and timeouts are kept. Does nothing when the loop is not started.
   */
  stop(): void {
    const resolve = this.resolveStart;
    if (resolve === null) return;
    this.resolveStart = null;
    if (this.keepAlive !== null) clearInterval(this.keepAlive);
    this.keepAlive = null;
    resolve();
  }

  /** Seconds since the epoch, as a float: the clock `addTimeout` deadlines are measured against. */
  time(): number {
    return Date.now() / 1000;
  }

  /**
   * Runs `fn(...args)` on the next turn of the loop (after pending I/O callbacks); callbacks run in
   * the order they were added. A throw or rejection is logged to `appLog` and the loop carries on.
   *
   * @example
   * IOLoop.current().addCallback((name) => console.log("hello", name), "world");
   */
  addCallback<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    requireFunction(fn, "addCallback");
    setImmediate(runGuarded, fn as (...args: unknown[]) => unknown, args);
  }

  /**
   * Runs `fn(...args)` at `deadline` (seconds since the epoch, or a Date). A deadline in the past
   * runs on the next timer phase. Returns a handle for `removeTimeout`.
   *
   * @example
   * const handle = loop.addTimeout(loop.time() + 5, () => console.log("five seconds later"));
   */
  addTimeout<A extends unknown[]>(deadline: number | Date, fn: (...args: A) => unknown, ...args: A): TimeoutHandle {
    requireFunction(fn, "addTimeout");
    const seconds = deadline instanceof Date ? deadline.getTime() / 1000 : deadline;
    if (typeof seconds !== "number" || !Number.isFinite(seconds)) {
      throw new TypeError(`addTimeout needs a deadline in seconds since the epoch or a valid Date, got ${String(deadline)}`);
    }
    const handle = new TimeoutHandle(seconds, () => {
      handle.timer = null;
      runGuarded(fn as (...args: unknown[]) => unknown, args);
    });
    this.arm(handle);
    return handle;
  }

  /**
   * Runs `fn(...args)` after `delaySeconds` (a float; 0 or negative = as soon as possible).
   *
   * @example
   * loop.callLater(0.25, () => console.log("a quarter second later"));
   */
  callLater<A extends unknown[]>(delaySeconds: number, fn: (...args: A) => unknown, ...args: A): TimeoutHandle {
    if (typeof delaySeconds !== "number" || !Number.isFinite(delaySeconds)) {
      throw new TypeError(`callLater needs a delay in seconds, got ${String(delaySeconds)}`);
    }
    return this.addTimeout(this.time() + delaySeconds, fn, ...args);
  }

  /** Cancels a pending timeout; harmless for one that already ran or was removed. */
  removeTimeout(handle: TimeoutHandle | null | undefined): void {
    if (!handle) return;
    handle.cancelled = true;
    if (handle.timer !== null) clearTimeout(handle.timer);
    handle.timer = null;
  }

  /**
   * Runs `fn` (sync or async) and resolves with its result, keeping the process alive meanwhile.
   * With `timeoutSeconds`, rejects with a TimeoutError if `fn` has not settled by then (the work
   * itself cannot be cancelled; its later outcome is ignored).
   *
   * @example
   * const rows = await IOLoop.current().runSync(() => db.query("SELECT 1"), 5);
   */
  runSync<T>(fn: () => T | PromiseLike<T>, timeoutSeconds?: number): Promise<T> {
    requireFunction(fn, "runSync");
    if (timeoutSeconds !== undefined && (typeof timeoutSeconds !== "number" || !(timeoutSeconds >= 0))) {
      throw new TypeError(`runSync timeout must be a non-negative number of seconds, got ${String(timeoutSeconds)}`);
    }
    const keepAlive = setInterval(noop, MAX_TIMER_DELAY_MS);
    const work = Promise.resolve().then(fn);
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | null = null;
      const settle = (): void => {
        clearInterval(keepAlive);
        if (timer !== null) clearTimeout(timer);
      };
      if (timeoutSeconds !== undefined) {
        timer = setTimeout(() => {
          settle();
          reject(new TimeoutError(`Operation timed out after ${timeoutSeconds} seconds`));
        }, timeoutSeconds * 1000);
      }
      work.then(
        (value) => {
          settle();
          resolve(value);
        },
        (err: unknown) => {
          settle();
          reject(err);
        },
      );
    });
  }

  /** Arms (or re-arms, for waits beyond Node's timer limit) the unref'd Node timer of `handle`. */
  private arm(handle: TimeoutHandle): void {
    const delay = handle.deadline * 1000 - Date.now();
    if (delay > MAX_TIMER_DELAY_MS) {
      handle.timer = setTimeout(() => {
        if (!handle.cancelled) this.arm(handle);
      }, MAX_TIMER_DELAY_MS);
    } else {
      // Node truncates fractional delays, which would fire up to 1 ms early; round up instead,
      // allowing for the float error of seconds-since-epoch deadlines (~0.0002 ms).
      handle.timer = setTimeout(handle.run, Math.max(0, Math.ceil(delay - 0.001)));
    }
    handle.timer.unref();
  }
}

/** Options of a PeriodicCallback. */
export interface PeriodicCallbackOptions {
  /**
   * Fraction of random variation of each interval, centred on `callbackTime`: 0.1 lets each
   * interval fall anywhere in ±5 %. Spreads out many periodic jobs that started together.
   */
  jitter?: number;
}

/**
 * Calls `callback` every `callbackTimeMs` milliseconds, aligned to the schedule set at `start()`.
 *
 * An async callback is awaited; while it is still pending, the runs that fall due are skipped and
 * the next run happens at the first slot of the schedule after it settles. A throw or rejection is
 * logged to `appLog` and the schedule continues. The timer is unref'd (see the module comment).
 *
 * @example
 * const pc = new PeriodicCallback(() => flushStats(), 1000, { jitter: 0.1 });
 * pc.start();
 * // later: pc.stop();
 */
export class PeriodicCallback {
  readonly callbackTime: number;
  readonly jitter: number;
  private running = false;
  /** Bumped on each start/stop, so a run still awaiting from an earlier start schedules nothing. */
  private generation = 0;
  /** The slot the pending timer is aimed at, in ms since the epoch. */
  private nextRunMs = 0;
  private handle: TimeoutHandle | null = null;

  constructor(
    private readonly callback: () => unknown,
    callbackTimeMs: number,
    options: PeriodicCallbackOptions = {},
  ) {
    requireFunction(callback, "PeriodicCallback");
    if (typeof callbackTimeMs !== "number" || !Number.isFinite(callbackTimeMs) || callbackTimeMs <= 0) {
      throw new RangeError(`PeriodicCallback needs a positive callbackTime in ms, got ${String(callbackTimeMs)}`);
    }
    const jitter = options.jitter ?? 0;
    if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
      throw new RangeError(`PeriodicCallback jitter must be between 0 and 1, got ${String(jitter)}`);
    }
    this.callbackTime = callbackTimeMs;
    this.jitter = jitter;
  }

  /** Starts the schedule: the first run is one interval from now. Does nothing if already running. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.generation++;
    this.nextRunMs = Date.now() + this.interval();
    this.armNext();
  }

  /** Stops the schedule; a run in progress finishes but nothing more is scheduled. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    IOLoop.current().removeTimeout(this.handle);
    this.handle = null;
  }

  isRunning(): boolean {
    return this.running;
  }

  /** One interval, with jitter applied when configured. */
  private interval(): number {
    if (this.jitter === 0) return this.callbackTime;
    return this.callbackTime * (1 + this.jitter * (Math.random() - 0.5));
  }

  private armNext(): void {
    const generation = this.generation;
    this.handle = IOLoop.current().addTimeout(this.nextRunMs / 1000, () => this.runOnce(generation));
  }

  private async runOnce(generation: number): Promise<void> {
    this.handle = null;
    if (generation !== this.generation) return;
    try {
      await this.callback();
    } catch (err) {
      appLog.error(`Exception in PeriodicCallback ${describeCallback(this.callback)}`, err);
    }
    if (generation !== this.generation) return;
    // The run belonged to slot nextRunMs; move to the first slot after now, skipping the slots
    // that fell due while the callback was still pending. At least one slot always advances, so a
    // timer that fires a hair early can never cause a double run.
    const now = Date.now();
    const step = this.interval();
    const slots = Math.max(1, Math.floor((now - this.nextRunMs) / step) + 1);
    this.nextRunMs += slots * step;
    this.armNext();
  }
}
