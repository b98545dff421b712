import { expect } from "chai";
import { ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";
import * as path from "node:path";
import * as sinon from "sinon";
import { IOLoop } from "../src/ioloop";
import { addLogHandler, setLogOutput } from "../src/log";
import { bindSockets, forkProcesses, installSignalHandlers, taskId } from "../src/process";

const FIXTURES = path.join(__dirname, "fixtures", "process");

/** A fixture script running in a child process, with its stdout split into lines as they arrive. */
class Child {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: (() => void)[] = [];

  constructor(script: string, env: Record<string, string> = {}) {
    this.proc = spawn(process.execPath, [path.join(FIXTURES, script)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let partial = "";
    this.proc.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.proc.once("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once `count` stdout lines match `pattern`; fails with the output so far after 8 s. */
  async waitForLines(pattern: RegExp, count = 1): Promise<string[]> {
    const deadline = Date.now() + 8000;
    for (;;) {
      const matching = this.lines.filter((line) => pattern.test(line));
      if (matching.length >= count) return matching;
      if (Date.now() > deadline || this.proc.exitCode !== null) {
        throw new Error(`waited for ${count} × ${pattern}; stdout: ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
  }
}

/** Sends one command to 127.0.0.1:port and resolves with the whole answer ("" when the peer just closes). */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(command + "\n"));
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("close", () => resolve(answer));
    socket.on("error", (err: NodeJS.ErrnoException) => (err.code === "ECONNRESET" ? resolve(answer) : reject(err)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parseListening(line: string): { id: number; port: number; pid: number } {
  const [, id, port, pid] = line.split(" ");
  return { id: Number(id), port: Number(port), pid: Number(pid) };
}

describe("bindSockets", () => {
  const servers: net.Server[] = [];
  after(() => {
    for (const server of servers) server.close();
  });

  describe("with port 0 and an IP address", () => {
    it("resolves with one listening server on a free port that accepts connections", async () => {
      const bound = await bindSockets(0, "127.0.0.1");
      servers.push(...bound);
      expect(bound).to.have.length(1);
      const address = bound[0].address() as net.AddressInfo;
      expect(address.address).to.equal("127.0.0.1");
      expect(address.port).to.be.greaterThan(0);
      bound[0].once("connection", (socket: net.Socket) => socket.end("hi"));
      expect(await ask(address.port, "hello")).to.equal("hi");
    });
  });

  describe("without an address", () => {
    it("listens on every interface", async () => {
      const bound = await bindSockets(0);
      servers.push(...bound);
      expect(bound).to.have.length(1);
      expect(["::", "0.0.0.0"]).to.include((bound[0].address() as net.AddressInfo).address);
    });
  });

  describe("with a host name", () => {
    it("binds each of its addresses on one shared port", async () => {
      const bound = await bindSockets(0, "localhost");
      servers.push(...bound);
      expect(bound.length).to.be.at.least(1);
      const ports = new Set(bound.map((s) => (s.address() as net.AddressInfo).port));
      expect(ports.size).to.equal(1);
    });
  });

  describe("when the port is taken", () => {
    it("rejects with an EADDRINUSE error naming the port", async () => {
      const [first] = await bindSockets(0, "127.0.0.1");
      servers.push(first);
      const port = (first.address() as net.AddressInfo).port;
      try {
        await bindSockets(port, "127.0.0.1");
        expect.fail("bindSockets should have rejected");
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).to.equal("EADDRINUSE");
        expect((err as Error).message).to.equal(`Port ${port} on 127.0.0.1 is already in use`);
      }
    });
  });

  describe("with an invalid port", () => {
    it("rejects with a RangeError", async () => {
      try {
        await bindSockets(70000);
        expect.fail("bindSockets should have rejected");
      } catch (err) {
        expect(err).to.be.instanceOf(RangeError);
      }
    });
  });

  describe("with reusePort", () => {
    it("binds on a Node that supports it, and otherwise says which Node it needs", async () => {
      const [major, minor] = process.versions.node.split(".").map(Number);
      const supported = major > 22 || (major === 22 && minor >= 12);
      try {
        const bound = await bindSockets(0, "127.0.0.1", { reusePort: true });
        servers.push(...bound);
        expect(supported).to.equal(true);
      } catch (err) {
        expect(supported).to.equal(false);
        expect((err as Error).message).to.match(/Node 22\.12/);
      }
    });
  });
});

describe("forkProcesses", () => {
  // The fixture programs start together: node start-up dominates these tests' time.
  let pair: Child;
  let single: Child;
  let crashing: Child;
  before(() => {
    pair = new Child("cluster_primary.js", { WORKERS: "2" });
    single = new Child("cluster_primary.js", { WORKERS: "1", EXIT_WHEN_DONE: "0" });
    crashing = new Child("cluster_primary.js", { WORKERS: "1", MAX_RESTARTS: "1" });
  });
  after(() => {
    for (const child of [pair, single, crashing]) child.kill();
  });

  describe("in a process that is not a cluster worker", () => {
    it("rejects a negative process count before forking anything", async () => {
      try {
        await forkProcesses(-1);
        expect.fail("forkProcesses should have rejected");
      } catch (err) {
        expect(err).to.be.instanceOf(RangeError);
      }
    });

    it("leaves taskId() null", () => {
      expect(taskId()).to.equal(null);
    });
  });

  describe("with 2 workers on a shared port", () => {
    let primary: Child;
    let port: number;
    const pids = new Map<number, number>();

    before(async () => {
      primary = pair;
      for (const line of await primary.waitForLines(/^LISTENING /, 2)) {
        const { id, port: p, pid } = parseListening(line);
        port = p;
        pids.set(id, pid);
      }
    });

    it("starts workers with task ids 0 and 1 on one port", () => {
      expect([...pids.keys()].sort()).to.deep.equal([0, 1]);
    });

    it("answers from both task ids", async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 10 && seen.size < 2; i++) seen.add(await ask(port, "whoami"));
      expect([...seen].map((answer) => Number(answer.split(" ")[0])).sort()).to.deep.equal([0, 1]);
    });

    describe("when a worker dies abnormally", () => {
      it("restarts it with the same task id in a new process", async () => {
        expect(await ask(port, "crash")).to.equal("");
        const restarted = parseListening((await primary.waitForLines(/^LISTENING /, 3))[2]);
        expect([0, 1]).to.include(restarted.id);
        expect(restarted.pid).not.to.equal(pids.get(restarted.id));
        expect(isAlive(pids.get(restarted.id)!)).to.equal(false);
        pids.set(restarted.id, restarted.pid);
      });
    });

    describe("when the primary gets SIGTERM", () => {
      it("passes it on to the workers and exits with status 0", async () => {
        primary.proc.kill("SIGTERM");
        expect(await primary.exited).to.deep.equal({ code: 0, signal: null });
        for (const pid of pids.values()) expect(isAlive(pid)).to.equal(false);
      });
    });
  });

  describe("when a worker exits with status 0", () => {
    it("does not restart it, and the primary (exit: false) returns null once all are gone", async () => {
      const [line] = await single.waitForLines(/^LISTENING /);
      await ask(parseListening(line).port, "exit");
      await single.waitForLines(/^PRIMARY DONE$/);
      expect(await single.exited).to.deep.equal({ code: 0, signal: null });
      expect(single.lines.filter((l) => l.startsWith("LISTENING"))).to.have.length(1);
    });
  });

  describe("when workers keep dying past maxRestarts", () => {
    it("gives up and exits with status 1", async () => {
      // A lone worker's port closes with it, so its replacement listens on a new port 0.
      const [first] = await crashing.waitForLines(/^LISTENING /);
      await ask(parseListening(first).port, "crash");
      const [, second] = await crashing.waitForLines(/^LISTENING /, 2);
      await ask(parseListening(second).port, "crash");
      expect(await crashing.exited).to.deep.equal({ code: 1, signal: null });
      expect(crashing.lines.filter((l) => l.startsWith("LISTENING"))).to.have.length(2);
    });
  });
});

describe("installSignalHandlers", () => {
  let quick: Child;
  let slow: Child;
  before(() => {
    quick = new Child("signal_child.js", { STOP_MS: "50" });
    slow = new Child("signal_child.js", { STOP_MS: "30000", DRAIN_MS: "100" });
  });
  after(() => {
    quick.kill();
    slow.kill();
  });

  describe("in a child process that gets SIGTERM", () => {
    it("stops the servers, stops the IOLoop and exits with status 0", async () => {
      await quick.waitForLines(/^READY$/);
      quick.proc.kill("SIGTERM");
      expect(await quick.exited).to.deep.equal({ code: 0, signal: null });
      expect(quick.lines).to.deep.equal(["READY", "STOPPING", "STOPPED", "LOOP STOPPED"]);
    });
  });

  describe("when a server takes longer than the drain timeout", () => {
    it("exits with status 0 without waiting for it", async () => {
      await slow.waitForLines(/^READY$/);
      slow.proc.kill("SIGINT");
      expect(await slow.exited).to.deep.equal({ code: 0, signal: null });
      expect(slow.lines).to.deep.equal(["READY", "STOPPING", "LOOP STOPPED"]);
    });
  });

  describe("with exit: false", () => {
    let uninstall: (() => void) | null = null;
    afterEach(() => {
      uninstall?.();
      uninstall = null;
      sinon.restore();
    });

    it("stops every server once, even when one stop() fails, then stops the current IOLoop", async () => {
      const failing = { stop: sinon.stub().rejects(new Error("cannot stop")) };
      const working = { stop: sinon.stub().resolves() };
      const logged: string[] = [];
      const removeHandler = addLogHandler((record) => logged.push(record.message), "error");
      const previousOutput = setLogOutput(null);
      const loop = new IOLoop();
      loop.makeCurrent();
      const started = loop.start();
      try {
        uninstall = installSignalHandlers([failing, working], { signals: ["SIGUSR2"], exit: false });
        process.emit("SIGUSR2", "SIGUSR2");
        process.emit("SIGUSR2", "SIGUSR2");
        await started;
      } finally {
        loop.stop();
        IOLoop.clearCurrent();
        removeHandler();
        setLogOutput(previousOutput);
      }
      expect(failing.stop.callCount).to.equal(1);
      expect(working.stop.callCount).to.equal(1);
      expect(logged).to.deep.equal(["Error while stopping a server"]);
    });

    it("returns a function that removes its handlers", () => {
      const before = process.listenerCount("SIGUSR2");
      const remove = installSignalHandlers([], { signals: ["SIGUSR2"], exit: false });
      expect(process.listenerCount("SIGUSR2")).to.equal(before + 1);
      remove();
      expect(process.listenerCount("SIGUSR2")).to.equal(before);
    });
  });
});
