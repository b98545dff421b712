/**
 * What a fetch gives back: HTTPResponse, and the errors HTTPClientError (a non-2xx response, or
 * 599 when there is no response at all), HTTPTimeoutError and HTTPStreamClosedError.
 */

import { HTTPHeaders, responses } from "../httputil";
import type { HTTPRequest } from "./request";

/**
 * An HTTP error from the client: `code` is the response status, or 599 when no response arrived
 * (connection refused or reset, DNS failure, timeout, body too large). `response` is set when
 * there was one.
 *
 * @example
 * try { await client.fetch(url); } catch (e) { if (e instanceof HTTPClientError && e.code === 404) ... }
 */
export class HTTPClientError extends Error {
  override name = "HTTPClientError";

  constructor(
    public readonly code: number,
    message?: string,
    public response: HTTPResponse | null = null,
    options?: { cause?: unknown },
  ) {
    super(message ?? responses[code] ?? "Unknown", options);
  }

  override toString(): string {
    return `HTTP ${this.code}: ${this.message}`;
  }
}

/** 599: the connect, request or queue timeout passed. */
export class HTTPTimeoutError extends HTTPClientError {
  override name = "HTTPTimeoutError";

  constructor(message: string) {
    super(599, message);
  }

  override toString(): string {
    return this.message || "Timeout";
  }
}

/** 599: the connection closed (refused, reset, or ended early) before a full response. */
export class HTTPStreamClosedError extends HTTPClientError {
  override name = "HTTPStreamClosedError";

  constructor(message: string, options?: { cause?: unknown }) {
    super(599, message, null, options);
  }

  override toString(): string {
    return this.message || "Stream closed";
  }
}

export interface HTTPResponseInit {
  reason?: string;
  headers?: HTTPHeaders;
  body?: Buffer;
  effectiveUrl?: string;
  error?: Error | null;
  requestTime?: number;
  startTime?: number;
  timeInfo?: Record<string, number>;
}

/**
 * One completed exchange. `body` is the whole (decompressed) body, empty when a
 * `streamingCallback` consumed it. `error` is set for a non-2xx code (an HTTPClientError) or
 * when no response arrived (code 599).
 *
 * @example
 * const res = await client.fetch("http://127.0.0.1:8888/api");
 * res.code; res.headers.get("content-type"); res.json();
 */
export class HTTPResponse {
  readonly code: number;
  readonly reason: string;
  readonly headers: HTTPHeaders;
  readonly body: Buffer;
  /** The URL after any redirects. */
  readonly effectiveUrl: string;
  readonly error: Error | null;
  /** Seconds from the fetch call (queue time included) to the end of the response. */
  readonly requestTime: number;
  /** Wall-clock seconds (epoch) when the fetch started. */
  readonly startTime: number;
  readonly timeInfo: Record<string, number>;

  constructor(
    public readonly request: HTTPRequest,
    code: number,
    init: HTTPResponseInit = {},
  ) {
    this.code = code;
    this.reason = init.reason || responses[code] || "Unknown";
    this.headers = init.headers ?? new HTTPHeaders();
    this.body = init.body ?? Buffer.alloc(0);
    this.effectiveUrl = init.effectiveUrl ?? request.url;
    this.requestTime = init.requestTime ?? 0;
    this.startTime = init.startTime ?? Date.now() / 1000;
    this.timeInfo = init.timeInfo ?? {};
    if (init.error) this.error = init.error;
    else if (code < 200 || code >= 300) this.error = new HTTPClientError(code, this.reason, this);
    else this.error = null;
  }

  /** The body decoded as UTF-8. */
  text(): string {
    return this.body.toString("utf8");
  }

  /** The body parsed as JSON; throws SyntaxError when it is not JSON. */
  json<T = unknown>(): T {
    return JSON.parse(this.text()) as T;
  }

  /** Throws `error` if there is one (Tornado's `rethrow`). */
  rethrow(): void {
    if (this.error) throw this.error;
  }

  toString(): string {
    return `HTTPResponse(${this.code} ${this.reason}, ${this.effectiveUrl})`;
  }
}
