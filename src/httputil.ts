/**
 * HTTP utilities shared by the server and the web layer: headers, the server-side request,
 * and the connection interface a response is written through.
 */

import { parseMultipartFormData } from "./multipart";
import type { MultipartLimits } from "./multipart";
import { HTTPInputError } from "./headerlines";
import { HTTPHeaders } from "./httpheaders";
import type { IOStream } from "./iostream";

export { formatTimestamp, urlConcat, parseRequestRange, parseContentRange, formatContentRange, responses, parseResponseStartLine } from "./httpvalues";
export type { UrlArgs } from "./httpvalues";
export { parseMultipartFormData, parseHeaderParams } from "./multipart";
export type { MultipartLimits } from "./multipart";
export { HTTPInputError, TOKEN_RE, parseHeaderLines } from "./headerlines";
export { HTTPHeaders } from "./httpheaders";

/** The first line of a response. */
export interface ResponseStartLine {
  version: string;
  code: number;
  reason: string;
}

/**
 * What a response is written through: the HTTP/1.1 connection on a socket, or an in-memory
 * recorder in the testing module. The web layer never touches a socket directly.
 */
export interface HTTPConnection {
  /**
   * Writes the status line and headers, and optionally the first body chunk. When the headers
   * carry no Content-Length and the request was HTTP/1.1, the body is sent chunked.
   */
  writeHeaders(startLine: ResponseStartLine, headers: HTTPHeaders, chunk?: Buffer | string): Promise<void>;
  /** Writes a body chunk after the headers. */
  write(chunk: Buffer | string): Promise<void>;
  /** Ends the response; the connection then reads the next request or closes. */
  finish(): void;
  /** `fn` runs once if the peer goes away before the response finished; null removes it. */
  setCloseCallback<T>(fn: ((this: T) => void) | null, receiver?: T): void;
  /**
   * Only on a socket connection: hands its stream to the caller once the response finishes
   * (protocol upgrades). See ServerResponse.detach.
   */
  detach?(): IOStream;
  /**
   * Changes the largest body this request may have, in bytes (Tornado's `set_max_body_size`).
   * Only takes effect before the body is read: in `prepare` of a `@StreamRequestBody` handler.
   */
  setMaxBodySize?(bytes: number): void;
  /** Changes the time this request's body may take to arrive, in seconds (as `setMaxBodySize`). */
  setBodyTimeout?(seconds: number): void;
}

/**
 * Takes a request's body piece by piece instead of the server buffering it (Tornado's
 * HTTPMessageDelegate of a `stream_request_body` handler). A server target's `startRequest`
 * returns one when the head of a request with a body arrives.
 */
export interface RequestBodyDelegate {
  /** Settles when the application is ready for the body (after `prepare`); limits are read then. */
  readonly ready?: Promise<void>;
  /** One piece of the body; the server reads no further until a returned promise settles. */
  dataReceived(chunk: Buffer): void | Promise<void>;
  /** The whole body arrived. */
  finish(): void;
  /** The body could not be read (malformed, too large, too slow, or the peer left); the server already answered or closed. */
  abort(err: unknown): void;
}

/** An uploaded file from a multipart/form-data body. */
export interface HTTPFile {
  filename: string;
  body: Buffer;
  contentType: string;
}

/** Arguments by name; every name maps to all its values in order. Has no prototype. */
export type ArgumentMap = Record<string, string[]>;

/**
 * Arguments by name (decoded as UTF-8) with their values still undecoded: each value is its
 * bytes as a latin1 string (one char per byte), or null when its %-escapes were malformed.
 * RequestHandler decodes them with `decodeArgument`, so an app can choose another charset.
 */
export type RawArgumentMap = Record<string, (string | null)[]>;

export interface HTTPServerRequestInit {
  method?: string;
  uri?: string;
  version?: string;
  headers?: HTTPHeaders;
  body?: Buffer;
  remoteIp?: string;
  protocol?: string;
  host?: string;
  connection?: HTTPConnection;
}

