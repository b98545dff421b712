/**
 * Multi-process serving with node:cluster, socket binding, and graceful stop on signals.
 *
 * Tornado's order is bind → fork → serve with inherited sockets. Node cannot hand a listening fd
 * to a cluster worker, so here the order is fork → bind → serve: each worker calls `bindSockets`
 * (or `HTTPServer#listen`) after `forkProcesses`, and node:cluster makes the workers share the port
 * (the primary accepts and hands connections round-robin on Linux).
 */
import cluster from "node:cluster";
import type { Worker } from "node:cluster";
import { lookup } from "node:dns/promises";
import * as net from "node:net";
import * as os from "node:os";
import { IOLoop } from "./ioloop";
import { genLog } from "./log";

/** The environment variable that carries a worker's task id from the primary. */
const TASK_ID_ENV = "TORNADO_TASK_ID";
/** Signals the primary passes on to its workers, so each can drain before it exits. */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

let currentTaskId: number | null = null;

/** Options of `forkProcesses`. */
export interface ForkOptions {
  /** Total restarts of abnormally dead workers allowed before the primary gives up (default 100). */
  maxRestarts?: number;
  /**
   * What the primary does once every worker is gone. true (default, Tornado's behaviour): exit the
   * process, with status 0, or 1 after too many restarts. false: resolve with null (reject after too
   * many restarts), so the caller decides — tests and embedding use this.
   */
  exit?: boolean;
}

/**
 * The task id (0..n-1) of this worker, or null in the primary or when `forkProcesses` was not used.
 *
 * @example
 * if (taskId() === 0) startCronJobs();
 */
export function taskId(): number | null {
  return currentTaskId;
}

/**
 * Runs the program in `n` worker processes (0 or omitted: one per core) via node:cluster.
 *
 * In a worker it resolves at once with the worker's task id, 0..n-1; a restarted worker keeps the
 * id of the one it replaces. In the primary it never resolves with a task id: it forks the workers,
 * restarts one that dies abnormally (non-zero exit, or a signal the primary did not send) up to
 * `maxRestarts` in total, passes SIGTERM/SIGINT on to the workers (and then restarts nothing), and
 * when every worker is gone exits the process (or, with `exit: false`, resolves null). So code after
 * `await forkProcesses(n)` runs only in workers. A worker exiting with status 0 is not restarted.
 *
 * @example
 * const id = await forkProcesses(0);
 * const server = new HTTPServer(app);
 * server.addSockets(await bindSockets(8888));
 */
export function forkProcesses(n?: number, options: ForkOptions = {}): Promise<number | null> {
  if (cluster.isWorker) return new Promise((resolve) => resolve(workerTaskId()));
  const count = n === undefined || n === 0 ? os.availableParallelism() : n;
  if (!Number.isInteger(count) || count < 1) {
    return Promise.reject(new RangeError(`forkProcesses needs a non-negative integer process count, got ${String(n)}`));
  }
  const maxRestarts = options.maxRestarts ?? 100;
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) {
    return Promise.reject(new RangeError(`maxRestarts must be a non-negative integer, got ${String(maxRestarts)}`));
  }
  const exitWhenDone = options.exit ?? true;
  return superviseWorkers(count, maxRestarts).then(
    () => {
      if (exitWhenDone) process.exit(0);
      return null;
    },
    (err: unknown) => {
      if (!exitWhenDone) throw err;
      genLog.error(err instanceof Error ? err.message : String(err));
      process.exit(1);
    },
  );
}

function workerTaskId(): number {
  const raw = process.env[TASK_ID_ENV];
  const id = raw === undefined ? NaN : Number(raw);
  if (!Number.isInteger(id) || id < 0) {
    throw new Error(`This cluster worker has no valid ${TASK_ID_ENV}; was it forked by forkProcesses()?`);
  }
  currentTaskId = id;
  return id;
}

/** Forks `count` workers and keeps them running; settles once all of them are gone. */
function superviseWorkers(count: number, maxRestarts: number): Promise<void> {
  genLog.info(`Starting ${count} processes`);
  const ids = new Map<Worker, number>();
  let restarts = 0;
  let shuttingDown = false;
  let failure: Error | null = null;

  const fork = (id: number): void => {
    ids.set(cluster.fork({ [TASK_ID_ENV]: String(id) }), id);
  };
  const forwardSignal = (signal: NodeJS.Signals): void => {
    shuttingDown = true;
    for (const worker of ids.keys()) worker.process.kill(signal);
    if (ids.size === 0) process.exit(0);
  };

  return new Promise<void>((resolve, reject) => {
    const onExit = (worker: Worker, code: number | null, signal: string | null): void => {
      const id = ids.get(worker);
      if (id === undefined) return; // not ours
      ids.delete(worker);
      const pid = worker.process.pid;
      const abnormal = signal !== null || (code !== null && code !== 0);
      if (abnormal && !shuttingDown) {
        const how = signal !== null ? `killed by signal ${signal}` : `exited with status ${code}`;
        if (restarts >= maxRestarts) {
          failure = new Error(`Too many child restarts (${restarts}), giving up; child ${id} (pid ${pid}) ${how}`);
          shuttingDown = true;
          for (const other of ids.keys()) other.process.kill("SIGTERM");
        } else {
          restarts++;
          genLog.warning(`Child ${id} (pid ${pid}) ${how}, restarting`);
          fork(id);
        }
      } else if (!shuttingDown) {
        genLog.info(`Child ${id} (pid ${pid}) exited normally`);
      }
      if (ids.size > 0) return;
      cluster.off("exit", onExit);
      for (const s of FORWARDED_SIGNALS) process.off(s, forwardSignal);
      if (failure !== null) reject(failure);
      else resolve();
    };
    cluster.on("exit", onExit);
    for (const s of FORWARDED_SIGNALS) process.on(s, forwardSignal);
    for (let id = 0; id < count; id++) fork(id);
  });
}

