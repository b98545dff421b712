/**
 * The module's `?` placeholders in PostgreSQL's numbered form. Every `?` outside literals and
 * comments is a placeholder, so PostgreSQL's own `?` operators (jsonb's `?`, `?|`, `?&`) must be
 * written as their functions (`jsonb_exists`, `jsonb_exists_any`, `jsonb_exists_all`).
 */

const translated = new Map<string, string>();

/** `?` → `$n`, skipping '…', "…", E'…', $tag$…$tag$, -- and /* comments. Cached per SQL text. */
export function translatePlaceholders(sql: string): string {
  let out = translated.get(sql);
  if (out !== undefined) return out;
  if (!sql.includes("?")) out = sql;
  else {
    out = "";
    let n = 0;
    for (let i = 0; i < sql.length; ) {
      const c = sql[i];
      let end = i + 1;
      if (c === "'" || c === '"') end = closeQuote(sql, i, c);
      else if (c === "-" && sql[i + 1] === "-") end = indexOrEnd(sql, "\n", i + 2);
      else if (c === "/" && sql[i + 1] === "*") end = indexOrEnd(sql, "*/", i + 2) + 2;
      else if (c === "$") {
        const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(sql.slice(i))?.[0];
        if (tag) end = indexOrEnd(sql, tag, i + tag.length) + tag.length;
      } else if (c === "?") {
        out += "$" + ++n;
        i++;
        continue;
      }
      out += sql.slice(i, Math.min(end, sql.length));
      i = end;
    }
  }
  if (translated.size >= 2000) translated.clear();
  translated.set(sql, out);
  return out;
}

function closeQuote(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    } else if (sql[i] === "\\" && quote === "'" && /[eE]/.test(sql[start - 1] ?? "")) i++;
  }
  return sql.length;
}

function indexOrEnd(sql: string, needle: string, from: number): number {
  const i = sql.indexOf(needle, from);
  return i < 0 ? sql.length : i;
}
