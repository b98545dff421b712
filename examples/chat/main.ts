/** `npm start`: the chat demo on http://localhost:8888/ (`--port=N` to change). */
import { define, IOLoop, options, parseCommandLine } from "../../src";
import { makeChatApplication } from "./app";
import { defaultSecretFile, loadOrCreateSecret } from "./secret";

define("port", { default: 8888, help: "run on the given port" });
define("cookie-secret", { type: String, help: "sign cookies with this secret instead of the one in --secret-file" });
define("secret-file", { type: String, help: `where the cookie secret is kept across restarts (default ${defaultSecretFile()})` });
parseCommandLine();

// A secret that survives restarts keeps open pages signed in: their next post still goes through.
const secretFile = (options["secret-file"] as string | undefined) ?? defaultSecretFile();
const cookieSecret = (options["cookie-secret"] as string | undefined) ?? loadOrCreateSecret(secretFile);
console.log(options["cookie-secret"] ? "cookie secret from --cookie-secret" : `cookie secret from ${secretFile}`);
const { app } = makeChatApplication({ cookieSecret });
app.listen(options.port as number).then((server) => {
  console.log(`chat demo listening on http://localhost:${server.address()?.port}/`);
});
IOLoop.instance().start();