/** Options of `bindSockets`. */
export interface BindOptions {
  /** Listen backlog; default: Node's (511). */
  backlog?: number;
  /** SO_REUSEPORT, so several unrelated processes can bind one port. Needs Node ≥ 22.12. */
  reusePort?: boolean;
}

/**
 * Binds listening TCP servers on `port` and resolves with them once they listen; hand them to
 * `HTTPServer#addSockets` right away (connections queue until a listener is attached).
 *
 * Without `address`, one server listens on every interface: `::` in dual-stack mode where IPv6
 * exists, `0.0.0.0` otherwise (Node's own choice) — one server instead of Tornado's one per family.
 * A host name is resolved and one server bound per address (e.g. `localhost` → 127.0.0.1 and ::1),
 * all on the same port, port 0 included. Addresses this host cannot bind are skipped while another
 * one binds. Errors name the port and address (`EADDRINUSE` → "… is already in use").
 * In a cluster worker, node:cluster shares the port with the other workers.
 *
 * @example
 * const [server] = await bindSockets(0, "127.0.0.1");
 * console.log((server.address() as net.AddressInfo).port);
 */
export async function bindSockets(port: number, address?: string | null, options: BindOptions = {}): Promise<net.Server[]> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`bindSockets needs a port between 0 and 65535, got ${String(port)}`);
  }
  if (options.reusePort && !nodeSupportsReusePort()) {
    throw new Error(`reusePort needs Node 22.12 or newer (this is ${process.versions.node})`);
  }
  const base: net.ListenOptions = { backlog: options.backlog };
  if (options.reusePort) (base as net.ListenOptions & { reusePort?: boolean }).reusePort = true;
  if (!address) return [await listen({ ...base, port }, port, "all interfaces")];

  const hosts = net.isIP(address) ? [address] : [...new Set((await lookup(address, { all: true })).map((a) => a.address))];
  const servers: net.Server[] = [];
  let boundPort = port;
  let lastError: unknown = null;
  try {
    for (const host of hosts) {
      try {
        // Several addresses on one port: keep :: from also claiming the IPv4 side.
        const ipv6Only = hosts.length > 1 && net.isIPv6(host);
        const server = await listen({ ...base, port: boundPort, host, ipv6Only }, boundPort, host);
        servers.push(server);
        boundPort = (server.address() as net.AddressInfo).port;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (hosts.length > 1 && (code === "EADDRNOTAVAIL" || code === "EAFNOSUPPORT")) {
          lastError = err;
          continue;
        }
        throw err;
      }
    }
  } catch (err) {
    for (const server of servers) server.close();
    throw err;
  }
  if (servers.length === 0) throw lastError ?? new Error(`No address to bind for ${address}`);
  return servers;
}

function nodeSupportsReusePort(): boolean {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

function listen(options: net.ListenOptions, port: number, where: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    const onError = (err: NodeJS.ErrnoException): void => {
      server.close();
      const reason = err.code === "EADDRINUSE" ? "is already in use" : `cannot be bound: ${err.message}`;
      const wrapped = new Error(`Port ${port} on ${where} ${reason}`) as NodeJS.ErrnoException;
      wrapped.code = err.code;
      wrapped.cause = err;
      reject(wrapped);
    };
    server.once("error", onError);
    server.listen(options, () => {
      server.off("error", onError);
      resolve(server);
    });
  });
}

/** Anything with an async `stop()`, e.g. an HTTPServer. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Options of `installSignalHandlers`. */
export interface SignalHandlerOptions {
  /** Signals that start the graceful stop (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
  /** How long to wait for the servers to drain before giving up on them (default 10 000 ms). */
  drainTimeoutMs?: number;
  /** Exit the process with status 0 once drained or timed out (default true). */
  exit?: boolean;
}

/**
 * On the first of `signals`, stops every server (they stop accepting and let in-flight requests
 * finish), waits for all of them — at most `drainTimeoutMs` — then stops the current IOLoop and,
 * one turn later, exits with status 0. A repeated signal during the drain is ignored (a terminal's Ctrl-C reaches
 * both a cluster primary and its workers, and the primary also forwards it). A failing stop() is
 * logged and does not hold up the others. Returns a function that removes the handlers.
 *
 * @example
 * await server.listen(8888);
 * installSignalHandlers([server], { drainTimeoutMs: 5000 });
 * await IOLoop.current().start();
 */
export function installSignalHandlers(servers: readonly Stoppable[], options: SignalHandlerOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  const exit = options.exit ?? true;
  if (!(drainTimeoutMs >= 0)) throw new RangeError(`drainTimeoutMs must be a non-negative number, got ${String(drainTimeoutMs)}`);
  let draining = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (draining) return;
    draining = true;
    genLog.info(`Received ${signal}, stopping ${servers.length} server(s)`);
    void drain(servers, drainTimeoutMs).then(() => {
      IOLoop.current().stop();
      // One turn first, so code awaiting IOLoop#start() gets to run its cleanup.
      if (exit) setImmediate(() => process.exit(0));
    });
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}

async function drain(servers: readonly Stoppable[], timeoutMs: number): Promise<void> {
  const stops = servers.map((server) =>
    Promise.resolve()
      .then(() => server.stop())
      .catch((err: unknown) => genLog.error("Error while stopping a server", err)),
  );
  let timer: NodeJS.Timeout | null = null;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  const hitTimeout = await Promise.race([Promise.all(stops).then(() => false), timedOut]);
  if (timer !== null) clearTimeout(timer);
  if (hitTimeout) genLog.warning(`Drain timeout of ${timeoutMs} ms reached; stopping with requests still in flight`);
}
