/**
 * HTTPServer: accepts connections (plain or TLS), runs our HTTP/1.1 protocol on each, enforces
 * the limits and timeouts, and stops gracefully.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import type { HTTPServerRequest, RequestBodyDelegate } from "./httputil";
import { IOStream, type IOStreamOptions } from "./iostream";
import { appLog, logRequest } from "./log";
import { HTTP1ServerConnection } from "./http1connection";
import type { ConnectionOwner, HTTP1ConnectionParameters, RefusedRequest } from "./http1connection";
import { bindSockets, forkProcesses } from "./process";

/** How long stop() waits for the first request of a connection that has not sent one yet. */
const FRESH_GRACE_MS = 1000;

/** A plain callback: called once per request, after the whole body was read. */
export type RequestCallback = (request: HTTPServerRequest) => unknown;

/** What an Application offers the server. */
export interface RequestTarget {
  handleRequest(request: HTTPServerRequest): unknown;
  /**
   * Optional: offered each request that has a body when its head arrives (`request.connection`
   * set, body not read yet). Returning a delegate streams the body to it instead of buffering it,
   * and `handleRequest` is not called for that request.
   */
  startRequest?(request: HTTPServerRequest): RequestBodyDelegate | undefined;
}

/** Options of HTTPServer; times are in seconds, sizes in bytes. */
export interface HTTPServerOptions {
  /** Trust X-Real-Ip / X-Forwarded-For and X-Scheme / X-Forwarded-Proto (behind a proxy). */
  xheaders?: boolean;
  /** Proxies whose addresses are skipped when reading X-Forwarded-For from the right. */
  trustedDownstream?: Iterable<string>;
  /** Close every connection after one response. */
  noKeepAlive?: boolean;
  /** Serve HTTPS with these node tls options (key, cert, …). */
  ssl?: tls.TlsOptions;
  /** Largest request head (default 64 KiB → 431). */
  maxHeaderSize?: number;
  /** Largest request body, after decompression too (default 100 MiB → 413). */
  maxBodySize?: number;
  /** Time allowed for a request head once its first byte arrived (default 60). */
  headerTimeout?: number;
  /** Time allowed to receive a request body (default 600). */
  bodyTimeout?: number;
  /**
   * Time a connection may wait for its next request, the first one included (default 65: longer
   * than the 60 s idle timeout of common proxies and load balancers, so they close first).
   */
  idleConnectionTimeout?: number;
  /** Time `stop()` lets in-flight requests finish before closing them (default 10). */
  drainTimeout?: number;
  /** Inflate `Content-Encoding: gzip` request bodies. */
  decompressRequest?: boolean;
  /**
   * Most response bytes queued for a client that is not reading them; a write past it closes the
   * connection (default 64 MiB; a single write into an empty buffer always goes).
   */
  maxWriteBufferSize?: number;
}

/**
 * Serves HTTP/1.1 on our own protocol implementation.
 *
 * @example
 * const server = new HTTPServer((request) => {
 *   const body = "Hello, world";
 *   request.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
 *   request.finish();
 * });
 * await server.listen(8888);
 */
export class HTTPServer implements ConnectionOwner {
  readonly params: HTTP1ConnectionParameters;
  draining = false;
  private readonly callback: RequestCallback;
  private readonly secureContext: tls.SecureContext | null;
  private readonly ssl: tls.TlsOptions | undefined;
  private readonly drainTimeout: number;
  private readonly maxWriteBufferSize: number;
  /** Set when the target streams request bodies (ConnectionOwner.startRequest). */
  readonly startRequest?: (request: HTTPServerRequest) => RequestBodyDelegate | undefined;
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<HTTP1ServerConnection>();
  private readonly pendingBinds: [number, string | undefined][] = [];
  private sweepTimer: NodeJS.Timeout | null = null;
  /** One options object for every connection's stream (a stream keeps a reference, not a copy). */
  private readonly streamOptions: IOStreamOptions;
  private stopping: Promise<void> | null = null;
  private readonly onConnection = (socket: net.Socket): void => this.accept(socket);

