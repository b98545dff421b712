/**
 * Escaping and unescaping for HTML, URLs and JSON, plus text helpers (squeeze, linkify).
 */

/**
 * A string that is already safe HTML: templates output it as is instead of escaping it again.
 *
 * @example
 * new SafeString("<b>hi</b>") // rendered by `{{ x }}` as <b>hi</b>
 */
export class SafeString {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/**
 * Escapes `& < > " '` as `&amp; &lt; &gt; &quot; &#39;`.
 *
 * @example
 * xhtmlEscape(`<a href="x">`) // "&lt;a href=&quot;x&quot;&gt;"
 */
export function xhtmlEscape(value: unknown): string {
  const s = typeof value === "string" ? value : String(value);
  // Scan first: most template values contain nothing to escape, and then we return the input.
  let i = 0;
  const n = s.length;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 38 || c === 60 || c === 62 || c === 34 || c === 39) break;
  }
  if (i === n) return s;
  let out = "";
  let last = 0;
  for (; i < n; i++) {
    let rep: string;
    switch (s.charCodeAt(i)) {
      case 38: rep = "&amp;"; break;
      case 60: rep = "&lt;"; break;
      case 62: rep = "&gt;"; break;
      case 34: rep = "&quot;"; break;
      case 39: rep = "&#39;"; break;
      default: continue;
    }
    if (last !== i) out += s.slice(last, i);
    out += rep;
    last = i + 1;
  }
  return last === 0 ? out : out + s.slice(last);
}
