/**
 * The HTTP/1.1 protocol on one IOStream, server side: reads request heads and bodies (strictly),
 * hands each complete request to the server's target, and answers in order.
 */
import * as zlib from "node:zlib";
import { HTTPInputError, type HTTPHeaders, type HTTPServerRequest } from "./httputil";
import type { RequestBodyDelegate } from "./httputil";
import { IOStream, StreamClosedError, UnsatisfiableReadError } from "./iostream";
import { hasToken, ServerResponse } from "./http1response";
import { describeRequestLine, findHeadEnd, parseRequestHead, type HeadState } from "./http1head";
import { readChunkedBody, readFixedBody, streamChunkedBody, streamFixedBody, type BodySink } from "./http1body";

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
  /**
   * Offered the head of each request that has a body, before the body is read: returning a
   * delegate streams the body to it (and `handleRequest` is not called for this request).
   */
  startRequest?(request: HTTPServerRequest): RequestBodyDelegate | undefined;
  /** Reports a request refused before it reached the application (access log). */
  reportRefused?(info: RefusedRequest): void;
  /** Reports an exception from the application (logging). */
  reportError(message: string, err: unknown): void;
  connectionClosed(conn: HTTP1ServerConnection): void;
}

/** A request the connection answered itself because it could not be read. */
export interface RefusedRequest {
  status: number;
  /** What was wrong, as told to the client. */
  cause: string;
  method: string;
  uri: string;
  remoteIp: string;
  /** Seconds from the first byte of the head to the refusal. */
  requestTime: number;
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

const CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n";

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
export class HTTP1ServerConnection implements HeadState {
  phase: Phase = Phase.Idle;
  /** performance.now() at which the current phase times out; 0 for never. */
  deadline = 0;
  private current: ServerResponse | null = null;
  /** Body framing of the head just parsed: a length, or -1 for chunked. */
  announcedBodyLength = 0;
  /** The current request's body limits (the application may change them before the body is read). */
  private limits: { maxBodySize: number; maxHeaderSize: number; bodyTimeout: number } | null = null;
  /** Whether the current request's body is still to be read (a response finishing first closes). */
  private bodyPending = false;
  readonly remoteIp: string;
  /** The last Host header value that passed validation (HeadState). */
  validHost: string | null = null;
  /** Whether no request head has arrived yet (stop() gives such a connection a moment to send one). */
  private fresh = true;
  /** Trampoline state of serveOne: 0 idle, 1 serving, 2 serving and asked to serve again (one field, not two). */
  private serving = 0;

