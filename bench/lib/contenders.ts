/** The HTTP servers compared, and how to start each. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { have } from "./proc";
import type { Scenario } from "../servers/common";

/** Repository root: the nearest folder above this file with tornado-ts's package.json. */
export const ROOT = findRoot(__dirname);

function findRoot(dir: string): string {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    if (existsSync(path.join(d, "package.json")) && JSON.parse(readFileSync(path.join(d, "package.json"), "utf8")).name === "tornado-ts") return d;
  }
  throw new Error(`no tornado-ts package.json above ${dir}`);
}
const SERVERS = path.resolve(__dirname, "../servers");

export interface Contender {
  name: string;
  scenarios: Scenario[];
  cmd: string;
  args(scenario: Scenario, extra?: string[]): string[];
  /** Why it can't run here, or undefined when it can. */
  missing(): string | undefined;
}

const node = (file: string, scenarios: Scenario[], name: string): Contender => ({
  name,
  scenarios,
  cmd: process.execPath,
  args: (s, extra = []) => [path.join(SERVERS, file), s, "0", ...extra],
  missing: () => undefined,
});

export const CONTENDERS: Contender[] = [
  node("tornadots.js", ["hello", "json", "poll", "static"], "tornado-ts"),
  node("nodehttp.js", ["hello", "json", "poll", "static"], "node:http"),
  node("fastify.js", ["hello", "json"], "fastify"),
  node("express.js", ["hello", "json"], "express"),
  {
    name: "python tornado",
    scenarios: ["hello", "json"],
    cmd: "/usr/bin/python3",
    args: (s) => [path.join(ROOT, "bench/servers/tornado_py.py"), s, "0"],
    missing: () =>
      have("/usr/bin/python3") && require("node:child_process").spawnSync("/usr/bin/python3", ["-c", "import tornado"]).status === 0
        ? undefined
        : "python3-tornado is not installed (apt-get install -y python3-tornado)",
  },
  node("rawnet.js", ["hello", "poll"], "raw net (ceiling)"),
];

export function contendersFor(scenario: Scenario, only?: string[]): Contender[] {
  return CONTENDERS.filter((c) => c.scenarios.includes(scenario) && (!only || only.includes(c.name)));
}
