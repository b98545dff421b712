/**
 * Live-server helpers for the WebSocket specs: an Application on port 0, a raw socket that
 * performs the handshake and then sends exact bytes, and a small wait helper.
 */
import * as net from "node:net";
import { Application, type RouteInput } from "../../src/web/index";
import type { ApplicationSettings } from "../../src/web/settings";
import { HTTPServer } from "../../src/httpserver";
import { parseServerFrames } from "./frame_helpers";

export interface LiveApp {
  port: number;
  url: (path: string) => string;
  stop: () => Promise<void>;
}

/** Starts `routes` on 127.0.0.1:0. `stop` drops every connection (sockets included) first. */
export async function startApp(routes: RouteInput[], settings: ApplicationSettings = {}): Promise<LiveApp> {
  const app = new Application(routes, settings);
  const server = new HTTPServer(app);
  const sockets = new Set<net.Socket>();
  await server.listen(0, "127.0.0.1");
  const port = server.address()!.port;
  // Handed-over (WebSocket) connections are no longer the server's; the spec tracks them to end them.
  for (const s of (server as unknown as { servers: net.Server[] }).servers) {
    s.on("connection", (socket: net.Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
  }
  return {
    port,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    stop: async () => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await server.stop();
    },
  };
}

/** Resolves once `done()` holds, polling; gives up after `ms` (the caller's expect then fails). */
export async function waitFor(done: () => boolean, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A client socket that did the handshake itself and then sends raw frames. */
export class RawSocket {
  data = Buffer.alloc(0);
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (d: Buffer) => (this.data = Buffer.concat([this.data, d])));
    socket.on("close", () => (this.closed = true));
    socket.on("error", () => undefined);
  }

  /** Connects and upgrades; `after` is sent in the same write as the handshake. */
  static async open(port: number, path: string, after: Buffer = Buffer.alloc(0), extraHeaders = ""): Promise<RawSocket> {
    const socket = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const raw = new RawSocket(socket);
    const head = `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`;
    socket.write(Buffer.concat([Buffer.from(head, "latin1"), after]));
    await waitFor(() => raw.data.indexOf("\r\n\r\n") >= 0 || raw.closed);
    const end = raw.data.indexOf("\r\n\r\n");
    if (end < 0) throw new Error("no handshake answer: " + raw.data.toString("latin1"));
    raw.head = raw.data.toString("latin1", 0, end);
    raw.data = raw.data.subarray(end + 4);
    return raw;
  }

  head = "";

  send(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** The frames received so far. */
  frames(): ReturnType<typeof parseServerFrames> {
    return parseServerFrames(this.data);
  }

  /** The code of the server's close frame once the server closed TCP (null without one). */
  async closeCode(ms = 10000): Promise<number | null> {
    await waitFor(() => this.closed, ms);
    if (!this.closed) throw new Error("the server did not close the connection");
    const close = this.frames().find((f) => f.opcode === 8);
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : null;
  }

  destroy(): void {
    this.socket.destroy();
  }
}
