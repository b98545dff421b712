/**
 * The s3 scenario's ceiling: a node:http server that keeps objects in memory and checks nothing
 * (no signature, no digest, no disk). What the AWS SDK client reaches against it is the most any
 * S3 server can show in the same harness. `node s3_null.js`.
 */
import http from "node:http";
import { announce } from "./common";

const objects = new Map<string, Buffer>();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const key = (req.url ?? "/").split("?")[0];
    if (req.method === "PUT") {
      // A key below a bucket is an object; the body is stored as sent (no aws-chunked decoding:
      // the harness sends plain bodies, and GET checks the size).
      if (key.indexOf("/", 1) > 0) objects.set(key, Buffer.concat(chunks));
      res.writeHead(200, { ETag: '"0"', "Content-Length": 0 });
      res.end();
      return;
    }
    const body = objects.get(key);
    if (req.method !== "GET" || body === undefined) {
      res.writeHead(404, { "Content-Type": "application/xml", "Content-Length": 0 });
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "binary/octet-stream", "Content-Length": body.length, ETag: '"0"' });
    res.end(body);
  });
});
server.keepAliveTimeout = 600_000;
server.listen(0, "127.0.0.1", () => announce((server.address() as { port: number }).port));
