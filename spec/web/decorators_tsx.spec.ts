// The decorators under an esbuild-based runner, which emits no decorator metadata: a separate
// mocha run of spec/fixtures/tsx/standard_decorators.spec.ts through `mocha --import=tsx`, in
// that folder so tsx reads its tsconfig (standard decorators).
import { expect } from "chai";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { PACKAGE_ROOT } from "../support/tsfixture";

const FIXTURE_DIR = path.join(PACKAGE_ROOT, "spec", "fixtures", "tsx");

describe("a spec file run with mocha --import=tsx", function () {
  this.timeout(120_000);

  it("passes every test of the standard-decorator fixture", async () => {
    const mocha = path.join(PACKAGE_ROOT, "node_modules", "mocha", "bin", "mocha.js");
    const args = ["--import=tsx", "--no-config", "--no-package", "--reporter", "spec", "standard_decorators.spec.ts"];
    const { code, output } = await run(process.execPath, [mocha, ...args], FIXTURE_DIR);
    expect(code, output).to.equal(0);
    expect(output).to.match(/\b5 passing\b/);
    expect(output).to.include("is compiled with standard decorators");
  });
});

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(cwd, "tsconfig.json"), NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}
