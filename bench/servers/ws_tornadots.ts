/** WebSocket contender: tornado-ts, a WebSocketHandler routed through Application on our HTTPServer. */
import { Application, HTTPServer, RequestHandler, Route } from "../../src";
import { WebSocketHandler } from "../../src/websocket";
import { announce } from "./common";

const open = new Set<EchoSocket>();

@Route("/echo")
class EchoSocket extends WebSocketHandler {
  override open(): void {
    open.add(this);
  }
  override onMessage(message: string | Buffer): void {
    void this.writeMessage(message); // a failed write is never an unhandled rejection
  }
  override onClose(): void {
    open.delete(this);
  }
}

/** Sends one message to every open socket: framed once, the same Buffer written to each. */
@Route("/broadcast")
class BroadcastHandler extends RequestHandler {
  get(): void {
    this.write(String(WebSocketHandler.broadcast(open, "hi")));
  }
}

@Route("/count")
class CountHandler extends RequestHandler {
  get(): void {
    this.write(String(open.size));
  }
}

const server = new HTTPServer(new Application([EchoSocket, BroadcastHandler, CountHandler]));
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1").then(() => announce(server.address()!.port));
