/** `npm start`: the chat demo on http://localhost:8888/ (`--port=N` to change). */
import { randomBytes } from "node:crypto";
import { define, IOLoop, options, parseCommandLine } from "../../src";
import { makeChatApplication } from "./app";

define("port", { default: 8888, help: "run on the given port" });
parseCommandLine();

// A fresh secret per start: sign-ins don't survive a restart, which is fine for a demo.
const { app } = makeChatApplication({ cookieSecret: randomBytes(32).toString("base64") });
app.listen(options.port as number).then((server) => {
  console.log(`chat demo listening on http://localhost:${server.address()?.port}/`);
});
IOLoop.instance().start();
