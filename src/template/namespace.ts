/**
 * What templates see besides their render arguments: the default namespace (Tornado's names), and
 * the small runtime helpers compiled templates call.
 */
import { SafeString, jsonEncode, linkify, squeeze, urlEscape, xhtmlEscape, type LinkifyOptions } from "../escape";

/** `escape(x)` / `xhtml_escape(x)`: HTML-escaped text, marked safe so autoescape leaves it alone. */
function escapeToSafe(value: unknown): SafeString {
  return new SafeString(value == null ? "" : xhtmlEscape(value));
}

const LINKIFY_KEYS: Record<string, keyof LinkifyOptions> = {
  extra_params: "extraParams", require_protocol: "requireProtocol", permitted_protocols: "permittedProtocols",
};

function linkifyToSafe(text: unknown, opts: Record<string, unknown> = {}): SafeString {
  // Accept Tornado's keyword names (`linkify(t, require_protocol=True)`) as well as ours.
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(opts)) options[LINKIFY_KEYS[key] ?? key] = value;
  return new SafeString(linkify(text == null ? "" : String(text), options as LinkifyOptions));
}

/**
 * Python's `len`: length of a string or array, size of a Map or Set, key count of a plain object.
 *
 * @example
 * len([1, 2, 3]) // 3
 */
