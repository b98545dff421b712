/**
 * Specs that need something outside the project (wrk, Chromium, a database) call `needs()` first:
 * locally a missing service skips the spec with a message saying what to install or start; in CI
 * (CI=true) it fails, because CI installs and starts everything.
 */
import { spawnSync } from "node:child_process";

export function commandExists(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

export function needs(ctx: Mocha.Context, what: string, available: boolean, howToGetIt: string): void {
  if (available) return;
  const message = `${what} is not available: ${howToGetIt}`;
  if (process.env.CI === "true") throw new Error(`${message} (CI must provide it)`);
  console.log(`      skipped: ${message}`);
  ctx.skip();
}
