/**
 * One WebSocket connection on an IOStream, either side: the read loop feeding the Receiver,
 * message and control frame writes (compressed when negotiated, kept in order), keep-alive pings,
 * and the close handshake. WebSocketHandler and the client put their public faces on it.
 */
import { WRITTEN, type IOStream } from "../iostream";
import { appLog, genLog } from "../log";
import { CloseCode, MAX_CONTROL_PAYLOAD, Opcode, closePayload, frameHead, applyMask, newMask, serverFrame } from "./frames";
import { WebSocketClosedError, type WebSocketProtocolError } from "./errors";
import { MessageCompressor, MessageDecompressor, type CompressionOptions, type NegotiatedDeflate } from "./deflate";
import { Receiver, type ReceiverEvents } from "./receiver";

/** What a connection reports to its owner (the handler, or the client object). */
export interface ConnectionHost {
  /** A complete message; a returned promise holds back the next frame until it settles. */
  onMessage(message: string | Buffer): unknown;
  onPing(data: Buffer): void;
  onPong(data: Buffer): void;
  /** Runs once, when the connection is closed for good. */
  onClose(): void;
}

export interface ConnectionOptions {
  /** Server side: expects masked frames and sends unmasked ones; the client the reverse. */
  isServer: boolean;
  maxMessageSize: number;
  /** Milliseconds between keep-alive pings; 0 for none. */
  pingInterval: number;
  /** Milliseconds a ping may wait for its pong before the connection is dropped. */
  pingTimeout: number;
  /** Milliseconds to wait for the peer's side of the close handshake. */
  closeTimeout: number;
  deflate: { negotiated: NegotiatedDeflate; options: CompressionOptions } | null;
}

/** Payloads up to this size are copied behind their head: one socket write beats a writev of two. */
const COALESCE_LIMIT = 16 * 1024;
const READ_CHUNK = 256 * 1024;
const noop = (): void => undefined;

/** Hands the parser whatever is buffered, up to READ_CHUNK bytes (views, no copy). */
function anyBytes(_buf: Buffer, from: number, end: number): number {
  return end > from ? Math.min(end, from + READ_CHUNK) : -1;
}

export class WebSocketConnection implements ReceiverEvents {
  /** The code of the peer's close frame (null when it sent none or the connection dropped). */
  closeCode: number | null = null;
  /** The reason of the peer's close frame. */
  closeReason: string | null = null;

  private readonly receiver: Receiver;
  private readonly compressor: MessageCompressor | null;
  private readonly decompressor: MessageDecompressor | null;
  private closeSent = false;
  private closeReceived = false;
  private closed = false;
  /** Sends waiting for a compression in progress, so frames leave in the order they were asked for. */
  private queue: (() => void)[] | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;

  constructor(readonly stream: IOStream, private readonly host: ConnectionHost, private readonly options: ConnectionOptions) {
    const deflate = options.deflate;
    this.compressor = deflate ? new MessageCompressor(deflate.negotiated, deflate.options) : null;
    this.decompressor = deflate ? new MessageDecompressor() : null;
    this.receiver = new Receiver(this, { expectMasked: options.isServer, maxMessageSize: options.maxMessageSize, inflater: this.decompressor });
    stream.setCloseCallback(this.onStreamClosed, this);
  }

  /** Starts reading frames (and pinging, when configured). */
  start(): void {
    if (this.stream.closed()) {
      this.onStreamClosed();
      return;
    }
    if (this.options.pingInterval > 0) {
      this.pingTimer = setInterval(() => this.keepAlivePing(), this.options.pingInterval);
      this.pingTimer.unref();
    }
    this.readMore();
  }

  /** Whether the connection can still send messages (no close sent or received). */
  get open(): boolean {
    return !this.closed && !this.closeSent && !this.closeReceived;
  }

  /**
   * Sends a message: text for a string, binary for a Buffer. Settles once the frame is handed
   * to the socket (after compression, if any); rejects with WebSocketClosedError when closed.
   */
  writeMessage(message: string | Buffer, binary: boolean): Promise<void> {
    if (!this.open) return rejected(new WebSocketClosedError());
    const opcode = binary ? Opcode.Binary : Opcode.Text;
    const compressor = this.compressor;
    if (compressor !== null && this.compresses(message)) {
      const data = typeof message === "string" ? Buffer.from(message, "utf8") : message;
      return this.whenIdle(() => this.compressAndSend(opcode, data));
    }
    if (this.queue === null) return this.sendFrame(opcode, message, false);
    return this.whenIdle(() => this.sendFrame(opcode, message, false));
  }

