/**
 * `npm start`: the chat demo on http://localhost:8888/ (`--port=N` to change). With
 * `--redis=redis://127.0.0.1:6379` several of these processes share one room (messages, history);
 * `--xheaders` trusts X-Real-IP / X-Scheme from a proxy in front (nginx, see examples/deploy).
 * SIGTERM stops gracefully: long polls are answered, WebSockets closed with 1001 (the pages
 * reconnect, through the proxy, to another frontend), requests in flight finish.
 */
import { define, IOLoop, options, parseCommandLine } from "../../src";
import { makeChatApplication } from "./app";
import { MessageBuffer } from "./messages";
import type { MessageStore } from "./store";
import { RedisMessageBuffer } from "./redis_buffer";
import { defaultSecretFile, loadOrCreateSecret } from "./secret";
import { MessageSocketHandler } from "./socket";

define("port", { default: 8888, help: "run on the given port" });
define("cookie-secret", { type: String, help: "sign cookies with this secret instead of the one in --secret-file" });
define("secret-file", { type: String, help: `where the cookie secret is kept across restarts (default ${defaultSecretFile()})` });
define("redis", { type: String, help: "share the room with other frontends through this Redis (redis://host:port)" });
define("redis-prefix", { default: "chat", help: "prefix of the room's Redis keys and channel (rooms sharing one Redis)" });
define("xheaders", { type: Boolean, default: false, help: "take the client's address and scheme from X-Real-IP / X-Scheme (behind a proxy)" });
parseCommandLine();

async function main(): Promise<void> {
  // A secret that survives restarts keeps open pages signed in: their next post still goes through.
  const secretFile = (options["secret-file"] as string | undefined) ?? defaultSecretFile();
  const cookieSecret = (options["cookie-secret"] as string | undefined) ?? loadOrCreateSecret(secretFile);
  // Printed before the listening line: whoever waits for that line (a spec, a script) has both.
  console.log(options["cookie-secret"] ? "cookie secret from --cookie-secret" : `cookie secret from ${secretFile}`);
  const redisUrl = options.redis as string | undefined;
  const store: MessageStore = redisUrl ? await RedisMessageBuffer.connect(redisUrl, { prefix: options["redis-prefix"] as string }) : new MessageBuffer(200);
  const { app } = makeChatApplication({ cookieSecret }, store);
  const server = await app.listen(options.port as number, undefined, { xheaders: options.xheaders as boolean });
  console.log(`chat demo listening on http://localhost:${server.address()?.port}/${redisUrl ? ` (room shared through ${redisUrl})` : ""}`);

  process.once("SIGTERM", () => {
    const stopping = server.stop(); // stop accepting; requests in flight finish
    store.releaseWaiters(); // long polls answer now and re-poll elsewhere
    for (const socket of MessageSocketHandler.sockets) socket.close(1001, "server restarting");
    void stopping.then(() => store.close?.()).finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
IOLoop.instance().start();
