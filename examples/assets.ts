/**
 * Examples keep their templates and static files next to their sources; compiled code runs from
 * dist/, so find the source folder by walking up to the repository root.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export function exampleDir(name: string): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) {
    const candidate = path.join(d, "examples", name);
    if (existsSync(path.join(d, "package.json")) && existsSync(candidate)) return candidate;
  }
  throw new Error(`examples/${name} not found above ${__dirname}`);
}
