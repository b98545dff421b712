import * as http from "node:http";

/** Sends `parts` as a chunked request body, a little apart, and returns status and body. */
export function chunkedUpload(port: number, uri: string, parts: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", path: uri, method: "PUT", headers: { "Transfer-Encoding": "chunked", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    let i = 0;
    const next = (): void => {
      if (i === parts.length) {
        req.end();
        return;
      }
      req.write(parts[i++]);
      setTimeout(next, 5);
    };
    next();
  });
}
