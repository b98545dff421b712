/**
 * Splits template source into chunks: text, `{{ expression }}`, `{% statement %}` and
 * `{# comment #}`, each with the line it starts on. `{{!`, `{%!` and `{#!` are literal text.
 */
import { ParseError } from "./errors";

export type ChunkKind = "text" | "expression" | "statement" | "comment";

export interface Chunk {
  kind: ChunkKind;
  /** Text as written, or the trimmed inside of the tag. */
  content: string;
  line: number;
}

const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const PERCENT = 37;
const HASH = 35;
const BANG = 33;

/**
 * A cursor over one template's source. `next()` returns chunks in order, then `null`.
 *
 * @example
 * const lexer = new Lexer("a{{ b }}", "t.html");
 * lexer.next() // { kind: "text", content: "a", line: 1 }
 */
export class Lexer {
  private pos = 0;
  private line = 1;

  constructor(private readonly source: string, readonly filename: string) {}

  next(): Chunk | null {
    const src = this.source;
    if (this.pos >= src.length) return null;
    const line = this.line;
    let text = "";
    let from = this.pos;
    for (;;) {
      let at = src.indexOf("{", from);
      // In `{{{ x }}}` the innermost `{{` opens the tag (handy for LaTeX and other brace languages).
      while (at >= 0 && src.charCodeAt(at + 1) === OPEN_BRACE && src.charCodeAt(at + 2) === OPEN_BRACE) at++;
      if (at < 0 || at + 1 >= src.length) {
        text += src.slice(this.pos);
        this.advanceTo(src.length);
        return { kind: "text", content: text, line };
      }
      const kind = src.charCodeAt(at + 1);
      if (kind !== OPEN_BRACE && kind !== PERCENT && kind !== HASH) {
        from = at + 1;
        continue;
      }
      if (src.charCodeAt(at + 2) === BANG) {
        // `{{!` is the literal `{{`: keep the two characters, drop the bang, stay in text.
        text += src.slice(this.pos, at + 2);
        this.advanceTo(at + 3);
        from = this.pos;
        continue;
      }
      if (at > this.pos || text) {
        text += src.slice(this.pos, at);
        this.advanceTo(at);
        return { kind: "text", content: text, line };
      }
      return this.readTag(at, kind);
    }
  }

  private readTag(at: number, kind: number): Chunk {
    const src = this.source;
    const line = this.line;
    const bodyStart = at + 2;
    let end: number;
    let chunkKind: ChunkKind;
    if (kind === HASH) {
      end = src.indexOf("#}", bodyStart);
      chunkKind = "comment";
      if (end < 0) throw new ParseError("Missing end comment #}", this.filename, line);
    } else if (kind === OPEN_BRACE) {
      end = findClose(src, bodyStart, "}", true);
      chunkKind = "expression";
      if (end < 0) throw new ParseError("Missing end expression }}", this.filename, line);
    } else {
      // `{% comment it's here %}` may hold an unpaired quote, so comments are not string-scanned.
      const isComment = /^\s*comment\b/.test(src.slice(bodyStart, bodyStart + 40));
      end = isComment ? src.indexOf("%}", bodyStart) : findClose(src, bodyStart, "%", false);
      chunkKind = "statement";
      if (end < 0) throw new ParseError("Missing end block %}", this.filename, line);
    }
    const content = src.slice(bodyStart, end).trim();
    this.advanceTo(end + 2);
    return { kind: chunkKind, content, line };
  }

  private advanceTo(pos: number): void {
    const src = this.source;
    for (let i = this.pos; i < pos; i++) if (src.charCodeAt(i) === 10) this.line++;
    this.pos = pos;
  }
}

/**
 * Finds the closing `}}` or `%}` that is outside string literals (and, for expressions, outside
 * nested braces), so `{{ f({a: {b: "}}"}}) }}` closes where a reader would expect. Falls back to
 * the first plain occurrence when the careful scan finds none (an unpaired quote), and -1 if none.
 */
function findClose(src: string, from: number, first: "}" | "%", countBraces: boolean): number {
  const firstCode = first.charCodeAt(0);
  let depth = 0;
  let i = from;
  const n = src.length;
  while (i < n - 1) {
    const c = src.charCodeAt(i);
    if (c === 34 || c === 39 || c === 96) {
      const close = skipString(src, i);
      if (close < 0) break;
      i = close;
      continue;
    }
    if (c === firstCode && src.charCodeAt(i + 1) === CLOSE_BRACE && depth === 0) return i;
    if (countBraces) {
      if (c === OPEN_BRACE) depth++;
      else if (c === CLOSE_BRACE && depth > 0) depth--;
    }
    i++;
  }
  return src.indexOf(first + "}", from);
}

/** Index just past the string literal opening at `start`, or -1 when it never closes. */
function skipString(src: string, start: number): number {
  const quote = src.charCodeAt(start);
  for (let i = start + 1; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 92) i++;
    else if (c === quote) return i + 1;
    else if (c === 10 && quote !== 96) return -1;
  }
  return -1;
}