  constructor(
    readonly stream: IOStream,
    private readonly owner: ConnectionOwner,
    readonly protocol: string,
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

  /**
   * Closes now if no request is under way (for graceful stop); otherwise after its response. A
   * connection that has not sent its first request is left open unless `includeFresh`: a proxy
   * writes its request right after connecting, and closing under it loses that request (nginx
   * answers 502 for a POST it may not retry).
   */
  closeIfIdle(includeFresh = false): void {
    if (this.fresh && !includeFresh) return;
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

  /** Sets the current request's body limit; see HTTPConnection.setMaxBodySize. */
  setMaxBodySize(bytes: number): void {
    if (!(bytes >= 0)) throw new RangeError("maxBodySize must be a non-negative number of bytes");
    if (this.limits !== null) this.limits.maxBodySize = bytes;
  }

  /** Sets the current request's body timeout in seconds; see HTTPConnection.setBodyTimeout. */
  setBodyTimeout(seconds: number): void {
    if (!(seconds > 0)) throw new RangeError("bodyTimeout must be a positive number of seconds");
    if (this.limits !== null) this.limits.bodyTimeout = seconds * 1000;
  }

  /** Called by the response once it wrote its last byte. */
  responseFinished(response: ServerResponse): void {
    if (this.current !== response) return;
    this.current = null;
    // Answered before its body was read (refused in prepare, or failed): the rest of the body
    // is still on the wire, so the connection cannot serve another request.
    if (!response.keepAlive || this.owner.draining || this.stream.closed() || this.bodyPending) {
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
    if (this.serving !== 0) {
      this.serving = 2;
      return;
    }
    try {
      do {
        this.serving = 1;
        this.readHead();
      } while (this.serving === 2);
    } finally {
      this.serving = 0;
    }
  }

  /** Starts reading a head; `onHead` runs at once when it is buffered (no promise, no microtask). */
  private readHead(): void {
    const params = this.owner.params;
    // Nothing buffered: the connection is idle (a new one too) until the first byte arrives.
    this.phase = this.stream.bufferedLength === 0 ? Phase.Idle : Phase.Head;
    this.deadline = deadlineAfter(this.phase === Phase.Idle ? params.idleConnectionTimeout : params.headerTimeout);
    this.stream.readUntilMatchThen(findHeadEnd, 2, params.maxHeaderSize, this.onHead, this.onHeadError, this);
  }

  // Methods called with this stream's receiver, not arrow fields: two closures fewer per connection.
  private onHead(head: Buffer): void {
    this.fresh = false;
    const text = head.toString("latin1");
    let lineStart = 0;
    // RFC 9112 §2.2: ignore empty lines before the request line.
    while (lineStart < text.length && (text.charCodeAt(lineStart) === 13 || text.charCodeAt(lineStart) === 10)) lineStart++;
    if (lineStart === text.length) {
      this.serveOne();
      return;
    }
    let request: HTTPServerRequest;
    try {
      request = parseRequestHead(text, lineStart, this, this.owner.params);
    } catch (err) {
      const [method, uri] = describeRequestLine(text, lineStart);
      this.refuse(err, method, uri, performance.now());
      return;
    }
    const length = this.announcedBodyLength;
    if (length === 0) {
      this.dispatch(request, this.respondTo(request));
      return;
    }
    const params = this.owner.params;
    this.limits = { maxBodySize: params.maxBodySize, maxHeaderSize: params.maxHeaderSize, bodyTimeout: params.bodyTimeout };
    this.bodyPending = true;
    const response = this.respondTo(request);
    let delegate: RequestBodyDelegate | undefined;
    if (this.owner.startRequest !== undefined) {
      this.phase = Phase.Busy;
      this.deadline = 0;
      try {
        delegate = this.owner.startRequest(request);
      } catch (err) {
        this.bodyPending = false;
        this.applicationFailed(response, err);
        return;
      }
    }
    if (delegate !== undefined) {
      void this.streamBody(request, response, delegate, length);
      return;
    }
    this.readBody(request, length).then(
      () => this.dispatch(request, response),
      (err: unknown) => this.refuse(err, request.method, request.uri, request.startTime),
    );
  }

  private onHeadError(err: unknown): void {
    if (err instanceof StreamClosedError && this.stream.bufferedLength === 0) {
      this.stream.close();
      return;
    }
    this.refuse(err, "-", "-", performance.now());
  }

  /** The response object of a request that was read; it becomes `request.connection`. */
  private respondTo(request: HTTPServerRequest): ServerResponse {
    const response = new ServerResponse(this, this.stream, request, !this.owner.draining && !this.owner.params.noKeepAlive);
    this.current = response;
    request.connection = response;
    return response;
  }

  private dispatch(request: HTTPServerRequest, response: ServerResponse): void {
    this.bodyPending = false;
    this.limits = null;
    this.phase = Phase.Busy;
    this.deadline = 0;
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

  /**
   * Reads a body into a delegate: after `ready` (the handler's prepare, which may change the
   * limits), piece by piece with flow control, then `finish`.
   */
  private async streamBody(request: HTTPServerRequest, response: ServerResponse, delegate: RequestBodyDelegate, length: number): Promise<void> {
    let failure: unknown = null;
    try {
      if (delegate.ready !== undefined) await delegate.ready;
      if (!this.bodyPending || this.current !== response || this.stream.closed()) return; // answered in prepare
      const sink = (piece: Buffer): void | Promise<void> => {
        try {
          const wait = delegate.dataReceived(piece);
          return wait === undefined ? undefined : wait.then(undefined, (err: unknown) => Promise.reject(new DelegateError(err)));
        } catch (err) {
          throw new DelegateError(err);
        }
      };
      await this.readBody(request, length, sink);
    } catch (err) {
      failure = err;
    }
    if (failure === null) {
      this.bodyPending = false;
      this.limits = null;
      this.phase = Phase.Busy;
      this.deadline = 0;
      try {
        delegate.finish();
      } catch (err) {
        this.applicationFailed(response, err);
      }
      return;
    }
    if (failure instanceof DelegateError) {
      this.applicationFailed(response, failure.cause);
    } else if (this.current === response && response.canStillAnswer()) {
      this.refuse(failure, request.method, request.uri, request.startTime); // closing tells the handler (onConnectionClose)
    } else {
      this.stream.close();
    }
    try {
      delegate.abort(failure instanceof DelegateError ? failure.cause : failure);
    } catch (err) {
      this.owner.reportError("Exception aborting a streamed request", err);
    }
  }

  /** Answers a request that could not be read with its status and cause, logs it, and closes. */
  private refuse(err: unknown, method: string, uri: string, started: number): void {
    this.bodyPending = false;
    if (this.stream.closed() || err instanceof StreamClosedError) {
      this.stream.close();
      return;
    }
    let status = 400;
    let cause: string;
    if (err instanceof HTTPInputError) {
      status = err.status;
      cause = err.message;
    } else if (err instanceof UnsatisfiableReadError) {
      if (this.phase === Phase.Body) {
        cause = "line too long in the body framing";
      } else {
        status = 431;
        cause = "request head larger than maxHeaderSize";
      }
    } else {
      cause = "the request could not be read";
      this.owner.reportError("Unexpected error reading a request", err);
    }
    ServerResponse.writeBareError(this.stream, status, cause);
    this.phase = Phase.Closed;
    this.stream.close();
    try {
      this.owner.reportRefused?.({ status, cause, method, uri, remoteIp: this.remoteIp, requestTime: (performance.now() - started) / 1000 });
    } catch {
      // A failing log handler must not keep the connection from closing.
    }
  }

  private onStreamClosed(): void {
    this.phase = Phase.Closed;
    this.deadline = 0;
    const response = this.current;
    this.current = null;
    if (response) response.connectionLost();
    this.owner.connectionClosed(this);
  }

  /**
   * Reads the body announced in the head (-1: chunked): into `request.body`, or piece by piece
   * into `sink` when the application streams it.
   */
  private async readBody(request: HTTPServerRequest, length: number, sink?: BodySink): Promise<void> {
    const limits = this.limits!;
    if (length > limits.maxBodySize) throw new HTTPInputError("body larger than maxBodySize", 413);
    const headers = request.headers;
    if (request.version !== "HTTP/1.0" && hasToken(headers.get("Expect"), "100-continue")) await this.stream.write(CONTINUE_100);
    this.phase = Phase.Body;
    this.deadline = deadlineAfter(limits.bodyTimeout);
    if (sink !== undefined) {
      if (length > 0) await streamFixedBody(this.stream, length, sink);
      else await streamChunkedBody(this.stream, limits, sink);
      return;
    }
    let body = length > 0 ? await readFixedBody(this.stream, length) : await readChunkedBody(this.stream, limits);
    if (this.owner.params.decompressRequest && body.length > 0) body = await this.decompress(headers, body);
    request.body = body;
    const contentType = headers.get("Content-Type");
    if (contentType !== undefined && body.length > 0 && contentType.toLowerCase().startsWith("multipart/form-data")) {
      void request.files; // parse now: a malformed or oversized upload is a 400, not a handler error
    }
  }

  private async decompress(headers: HTTPHeaders, body: Buffer): Promise<Buffer> {
    const encoding = headers.get("Content-Encoding");
    if (encoding === undefined || encoding.trim().toLowerCase() !== "gzip") return body;
    const maxOutputLength = this.limits?.maxBodySize ?? this.owner.params.maxBodySize;
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

}

/** An exception thrown by a body delegate (an application error, not a malformed request). */
class DelegateError extends Error {
  constructor(override readonly cause: unknown) {
    super("body delegate failed");
  }
}
