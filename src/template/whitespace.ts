/**
 * Whitespace handling of template text: `all` keeps it, `single` collapses each run to one space or
 * one newline, `oneline` collapses every run to one space. Text inside `<pre>…</pre>` is kept as is.
 * Runs at compile time only.
 */

export type WhitespaceMode = "all" | "single" | "oneline";

export const WHITESPACE_MODES: readonly WhitespaceMode[] = ["all", "single", "oneline"];

/** `single` for `.html` and `.js` templates, `all` for anything else (Tornado's default). */
export function defaultWhitespace(name: string): WhitespaceMode {
  return /\.(html|js)$/i.test(name) ? "single" : "all";
}

function collapse(mode: WhitespaceMode, text: string): string {
  if (mode === "single") return text.replace(/[\t ]+/g, " ").replace(/\s*\n\s*/g, "\n");
  if (mode === "oneline") return text.replace(/\s+/g, " ");
  return text;
}

/**
 * Filters the text of one template file chunk by chunk, remembering across chunks whether the
 * text is inside a `<pre>` element (in document order).
 *
 * @example
 * const ws = new WhitespaceFilter("single");
 * ws.filter("a   \n\n  b<pre>  x  </pre>") // "a\nb<pre>  x  </pre>"
 */
export class WhitespaceFilter {
  private inPre = false;

  constructor(public mode: WhitespaceMode) {}

  filter(text: string): string {
    if (this.mode === "all") {
      this.trackPre(text);
      return text;
    }
    const lower = text.toLowerCase();
    let out = "";
    let pos = 0;
    while (pos < text.length) {
      if (this.inPre) {
        const close = lower.indexOf("</pre>", pos);
        if (close < 0) return out + text.slice(pos);
        out += text.slice(pos, close + 6);
        pos = close + 6;
        this.inPre = false;
      } else {
        const open = findPreOpen(lower, pos);
        if (open < 0) return out + collapse(this.mode, text.slice(pos));
        out += collapse(this.mode, text.slice(pos, open)) + text.slice(open, open + 4);
        pos = open + 4;
        this.inPre = true;
      }
    }
    return out;
  }

  private trackPre(text: string): void {
    const lower = text.toLowerCase();
    const open = lower.lastIndexOf("<pre");
    const close = lower.lastIndexOf("</pre>");
    if (open > close && findPreOpen(lower, open) === open) this.inPre = true;
    else if (close >= 0 && close > open) this.inPre = false;
  }
}

function findPreOpen(lower: string, from: number): number {
  for (let at = lower.indexOf("<pre", from); at >= 0; at = lower.indexOf("<pre", at + 4)) {
    const next = lower[at + 4];
    if (next === undefined || next === ">" || /\s/.test(next)) return at;
  }
  return -1;
}
