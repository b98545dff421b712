/**
 * WebSocketHandler: Tornado 6's WebSocketHandler, camelCased. The upgrade is an ordinary GET
 * through the Application (routes, `prepare`, `@Authenticated` and cookies all apply); once the
 * 101 is written, the handler speaks RFC 6455 on the request's own connection.
 */
import { hasToken } from "../http1response";
import { appLog } from "../log";
import { RequestHandler } from "../web/handler";
import { WebSocketConnection } from "./connection";
import { acceptDeflateOffer, type CompressionOptions } from "./deflate";
import { WebSocketClosedError } from "./errors";
import { DEFAULT_MAX_MESSAGE_SIZE, KEY_RE, Opcode, acceptKey, encodeMessage, serverFrame, type WebSocketMessage } from "./frames";

const CLOSE_TIMEOUT_MS = 5000;

/**
 * Subclass it and override `open`, `onMessage` and `onClose`. Route it like any handler.
 *
 * Settings read: `websocketPingInterval` and `websocketPingTimeout` (seconds; pings off by
 * default; the timeout defaults to max(3 × interval, 30)), `websocketMaxMessageSize` (bytes,
 * default 10 MiB; a bigger message closes the connection with 1009).
 *
 * @example
 * @Route("/echo")
 * class EchoSocket extends WebSocketHandler {
 *   open() { console.log("opened"); }
 *   onMessage(message: string | Buffer) { return this.writeMessage(message, { binary: Buffer.isBuffer(message) }); }
 *   onClose() { console.log("closed", this.closeCode); }
 * }
 */
export class WebSocketHandler<User = unknown> extends RequestHandler<User> {
  /** The live connection once the handshake is done (null before, and in an in-memory test). */
  wsConnection: WebSocketConnection | null = null;
  private subprotocol: string | null = null;
  private opened = false;

  // ---- hooks -------------------------------------------------------------------------------

  /** Hook: the connection is open; receives the path arguments. May be async: messages wait. */
  open(..._args: unknown[]): void | Promise<void> {}

  /** Hook: a message arrived (a string for text, a Buffer for binary). A returned promise holds back the next one. */
  onMessage(_message: string | Buffer): void | Promise<void> {}

  /** Hook: the connection closed; `closeCode` and `closeReason` hold the peer's close frame. */
  onClose(): void {}

  /** Hook: a ping arrived (the pong is sent automatically). */
  onPing(_data: Buffer): void {}

  /** Hook: a pong arrived. */
  onPong(_data: Buffer): void {}