const EMPTY_BODY = Buffer.alloc(0);

/**
 * One HTTP request as the server received it. Query and body arguments, files and cookies are
 * parsed lazily on first use, so a handler that reads none of them pays for none.
 *
 * @example
 * const req = new HTTPServerRequest({ method: "GET", uri: "/a?x=1&x=2" });
 * req.path;               // "/a"
 * req.queryArguments.x;   // ["1", "2"]
 */
export class HTTPServerRequest {
  method: string;
  uri: string;
  version: string;
  headers: HTTPHeaders;
  body: Buffer;
  remoteIp: string;
  protocol: string;
  /** The Host header (or the `host` given), including any port. */
  host: string;
  path: string;
  query: string;
  connection: HTTPConnection | undefined;
  /** `performance.now()` when the request head was parsed. */
  readonly startTime: number;
  finishTime: number | undefined;

  private queryArgs: ArgumentMap | undefined;
  private rawQueryArgs: RawArgumentMap | undefined;
  private bodyArgs: ArgumentMap | undefined;
  private rawBodyArgs: RawArgumentMap | undefined;
  private allArgs: ArgumentMap | undefined;
  private uploadedFiles: Record<string, HTTPFile[]> | undefined;
  private parsedCookies: Record<string, string> | undefined;

  constructor(init: HTTPServerRequestInit = {}) {
    this.method = init.method ?? "GET";
    this.uri = init.uri ?? "/";
    this.version = init.version ?? "HTTP/1.1";
    this.headers = init.headers ?? new HTTPHeaders();
    this.body = init.body ?? EMPTY_BODY;
    this.remoteIp = init.remoteIp ?? "127.0.0.1";
    this.protocol = init.protocol ?? "http";
    this.host = init.host ?? this.headers.get("Host") ?? "127.0.0.1";
    this.connection = init.connection;
    const q = this.uri.indexOf("?");
    this.path = q < 0 ? this.uri : this.uri.slice(0, q);
    this.query = q < 0 ? "" : this.uri.slice(q + 1);
    this.startTime = performance.now();
  }

  /** The host without its port (IPv6 brackets kept), lower-cased. */
  get hostName(): string {
    return splitHostAndPort(this.host.toLowerCase())[0];
  }

  get queryArguments(): ArgumentMap {
    return (this.queryArgs ??= parseQueryString(this.query));
  }

  /** The query's arguments with undecoded values (see {@link RawArgumentMap}). */
  get rawQueryArguments(): RawArgumentMap {
    return (this.rawQueryArgs ??= parseQueryStringRaw(this.query));
  }

  /** Arguments from an `application/x-www-form-urlencoded` or `multipart/form-data` body. */
  get bodyArguments(): ArgumentMap {
    if (this.bodyArgs === undefined) this.parseBody();
    return this.bodyArgs!;
  }

  /** The body's arguments with undecoded values (see {@link RawArgumentMap}). */
  get rawBodyArguments(): RawArgumentMap {
    if (this.rawBodyArgs === undefined) this.parseBody();
    return this.rawBodyArgs!;
  }

  get files(): Record<string, HTTPFile[]> {
    if (this.uploadedFiles === undefined) this.parseBody();
    return this.uploadedFiles!;
  }

  /** Query arguments followed by body arguments, per name. */
  get arguments(): ArgumentMap {
    if (this.allArgs === undefined) {
      const all: ArgumentMap = Object.create(null);
      for (const src of [this.queryArguments, this.bodyArguments]) {
        for (const name in src) (all[name] ??= []).push(...src[name]);
      }
      this.allArgs = all;
    }
    return this.allArgs;
  }

  /** Cookies from the Cookie header(s); a malformed pair is skipped, never an error. */
  get cookies(): Record<string, string> {
    return (this.parsedCookies ??= parseCookie(this.headers.getList("Cookie").join(";")));
  }

  /** Whether the client speaks HTTP/1.1 (and so understands chunked responses). */
  supportsHttp11(): boolean {
    return this.version === "HTTP/1.1";
  }

