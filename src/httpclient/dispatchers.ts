/**
 * The undici dispatchers a client sends through. Connection settings (TLS, proxy, connect
 * timeout, header limit) belong to a connection pool, not to one request, so requests that share
 * them share one undici Agent: a keep-alive pool per origin. Most applications use one.
 */

import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { Agent, ProxyAgent, buildConnector, errors, type Dispatcher } from "undici";
import type { HTTPRequest } from "./request";

export interface PoolSettings {
  maxHeaderSize: number;
  /** Connections per origin: the client's maxClients, which no origin can exceed anyway. */
  connections: number;
  keepAliveTimeout?: number;
}

export class DispatcherCache {
  private readonly agents = new Map<string, Dispatcher>();

  constructor(private readonly settings: PoolSettings) {}

  /** The dispatcher for `req`'s connection settings, made on first use. */
  forRequest(req: HTTPRequest): Dispatcher {
    const maxHeaderSize = req.maxHeaderSize ?? this.settings.maxHeaderSize;
    const key = poolKey(req, maxHeaderSize);
    let agent = this.agents.get(key);
    if (!agent) {
      agent = makeDispatcher(req, maxHeaderSize, this.settings);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection; requests in flight are aborted. */
  async close(): Promise<void> {
    const agents = [...this.agents.values()];
    this.agents.clear();
    await Promise.all(agents.map((a) => a.destroy().catch(() => undefined)));
  }
}

function poolKey(req: HTTPRequest, maxHeaderSize: number): string {
  // Certificates are keyed by their text (or path): a handful of distinct values per process.
  return [
    req.connectTimeout,
    maxHeaderSize,
    req.validateCert ? 1 : 0,
    String(req.caCerts ?? ""),
    String(req.clientCert ?? ""),
    String(req.clientKey ?? ""),
    req.proxyHost ?? "",
    req.proxyPort ?? "",
    req.proxyUsername ?? "",
    req.proxyPassword ?? "",
  ].join("\u0000");
}

function makeDispatcher(req: HTTPRequest, maxHeaderSize: number, settings: PoolSettings): Dispatcher {
  const tls = {
    timeout: req.connectTimeout * 1000,
    rejectUnauthorized: req.validateCert,
    ca: pem(req.caCerts),
    cert: pem(req.clientCert),
    key: pem(req.clientKey),
  };
  const common = {
    maxHeaderSize,
    // Without a cap, undici opens a second connection when a request is dispatched in the tick
    // its predecessor completes; capped, it waits for the idle one.
    connections: settings.connections,
    // Our own timer covers the whole request (Tornado's requestTimeout); undici's are off.
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(settings.keepAliveTimeout !== undefined ? { keepAliveTimeout: settings.keepAliveTimeout } : {}),
  };
  if (!req.proxyHost) return new Agent({ ...common, connect: timedConnector(tls) });
  const uri = `http://${req.proxyHost.includes(":") ? `[${req.proxyHost}]` : req.proxyHost}:${req.proxyPort ?? 80}`;
  const token = req.proxyUsername !== undefined
    ? "Basic " + Buffer.from(`${req.proxyUsername}:${req.proxyPassword ?? ""}`).toString("base64")
    : undefined;
  return new ProxyAgent({
    ...common,
    uri,
    token,
    // Plain http goes to the proxy in absolute form (as curl does); https is tunnelled with CONNECT.
    proxyTunnel: false,
    requestTls: tls,
    proxyTls: { timeout: tls.timeout },
    connect: { timeout: tls.timeout },
  });
}

/**
 * undici's connector with an exact connect timeout: its own timer ticks in 500 ms steps, and
 * Tornado promises the 599 at connectTimeout, not up to half a second later.
 */
function timedConnector(options: buildConnector.BuildOptions & { timeout: number }): buildConnector.connector {
  // The built connector returns the socket it opens (its typings say void).
  const base = buildConnector({ ...options, timeout: 0 }) as unknown as (
    opts: buildConnector.Options, callback: buildConnector.Callback,
  ) => Socket | undefined;
  return (opts, callback) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      const err = new errors.ConnectTimeoutError(`Connect Timeout Error (attempted address: ${opts.hostname}:${opts.port}, timeout: ${options.timeout}ms)`);
      socket?.destroy(err);
      callback(err, null);
    }, options.timeout);
    const socket = base(opts, (err, sock) => {
      if (settled) {
        sock?.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (err) callback(err, null);
      else callback(null, sock!);
    });
  };
}

function pem(value: string | Buffer | undefined): string | Buffer | undefined {
  if (value === undefined) return undefined;
  if (Buffer.isBuffer(value)) return value;
  return value.includes("-----BEGIN") ? value : readFileSync(value);
}
