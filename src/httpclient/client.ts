/**
 * AsyncHTTPClient: Tornado's non-blocking HTTP client on undici. Adds Tornado's semantics on top
 * of undici's pooled dispatchers: one shared client per IOLoop, at most `maxClients` requests in
 * flight (others queue, and the queue time counts toward their timeout), redirect rules,
 * authentication, and 599 for every failure that left no response.
 */

import { IOLoop } from "../ioloop";
import { formatTimestamp } from "../httputil";
import type { HTTPHeaders } from "../httputil";
import { genLog } from "../log";
import { digestAuthorization, parseDigestChallenge } from "./digest";
import { DispatcherCache } from "./dispatchers";
import { exchange, type ExchangeResult } from "./exchange";
import { HTTPRequest, type HTTPRequestOptions } from "./request";
import { HTTPClientError, HTTPResponse, HTTPTimeoutError } from "./response";

export type FetchCallback = (response: HTTPResponse) => unknown;

/** Per-fetch options: the request's options plus the seed's callback form. */
export interface FetchOptions extends HTTPRequestOptions {
  /** Called with the response (errors in `response.error`, never thrown) when it completes. */
  callback?: FetchCallback;
}

export interface AsyncHTTPClientOptions {
  /** A new, unshared client instead of the IOLoop's shared one. */
  forceInstance?: boolean;
  /** Requests in flight at once (default 10); more wait in a queue. */
  maxClients?: number;
  /** Options every request of this client starts from (a request's own options win). */
  defaults?: HTTPRequestOptions;
  /** Largest buffered response body in bytes (default 100 MB). */
  maxBodySize?: number;
  /** Largest response head in bytes (default 64 KB). */
  maxHeaderSize?: number;
  /** Milliseconds an idle pooled connection stays open (undici's default: 4 s). */
  keepAliveTimeout?: number;
  /** The loop this client belongs to (default `IOLoop.current()`). */
  ioloop?: IOLoop;
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_USER_AGENT = "tornado-ts/0.1";
const DEFAULT_ACCEPT_ENCODING = "gzip, deflate, br";

interface Waiter {
  start: () => void;
  fail: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A non-blocking HTTP client. `new AsyncHTTPClient()` returns the current IOLoop's shared
 * instance (its options apply only when it is first made); pass `{ forceInstance: true }` for a
 * private one, and `close()` it when done.
 *
 * @example
 * const client = new AsyncHTTPClient();
 * const res = await client.fetch("http://127.0.0.1:8888/", { requestTimeout: 5 });
 * console.log(res.code, res.text());
 * client.fetch("http://127.0.0.1:8888/", (res) => console.log(res.error ?? res.body.length));
 */
export class AsyncHTTPClient {
  private static readonly shared = new WeakMap<IOLoop, AsyncHTTPClient>();
  private static configured: AsyncHTTPClientOptions = {};

  // Definite (!) because a shared instance may be returned from the constructor instead.
  readonly maxClients!: number;
  readonly defaults!: HTTPRequestOptions;
  private readonly maxBodySize!: number;
  private readonly dispatchers!: DispatcherCache;
  private readonly loop!: IOLoop | null;
  private readonly queue: Waiter[] = [];
  private active = 0;
  private closed = false;

  constructor(options: AsyncHTTPClientOptions = {}) {
    const opts = { ...AsyncHTTPClient.configured, ...options };
    const loop = opts.forceInstance ? null : (opts.ioloop ?? IOLoop.current());
    if (loop) {
      const existing = AsyncHTTPClient.shared.get(loop);
      if (existing) return existing;
      AsyncHTTPClient.shared.set(loop, this);
    }
    this.loop = loop;
    this.maxClients = opts.maxClients ?? 10;
    if (!(this.maxClients >= 1)) throw new RangeError(`AsyncHTTPClient: maxClients must be at least 1, got ${opts.maxClients}`);
    this.defaults = { ...(opts.defaults ?? {}) };
    this.maxBodySize = opts.maxBodySize ?? 100 * 1024 * 1024;
    this.dispatchers = new DispatcherCache({
      maxHeaderSize: opts.maxHeaderSize ?? 64 * 1024,
      connections: this.maxClients,
      keepAliveTimeout: opts.keepAliveTimeout,
    });
  }

