import * as fs from "node:fs";
import * as path from "node:path";

/** spec/fixtures/static, found from the compiled spec wherever the build put it. */
export function staticFixtureRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "spec", "fixtures", "static");
    if (fs.existsSync(path.join(candidate, "hello.txt"))) return candidate;
  }
  throw new Error("spec/fixtures/static not found above " + __dirname);
}
