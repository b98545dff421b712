import { expect } from "chai";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// `npm run lint` runs scripts/check_cycles.mjs over the sources: these specs write small trees of
// modules and prove the checker refuses value-import cycles and lets type-only ones through.

const ROOT = path.join(__dirname, "../../..");
const CHECKER = path.join(ROOT, "scripts/check_cycles.mjs");

function check(files: Record<string, string>): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cycles-"));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const run = spawnSync(process.execPath, [CHECKER, "src"], { cwd: dir, encoding: "utf8" });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("scripts/check_cycles.mjs", function () {
  this.timeout(90_000); // tsc-free but walks every source file: slow on a loaded machine

  it("fails on a cycle of value imports and names the files and import lines", () => {
    const { status, output } = check({
      "src/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
      "src/b.ts": 'import { c } from "./lib/c";\nexport const b = c;\n',
      "src/lib/c.ts": 'import { a } from "../a";\nexport const c = a;\n',
    });
    expect(status).to.equal(1);
    expect(output).to.include("import cycle among 3 file(s): src/a.ts, src/b.ts, src/lib/c.ts");
    expect(output).to.include('src/lib/c.ts:1  import { a } from "../a";');
  });

  it("fails on a lazy require() of a module that imports the requiring one", () => {
    const { status, output } = check({
      "src/handler.ts": 'export class Handler { url() { return require("./static").make(); } }\n',
      "src/static.ts": 'import { Handler } from "./handler";\nexport class Static extends Handler {}\nexport const make = () => "";\n',
    });
    expect(status).to.equal(1);
    expect(output).to.include('src/handler.ts:1  require("./static")');
  });

  it("counts re-exports and index.ts folders as edges", () => {
    const { status, output } = check({
      "src/index.ts": 'export { web } from "./web";\nexport const root = 1;\n',
      "src/web/index.ts": 'import { root } from "..";\nexport const web = root;\n',
    });
    expect(status).to.equal(1);
    expect(output).to.include("src/index.ts, src/web/index.ts");
  });

  it("passes when the only way back is a type-only import", () => {
    const { status, output } = check({
      "src/app.ts": 'import { Handler } from "./handler";\nexport class App { h = new Handler(this); }\n',
      "src/handler.ts":
        'import type { App } from "./app";\nimport { type App as A2 } from "./app";\n' +
        'type M = typeof import("./app");\nexport class Handler { constructor(readonly app: App | A2, readonly m?: M) {} }\n',
    });
    expect(output).to.include("no import cycles");
    expect(status).to.equal(0);
  });

  it("passes on this repository's sources (what npm run lint checks)", () => {
    const run = spawnSync(process.execPath, [CHECKER, "src", "examples", "bench", "spec"], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).to.equal("");
    expect(run.status).to.equal(0);
  });
});
