/**
 * Shared helpers of the locale specs: fixture paths and warning capture.
 */
import * as fs from "fs";
import * as path from "path";
import { addLogHandler, setLogOutput } from "../../src/log";

/** The repository root, found from the compiled spec's location (dist/ or .build/NAME/). */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "spec", "fixtures", "locale"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("spec/fixtures/locale not found above " + __dirname);
    dir = parent;
  }
  return dir;
}

/** Absolute path of a file under spec/fixtures/locale. */
export function fixturePath(...parts: string[]): string {
  return path.join(repoRoot(), "spec", "fixtures", "locale", ...parts);
}

/**
 * The warnings the general logger receives while `fn` runs. Nothing is written to the log
 * output meanwhile, so the specs stay quiet whatever the log level.
 */
export function captureWarnings(fn: () => void): string[] {
  const messages: string[] = [];
  const remove = addLogHandler((record) => {
    if (record.logger === "tornado.general") messages.push(record.message);
  }, "warning");
  const previousOutput = setLogOutput(null);
  try {
    fn();
  } finally {
    setLogOutput(previousOutput);
    remove();
  }
  return messages;
}
