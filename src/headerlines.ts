/**
 * Request header-line parsing (RFC 9112 §5): names checked as tokens, values free of control
 * characters, obsolete folding refused (or joined with a space where asked). The error it throws
 * lives here too.
 */

/** Where parsed lines go: HTTPHeaders, or anything else with `add` (kept structural so this parser
 * sits below the header class that uses it). */
export interface HeaderSink {
  add(name: string, value: string): void;
  /** `add` with the lower-case name already known (a common name recognised in place). */
  addLowered?(name: string, lower: string, value: string): void;
}

/** Raised for malformed input from the peer; the connection answers 400 (or `status`) and closes. */
export class HTTPInputError extends Error {
  constructor(message: string, readonly status: number = 400) {
    super(message);
    this.name = "HTTPInputError";
  }
}

/** tchar (RFC 9110 §5.6.2): what header names and methods are made of. */
export const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Request header names repeat; remembering the valid ones skips a regex per header.
const knownRequestNames = new Set<string>();
/** Control characters no field value may hold (HTAB and obs-text are allowed). */
const BAD_VALUE_RE = /[\x00-\x08\x0a-\x1f\x7f]/;
// Header names repeat (a client sends the same ones on every request; handlers ask for the same
// ones by literal): remembering their lower-case form saves a toLowerCase allocation per call,
// and hands every user of a name the same lower-case string (compared by pointer). Bounded, so a
// client inventing names cannot grow it.
const lowerCaseCache = new Map<string, string>();

/** `name` in lower case, from the cache when it has been seen before. */
export function lowerName(name: string): string {
  let lower = lowerCaseCache.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowerCaseCache.size < 4096) lowerCaseCache.set(name, lower);
  }
  return lower;
}

/**
 * Names most clients send, as written by the common ones and in lower case, by length: a name is
 * recognised in the text before it is sliced out, so neither a fresh string nor its hash is made
 * (about 80 instructions a header instead of 250).
 */
const COMMON_NAMES: [string, string][][] = [];
for (const canonical of [
  "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Connection", "Content-Length", "Content-Type",
  "Cookie", "Referer", "Origin", "Cache-Control", "Pragma", "Authorization", "If-None-Match", "If-Modified-Since",
  "Upgrade-Insecure-Requests", "X-Requested-With", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-Ip", "X-Xsrftoken",
  "X-Csrftoken", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User", "Priority", "Dnt", "Te",
  "Transfer-Encoding", "Expect", "Range", "Upgrade", "Keep-Alive",
]) {
  const lower = lowerName(canonical);
  lowerCaseCache.set(lower, lower);
  const list = (COMMON_NAMES[canonical.length] ??= []);
  list.push([canonical, lower]);
  if (lower !== canonical) list.push([lower, lower]);
}

/** The common name written at text[pos, pos + length), or undefined. */
function commonName(text: string, pos: number, length: number): [string, string] | undefined {
  const list = length < COMMON_NAMES.length ? COMMON_NAMES[length] : undefined;
  if (list === undefined) return undefined;
  const first = text.charCodeAt(pos);
  for (let i = 0; i < list.length; i++) {
    const entry = list[i];
    if (entry[0].charCodeAt(0) === first && text.startsWith(entry[0], pos)) return entry;
  }
  return undefined;
}

/**
 * Parses header lines of `text` from `start` into `headers`, stopping at the first empty line.
 * Throws HTTPInputError on a bad name, a bad value, a missing colon, whitespace before the
 * colon, a tab in Transfer-Encoding, or a continuation line (obs-fold): RFC 9112 §5.2 lets a
 * server refuse folding, and a proxy that unfolds differently could read another header set.
 * With `allowObsFold` a continuation is joined to the previous value with a space instead.
 */
export function parseHeaderLines(text: string, start: number, headers: HeaderSink, allowObsFold = false): void {
  const len = text.length;
  let pos = start;
  let name: string | null = null;
  let lower: string | null = null;
  let value = "";
  while (pos < len) {
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = len;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    if (lineEnd === pos) break;
    const first = text.charCodeAt(pos);
    if (first === 32 || first === 9) {
      if (name === null) throw new HTTPInputError("header block starts with a continuation line");
      if (!allowObsFold) throw new HTTPInputError("obsolete line folding in header " + name);
      const more = trimWhitespace(text, pos, lineEnd);
      if (BAD_VALUE_RE.test(more)) throw new HTTPInputError("invalid character in header value");
      if (more.length > 0) value = value.length > 0 ? value + " " + more : more;
    } else {
      if (name !== null) emit(headers, name, lower, value);
      const colon = text.indexOf(":", pos);
      if (colon <= pos || colon >= lineEnd) throw new HTTPInputError("malformed header line");
      const common = commonName(text, pos, colon - pos);
      if (common !== undefined) {
        name = common[0];
        lower = common[1];
      } else {
        name = text.slice(pos, colon);
        lower = null;
        if (!knownRequestNames.has(name)) {
          if (!TOKEN_RE.test(name)) throw new HTTPInputError("invalid header name");
          if (knownRequestNames.size < 1024) knownRequestNames.add(name);
        }
      }
      value = trimWhitespace(text, colon + 1, lineEnd);
      if (BAD_VALUE_RE.test(value)) throw new HTTPInputError("invalid character in header value");
      // llhttp refuses `chunked<TAB>`: a parser that does not trim tabs would not see chunked.
      if (name.length === 17 && name.toLowerCase() === "transfer-encoding" && text.slice(colon + 1, lineEnd).indexOf("\t") >= 0) {
        throw new HTTPInputError("tab in Transfer-Encoding");
      }
    }
    pos = eol + 1;
  }
  if (name !== null) emit(headers, name, lower, value);
}

function emit(headers: HeaderSink, name: string, lower: string | null, value: string): void {
  if (lower !== null && headers.addLowered !== undefined) headers.addLowered(name, lower, value);
  else headers.add(name, value);
}

/** text[from, to) without leading and trailing SP/HTAB (String#trim would also eat NBSP and VT). */
function trimWhitespace(text: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
  return text.slice(a, b);
}
