/**
 * `npm run example:auth [-- --port=8888 --google_client_id=… --google_client_secret=…]`.
 * Credentials come from options or the environment (GOOGLE_CLIENT_ID, GITHUB_CLIENT_SECRET, …);
 * the development provider needs none.
 */
import { define, IOLoop, options, parseCommandLine } from "../../src";
import { makeAuthApplication, setBaseUrl, type ProviderCredentials } from "./app";
import { randomBytes } from "node:crypto";

define("port", { default: 8888, help: "run on the given port" });
define("base_url", { default: "", help: "public base URL (default http://localhost:PORT)" });
for (const p of ["google", "github", "facebook", "twitter"]) {
  define(`${p}_client_id`, { default: process.env[`${p.toUpperCase()}_CLIENT_ID`] ?? "", help: `${p} client id (or consumer key)` });
  define(`${p}_client_secret`, { default: process.env[`${p.toUpperCase()}_CLIENT_SECRET`] ?? "", help: `${p} client secret` });
}
parseCommandLine();

function creds(p: string): ProviderCredentials | undefined {
  const clientId = options[`${p}_client_id`] as string;
  const clientSecret = options[`${p}_client_secret`] as string;
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

const { app, devProvider } = makeAuthApplication({
  baseUrl: "",
  cookieSecret: process.env.COOKIE_SECRET ?? randomBytes(32).toString("base64"),
  google: creds("google"), github: creds("github"), facebook: creds("facebook"), twitter: creds("twitter"),
});
app.listen(options.port as number).then((server) => {
  const port = server.address()?.port;
  setBaseUrl(app, devProvider, (options.base_url as string) || `http://localhost:${port}`);
  console.log(`auth example listening on http://localhost:${port}/`);
});
IOLoop.instance().start();
