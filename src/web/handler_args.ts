/**
 * Argument lookup rules shared by getArgument / getQueryArgument / getBodyArgument: the last
 * value wins, values are stripped, control characters become spaces, missing → 400.
 */
import type { ArgumentMap } from "../httputil";
import { MissingArgumentError } from "./errors";

// Tornado's _remove_control_chars_regex: C0 controls except the whitespace ones (\t \n \v \f \r),
// so one argument cannot smuggle NULs or terminal escapes into logs and storage.
const CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/g;
const HAS_CONTROL_CHARS = /[\x00-\x08\x0e-\x1f]/;

/** Marks "no default given" so that `undefined` and `null` can be explicit defaults. */
export const REQUIRED: unique symbol = Symbol("required");

export function cleanArgument(value: string, strip: boolean): string {
  if (HAS_CONTROL_CHARS.test(value)) value = value.replace(CONTROL_CHARS, " ");
  return strip ? value.trim() : value;
}

/** Every value of `name` in `sources` (in order), cleaned. */
export function argumentValues(sources: readonly ArgumentMap[], name: string, strip: boolean): string[] {
  const out: string[] = [];
  for (const source of sources) {
    const values = source[name];
    if (values === undefined) continue;
    for (const value of values) out.push(cleanArgument(value, strip));
  }
  return out;
}

/**
 * The last value of `name` across `sources` (later sources win), or `fallback`; throws
 * MissingArgumentError when absent and no fallback was given.
 */
export function lastArgument<D>(
  sources: readonly ArgumentMap[],
  name: string,
  fallback: D | typeof REQUIRED,
  strip: boolean,
): string | D {
  for (let i = sources.length - 1; i >= 0; i--) {
    const values = sources[i][name];
    if (values !== undefined && values.length > 0) return cleanArgument(values[values.length - 1], strip);
  }
  if (fallback === REQUIRED) throw new MissingArgumentError(name);
  return fallback;
}
