/**
 * The seed's hello world: one plain callback answers every request with "Hello, world".
 *
 * @example
 * npm start            # then: curl localhost:8888/  →  Hello, world
 * node dist/examples/helloworld/main.js --port=9000
 */
import { HTTPServer } from "../../src/httpserver";
import type { HTTPServerRequest } from "../../src/httputil";
import { IOLoop } from "../../src/ioloop";
import { define, options, parseCommandLine } from "../../src/options";

define("port", { default: 8888, help: "run on the given port" });

const MESSAGE = "Hello, world";
// The whole response is the same every time: build it once.
const RESPONSE = `HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(MESSAGE)}\r\n\r\n${MESSAGE}`;

function handleRequest(request: HTTPServerRequest): void {
  void request.write(RESPONSE);
  request.finish();
}

async function main(): Promise<void> {
  parseCommandLine();
  const port = Number(options.port);
  const server = new HTTPServer(handleRequest);
  await server.listen(port);
  console.log(`listening on http://127.0.0.1:${server.address()?.port ?? port}`);
  await IOLoop.instance().start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
