/**
 * The undici dispatchers a client sends through. Connection settings (TLS, proxy, connect
 * timeout, header limit) belong to a connection pool, not to one request, so requests that share
 * them share one undici Agent: a keep-alive pool per origin. Most applications use one.
 */

import { readFileSync } from "node:fs";
import { Agent, ProxyAgent, type Dispatcher } from "undici";
import type { HTTPRequest } from "./request";

export interface PoolSettings {
  maxHeaderSize: number;
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
      agent = makeDispatcher(req, maxHeaderSize, this.settings.keepAliveTimeout);
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

function makeDispatcher(req: HTTPRequest, maxHeaderSize: number, keepAliveTimeout: number | undefined): Dispatcher {
  const tls = {
    timeout: req.connectTimeout * 1000,
    rejectUnauthorized: req.validateCert,
    ca: pem(req.caCerts),
    cert: pem(req.clientCert),
    key: pem(req.clientKey),
  };
  const common = {
    maxHeaderSize,
    // Our own timer covers the whole request (Tornado's requestTimeout); undici's are off.
    headersTimeout: 0,
    bodyTimeout: 0,
    ...(keepAliveTimeout !== undefined ? { keepAliveTimeout } : {}),
  };
  if (!req.proxyHost) return new Agent({ ...common, connect: tls });
  const uri = `http://${req.proxyHost.includes(":") ? `[${req.proxyHost}]` : req.proxyHost}:${req.proxyPort ?? 80}`;
  const token = req.proxyUsername !== undefined
    ? "Basic " + Buffer.from(`${req.proxyUsername}:${req.proxyPassword ?? ""}`).toString("base64")
    : undefined;
  return new ProxyAgent({
    ...common,
    uri,
    token,
    requestTls: tls,
    proxyTls: { timeout: tls.timeout },
    connect: { timeout: tls.timeout },
  });
}

function pem(value: string | Buffer | undefined): string | Buffer | undefined {
  if (value === undefined) return undefined;
  if (Buffer.isBuffer(value)) return value;
  return value.includes("-----BEGIN") ? value : readFileSync(value);
}
