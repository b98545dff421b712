/**
 * IOStream: promise-returning reads and writes over a `net.Socket` (or `tls.TLSSocket`), with
 * bounded buffers in both directions. One read may be pending at a time.
 */
import * as net from "node:net";
import * as tls from "node:tls";

import { StreamClosedError, StreamBufferFullError, UnsatisfiableReadError } from "./iostream_types";
import type { IOStreamOptions, MatchFinder, ReadBytesOptions, ReadUntilOptions } from "./iostream_types";

export { StreamClosedError, StreamBufferFullError, UnsatisfiableReadError } from "./iostream_types";
export type { IOStreamOptions, MatchFinder, ReadBytesOptions, ReadUntilOptions } from "./iostream_types";

type Callback<T> = (value: T) => void;

const EMPTY = Buffer.alloc(0);
const RESOLVED: Promise<void> = Promise.resolve();
/**
 * What `write` returns when the socket took the data at once: one shared, already-resolved
 * promise. Callers may compare with it to skip chaining on a write that cannot fail.
 */
export const WRITTEN: Promise<void> = RESOLVED;
const noop = (): void => undefined;
/** "No limit" for maxBytes: an integer, so V8 keeps the field unboxed (Infinity would be a heap number per stream). */
const UNLIMITED = -1;

// One set of socket listeners shared by every stream: they find their stream through this
// property instead of each stream allocating five closures (about 300 bytes per connection).
const kStream = Symbol("IOStream");
type StreamSocket = net.Socket & { [kStream]: IOStream };
function onSocketData(this: StreamSocket, data: Buffer): void { this[kStream].handleData(data); }
function onSocketEnd(this: StreamSocket): void { this[kStream].handleEnd(); }
function onSocketError(this: StreamSocket, err: Error): void { this[kStream].handleError(err); }
function onSocketClose(this: StreamSocket): void { this[kStream].handleSocketClose(); }
function onSocketDrain(this: StreamSocket): void { this[kStream].handleDrain(); }
function onSocketRead(this: StreamSocket, nread: number, shared: Buffer): boolean { return this[kStream].handleRead(nread, shared); }

/**
 * Plain TCP sockets read into one buffer shared by every stream (net's `onread` mode): that skips
 * Node's Readable machinery and the fresh ArrayBuffer libuv's allocator makes per read (about a
 * fifth of the work of a small keep-alive request). Bytes are copied out before the callback
 * returns, so no view handed out ever aliases it. `net.Server` takes no `onread` option, so the
 * accepted socket is switched after the fact through the fields its constructor uses for one; the
 * fields are private to Node, found by their description, and when they are not found (or the
 * socket is TLS, which has no such mode) the stream listens for "data" as before.
 */
const SHARED_READ_BUFFER_SIZE = 64 * 1024;
let sharedReadBuffer: Buffer | null = null;
interface OnreadFields { buffer: symbol; callback: symbol }
let onreadFields: OnreadFields | null | undefined;

function findOnreadFields(socket: net.Socket): OnreadFields | null {
  let buffer: symbol | undefined;
  let callback: symbol | undefined;
  for (const s of Object.getOwnPropertySymbols(socket)) {
    if (s.description === "kBuffer") buffer = s;
    else if (s.description === "kBufferCb") callback = s;
  }
  return buffer !== undefined && callback !== undefined ? { buffer, callback } : null;
}

/** Switches `socket` to reading into the shared buffer; false when it cannot (the caller listens for "data"). */
function useSharedReadBuffer(socket: net.Socket): boolean {
  if (socket instanceof tls.TLSSocket || socket.connecting || socket.readableLength > 0) return false;
  const handle = (socket as unknown as { _handle?: { useUserBuffer?: (b: Buffer) => void } })._handle;
  if (handle == null || typeof handle.useUserBuffer !== "function") return false;
  if (onreadFields === undefined) onreadFields = findOnreadFields(socket);
  if (onreadFields === null) return false;
  const fields = socket as unknown as Record<symbol, unknown>;
  if (fields[onreadFields.buffer] !== null || fields[onreadFields.callback] !== null) return false; // already in onread mode
  sharedReadBuffer ??= Buffer.allocUnsafeSlow(SHARED_READ_BUFFER_SIZE);
  fields[onreadFields.buffer] = sharedReadBuffer;
  fields[onreadFields.callback] = onSocketRead;
  handle.useUserBuffer(sharedReadBuffer);
  return true;
}

