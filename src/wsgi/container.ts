/**
 * NodeHandlerContainer: serves an existing `(req, res)` app (Express, Koa's callback, a plain
 * `node:http` listener) from tornado-ts's own HTTPServer, the way Tornado's WSGIContainer serves
 * a WSGI app. Each request runs through Node's real HTTP parser and ServerResponse on an
 * in-memory socket, so the app gets genuine IncomingMessage/ServerResponse objects; the bytes
 * Node writes go to the client unchanged.
 */
import * as http from "node:http";
import { Duplex } from "node:stream";
import type { HTTPServerRequest } from "../httputil";
import { appLog } from "../log";
import type { RequestTarget } from "./listener";

/** A Node request listener, e.g. an Express app. */
export type NodeListener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

// Framing and hop-by-hop fields of the original request: the body reaches the container whole,
// and our server already answered any `Expect: 100-continue`.
const DROPPED_HEADERS = new Set(["content-length", "transfer-encoding", "expect", "keep-alive"]);
const HEADER_VALUE_BAD = /[\r\n\0]/;

/**
 * An in-memory socket: what Node's server writes goes to `sink`, what we push is the request.
 * Carries the peer address fields Express and friends read (`req.socket.remoteAddress`, `encrypted`).
 */
class MemorySocket extends Duplex {
  remoteAddress: string;
  remotePort = 0;
  encrypted: boolean | undefined;
  written = 0;
  /** Called with the response Node created for the request on this socket. */
  onResponse: ((res: http.ServerResponse) => void) | null = null;

  constructor(request: HTTPServerRequest, private readonly sink: (chunk: Buffer) => Promise<void>) {
    super({ allowHalfOpen: true });
    this.remoteAddress = request.remoteIp;
    this.encrypted = request.protocol === "https" ? true : undefined;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.written += chunk.length;
    this.sink(chunk).then(() => callback(), (err: Error) => callback(err));
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    const buf = Buffer.concat(chunks.map((c) => c.chunk));
    this._write(buf, "latin1", callback);
  }

  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/**
 * Serves a Node `(req, res)` app as a tornado-ts request target: pass it to an HTTPServer, or
 * to a `FallbackHandler` route next to native handlers.
 *
 * @example
 * const legacy = new NodeHandlerContainer(expressApp);
 * const app = new Application([
 *   [String.raw`/legacy(?:/.*)?`, FallbackHandler, { fallback: legacy }],
 *   MainHandler,
 * ]);
 * // or the whole server: new HTTPServer(legacy).listen(8080);
 */
export class NodeHandlerContainer implements RequestTarget {
  private readonly server: http.Server;

  constructor(listener: NodeListener, options: { maxHeaderSize?: number } = {}) {
    if (typeof listener !== "function") throw new TypeError("NodeHandlerContainer needs a (req, res) listener, e.g. an Express app");
    this.server = http.createServer({ maxHeaderSize: options.maxHeaderSize ?? 64 * 1024 }, listener);
    // Our HTTPServer enforces the timeouts; Node's own would only see an in-memory socket.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 0;
    this.server.timeout = 0;
    this.server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket as unknown as MemorySocket;
      const onResponse = socket.onResponse;
      socket.onResponse = null;
      onResponse?.(res);
    });
  }

  /** Runs one request through the Node app; resolves once its response is complete. */
  handleRequest(request: HTTPServerRequest): Promise<void> {
    const connection = request.connection;
    if (!connection) return Promise.reject(new Error("NodeHandlerContainer needs a request with a connection"));
    return new Promise<void>((resolve) => {
      let done = false;
      const socket = new MemorySocket(request, (chunk) => (done ? Promise.resolve() : connection.write(chunk)));
      const end = (): void => {
        if (done) return;
        done = true;
        connection.setCloseCallback(null);
        if (socket.written === 0) {
          // The app never answered (it crashed or destroyed the response): answer for it.
          void connection.write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
        connection.finish();
        socket.destroy();
        resolve();
      };
      connection.setCloseCallback(() => {
        done = true;
        socket.destroy(); // the app sees 'close' on req and res: long polls clean up
        resolve();
      });
      socket.onResponse = (res) => {
        res.once("finish", () => setImmediate(end));
        res.once("close", () => setImmediate(end));
      };
      socket.on("error", (err) => appLog.debug(`NodeHandlerContainer socket: ${String(err)}`));
      socket.once("close", () => setImmediate(end));
      this.server.emit("connection", socket);
      socket.push(serializeHead(request));
      if (request.body.length > 0) socket.push(request.body);
    });
  }
}

/** The request as Node's parser expects it: our parsed head, with the body framed by length. */
function serializeHead(request: HTTPServerRequest): Buffer {
  const version = request.version === "HTTP/1.0" ? "HTTP/1.0" : "HTTP/1.1";
  let head = `${request.method} ${asciiTarget(request.uri)} ${version}\r\n`;
  for (const [name, value] of request.headers) {
    if (DROPPED_HEADERS.has(name.toLowerCase()) || HEADER_VALUE_BAD.test(value)) continue;
    head += `${name}: ${value}\r\n`;
  }
  if (request.body.length > 0 || !["GET", "HEAD", "DELETE", "OPTIONS"].includes(request.method)) head += `Content-Length: ${request.body.length}\r\n`;
  return Buffer.from(head + "\r\n", "latin1");
}

// Our parser turned bytes past 0x7f in the target into UTF-8 text; Node's wants them escaped.
function asciiTarget(uri: string): string {
  return uri.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}
