/**
 * One response on an HTTP/1.1 connection: the HTTPConnection a request is answered through.
 * Chooses the framing (Content-Length, chunked, or close-delimited), keeps HEAD/204/304 bodiless,
 * and writes head and first chunk in one socket write.
 */
import type { HTTPHeaders, HTTPConnection, HTTPServerRequest, ResponseStartLine } from "./httputil";
import { responses } from "./httpvalues";
import type { IOStream } from "./iostream";

const enum State {
  Fresh,
  /** The application writes raw bytes itself (the seed's plain-callback style). */
  Raw,
  Streaming,
  Finished,
}

const RESOLVED: Promise<void> = Promise.resolve();
const NON_ASCII_RE_G = /[^\x00-\x7f]/g;
const NON_PRINTABLE_RE_G = /[^\x20-\x7e]/g;
const DIGITS_RE = /^[0-9]+$/;
const CRLF_RE = /[\r\n]/;
const LAST_CHUNK = "0\r\n\r\n";
const EMPTY_STRING = "";
const SMALL_BODY = 16 * 1024;

// "HTTP/1.1 200 OK\r\n" for each standard code, built once.
const statusLines = new Map<number, string>();
for (const code of Object.keys(responses)) {
  const n = Number(code);
  statusLines.set(n, "HTTP/1.1 " + n + " " + responses[n] + "\r\n");
}

function statusLine(code: number, reason: string | undefined): string {
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new Error("invalid status code " + code);
  if (reason === undefined || reason === "" || reason === responses[code]) {
    const cached = statusLines.get(code);
    if (cached !== undefined) return cached;
  }
  const text = reason || responses[code] || "Unknown";
  if (CRLF_RE.test(text)) throw new Error("invalid reason phrase");
  // The reason is informative only; keep the head pure ASCII.
  return "HTTP/1.1 " + code + " " + text.replace(NON_ASCII_RE_G, "?") + "\r\n";
}

/** Whether the comma-separated `list` holds `token` (lower-case; compared case-insensitively). */
export function hasToken(list: string | undefined, token: string): boolean {
  if (list === undefined) return false;
  const lower = list.toLowerCase();
  if (lower === token) return true;
  for (const part of lower.split(",")) if (part.trim() === token) return true;
  return false;
}

/** Byte length of a body chunk. */
function sizeOf(chunk: Buffer | string): number {
  return typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
}

/**
 * What a response needs from the connection that created it (HTTP1ServerConnection). Declared here,
 * not imported, so this module sits below the connection that builds responses.
 */
export interface ResponseOwner {
  /** The server is shutting down: no further request on this connection. */
  readonly draining: boolean;
  /** The response is complete; the connection may read the next request or close. */
  responseFinished(response: ServerResponse): void;
  /** The response is complete and `detach()` gave its stream to the application. */
  streamHandedOver(response: ServerResponse): void;
  /** The current request's body limits (see HTTPConnection.setMaxBodySize). */
  setMaxBodySize(bytes: number): void;
  setBodyTimeout(seconds: number): void;
}

/** The answer to one request; obtained as `request.connection`. */
export class ServerResponse implements HTTPConnection {
  /** Whether the connection may serve another request after this one. */
  keepAlive: boolean;
  private state = State.Fresh;
  private readonly http11: boolean;
  private readonly isHead: boolean;
  private bodyless = false;
  private chunked = false;
  /** Bytes still owed under Content-Length, or -1 when the length was not declared. */
  private remaining = -1;
  private closeCallback: (() => void) | null = null;
  private closeReceiver: unknown = undefined;
  /** Set once the server answered in the application's place; later calls are ignored. */
  private detached = false;
  /** Set by handOver(): when this response finishes, the stream belongs to the application. */
  private handedOver = false;

