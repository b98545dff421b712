/**
 * `npm run example:blog`: the blog on http://localhost:8888/ with SQLite in ./blog.db;
 * `--database=mysql://root@127.0.0.1/blog` or `--database=postgres://postgres@127.0.0.1/blog` for a server.
 */
import { randomBytes } from "node:crypto";
import { define, IOLoop, options, parseCommandLine } from "../../src";
import { makeBlogApplication } from "./app";

define("port", { default: 8888, help: "run on the given port" });
define("database", { default: "sqlite:blog.db", help: "database URL: sqlite:FILE, mysql://user@host/db or postgres://user@host/db" });
define("cookie_secret", { default: "", help: "secret for signed cookies (a fresh random one per start when empty)" });
parseCommandLine();

makeBlogApplication({
  database: options.database as string,
  settings: { cookieSecret: (options.cookie_secret as string) || randomBytes(32).toString("base64") },
}).then(async ({ app }) => {
  const server = await app.listen(options.port as number);
  console.log(`blog listening on http://localhost:${server.address()?.port}/ (database ${String(options.database).replace(/\/\/[^@/]*@/, "//…@")})`);
}).catch((err) => {
  console.error(`blog: ${err.message}`);
  process.exit(1);
});
IOLoop.instance().start();
