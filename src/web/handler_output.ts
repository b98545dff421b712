/**
 * Plain functions behind RequestHandler's output: header value checks, status reasons, the cached
 * Date header, ETag comparison and the default error page.
 */
import { createHash, hash as oneShotHash } from "node:crypto";
import { STATUS_CODES } from "node:http";
import { xhtmlEscape } from "../escape";

/** The `Server` header every response starts with. */
export const SERVER_HEADER = "TornadoServer/0.1.0 (tornado-ts)";

// RFC 9110 token characters: a header name outside this set could split the header block.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// CR, LF and other control characters could inject headers or truncate the value.
const UNSAFE_HEADER_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;
// reason-phrase = *( HTAB / SP / VCHAR / obs-text ); "<" is refused too because the default
// error page shows the reason.
const UNSAFE_REASON = /[^\t\x20-\x7e\x80-\xff]|</;

const knownNames = new Set<string>();

/**
 * Turns a header value (string, number or Date) into its wire string, refusing values that could
 * inject headers.
 */
export function headerValue(name: string, value: string | number | Date): string {
  if (!knownNames.has(name)) {
    if (!HEADER_NAME.test(name)) throw new Error(`invalid header name ${JSON.stringify(name)}`);
    if (knownNames.size < 1024) knownNames.add(name); // names repeat: skip the regex next time
  }
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number") text = String(value);
  else if (value instanceof Date) text = value.toUTCString();
  else throw new TypeError(`header ${name}: unsupported value type ${typeof value}`);
  if (UNSAFE_HEADER_VALUE.test(text)) {
    throw new Error(`unsafe value for header ${name}: ${JSON.stringify(text)} (control characters are not allowed)`);
  }
  return text;
}

/** The reason phrase for `code`: `reason` when it is safe, else the standard phrase or "Unknown". */
export function reasonFor(code: number, reason?: string): string {
  if (reason !== undefined && !UNSAFE_REASON.test(reason)) return reason;
  return STATUS_CODES[code] ?? "Unknown";
}

let dateSecond = -1;
let dateText = "";

/** The Date header for now; formatted once per second, not once per response. */
export function httpDateNow(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** A strong ETag from the SHA-1 of the body chunks (text hashed as its UTF-8 bytes). */
export function bodyEtag(chunks: readonly (Buffer | string)[]): string {
  // Most responses are one chunk: the one-shot hash is ~3x cheaper than a Hash object.
  if (chunks.length === 1) return `"${oneShotHash("sha1", chunks[0], "hex")}"`;
  const hash = createHash("sha1");
  for (const chunk of chunks) hash.update(chunk);
  return `"${hash.digest("hex")}"`;
}

const ETAG_ITEM = /\*|(?:W\/)?"[^"]*"/g;

/**
 * Whether an If-None-Match header matches `etag`: `*` matches anything, otherwise any listed tag
 * matches under weak comparison (a `W/` prefix is ignored on both sides).
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string | undefined): boolean {
  if (!ifNoneMatch || !etag) return false;
  const listed = ifNoneMatch.match(ETAG_ITEM);
  if (listed === null) return false;
  if (listed[0] === "*") return true;
  const wanted = stripWeak(etag);
  for (const tag of listed) if (stripWeak(tag) === wanted) return true;
  return false;
}

function stripWeak(tag: string): string {
  return tag.startsWith("W/") ? tag.slice(2) : tag;
}

/** The default error page: `<html><title>404: Not Found</title><body>404: Not Found</body></html>`. */
export function errorPageHtml(code: number, reason: string): string {
  const text = `${code}: ${xhtmlEscape(reason)}`;
  return `<html><title>${text}</title><body>${text}</body></html>`;
}

/** The traceback page of debug mode (plain text). */
export function tracebackText(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

/** Whether a status forbids a body (1xx, 204, 304). */
export function statusHasNoBody(code: number): boolean {
  return code === 204 || code === 304 || (code >= 100 && code < 200);
}
