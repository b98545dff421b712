/**
 * The client side: `websocketConnect(url, options)` opens a connection (ws:// or wss://) and
 * resolves with a WebSocketClientConnection whose messages are read with `readMessage()` (or
 * pushed to `onMessage`), as Tornado's `websocket_connect`.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { HTTPHeaders, parseResponseStartLine } from "../httputil";
import { hasToken } from "../http1response";
import { IOStream } from "../iostream";
import { WebSocketConnection, type ConnectionHost } from "./connection";
import { checkDeflateAnswer, deflateOffer, type CompressionOptions } from "./deflate";
import { WebSocketClosedError, WebSocketHandshakeError } from "./errors";
import { DEFAULT_MAX_MESSAGE_SIZE, acceptKey, encodeMessage, newKey, type WebSocketMessage } from "./frames";

export interface WebSocketConnectOptions {
  /** Extra request headers (Cookie, Origin, Authorization …). */
  headers?: Record<string, string>;
  /** Subprotocols to offer, in order of preference. */
  subprotocols?: string[];
  /** Enables permessage-deflate (offered to the server; used if it agrees). */
  compressionOptions?: CompressionOptions;
  /** Seconds to wait for the connection and the handshake (default 20). */
  connectTimeout?: number;
  /** Largest incoming message in bytes (default 10 MiB); bigger closes with 1009. */
  maxMessageSize?: number;
  /** Seconds between keep-alive pings (default none) and the wait for their pong. */
  pingInterval?: number;
  pingTimeout?: number;
  /** Called with each message instead of queueing it for readMessage; null after close. */
  onMessage?: (message: string | Buffer | null) => unknown;
  /** TLS options for wss:// (ca, servername, rejectUnauthorized …). */
  tls?: tls.ConnectionOptions;
}

/**
 * Opens a WebSocket to `url`. Rejects with WebSocketHandshakeError when the server refuses the
 * upgrade (its status in `.status`), or with the network error.
 *
 * @example
 * const ws = await websocketConnect("ws://127.0.0.1:8888/echo");
 * await ws.writeMessage("hello");
 * console.log(await ws.readMessage()); // "hello"; null once closed
 * ws.close();
 */
