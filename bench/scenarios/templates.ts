/**
 * Scenario 3: one page (a title and a 100-item list of escaped {name, url}) rendered by
 * tornado-ts templates and by the peers, every output checked equal to the hand-written one.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import ejs from "ejs";
import Handlebars from "handlebars";
import nunjucks from "nunjucks";
import { xhtmlEscape } from "../../src/escape";
import { Template } from "../../src/template";
import type { BenchOptions } from "../lib/options";
import { fmt, goal, ratio, type Table } from "../lib/report";
import { median } from "../lib/report";
import { pinned } from "../lib/proc";
import type { RateContender } from "../lib/timing";

interface Page { title: string; items: { name: string; url: string }[] }

export function pageData(): Page {
  const items = [];
  for (let i = 0; i < 100; i++) items.push({ name: `Item ${i} <b> & "friends"`, url: `/items/${i}?a=1&b=${i}` });
  return { title: `Catalogue <${items.length}> & more`, items };
}

/** The baseline: what a careful person would write by hand, with the same escape function. */
export function handWritten(d: Page): string {
  let out = "<html><head><title>" + xhtmlEscape(d.title) + "</title></head><body><h1>" + xhtmlEscape(d.title) + "</h1><ul>";
  const items = d.items;
  for (let i = 0; i < items.length; i++) {
    out += '<li><a href="' + xhtmlEscape(items[i].url) + '">' + xhtmlEscape(items[i].name) + "</a></li>";
  }
  return out + "</ul></body></html>";
}

const SOURCES = {
  tornado: '<html><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1><ul>{% for item in items %}<li><a href="{{ item.url }}">{{ item.name }}</a></li>{% end %}</ul></body></html>',
  eta: '<html><head><title><%= it.title %></title></head><body><h1><%= it.title %></h1><ul><% for (const item of it.items) { %><li><a href="<%= item.url %>"><%= item.name %></a></li><% } %></ul></body></html>',
  ejs: '<html><head><title><%= title %></title></head><body><h1><%= title %></h1><ul><% for (const item of items) { %><li><a href="<%= item.url %>"><%= item.name %></a></li><% } %></ul></body></html>',
  handlebars: '<html><head><title>{{title}}</title></head><body><h1>{{title}}</h1><ul>{{#each items}}<li><a href="{{url}}">{{name}}</a></li>{{/each}}</ul></body></html>',
  nunjucks: '<html><head><title>{{ title }}</title></head><body><h1>{{ title }}</h1><ul>{% for item in items %}<li><a href="{{ item.url }}">{{ item.name }}</a></li>{% endfor %}</ul></body></html>',
};

export function templateContenders(): RateContender[] {
  const data = pageData();
  const tornado = new Template(SOURCES.tornado, { name: "bench.html" });
  // Eta is ESM-first; Node 20's require(esm) loads it.
  const { Eta } = require("eta") as { Eta: new (o?: object) => { loadTemplate(n: string, s: string): void; render(n: string, d: object): string } };
  const eta = new Eta({ autoEscape: true });
  eta.loadTemplate("@page", SOURCES.eta);
  const ejsFn = ejs.compile(SOURCES.ejs);
  const hbs = Handlebars.compile(SOURCES.handlebars);
  const nunjucksEnv = new nunjucks.Environment(null, { autoescape: true });
  const nj = nunjucks.compile(SOURCES.nunjucks, nunjucksEnv);
  return [
    { name: "hand-written", run: () => handWritten(data) },
    { name: "tornado-ts", run: () => tornado.generate(data as unknown as Record<string, unknown>) },
    { name: "eta", run: () => eta.render("@page", data) },
    { name: "ejs", run: () => ejsFn(data) },
    { name: "handlebars", run: () => hbs(data) },
    { name: "nunjucks", run: () => nj.render(data) },
  ];
}

/**
 * Engines spell some escapes differently (EJS `&#34;`, Handlebars `&#x3D;` for `=`); those are
 * the same HTML, so compare with one spelling. Anything left unescaped still differs.
 */
export function sameHtml(html: string): string {
  return html.replace(/&#34;|&#x22;/g, "&quot;").replace(/&#x3D;/g, "=").replace(/&#x27;/g, "&#39;");
}

export async function runTemplateScenario(opts: BenchOptions): Promise<Table[]> {
  const contenders = templateContenders().filter((c) => c.name === "hand-written" || !opts.only || opts.only.includes(c.name));
  const expected = sameHtml(contenders[0].run() as string);
  const mismatched = contenders.filter((c) => sameHtml(c.run() as string) !== expected).map((c) => c.name);
  if (mismatched.length) throw new Error(`template outputs differ from hand-written: ${mismatched.join(", ")}`);
  const rates = measureInProcesses(contenders.map((c) => c.name), opts.seconds * 200, Math.max(3, opts.rounds * 3));
  const base = rates.get("hand-written")!;
  const ours = rates.get("tornado-ts");
  return [{
    title: "templates: title + 100 escaped {name, url} items",
    note: "Renders per second, each engine in a fresh process per round, engines alternated; median of rounds; every output checked equal to the hand-written one.",
    columns: ["engine", "renders/s", "vs hand-written"],
    rows: [...rates].sort((a, b) => b[1] - a[1]).map(([name, r]) => [name, fmt(r), ratio(r, base)]),
    goals: ours === undefined ? [] : [goal("tornado-ts ≥ 0.8× hand-written", ours >= 0.8 * base, ratio(ours, base))],
  }];
}

/** Rates per engine: `rounds` rounds, each engine in its own process (pinned to core 0), rotated. */
function measureInProcesses(names: string[], sliceMs: number, rounds: number): Map<string, number> {
  const worker = path.join(__dirname, "../lib/template_worker.js");
  const rates = new Map<string, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const [cmd, args] = pinned(0, process.execPath, [worker, name, String(sliceMs)]);
      rates.get(name)!.push(Number(execFileSync(cmd, args, { encoding: "utf8" })));
    }
  }
  return new Map([...rates].map(([k, v]) => [k, median(v)]));
}
