/**
 * A raw-socket HTTP/1.x client for server specs: sends exact bytes, parses responses strictly
 * enough to tell framing errors apart, and reports closes.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";

export interface RawResponse {
  version: string;
  code: number;
  reason: string;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** The whole response as latin1 text (head and body), for assertions on framing. */
  raw: string;
}

export class RawClient {
  private buf = Buffer.alloc(0);
  private closed = false;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
    socket.on("error", () => undefined);
  }

  static connect(port: number, host = "127.0.0.1"): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  static connectTls(port: number, ca?: string | Buffer): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ port, host: "127.0.0.1", ca, rejectUnauthorized: ca !== undefined, servername: "localhost" }, () => resolve(new RawClient(s)));
      s.once("error", reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  isClosed(): boolean {
    return this.closed;
  }

  /** Bytes received and not yet consumed by readResponse. */
  pending(): Buffer {
    return this.buf;
  }

  /** Reads one response; `head` when the request was HEAD (no body whatever the headers say). */
  async readResponse(opts: { head?: boolean | ((headers: Record<string, string>) => boolean); timeoutMs?: number } = {}): Promise<RawResponse> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    const head = opts.head;
    const isHead = typeof head === "function" ? head : () => head === true;
    for (;;) {
      const parsed = this.tryParse(isHead);
      if (parsed) return parsed;
      if (this.closed) throw new Error("connection closed before a complete response; got: " + JSON.stringify(this.buf.toString("latin1")));
      await this.waitForData(deadline);
    }
  }

  /** Resolves true once the server closed the connection (false if it did not within the time). */
  async waitClose(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      try {
        await this.waitForData(deadline);
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Everything the server sends until it closes. */
  async readAll(timeoutMs = 5000): Promise<Buffer> {
    if (!(await this.waitClose(timeoutMs))) throw new Error("server did not close; got: " + JSON.stringify(this.buf.toString("latin1")));
    return this.buf;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  private waitForData(deadline: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const ms = deadline - Date.now();
      if (ms <= 0) return reject(new Error("timed out waiting for the server; got: " + JSON.stringify(this.buf.toString("latin1"))));
      const t = setTimeout(() => reject(new Error("timed out waiting for the server; got: " + JSON.stringify(this.buf.toString("latin1")))), ms);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private tryParse(isHeadFor: (headers: Record<string, string>) => boolean): RawResponse | null {
    const headEnd = this.buf.indexOf("\r\n\r\n");
    if (headEnd < 0) return null;
    const headText = this.buf.toString("latin1", 0, headEnd);
    const lines = headText.split("\r\n");
    const m = /^(HTTP\/1\.[01]) (\d{3}) ?(.*)$/.exec(lines[0]);
    if (!m) throw new Error("bad status line: " + JSON.stringify(lines[0]));
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Error("bad header line: " + JSON.stringify(line));
      const k = line.slice(0, colon).toLowerCase();
      const v = line.slice(colon + 1).trim();
      headers[k] = k in headers ? headers[k] + ", " + v : v;
    }
    const code = Number(m[2]);
    let pos = headEnd + 4;
    let body: Buffer;
    if (isHeadFor(headers) || code === 204 || code === 304 || (code >= 100 && code < 200)) {
      body = Buffer.alloc(0);
    } else if (headers["transfer-encoding"] === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = this.buf.indexOf("\r\n", pos);
        if (lineEnd < 0) return null;
        const size = parseInt(this.buf.toString("latin1", pos, lineEnd), 16);
        if (Number.isNaN(size)) throw new Error("bad chunk size");
        if (size === 0) {
          if (this.buf.length < lineEnd + 4) return null;
          pos = lineEnd + 4;
          break;
        }
        if (this.buf.length < lineEnd + 2 + size + 2) return null;
        parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        pos = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
    } else if (headers["content-length"] !== undefined) {
      const n = Number(headers["content-length"]);
      if (this.buf.length < pos + n) return null;
      body = this.buf.subarray(pos, pos + n);
      pos += n;
    } else {
      if (!this.closed) return null;
      body = this.buf.subarray(pos);
      pos = this.buf.length;
    }
    const raw = this.buf.toString("latin1", 0, pos);
    this.buf = this.buf.subarray(pos);
    return { version: m[1], code, reason: m[3], headers, body: Buffer.from(body), raw };
  }
}

/** Sends `data` on a fresh connection and returns everything received until the server closes. */
/** A request the server must answer normally were it read as a request of its own. */
export const PROBE_REQUEST = "GET /probe HTTP/1.1\r\nHost: a\r\n\r\n";

/**
 * Sends `raw` followed by a probe on one connection and returns everything the server wrote
 * before closing: for bytes the server must refuse, callers expect one 400 and no probe answer.
 */
export async function sendWithProbe(port: number, raw: string): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    c.send(raw + PROBE_REQUEST);
    return (await c.readAll()).toString("latin1");
  } finally {
    c.close();
  }
}

export async function exchangeUntilClose(port: number, data: string | Buffer, timeoutMs = 5000): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    c.send(data);
    return (await c.readAll(timeoutMs)).toString("latin1");
  } finally {
    c.close();
  }
}

/** A server on 127.0.0.1 port 0 for one spec file; call `stop` in `after`. */
export async function startServer(
  target: import("../../src/httpserver").RequestCallback,
  options: import("../../src/httpserver").HTTPServerOptions = {},
): Promise<{ server: import("../../src/httpserver").HTTPServer; port: number; stop: () => Promise<void> }> {
  const { HTTPServer } = await import("../../src/httpserver");
  const server = new HTTPServer(target, options);
  await server.listen(0, "127.0.0.1");
  const port = server.address()!.port;
  return {
    server,
    port,
    stop: async () => {
      server.closeAllConnections();
      await server.stop();
    },
  };
}

/** A handler that answers with a JSON description of the request. */
export function echoHandler(request: import("../../src/httputil").HTTPServerRequest): void {
  const { HTTPHeaders } = require("../../src/httputil") as typeof import("../../src/httputil");
  const body = JSON.stringify({
    method: request.method,
    uri: request.uri,
    path: request.path,
    version: request.version,
    body: request.body.toString("latin1"),
    remoteIp: request.remoteIp,
    protocol: request.protocol,
    host: request.host,
    headers: request.headers.toJSON(),
  });
  const headers = new HTTPHeaders({ "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) });
  void request.connection!.writeHeaders({ version: "HTTP/1.1", code: 200, reason: "OK" }, headers, body);
  request.connection!.finish();
}

/** A throwaway self-signed certificate for `localhost`, made with the openssl CLI. */
export function makeSelfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-tls-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
      { stdio: "ignore" },
    );
    return { key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