  constructor(
    private readonly conn: ResponseOwner,
    private readonly stream: IOStream,
    private readonly request: HTTPServerRequest,
    keepAliveAllowed: boolean,
  ) {
    this.http11 = request.version !== "HTTP/1.0";
    this.isHead = request.method === "HEAD";
    const connection = request.headers.get("Connection");
    this.keepAlive = keepAliveAllowed && (this.http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive"));
  }

  /**
   * Writes `status` with a one-line text body saying what was wrong, for when a request could not
   * even be read; the connection closes after it.
   */
  static writeBareError(stream: IOStream, status: number, cause: string): void {
    if (stream.closed()) return;
    const body = status + " " + (responses[status] ?? "Error") + ": " + cause.replace(NON_PRINTABLE_RE_G, "?") + "\n";
    stream.write(
      statusLine(status, undefined) + "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + Buffer.byteLength(body) + "\r\nConnection: close\r\n\r\n" + body,
    );
  }

  writeHeaders(startLine: ResponseStartLine, headers: HTTPHeaders, chunk?: Buffer | string): Promise<void> {
    if (this.detached) return this.stream.write(EMPTY_STRING);
    if (this.state !== State.Fresh) throw new Error("writeHeaders called after the response started");
    const code = startLine.code;
    // Everything that can throw comes first, so a refused head leaves the response untouched.
    let head = statusLine(code, startLine.reason);
    const lines = headers.formatLines();
    const length = headers.get("Content-Length");
    if (length !== undefined && !DIGITS_RE.test(length)) throw new Error("invalid Content-Length in response: " + length);
    const bodyless = this.isHead || code === 204 || code === 304 || (code >= 100 && code < 200);
    const connection = headers.get("Connection");
    let keepAlive = this.keepAlive && !hasToken(connection, "close") && !this.conn.draining;
    let extra = "";
    if (length !== undefined && code !== 204) {
      this.remaining = bodyless ? 0 : Number(length);
    } else if (bodyless) {
      this.remaining = 0;
    } else if (headers.has("Transfer-Encoding")) {
      keepAlive = false; // the application frames the body itself; only a close is safe
    } else if (this.http11) {
      this.chunked = true;
      extra = "Transfer-Encoding: chunked\r\n";
    } else {
      keepAlive = false; // HTTP/1.0 and no length: the body ends when we close
    }
    if (connection === undefined) {
      if (!keepAlive && this.http11) extra += "Connection: close\r\n";
      else if (keepAlive && !this.http11) extra += "Connection: Keep-Alive\r\n"; // the canonical form, as Tornado sends
    }
    head += lines + extra + "\r\n";
    this.bodyless = bodyless;
    this.keepAlive = keepAlive;
    this.state = State.Streaming;
    if (headers.formattedNonAscii) {
      return this.send(this.stream.write(Buffer.from(head, "latin1")), chunk);
    }
    return this.sendHead(head, chunk);
  }

  /**
   * writeHeaders for a head its caller formatted and checked: `lines` are `Name: value\r\n` lines
   * of printable ASCII without Content-Length, Connection or Transfer-Encoding; `length` is the
   * body's Content-Length, or -1 to send the body chunked. Only for a status with a body
   * (RequestHandler's usual response): skips building and re-checking a header collection.
   */
  writePreparedHead(code: number, reason: string, lines: string, length: number, chunk: Buffer | string): Promise<void> {
    if (this.detached) return this.stream.write(EMPTY_STRING);
    if (this.state !== State.Fresh) throw new Error("writeHeaders called after the response started");
    if (code < 200 || code === 204 || code === 304) throw new Error("writePreparedHead is for a status with a body, not " + code);
    let head = statusLine(code, reason) + lines;
    let keepAlive = this.keepAlive && !this.conn.draining;
    if (length >= 0) {
      head += "Content-Length: " + length + "\r\n";
      this.remaining = this.isHead ? 0 : length;
    } else if (this.isHead) {
      this.remaining = 0;
    } else if (this.http11) {
      this.chunked = true;
      head += "Transfer-Encoding: chunked\r\n";
    } else {
      keepAlive = false; // HTTP/1.0 and no length: the body ends when we close
    }
    if (!keepAlive && this.http11) head += "Connection: close\r\n";
    else if (keepAlive && !this.http11) head += "Connection: Keep-Alive\r\n";
    this.bodyless = this.isHead;
    this.keepAlive = keepAlive;
    this.state = State.Streaming;
    return this.sendHead(head + "\r\n", chunk);
  }

  /** Writes a finished head and the first chunk in one socket write where it can. */
  private sendHead(head: string, chunk: Buffer | string | undefined): Promise<void> {
    const size = chunk === undefined || this.bodyless ? 0 : sizeOf(chunk);
    if (size === 0) return this.stream.write(head);
    this.account(size);
    if (this.chunked) {
      if (typeof chunk === "string") return this.stream.write(head + size.toString(16) + "\r\n" + chunk + "\r\n");
      return this.stream.writev([head + size.toString(16) + "\r\n", chunk!, "\r\n"]);
    }
    if (typeof chunk === "string") return this.stream.write(head + chunk);
    if (size <= SMALL_BODY) {
      // One small buffer beats a corked writev of two pieces (no per-write array or wrap objects).
      const out = Buffer.allocUnsafe(head.length + size);
      out.write(head, 0, "latin1");
      chunk!.copy(out, head.length);
      return this.stream.write(out);
    }
    return this.stream.writev([head, chunk!]);
  }

  write(chunk: Buffer | string): Promise<void> {
    if (this.detached) return this.stream.write(EMPTY_STRING);
    if (this.state === State.Finished) throw new Error("write called after finish");
    if (this.state === State.Fresh) this.state = State.Raw;
    if (this.state === State.Raw) return (this.stream.write(chunk));
    if (this.bodyless) return RESOLVED;
    const size = sizeOf(chunk);
    if (size === 0) return RESOLVED;
    this.account(size);
    if (!this.chunked) return (this.stream.write(chunk));
    if (typeof chunk === "string") return (this.stream.write(size.toString(16) + "\r\n" + chunk + "\r\n"));
    return (this.stream.writev([size.toString(16) + "\r\n", chunk, "\r\n"]));
  }

  finish(): void {
    if (this.detached) return; // the server already answered for a failed application
    if (this.state === State.Finished) throw new Error("finish called twice");
    const state = this.state;
    this.state = State.Finished;
    this.closeCallback = null;
    this.request.finishTime ??= performance.now();
    if (state === State.Fresh) {
      // Nothing was written: there is no response to frame, so the connection cannot continue.
      this.keepAlive = false;
    } else if (state === State.Raw) {
      // The application framed the response itself; trust it only where HTTP/1.1 lets us, and
      // not after HEAD, where it may have sent a body the client will not read.
      this.keepAlive = this.keepAlive && this.http11 && !this.isHead;
    } else if (this.chunked) {
      this.stream.write(LAST_CHUNK);
    } else if (this.remaining > 0) {
      this.keepAlive = false; // fewer bytes than Content-Length promised: the framing is broken
    }
    if (this.handedOver) this.conn.streamHandedOver(this);
    else this.conn.responseFinished(this);
  }

  /**
   * Gives the connection's stream to the application once this response finishes (a WebSocket
   * upgrade: write the 101, finish, then speak the new protocol on the stream). From then on the
   * server reads no more requests from it, applies no timeouts to it and no longer counts it:
   * closing it, also on shutdown, is the application's job. Bytes the client sent after the head
   * stay buffered in the stream.
   *
   * @example
   * const stream = request.connection!.detach!();
   * await request.connection!.writeHeaders({ version: "HTTP/1.1", code: 101, reason: "" }, upgradeHeaders);
   * request.connection!.finish(); // the stream is now ours alone
   */
  detach(): IOStream {
    this.handedOver = true;
    return this.stream;
  }

  setCloseCallback<T>(fn: ((this: T) => void) | null, receiver?: T): void {
    this.closeCallback = fn as (() => void) | null;
    this.closeReceiver = receiver;
  }

  setMaxBodySize(bytes: number): void {
    this.conn.setMaxBodySize(bytes);
  }

  setBodyTimeout(seconds: number): void {
    this.conn.setBodyTimeout(seconds);
  }

  /** Whether a fresh status line can still be sent (nothing written yet). */
  canStillAnswer(): boolean {
    return this.state === State.Fresh;
  }

  /** Answers `status` with a short body and closes the connection. */
  sendErrorAndClose(status: number): void {
    const body = status + ": " + (responses[status] ?? "Error");
    this.keepAlive = false;
    this.detached = true;
    this.state = State.Streaming;
    this.stream
      .write(statusLine(status, undefined) + "Content-Type: text/plain\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n" + body)
      ;
    this.state = State.Finished;
    this.conn.responseFinished(this);
  }

  /** The peer went away before this response finished. */
  connectionLost(): void {
    const fn = this.closeCallback;
    this.closeCallback = null;
    if (fn && this.state !== State.Finished) fn.call(this.closeReceiver);
  }

  private account(size: number): void {
    if (this.remaining < 0) return;
    if (size > this.remaining) {
      this.keepAlive = false;
      this.stream.close();
      throw new Error("tried to write " + size + " bytes with only " + this.remaining + " left of Content-Length");
    }
    this.remaining -= size;
  }

  private send(headWrite: Promise<void>, chunk: Buffer | string | undefined): Promise<void> {
        if (chunk === undefined || this.bodyless) return headWrite;
    return this.write(chunk);
  }
}
