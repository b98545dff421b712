/**
 * Template expressions are JavaScript. This module tokenizes one expression once, at compile time,
 * to (1) find the free identifiers the compiled function must take from the namespace and
 * (2) accept the few Python spellings Tornado templates are written with:
 *
 * - `True`, `False`, `None` → `true`, `false`, `null`; `and`, `or`, `not` → `&&`, `||`, `!`
 * - keyword arguments `f(a, k=v)` → a trailing object `f(a, {k: v})`
 * - string formatting `fmt % {...}` / `"..." % x` → `__tt_fmt(fmt, x)` (Python `%` formatting)
 */

export class ExpressionSyntaxError extends Error {}

type TokenType = "ident" | "num" | "str" | "tmpl" | "regex" | "punct";

interface Token {
  type: TokenType;
  value: string;
  /** Free identifiers inside a template literal's `${}` parts. */
  names?: string[];
}

/** The output of {@link transformExpression}. */
export interface TransformedExpression {
  code: string;
  /** Identifiers that may refer to namespace values (over-approximated; shadowing is harmless). */
  names: string[];
}

const RESERVED = new Set([
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else",
  "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof",
  "new", "null", "return", "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
  "while", "with", "yield", "let", "static", "implements", "interface", "package", "private",
  "protected", "public", "await", "arguments", "eval", "undefined", "NaN", "Infinity", "of", "async",
]);

const PY_WORDS: Record<string, string> = { True: "true", False: "false", None: "null", and: "&&", or: "||", not: "!" };

const PUNCTUATORS = [
  ">>>=", "...", "===", "!==", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=",
  "=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=",
  "&=", "|=", "^=", "**", "<<", ">>",
];

const IDENT_RE = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*/y;
const NUMBER_RE = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)n?/y;
const SPACE_RE = /(?:\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/)+/y;

/** Prefix of the compiled code's own names; template identifiers must not start with it. */
export const INTERNAL_PREFIX = "__tt_";

/**
 * Rewrites one expression (or `set` statement) and lists its free identifiers.
 *
 * @example
 * transformExpression("modules.Entry(entry, show_comments=True)")
 * // { code: "modules . Entry ( entry , { show_comments : true } )", names: ["modules", "entry"] }
 */
export function transformExpression(source: string): TransformedExpression {
  const { tokens } = tokenize(source, 0, false);
  return finish(tokens);
}

function finish(tokens: Token[]): TransformedExpression {
  const rewritten = rewriteFormatting(rewriteKeywordArguments(rewriteWords(tokens)));
  return { code: rewritten.map((t) => t.value).join(" "), names: collectNames(rewritten) };
}

function tokenize(src: string, start: number, stopAtBrace: boolean): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let depth = 0;
  let i = start;
  while (i < src.length) {
    SPACE_RE.lastIndex = i;
    if (SPACE_RE.exec(src)) i = SPACE_RE.lastIndex;
    if (i >= src.length) break;
    const c = src[i];
    if (c === '"' || c === "'") {
      const end = stringEnd(src, i);
      tokens.push({ type: "str", value: src.slice(i, end) });
      i = end;
      continue;
    }
    if (c === "`") {
      const { token, end } = templateLiteral(src, i);
      tokens.push(token);
      i = end;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    if (/[\d.]/.test(c) && NUMBER_RE.exec(src) && NUMBER_RE.lastIndex > i + (c === "." ? 1 : 0)) {
      tokens.push({ type: "num", value: src.slice(i, NUMBER_RE.lastIndex) });
      i = NUMBER_RE.lastIndex;
      continue;
    }
    IDENT_RE.lastIndex = i;
    if (IDENT_RE.exec(src)) {
      tokens.push({ type: "ident", value: src.slice(i, IDENT_RE.lastIndex) });
      i = IDENT_RE.lastIndex;
      continue;
    }
    if (c === "/" && regexAllowed(tokens[tokens.length - 1])) {
      const end = regexEnd(src, i);
      tokens.push({ type: "regex", value: src.slice(i, end) });
      i = end;
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") {
      if (depth === 0 && stopAtBrace) return { tokens, end: i };
      depth--;
    }
    const punct = PUNCTUATORS.find((p) => src.startsWith(p, i)) ?? c;
    tokens.push({ type: "punct", value: punct });
    i += punct.length;
  }
  if (stopAtBrace) throw new ExpressionSyntaxError("Unterminated ${ in template literal");
  return { tokens, end: i };
}

function stringEnd(src: string, start: number): number {
  const quote = src[start];
  for (let i = start + 1; i < src.length; i++) {
    if (src[i] === "\\") i++;
    else if (src[i] === quote) return i + 1;
  }
  throw new ExpressionSyntaxError(`Unterminated string literal ${src.slice(start, start + 20)}`);
}

