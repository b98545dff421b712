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

/**
 * A template read a name that neither its arguments, the loader's namespace nor the JavaScript
 * globals define (Python's NameError in Tornado). The message names the variable; the compiled
 * template adds where: `name 'titel' is not defined (in template home.html:3)`.
 */
export class NameError extends ReferenceError {
  constructor(readonly variable: string) {
    super(`name '${variable}' is not defined`);
    this.name = "NameError";
  }
}

/**
 * Stands in for a name nothing defines: any use of it (printing, testing, a property, a loop)
 * throws NameError, so a typo like `{{ titel }}` fails loudly instead of printing nothing. It is
 * only created for a template that reads such a name.
 */
export function undefinedName(variable: string): unknown {
  const fail = (): never => {
    throw new NameError(variable);
  };
  return new Proxy(Object.create(null) as object, {
    get: fail, has: fail, set: fail, deleteProperty: fail, ownKeys: fail, defineProperty: fail,
    getOwnPropertyDescriptor: fail, getPrototypeOf: fail, apply: fail, construct: fail,
  });
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
    // V8 may format the stack lazily, from the message as it is now: then it has the suffix already.
    if (typeof err.stack === "string" && before && !err.stack.includes(before + suffix)) {
      const at = err.stack.indexOf(before);
      if (at >= 0) err.stack = err.stack.slice(0, at + before.length) + suffix + err.stack.slice(at + before.length);
    }
  } catch {
    // A frozen error keeps its message; the location is still readable with templateLocation().
  }
  return err;
}
