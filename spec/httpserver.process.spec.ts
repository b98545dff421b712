import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

// HTTPServer#start(2): the primary forks two workers, both serve the Application on one port.
describe("HTTPServer#start with two processes", function () {
  this.timeout(20_000);
  let primary: ChildProcess;
  const listening = new Map<number, number>(); // task id → port

  before(async () => {
    primary = spawn(process.execPath, [path.join(__dirname, "fixtures/process/http_workers.js")], { stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      primary.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        for (const m of out.matchAll(/LISTENING (\d+) (\d+)/g)) listening.set(Number(m[1]), Number(m[2]));
        if (listening.size === 2) resolve();
      });
      primary.once("exit", (code) => reject(new Error(`primary exited with ${code}: ${out}`)));
    });
  });

  after(() => {
    if (primary.exitCode === null) primary.kill("SIGTERM");
  });

  it("starts task ids 0 and 1 on the same port", () => {
    expect([...listening.keys()].sort()).to.deep.equal([0, 1]);
    expect(new Set(listening.values()).size).to.equal(1);
  });

  it("answers requests from both workers", async () => {
    const port = [...listening.values()][0];
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { Connection: "close" } });
      seen.add(/task (\d+)/.exec(await res.text())![1]);
    }
    expect([...seen].sort()).to.deep.equal(["0", "1"]);
  });

  it("takes the workers down with the primary on SIGTERM", async () => {
    const exited = new Promise<number | null>((resolve) => primary.once("exit", (code) => resolve(code)));
    primary.kill("SIGTERM");
    expect(await exited).to.equal(0);
  });
});
