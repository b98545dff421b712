/**
 * Scenario 4: URL-table lookup cost as the table grows (10, 100, 1,000 routes), for literal paths
 * and for regex routes (the last regex, the worst case).
 */
import { UrlTable, urlSpec, type HandlerClass } from "../../src/web/routing";
import type { BenchOptions } from "../lib/options";
import { fmt, goal, ratio, type Table } from "../lib/report";
import { measureRates } from "../lib/timing";

class Dummy {}
const SIZES = [10, 100, 1000];
const BATCH = 100;

/** A table of `n` routes, half literal and half regex, and paths that hit the last of each. */
export function routeTable(n: number): { table: UrlTable; literal: string[]; regex: string[] } {
  const specs = [];
  for (let i = 0; i < n; i++) {
    specs.push(i % 2 ? urlSpec(`/items${i}/([0-9]+)`, Dummy as unknown as HandlerClass) : urlSpec(`/page${i}`, Dummy as unknown as HandlerClass));
  }
  const lastLiteral = n % 2 ? n - 1 : n - 2;
  const lastRegex = n % 2 ? n - 2 : n - 1;
  return {
    table: new UrlTable(specs),
    // Several distinct paths so the lookup can't be answered from one cached string.
    literal: Array.from({ length: BATCH }, (_, k) => `/page${Math.max(0, lastLiteral - 2 * (k % Math.min(5, n / 2)))}`),
    regex: Array.from({ length: BATCH }, (_, k) => `/items${lastRegex}/${k}`),
  };
}

export async function runRoutingScenario(opts: BenchOptions): Promise<Table[]> {
  const contenders = [];
  for (const n of SIZES) {
    const { table, literal, regex } = routeTable(n);
    if (!table.match(literal[0]) || !table.match(regex[0])) throw new Error(`route table of ${n} does not match its own paths`);
    contenders.push({ name: `literal ${n}`, run: () => { let m; for (const p of literal) m = table.match(p); return m; } });
    contenders.push({ name: `regex ${n}`, run: () => { let m; for (const p of regex) m = table.match(p); return m; } });
  }
  const rates = measureRates(contenders, opts.seconds * 100, Math.max(3, opts.rounds * 3));
  const nsPerLookup = (name: string) => 1e9 / (rates.get(name)! * BATCH);
  const rows = SIZES.map((n) => [String(n), nsPerLookup(`literal ${n}`).toFixed(0), nsPerLookup(`regex ${n}`).toFixed(0),
    ratio(nsPerLookup(`literal ${n}`), nsPerLookup("literal 10")), ratio(nsPerLookup(`regex ${n}`), nsPerLookup("regex 10"))]);
  const lit = nsPerLookup("literal 1000") / nsPerLookup("literal 10");
  return [{
    title: "routing scale: one lookup",
    note: `ns per match() call; half literal, half regex routes; regex column hits the last regex route. ${fmt(BATCH)} paths per batch.`,
    columns: ["routes", "literal ns", "regex ns", "literal vs 10", "regex vs 10"],
    rows,
    goals: [goal("literal lookup with 1,000 routes ≤ 1.1× with 10", lit <= 1.1, lit.toFixed(2) + "×")],
  }];
}
