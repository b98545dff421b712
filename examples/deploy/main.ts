/**
 * `npm run deploy:local`: the seed's production layout on this machine. nginx on :8080 balances
 * N chat frontends (:8000, :8001, …) that share messages through Redis; static files are served
 * by nginx. Starts redis-server too when nothing answers on 127.0.0.1:6379. Ctrl-C stops it all.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { define, options, parseCommandLine } from "../../src/options";
import { exampleDir } from "../assets";
import { NGINX, portOpen, startLayout } from "./layout";

define("port", { default: 8080, help: "where nginx listens" });
define("frontends", { default: 2, help: "how many chat frontends (one per core is the seed's advice)" });
define("base-port", { default: 8000, help: "port of the first frontend; the others follow" });
parseCommandLine();

async function main(): Promise<void> {
  if (!existsSync(NGINX)) throw new Error("nginx is not installed: apt-get install -y nginx");
  let redis: ChildProcess | null = null;
  if (!(await portOpen(6379))) {
    console.log("starting redis-server on 6379");
    redis = spawn("redis-server", ["--port", "6379", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    for (let i = 0; i < 100 && !(await portOpen(6379)); i++) await new Promise((r) => setTimeout(r, 50));
  }
  const layout = await startLayout({
    port: options.port as number,
    frontends: options.frontends as number,
    basePort: options["base-port"] as number,
    staticPath: path.join(exampleDir("chat"), "static"),
  });
  console.log(`chat behind nginx on http://127.0.0.1:${layout.port}/ (frontends on ${layout.frontends.map((f) => f.port).join(", ")}; nginx prefix ${layout.prefix})`);
  const shutdown = async (): Promise<void> => {
    await layout.stop();
    redis?.kill("SIGTERM");
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  console.error(String(err));
  process.exit(1);
});