export function len(value: unknown): number {
  if (typeof value === "string" || Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (value instanceof SafeString) return value.html.length;
  if (value !== null && typeof value === "object") {
    const length = (value as { length?: unknown }).length;
    return typeof length === "number" ? length : Object.keys(value).length;
  }
  throw new TypeError(`len() of ${value === null ? "null" : typeof value}`);
}

/**
 * Python's `range`: `range(stop)`, `range(start, stop)`, `range(start, stop, step)` as an array.
 *
 * @example
 * range(1, 7, 2) // [1, 3, 5]
 */
export function range(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new RangeError("range() step must not be zero");
  const out: number[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(i);
  else for (let i = start; i > stop; i += step) out.push(i);
  return out;
}

/** Python's `enumerate`: `[index, item]` pairs, for `{% for i, item in enumerate(items) %}`. */
export function enumerate<T>(items: Iterable<T>, start = 0): [number, T][] {
  const out: [number, T][] = [];
  let i = start;
  for (const item of items) out.push([i++, item]);
  return out;
}

/** The `datetime`-like helpers of the default namespace. */
export const datetime = Object.freeze({
  /** The current time. */
  now: (): Date => new Date(),
  /** The current time (a Date is UTC inside; format it with the `toISOString`/`toUTCString` methods). */
  utcnow: (): Date => new Date(),
  /** A Date from seconds since the epoch (Python's `datetime.fromtimestamp`). */
  fromtimestamp: (seconds: number): Date => new Date(seconds * 1000),
  /** Seconds since the epoch of a Date. */
  timestamp: (date: Date): number => date.getTime() / 1000,
  /** ISO 8601 text of a Date, in UTC. */
  isoformat: (date: Date): string => date.toISOString(),
});

/**
 * The names every template sees: Tornado's (`escape`, `xhtml_escape`, `url_escape`, `json_encode`,
 * `squeeze`, `linkify`, `datetime`) plus `len`, `range` and `enumerate`. A Loader's namespace is
 * merged over it, and the arguments of `generate()` over that.
 */
export const defaultNamespace: Readonly<Record<string, unknown>> = Object.freeze({
  escape: escapeToSafe,
  xhtml_escape: escapeToSafe,
  url_escape: (value: unknown, plus = true): string => urlEscape(value == null ? "" : String(value), plus),
  json_encode: jsonEncode,
  squeeze: (value: unknown): string => squeeze(value == null ? "" : String(value)),
  linkify: linkifyToSafe,
  len,
  range,
  enumerate,
  datetime,
});

// ----- runtime helpers of compiled templates (hot path: keep them small and monomorphic) -----

/** `{{ x }}` under the default autoescape. null and undefined print nothing. */
export function escapeOutput(value: unknown): string {
  if (typeof value === "string") return xhtmlEscape(value);
  if (value == null) return "";
  if (typeof value === "number") return "" + value;
  if (value instanceof SafeString) return value.html;
  return xhtmlEscape(String(value));
}

/** `{% raw x %}` and unescaped output. null and undefined print nothing. */
export function rawOutput(value: unknown): string {
  if (typeof value === "string") return value;
  return value == null ? "" : String(value);
}

/** `{{ x }}` under `{% autoescape fn %}`: safe strings pass, anything else goes through `fn`. */
export function customEscapeOutput(value: unknown, fn: unknown): string {
  if (value instanceof SafeString) return value.html;
  if (typeof fn !== "function") throw new TypeError("the autoescape function is not a function");
  return rawOutput((fn as (v: unknown) => unknown)(value));
}

/** The sequence `{% for x in value %}` walks: iterables as they are, plain objects by key. */
export function iterate(value: unknown): Iterable<unknown> {
  if (Array.isArray(value)) return value;
  if (value != null && typeof (value as Iterable<unknown>)[Symbol.iterator] === "function") return value as Iterable<unknown>;
  if (value !== null && typeof value === "object") return Object.keys(value);
  throw new TypeError(`cannot loop over ${value === null ? "null" : typeof value}`);
}

/** The sequence `{% for k, v in value %}` destructures: Map entries, plain objects' entries. */
export function iteratePairs(value: unknown): Iterable<unknown> {
  if (Array.isArray(value)) return value;
  if (value != null && typeof (value as Iterable<unknown>)[Symbol.iterator] === "function") return value as Iterable<unknown>;
  if (value !== null && typeof value === "object") return Object.entries(value);
  throw new TypeError(`cannot loop over ${value === null ? "null" : typeof value}`);
}

/** Truth of `if`/`elif`/`while` conditions: JavaScript's, except empty arrays, Maps and Sets are false (as in Python). */
export function truthy(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return !!value;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  return true;
}

const FORMAT_RE = /%(?:\(([^)]*)\))?([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifrxX%])/g;

/**
 * Python's `format % args` for the Tornado spellings `_("%(num)d people") % {"num": n}` and
 * `"%s of %s" % (a, b)`. With a non-string left side it is JavaScript's remainder.
 */
export function pyFormat(format: unknown, args: unknown): unknown {
  if (typeof format !== "string" && !(format instanceof SafeString)) return (format as number) % (args as number);
  const fmt = String(format);
  let index = 0;
  const positional = Array.isArray(args) ? args : [args];
  return fmt.replace(FORMAT_RE, (_m, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === "%") return "%";
    let value: unknown;
    if (key !== undefined) value = (args as Record<string, unknown>)?.[key];
    else {
      if (index >= positional.length) throw new TypeError(`not enough arguments for format string "${fmt}"`);
      value = positional[index++];
    }
    let text: string;
    if (conv === "d" || conv === "i") text = String(Math.trunc(Number(value)));
    else if (conv === "f") text = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
    else if (conv === "x" || conv === "X") text = Math.trunc(Number(value)).toString(16);
    else if (conv === "r") text = JSON.stringify(value) ?? String(value);
    else text = value == null ? "" : String(value);
    if (conv === "X") text = text.toUpperCase();
    if (flags.includes("+") && (conv === "d" || conv === "i" || conv === "f") && !text.startsWith("-")) text = "+" + text;
    const w = width === undefined ? 0 : Number(width);
    if (text.length < w) text = flags.includes("-") ? text.padEnd(w) : text.padStart(w, flags.includes("0") ? "0" : " ");
    return text;
  });
}

/** The helpers a compiled template closes over, by the name it uses for them. */
export const runtimeHelpers = {
  e: escapeOutput,
  s: rawOutput,
  c: customEscapeOutput,
  it: iterate,
  ip: iteratePairs,
  t: truthy,
  fmt: pyFormat,
};
