/**
 * Reading route patterns: anchoring and compiling them (string or RegExp), and the static
 * analysis that finds literal paths and the pieces `reverseUrl` fills in. Startup-time only.
 */

/** A pattern ready for matching. */
export interface CompiledPattern {
  /** The source with a trailing `$` (added unless present). */
  source: string;
  /** The source without its leading `^` and trailing `$`. */
  body: string;
  regex: RegExp;
  groupCount: number;
  hasNamedGroups: boolean;
  caseSensitive: boolean;
}

/**
 * Anchors and compiles a route or host pattern; a RegExp keeps its flags (but `g`, `y`, `d`, which
 * would make matching stateful or slower). Throws a SyntaxError naming an invalid pattern.
 *
 * @example
 * compilePattern("/a|/b", false).regex // /^(?:\/a|\/b)$/
 */
export function compilePattern(pattern: string | RegExp, ignoreCase: boolean): CompiledPattern {
  let source: string;
  let flags = "";
  if (pattern instanceof RegExp) {
    source = pattern.source;
    flags = pattern.flags.replace(/[gyd]/g, "");
  } else if (typeof pattern === "string") {
    source = pattern;
  } else {
    throw new TypeError(`a route pattern must be a string or RegExp, got ${pattern === null ? "null" : typeof pattern}`);
  }
  if (ignoreCase && !flags.includes("i")) flags += "i";
  const anchored = endsWithAnchor(source) ? source : source + "$";
  const body = anchored.slice(anchored.startsWith("^") ? 1 : 0, -1);
  let regex: RegExp;
  let probe: RegExpExecArray | null;
  try {
    // Anchor the whole pattern (not only its last alternative, as Python's re.match + "$" would).
    regex = new RegExp(`^(?:${body})$`, flags);
    probe = new RegExp(`(?:${body})|`, flags).exec("");
  } catch (err) {
    throw new SyntaxError(`invalid route pattern ${JSON.stringify(source)}: ${(err as Error).message}`);
  }
  return {
    source: anchored,
    body,
    regex,
    groupCount: probe === null ? 0 : probe.length - 1,
    hasNamedGroups: probe?.groups !== undefined,
    caseSensitive: !flags.includes("i"),
  };
}

function endsWithAnchor(source: string): boolean {
  if (!source.endsWith("$")) return false;
  let backslashes = 0;
  for (let i = source.length - 2; i >= 0 && source[i] === "\\"; i--) backslashes++;
  return backslashes % 2 === 0;
}

/**
 * What the pattern body reads as: its exact path if it has no regex syntax, and the pieces
 * `reverse` joins (literal text and group slots), or why it can't be reversed.
 */
export interface PatternAnalysis {
  literal: string | null;
  pieces: (string | null)[] | null;
  unreversible: string | null;
}

const SPECIAL_ESCAPE = /[A-Za-z0-9]/;

/**
 * Reads a pattern body: literal if it is plain text (escaped punctuation allowed), reversible if
 * only whole capturing groups carry regex syntax.
 *
 * @example
 * analyzePattern("/story/([0-9]+)") // { literal: null, pieces: ["/story/", null, ""], unreversible: null }
 */
export function analyzePattern(body: string): PatternAnalysis {
  const pieces: (string | null)[] = [];
  let text = "";
  let literal = true;
  const fail = (why: string): PatternAnalysis => ({ literal: null, pieces: null, unreversible: why });
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") {
      const next = body[i + 1];
      if (next === undefined || SPECIAL_ESCAPE.test(next)) return fail(`escape \\${next ?? ""} outside a group`);
      text += next;
      i++;
    } else if (c === "(") {
      if (body[i + 1] === "?" && !(body[i + 2] === "<" && body[i + 3] !== "=" && body[i + 3] !== "!")) {
        return fail("a non-capturing group or lookaround");
      }
      const end = groupEnd(body, i);
      if (end < 0) return fail("nested groups");
      pieces.push(text, null);
      text = "";
      literal = false;
      i = end;
    } else if (c === ".") {
      // Reversal reads a bare dot as itself ("/robots.txt"); matching does not, so it is not literal.
      text += c;
      literal = false;
    } else if ("*+?{}[]|^$)".includes(c)) {
      return fail(`"${c}" outside a group`);
    } else {
      text += c;
    }
  }
  pieces.push(text);
  return { literal: literal ? text : null, pieces, unreversible: null };
}

/** Index of the `)` closing the group opened at `start`, or -1 when it contains another group. */
function groupEnd(body: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") i++;
    else if (inClass) inClass = c !== "]";
    else if (c === "[") inClass = true;
    else if (c === "(") return -1;
    else if (c === ")") return i;
  }
  return -1;
}
