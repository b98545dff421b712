/**
 * Starting and stopping benchmark processes: servers pinned to core 0, load generators to core 1
 * (when `taskset` exists), each ended by its own PID.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";

const hasTaskset = spawnSync("taskset", ["--version"]).status === 0;

/** Prefixes `cmd` with `taskset -c CORE` where taskset exists. */
export function pinned(core: number, cmd: string, args: string[]): [string, string[]] {
  return hasTaskset ? ["taskset", ["-c", String(core), cmd, ...args]] : [cmd, args];
}

export interface RunningServer {
  name: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Spawns a server that prints `listening PORT` on stdout once bound, and resolves with its port.
 * Rejects (and kills the child) if it does not say so within `timeoutMs`.
 */
export function startServer(name: string, cmd: string, args: string[], timeoutMs = 15000): Promise<RunningServer> {
  const [c, a] = pinned(0, cmd, args);
  const child = spawn(c, a, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { kill(child); reject(new Error(`${name} did not start in ${timeoutMs} ms: ${stderr}`)); }, timeoutMs);
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners("data");
        child.stdout!.resume();
        resolve({ name, port: Number(m[1]), pid: child.pid!, stop: () => stopChild(child) });
      }
    });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`${name} exited with ${code} before listening: ${stderr}`)); });
  });
}

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => kill(child), 3000);
    child.once("exit", () => { clearTimeout(timer); resolve(); });
    child.kill("SIGTERM");
  });
}

/** Resident set size of a process in bytes (Linux /proc), or NaN where unavailable. */
export function rssOf(pid: number): number {
  const path = `/proc/${pid}/status`;
  if (!existsSync(path)) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(require("node:fs").readFileSync(path, "utf8") as string);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** Whether a command is on PATH. */
export function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
}

/**
 * Installs a Debian package when its command is missing and we are root; returns whether the
 * command is there afterwards. Never downloads anything but Debian packages.
 */
export function ensureDebianCommand(cmd: string, pkg: string): boolean {
  if (have(cmd)) return true;
  if (process.getuid?.() !== 0) return false;
  spawnSync("apt-get", ["install", "-y", pkg], { stdio: "ignore" });
  if (!have(cmd)) {
    spawnSync("apt-get", ["update"], { stdio: "ignore" });
    spawnSync("apt-get", ["install", "-y", pkg], { stdio: "ignore" });
  }
  return have(cmd);
}