  /** Whether `message` would be sent compressed (permessage-deflate negotiated and over its threshold). */
  compresses(message: string | Buffer): boolean {
    const compressor = this.compressor;
    return compressor !== null && compressor.wants(typeof message === "string" ? Buffer.byteLength(message) : message.length);
  }

  /**
   * Sends a whole server frame built once for many connections (see WebSocketHandler.broadcast),
   * in order with this connection's other messages. Server side only.
   */
  writeFrame(frame: Buffer): Promise<void> {
    if (!this.open) return rejected(new WebSocketClosedError());
    if (!this.options.isServer) throw new Error("writeFrame sends unmasked server frames; a client must mask");
    if (this.queue === null) return this.writeBytes(frame);
    return this.whenIdle(() => this.writeBytes(frame));
  }

  /** Sends a ping with up to 125 bytes of payload. */
  ping(data: Buffer | string = ""): Promise<void> {
    const payload = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (payload.length > MAX_CONTROL_PAYLOAD) throw new RangeError("a ping payload may be at most 125 bytes");
    if (!this.open) return rejected(new WebSocketClosedError());
    return this.whenIdle(() => this.sendFrame(Opcode.Ping, payload, false));
  }

  /**
   * Starts the close handshake: sends a close frame and closes the stream once the peer
   * answered (or after `closeTimeout`). Safe to call more than once.
   */
  close(code?: number, reason?: string): void {
    if (this.closed || this.closeSent) return;
    const payload = closePayload(code, reason);
    this.closeSent = true;
    void this.whenIdle(() => this.sendFrame(Opcode.Close, payload, false)).catch(noop);
    if (this.closeReceived) {
      this.finishClose();
    } else {
      this.closeTimer = setTimeout(() => this.stream.destroy(), this.options.closeTimeout);
      this.closeTimer.unref();
    }
  }

  /** Drops the connection at once, without a close handshake. */
  abort(): void {
    this.stream.destroy();
  }

  // ---- receiver events ---------------------------------------------------------------------

  onFrameMessage(data: string | Buffer): unknown {
    if (this.closeSent) return undefined; // we are closing: RFC 6455 §1.4 lets us discard data
    let result: unknown;
    try {
      result = this.host.onMessage(data);
    } catch (err) {
      this.applicationError(err);
      return undefined;
    }
    if (result instanceof Promise) return result.catch((err: unknown) => this.applicationError(err));
    return result;
  }

  onFramePing(data: Buffer): void {
    if (!this.closeSent) void this.whenIdle(() => this.sendFrame(Opcode.Pong, data, false)).catch(noop);
    this.callHost("onPing", data);
  }

  onFramePong(data: Buffer): void {
    if (this.pongTimer !== null) clearTimeout(this.pongTimer);
    this.pongTimer = null;
    this.callHost("onPong", data);
  }

  onFrameClose(code: number | null, reason: string): void {
    this.closeCode = code;
    this.closeReason = reason;
    this.closeReceived = true;
    if (!this.closeSent) {
      this.close(code ?? undefined); // echo the peer's code (RFC 6455 §5.5.1)
    } else {
      this.finishClose();
    }
  }

  onFrameError(err: WebSocketProtocolError): void {
    genLog.info(`WebSocket failed with ${err.closeCode}: ${err.message}`);
    if (!this.closeSent) {
      this.closeSent = true;
      const reason = err.message.length <= 123 ? err.message : err.message.slice(0, 120) + "...";
      void this.whenIdle(() => this.sendFrame(Opcode.Close, closePayload(err.closeCode, reason), false)).catch(noop);
    }
    this.stream.close(); // written frames still go out; the socket then ends
  }

  onFrameNeedData(): void {
    this.readMore();
  }

  // ---- reading -----------------------------------------------------------------------------

  private readMore(): void {
    if (this.closed || this.stream.reading() || this.receiver.paused) return;
    this.stream.readUntilMatchThen(anyBytes, 0, READ_CHUNK, this.onBytes, this.onReadError, this);
  }

  private onBytes(chunk: Buffer): void {
    this.receiver.push(chunk);
  }

