/**
 * The ceiling: a raw net server that answers every request head with a canned reply. In the poll
 * scenario it parks /wait requests and answers them all with one write each on /broadcast, which
 * is the floor for the broadcast time (no HTTP framework can write 10,000 sockets faster).
 */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { announce, HELLO, serverArgs } from "./common";

const { scenario, port } = serverArgs();
const reply = (body: string, extra = ""): Buffer =>
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`);
const REPLY = reply(HELLO);
const MESSAGE = reply(JSON.stringify({ message: "hi" }));
const waiters = new Set<net.Socket>();

/** Poll scenario: the path of each request decides what it gets. */
function answer(socket: net.Socket, head: string): void {
  const path = head.slice(head.indexOf(" ") + 1, head.indexOf(" ", head.indexOf(" ") + 1));
  if (path === "/wait") {
    waiters.add(socket);
  } else if (path === "/broadcast") {
    for (const w of waiters) w.write(MESSAGE);
    waiters.clear();
    socket.end(reply("ok", "Connection: close\r\n"));
  } else if (path === "/count") {
    socket.write(reply(String(waiters.size)));
  } else {
    socket.write(REPLY);
  }
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = "";
  socket.on("data", (d) => {
    pending += d.toString("latin1");
    let n = 0;
    let i: number;
    while ((i = pending.indexOf("\r\n\r\n")) >= 0) {
      if (scenario === "poll") answer(socket, pending.slice(0, i));
      pending = pending.slice(i + 4);
      n++;
    }
    if (scenario === "poll") return;
    if (n === 1) socket.write(REPLY);
    else if (n > 1) socket.write(Buffer.concat(Array(n).fill(REPLY)));
  });
  socket.on("error", () => socket.destroy());
  socket.on("close", () => waiters.delete(socket));
});
server.listen(port, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
