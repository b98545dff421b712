/** The ceiling: a raw net server that answers every request head with a canned reply. */
import net from "node:net";
import type { AddressInfo } from "node:net";
import { announce, HELLO, serverArgs } from "./common";

const { port } = serverArgs();
const REPLY = Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Length: ${HELLO.length}\r\n\r\n${HELLO}`);

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  let pending = "";
  socket.on("data", (d) => {
    pending += d.toString("latin1");
    let n = 0;
    let i: number;
    while ((i = pending.indexOf("\r\n\r\n")) >= 0) { pending = pending.slice(i + 4); n++; }
    if (n === 1) socket.write(REPLY);
    else if (n > 1) socket.write(Buffer.concat(Array(n).fill(REPLY)));
  });
  socket.on("error", () => socket.destroy());
});
server.listen(port, "127.0.0.1", () => announce((server.address() as AddressInfo).port));
