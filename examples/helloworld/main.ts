/**
 * The seed's canonical "Hello, world", in TypeScript with a decorated handler.
 *
 * @example
 * npm run example:helloworld            # then: curl localhost:8888/  →  Hello, world
 * npm run example:helloworld -- --port=9000
 */
import { Application, HTTPServer, IOLoop, RequestHandler, Route, define, options, parseCommandLine } from "../../src";

define("port", { default: 8888, help: "run on the given port" });

@Route("/")
export class MainHandler extends RequestHandler {
  get(): void {
    this.write("Hello, world");
  }
}

async function main(): Promise<void> {
  parseCommandLine();
  const server = new HTTPServer(new Application([MainHandler]));
  await server.listen(options.port);
  console.log(`listening on http://127.0.0.1:${server.address()?.port ?? options.port}/`);
  await IOLoop.instance().start();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
