import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

// The example scripts run as a user runs them (`npm start` runs the chat one): a process of
// their own, told to listen on port 0, answering real requests.

const EXAMPLES = path.join(__dirname, "../../examples");
// The chat demo keeps its cookie secret under the state folder: a scratch one, not the user's.
const STATE_HOME = fs.mkdtempSync(path.join(os.tmpdir(), "examples-state-"));

function start(script: string): Promise<{ child: ChildProcess; base: string }> {
  const child = spawn(process.execPath, [path.join(EXAMPLES, script), "--port=0", "--logging=none"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, XDG_STATE_HOME: STATE_HOME },
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^/\s]+)\//.exec(out);
      if (m) resolve({ child, base: m[1] });
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
  });
}

describe("example scripts", function () {
  this.timeout(20_000);
  const running: ChildProcess[] = [];
  after(() => {
    running.forEach((c) => c.kill());
    fs.rmSync(STATE_HOME, { recursive: true, force: true });
  });

  it("helloworld answers GET / with Hello, world", async () => {
    const { child, base } = await start("helloworld/main.js");
    running.push(child);
    const res = await fetch(base + "/");
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal("Hello, world");
  });

  it("the chat demo (npm start) sends a visitor to its login page", async () => {
    const { child, base } = await start("chat/main.js");
    running.push(child);
    const res = await fetch(base + "/", { redirect: "manual" });
    expect(res.status).to.equal(302);
    expect(res.headers.get("location")).to.equal("/auth/login?next=%2F");
    expect(await (await fetch(base + "/auth/login")).text()).to.contain('id="loginform"');
  });

  it("the walkthrough serves the seed's template page", async () => {
    const { child, base } = await start("walkthrough/main.js");
    running.push(child);
    expect(await (await fetch(base + "/")).text()).to.contain("<li>Item 1</li>");
  });
});