export async function websocketConnect(url: string, options: WebSocketConnectOptions = {}): Promise<WebSocketClientConnection> {
  const target = new URL(url);
  const secure = target.protocol === "wss:" || target.protocol === "https:";
  if (!secure && target.protocol !== "ws:" && target.protocol !== "http:") throw new TypeError(`websocketConnect needs a ws:// or wss:// URL, got ${url}`);
  const port = Number(target.port || (secure ? 443 : 80));
  const hostname = target.hostname.replace(/^\[(.*)\]$/, "$1");
  const timeoutMs = (options.connectTimeout ?? 20) * 1000;

  const socket = secure
    ? tls.connect({ host: hostname, port, servername: net.isIP(hostname) ? undefined : hostname, ...options.tls })
    : net.connect({ host: hostname, port });
  const timer = setTimeout(() => socket.destroy(new WebSocketHandshakeError(0, `timed out connecting to ${url}`)), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(secure ? "secureConnect" : "connect", () => {
        socket.removeListener("error", reject);
        resolve();
      });
      socket.once("error", reject);
    });
    socket.setNoDelay(true);
    const stream = new IOStream(socket);
    const key = newKey();
    const lines = [
      `GET ${target.pathname || "/"}${target.search} HTTP/1.1`,
      `Host: ${target.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
    ];
    if (options.subprotocols?.length) lines.push(`Sec-WebSocket-Protocol: ${options.subprotocols.join(", ")}`);
    if (options.compressionOptions) lines.push(`Sec-WebSocket-Extensions: ${deflateOffer(options.compressionOptions)}`);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (/[\r\n]/.test(name + value)) throw new TypeError(`invalid header ${name}`);
      lines.push(`${name}: ${value}`);
    }
    await stream.write(lines.join("\r\n") + "\r\n\r\n");
    const head = (await stream.readUntil("\r\n\r\n", { maxBytes: 64 * 1024 })).toString("latin1");
    const eol = head.indexOf("\r\n");
    const start = parseResponseStartLine(head.slice(0, eol));
    const headers = HTTPHeaders.parse(head.slice(eol + 2, head.length - 4));
    if (start.code !== 101) {
      const length = Number(headers.get("Content-Length") ?? 0);
      const body = length > 0 && length <= 64 * 1024 ? await stream.readBytes(length).catch(() => undefined) : undefined;
      stream.close();
      throw new WebSocketHandshakeError(start.code, `WebSocket upgrade refused: ${start.code} ${start.reason}`, body);
    }
    const fail = (why: string): never => {
      stream.destroy();
      throw new WebSocketHandshakeError(101, `invalid WebSocket handshake: ${why}`);
    };
    if ((headers.get("Upgrade") ?? "").toLowerCase() !== "websocket") fail("Upgrade is not websocket");
    if (!hasToken(headers.get("Connection"), "upgrade")) fail("Connection is not Upgrade");
    if (headers.get("Sec-WebSocket-Accept") !== acceptKey(key)) fail("wrong Sec-WebSocket-Accept");
    const protocol = headers.get("Sec-WebSocket-Protocol") ?? null;
    if (protocol !== null && !(options.subprotocols ?? []).includes(protocol)) fail(`subprotocol ${protocol} was not offered`);
    let deflate = null;
    try {
      deflate = checkDeflateAnswer(headers.get("Sec-WebSocket-Extensions"), options.compressionOptions ?? {});
      if (deflate !== null && !options.compressionOptions) throw new Error("the server enabled compression we did not offer");
    } catch (err) {
      fail((err as Error).message);
    }
    const client = new WebSocketClientConnection(options.onMessage ?? null, protocol);
    const conn = new WebSocketConnection(stream, client, {
      isServer: false,
      maxMessageSize: options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE,
      pingInterval: (options.pingInterval ?? 0) * 1000,
      pingTimeout: (options.pingTimeout ?? Math.max(3 * (options.pingInterval ?? 0), 30)) * 1000,
      closeTimeout: 5000,
      deflate: deflate === null ? null : { negotiated: deflate, options: options.compressionOptions! },
    });
    client.attach(conn);
    conn.start();
    return client;
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * An open client connection. Messages queue for `readMessage()` one at a time: while one waits
 * unread, the next frame is not read (the server's writes then wait on TCP flow control).
 */
export class WebSocketClientConnection implements ConnectionHost {
  private conn!: WebSocketConnection;
  private readonly queued: (string | Buffer)[] = [];
  private readers: ((m: string | Buffer | null) => void)[] = [];
  private queueDrained: (() => void) | null = null;
  private closedFlag = false;
  private readonly closeWaiters: (() => void)[] = [];

  constructor(private readonly callback: ((message: string | Buffer | null) => unknown) | null, readonly selectedSubprotocol: string | null) {}

  /** @internal */
  attach(conn: WebSocketConnection): void {
    this.conn = conn;
  }

  /** The code of the server's close frame (null while open, or when it sent none). */
  get closeCode(): number | null {
    return this.conn.closeCode;
  }

  get closeReason(): string | null {
    return this.conn.closeReason;
  }

  /** Whether the connection is closed for good. */
  get closed(): boolean {
    return this.closedFlag;
  }

  /** Resolves with the next message, or null once the connection is closed. */
  readMessage(): Promise<string | Buffer | null> {
    if (this.queued.length > 0) {
      const message = this.queued.shift()!;
      const drained = this.queueDrained;
      this.queueDrained = null;
      drained?.();
      return Promise.resolve(message);
    }
    if (this.closedFlag) return Promise.resolve(null);
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** Sends a message (see WebSocketHandler.writeMessage); rejects with WebSocketClosedError when closed. */
  writeMessage(message: WebSocketMessage, options: { binary?: boolean } = {}): Promise<void> {
    const binary = options.binary ?? message instanceof Uint8Array;
    return this.conn.writeMessage(encodeMessage(message, binary), binary);
  }

  ping(data: Buffer | string = ""): Promise<void> {
    return this.conn.ping(data);
  }

  /** Starts the close handshake; `waitClosed()` resolves once it is over. */
  close(code?: number, reason?: string): void {
    this.conn.close(code, reason);
  }

  /** Resolves once the connection is closed. */
  waitClosed(): Promise<void> {
    if (this.closedFlag) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /** @internal */
  onMessage(message: string | Buffer): unknown {
    if (this.callback !== null) return this.callback(message);
    const reader = this.readers.shift();
    if (reader !== undefined) {
      reader(message);
      return undefined;
    }
    this.queued.push(message);
    return new Promise<void>((resolve) => (this.queueDrained = resolve));
  }

  /** @internal */
  onPing(): void {}

  /** @internal */
  onPong(): void {}

  /** @internal */
  onClose(): void {
    this.closedFlag = true;
    for (const reader of this.readers) reader(null);
    this.readers = [];
    this.queueDrained?.();
    this.queueDrained = null;
    if (this.callback !== null) {
      try {
        this.callback(null);
      } catch {
        // the connection is gone either way
      }
    }
    for (const waiter of this.closeWaiters.splice(0)) waiter();
  }
}

export { WebSocketClosedError };