  /**
   * Sets the options shared instances made from now on start with (Tornado's `configure`).
   *
   * @example
   * AsyncHTTPClient.configure({ maxClients: 50, defaults: { userAgent: "my-app" } });
   */
  static configure(options: AsyncHTTPClientOptions): void {
    AsyncHTTPClient.configured = { ...options };
  }

  /** Requests in flight and waiting in the queue. */
  get stats(): { active: number; queued: number } {
    return { active: this.active, queued: this.queue.length };
  }

  /**
   * Fetches a URL. Resolves with the HTTPResponse; rejects with HTTPClientError for a non-2xx
   * response (unless `raiseError: false`) and for no response at all (code 599). With a
   * callback (second argument or `{ callback }`), the callback gets the response with any error
   * in `response.error`, and the returned promise never rejects.
   */
  fetch(request: string | URL | HTTPRequest, options?: FetchOptions | FetchCallback, callback?: FetchCallback): Promise<HTTPResponse> {
    if (typeof options === "function") {
      callback = options;
      options = undefined;
    }
    const { callback: optCallback, ...requestOptions } = (options ?? {}) as FetchOptions;
    callback = callback ?? optCallback;
    const start = performance.now();
    const startTime = Date.now() / 1000;
    let req: HTTPRequest;
    try {
      req = this.makeRequest(request, requestOptions);
    } catch (err) {
      return Promise.reject(err);
    }
    const outcome = this.run(req, start, startTime);
    if (!callback) return outcome.then((res) => (res.error && req.raiseError ? Promise.reject(res.error) : res));
    const cb = callback;
    return outcome
      .catch((err: Error) => new HTTPResponse(req, err instanceof HTTPClientError ? err.code : 599, {
        error: err, requestTime: (performance.now() - start) / 1000, startTime,
      }))
      .then((res) => {
        try {
          cb(res);
        } catch (err) {
          genLog.error(`exception in fetch callback for ${req.url}: ${(err as Error)?.stack ?? err}`);
        }
        return res;
      });
  }

  /**
   * Closes pooled connections and refuses further fetches; a shared instance is forgotten, so
   * the next `new AsyncHTTPClient()` makes a fresh one.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.loop && AsyncHTTPClient.shared.get(this.loop) === this) AsyncHTTPClient.shared.delete(this.loop);
    for (const w of this.queue.splice(0)) {
      clearTimeout(w.timer);
      w.fail(new HTTPClientError(599, "AsyncHTTPClient closed"));
    }
    await this.dispatchers.close();
  }

  private makeRequest(request: string | URL | HTTPRequest, options: HTTPRequestOptions): HTTPRequest {
    if (this.closed) throw new Error("AsyncHTTPClient: fetch() after close()");
    if (!(request instanceof HTTPRequest)) return new HTTPRequest(request, options, this.defaults);
    const { raiseError, ...rest } = options;
    if (Object.keys(rest).length > 0) throw new TypeError("AsyncHTTPClient.fetch: pass options either in the HTTPRequest or as fetch options, not both");
    const req = request.copy();
    if (raiseError !== undefined) req.raiseError = raiseError;
    return req;
  }

  private async run(req: HTTPRequest, start: number, startTime: number): Promise<HTTPResponse> {
    let url = req.validate();
    await this.acquire(req);
    try {
      let current = req;
      let redirectsLeft = req.maxRedirects;
      let deadline = start + req.requestTimeout * 1000;
      for (;;) {
        const willFollow = (code: number, headers: HTTPHeaders): boolean =>
          current.followRedirects && redirectsLeft > 0 && REDIRECT_CODES.has(code) && headers.has("location");
        const result = await this.send(current, url, deadline, willFollow);
        if (result.followed) {
          [current, url] = redirectRequest(current, url, result.code, result.headers.get("location")!);
          redirectsLeft--;
          // Each hop is a new request in Tornado, with its own timeout.
          deadline = performance.now() + current.requestTimeout * 1000;
          continue;
        }
        return new HTTPResponse(req, result.code, {
          reason: result.reason,
          headers: result.headers,
          body: result.body,
          effectiveUrl: url.href,
          requestTime: (performance.now() - start) / 1000,
          startTime,
        });
      }
    } finally {
      this.release();
    }
  }

  /** One hop, answering a Digest challenge once when `authMode` is "digest". */
  private async send(req: HTTPRequest, url: URL, deadline: number, willFollow: (code: number, h: HTTPHeaders) => boolean): Promise<ExchangeResult> {
    const spec = {
      dispatcher: this.dispatchers.forRequest(req),
      url,
      method: req.method,
      headers: buildHeaders(req),
      body: req.body,
      deadline,
      decompress: req.decompressResponse,
      maxBodySize: req.maxBodySize ?? (req.streamingCallback ? Infinity : this.maxBodySize),
      streamingCallback: req.streamingCallback,
      headerCallback: req.headerCallback,
      willFollow,
    };
    const digest = req.authMode === "digest" && req.authUsername !== undefined && !req.headers.has("authorization");
    if (!digest) return exchange(spec);
    const first = await exchange({ ...spec, streamingCallback: null, headerCallback: null, willFollow: () => false });
    const challenge = first.code === 401 ? parseDigestChallenge(first.headers.getList("www-authenticate").join(", ")) : null;
    if (!challenge) return first;
    const authorization = digestAuthorization(challenge, req.method, url.pathname + url.search, req.authUsername!, req.authPassword ?? "");
    return exchange({ ...spec, headers: [...spec.headers, "Authorization", authorization] });
  }

