/** Peer: Express with its defaults. */
import express from "express";
import type { AddressInfo } from "node:net";
import { announce, HELLO, serverArgs, userJson } from "./common";

const { scenario, port } = serverArgs();
const app = express();
if (scenario === "json") {
  app.get(/^\/user\/([0-9]+)$/, (req, res) => {
    const q = typeof req.query.q === "string" ? req.query.q : "";
    res.json(userJson(Number(req.params[0]), q));
  });
} else {
  app.get("/", (_req, res) => { res.type("html").send(HELLO); });
}
const server = app.listen(port, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
server.keepAliveTimeout = 600_000;