  /** The full URL: protocol, host and URI. */
  fullUrl(): string {
    return this.protocol + "://" + this.host + this.uri;
  }

  /** Seconds this request took (so far, if it has not finished). */
  requestTime(): number {
    return ((this.finishTime ?? performance.now()) - this.startTime) / 1000;
  }

  /** For plain callbacks (the seed's style): writes raw bytes to the connection. */
  write(chunk: Buffer | string): Promise<void> {
    return this.requireConnection().write(chunk);
  }

  /** For plain callbacks: ends the response. */
  finish(): void {
    this.finishTime = performance.now();
    this.requireConnection().finish();
  }

  private requireConnection(): HTTPConnection {
    if (!this.connection) throw new Error("this request has no connection to write to");
    return this.connection;
  }

  private parseBody(): void {
    const args: ArgumentMap = Object.create(null);
    const files: Record<string, HTTPFile[]> = Object.create(null);
    const raw: RawArgumentMap = Object.create(null);
    // Set first: a malformed body throws once, and later reads see what was parsed.
    this.bodyArgs = args;
    this.uploadedFiles = files;
    this.rawBodyArgs = raw;
    parseBodyArguments(this.headers.get("Content-Type") ?? "", this.body, args, files, this.headers, undefined, raw);
  }
}

/** Splits `host[:port]` (IPv6 literals in brackets); the port is undefined when absent. */
export function splitHostAndPort(netloc: string): [string, number | undefined] {
  const m = /^(.+?):(\d+)$/.exec(netloc);
  if (m && !(m[1].startsWith("[") && !m[1].endsWith("]"))) return [m[1], Number(m[2])];
  return [netloc, undefined];
}

/**
 * Parses `a=1&b=2&a=3` into `{a: ["1", "3"], b: ["2"]}`, keeping blank values.
 * `+` is a space; a bad percent escape is kept literally rather than failing the request.
 */
export function parseQueryString(qs: string): ArgumentMap {
  return parsePairs(qs, decodeFormComponent, decodeFormComponent);
}

/** Splits `a=1&b&c=` at `&` and the first `=`, skipping empty pairs; a pair without `=` has the value "". */
function parsePairs<V>(qs: string, decodeName: (raw: string) => string, decodeValue: (raw: string) => V): Record<string, (V | "")[]> {
  const out: Record<string, (V | "")[]> = Object.create(null);
  let start = 0;
  while (start < qs.length) {
    let end = qs.indexOf("&", start);
    if (end < 0) end = qs.length;
    if (end > start) {
      const pair = qs.slice(start, end);
      const eq = pair.indexOf("=");
      (out[decodeName(eq < 0 ? pair : pair.slice(0, eq))] ??= []).push(eq < 0 ? "" : decodeValue(pair.slice(eq + 1)));
    }
    start = end + 1;
  }
  return out;
}

