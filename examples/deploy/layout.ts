/**
 * The production layout on one machine: Redis, N chat frontends (separate processes sharing
 * Redis and a cookie secret, run with xheaders), and nginx in front of them with the config of
 * examples/deploy/nginx.conf. Used by `npm run deploy:local` and by its spec.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import os from "node:os";
import path from "node:path";
import { exampleDir } from "../assets";

export const NGINX = "/usr/sbin/nginx";
const CHAT_MAIN = path.resolve(__dirname, "../chat/main.js");
const CONFIG_TEMPLATE = path.join(exampleDir("deploy"), "nginx.conf");

export interface LayoutOptions {
  /** Where nginx listens (default 8080). */
  port?: number;
  /** How many frontends (default 2: one per core here). */
  frontends?: number;
  /** The first frontend's port (default 8000; the others follow). */
  basePort?: number;
  /** The frontends' ports, when they do not follow one another (overrides frontends/basePort). */
  frontendPorts?: number[];
  redisUrl?: string;
  /** The static folder nginx serves at /static/. */
  staticPath: string;
  /** Extra command-line flags for every frontend. */
  frontendArgs?: string[];
}

export interface Frontend {
  port: number;
  process: ChildProcess;
}

export interface Layout {
  port: number;
  prefix: string;
  frontends: Frontend[];
  /** Stops one frontend gracefully (SIGTERM, waits for its exit) and starts it again. */
  restartFrontend(index: number): Promise<void>;
  stop(): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
  });
}

async function waitForPort(port: number, what: string, child?: ChildProcess, ms = 20000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not listen on ${port} within ${ms} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** nginx.conf with its placeholders filled in. */
export function renderNginxConfig(values: { prefix: string; user: string; listen: string; upstreams: number[]; staticPath: string }): string {
  const upstreams = values.upstreams.map((p) => `        server 127.0.0.1:${p} max_fails=0;`).join("\n");
  const fill = (line: string): string => line
    .replace(/@PREFIX@/g, values.prefix)
    .replace(/@USER@/g, values.user)
    .replace(/@LISTEN@/g, values.listen)
    .replace(/@UPSTREAMS@/g, upstreams)
    .replace(/@STATIC_PATH@/g, values.staticPath);
  // Comment lines name the placeholders too: they stay as written.
  return readFileSync(CONFIG_TEMPLATE, "utf8").split("\n").map((line) => (line.trimStart().startsWith("#") ? line : fill(line))).join("\n");
}

/** Starts the whole layout; rejects (stopping what it started) when a piece fails to come up. */
export async function startLayout(options: LayoutOptions): Promise<Layout> {
  const port = options.port ?? 8080;
  const count = options.frontends ?? 2;
  const basePort = options.basePort ?? 8000;
  const ports = options.frontendPorts ?? Array.from({ length: count }, (_, i) => basePort + i);
  const redisUrl = options.redisUrl ?? "redis://127.0.0.1:6379";
  const secret = randomBytes(32).toString("base64");
  const prefix = mkdtempSync(path.join(os.tmpdir(), "tornado-ts-deploy-"));
  const frontends: Frontend[] = [];
  let nginx: ChildProcess | null = null;

  const startFrontend = async (p: number): Promise<Frontend> => {
    const child = spawn(process.execPath, [CHAT_MAIN, `--port=${p}`, `--redis=${redisUrl}`, "--xheaders=true", `--cookie-secret=${secret}`, ...(options.frontendArgs ?? [])], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    await waitForPort(p, `frontend on ${p}`, child);
    return { port: p, process: child };
  };

  const stop = async (): Promise<void> => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill("SIGQUIT"); // graceful: finish the requests in flight
      await Promise.race([exited(nginx), new Promise((r) => setTimeout(r, 5000))]);
      if (nginx.exitCode === null) nginx.kill("SIGKILL");
    }
    await Promise.all(frontends.map(async (f) => {
      f.process.kill("SIGTERM");
      await exited(f.process);
    }));
    rmSync(prefix, { recursive: true, force: true });
  };

  try {
    for (const p of ports) frontends.push(await startFrontend(p));
    for (const dir of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(prefix, dir));
    const user = os.userInfo().username;
    writeFileSync(path.join(prefix, "nginx.conf"), renderNginxConfig({
      prefix, user, listen: `127.0.0.1:${port}`, upstreams: frontends.map((f) => f.port), staticPath: path.resolve(options.staticPath),
    }));
    const check = spawnSync(NGINX, ["-t", "-q", "-p", prefix, "-c", path.join(prefix, "nginx.conf")], { encoding: "utf8" });
    if (check.status !== 0) throw new Error(`nginx rejects the config: ${check.stderr}`);
    nginx = spawn(NGINX, ["-p", prefix, "-c", path.join(prefix, "nginx.conf")], { stdio: ["ignore", "ignore", "inherit"] });
    await waitForPort(port, "nginx", nginx);
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    port,
    prefix,
    frontends,
    restartFrontend: async (index: number) => {
      const old = frontends[index];
      old.process.kill("SIGTERM");
      await exited(old.process);
      frontends[index] = await startFrontend(old.port);
    },
    stop,
  };
}
