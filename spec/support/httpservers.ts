/** Small node:http peers for the HTTP client's specs, on 127.0.0.1 port 0. */

import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

export interface PeerServer {
  readonly port: number;
  url(path?: string): string;
  close(): Promise<void>;
  /** Sockets accepted so far (keep-alive reuse shows as fewer sockets than requests). */
  readonly connections: number;
}

/** Starts a node:http server with `listener`; `close()` also ends idle keep-alive sockets. */
export async function startPeer(
  listener: http.RequestListener,
  server: http.Server | net.Server = http.createServer(listener),
  scheme: "http" | "https" = "http",
): Promise<PeerServer> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  server.on(scheme === "https" ? "secureConnection" : "connection", (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = "/") => `${scheme}://127.0.0.1:${port}${path}`,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads a request body to the end. */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/**
 * A forward proxy: absolute-form requests are relayed, CONNECT opens a tunnel. `seen` records
 * each request line, and the Proxy-Authorization it carried.
 */
export async function startProxy(): Promise<PeerServer & { seen: { line: string; auth?: string }[] }> {
  const seen: { line: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    seen.push({ line: `${req.method} ${req.url}`, auth: req.headers["proxy-authorization"] });
    const target = new URL(req.url!);
    const headers = { ...req.headers };
    delete headers["proxy-authorization"];
    const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  server.on("connect", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push({ line: `CONNECT ${req.url}`, auth: req.headers["proxy-authorization"] });
    const [host, port] = req.url!.split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const peer = await startPeer(() => undefined, server);
  return Object.assign(peer, { seen });
}
