/**
 * The blog demo as a benchmark server: `node blog_tornadots.js DATABASE_URL TABLE_PREFIX`, on
 * tables the harness filled; prints `listening PORT`.
 */
import { makeBlogApplication } from "../../examples/blog/app";
import { HTTPServer } from "../../src";
import { announce } from "./common";

const [url, prefix] = process.argv.slice(2);
makeBlogApplication({ database: url, tablePrefix: prefix, settings: { cookieSecret: "bench-secret" } }).then(async ({ app }) => {
  const server = new HTTPServer(app, { idleConnectionTimeout: 600 });
  await server.listen(0, "127.0.0.1");
  announce(server.address()!.port);
});
