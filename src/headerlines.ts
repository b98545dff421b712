/**
 * Request header-line parsing (RFC 9112 §5): names checked as tokens, values free of control
 * characters, obsolete folding refused (or joined with a space where asked). The error it throws
 * lives here too.
 */

/** Where parsed lines go: HTTPHeaders, or anything else with `add` (kept structural so this parser
 * sits below the header class that uses it). */
export interface HeaderSink {
  add(name: string, value: string): void;
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
      if (name !== null) headers.add(name, value);
      const colon = text.indexOf(":", pos);
      if (colon <= pos || colon >= lineEnd) throw new HTTPInputError("malformed header line");
      name = text.slice(pos, colon);
      if (!knownRequestNames.has(name)) {
        if (!TOKEN_RE.test(name)) throw new HTTPInputError("invalid header name");
        if (knownRequestNames.size < 1024) knownRequestNames.add(name);
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
  if (name !== null) headers.add(name, value);
}

/** text[from, to) without leading and trailing SP/HTAB (String#trim would also eat NBSP and VT). */
function trimWhitespace(text: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (text.charCodeAt(a) === 32 || text.charCodeAt(a) === 9)) a++;
  while (b > a && (text.charCodeAt(b - 1) === 32 || text.charCodeAt(b - 1) === 9)) b--;
  return text.slice(a, b);
}
