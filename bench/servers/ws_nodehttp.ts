/** WebSocket contender: the `ws` library on node:http (its defaults: no compression). */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { announce } from "./common";

const open = new Set<WebSocket>();
const server = http.createServer((req, res) => {
  if (req.url === "/broadcast") for (const ws of open) ws.send("hi");
  res.end(String(open.size));
});
const wss = new WebSocketServer({ server, path: "/echo" });
wss.on("connection", (ws) => {
  open.add(ws);
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  ws.on("close", () => open.delete(ws));
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => announce((server.address() as AddressInfo).port));
