/** Tables for the terminal and for bench/RESULTS.md. */

export interface Table {
  title: string;
  /** Which contender the ratios are against, and the goal text shown under the table. */
  note?: string;
  columns: string[];
  rows: (string | number)[][];
  /** Goals met or not, one line each: "≥ 1.5× node:http: met (1.72×)". */
  goals?: string[];
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "n/a";
  return n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? (a / b).toFixed(2) + "×" : "n/a";
}

/** Median of a non-empty list (NaN for an empty one). */
export function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function goal(text: string, met: boolean, measured: string): string {
  return `${text}: ${met ? "met" : "NOT met"} (${measured})`;
}

/** Every goal line of `tables` in one Markdown table, so a reader sees the standing at once. */
export function renderGoalSummary(tables: readonly Table[]): string {
  const rows = tables.flatMap((t) => (t.goals ?? []).filter((g) => / (NOT )?met \(/.test(g)).map((g) => `| ${t.title} | ${g} |`));
  if (rows.length === 0) return "";
  return ["### Goals at a glance (this run)", "", "| scenario | goal |", "|:--|:--|", ...rows].join("\n") + "\n";
}

/** Renders a table as Markdown (which also reads fine in a terminal). */
export function renderTable(t: Table): string {
  const cells = [t.columns, ...t.rows.map((r) => r.map(String))];
  const widths = t.columns.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => "| " + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ") + " |";
  const out = [`### ${t.title}`, ""];
  if (t.note) out.push(t.note, "");
  out.push(line(t.columns), "|" + widths.map((w, i) => (i === 0 ? ":" + "-".repeat(w + 1) : "-".repeat(w + 1) + ":")).join("|") + "|");
  for (const r of t.rows) out.push(line(r.map(String)));
  if (t.goals?.length) out.push("", ...t.goals.map((g) => `- ${g}`));
  return out.join("\n") + "\n";
}