  private acquire(req: HTTPRequest): Promise<void> {
    if (this.closed) return Promise.reject(new HTTPClientError(599, "AsyncHTTPClient closed"));
    if (this.active < this.maxClients) {
      this.active++;
      return Promise.resolve();
    }
    // Tornado: a queued request waits at most min(connectTimeout, requestTimeout).
    const waitSeconds = Math.min(req.connectTimeout, req.requestTimeout);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        fail: reject,
        timer: setTimeout(() => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(new HTTPTimeoutError("Timeout in request queue"));
        }, waitSeconds * 1000),
      };
      this.queue.push(waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (!next) {
      this.active--;
      return;
    }
    clearTimeout(next.timer);
    next.start(); // the slot passes straight to the next waiter
  }
}

/** The header list sent for `req`: its own headers plus Tornado's defaults, as undici's flat array. */
function buildHeaders(req: HTTPRequest): string[] {
  const h = req.headers;
  const out: string[] = [];
  h.forEach((name, value) => out.push(name, value));
  if (!h.has("user-agent")) out.push("User-Agent", req.userAgent ?? DEFAULT_USER_AGENT);
  if (req.decompressResponse && !h.has("accept-encoding")) out.push("Accept-Encoding", DEFAULT_ACCEPT_ENCODING);
  if (req.ifModifiedSince !== undefined && !h.has("if-modified-since")) out.push("If-Modified-Since", formatTimestamp(req.ifModifiedSince));
  if (req.authUsername !== undefined && req.authMode === "basic" && !h.has("authorization")) {
    out.push("Authorization", "Basic " + Buffer.from(`${req.authUsername}:${req.authPassword ?? ""}`).toString("base64"));
  }
  if (req.method === "POST" && !h.has("content-type")) out.push("Content-Type", "application/x-www-form-urlencoded");
  return out;
}

/**
 * The request that follows a redirect: 303 (and 301/302 after POST) become GET without a body;
 * a redirect to another origin drops credentials (Authorization, Cookie, auth options).
 */
export function redirectRequest(prev: HTTPRequest, prevUrl: URL, code: number, location: string): [HTTPRequest, URL] {
  const next = prev.copy();
  let target: URL;
  try {
    target = new URL(location, prevUrl);
  } catch {
    throw new HTTPClientError(599, `redirect to an invalid Location: ${JSON.stringify(location)}`);
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new HTTPClientError(599, `redirect to an unsupported scheme: ${target.protocol}`);
  }
  target.hash = "";
  if (((code === 301 || code === 302) && prev.method === "POST") || (code === 303 && prev.method !== "HEAD")) {
    next.method = "GET";
    next.body = null;
    for (const name of ["Content-Length", "Content-Type", "Content-Encoding", "Transfer-Encoding"]) next.headers.delete(name);
  }
  next.headers.delete("Host");
  if (target.origin !== prevUrl.origin) {
    next.headers.delete("Authorization");
    next.headers.delete("Cookie");
    next.authUsername = undefined;
    next.authPassword = undefined;
  }
  next.url = target.href;
  return [next, target];
}
