/** Contender: tornado-ts, a @Route handler through Application on our own HTTP/1.1 server. */
import { Application, Asynchronous, HTTPServer, PathArgs, RequestHandler, Route } from "../../src";
import { announce, HELLO, serverArgs, userJson, Waiters } from "./common";

const { scenario, port, staticDir } = serverArgs();
const waiters = new Waiters<WaitHandler>();

@Route("/")
class HelloHandler extends RequestHandler {
  get(): void {
    this.write(HELLO);
  }
}

@Route("/user/([0-9]+)")
class UserHandler extends RequestHandler {
  @PathArgs
  get(id: number): void {
    this.write(userJson(id, this.getQueryArgument("q", "")!));
  }
}

@Route("/wait")
class WaitHandler extends RequestHandler {
  @Asynchronous
  get(): void {
    waiters.add(this);
  }
  override onConnectionClose(): void {
    waiters.remove(this);
  }
}

@Route("/broadcast")
class BroadcastHandler extends RequestHandler {
  get(): void {
    const msg = { message: "hi" };
    for (const w of waiters.drain()) w.finish(msg);
    this.write("ok");
  }
}

@Route("/count")
class CountHandler extends RequestHandler {
  get(): void {
    this.write(String(waiters.size));
  }
}

const handlers = { hello: [HelloHandler], json: [UserHandler], poll: [HelloHandler, WaitHandler, BroadcastHandler, CountHandler], static: [] }[scenario];
const app = new Application(handlers, scenario === "static" ? { staticPath: staticDir } : {});
const server = new HTTPServer(app, { idleConnectionTimeout: 600 });
server.listen(port, "127.0.0.1").then(() => announce(server.address()!.port));
