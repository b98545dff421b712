/**
 * Values carried in HTTP fields and URLs: dates, byte ranges, query strings appended to URLs,
 * and the standard reason phrases.
 */

import { HTTPInputError } from "./headerlines";
import type { ResponseStartLine } from "./httputil";

/**
 * Parses `HTTP/1.1 200 OK` into its parts; throws HTTPInputError when malformed.
 *
 * @example
 * parseResponseStartLine("HTTP/1.1 404 Not Found"); // { version: "HTTP/1.1", code: 404, reason: "Not Found" }
 */
export function parseResponseStartLine(line: string): ResponseStartLine {
  const m = /^(HTTP\/1\.[0-9]) ([0-9]{3}) ?([^\r\n]*)$/.exec(line.replace(/\r?\n$/, ""));
  if (!m) throw new HTTPInputError("malformed response start line");
  return { version: m[1], code: Number(m[2]), reason: m[3] };
}

/**
 * Formats a time as an RFC 9110 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
 *
 * @example
 * formatTimestamp(784111777); // "Sun, 06 Nov 1994 08:49:37 GMT"
 */
export function formatTimestamp(ts: Date | number): string {
  const d = typeof ts === "number" ? new Date(ts * 1000) : ts;
  if (Number.isNaN(d.getTime())) throw new TypeError("formatTimestamp needs a valid date");
  return d.toUTCString();
}

export type UrlArgs = Record<string, string | number | readonly (string | number)[] | null | undefined> | readonly (readonly [string, string | number])[];

/**
 * Appends query arguments to `url`, keeping its existing query and fragment.
 *
 * @example
 * urlConcat("/a?x=1#top", { y: "2 3" }); // "/a?x=1&y=2+3#top"
 */
export function urlConcat(url: string, args: UrlArgs | null | undefined): string {
  if (!args) return url;
  const pairs: string[] = [];
  if (Array.isArray(args)) {
    for (const [k, v] of args as readonly (readonly [string, string | number])[]) pairs.push(encodeForm(k) + "=" + encodeForm(String(v)));
  } else {
    for (const [k, v] of Object.entries(args as Record<string, string | number | readonly (string | number)[] | null | undefined>)) {
      if (v === null || v === undefined) continue;
      const values = Array.isArray(v) ? (v as readonly (string | number)[]) : [v as string | number];
      for (const one of values) pairs.push(encodeForm(k) + "=" + encodeForm(String(one)));
    }
  }
  if (pairs.length === 0) return url;
  const hash = url.indexOf("#");
  const fragment = hash < 0 ? "" : url.slice(hash);
  const base = hash < 0 ? url : url.slice(0, hash);
  const sep = base.indexOf("?") < 0 ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return base + sep + pairs.join("&") + fragment;
}

function encodeForm(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%20/g, "+");
}

/**
 * Parses a `Range` header the way Tornado does: `[start, end]` with `end` exclusive, either
 * side undefined when open; a suffix range `-N` becomes `[-N, undefined]`. Returns null for
 * anything but one `bytes` range.
 *
 * @example
 * parseRequestRange("bytes=1-2");  // [1, 3]
 * parseRequestRange("bytes=6-");   // [6, undefined]
 * parseRequestRange("bytes=-6");   // [-6, undefined]
 * parseRequestRange("bytes=-0");   // [undefined, 0]
 * parseRequestRange("bytes=26");   // [26, undefined]
 */
export function parseRequestRange(header: string): [number | undefined, number | undefined] | null {
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim() !== "bytes") return null;
  const spec = header.slice(eq + 1).trim();
  // Like Python's partition: `bytes=26` (no dash) is a start with no end, as in Tornado.
  const dash = spec.indexOf("-");
  const startText = (dash < 0 ? spec : spec.slice(0, dash)).trim();
  const endText = dash < 0 ? "" : spec.slice(dash + 1).trim();
  const digits = /^\d+$/;
  if ((startText && !digits.test(startText)) || (endText && !digits.test(endText))) return null;
  let start: number | undefined = startText ? Number(startText) : undefined;
  let end: number | undefined = endText ? Number(endText) : undefined;
  if (end !== undefined) {
    if (start === undefined) {
      if (end !== 0) {
        start = -end;
        end = undefined;
      }
    } else {
      end += 1;
    }
  }
  return [start, end];
}

/**
 * The `Content-Range` value for bytes `[start, end)` of `total` (start/end default to the whole).
 *
 * @example
 * formatContentRange(0, 10, 20); // "bytes 0-9/20"
 */
export function formatContentRange(start: number | undefined, end: number | undefined, total: number): string {
  const s = start ?? 0;
  const e = (end ?? total) - 1;
  return "bytes " + s + "-" + e + "/" + total;
}

/**
 * Parses `bytes first-last/total` (total may be `*`); null when malformed.
 *
 * @example
 * parseContentRange("bytes 0-9/20"); // { start: 0, end: 10, total: 20 }
 */
export function parseContentRange(header: string): { start: number; end: number; total: number | undefined } | null {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/.exec(header);
  if (!m) return null;
  const start = Number(m[1]);
  const last = Number(m[2]);
  const total = m[3] === "*" ? undefined : Number(m[3]);
  if (last < start || (total !== undefined && last >= total)) return null;
  return { start, end: last + 1, total };
}

/** Reason phrases by status code. */
export const responses: Readonly<Record<number, string>> = Object.freeze({
  100: "Continue",
  101: "Switching Protocols",
  102: "Processing",
  103: "Early Hints",
  200: "OK",
  201: "Created",
  202: "Accepted",
  203: "Non-Authoritative Information",
  204: "No Content",
  205: "Reset Content",
  206: "Partial Content",
  207: "Multi-Status",
  208: "Already Reported",
  226: "IM Used",
  300: "Multiple Choices",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  305: "Use Proxy",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  401: "Unauthorized",
  402: "Payment Required",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  407: "Proxy Authentication Required",
  408: "Request Timeout",
  409: "Conflict",
  410: "Gone",
  411: "Length Required",
  412: "Precondition Failed",
  413: "Content Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  416: "Range Not Satisfiable",
  417: "Expectation Failed",
  418: "I'm a Teapot",
  421: "Misdirected Request",
  422: "Unprocessable Content",
  423: "Locked",
  424: "Failed Dependency",
  425: "Too Early",
  426: "Upgrade Required",
  428: "Precondition Required",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
  506: "Variant Also Negotiates",
  507: "Insufficient Storage",
  508: "Loop Detected",
  510: "Not Extended",
  511: "Network Authentication Required",
});
