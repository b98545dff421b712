/**
 * Reference point for the WebSocket scenario, not a contender: the least a Node WebSocket echo
 * server can do on net.Socket. It answers the handshake and echoes the benchmark's frames (masked,
 * at most 125 bytes, one per read, as the client sends them) with no parser, no validation and no
 * per-connection object but the socket. Its figures are the floor under any server built on
 * net.Socket: the memory an idle socket costs and the CPU a round trip costs in Node and the kernel.
 */
import { createHash } from "node:crypto";
import net from "node:net";
import { announce } from "./common";

const open = new Set<net.Socket>();
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const HI = Buffer.from([0x81, 2, 0x68, 0x69]); // a text frame "hi"

function onHead(socket: net.Socket, head: string): void {
  if (head.startsWith("GET /broadcast ")) {
    for (const s of open) s.write(HI);
    socket.end(`HTTP/1.1 200 OK\r\nContent-Length: ${String(open.size).length}\r\nConnection: close\r\n\r\n${open.size}`);
    return;
  }
  const key = /\r\nSec-WebSocket-Key: *([^\r]+)/i.exec(head)?.[1];
  if (!key) {
    socket.destroy();
    return;
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  open.add(socket);
  socket.on("data", echo);
  socket.on("close", () => open.delete(socket));
}

function echo(this: net.Socket, d: Buffer): void {
  const len = d[1] & 0x7f;
  const out = Buffer.allocUnsafe(2 + len);
  out[0] = d[0];
  out[1] = len;
  for (let i = 0; i < len; i++) out[2 + i] = d[6 + i] ^ d[2 + (i & 3)];
  this.write(out);
}

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on("error", () => undefined);
  socket.once("data", (d: Buffer) => onHead(socket, d.toString("latin1")));
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => announce((server.address() as net.AddressInfo).port));
