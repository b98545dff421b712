/**
 * The HTTP/1.1 protocol on one IOStream, server side: reads request heads and bodies (strictly),
 * hands each complete request to the server's target, and answers in order.
 */
import * as net from "node:net";
import * as zlib from "node:zlib";
import { HTTPHeaders, HTTPInputError, HTTPServerRequest, parseHeaderLines, TOKEN_RE } from "./httputil";
import { IOStream, StreamClosedError, UnsatisfiableReadError } from "./iostream";
import { hasToken, ServerResponse } from "./http1response";

/** Limits and switches of one connection (times in milliseconds). */
export interface HTTP1ConnectionParameters {
  noKeepAlive: boolean;
  maxHeaderSize: number;
  maxBodySize: number;
  headerTimeout: number;
  bodyTimeout: number;
  idleConnectionTimeout: number;
  decompressRequest: boolean;
  xheaders: boolean;
  trustedDownstream: ReadonlySet<string>;
}

/** What a connection needs from its server. */
export interface ConnectionOwner {
  readonly params: HTTP1ConnectionParameters;
  /** True once the server is stopping: finish the current request, then close. */
  readonly draining: boolean;
  /** Calls the application; may throw or return a rejecting promise. */
  handleRequest(request: HTTPServerRequest): unknown;
  /** Reports an exception from the application (logging). */
  reportError(message: string, err: unknown): void;
  connectionClosed(conn: HTTP1ServerConnection): void;
}

/** Where a connection is in its request cycle; the server's sweep applies the matching timeout. */
export const enum Phase {
  /** Waiting for the first byte of the next request. */
  Idle,
  Head,
  Body,
  /** The application has the request. */
  Busy,
  Closed,
}

