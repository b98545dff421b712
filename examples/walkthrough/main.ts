/** `npm run example:walkthrough [-- --port=8888]`: the seed walkthrough as one application. */
import { define, IOLoop, options, parseCommandLine } from "../../src";
import { makeApplication } from "./app";

define("port", { default: 8888, help: "run on the given port" });
parseCommandLine();

const app = makeApplication();
app.listen(options.port as number).then((server) => {
  app.settings.feedUrl = `http://127.0.0.1:${server.address()?.port}/api/feed/bret`;
  console.log(`walkthrough listening on http://localhost:${server.address()?.port}/`);
});
IOLoop.instance().start();
