import * as fs from "node:fs";
import * as path from "node:path";

/** spec/fixtures/templates, found from the compiled spec wherever the build put it. */
export function templateFixtures(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "spec", "fixtures", "templates");
    if (fs.existsSync(path.join(candidate, "seed"))) return candidate;
    if (path.dirname(dir) === dir) throw new Error("spec/fixtures/templates not found above " + __dirname);
  }
}
