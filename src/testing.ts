/**
 * Testing handlers: run one handler class in memory through its real lifecycle (no socket, no
 * port), and start a live server on 127.0.0.1 port 0 for end-to-end specs.
 *
 * @example
 * import { runHandler } from "tornado-ts/testing";
 * const res = await runHandler(ProfileHandler, { uri: "/profile", currentUser: "ben" });
 * expect(res.rendered?.template).to.equal("profile.html");
 */
import type { HTTPServerOptions } from "./httpserver";
import type { HTTPServerRequest } from "./httputil";
import { Application } from "./web/application";
import type { RequestHandler } from "./web/handler";
import { getRoutes, isAsynchronous } from "./web/metadata";
import { RecordingConnection, buildRequest, withTimeout, type InMemoryRequest, type RecordedResponse } from "./web/recorder";
import { UrlTable, urlSpec, type RouteMatch } from "./web/routing";
import type { RouteInput } from "./web/scanner";
import type { ApplicationSettings } from "./web/settings";

export { RecordingConnection, buildRequest, parseSetCookies } from "./web/recorder";
export type { InMemoryRequest, ParsedCookie, RecordedResponse, RenderedTemplate } from "./web/recorder";

/** Options of `runHandler`: the request, plus how the handler is set up. */
export interface RunHandlerOptions<H extends RequestHandler = RequestHandler> extends InMemoryRequest {
  /** Settings of the Application created for the run (not with `application`). */
  settings?: ApplicationSettings;
  /** An existing application (its settings, URL names, templates). */
  application?: Application;
  /** What `initialize(init)` receives. */
  init?: unknown;
  /** Positional path arguments; by default taken from the class's own `@Route` matching `uri`. */
  pathArgs?: string[];
  pathKwargs?: Record<string, string>;
  /** Sets `currentUser` before the lifecycle runs (skipping `getCurrentUser`). */
  currentUser?: unknown;
  /** Runs with the handler instance before its lifecycle: stub methods or dependencies here. */
  beforeRun?: (handler: H) => void | Promise<void>;
  /** Milliseconds to wait for the response (default 1500, under mocha's default 2 s timeout). */
  timeoutMs?: number;
}

/** The recorded response plus the handler instance that produced it. */
export interface HandlerResult<H extends RequestHandler = RequestHandler> extends RecordedResponse {
  handler: H;
}

type HandlerConstructor<H> = new (application: Application, request: HTTPServerRequest) => H;

/**
 * Runs `HandlerClass` for one in-memory request through the whole lifecycle (XSRF, prepare,
 * `@Authenticated`, the verb, errors, finish) and returns what it answered. An exception in the
 * handler comes back as its error response (`status` 500, `error` set); it does not reject.
 * Rejects when the response is not finished within `timeoutMs` (an `@Asynchronous` method that
 * never calls `finish()`), naming the handler and method.
 *
 * @example
 * const res = await runHandler(LoginHandler, {
 *   method: "POST", uri: "/login", body: { name: "ben" },
 *   settings: { cookieSecret: "test" },
 *   beforeRun: (h) => sinon.stub(h, "checkPassword").returns(true),
 * });
 * expect(res.redirectedTo).to.equal("/");
 * expect(res.cookies.user.value).to.match(/^2\|/);
 */
export async function runHandler<H extends RequestHandler>(
  HandlerClass: HandlerConstructor<H>,
  options: RunHandlerOptions<H> = {},
): Promise<HandlerResult<H>> {
  if (options.application !== undefined && options.settings !== undefined) {
    throw new Error("runHandler: give either settings or an application (which has its own settings), not both");
  }
  const application = options.application ?? new Application([], options.settings ?? {});
  const connection = new RecordingConnection();
  const request = buildRequest(options, connection);
  const handler = new HandlerClass(application, request);
  handler.initialize(options.init);
  if ("currentUser" in options) handler.currentUser = options.currentUser;
  if (options.beforeRun) await options.beforeRun(handler);
  const routed = options.pathArgs === undefined && options.pathKwargs === undefined ? matchOwnRoutes(HandlerClass, request.path) : null;
  const pathArgs = options.pathArgs ?? routed?.pathArgs ?? [];
  const pathKwargs = options.pathKwargs ?? routed?.pathKwargs ?? {};
  const ms = options.timeoutMs ?? 1500;
  await withTimeout(
    Promise.all([handler.execute(pathArgs, pathKwargs), connection.done]),
    ms,
    () => timeoutMessage(HandlerClass, request.method, ms),
    () => connection.clientClose(),
  );
  return { ...connection.response(), handler };
}

function timeoutMessage(cls: HandlerConstructor<unknown>, method: string, ms: number): string {
  const verb = method.toLowerCase();
  const where = `${cls.name || "<anonymous handler>"}.${verb}()`;
  const hint = isAsynchronous(cls, verb)
    ? "it is @Asynchronous: call this.finish() (or end with an error) when the work is done"
    : "is it waiting on a promise that never settles?";
  return `runHandler: ${where} did not finish the response within ${ms} ms; ${hint}`;
}

/** Path arguments from the class's own @Route patterns, as the router would give them. */
function matchOwnRoutes(cls: HandlerConstructor<unknown>, path: string): RouteMatch | null {
  const routes = getRoutes(cls);
  if (routes.length === 0) return null;
  try {
    const specs = routes.map((r) => urlSpec(r.pattern, cls as never, r.options.init, r.options.name));
    return new UrlTable(specs).match(path);
  } catch {
    return null;
  }
}

/** A running test server (see startTestServer). */
export interface TestServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` + path. */
  url(path?: string): string;
  /** `fetch` against the server (Node's global fetch); redirects are not followed by default. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** Options of startTestServer: Application settings (when given routes) and HTTPServer options. */
export interface TestServerOptions {
  settings?: ApplicationSettings;
  server?: HTTPServerOptions;
}

/**
 * Starts an HTTPServer for an application (or routes) on 127.0.0.1, port 0, for end-to-end specs.
 *
 * @example
 * let server: TestServer;
 * before(async () => { server = await startTestServer([MainHandler]); });
 * after(() => server.close());
 * it("says hello", async () => expect(await (await server.fetch("/")).text()).to.equal("Hello"));
 */
export async function startTestServer(
  appOrRoutes: Application | readonly RouteInput[],
  options: TestServerOptions = {},
): Promise<TestServer> {
  const app = appOrRoutes instanceof Application ? appOrRoutes : new Application(appOrRoutes, options.settings ?? {});
  // Required lazily: in-memory specs never load the server.
  const { HTTPServer } = require("./httpserver") as typeof import("./httpserver");
  const server = new HTTPServer(app, options.server);
  await server.listen(0, "127.0.0.1");
  const address = server.address() as { port: number } | null;
  if (address === null || typeof address.port !== "number") {
    await server.stop();
    throw new Error("startTestServer: the server did not report a port");
  }
  const port = address.port;
  const base = `http://127.0.0.1:${port}`;
  return {
    port,
    url: (path = "/") => base + path,
    fetch: (path, init) => fetch(base + path, { redirect: "manual", ...init }),
    close: async () => {
      server.closeAllConnections?.();
      await server.stop();
    },
  };
}