  constructor(target: RequestCallback | RequestTarget, options: HTTPServerOptions = {}) {
    if (typeof target === "function") this.callback = target;
    else if (target && typeof target.handleRequest === "function") this.callback = (request) => target.handleRequest(request);
    else throw new TypeError("HTTPServer needs a callback or an object with handleRequest(request)");
    const seconds = (v: number | undefined, d: number): number => {
      const s = v ?? d;
      if (!(s > 0)) throw new RangeError("timeouts must be positive numbers of seconds");
      return s * 1000;
    };
    this.params = {
      noKeepAlive: options.noKeepAlive ?? false,
      maxHeaderSize: options.maxHeaderSize ?? 64 * 1024,
      maxBodySize: options.maxBodySize ?? 100 * 1024 * 1024,
      headerTimeout: seconds(options.headerTimeout, 60),
      bodyTimeout: seconds(options.bodyTimeout, 600),
      idleConnectionTimeout: seconds(options.idleConnectionTimeout, 65),
      decompressRequest: options.decompressRequest ?? false,
      xheaders: options.xheaders ?? false,
      trustedDownstream: new Set(options.trustedDownstream ?? []),
    };
    this.drainTimeout = seconds(options.drainTimeout, 10);
    this.maxWriteBufferSize = options.maxWriteBufferSize ?? 64 * 1024 * 1024;
    if (typeof target !== "function" && typeof target.startRequest === "function") {
      this.startRequest = (request) => target.startRequest!(request);
    }
    this.streamOptions = { maxWriteBufferSize: this.maxWriteBufferSize, maxBufferSize: this.params.maxBodySize + this.params.maxHeaderSize };
    this.ssl = options.ssl;
    this.secureContext = options.ssl ? tls.createSecureContext(options.ssl) : null;
  }