  private onReadError(): void {
    this.stream.close();
  }

  // ---- writing -----------------------------------------------------------------------------

  /** Runs `send` now, or after the compression in progress (keeping frames in order). */
  private whenIdle(send: () => Promise<void>): Promise<void> {
    if (this.queue === null) return send();
    return handled(new Promise<void>((resolve, reject) => this.queue!.push(() => void send().then(resolve, reject))));
  }

  private compressAndSend(opcode: Opcode, data: Buffer): Promise<void> {
    this.queue = [];
    return handled(new Promise<void>((resolve, reject) => {
      this.compressor!.compress(data, (err, out) => {
        const waiting = this.queue ?? [];
        this.queue = null;
        if (err || this.closed) reject(new WebSocketClosedError());
        else this.sendFrame(opcode, out!, true).then(resolve, reject);
        for (let i = 0; i < waiting.length; i++) {
          if (this.queue !== null) {
            // A queued send started another compression: the rest waits behind it, in order.
            (this.queue as (() => void)[]).push(...waiting.slice(i));
            return;
          }
          waiting[i]();
        }
      });
    }));
  }

  /**
   * Writes one unfragmented frame; masks it on the client side (on a copy of the payload). The
   * returned promise never goes unhandled: a caller may ignore it.
   */
  private sendFrame(opcode: Opcode, payload: string | Buffer, compressed: boolean): Promise<void> {
    if (this.closed || this.stream.closed()) return rejected(new WebSocketClosedError());
    if (this.options.isServer) {
      if (typeof payload === "string" || payload.length <= COALESCE_LIMIT) return this.writeBytes(serverFrame(opcode, payload, compressed));
      return settled(this.stream.writev([frameHead(opcode, payload.length, true, compressed, null), payload]));
    }
    const data = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
    const mask = newMask();
    applyMask(data, mask);
    return settled(this.stream.writev([frameHead(opcode, data.length, true, compressed, mask), data]));
  }

  private writeBytes(bytes: Buffer): Promise<void> {
    if (this.closed || this.stream.closed()) return rejected(new WebSocketClosedError());
    return settled(this.stream.write(bytes));
  }

  // ---- keep-alive and closing ------------------------------------------------------------

  private keepAlivePing(): void {
    if (!this.open || this.pongTimer !== null) return;
    this.ping().catch(noop);
    this.pongTimer = setTimeout(() => {
      genLog.info("WebSocket ping timed out; dropping the connection");
      this.abort();
    }, this.options.pingTimeout);
    this.pongTimer.unref();
  }

  /** Both close frames are exchanged: the server closes TCP; the client gives it time to. */
  private finishClose(): void {
    if (this.options.isServer) {
      this.stream.close();
      return;
    }
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    this.closeTimer = setTimeout(() => this.stream.destroy(), this.options.closeTimeout);
    this.closeTimer.unref();
  }

  private applicationError(err: unknown): void {
    appLog.error("Uncaught exception in a WebSocket message handler", err);
    if (this.open) this.close(CloseCode.InternalError);
  }

  private callHost(method: "onPing" | "onPong", data: Buffer): void {
    try {
      this.host[method](data);
    } catch (err) {
      this.applicationError(err);
    }
  }

  private onStreamClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.receiver.stop();
    for (const timer of [this.pingTimer, this.pongTimer, this.closeTimer]) if (timer !== null) clearTimeout(timer);
    this.pingTimer = this.pongTimer = this.closeTimer = null;
    this.compressor?.close();
    this.decompressor?.close();
    const waiting = this.queue;
    this.queue = null;
    if (waiting) for (const send of waiting) send(); // each fails with WebSocketClosedError
    try {
      this.host.onClose();
    } catch (err) {
      appLog.error("Exception in a WebSocket onClose", err);
    }
  }
}

/** A stream write's promise as ours: WebSocketClosedError on failure, never an unhandled rejection. */
function settled(write: Promise<void>): Promise<void> {
  if (write === WRITTEN) return write; // the usual case: no promise allocated per message
  return handled(write.then(undefined, toClosedError));
}

function toClosedError(): never {
  throw new WebSocketClosedError();
}

function handled(p: Promise<void>): Promise<void> {
  p.catch(noop);
  return p;
}

function rejected(err: Error): Promise<void> {
  const p = Promise.reject(err);
  p.catch(noop);
  return p;
}