function decodeFormComponent(s: string): string {
  if (s.indexOf("+") >= 0) s = s.replace(/\+/g, " ");
  if (s.indexOf("%") < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Like {@link parseQueryString}, but leaves the values undecoded: each is the bytes its
 * %-escapes stand for, as a latin1 string, or null when an escape is malformed (`%zz`, `%4`).
 * `qs` is text from a URL (non-ASCII characters stand for their UTF-8 bytes) unless `bytes` says
 * it is already one char per byte (a form body read as latin1).
 *
 * @example
 * parseQueryStringRaw("a=%C3%A9&b=%FF&c=%zz"); // { a: ["\xc3\xa9"], b: ["\xff"], c: [null] }
 */
export function parseQueryStringRaw(qs: string, bytes = false): RawArgumentMap {
  if (!bytes && NON_ASCII_RE.test(qs)) qs = Buffer.from(qs, "utf8").toString("latin1");
  return parsePairs(qs, rawName, unquoteToBytes);
}

/** A name's bytes as text; a name with a malformed escape is decoded leniently instead. */
function rawName(raw: string): string {
  const bytes = unquoteToBytes(raw);
  return bytes === null ? decodeFormComponent(raw) : bytesToText(bytes);
}

const NON_ASCII_RE = /[^\x00-\x7f]/;
const HIGH_BYTE_RE = /[\x80-\xff]/;
const HEX2_RE = /^[0-9a-fA-F]{2}$/;

/** UTF-8 text of a latin1 byte string (invalid sequences become U+FFFD). */
function bytesToText(bytes: string): string {
  return HIGH_BYTE_RE.test(bytes) ? Buffer.from(bytes, "latin1").toString("utf8") : bytes;
}

/** `+` → space and `%XX` → the byte, as a latin1 string; null when an escape is malformed. */
function unquoteToBytes(s: string): string | null {
  if (s.indexOf("%") < 0) return s.indexOf("+") < 0 ? s : s.replace(/\+/g, " ");
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      out += s.slice(from, i) + " ";
      from = i + 1;
    } else if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX2_RE.test(hex)) return null;
      out += s.slice(from, i) + String.fromCharCode(parseInt(hex, 16));
      i += 2;
      from = i + 1;
    }
  }
  return out + s.slice(from);
}

/**
 * Parses a Cookie header value into name → value (the first occurrence of a name wins). A
 * double-quoted value is unquoted as Tornado (Python's http.cookies) does: `\073` octal escapes
 * and `\"` backslash escapes become the characters they stand for, so `"a\073b"` reads `a;b`.
 */
export function parseCookie(header: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!header) return out;
  for (const chunk of header.split(";")) {
    const eq = chunk.indexOf("=");
    const name = (eq < 0 ? "" : chunk.slice(0, eq)).trim();
    let value = (eq < 0 ? chunk : chunk.slice(eq + 1)).trim();
    if (!name && !value) continue;
    if (value.length >= 2 && value[0] === '"' && value[value.length - 1] === '"') value = unquoteCookieValue(value.slice(1, -1));
    if (!(name in out)) out[name] = value;
  }
  return out;
}

// http.cookies' _unquote: an octal escape wins over a plain backslash escape at the same place.
const COOKIE_ESCAPE_RE = /\\(?:([0-3][0-7][0-7])|([\s\S]))/g;

function unquoteCookieValue(inner: string): string {
  if (inner.indexOf("\\") < 0) return inner;
  return inner.replace(COOKIE_ESCAPE_RE, (_m, octal: string | undefined, ch: string) => (octal !== undefined ? String.fromCharCode(parseInt(octal, 8)) : ch));
}

/**
 * Fills `args` and `files` (and `rawArgs`, values undecoded, when given) from a request body of
 * the given Content-Type. Unknown types are ignored. A malformed multipart body, or one past
 * `limits`, throws HTTPInputError (the server answers 400 before the handler runs); what was
 * parsed before the fault is kept.
 */
export function parseBodyArguments(
  contentType: string,
  body: Buffer,
  args: ArgumentMap,
  files: Record<string, HTTPFile[]>,
  headers?: HTTPHeaders,
  limits?: MultipartLimits,
  rawArgs?: RawArgumentMap,
): void {
  if (body.length === 0) return;
  const lower = contentType.toLowerCase();
  if (headers?.has("Content-Encoding")) return; // still compressed: nothing we can read
  if (lower.startsWith("application/x-www-form-urlencoded")) {
    const parsed = parseQueryString(body.toString("utf8"));
    for (const name in parsed) (args[name] ??= []).push(...parsed[name]);
    if (rawArgs !== undefined) {
      const raw = parseQueryStringRaw(body.toString("latin1"), true);
      for (const name in raw) (rawArgs[name] ??= []).push(...raw[name]);
    }
  } else if (lower.startsWith("multipart/form-data")) {
    const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (!m) throw new HTTPInputError("multipart/form-data without a boundary");
    parseMultipartFormData(m[1] ?? m[2], body, args, files, limits, rawArgs);
  }
}