function templateLiteral(src: string, start: number): { token: Token; end: number } {
  let out = "`";
  const names: string[] = [];
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\") {
      out += src.slice(i, i + 2);
      i += 2;
    } else if (c === "`") {
      return { token: { type: "tmpl", value: out + "`", names }, end: i + 1 };
    } else if (c === "$" && src[i + 1] === "{") {
      const inner = tokenize(src, i + 2, true);
      const done = finish(inner.tokens);
      names.push(...done.names);
      out += "${" + done.code + "}";
      i = inner.end + 1;
    } else {
      out += c;
      i++;
    }
  }
  throw new ExpressionSyntaxError("Unterminated template literal");
}

function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.type === "punct") return !(prev.value === ")" || prev.value === "]" || prev.value === "}");
  return prev.type === "ident" && RESERVED.has(prev.value) && !["this", "true", "false", "null", "undefined"].includes(prev.value);
}

function regexEnd(src: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") i++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      let j = i + 1;
      while (j < src.length && /[a-z]/i.test(src[j])) j++;
      return j;
    }
  }
  throw new ExpressionSyntaxError("Unterminated regular expression");
}

function isPunct(t: Token | undefined, value: string): boolean {
  return t !== undefined && t.type === "punct" && t.value === value;
}

function isMemberName(tokens: Token[], i: number): boolean {
  return isPunct(tokens[i - 1], ".") || isPunct(tokens[i - 1], "?.");
}

/** Marks, for each token, whether it is an object literal key (`{ key: …` or `, key: …` in braces). */
function objectKeys(tokens: Token[]): boolean[] {
  const keys = new Array<boolean>(tokens.length).fill(false);
  const stack: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === "punct") {
      if (t.value === "(" || t.value === "[" || t.value === "{") stack.push(t.value);
      else if (t.value === ")" || t.value === "]" || t.value === "}") stack.pop();
      continue;
    }
    if (stack[stack.length - 1] !== "{" || !isPunct(tokens[i + 1], ":")) continue;
    if (isPunct(tokens[i - 1], "{") || isPunct(tokens[i - 1], ",")) keys[i] = true;
  }
  return keys;
}

function rewriteWords(tokens: Token[]): Token[] {
  const keys = objectKeys(tokens);
  return tokens.map((t, i) => {
    if (t.type !== "ident" || keys[i] || isMemberName(tokens, i)) return t;
    const word = PY_WORDS[t.value];
    if (word === undefined) return t;
    return { type: word[0] === "&" || word[0] === "|" || word[0] === "!" ? "punct" : "ident", value: word };
  });
}

function isCallParen(tokens: Token[], i: number): boolean {
  const prev = tokens[i - 1];
  if (!prev) return false;
  if (prev.type === "ident") return !RESERVED.has(prev.value) || prev.value === "this";
  return prev.type === "tmpl" || isPunct(prev, ")") || isPunct(prev, "]");
}

function rewriteKeywordArguments(tokens: Token[]): Token[] {
  const out: Token[] = [];
  // One frame per open bracket: whether it is a call, and whether its `{` for keywords is open.
  const frames: { call: boolean; keywords: boolean }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const frame = frames[frames.length - 1];
    if (t.type === "punct" && (t.value === "(" || t.value === "[" || t.value === "{")) {
      frames.push({ call: t.value === "(" && isCallParen(tokens, i), keywords: false });
      out.push(t);
      continue;
    }
    if (t.type === "punct" && (t.value === ")" || t.value === "]" || t.value === "}")) {
      if (frame?.keywords) out.push({ type: "punct", value: "}" });
      frames.pop();
      out.push(t);
      continue;
    }
    const argumentStart = frame?.call && (isPunct(tokens[i - 1], "(") || isPunct(tokens[i - 1], ","));
    if (argumentStart && t.type === "ident" && isPunct(tokens[i + 1], "=")) {
      if (!frame.keywords) {
        out.push({ type: "punct", value: "{" });
        frame.keywords = true;
      }
      out.push(t, { type: "punct", value: ":" });
      i++;
      continue;
    }
    out.push(t);
  }
  return out;
}

/** Index of the bracket matching the one at `i` (searching forward for openers, back for closers). */
function matchBracket(tokens: Token[], i: number): number {
  const pairs: Record<string, string> = { "(": ")", "[": "]", "{": "}", ")": "(", "]": "[", "}": "{" };
  const open = tokens[i].value;
  const close = pairs[open];
  const step = open === "(" || open === "[" || open === "{" ? 1 : -1;
  let depth = 0;
  for (let j = i; j >= 0 && j < tokens.length; j += step) {
    if (tokens[j].type !== "punct") continue;
    if (tokens[j].value === open) depth++;
    else if (tokens[j].value === close && --depth === 0) return j;
  }
  throw new ExpressionSyntaxError(`Unbalanced ${open}`);
}

