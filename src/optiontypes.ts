/**
 * The value types of options: parsing command-line text into them, checking values set in code, and
 * showing them in help.
 */

/** The value types an option can hold; `duration` values are milliseconds. */
export type OptionTypeName = "string" | "number" | "boolean" | "date" | "duration";
/** A type name, or the matching constructor (`String`, `Number`, `Boolean`, `Date`). */
export type OptionType = OptionTypeName | StringConstructor | NumberConstructor | BooleanConstructor | DateConstructor;
export type OptionScalar = string | number | boolean | Date;

/** A bad definition, a bad value, or an unknown option. */
export class OptionError extends Error {
  override name = "OptionError";
}

export const TYPE_NAMES = new Map<unknown, OptionTypeName>([
  ["string", "string"], ["number", "number"], ["boolean", "boolean"], ["date", "date"], ["duration", "duration"],
  [String, "string"], [Number, "number"], [Boolean, "boolean"], [Date, "date"],
]);

const FALSE_WORDS = new Set(["false", "0", "f"]);
const DURATION_UNITS = new Map<string, number>();
for (const [ms, names] of [
  [0.001, "us usec microsecond microseconds"], [1, "ms msec millisecond milliseconds"],
  // The empty unit: a bare number is seconds.
  [1000, " s sec secs second seconds"], [60_000, "m min mins minute minutes"], [3_600_000, "h hr hrs hour hours"],
  [86_400_000, "d day days"], [604_800_000, "w week weeks"],
] as const) {
  for (const unit of names.split(" ")) DURATION_UNITS.set(unit, ms);
}
const DURATION_PART_RE = /\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)\s*([a-z]*)\s*/iy;
const DATE_RE = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const MAX_RANGE_ITEMS = 100_000;

/** Parses a duration such as `1h 30m`, `500ms`, `2d` or `45` (seconds) into milliseconds. */
export function parseDuration(text: string): number {
  if (!text.trim()) throw new Error(`empty duration`);
  let total = 0;
  DURATION_PART_RE.lastIndex = 0;
  while (DURATION_PART_RE.lastIndex < text.length) {
    const m = DURATION_PART_RE.exec(text);
    const scale = m ? DURATION_UNITS.get(m[2].toLowerCase()) : undefined;
    if (!m || scale === undefined) throw new Error(`"${text}" is not a duration (try "1h 30m", "500ms", "2d")`);
    total += parseFloat(m[1]) * scale;
  }
  return total;
}

/** Parses an ISO 8601 date or date-time (`2024-01-31`, `2024-01-31T10:00:00Z`, `20240131 10:00`); no zone means local time. */
export function parseDate(text: string): Date {
  const m = DATE_RE.exec(text.trim());
  const fail = () => new Error(`"${text}" is not a date (try 2024-01-31 or 2024-01-31T10:00:00Z)`);
  if (!m) throw fail();
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) throw fail();
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const zone = m[8]?.toUpperCase();
  // Built from year 2000 and then moved: Date.UTC and new Date() read years 0-99 as 1900-1999.
  const date = zone ? new Date(Date.UTC(2000, 0, 1, h, mi, s, ms)) : new Date(2000, 0, 1, h, mi, s, ms);
  if (zone) date.setUTCFullYear(y, mo - 1, d);
  else date.setFullYear(y, mo - 1, d);
  // A day past the month's end (02-30) rolls over into the next month.
  if ((zone ? date.getUTCDate() : date.getDate()) !== d) throw fail();
  if (!zone || zone === "Z") return date;
  const offsetMinutes = (zone[0] === "-" ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

export function formatDuration(ms: number): string {
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [["d", 86_400_000], ["h", 3_600_000], ["m", 60_000], ["s", 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}ms`);
  return parts.join(" ");
}

export function parseScalar(type: OptionTypeName, text: string): OptionScalar {
  switch (type) {
    case "string": return text;
    case "boolean": return !FALSE_WORDS.has(text.toLowerCase());
    case "date": return parseDate(text);
    case "duration": return parseDuration(text);
    case "number": {
      const n = text.trim() ? Number(text) : NaN;
      if (!Number.isFinite(n)) throw new Error(`"${text}" is not a number`);
      return n;
    }
  }
}

export function hasType(type: OptionTypeName, value: unknown): boolean {
  switch (type) {
    case "string": return typeof value === "string";
    case "boolean": return typeof value === "boolean";
    case "date": return value instanceof Date && !Number.isNaN(value.getTime());
    case "number": case "duration": return typeof value === "number" && !Number.isNaN(value);
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Date) return "Date";
  return typeof value === "string" ? `string ${JSON.stringify(value)}` : typeof value;
}

export function formatValue(type: OptionTypeName, value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => formatValue(type, v)).join(",");
  if (value instanceof Date) return value.toISOString();
  if (type === "duration" && typeof value === "number") return formatDuration(value);
  return String(value);
}

export function inferType(sample: unknown): OptionTypeName {
  if (typeof sample === "number") return "number";
  if (typeof sample === "boolean") return "boolean";
  if (sample instanceof Date) return "date";
  return "string";
}

export function parseList(type: OptionTypeName, text: string): OptionScalar[] {
  if (text === "") return [];
  const values: OptionScalar[] = [];
  for (const part of text.split(",")) {
    const range = type === "number" ? /^\s*(-?\d+):(-?\d+)\s*$/.exec(part) : null;
    if (!range) {
      values.push(parseScalar(type, part));
      continue;
    }
    const [low, high] = [Number(range[1]), Number(range[2])];
    if (high < low) throw new Error(`range ${part} is empty`);
    if (high - low >= MAX_RANGE_ITEMS || values.length + high - low >= MAX_RANGE_ITEMS) {
      throw new Error(`range ${part} is too large (limit ${MAX_RANGE_ITEMS} values)`);
    }
    for (let n = low; n <= high; n++) values.push(n);
  }
  return values;
}

/**
 * Checks a value against an option's type (`strict`), or converts it (not strict: strings are parsed as
 * on the command line, as defaults and config files allow).
 */
export function coerceValue(
  option: { name: string; type: OptionTypeName; multiple: boolean },
  value: unknown,
  strict: boolean,
): unknown {
  const one = (item: unknown): unknown => {
    if (hasType(option.type, item)) return item;
    if (!strict && typeof item === "string") return parseScalar(option.type, item);
    throw new OptionError(`Option '${option.name}' is required to be a ${option.type}` +
      `${option.multiple ? " list" : ""} (${describeValue(item)} given)`);
  };
  if (!option.multiple) return one(value);
  if (!Array.isArray(value)) {
    throw new OptionError(`Option '${option.name}' is required to be a list of ${option.type} (${describeValue(value)} given)`);
  }
  return value.map(one);
}