  /** Listens on `port` (0: any free port) and resolves once bound; EADDRINUSE rejects clearly. */
  listen(port: number, address?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer({ noDelay: true });
      const onError = (err: NodeJS.ErrnoException): void => {
        server.close();
        const where = `${port} on ${address ?? "all interfaces"}`;
        const message = err.code === "EADDRINUSE" ? `Port ${where} is already in use (EADDRINUSE)` : `Cannot listen on port ${where}: ${err.message}`;
        const wrapped = new Error(message) as NodeJS.ErrnoException;
        wrapped.code = err.code;
        wrapped.cause = err;
        reject(wrapped);
      };
      server.once("error", onError);
      server.listen(port, address, () => {
        server.off("error", onError);
        this.addSockets([server]);
        resolve();
      });
    });
  }

  /** Records a port to bind when `start()` runs (after forking, as node:cluster requires). */
  bind(port: number, address?: string): void {
    this.pendingBinds.push([port, address]);
  }

  /**
   * Binds what `bind()` recorded, first forking `numProcesses` workers when it is not 1 (0: one
   * per core). In the primary of a multi-process server this settles only when the workers are gone.
   */
  async start(numProcesses = 1): Promise<void> {
    if (numProcesses !== 1) {
      const id = await forkProcesses(numProcesses);
      if (id === null) return;
    }
    for (const [port, address] of this.pendingBinds.splice(0)) this.addSockets(await bindSockets(port, address));
  }

  /** Serves connections from already listening servers (e.g. from `bindSockets`). */
  addSockets(servers: readonly net.Server[]): void {
    if (this.stopping) throw new Error("addSockets called on a stopped HTTPServer");
    for (const server of servers) {
      this.servers.push(server);
      server.on("connection", this.onConnection);
      server.on("error", (err) => appLog.error("listening socket error", err));
    }
    this.startSweep();
  }

  /** The first listening address (for port 0), or null before listening. */
  address(): net.AddressInfo | null {
    for (const server of this.servers) {
      const a = server.address();
      if (a !== null && typeof a === "object") return a;
    }
    return null;
  }

  /**
   * Stops accepting, closes idle keep-alive connections, lets requests in flight finish (their
   * responses carry `Connection: close`), and after `drainTimeout` closes whatever is left.
   */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.draining = true;
    const closed = this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const conn of this.connections) conn.closeIfIdle();
    // Connections that have not sent a request yet get a moment to send it (it is then answered
    // with Connection: close), then go too.
    const freshTimer = setTimeout(() => { for (const conn of this.connections) conn.closeIfIdle(true); }, Math.min(FRESH_GRACE_MS, this.drainTimeout / 2));
    const drainTimer = setTimeout(() => this.closeAllConnections(), this.drainTimeout);
    this.stopping = Promise.all(closed).then(() => {
      clearTimeout(freshTimer);
      clearTimeout(drainTimer);
      this.stopSweep();
    });
    return this.stopping;
  }

  /** Drops every open connection at once, in flight or not. */
  closeAllConnections(): void {
    for (const conn of this.connections) conn.close();
  }

  /** Number of open connections. */
  get connectionCount(): number {
    return this.connections.size;
  }

  handleRequest(request: HTTPServerRequest): unknown {
    return this.callback(request);
  }

  reportError(message: string, err: unknown): void {
    try {
      appLog.error(message, err);
    } catch {
      // A failing log handler must not take the connection down with it.
    }
  }

  /** Access-logs a request the server refused before the application saw it, with its cause. */
  reportRefused(info: RefusedRequest): void {
    logRequest({ status: info.status, method: info.method, uri: info.uri, remoteIp: info.remoteIp, requestTime: info.requestTime, cause: info.cause });
  }

  connectionClosed(conn: HTTP1ServerConnection): void {
    this.connections.delete(conn);
  }

  private accept(socket: net.Socket): void {
    try {
      this.acceptOrThrow(socket);
    } catch (err) {
      // A connection that cannot even be set up costs that one connection, never the server.
      appLog.error("Cannot set up an incoming connection", err);
      socket.destroy();
    }
  }

  private acceptOrThrow(socket: net.Socket): void {
    if (this.draining) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    if (this.secureContext === null) {
      this.serve(socket, "http");
      return;
    }
    const ssl = this.ssl!;
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: this.secureContext,
      requestCert: ssl.requestCert,
      rejectUnauthorized: ssl.rejectUnauthorized,
      ALPNProtocols: ssl.ALPNProtocols,
      SNICallback: ssl.SNICallback,
    });
    const onHandshakeError = (): void => {
      secure.destroy();
      socket.destroy();
    };
    secure.on("error", onHandshakeError);
    socket.setTimeout(this.params.headerTimeout, onHandshakeError);
    secure.once("secure", () => {
      socket.setTimeout(0);
      socket.removeListener("timeout", onHandshakeError);
      secure.removeListener("error", onHandshakeError);
      if (this.draining) secure.destroy();
      else this.serve(secure, "https");
    });
  }

  private serve(socket: net.Socket, protocol: string): void {
    const stream = new IOStream(socket, this.streamOptions);
    const conn = new HTTP1ServerConnection(stream, this, protocol);
    this.connections.add(conn);
    conn.start();
  }

  /** One timer checks every connection's deadline: no timer per request. */
  private startSweep(): void {
    if (this.sweepTimer !== null) return;
    const p = this.params;
    const every = Math.min(1000, Math.max(10, Math.min(p.headerTimeout, p.bodyTimeout, p.idleConnectionTimeout) / 4));
    this.sweepTimer = setInterval(() => {
      const now = performance.now();
      for (const conn of this.connections) conn.checkTimeout(now);
    }, every);
    this.sweepTimer.unref();
  }

  private stopSweep(): void {
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
  }
}
