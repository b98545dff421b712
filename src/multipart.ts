/**
 * multipart/form-data bodies (RFC 7578): form fields into arguments, uploads into files, with
 * limits on the number of parts and the size of each part's headers.
 */
import { HTTPInputError, parseHeaderLines } from "./headerlines";
import { HTTPHeaders } from "./httpheaders";
import type { ArgumentMap, HTTPFile } from "./httputil";

export interface MultipartLimits {
  /** Most parts accepted (default 100). */
  maxParts?: number;
  /** Most bytes of headers in one part (default 10 KiB). */
  maxPartHeaderSize?: number;
}

const CRLF2 = Buffer.from("\r\n\r\n");

/**
 * Parses a multipart/form-data `body` delimited by `boundary` into `args` and `files` (and, when
 * given, `rawArgs`: the field values' bytes as latin1 text). Throws HTTPInputError when the body
 * is malformed or passes a limit.
 *
 * @example
 * const args = Object.create(null), files = Object.create(null);
 * parseMultipartFormData("xyz", body, args, files);
 * files.upload[0].filename; // "a.txt"
 */
export function parseMultipartFormData(
  boundary: string | Buffer,
  body: Buffer,
  args: ArgumentMap,
  files: Record<string, HTTPFile[]>,
  limits: MultipartLimits = {},
  rawArgs?: Record<string, (string | null)[]>,
): void {
  const maxParts = limits.maxParts ?? 100;
  const maxPartHeaderSize = limits.maxPartHeaderSize ?? 10 * 1024;
  const b = typeof boundary === "string" ? boundary : boundary.toString("latin1");
  if (b.length === 0 || b.length > 200) throw new HTTPInputError("invalid multipart boundary");
  const dash = Buffer.from("--" + b, "latin1");
  const delimiter = Buffer.from("\r\n--" + b, "latin1");
  let pos = body.indexOf(dash);
  if (pos < 0) throw new HTTPInputError("multipart body has no boundary");
  pos += dash.length;
  let parts = 0;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return; // closing delimiter
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    else throw new HTTPInputError("malformed multipart delimiter line");
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new HTTPInputError("multipart body is not terminated");
    if (++parts > maxParts) throw new HTTPInputError("too many multipart parts (limit " + maxParts + ")");
    addPart(body.subarray(pos, next), args, files, maxPartHeaderSize, rawArgs);
    pos = next + delimiter.length;
  }
}

function addPart(
  part: Buffer,
  args: ArgumentMap,
  files: Record<string, HTTPFile[]>,
  maxHeaderSize: number,
  rawArgs: Record<string, (string | null)[]> | undefined,
): void {
  let headEnd = part.indexOf(CRLF2);
  let bodyStart = headEnd + 4;
  if (headEnd < 0 && part[0] === 0x0d && part[1] === 0x0a) {
    headEnd = 0; // a part with no headers at all
    bodyStart = 2;
  }
  if (headEnd < 0) throw new HTTPInputError("multipart part has no header terminator");
  if (headEnd > maxHeaderSize) throw new HTTPInputError("multipart part headers too large (limit " + maxHeaderSize + ")");
  const headers = new HTTPHeaders();
  parseHeaderLines(part.toString("utf8", 0, headEnd), 0, headers, true);
  const disposition = headers.get("Content-Disposition");
  if (!disposition) throw new HTTPInputError("multipart part is missing Content-Disposition");
  const [kind, params] = parseHeaderParams(disposition);
  if (kind.toLowerCase() !== "form-data" || params.name === undefined) {
    throw new HTTPInputError("multipart part is not form-data with a name");
  }
  const value = part.subarray(bodyStart);
  const filename = params.filename;
  if (filename !== undefined) {
    const file: HTTPFile = { filename, body: value, contentType: headers.get("Content-Type") ?? "application/unknown" };
    (files[params.name] ??= []).push(file);
  } else {
    (args[params.name] ??= []).push(value.toString("utf8"));
    // The bytes as they came (one char per byte), for the handler's decodeArgument.
    if (rawArgs !== undefined) (rawArgs[params.name] ??= []).push(value.toString("latin1"));
  }
}

/**
 * Splits `main; a=1; b="x;y"` into `["main", {a: "1", b: "x;y"}]`. Quoted strings may use
 * backslash escapes; `name*=UTF-8''%E2%82%AC` (RFC 8187) is decoded and wins over `name`.
 *
 * @example
 * parseHeaderParams('form-data; name="f"; filename="a.txt"'); // ["form-data", {name: "f", filename: "a.txt"}]
 */
export function parseHeaderParams(value: string): [string, Record<string, string>] {
  const params: Record<string, string> = Object.create(null);
  const extended: Record<string, string> = Object.create(null);
  let i = value.indexOf(";");
  const main = (i < 0 ? value : value.slice(0, i)).trim();
  while (i >= 0 && i < value.length) {
    i++;
    const eq = value.indexOf("=", i);
    const semi = value.indexOf(";", i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      i = semi;
      continue;
    }
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (value[j] === " " || value[j] === "\t") j++;
    let v: string;
    if (value[j] === '"') {
      v = "";
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === "\\" && j + 1 < value.length) j++;
        v += value[j++];
      }
      i = value.indexOf(";", j);
    } else {
      const end = value.indexOf(";", j);
      v = (end < 0 ? value.slice(j) : value.slice(j, end)).trim();
      i = end;
    }
    if (name.endsWith("*")) {
      const decoded = decodeExtValue(v);
      if (decoded !== null) extended[name.slice(0, -1)] = decoded;
    } else if (name) {
      params[name] = v;
    }
  }
  for (const k in extended) params[k] = extended[k];
  return [main, params];
}

function decodeExtValue(v: string): string | null {
  const m = /^([\w!#$%&+^`{}~-]*)'[\w-]*'(.*)$/.exec(v);
  if (!m) return null;
  try {
    if (m[1].toLowerCase() === "utf-8") return decodeURIComponent(m[2]);
    return unescape(m[2]); // latin1 and other single-byte charsets: best effort
  } catch {
    return null;
  }
}
