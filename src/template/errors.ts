/**
 * Errors of the template engine: `ParseError` for bad template source (raised when a template is
 * loaded or constructed), and the annotation that names the template line of a runtime error.
 */

/**
 * A template could not be parsed or compiled. The message ends with `at FILE:LINE`.
 *
 * @example
 * new ParseError("Missing {% end %} block for if", "base.html", 12).message
 * // "Missing {% end %} block for if at base.html:12"
 */
export class ParseError extends Error {
  constructor(readonly reason: string, readonly filename: string, readonly lineno: number) {
    super(`${reason} at ${filename}:${lineno}`);
    this.name = "ParseError";
  }
}

const ANNOTATED = Symbol("tornado-ts:template-location");

/** The `FILE:LINE` a runtime error was annotated with by a compiled template, if any. */
export function templateLocation(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  return (err as { [ANNOTATED]?: string })[ANNOTATED];
}

/**
 * Adds the template location to an error thrown while rendering, keeping its type (so an
 * `HTTPError` raised inside a template still means what it meant). The innermost template wins:
 * a nested render annotates first and outer templates leave the error alone.
 */
export function annotateRuntimeError(err: unknown, location: string | undefined): unknown {
  if (location === undefined || !(err instanceof Error) || templateLocation(err) !== undefined) return err;
  Object.defineProperty(err, ANNOTATED, { value: location, enumerable: false });
  const before = err.message;
  const suffix = ` (in template ${location})`;
  try {
    err.message = before + suffix;
    if (typeof err.stack === "string" && before) {
      const at = err.stack.indexOf(before);
      if (at >= 0) err.stack = err.stack.slice(0, at + before.length) + suffix + err.stack.slice(at + before.length);
    }
  } catch {
    // A frozen error keeps its message; the location is still readable with templateLocation().
  }
  return err;
}
