/**
 * Request heads of HTTP/1.x, read strictly (RFC 9112 §2-3, §5): the request line, one line-ending
 * style, header fields, Host, the body's framing, and the proxy headers when trusted.
 */
import * as net from "node:net";
import { HTTPHeaders, HTTPInputError, HTTPServerRequest, parseHeaderLines, TOKEN_RE } from "./httputil";

/** What head parsing needs from its connection; `validHost` caches the last Host that passed. */
export interface HeadState {
  readonly remoteIp: string;
  readonly protocol: string;
  validHost: string | null;
  announcedBodyLength: number;
}

export interface HeadParameters {
  readonly xheaders: boolean;
  readonly trustedDownstream: ReadonlySet<string>;
}

const HTTP_VERSION_RE = /^HTTP\/1\.[0-9]$/;
const HOST_RE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;
const DIGITS_RE = /^[0-9]+$/;
const ABSOLUTE_TARGET_RE = /^https?:\/\/([^/?#]+)([^#]*)$/i;
const HIGH_BYTE_RE = /[\x80-\xff]/;
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
export function findHeadEnd(buf: Buffer, from: number, end: number): number {
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
 * Parses and validates a request head starting at `lineStart` of `text`; the body's framing is
 * left in `state.announcedBodyLength` (a length, or -1 for chunked).
 */
export function parseRequestHead(text: string, lineStart: number, state: HeadState, params: HeadParameters): HTTPServerRequest {
  const eol = text.indexOf("\n", lineStart);
  const crlf = text.charCodeAt(eol - 1) === 13;
  const lineEnd = crlf ? eol - 1 : eol;
  const sp1 = text.indexOf(" ", lineStart);
  const sp2 = sp1 < 0 ? -1 : text.indexOf(" ", sp1 + 1);
  if (sp1 < 0 || sp2 < 0 || sp2 >= lineEnd) throw new HTTPInputError("malformed request line");
  // Common methods and versions as literals: no slice, and later compares are by pointer.
  const method = commonMethod(text, lineStart, sp1) ?? text.slice(lineStart, sp1);
  let uri = text.slice(sp1 + 1, sp2);
  const version = lineEnd - sp2 === 9 && text.startsWith("HTTP/1.1", sp2 + 1) ? "HTTP/1.1" : text.slice(sp2 + 1, lineEnd);
  // Common values first: a Set lookup or string compare is cheaper than the regex.
  if (!COMMON_METHODS.has(method) && !TOKEN_RE.test(method)) throw new HTTPInputError("invalid method");
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0" && !HTTP_VERSION_RE.test(version)) throw new HTTPInputError("unsupported HTTP version");
  const highBytes = checkTarget(uri);
  // One line-ending style per head: a bare LF amid CRLF lines ends a line (or the head) for
  // one parser and not for another.
  if (crlf && hasBareLf(text, eol + 1)) throw new HTTPInputError("bare LF in a head with CRLF line ends");
  if (!crlf && text.indexOf("\r\n", eol + 1) >= 0) throw new HTTPInputError("CRLF in a head with bare LF line ends");
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
  // RFC 9112 §3.2: every HTTP/1.1 request carries Host, absolute-form targets included.
  if (hostHeader === undefined && http11) throw new HTTPInputError("HTTP/1.1 request without Host");
  if (hostHeader !== undefined && hostHeader !== state.validHost) {
    if (!HOST_RE.test(hostHeader)) throw new HTTPInputError("invalid Host header");
    state.validHost = hostHeader; // a keep-alive client repeats its Host: check it once
  }
  if (host !== undefined && !HOST_RE.test(host)) throw new HTTPInputError("invalid host in request target");

  state.announcedBodyLength = bodyLength(headers, http11);
  let remoteIp = state.remoteIp;
  let protocol = state.protocol;
  if (params.xheaders) [remoteIp, protocol] = applyXheaders(headers, remoteIp, protocol, params.trustedDownstream);
  return new HTTPServerRequest({ method, uri, version, headers, body: EMPTY, remoteIp, protocol, host: host ?? hostHeader });
}

/** Bytes of body announced by Content-Length (checked against the limit later), -1 for chunked. */
function bodyLength(headers: HTTPHeaders, http11: boolean): number {
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
  return value!.length > 15 ? Infinity : Number(value);
}

/** X-Real-Ip / X-Forwarded-For and X-Scheme / X-Forwarded-Proto, each validated. */
function applyXheaders(headers: HTTPHeaders, remoteIp: string, protocol: string, trusted: ReadonlySet<string>): [string, string] {
  let ip = remoteIp;
  const forwarded = headers.get("X-Forwarded-For");
  if (forwarded !== undefined) {
    const hops = forwarded.split(",");
    let candidate = "";
    for (let i = hops.length - 1; i >= 0; i--) {
      candidate = hops[i].trim();
      if (!trusted.has(candidate)) break;
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

/** Method and target of a head that failed to parse, for the log (best effort, bounded, printable). */
export function describeRequestLine(text: string, lineStart: number): [string, string] {
  let eol = text.indexOf("\n", lineStart);
  if (eol < 0) eol = text.length;
  const parts = text.slice(lineStart, Math.min(eol, lineStart + 512)).trimEnd().split(" ");
  const clean = (s: string | undefined): string => (s ? s.replace(/[^\x21-\x7e]/g, "?").slice(0, 200) : "-");
  return [clean(parts[0]), clean(parts[1])];
}

/** Whether text[from…] holds a LF not preceded by CR. */
function hasBareLf(text: string, from: number): boolean {
  for (let i = text.indexOf("\n", from); i >= 0; i = text.indexOf("\n", i + 1)) {
    if (text.charCodeAt(i - 1) !== 13) return true;
  }
  return false;
}

/** The method at text[start, end) as a literal when it is GET, POST or HEAD, else undefined. */
function commonMethod(text: string, start: number, end: number): string | undefined {
  const n = end - start;
  if (n === 3 && text.startsWith("GET", start)) return "GET";
  if (n === 4) {
    if (text.startsWith("POST", start)) return "POST";
    if (text.startsWith("HEAD", start)) return "HEAD";
  }
  return undefined;
}

function isValidIp(s: string): boolean {
  return s.length > 0 && net.isIP(s) !== 0;
}
