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

let dateText: string | null = null;
// Taken at load: a test's fake timers must not keep a stale Date forever.
const realSetTimeout = setTimeout;

function forgetDate(): void {
  dateText = null;
}

/**
 * The Date header for now: formatted once per second, and the clock not read per response
 * either (a timer forgets the text when the second is over, as node:http does).
 */
export function httpDateNow(): string {
  if (dateText === null) {
    const now = Date.now();
    dateText = new Date(now - (now % 1000)).toUTCString();
    realSetTimeout(forgetDate, 1000 - (now % 1000)).unref();
  }
  return dateText;
}

// Bodies up to this many units get the fast 64-bit hash; larger ones SHA-1, whose fixed cost no longer matters.
const SMALL_ETAG_BODY = 2048;

/**
 * A strong ETag for the body chunks, the same for the same bytes however they were written. ETags
 * are opaque to clients, so a small body (the usual API or page response) gets a 64-bit
 * non-cryptographic hash of its UTF-8 bytes plus their count, `"c-1f0a…"`: measured with
 * callgrind, SHA-1 cost ~5k instructions per request, a tenth of a hello-world response. Larger
 * bodies keep the SHA-1 (`"<40 hex digits>"`).
 */
export function bodyEtag(chunks: readonly (Buffer | string)[]): string {
  let units = 0;
  for (let i = 0; i < chunks.length; i++) units += chunks[i].length;
  if (units <= SMALL_ETAG_BODY) return smallBodyEtag(chunks);
  // Most responses are one chunk: the one-shot hash is ~3x cheaper than a Hash object.
  if (chunks.length === 1) return `"${oneShotHash("sha1", chunks[0], "hex")}"`;
  const hash = createHash("sha1");
  for (const chunk of chunks) hash.update(chunk);
  return `"${hash.digest("hex")}"`;
}

/** The two lanes of the small-body hash and the byte count, carried across chunks. */
class ByteHash {
  a = 0;
  b = 0;
  size = 0;

  reset(): this {
    this.a = 0x811c9dc5;
    this.b = 0x2545f491;
    this.size = 0;
    return this;
  }

  /** Feeds one byte to both multiply-xor lanes. */
  byte(c: number): void {
    this.a = Math.imul(this.a ^ c, 0x01000193);
    const b = Math.imul(this.b ^ c, 0x5bd1e995);
    this.b = b ^ (b >>> 15);
    this.size++;
  }

  /** Feeds the UTF-8 bytes of text from index `from` on (lone surrogates as U+FFFD, as Buffer.from does). */
  utf8(text: string, from: number): void {
    for (let j = from; j < text.length; j++) {
      let c = text.charCodeAt(j);
      if (c < 0x80) {
        this.byte(c);
        continue;
      }
      if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 0x3f));
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = j + 1 < text.length ? text.charCodeAt(j + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          j++;
          this.byte(0xf0 | (c >> 18));
          this.byte(0x80 | ((c >> 12) & 0x3f));
          this.byte(0x80 | ((c >> 6) & 0x3f));
          this.byte(0x80 | (c & 0x3f));
          continue;
        }
        c = 0xfffd;
      }
      this.byte(0xe0 | (c >> 12));
      this.byte(0x80 | ((c >> 6) & 0x3f));
      this.byte(0x80 | (c & 0x3f));
    }
  }
}

// One hash at a time (no await inside): reused rather than allocated per response.
const scratch = new ByteHash();

/**
 * Two 32-bit multiply-xor lanes over the body's UTF-8 bytes, each finished with MurmurHash3's
 * avalanche step, and the byte count in front.
 */
function smallBodyEtag(chunks: readonly (Buffer | string)[]): string {
  const h = scratch.reset();
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i];
    if (typeof chunk === "string") {
      // ASCII inline (the usual body); the first other character hands over to the UTF-8 encoder.
      let a = h.a;
      let b = h.b;
      let j = 0;
      for (; j < chunk.length; j++) {
        const c = chunk.charCodeAt(j);
        if (c >= 0x80) break;
        a = Math.imul(a ^ c, 0x01000193);
        b = Math.imul(b ^ c, 0x5bd1e995);
        b ^= b >>> 15;
      }
      h.a = a;
      h.b = b;
      h.size += j;
      if (j < chunk.length) h.utf8(chunk, j);
    } else {
      for (let j = 0; j < chunk.length; j++) h.byte(chunk[j]);
    }
  }
  const { a, b, size } = h;
  return `"${size.toString(16)}-${hex8(avalanche(a ^ Math.imul(b, 0x9e3779b1)))}${hex8(avalanche(b + a + size))}"`;
}

function avalanche(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `n` (unsigned 32-bit) as 8 hex digits, by table: cheaper than toString(16) and padding. */
function hex8(n: number): string {
  return HEX_BYTE[n >>> 24] + HEX_BYTE[(n >>> 16) & 0xff] + HEX_BYTE[(n >>> 8) & 0xff] + HEX_BYTE[n & 0xff];
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