  /**
   * Hook: whether to accept a connection from `origin`. The default accepts only the same host
   * (the Origin's host:port equals the request's Host), which stops other sites' pages from
   * opening sockets with the user's cookies. Override to allow more.
   */
  checkOrigin(origin: string): boolean {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return false;
    }
    return host !== "" && host.toLowerCase() === (this.request.host ?? "").toLowerCase();
  }

  /** Hook: picks one of the subprotocols the client offered, or null for none. */
  selectSubprotocol(_subprotocols: string[]): string | null {
    return null;
  }

  /**
   * Hook: options to enable permessage-deflate, or null (the default) to run uncompressed.
   *
   * @example
   * getCompressionOptions() { return { compressionLevel: 6, memLevel: 7, maxWindowBits: 12 }; }
   */
  getCompressionOptions(): CompressionOptions | null {
    return null;
  }

  /** Largest incoming message in bytes (`websocketMaxMessageSize`); bigger closes with 1009. */
  get maxMessageSize(): number {
    return (this.settings.websocketMaxMessageSize as number | undefined) ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  /** Seconds between keep-alive pings (`websocketPingInterval`); 0 for none. */
  get pingInterval(): number {
    return (this.settings.websocketPingInterval as number | undefined) ?? 0;
  }

  /** Seconds a ping may wait for its pong (`websocketPingTimeout`) before the connection drops. */
  get pingTimeout(): number {
    return (this.settings.websocketPingTimeout as number | undefined) ?? Math.max(3 * this.pingInterval, 30);
  }

  // ---- the connection ----------------------------------------------------------------------

  /** The subprotocol `selectSubprotocol` chose, or null. */
  get selectedSubprotocol(): string | null {
    return this.subprotocol;
  }

  /** The code of the peer's close frame, once closed (null when it sent none). */
  get closeCode(): number | null {
    return this.wsConnection?.closeCode ?? null;
  }

  /** The reason of the peer's close frame, once closed. */
  get closeReason(): string | null {
    return this.wsConnection?.closeReason ?? null;
  }

  /**
   * Sends a message: a string as text, a Buffer as binary, an object as JSON text; `binary`
   * chooses the frame type explicitly (a Buffer sent with `binary: false` must be UTF-8).
   * Settles when the frame is handed to the socket; rejects with WebSocketClosedError once the
   * connection is closed. Ignoring the promise is safe: a failure is never an unhandled rejection.
   *
   * @example
   * await this.writeMessage({ type: "new", id: 7 });
   */
  writeMessage(message: WebSocketMessage, options?: { binary?: boolean }): Promise<void> {
    const conn = this.wsConnection;
    if (conn === null) return notOpen();
    const binary = options?.binary ?? message instanceof Uint8Array;
    return conn.writeMessage(encodeMessage(message, binary), binary);
  }

  /**
   * Sends one message to many sockets, framing it once: every uncompressed socket gets the same
   * Buffer (one allocation and copy for all, not one per socket). Sockets where permessage-deflate
   * would compress the message get their own compressed frame, as with `writeMessage`. Closed and
   * not-yet-open sockets are skipped; write failures are ignored (the socket's `onClose` reports
   * them). Returns how many sockets it was sent to.
   *
   * @example
   * const rooms = new Map<string, Set<ChatSocket>>();
   * WebSocketHandler.broadcast(rooms.get("lobby") ?? [], { type: "join", name });
   */
  static broadcast(sockets: Iterable<WebSocketHandler>, message: WebSocketMessage, options?: { binary?: boolean }): number {
    const binary = options?.binary ?? message instanceof Uint8Array;
    const data = encodeMessage(message, binary);
    let frame: Buffer | null = null;
    let sent = 0;
    for (const socket of sockets) {
      const conn = socket.wsConnection;
      if (conn === null || !conn.open) continue;
      if (conn.compresses(data)) void conn.writeMessage(data, binary);
      else void conn.writeFrame((frame ??= serverFrame(binary ? Opcode.Binary : Opcode.Text, data, false)));
      sent++;
    }
    return sent;
  }

  /** Sends a ping; `onPong` gets the answer. */
  ping(data: Buffer | string = ""): Promise<void> {
    if (this.wsConnection === null) return notOpen();
    return this.wsConnection.ping(data);
  }

  /** Starts the close handshake with an optional code (1000, 3000-4999 …) and reason. */
  close(code?: number, reason?: string): void {
    this.wsConnection?.close(code, reason);
  }

  /** Turns Nagle's algorithm off (true) or on for this connection's socket. */
  setNodelay(value: boolean): void {
    this.wsConnection?.stream.setNoDelay(value);
  }

  // ---- the handshake -----------------------------------------------------------------------

  /** The upgrade request (RFC 6455 §4.2). Answers 400/403/426 when it is not an acceptable one. */
  async get(...args: unknown[]): Promise<void> {
    const headers = this.request.headers;
    if ((headers.get("Upgrade") ?? "").trim().toLowerCase() !== "websocket") return this.refuse(400, 'Can "Upgrade" only to "WebSocket".');
    if (!hasToken(headers.get("Connection"), "upgrade")) return this.refuse(400, '"Connection" must be "Upgrade".');
    if (this.request.version === "HTTP/1.0") return this.refuse(400, "WebSocket needs HTTP/1.1.");
    const origin = headers.get("Origin") ?? headers.get("Sec-Websocket-Origin");
    if (origin !== undefined && !this.checkOrigin(origin)) return this.refuse(403, "Cross origin websockets not allowed");
    if (headers.get("Sec-WebSocket-Version") !== "13") {
      this.setHeader("Sec-WebSocket-Version", "13");
      return this.refuse(426, "Only WebSocket version 13 is supported.");
    }
    const key = headers.get("Sec-WebSocket-Key")?.trim();
    if (key === undefined || !KEY_RE.test(key)) return this.refuse(400, "Missing or invalid Sec-WebSocket-Key.");
    const connection = this.request.connection;
    if (connection?.detach === undefined) throw new Error("WebSocketHandler needs a live connection (not an in-memory request)");

    const offered = headers.getList("Sec-WebSocket-Protocol").join(",").split(",").map((p) => p.trim()).filter((p) => p !== "");
    if (offered.length > 0) {
      const chosen = this.selectSubprotocol(offered);
      if (chosen !== null && !offered.includes(chosen)) throw new Error(`selectSubprotocol returned ${chosen}, which the client did not offer`);
      this.subprotocol = chosen;
    }
    const compression = this.getCompressionOptions();
    const deflate = compression === null ? null : acceptDeflateOffer(headers.getList("Sec-WebSocket-Extensions").join(","), compression);

    this.setStatus(101);
    this.clearHeader("Content-Type");
    this.setHeader("Upgrade", "websocket");
    this.setHeader("Connection", "Upgrade");
    this.setHeader("Sec-WebSocket-Accept", acceptKey(key));
    if (this.subprotocol !== null) this.setHeader("Sec-WebSocket-Protocol", this.subprotocol);
    if (deflate !== null) this.setHeader("Sec-WebSocket-Extensions", deflate.header);
    const stream = connection.detach();
    await this.finish();
    // The HTTP exchange is over: let its response and connection objects go (about 0.3 KB per
    // open socket); the request itself (headers, cookies, arguments) stays for the handler.
    this.request.connection = undefined;

    const conn = new WebSocketConnection(stream, this, {
      isServer: true,
      maxMessageSize: this.maxMessageSize,
      pingInterval: this.pingInterval * 1000,
      pingTimeout: this.pingTimeout * 1000,
      closeTimeout: CLOSE_TIMEOUT_MS,
      deflate: deflate === null ? null : { negotiated: deflate, options: compression! },
    });
    this.wsConnection = conn;
    try {
      await this.open(...args);
    } catch (err) {
      appLog.error(`Uncaught exception in ${this.constructor.name}.open`, err);
      conn.abort();
    }
    this.opened = true;
    conn.start();
  }

  /** Whether `open` has run (messages are delivered only after it). */
  get isOpen(): boolean {
    return this.opened && this.wsConnection !== null && this.wsConnection.open;
  }

  private refuse(status: number, message: string): void {
    this.setStatus(status);
    void this.finish(message);
  }
}

function notOpen(): Promise<void> {
  const p = Promise.reject(new WebSocketClosedError("WebSocket is not open"));
  p.catch(() => undefined);
  return p;
}
