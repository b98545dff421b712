/**
 * toRequestListener: runs a tornado-ts Application inside someone else's `node:http` server (plain
 * `http.createServer`, `https`, Express, Fastify's raw routes, serverless runtimes that hand out
 * `(req, res)`). The seed's WSGIApplication, the other way round.
 *
 * What the host server controls, and the Application then does not see or set: keep-alive and
 * connection reuse, header size limits, header/request/idle timeouts, TLS, HTTP/2 (through the
 * compat API), `Date` and any headers the host adds, proxy trust (`X-Forwarded-*`: pass the
 * client's address via `remoteIp`), and request decompression. The body limit is ours
 * (`maxBodySize`, default 100 MiB → 413) because the body is read before the handler runs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HTTPHeaders, HTTPInputError, HTTPServerRequest, type HTTPConnection, type ResponseStartLine } from "../httputil";
import { appLog } from "../log";

/** What `toRequestListener` needs of an Application (any `handleRequest(request)` target works). */
export interface RequestTarget {
  handleRequest(request: HTTPServerRequest): unknown;
}

/** Options of `toRequestListener`. */
export interface RequestListenerOptions {
  /** Largest request body in bytes (default 100 MiB); larger bodies are answered 413. */
  maxBodySize?: number;
  /**
   * Which path the Application routes on when mounted under a prefix (Express `app.use("/tt", …)`):
   * `"original"` (default) routes on the URL the client sent (`req.originalUrl`), so the
   * Application's routes, `reverseUrl` and `staticUrl` include the prefix; `"mounted"` routes on
   * `req.url` with the prefix stripped.
   */
  path?: "original" | "mounted";
  /** The client's address, when the host knows better than the socket (e.g. Express `req.ip`). */
  remoteIp?: (req: IncomingMessage) => string | undefined;
}

/** The `(req, res)` function a Node HTTP server (or an Express `app.use`) calls. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * Wraps an Application (or any `handleRequest` target) as a `node:http` request listener.
 *
 * @example
 * const app = new Application([MainHandler]);
 * http.createServer(toRequestListener(app)).listen(8888);
 * // or inside Express, with routes declared under /tt:
 * express().use("/tt", toRequestListener(app));
 */
export function toRequestListener(target: RequestTarget, options: RequestListenerOptions = {}): NodeRequestListener {
  if (!target || typeof target.handleRequest !== "function") throw new TypeError("toRequestListener needs an Application (an object with handleRequest(request))");
  const maxBodySize = options.maxBodySize ?? 100 * 1024 * 1024;
  const useMounted = options.path === "mounted";
  return (req, res) => {
    readBody(req, maxBodySize).then(
      (body) => serve(target, req, res, body, useMounted, options.remoteIp),
      (err: unknown) => answerBare(res, err instanceof HTTPInputError ? err.status : 400, err),
    );
  };
}

function serve(
  target: RequestTarget,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  useMounted: boolean,
  remoteIpOf: RequestListenerOptions["remoteIp"],
): void {
  const headers = new HTTPHeaders();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.add(raw[i], raw[i + 1]);
  if (headers.has("Transfer-Encoding")) {
    // The host already removed the chunked framing: what the handler sees is the whole body.
    headers.delete("Transfer-Encoding");
    headers.set("Content-Length", String(body.length));
  }
  const originalUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl;
  const uri = (!useMounted && originalUrl) || req.url || "/";
  const socket = req.socket as (IncomingMessage["socket"] & { encrypted?: boolean }) | undefined;
  let remoteIp = remoteIpOf?.(req) ?? socket?.remoteAddress ?? "127.0.0.1";
  if (remoteIp.startsWith("::ffff:") && remoteIp.includes(".")) remoteIp = remoteIp.slice(7);
  const connection = new NodeResponseConnection(res);
  const request = new HTTPServerRequest({
    method: req.method ?? "GET",
    uri,
    version: "HTTP/" + (req.httpVersion || "1.1"),
    headers,
    body,
    remoteIp,
    protocol: socket?.encrypted ? "https" : "http",
    host: headers.get("Host") ?? req.headers[":authority"]?.toString(),
    connection,
  });
  try {
    if (body.length > 0 && (headers.get("Content-Type") ?? "").toLowerCase().startsWith("multipart/form-data")) void request.files;
  } catch (err) {
    answerBare(res, 400, err);
    return;
  }
  let result: unknown;
  try {
    result = target.handleRequest(request);
  } catch (err) {
    connection.failed(err);
    return;
  }
  if (result instanceof Promise) result.catch((err: unknown) => connection.failed(err));
}

/** Reads the whole request body, refusing more than `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) return Promise.reject(new HTTPInputError("body larger than maxBodySize", 413));
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        reject(new HTTPInputError("body larger than maxBodySize", 413));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function answerBare(res: ServerResponse, status: number, err: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (status >= 500) appLog.error("Cannot read the request", err);
  const text = `${status}: ${err instanceof Error ? err.message : "bad request"}`;
  res.writeHead(status, { "Content-Type": "text/plain; charset=UTF-8", "Content-Length": Buffer.byteLength(text), Connection: "close" });
  res.end(text);
}

/**
 * The HTTPConnection a handler writes through when its request came from a Node server: maps
 * writeHeaders/write/finish onto the `ServerResponse`, with write promises that settle once the
 * host's socket took the bytes (so a handler that awaits `flush()` is flow-controlled).
 */
export class NodeResponseConnection implements HTTPConnection {
  private closeCallback: (() => void) | null = null;
  private finished = false;

  constructor(private readonly res: ServerResponse) {
    res.on("close", () => {
      const fn = this.closeCallback;
      this.closeCallback = null;
      if (fn && !this.finished) fn();
    });
  }

  writeHeaders(startLine: ResponseStartLine, headers: HTTPHeaders, chunk?: Buffer | string): Promise<void> {
    const res = this.res;
    if (res.headersSent) return Promise.reject(new Error("writeHeaders called after the response started"));
    const grouped = new Map<string, string[]>();
    for (const [name, value] of headers) {
      const lower = name.toLowerCase();
      // Hop-by-hop framing belongs to the host server, which frames the body itself.
      if (lower === "transfer-encoding" || lower === "connection" || lower === "keep-alive") continue;
      const list = grouped.get(name);
      if (list) list.push(value);
      else grouped.set(name, [value]);
    }
    res.statusCode = startLine.code;
    if (startLine.reason) res.statusMessage = startLine.reason;
    for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? values[0] : values);
    if (chunk !== undefined && chunk.length > 0) return this.write(chunk);
    res.flushHeaders();
    return RESOLVED;
  }

  write(chunk: Buffer | string): Promise<void> {
    const res = this.res;
    if (this.finished) return Promise.reject(new Error("write called after finish"));
    if (res.destroyed) return Promise.reject(new Error("the client closed the connection"));
    if (chunk.length === 0) return RESOLVED;
    return new Promise((resolve, reject) => {
      res.write(chunk, (err) => (err ? reject(err) : resolve()));
    });
  }

  finish(): void {
    if (this.finished) throw new Error("finish called twice");
    this.finished = true;
    this.closeCallback = null;
    this.res.end();
  }

  setCloseCallback<T>(fn: ((this: T) => void) | null, receiver?: T): void {
    this.closeCallback = fn === null ? null : () => fn.call(receiver as T);
  }

  /** The application threw past its own error handling: answer 500 if we still can, else drop. */
  failed(err: unknown): void {
    appLog.error("Uncaught exception in request handler", err);
    if (this.finished) return;
    this.finished = true;
    answerBare(this.res, 500, new Error("Internal Server Error"));
  }
}
