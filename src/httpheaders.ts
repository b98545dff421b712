/**
 * HTTPHeaders: the case-insensitive, multi-valued header collection every HTTP layer shares. It
 * lives below httputil so the parsers (headerlines, multipart) can build one without importing
 * the request type above them.
 */
import { lowerName, TOKEN_RE, parseHeaderLines } from "./headerlines";

// Response values: anything outside printable ASCII sends us down the careful path.
const PLAIN_VALUE_RE = /[^\x20-\x7e\t]/;
const PLAIN_CHARS_RE = /[\x20-\x7e\t]/g;
const NOT_LATIN1_RE = /[^\x80-\xff]/;
// Response header names repeat; remembering the valid ones skips a regex per header.
const knownGoodNames = new Set<string>();
// Response values repeat too (Server, Content-Type, the Date of this second, small lengths):
// a Set hit is cheaper than the regex. Bounded: emptied when full.
const knownPlainValues = new Set<string>();

/**
 * A case-insensitive, multi-valued header collection that remembers wire order.
 *
 * @example
 * const h = new HTTPHeaders();
 * h.add("Set-Cookie", "a=1"); h.add("Set-Cookie", "b=2");
 * h.get("set-cookie");      // "a=1,b=2"
 * h.getList("Set-Cookie");  // ["a=1", "b=2"]
 */
export class HTTPHeaders implements Iterable<[string, string]> {
  // Wire order as parallel arrays: cheaper than an object per header on the hot path.
  private names: string[] = [];
  private lowerNames: string[] = [];
  private values: string[] = [];
  private linesNonAscii = false;

  constructor(init?: Record<string, string> | Iterable<[string, string]>) {
    if (!init) return;
    const entries = Symbol.iterator in Object(init) ? (init as Iterable<[string, string]>) : Object.entries(init);
    for (const [name, value] of entries) this.add(name, value);
  }

  /**
   * Parses a header block (lines separated by CRLF or LF). Obsolete line folding is replaced
   * by a single space (RFC 9112 §5.2); bad names or values throw HTTPInputError.
   *
   * @example
   * HTTPHeaders.parse("Content-Type: text/html\r\nX-A: 1\r\n").get("x-a"); // "1"
   */
  static parse(text: string): HTTPHeaders {
    const h = new HTTPHeaders();
    parseHeaderLines(text, 0, h, true);
    return h;
  }

  /** Appends a value, keeping any existing ones. */
  add(name: string, value: string): void {
    this.names.push(name);
    this.lowerNames.push(lowerName(name));
    this.values.push(value);
  }

  /** @internal `add` for a parser that already knows the lower-case name. */
  addLowered(name: string, lower: string, value: string): void {
    this.names.push(name);
    this.lowerNames.push(lower);
    this.values.push(value);
  }

  /** Replaces every value of `name` with one value. */
  set(name: string, value: string): void {
    const lower = lowerName(name);
    const i = this.lowerNames.indexOf(lower);
    if (i < 0) {
      this.add(name, value);
      return;
    }
    this.names[i] = name;
    this.values[i] = value;
    this.removeFrom(lower, i + 1);
  }

  /** All values of `name` joined by commas (RFC 9110 §5.3), or undefined when absent. */
  get(name: string): string | undefined {
    const lower = lowerName(name);
    const lowerNames = this.lowerNames;
    let found: string | undefined;
    for (let i = 0; i < lowerNames.length; i++) {
      if (lowerNames[i] === lower) found = found === undefined ? this.values[i] : found + "," + this.values[i];
    }
    return found;
  }

  /** Every value of `name` in wire order (empty when absent). */
  getList(name: string): string[] {
    const lower = lowerName(name);
    const out: string[] = [];
    for (let i = 0; i < this.lowerNames.length; i++) if (this.lowerNames[i] === lower) out.push(this.values[i]);
    return out;
  }

  /** How many values `name` has (0 when absent); no list is built. */
  count(name: string): number {
    const lower = lowerName(name);
    let n = 0;
    for (let i = 0; i < this.lowerNames.length; i++) if (this.lowerNames[i] === lower) n++;
    return n;
  }

  has(name: string): boolean {
    return this.lowerNames.indexOf(lowerName(name)) >= 0;
  }

  /** Removes every value of `name`; returns whether any was there. */
  delete(name: string): boolean {
    const lower = lowerName(name);
    const before = this.names.length;
    this.removeFrom(lower, 0);
    return this.names.length !== before;
  }

  clear(): void {
    this.names = [];
    this.lowerNames = [];
    this.values = [];
  }

  get size(): number {
    return this.names.length;
  }

  /** `[name, value]` pairs in wire order, names as first given. */
  *[Symbol.iterator](): Iterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i], this.values[i]];
  }

  /** Calls `fn(name, value)` in wire order without allocating an iterator. */
  forEach(fn: (name: string, value: string) => void): void {
    for (let i = 0; i < this.names.length; i++) fn(this.names[i], this.values[i]);
  }

  /** A plain object of lower-cased names to comma-joined values (for logging and tests). */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = Object.create(null);
    for (let i = 0; i < this.names.length; i++) {
      const k = this.lowerNames[i];
      out[k] = k in out ? out[k] + "," + this.values[i] : this.values[i];
    }
    return out;
  }

  /**
   * The headers as `Name: value\r\n` lines for the wire. Throws on a name that is not a token
   * or a value with a control character or a character past U+00FF (response splitting).
   */
  formatLines(): string {
    let out = "";
    let nonAscii = false;
    const names = this.names;
    const values = this.values;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const value = values[i];
      if (!knownGoodNames.has(name)) {
        if (!TOKEN_RE.test(name)) throw new Error("invalid response header name: " + JSON.stringify(name));
        if (knownGoodNames.size < 1024) knownGoodNames.add(name);
      }
      if (knownPlainValues.has(value)) {
        // checked before: plain printable ASCII
      } else if (PLAIN_VALUE_RE.test(value)) {
        if (NOT_LATIN1_RE.test(value.replace(PLAIN_CHARS_RE, ""))) {
          throw new Error("invalid character in response header " + name + ": " + JSON.stringify(value));
        }
        nonAscii = true;
      } else if (value.length <= 64) {
        if (knownPlainValues.size >= 512) knownPlainValues.clear(); // stale Dates must not fill it for good
        knownPlainValues.add(value);
      }
      out += name + ": " + value + "\r\n";
    }
    this.linesNonAscii = nonAscii;
    return out;
  }

  /** Whether the last `formatLines()` output holds bytes past ASCII (to be sent as latin1). */
  get formattedNonAscii(): boolean {
    return this.linesNonAscii;
  }

  copy(): HTTPHeaders {
    const h = new HTTPHeaders();
    h.names = this.names.slice();
    h.lowerNames = this.lowerNames.slice();
    h.values = this.values.slice();
    return h;
  }

  private removeFrom(lower: string, start: number): void {
    for (let i = this.lowerNames.length - 1; i >= start; i--) {
      if (this.lowerNames[i] === lower) {
        this.names.splice(i, 1);
        this.lowerNames.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
  }
}