interface DrainWaiter { resolve: () => void; reject: (e: unknown) => void }

const DEFAULT_OPTIONS: IOStreamOptions = {};
const DEFAULT_MAX_BUFFER_SIZE = 100 * 1024 * 1024;
const DEFAULT_READ_PAUSE_THRESHOLD = 64 * 1024;
const DEFAULT_LINGER_TIMEOUT = 2000;

const enum Flag {
  Paused = 1,
  /** `buf` is ours to write into past `end` (the socket's own chunks are not). */
  Owned = 2,
  Eof = 4,
  Closed = 8,
}

const enum ReadKind {
  None,
  Until,
  Regex,
  Bytes,
  /** readBytes with `partial`: whatever is there, up to the count. */
  SomeBytes,
  Close,
  Match,
}

/**
 * Wraps a connected socket.
 *
 * @example
 * const stream = await IOStream.connect("127.0.0.1", 8888);
 * await stream.write("GET / HTTP/1.0\r\n\r\n");
 * const head = await stream.readUntil("\r\n\r\n");
 */
export class IOStream {
  readonly socket: net.Socket;
  /** The error that closed the stream, if any. */
  error: unknown = undefined;

  // Fields are kept few on purpose: a server holds one stream per idle connection. The options
  // object is kept as given (a server passes one object to all its streams) and read where used.
  private readonly options: IOStreamOptions;

  // Unread bytes are buf[start, end). Bytes before `start` may have been handed out as views,
  // so we only ever write at or after `end` and never compact in place.
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** Paused, Owned, Eof and Closed in one field: a server holds one stream per idle connection. */
  private flags = 0;

  private kind = ReadKind.None;
  /** What the pending read looks for: a delimiter (Until), a RegExp (Regex) or a MatchFinder (Match). */
  private pattern: Buffer | RegExp | MatchFinder | null = null;
  /** The byte count of a Bytes read, or the lookback of a Match read. */
  private amount = 0;
  private maxBytes = UNLIMITED;
  private scanFrom = 0;
  private resolveRead: ((b: Buffer) => void) | null = null;
  private rejectRead: ((e: unknown) => void) | null = null;
  /** `this` for resolveRead/rejectRead (so callers can pass methods, not per-object closures). */
  private readReceiver: unknown = undefined;

  private drainWaiters: DrainWaiter[] | null = null;
  private closeCallback: (() => void) | null = null;
  private closeReceiver: unknown = undefined;
  private lingerTimer: NodeJS.Timeout | null = null;

  private get paused(): boolean { return (this.flags & Flag.Paused) !== 0; }
  private set paused(on: boolean) { this.flags = on ? this.flags | Flag.Paused : this.flags & ~Flag.Paused; }
  private get owned(): boolean { return (this.flags & Flag.Owned) !== 0; }
  private set owned(on: boolean) { this.flags = on ? this.flags | Flag.Owned : this.flags & ~Flag.Owned; }
  private get eof(): boolean { return (this.flags & Flag.Eof) !== 0; }
  private set eof(on: boolean) { this.flags = on ? this.flags | Flag.Eof : this.flags & ~Flag.Eof; }
  private get isClosed(): boolean { return (this.flags & Flag.Closed) !== 0; }
  private set isClosed(on: boolean) { this.flags = on ? this.flags | Flag.Closed : this.flags & ~Flag.Closed; }

  constructor(socket: net.Socket, options: IOStreamOptions = DEFAULT_OPTIONS) {
    this.socket = socket;
    this.options = options;
    (socket as StreamSocket)[kStream] = this;
    if (!useSharedReadBuffer(socket)) socket.on("data", onSocketData);
    socket.on("end", onSocketEnd);
    socket.on("error", onSocketError);
    socket.on("close", onSocketClose);
    // "drain" is listened for only while a write waits for it (one listener fewer per idle connection).
  }

