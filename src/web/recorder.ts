/**
 * An in-memory HTTPConnection that records a response instead of writing to a socket, and the
 * request builder and response reader around it. `Application.inject` and the testing module's
 * `runHandler` run the real handler lifecycle through it.
 */
import { HTTPHeaders, HTTPServerRequest, type HTTPConnection, type ResponseStartLine } from "../httputil";

/** A request to run in memory. */
export interface InMemoryRequest {
  method?: string;
  /** Path and query, e.g. `/search?q=tornado` (default `/`). */
  uri?: string;
  headers?: HTTPHeaders | Record<string, string> | Iterable<[string, string]>;
  /** A string/Buffer is sent as is; an object is form-encoded (`application/x-www-form-urlencoded`). */
  body?: string | Buffer | Record<string, string | number | readonly (string | number)[]>;
  /** Sent as a JSON body with `Content-Type: application/json` (instead of `body`). */
  json?: unknown;
  /** Sent as the Cookie header. */
  cookies?: Record<string, string>;
  remoteIp?: string;
  protocol?: string;
}

/** One parsed `Set-Cookie`: the value and its attributes (names lower-cased; flags are `true`). */
export interface ParsedCookie {
  value: string;
  attributes: Record<string, string | true>;
}

/** What a handler rendered with `render(template, kwargs)`. */
export interface RenderedTemplate {
  template: string;
  kwargs: Record<string, unknown>;
}

/** A recorded response. */
export interface RecordedResponse {
  status: number;
  reason: string;
  headers: HTTPHeaders;
  /** The body as UTF-8 text. */
  body: string;
  bodyBuffer: Buffer;
  /** The body parsed as JSON (throws with the body in the message when it is not JSON). */
  json<T = unknown>(): T;
  /** `Set-Cookie` headers by cookie name. */
  cookies: Record<string, ParsedCookie>;
  /** The Location of a 3xx response, else null. */
  redirectedTo: string | null;
  /** The last `render()` call, or null. */
  rendered: RenderedTemplate | null;
  /** The first exception the lifecycle caught (the cause of a 500), or undefined. */
  error: unknown;
}

/**
 * Records one response. `clientClose()` plays a client that goes away mid-request.
 *
 * @example
 * const connection = new RecordingConnection();
 * const request = buildRequest({ uri: "/" }, connection);
 */
export class RecordingConnection implements HTTPConnection {
  startLine: ResponseStartLine | null = null;
  headers: HTTPHeaders | null = null;
  readonly chunks: Buffer[] = [];
  finished = false;
  closedByClient = false;
  rendered: RenderedTemplate | null = null;
  readonly errors: unknown[] = [];
  /** Resolves when the handler calls `finish()`. */
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private closeCallback: (() => void) | null = null;

  constructor() {
    this.done = new Promise<void>((resolve) => (this.resolveDone = resolve));
  }

  writeHeaders(startLine: ResponseStartLine, headers: HTTPHeaders, chunk?: Buffer | string): Promise<void> {
    if (this.startLine !== null) return Promise.reject(new Error("response headers written twice"));
    this.startLine = { ...startLine };
    this.headers = headers.copy();
    if (chunk !== undefined && chunk.length > 0) this.chunks.push(Buffer.from(chunk));
    return Promise.resolve();
  }

  write(chunk: Buffer | string): Promise<void> {
    if (this.startLine === null) return Promise.reject(new Error("write() before writeHeaders()"));
    if (this.finished) return Promise.reject(new Error("write() after finish()"));
    if (this.closedByClient) return Promise.reject(new Error("the client closed the connection"));
    this.chunks.push(Buffer.from(chunk));
    return Promise.resolve();
  }

  finish(): void {
    this.finished = true;
    this.resolveDone();
  }

  setCloseCallback<T>(fn: ((this: T) => void) | null, receiver?: T): void {
    this.closeCallback = fn === null ? null : () => fn.call(receiver as T);
  }

  /** Simulates the client going away: runs the close callback (once) if the response is open. */
  clientClose(): void {
    if (this.closedByClient) return;
    this.closedByClient = true;
    const fn = this.closeCallback;
    this.closeCallback = null;
    if (!this.finished && fn) fn();
  }

  recordRender(template: string, kwargs: Record<string, unknown>): void {
    this.rendered = { template, kwargs };
  }

  recordError(err: unknown): void {
    this.errors.push(err);
  }

  /** The response recorded so far (throws if no headers were written yet). */
  response(): RecordedResponse {
    if (this.startLine === null || this.headers === null) throw new Error("no response was written");
    const bodyBuffer = Buffer.concat(this.chunks);
    const body = bodyBuffer.toString("utf8");
    const headers = this.headers;
    const status = this.startLine.code;
    return {
      status,
      reason: this.startLine.reason,
      headers,
      body,
      bodyBuffer,
      json<T>(): T {
        try {
          return JSON.parse(body) as T;
        } catch {
          throw new Error(`response body is not JSON: ${JSON.stringify(body.slice(0, 200))}`);
        }
      },
      cookies: parseSetCookies(headers.getList("Set-Cookie")),
      redirectedTo: status >= 300 && status < 400 ? headers.get("Location") ?? null : null,
      rendered: this.rendered,
      error: this.errors[0],
    };
  }
}

/** Builds the HTTPServerRequest a real server would have parsed from `spec`. */
export function buildRequest(spec: InMemoryRequest, connection: HTTPConnection): HTTPServerRequest {
  const headers = spec.headers instanceof HTTPHeaders ? spec.headers.copy() : new HTTPHeaders(spec.headers);
  if (spec.cookies) {
    const pairs = Object.entries(spec.cookies).map(([name, value]) => `${name}=${value}`);
    if (pairs.length > 0) headers.add("Cookie", pairs.join("; "));
  }
  let body: Buffer | undefined;
  if (spec.json !== undefined) {
    if (spec.body !== undefined) throw new Error("give a request either body or json, not both");
    body = Buffer.from(JSON.stringify(spec.json), "utf8");
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  } else if (typeof spec.body === "string") body = Buffer.from(spec.body, "utf8");
  else if (Buffer.isBuffer(spec.body)) body = spec.body;
  else if (spec.body !== undefined) {
    body = Buffer.from(formEncode(spec.body), "utf8");
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  if (body !== undefined && !headers.has("Content-Length")) headers.set("Content-Length", String(body.length));
  return new HTTPServerRequest({
    method: (spec.method ?? "GET").toUpperCase(),
    uri: spec.uri ?? "/",
    headers,
    body,
    remoteIp: spec.remoteIp,
    protocol: spec.protocol,
    connection,
  });
}

function formEncode(fields: Record<string, string | number | readonly (string | number)[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const v of value) params.append(name, String(v));
    else params.append(name, String(value));
  }
  return params.toString();
}

/** Parses `Set-Cookie` header values by cookie name (the last one of a name wins). */
export function parseSetCookies(headers: readonly string[]): Record<string, ParsedCookie> {
  const out: Record<string, ParsedCookie> = Object.create(null);
  for (const header of headers) {
    const [pair, ...attrs] = header.split(";");
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    const attributes: Record<string, string | true> = {};
    for (const attr of attrs) {
      const i = attr.indexOf("=");
      if (i < 0) attributes[attr.trim().toLowerCase()] = true;
      else attributes[attr.slice(0, i).trim().toLowerCase()] = attr.slice(i + 1).trim();
    }
    out[name] = { value, attributes };
  }
  return out;
}

/**
 * Waits for `work` at most `ms` milliseconds; on timeout runs `onTimeout` and rejects with
 * `message`. The timer never outlives the wait.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, message: () => string, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(message()));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
