/**
 * Argument lookup rules shared by getArgument / getQueryArgument / getBodyArgument: values are
 * decoded (UTF-8 unless the handler's `decodeArgument` says otherwise), the last value wins,
 * values are stripped, control characters become spaces, missing → 400, undecodable → 400.
 */
import type { RawArgumentMap } from "../httputil";
import { HTTPError, MissingArgumentError } from "./errors";

// Tornado's _remove_control_chars_regex: C0 controls except the whitespace ones (\t \n \v \f \r),
// so one argument cannot smuggle NULs or terminal escapes into logs and storage.
const CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/g;
const HAS_CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/;
const HIGH_BYTE = /[\x80-\xff]/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Marks "no default given" so that `undefined` and `null` can be explicit defaults. */
export const REQUIRED: unique symbol = Symbol("required");

/**
 * Turns one undecoded value (bytes as a latin1 string, null for a malformed %-escape) into text.
 * `name` is undefined for positional path arguments.
 */
export type ArgumentDecoder = (raw: string | null, name: string | undefined) => string;

/**
 * The default decoding: UTF-8. Invalid UTF-8 is Tornado's `HTTPError(400, "Invalid unicode in
 * NAME: …")`; a pure-ASCII value is returned as it is (no Buffer).
 */
export function decodeUtf8Argument(raw: string | null, name: string | undefined): string {
  if (raw === null) throw malformedEscape(name);
  if (!HIGH_BYTE.test(raw)) return raw;
  return decodeUtf8Bytes(Buffer.from(raw, "latin1"), name);
}

/** UTF-8 text of `bytes`, or HTTPError(400) naming the argument. */
export function decodeUtf8Bytes(bytes: Uint8Array, name: string | undefined): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const shown = Buffer.from(bytes.subarray(0, 40)).toString("latin1");
    throw new HTTPError(400, `Invalid unicode in ${name ?? "url"}: ${JSON.stringify(shown)}`);
  }
}

/** A decoder calling `hook` (a handler's decodeArgument) with the value's bytes. */
export function decoderUsing(hook: (value: Buffer, name?: string) => string): ArgumentDecoder {
  return (raw, name) => {
    if (raw === null) throw malformedEscape(name);
    return hook(Buffer.from(raw, "latin1"), name);
  };
}

/** The 400 for a value whose %-escapes are malformed (`%zz`, a lone `%`). */
export function malformedEscape(name: string | undefined): HTTPError {
  return new HTTPError(400, `Invalid percent-encoding in ${name ?? "url"}`);
}

export function cleanArgument(value: string, strip: boolean): string {
  if (HAS_CONTROL_CHARS.test(value)) value = value.replace(CONTROL_CHARS, " ");
  return strip ? value.trim() : value;
}

/** Every value of `name` in `sources` (in order), decoded and cleaned. */
export function argumentValues(sources: readonly RawArgumentMap[], name: string, strip: boolean, decode: ArgumentDecoder): string[] {
  const out: string[] = [];
  for (const source of sources) {
    const values = source[name];
    if (values === undefined) continue;
    for (const value of values) out.push(cleanArgument(decode(value, name), strip));
  }
  return out;
}

/**
 * The last value of `name` across `sources` (later sources win), decoded, or `fallback`; throws
 * MissingArgumentError when absent and no fallback was given.
 */
export function lastArgument<D>(
  sources: readonly RawArgumentMap[],
  name: string,
  fallback: D | typeof REQUIRED,
  strip: boolean,
  decode: ArgumentDecoder,
): string | D {
  for (let i = sources.length - 1; i >= 0; i--) {
    const values = sources[i][name];
    if (values !== undefined && values.length > 0) return cleanArgument(decode(values[values.length - 1], name), strip);
  }
  if (fallback === REQUIRED) throw new MissingArgumentError(name);
  return fallback;
}