  /** Connects to `host:port` and resolves with a stream once connected. */
  static connect(host: string, port: number, options?: IOStreamOptions): Promise<IOStream> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const onError = (err: Error): void => reject(new StreamClosedError(err));
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.removeListener("error", onError);
        resolve(new IOStream(socket, options));
      });
    });
  }

  /** Resolves with everything up to and including `delimiter`. */
  readUntil(delimiter: string | Buffer, options?: ReadUntilOptions | Callback<Buffer>, callback?: Callback<Buffer>): Promise<Buffer> {
    if (typeof options === "function") [options, callback] = [undefined, options];
    const d = typeof delimiter === "string" ? Buffer.from(delimiter, "latin1") : delimiter;
    if (d.length === 0) throw new TypeError("readUntil needs a non-empty delimiter");
    this.beginRead(ReadKind.Until, options?.maxBytes);
    this.pattern = d;
    return this.startRead(callback);
  }

  /** Resolves with everything up to and including the first match of `regex` (bytes read as latin1). */
  readUntilRegex(regex: RegExp, options?: ReadUntilOptions | Callback<Buffer>, callback?: Callback<Buffer>): Promise<Buffer> {
    if (typeof options === "function") [options, callback] = [undefined, options];
    this.beginRead(ReadKind.Regex, options?.maxBytes);
    this.pattern = regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, "")) : regex;
    return this.startRead(callback);
  }

  /**
   * Resolves with everything up to the index `finder` reports. `lookback` bytes before the end
   * of the previous search are searched again when more data arrives (a match may straddle).
   */
  readUntilMatch(finder: MatchFinder, lookback: number, options?: ReadUntilOptions): Promise<Buffer> {
    this.beginRead(ReadKind.Match, options?.maxBytes);
    this.pattern = finder;
    this.amount = lookback;
    return this.startRead(undefined);
  }

  /**
   * readUntilMatch without a promise: `done` runs synchronously when the buffer already holds a
   * match, else from the socket's data event. Saves a promise and a microtask hop per request
   * head (about 1 µs of the ~25 µs a keep-alive request costs). `done` and `fail` are called
   * with `receiver` as `this`, so a caller can pass its methods without binding them.
   */
  readUntilMatchThen<T>(
    finder: MatchFinder, lookback: number, maxBytes: number,
    done: (this: T, head: Buffer) => void, fail: (this: T, err: unknown) => void, receiver?: T,
  ): void {
    this.beginRead(ReadKind.Match, maxBytes);
    this.pattern = finder;
    this.amount = lookback;
    this.startReadThen(done as Callback<Buffer>, fail as Callback<unknown>, receiver);
  }

  /** Resolves with exactly `n` bytes, or with 1..n bytes as soon as any are there when `partial`. */
  readBytes(n: number, options?: ReadBytesOptions | Callback<Buffer>, callback?: Callback<Buffer>): Promise<Buffer> {
    if (typeof options === "function") [options, callback] = [undefined, options];
    if (!(n >= 0) || !Number.isSafeInteger(n)) throw new TypeError("readBytes needs a non-negative integer");
    this.beginRead(options?.partial === true ? ReadKind.SomeBytes : ReadKind.Bytes, undefined);
    this.amount = n;
    return this.startRead(callback);
  }

  /** Resolves with everything the peer sends until it closes. */
  readUntilClose(callback?: Callback<Buffer>): Promise<Buffer> {
    this.beginRead(ReadKind.Close, undefined);
    return this.startRead(callback);
  }

  /**
   * Writes `data`. Resolves at once when the socket took it without passing its high-water mark,
   * else when it drained; rejects with StreamBufferFullError past `maxWriteBufferSize`.
   */
  write(data: Buffer | string, callback?: () => void): Promise<void> {
    if (this.isClosed || this.socket.destroyed) return this.settle(this.failedWrite(new StreamClosedError(this.error)), callback);
    if (this.options.maxWriteBufferSize !== undefined && this.socket.writableLength > 0) {
      const full = this.overWriteLimit(typeof data === "string" ? Buffer.byteLength(data) : data.length);
      if (full !== null) return this.settle(this.failedWrite(full), callback);
    }
    const flushed = this.socket.write(data);
    if (flushed) return callback ? this.settle(RESOLVED, callback) : RESOLVED;
    return this.settle(this.untilDrained(), callback);
  }

  /** Writes several pieces with one system call where the socket allows it. */
  writev(pieces: (Buffer | string)[]): Promise<void> {
    if (this.isClosed || this.socket.destroyed) return this.failedWrite(new StreamClosedError(this.error));
    if (this.options.maxWriteBufferSize !== undefined && this.socket.writableLength > 0) {
      let size = 0;
      for (const p of pieces) size += typeof p === "string" ? Buffer.byteLength(p) : p.length;
      const full = this.overWriteLimit(size);
      if (full !== null) return this.failedWrite(full);
    }
    this.socket.cork();
    let flushed = true;
    for (let i = 0; i < pieces.length; i++) flushed = this.socket.write(pieces[i]);
    this.socket.uncork();
    if (flushed || this.socket.writableLength === 0) return RESOLVED;
    return this.untilDrained();
  }

  /**
   * The error for a write that would queue past `maxWriteBufferSize` behind data the peer has not
   * taken yet (a write into an empty buffer always goes, whatever its size); the stream is closed
   * then, since a response missing bytes cannot go on.
   */
  private overWriteLimit(size: number): StreamBufferFullError | null {
    const max = this.options.maxWriteBufferSize;
    const queued = this.socket.writableLength;
    if (max === undefined || queued === 0 || queued + size <= max) return null;
    const err = new StreamBufferFullError("write buffer would exceed " + max + " bytes (the peer is not reading)");
    this.close(err);
    return err;
  }

  private untilDrained(): Promise<void> {
    if (this.drainWaiters === null) {
      this.drainWaiters = [];
      this.socket.once("drain", onSocketDrain);
    }
    const waiters = this.drainWaiters;
    const p = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    p.catch(noop); // a caller that ignores the result must not cause an unhandled rejection
    return p;
  }

  /**
   * Resolves once the socket's write buffer is below its high-water mark (at once if it is);
   * rejects with StreamClosedError if the stream closes first.
   */
  drained(): Promise<void> {
    if (this.isClosed) return this.failedWrite(new StreamClosedError(this.error));
    if (!this.socket.writableNeedDrain) return RESOLVED;
    return this.untilDrained();
  }

  /**
   * Closes the stream. Bytes already written still go out: the socket is ended, input is
   * discarded, and it is destroyed when the peer closes or after `lingerTimeout`.
   */
  close(error?: unknown): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (error !== undefined && this.error === undefined) this.error = error;
    this.failPendingRead();
    this.failDrainWaiters();
    const socket = this.socket;
    if (!socket.destroyed) {
      if (this.error !== undefined) {
        socket.destroy();
      } else {
        if (this.paused) socket.resume();
        if (!this.eof) socket.end(); // at EOF the socket ended itself (allowHalfOpen is off)
        this.lingerTimer = setTimeout(() => socket.destroy(), this.options.lingerTimeout ?? DEFAULT_LINGER_TIMEOUT);
        this.lingerTimer.unref();
      }
    }
    this.buf = EMPTY;
    this.start = this.end = 0;
    this.runCloseCallback();
  }

  /** Closes at once, dropping anything not yet written. */
  destroy(): void {
    this.close();
    this.socket.destroy();
  }

  closed(): boolean {
    return this.isClosed;
  }

  reading(): boolean {
    return this.kind !== ReadKind.None;
  }

  writing(): boolean {
    return this.socket.writableLength > 0;
  }

  /** Bytes received and not yet read. */
  get bufferedLength(): number {
    return this.end - this.start;
  }

  /** `fn` runs once when the stream closes, with `receiver` as `this` (null removes it). */
  setCloseCallback<T>(fn: ((this: T) => void) | null, receiver?: T): void {
    this.closeCallback = fn as (() => void) | null;
    this.closeReceiver = receiver;
  }

  setNoDelay(noDelay = true): void {
    this.socket.setNoDelay(noDelay);
  }

  private maxBufferSize(): number {
    return this.options.maxBufferSize ?? DEFAULT_MAX_BUFFER_SIZE;
  }

  private failedWrite(err: Error): Promise<void> {
    const p = Promise.reject(err);
    p.catch(noop);
    return p;
  }

  private beginRead(kind: ReadKind, maxBytes: number | undefined): void {
    if (this.kind !== ReadKind.None) throw new Error("a read is already pending on this stream");
    this.kind = kind;
    this.maxBytes = maxBytes ?? UNLIMITED;
    this.scanFrom = this.start;
  }

  private startRead(callback: Callback<Buffer> | undefined): Promise<Buffer> {
    return this.settle(new Promise<Buffer>((resolve, reject) => this.startReadThen(resolve, reject)), callback);
  }

  /** Satisfies the pending read from the buffer now, or parks `done`/`fail` until data comes. */
  private startReadThen(done: Callback<Buffer>, fail: Callback<unknown>, receiver?: unknown): void {
    let result: Buffer | null;
    try {
      result = this.trySatisfy();
    } catch (err) {
      this.clearRead();
      fail.call(receiver, err);
      return;
    }
    if (result !== null) {
      this.clearRead();
      done.call(receiver, result);
      return;
    }
    if (this.isClosed || this.eof) {
      const kind = this.kind;
      this.clearRead();
      if (kind === ReadKind.Close) done.call(receiver, this.take(this.end - this.start));
      else fail.call(receiver, new StreamClosedError(this.error));
      return;
    }
    this.resolveRead = done;
    this.rejectRead = fail;
    this.readReceiver = receiver;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private settle<T>(p: Promise<T>, callback: Callback<T> | (() => void) | undefined): Promise<T> {
    if (callback) p.then(callback as Callback<T>, () => undefined);
    return p;
  }

  /** The read's result if the buffer satisfies it now, else null; throws when it never can. */
  private trySatisfy(): Buffer | null {
    const available = this.end - this.start;
    switch (this.kind) {
      case ReadKind.Until: {
        const d = this.pattern as Buffer;
        const from = Math.max(this.start, this.scanFrom);
        let idx = available >= d.length ? this.buf.indexOf(d, from) : -1;
        if (idx >= 0 && idx + d.length > this.end) idx = -1; // matched spare capacity past the data
        if (idx >= 0) return this.takeBounded(idx + d.length - this.start);
        this.scanFrom = Math.max(this.start, this.end - d.length + 1);
        return this.checkUnbounded(available);
      }
      case ReadKind.Match: {
        const from = Math.max(this.start, this.scanFrom);
        const stop = (this.pattern as MatchFinder)(this.buf, from, this.end);
        if (stop >= 0) return this.takeBounded(stop - this.start);
        this.scanFrom = Math.max(this.start, this.end - this.amount);
        return this.checkUnbounded(available);
      }
      case ReadKind.Regex: {
        if (available === 0) return null;
        const m = (this.pattern as RegExp).exec(this.buf.toString("latin1", this.start, this.end));
        if (m) return this.takeBounded(m.index + m[0].length);
        return this.checkUnbounded(available);
      }
      case ReadKind.Bytes:
      case ReadKind.SomeBytes:
        if (available >= this.amount) return this.take(this.amount);
        if (this.kind === ReadKind.SomeBytes) return available > 0 ? this.take(available) : null; // buffers nothing: no limit
        if (this.amount > this.maxBufferSize()) throw new UnsatisfiableReadError("read of " + this.amount + " bytes exceeds the buffer limit");
        return null;
      case ReadKind.Close:
        if (available > this.maxBufferSize()) throw new UnsatisfiableReadError("data before close exceeds the buffer limit");
        return null;
      default:
        return null;
    }
  }

  private takeBounded(n: number): Buffer {
    if (this.maxBytes !== UNLIMITED && n > this.maxBytes) throw new UnsatisfiableReadError("delimiter not found within " + this.maxBytes + " bytes");
    return this.take(n);
  }

  private checkUnbounded(available: number): null {
    if (this.maxBytes !== UNLIMITED && available > this.maxBytes) throw new UnsatisfiableReadError("delimiter not found within " + this.maxBytes + " bytes");
    if (available > this.maxBufferSize()) throw new UnsatisfiableReadError("delimiter not found within the buffer limit");
    return null;
  }

  private take(n: number): Buffer {
    const out = this.buf.subarray(this.start, this.start + n);
    this.start += n;
    if (this.start === this.end) {
      // Drop our reference so the memory goes with the views handed out.
      this.buf = EMPTY;
      this.owned = false;
      this.start = this.end = 0;
    }
    return out;
  }

  private clearRead(): void {
    this.kind = ReadKind.None;
    this.resolveRead = this.rejectRead = null;
    this.readReceiver = undefined;
    this.pattern = null;
  }

  /**
   * @internal `nread` new bytes at the start of the shared read buffer; they are copied before
   * this returns. Returns true to keep reading.
   */
  handleRead(nread: number, shared: Buffer): boolean {
    if (this.isClosed) return true; // lingering after close: discard, but read on to see EOF
    if (this.start !== this.end && this.owned && this.buf.length - this.end >= nread) {
      shared.copy(this.buf, this.end, 0, nread);
      this.end += nread;
    } else {
      const data = Buffer.allocUnsafe(nread);
      shared.copy(data, 0, 0, nread);
      this.append(data);
    }
    this.afterAppend();
    return true;
  }

  /** @internal Socket listeners (shared functions above) call these. */
  handleData(data: Buffer): void {
    if (this.isClosed) return; // lingering after close: discard
    this.append(data);
    this.afterAppend();
  }

  private afterAppend(): void {
    if (this.kind === ReadKind.None) {
      if (this.end - this.start >= (this.options.readPauseThreshold ?? DEFAULT_READ_PAUSE_THRESHOLD) && !this.paused) {
        this.paused = true;
        this.socket.pause();
      }
      return;
    }
    let result: Buffer | null;
    try {
      result = this.trySatisfy();
    } catch (err) {
      const reject = this.rejectRead!;
      const receiver = this.readReceiver;
      this.clearRead();
      reject.call(receiver, err);
      return;
    }
    if (result !== null) {
      const resolve = this.resolveRead!;
      const receiver = this.readReceiver;
      this.clearRead();
      resolve.call(receiver, result);
    }
  }
  private append(data: Buffer): void {
    const len = data.length;
    if (this.start === this.end) {
      this.buf = data;
      this.owned = false;
      this.start = this.scanFrom = 0;
      this.end = len;
      return;
    }
    if (this.owned && this.buf.length - this.end >= len) {
      data.copy(this.buf, this.end);
      this.end += len;
      return;
    }
    const used = this.end - this.start;
    const grown = Buffer.allocUnsafeSlow(Math.max(8192, (used + len) * 2));
    this.buf.copy(grown, 0, this.start, this.end);
    data.copy(grown, used);
    this.scanFrom -= this.start;
    this.buf = grown;
    this.owned = true;
    this.start = 0;
    this.end = used + len;
  }

  /** @internal */
  handleEnd(): void {
    this.eof = true;
    if (this.kind !== ReadKind.None) {
      const kind = this.kind;
      const resolve = this.resolveRead!;
      const reject = this.rejectRead!;
      const receiver = this.readReceiver;
      this.clearRead();
      if (kind === ReadKind.Close) resolve.call(receiver, this.take(this.end - this.start));
      else reject.call(receiver, new StreamClosedError());
    }
    this.close();
  }

  /** @internal */
  handleError(err: Error): void {
    if (this.error === undefined) this.error = err;
    this.close(err);
    this.socket.destroy();
  }

  /** @internal */
  handleSocketClose(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.close();
  }

  /** @internal */
  handleDrain(): void {
    const waiters = this.drainWaiters;
    if (waiters === null) return;
    this.drainWaiters = null;
    for (const w of waiters) w.resolve();
  }

  private failPendingRead(): void {
    if (this.kind === ReadKind.None) return;
    const kind = this.kind;
    const resolve = this.resolveRead;
    const reject = this.rejectRead;
    const receiver = this.readReceiver;
    this.clearRead();
    if (kind === ReadKind.Close && resolve) resolve.call(receiver, this.take(this.end - this.start));
    else if (reject) reject.call(receiver, new StreamClosedError(this.error));
  }

  private failDrainWaiters(): void {
    const waiters = this.drainWaiters;
    if (waiters === null) return;
    this.drainWaiters = null;
    for (const w of waiters) w.reject(new StreamClosedError(this.error));
  }

  private runCloseCallback(): void {
    const fn = this.closeCallback;
    const receiver = this.closeReceiver;
    this.closeCallback = null;
    this.closeReceiver = undefined;
    if (fn) fn.call(receiver);
  }
}