const HTTP_VERSION_RE = /^HTTP\/1\.[0-9]$/;
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;
const DIGITS_RE = /^[0-9]+$/;
const CHUNK_SIZE_RE = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/;
const ABSOLUTE_TARGET_RE = /^https?:\/\/([^/?#]+)([^#]*)$/i;
const HIGH_BYTE_RE = /[\x80-\xff]/;
const CRLF = Buffer.from("\r\n");
const CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n";
const EMPTY: Buffer = Buffer.alloc(0);

const COMMON_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/**
 * Validates a request target (visible ASCII or bytes past 0x7f, nothing else); returns whether
 * it holds bytes past 0x7f. One char-code loop instead of two regex scans.
 */
function checkTarget(uri: string): boolean {
  let high = false;
  const n = uri.length;
  if (n === 0) throw new HTTPInputError("invalid request target");
  for (let i = 0; i < n; i++) {
    const c = uri.charCodeAt(i);
    if (c > 0x7e) {
      if (c === 0x7f) throw new HTTPInputError("invalid request target");
      high = true;
    } else if (c < 0x21) throw new HTTPInputError("invalid request target");
  }
  return high;
}

/** Index just past the blank line ending a head (CRLF or bare LF line ends), or -1. */
function findHeadEnd(buf: Buffer, from: number, end: number): number {
  let i = buf.indexOf(10, from);
  while (i >= 0 && i < end) {
    if (i + 1 < end) {
      const next = buf[i + 1];
      if (next === 10) return i + 2;
      if (next === 13 && i + 2 < end && buf[i + 2] === 10) return i + 3;
    }
    i = buf.indexOf(10, i + 1);
  }
  return -1;
}

/**
 * performance.now() + `ms`, rounded up to a whole millisecond: an integer keeps the field a small
 * integer in V8 instead of a heap-allocated double per connection.
 */
function deadlineAfter(ms: number): number {
  return Math.ceil(performance.now() + ms);
}

/**
 * Serves requests on one stream until it closes. One request at a time: the next head is read
 * only after the current response finished, so pipelined requests are answered in order.
 */
export class HTTP1ServerConnection {
  phase: Phase = Phase.Idle;
  /** performance.now() at which the current phase times out; 0 for never. */
  deadline = 0;
  private current: ServerResponse | null = null;
  private served = 0;
  /** Body framing of the head just parsed: a length, or -1 for chunked. */
  private announcedBodyLength = 0;
  private readonly remoteIp: string;
  /** The last Host header value that passed HOST_RE. */
  private validHost: string | null = null;
  /** Trampoline state of serveOne. */
  private serving = false;
  private serveAgain = false;

  constructor(
    readonly stream: IOStream,
    private readonly owner: ConnectionOwner,
    private readonly protocol: string,
  ) {
    const addr = stream.socket.remoteAddress ?? "0.0.0.0";
    this.remoteIp = addr.startsWith("::ffff:") && addr.indexOf(".") > 0 ? addr.slice(7) : addr;
    stream.setCloseCallback(this.onStreamClosed, this);
  }

  /** Whether the server is stopping (responses then close their connection). */
  get draining(): boolean {
    return this.owner.draining;
  }

  start(): void {
    this.serveOne();
  }

  /** Closes now if no request is under way (for graceful stop); otherwise after its response. */
  closeIfIdle(): void {
    if ((this.phase === Phase.Idle || this.phase === Phase.Head) && this.stream.bufferedLength === 0) this.stream.close();
  }

  close(): void {
    this.stream.destroy();
  }

  /** Applies the current phase's deadline; called by the server's periodic sweep. */
  checkTimeout(now: number): void {
    if (this.phase === Phase.Idle && this.stream.bufferedLength > 0) {
      // The first byte arrived since the last sweep: the head now has headerTimeout to complete.
      this.phase = Phase.Head;
      this.deadline = Math.ceil(now + this.owner.params.headerTimeout);
    }
    if (this.deadline !== 0 && now >= this.deadline) this.stream.destroy();
  }

  /** Called by the response once it wrote its last byte. */
  responseFinished(response: ServerResponse): void {
    if (this.current !== response) return;
    this.current = null;
    if (!response.keepAlive || this.owner.draining || this.stream.closed()) {
      this.stream.close();
      return;
    }
    // A client that pipelines but does not read must not make us queue responses without bound:
    // read its next request only once it has taken most of this one.
    if (this.stream.writing() && this.stream.socket.writableNeedDrain) {
      this.stream.drained().then(() => this.serveOne(), () => this.stream.close());
      return;
    }
    this.serveOne();
  }

  /** Called by a detached response once it finished: the stream is no longer ours to serve. */
  streamHandedOver(response: ServerResponse): void {
    if (this.current !== response) return; // the peer left first: onStreamClosed already ran
    this.current = null;
    this.phase = Phase.Closed;
    this.deadline = 0;
    this.stream.setCloseCallback(null);
    this.owner.connectionClosed(this);
  }

  /** Called by the response when the application failed; answers 500 or drops the connection. */
  applicationFailed(response: ServerResponse, err: unknown): void {
    this.owner.reportError("Uncaught exception in request handler", err);
    if (this.current !== response) return;
    if (response.canStillAnswer()) {
      response.sendErrorAndClose(500);
    } else {
      this.current = null;
      this.stream.close();
    }
  }

  /**
   * Reads and dispatches the next request. A trampoline: when a handler finishes synchronously
   * and the next (pipelined) head is already buffered, the loop below serves it instead of
   * recursing, so the stack stays flat however many requests arrive in one packet.
   */
  private serveOne(): void {
    if (this.serving) {
      this.serveAgain = true;
      return;
    }
    this.serving = true;
    try {
      do {
        this.serveAgain = false;
        this.readHead();
      } while (this.serveAgain);
    } finally {
      this.serving = false;
    }
  }

  /** Starts reading a head; `onHead` runs at once when it is buffered (no promise, no microtask). */
  private readHead(): void {
    const params = this.owner.params;
    const fresh = this.stream.bufferedLength === 0;
    this.phase = fresh && this.served > 0 ? Phase.Idle : Phase.Head;
    this.deadline = deadlineAfter(this.phase === Phase.Idle ? params.idleConnectionTimeout : params.headerTimeout);
    this.stream.readUntilMatchThen(findHeadEnd, 2, params.maxHeaderSize, this.onHead, this.onHeadError, this);
  }

  // Methods called with this stream's receiver, not arrow fields: two closures fewer per connection.
  private onHead(head: Buffer): void {
    const text = head.toString("latin1");
    let lineStart = 0;
    // RFC 9112 §2.2: ignore empty lines before the request line.
    while (lineStart < text.length && (text.charCodeAt(lineStart) === 13 || text.charCodeAt(lineStart) === 10)) lineStart++;
    if (lineStart === text.length) {
      this.serveOne();
      return;
    }
    this.served++;
    let request: HTTPServerRequest;
    try {
      request = this.parseHead(text, lineStart);
    } catch (err) {
      this.onReadError(err);
      return;
    }
    if (this.announcedBodyLength === 0) {
      this.dispatch(request);
      return;
    }
    this.readBody(request, this.announcedBodyLength).then(
      () => this.dispatch(request),
      (err: unknown) => this.onReadError(err),
    );
  }

  private onHeadError(err: unknown): void {
    if (err instanceof StreamClosedError && this.stream.bufferedLength === 0) {
      this.stream.close();
      return;
    }
    this.onReadError(err);
  }

  private dispatch(request: HTTPServerRequest): void {
    this.phase = Phase.Busy;
    this.deadline = 0;
    const response = new ServerResponse(this, this.stream, request, !this.owner.draining && !this.owner.params.noKeepAlive);
    this.current = response;
    request.connection = response;
    let result: unknown;
    try {
      result = this.owner.handleRequest(request);
    } catch (err) {
      this.applicationFailed(response, err);
      return;
    }
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      Promise.resolve(result).catch((err: unknown) => this.applicationFailed(response, err));
    }
  }

  private onReadError(err: unknown): void {
    if (this.stream.closed() || err instanceof StreamClosedError) {
      this.stream.close();
      return;
    }
    let status = 400;
    if (err instanceof HTTPInputError) status = err.status;
    else if (err instanceof UnsatisfiableReadError) status = this.phase === Phase.Body ? 400 : 431;
    else this.owner.reportError("Unexpected error reading a request", err);
    ServerResponse.writeBareError(this.stream, status);
    this.phase = Phase.Closed;
    this.stream.close();
  }

  private onStreamClosed(): void {
    this.phase = Phase.Closed;
    this.deadline = 0;
    const response = this.current;
    this.current = null;
    if (response) response.connectionLost();
    this.owner.connectionClosed(this);
  }

  /** Parses and validates a request head; the body's framing is left in `announcedBodyLength`. */
  private parseHead(text: string, lineStart: number): HTTPServerRequest {
    const params = this.owner.params;
    const eol = text.indexOf("\n", lineStart);
    const lineEnd = text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    const sp1 = text.indexOf(" ", lineStart);
    const sp2 = sp1 < 0 ? -1 : text.indexOf(" ", sp1 + 1);
    if (sp1 < 0 || sp2 < 0 || sp2 >= lineEnd) throw new HTTPInputError("malformed request line");
    const method = text.slice(lineStart, sp1);
    let uri = text.slice(sp1 + 1, sp2);
    const version = text.slice(sp2 + 1, lineEnd);
    // Common values first: a Set lookup or string compare is cheaper than the regex.
    if (!COMMON_METHODS.has(method) && !TOKEN_RE.test(method)) throw new HTTPInputError("invalid method");
    if (version !== "HTTP/1.1" && version !== "HTTP/1.0" && !HTTP_VERSION_RE.test(version)) throw new HTTPInputError("unsupported HTTP version");
    const highBytes = checkTarget(uri);
    const headers = new HTTPHeaders();
    parseHeaderLines(text, eol + 1, headers);

    const http11 = version !== "HTTP/1.0";
    let host: string | undefined;
    if (uri.charCodeAt(0) !== 47 /* / */) {
      const absolute = ABSOLUTE_TARGET_RE.exec(uri);
      if (absolute) {
        host = absolute[1];
        uri = absolute[2] === "" ? "/" : absolute[2].charCodeAt(0) === 47 ? absolute[2] : "/" + absolute[2];
      } else if (!(uri === "*" && method === "OPTIONS")) {
        throw new HTTPInputError("invalid request target");
      }
    }
    if (highBytes && HIGH_BYTE_RE.test(uri)) uri = Buffer.from(uri, "latin1").toString("utf8");
    const hostCount = headers.count("Host");
    if (hostCount > 1) throw new HTTPInputError("more than one Host header");
    const hostHeader = hostCount === 1 ? headers.get("Host") : undefined;
    if (hostHeader === undefined && http11 && host === undefined) throw new HTTPInputError("HTTP/1.1 request without Host");
    if (hostHeader !== undefined && hostHeader !== this.validHost) {
      if (!HOST_RE.test(hostHeader)) throw new HTTPInputError("invalid Host header");
      this.validHost = hostHeader; // a keep-alive client repeats its Host: check it once
    }
    if (host !== undefined && !HOST_RE.test(host)) throw new HTTPInputError("invalid host in request target");

    this.announcedBodyLength = this.bodyLength(headers, http11);
    let remoteIp = this.remoteIp;
    let protocol = this.protocol;
    if (params.xheaders) [remoteIp, protocol] = this.applyXheaders(headers, remoteIp, protocol);
    return new HTTPServerRequest({ method, uri, version, headers, body: EMPTY, remoteIp, protocol, host: host ?? hostHeader });
  }

  /** Reads the body announced in the head (-1: chunked) into `request.body`. */
  private async readBody(request: HTTPServerRequest, length: number): Promise<void> {
    const params = this.owner.params;
    const headers = request.headers;
    if (request.version !== "HTTP/1.0" && hasToken(headers.get("Expect"), "100-continue")) await this.stream.write(CONTINUE_100);
    this.phase = Phase.Body;
    this.deadline = deadlineAfter(params.bodyTimeout);
    let body = length > 0 ? await this.stream.readBytes(length) : await this.readChunkedBody(params.maxBodySize);
    if (params.decompressRequest && body.length > 0) body = await this.decompress(headers, body);
    request.body = body;
    const contentType = headers.get("Content-Type");
    if (contentType !== undefined && body.length > 0 && contentType.toLowerCase().startsWith("multipart/form-data")) {
      void request.files; // parse now: a malformed or oversized upload is a 400, not a handler error
    }
  }

  /** Bytes of body announced by Content-Length, -1 for chunked; throws on faulty framing. */
  private bodyLength(headers: HTTPHeaders, http11: boolean): number {
    // Most requests have neither header: two lookups without allocating lists.
    if (!headers.has("Transfer-Encoding") && !headers.has("Content-Length")) return 0;
    const te = headers.getList("Transfer-Encoding");
    const cl = headers.getList("Content-Length");
    if (te.length > 0) {
      if (cl.length > 0) throw new HTTPInputError("both Content-Length and Transfer-Encoding");
      if (!http11) throw new HTTPInputError("Transfer-Encoding in an HTTP/1.0 request");
      const codings = te.join(",").split(",");
      if (codings.length !== 1 || codings[0].trim().toLowerCase() !== "chunked") {
        throw new HTTPInputError("unsupported Transfer-Encoding");
      }
      return -1;
    }
    if (cl.length === 0) return 0;
    let value: string | undefined;
    for (const field of cl) {
      for (const raw of field.split(",")) {
        const v = raw.trim();
        if (!DIGITS_RE.test(v)) throw new HTTPInputError("invalid Content-Length");
        if (value !== undefined && value !== v) throw new HTTPInputError("conflicting Content-Length values");
        value = v;
      }
    }
    const n = value!.length > 15 ? Infinity : Number(value);
    if (n > this.owner.params.maxBodySize) throw new HTTPInputError("body larger than maxBodySize", 413);
    return n;
  }

  private async readChunkedBody(maxBodySize: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const line = await this.stream.readUntil(CRLF, { maxBytes: 4096 });
      const m = CHUNK_SIZE_RE.exec(line.toString("latin1", 0, line.length - 2));
      if (!m || m[1].length > 13) throw new HTTPInputError("invalid chunk size");
      const size = parseInt(m[1], 16);
      if (size === 0) break;
      total += size;
      if (total > maxBodySize) throw new HTTPInputError("chunked body larger than maxBodySize", 413);
      chunks.push(await this.stream.readBytes(size));
      const end = await this.stream.readBytes(2);
      if (end[0] !== 13 || end[1] !== 10) throw new HTTPInputError("chunk data not followed by CRLF");
    }
    // Trailer fields: validated, bounded, then dropped (none of them may change the framing).
    let trailerBytes = 0;
    const trailers = new HTTPHeaders();
    for (;;) {
      const line = await this.stream.readUntil(CRLF, { maxBytes: this.owner.params.maxHeaderSize });
      if (line.length === 2) break;
      trailerBytes += line.length;
      if (trailerBytes > this.owner.params.maxHeaderSize) throw new HTTPInputError("trailers too large", 431);
      parseHeaderLines(line.toString("latin1"), 0, trailers);
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  }

  private async decompress(headers: HTTPHeaders, body: Buffer): Promise<Buffer> {
    const encoding = headers.get("Content-Encoding");
    if (encoding === undefined || encoding.trim().toLowerCase() !== "gzip") return body;
    const maxOutputLength = this.owner.params.maxBodySize;
    const out = await new Promise<Buffer>((resolve, reject) => {
      zlib.gunzip(body, { maxOutputLength }, (err, result) => {
        if (!err) resolve(result);
        else if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
          reject(new HTTPInputError("decompressed body larger than maxBodySize", 413));
        } else reject(new HTTPInputError("malformed gzip body"));
      });
    });
    headers.delete("Content-Encoding");
    headers.set("X-Consumed-Content-Encoding", "gzip");
    headers.set("Content-Length", String(out.length));
    return out;
  }

  /** X-Real-Ip / X-Forwarded-For and X-Scheme / X-Forwarded-Proto, each validated. */
  private applyXheaders(headers: HTTPHeaders, remoteIp: string, protocol: string): [string, string] {
    let ip = remoteIp;
    const forwarded = headers.get("X-Forwarded-For");
    if (forwarded !== undefined) {
      const hops = forwarded.split(",");
      let candidate = "";
      for (let i = hops.length - 1; i >= 0; i--) {
        candidate = hops[i].trim();
        if (!this.owner.params.trustedDownstream.has(candidate)) break;
      }
      if (isValidIp(candidate)) ip = candidate;
    }
    const realIp = headers.get("X-Real-Ip");
    if (realIp !== undefined && isValidIp(realIp.trim())) ip = realIp.trim();
    let proto = headers.get("X-Scheme") ?? headers.get("X-Forwarded-Proto");
    if (proto !== undefined) {
      const parts = proto.split(",");
      proto = parts[parts.length - 1].trim().toLowerCase();
      if (proto === "http" || proto === "https") protocol = proto;
    }
    return [ip, protocol];
  }
}

function isValidIp(s: string): boolean {
  return s.length > 0 && net.isIP(s) !== 0;
}