function isOperand(t: Token | undefined): boolean {
  return t !== undefined && (t.type === "ident" || t.type === "num" || t.type === "str" || t.type === "tmpl");
}

/** Start index of the postfix expression (`a.b(c)[d]`) that ends at `end`. */
function leftOperandStart(tokens: Token[], end: number): number {
  let j = end;
  for (;;) {
    const t = tokens[j];
    const bracket = isPunct(t, ")") || isPunct(t, "]");
    if (bracket) j = matchBracket(tokens, j);
    else if (!isOperand(t)) return -1;
    const before = tokens[j - 1];
    if (isPunct(before, ".") || isPunct(before, "?.")) j -= 2;
    else if (bracket && (isOperand(before) || isPunct(before, ")") || isPunct(before, "]"))) j -= 1;
    else return j;
    if (j < 0) return -1;
  }
}

/** End index (inclusive) of the postfix expression starting at `start`. */
function rightOperandEnd(tokens: Token[], start: number): number {
  const t = tokens[start];
  let j: number;
  if (isPunct(t, "(") || isPunct(t, "[") || isPunct(t, "{")) j = matchBracket(tokens, start);
  else if (isOperand(t)) j = start;
  else return -1;
  for (;;) {
    const next = tokens[j + 1];
    if ((isPunct(next, ".") || isPunct(next, "?.")) && tokens[j + 2]?.type === "ident") j += 2;
    else if (isPunct(next, "(") || isPunct(next, "[")) j = matchBracket(tokens, j + 1);
    else return j;
  }
}

function rewriteFormatting(tokens: Token[]): Token[] {
  let list = tokens;
  for (let i = 0; i < list.length; i++) {
    if (!isPunct(list[i], "%")) continue;
    const start = leftOperandStart(list, i - 1);
    if (start < 0) continue;
    const stringLeft = list[start].type === "str" || list[start].type === "tmpl";
    if (!stringLeft && !isPunct(list[i + 1], "{")) continue;
    const end = rightOperandEnd(list, i + 1);
    if (end < 0) continue;
    const right = list.slice(i + 1, end + 1);
    if (isPunct(right[0], "(") && matchBracket(right, 0) === right.length - 1 && hasTopLevelComma(right)) {
      // Python's `fmt % (a, b)` is a tuple: pass an array, not a comma expression.
      right[0] = { type: "punct", value: "[" };
      right[right.length - 1] = { type: "punct", value: "]" };
    }
    const call: Token[] = [
      { type: "ident", value: INTERNAL_PREFIX + "fmt" }, { type: "punct", value: "(" },
      ...list.slice(start, i), { type: "punct", value: "," }, ...right,
      { type: "punct", value: ")" },
    ];
    list = [...list.slice(0, start), ...call, ...list.slice(end + 1)];
    i = start;
  }
  return list;
}

function hasTopLevelComma(group: Token[]): boolean {
  let depth = 0;
  for (const t of group) {
    if (t.type !== "punct") continue;
    if (t.value === "(" || t.value === "[" || t.value === "{") depth++;
    else if (t.value === ")" || t.value === "]" || t.value === "}") depth--;
    else if (t.value === "," && depth === 1) return true;
  }
  return false;
}

function collectNames(tokens: Token[]): string[] {
  const keys = objectKeys(tokens);
  const names = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.type === "tmpl") t.names?.forEach((n) => names.add(n));
    if (t.type !== "ident" || keys[i] || isMemberName(tokens, i)) return;
    if (RESERVED.has(t.value) || t.value.startsWith(INTERNAL_PREFIX)) return;
    names.add(t.value);
  });
  return [...names];
}

/**
 * Parses the targets of `for TARGETS in EXPR`: one name, or names separated by commas
 * (optionally in parentheses or brackets) for destructuring.
 */
export function parseForHeader(header: string): { targets: string[]; iterable: string } | null {
  const match = /^[([]?\s*([A-Za-z_$][\w$]*(?:\s*,\s*[A-Za-z_$][\w$]*)*)\s*[)\]]?\s+(?:in|of)\s+([\s\S]+)$/.exec(header);
  if (!match) return null;
  const targets = match[1].split(",").map((s) => s.trim());
  if (targets.some((t) => RESERVED.has(t) || t.startsWith(INTERNAL_PREFIX))) return null;
  return { targets, iterable: match[2] };
}

/** Whether `name` can be a template variable (a `let` in the compiled function). */
export function isPlainIdentifier(name: string): boolean {
  return /^[A-Za-z_$][\w$]*$/.test(name) && !RESERVED.has(name) && !name.startsWith(INTERNAL_PREFIX);
}
