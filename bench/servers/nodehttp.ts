/** Peer: bare node:http. */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { announce, HELLO, serverArgs, userJson, Waiters } from "./common";

const { scenario, port, staticDir } = serverArgs();
const waiters = new Waiters<http.ServerResponse>();
const USER = /^\/user\/([0-9]+)$/;

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  if (scenario === "json") {
    const q = url.indexOf("?");
    const m = USER.exec(q < 0 ? url : url.slice(0, q));
    if (!m) { res.statusCode = 404; res.end(); return; }
    const qv = new URLSearchParams(q < 0 ? "" : url.slice(q + 1)).get("q") ?? "";
    const body = JSON.stringify(userJson(Number(m[1]), qv));
    res.writeHead(200, { "Content-Type": "application/json; charset=UTF-8" });
    res.end(body);
  } else if (scenario === "static") {
    serveFile(req, res, url);
  } else if (scenario === "poll" && url === "/wait") {
    waiters.add(res);
    res.on("close", () => waiters.remove(res));
  } else if (scenario === "poll" && url === "/broadcast") {
    const msg = JSON.stringify({ message: "hi" });
    for (const w of waiters.drain()) { w.writeHead(200, { "Content-Type": "application/json" }); w.end(msg); }
    res.end("ok");
  } else if (scenario === "poll" && url === "/count") {
    res.end(String(waiters.size));
  } else {
    res.writeHead(200, { "Content-Type": "text/html; charset=UTF-8" });
    res.end(HELLO);
  }
});
server.keepAliveTimeout = 600_000;
server.headersTimeout = 0;
server.requestTimeout = 0;
server.listen(port, "127.0.0.1", () => announce((server.address() as AddressInfo).port));

/** What a node:http user writes: stat, a single Range, fs.createReadStream piped out. */
function serveFile(req: http.IncomingMessage, res: http.ServerResponse, url: string): void {
  const file = path.join(staticDir, path.normalize(decodeURIComponent(url.replace(/^\/static\//, ""))).replace(/^(\.\.[/\\])+/, ""));
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) { res.statusCode = 404; res.end(); return; }
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    let start = 0;
    let end = st.size - 1;
    if (m && (m[1] || m[2])) {
      start = m[1] ? Number(m[1]) : Math.max(0, st.size - Number(m[2]));
      end = m[1] && m[2] ? Math.min(Number(m[2]), st.size - 1) : st.size - 1;
      if (start > end) { res.writeHead(416, { "Content-Range": `bytes */${st.size}` }); res.end(); return; }
      res.writeHead(206, { "Content-Range": `bytes ${start}-${end}/${st.size}`, "Content-Length": end - start + 1, "Content-Type": "application/octet-stream" });
    } else {
      res.writeHead(200, { "Content-Length": st.size, "Content-Type": "application/octet-stream" });
    }
    fs.createReadStream(file, { start, end }).pipe(res);
  });
}
