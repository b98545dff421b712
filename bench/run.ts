/**
 * `npm run bench [-- NAME…] [--quick] [--save] [--only=CONTENDER,…]`: every comparison side by side
 * in one run, with ratios against the named baselines. `--save` writes bench/RESULTS.md; `--only`
 * keeps the named contenders (e.g. `--only=tornado-ts,node:http`; the raw floor stays where a
 * scenario needs it).
 */
import { execSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./lib/contenders";
import { FULL, QUICK, type BenchOptions } from "./lib/options";
import { ensureDebianCommand, have } from "./lib/proc";
import { renderGoalSummary, renderTable, type Table } from "./lib/report";
import { runClientScenario } from "./scenarios/client";
import { runClusterScenario } from "./scenarios/cluster";
import { runDbScenario } from "./scenarios/db";
import { runHttpScenario } from "./scenarios/http";
import { runInstructionsScenario } from "./scenarios/instructions";
import { runRoutingScenario } from "./scenarios/routing";
import { runS3Scenario } from "./scenarios/s3";
import { runStandingScenario } from "./scenarios/standing";
import { runStaticScenario } from "./scenarios/static";
import { runTemplateScenario } from "./scenarios/templates";
import { runWsScenario } from "./scenarios/ws";

export const SCENARIOS: Record<string, (o: BenchOptions) => Promise<Table[]>> = {
  hello: (o) => runHttpScenario("hello", o),
  json: (o) => runHttpScenario("json", o),
  templates: runTemplateScenario,
  routing: runRoutingScenario,
  standing: runStandingScenario,
  static: runStaticScenario,
  db: runDbScenario,
  ws: runWsScenario,
  client: runClientScenario,
  s3: runS3Scenario,
  instructions: runInstructionsScenario,
  cluster: runClusterScenario,
};

function version(pkg: string): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return "not installed";
  }
}

function sh(cmd: string): string {
  try {
    return execSync(cmd, { stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
  } catch {
    return "n/a";
  }
}

/** The machine, versions and commands, so a table can be read without the run that made it. */
export function header(opts: BenchOptions, names: string[]): string {
  const cpu = os.cpus()[0]?.model ?? "unknown cpu";
  return [
    `- machine: ${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`,
    `- node ${process.version}; tornado-ts ${JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version}; ` +
      ["fastify", "express", "eta", "ejs", "handlebars", "nunjucks", "undici"].map((p) => `${p} ${version(p)}`).join(", "),
    `- ${sh("wrk --version 2>&1 | head -1")}; python tornado ${sh("/usr/bin/python3 -c 'import tornado; print(tornado.version)'")}`,
    `- commit ${sh("git -C " + ROOT + " rev-parse --short HEAD")}, ${new Date().toISOString()}`,
    `- scenarios: ${names.join(", ")}; ${opts.seconds}s per measurement, ${opts.rounds} round(s), taskset ${have("taskset") ? "on (server core 0, load core 1)" : "unavailable"}`,
  ].join("\n");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const quick = argv.includes("--quick");
  const save = argv.includes("--save");
  const names = argv.filter((a) => !a.startsWith("--"));
  for (const n of names) if (!(n in SCENARIOS)) throw new Error(`unknown scenario "${n}"; choose from ${Object.keys(SCENARIOS).join(", ")}`);
  const selected = names.length ? names : Object.keys(SCENARIOS);
  const onlyArg = argv.find((a) => a.startsWith("--only="));
  const opts: BenchOptions = { ...(quick ? QUICK : FULL), only: onlyArg ? onlyArg.slice("--only=".length).split(",") : undefined };
  if (!ensureDebianCommand("wrk", "wrk")) {
    throw new Error("wrk is missing and could not be installed: run `apt-get install -y wrk` as root, then npm run bench again");
  }
  if (!have("/usr/bin/python3") || sh("/usr/bin/python3 -c 'import tornado'") === "n/a") ensureDebianCommand("/usr/bin/python3", "python3-tornado");
  sh("/usr/bin/python3 -c 'import tornado' || apt-get install -y python3-tornado");

  const head = header(opts, selected);
  console.log(head + "\n");
  const sections: string[] = [];
  const tables: Table[] = [];
  for (const name of selected) {
    const started = Date.now();
    process.stderr.write(`running ${name}…\n`);
    for (const t of await SCENARIOS[name](opts)) {
      tables.push(t);
      const text = renderTable(t);
      console.log(text);
      sections.push(text);
    }
    process.stderr.write(`${name} took ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  }
  const summary = renderGoalSummary(tables);
  if (summary) {
    console.log(summary);
    sections.push(summary);
  }
  if (save) {
    const file = path.join(ROOT, "bench", "RESULTS.md");
    writeFileSync(file, `# Benchmark results\n\nWritten by \`npm run bench -- --save${quick ? " --quick" : ""}\`.\n\n${head}\n\n${sections.join("\n")}`);
    console.log(`wrote ${file}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
