/**
 * Application: the URL table, settings and shared caches of a web app, and the dispatch of each
 * request to a new handler instance. Pass it to an HTTPServer (or call `listen`).
 */
import type { HTTPServerRequest, RequestBodyDelegate } from "../httputil";
import { appLog, isAccessLogged, logRequest } from "../log";
import { ErrorHandler } from "./builtin";
import { HTTPError } from "./errors";
import { RequestHandler } from "./handler";
import { planFor } from "./handler_plan";
import { createTemplateLoader } from "./handler_render";
import { RecordingConnection, buildRequest, withTimeout, type InMemoryRequest, type RecordedResponse } from "./recorder";
import { HostRouter, formatRouteTable, urlSpec, type HandlerClass, type RouteMatch, type URLSpec } from "./routing";
import { discover, scan, type RouteInput } from "./scanner";
import type { ApplicationSettings, TemplateLoaderLike, UIMethod } from "./settings";
import { StaticFileHandler } from "./static";
import { GZipContentEncoding, type TransformClass } from "./transforms";
import type { UIModuleClass } from "./uimodule";

type HTTPServerModule = typeof import("../httpserver");
type HTTPServer = InstanceType<HTTPServerModule["HTTPServer"]>;
type HTTPServerOptions = ConstructorParameters<HTTPServerModule["HTTPServer"]>[1];

/** Options of `inject`: a request, plus how long to wait for an `@Asynchronous` handler. */
export interface InjectOptions extends InMemoryRequest {
  /** Milliseconds to wait for the response (default 5000). */
  timeoutMs?: number;
}

const ANY_HOST = ".*$";
const REGEX_SPECIAL = /[.*+?^${}()|[\]\\]/g;

/**
 * A web application: routes (decorated classes and/or seed tuples) and settings.
 *
 * @example
 * const app = new Application([MainHandler, ["/story/([0-9]+)", StoryHandler]], {
 *   cookieSecret: process.env.COOKIE_SECRET, loginUrl: "/login", xsrfCookies: true,
 * });
 * await app.listen(8888);
 */
export class Application {
  readonly settings: ApplicationSettings;
  readonly router = new HostRouter();
  /** UI modules by template name: scanned `@UiModule` classes plus `settings.uiModules`. */
  readonly uiModules: Record<string, UIModuleClass>;
  readonly uiMethods: Record<string, UIMethod>;
  /** Output transforms every response goes through. */
  readonly transforms: readonly TransformClass[];
  private readonly templateLoaders = new Map<string, TemplateLoaderLike>();

  constructor(routes: readonly RouteInput[] = [], settings: ApplicationSettings = {}) {
    const s: ApplicationSettings = { ...settings };
    if (s.debug) {
      s.compiledTemplateCache ??= false;
      s.staticHashCache ??= false;
      s.serveTraceback ??= true;
    }
    this.settings = s;
    const transforms = [...(s.transforms ?? [])];
    if (s.compressResponse || s.gzip) transforms.push(GZipContentEncoding);
    this.transforms = transforms;
    const { specs, uiModules } = scan(routes);
    this.uiModules = { ...uiModules, ...s.uiModules };
    this.uiMethods = { ...s.uiMethods };
    this.router.addHandlers(ANY_HOST, [...this.staticRoutes(), ...specs]);
  }

  /**
   * Imports every compiled module under `dir` and builds an application from the decorated
   * handlers and UI modules it exports.
   *
   * @example
   * const app = await Application.discover(path.join(__dirname, "handlers"), settings);
   */
  static async discover(dir: string, settings: ApplicationSettings = {}): Promise<Application> {
    return new Application((await discover(dir)) as RouteInput[], settings);
  }

  /**
   * Adds routes served only for hosts matching `hostPattern` (tried before the catch-all).
   *
   * @example
   * app.addHandlers("www\\.example\\.com", [WwwHandler]);
   */
  addHandlers(hostPattern: string | RegExp, routes: readonly RouteInput[]): void {
    const { specs, uiModules } = scan(routes);
    Object.assign(this.uiModules, uiModules);
    this.router.addHandlers(hostPattern, specs);
  }

  /** The URL of the route named `name`, its groups filled with `args` (URL-escaped). */
  reverseUrl(name: string, ...args: unknown[]): string {
    return this.router.reverse(name, ...args);
  }

  /** Every route, in the order they are tried. */
  get routes(): URLSpec[] {
    const out: URLSpec[] = [];
    for (const group of this.router.tables) out.push(...group.table.specs);
    return out;
  }

  /** Prints (and returns) the route table: methods, pattern, handler class, name. */
  printRoutes(print: (text: string) => void = console.log): string {
    const text = formatRouteTable(this.routes, { baseClass: RequestHandler });
    print(text);
    return text;
  }

  /**
   * Routes one request to a new handler and runs it. The HTTP server calls this. Returns a
   * promise (settling when the lifecycle is over, never rejecting) only while the handler is
   * still running; a handler that finished synchronously returns undefined (no promise to pay for).
   */
  handleRequest(request: HTTPServerRequest): Promise<void> | undefined {
    if (this.settings.staticHashCache === false && this.settings.staticPath) this.staticHandlerClass().resetCache?.();
    let match: RouteMatch | null;
    try {
      match = this.matchRoute(request);
    } catch (err) {
      const status = err instanceof HTTPError ? err.statusCode : 400;
      return this.dispatch(ErrorHandler, request, { status }, [], {});
    }
    if (match !== null) return this.dispatch(match.spec.handlerClass, request, match.spec.init, match.pathArgs, match.pathKwargs);
    const fallback = this.settings.defaultHandlerClass;
    if (fallback !== undefined) return this.dispatch(fallback, request, this.settings.defaultHandlerArgs, [], {});
    return this.dispatch(ErrorHandler, request, { status: 404 }, [], {});
  }

  /**
   * Called by the HTTP server when the head of a request with a body arrives. For a
   * `@StreamRequestBody` handler it creates the handler, starts its lifecycle (prepare runs now)
   * and returns the delegate the body streams into; otherwise undefined (the body is buffered and
   * `handleRequest` runs as usual).
   */
  startRequest(request: HTTPServerRequest): RequestBodyDelegate | undefined {
    let match: RouteMatch | null;
    try {
      match = this.matchRoute(request);
    } catch {
      return undefined; // handleRequest answers it
    }
    const handlerClass = match?.spec.handlerClass ?? this.settings.defaultHandlerClass;
    if (handlerClass === undefined || !planFor(handlerClass, RequestHandler.prototype).streamRequestBody) return undefined;
    let handler: RequestHandler;
    try {
      handler = new (handlerClass as HandlerClass)(this, request);
      handler.initialize(match !== null ? match.spec.init : this.settings.defaultHandlerArgs);
    } catch (err) {
      appLog.error(`Cannot create ${handlerClass.name} for ${request.method} ${request.uri}`, err);
      throw err; // the server answers 500
    }
    return match !== null ? handler.startStreaming(match.pathArgs, match.pathKwargs) : handler.startStreaming([], {});
  }

  /**
   * Runs a request through the application in memory (no socket) and returns the response.
   *
   * @example
   * const res = await app.inject({ method: "POST", uri: "/login", body: { name: "ben" } });
   * expect(res.redirectedTo).to.equal("/");
   */
  async inject(options: InjectOptions = {}): Promise<RecordedResponse> {
    const connection = new RecordingConnection();
    const request = buildRequest(options, connection);
    const ms = options.timeoutMs ?? 5000;
    await withTimeout(
      Promise.all([this.handleRequest(request), connection.done]),
      ms,
      () => `${request.method} ${request.uri} did not finish within ${ms} ms (does an @Asynchronous method never call this.finish()?)`,
      () => connection.clientClose(),
    );
    return connection.response();
  }

  /**
   * Starts an HTTPServer for this application on `port`.
   *
   * @example
   * const server = await app.listen(8888);
   */
  async listen(port: number, address?: string, serverOptions?: HTTPServerOptions): Promise<HTTPServer> {
    // Required lazily: in-memory use (tests, inject) never loads the server.
    const { HTTPServer } = require("../httpserver") as HTTPServerModule;
    const server = new HTTPServer(this, serverOptions);
    await server.listen(port, address);
    return server;
  }

  /** Hook: writes the access log line of a finished request (or calls `settings.logFunction`). */
  logRequest(handler: RequestHandler): void {
    const logFunction = this.settings.logFunction;
    if (logFunction !== undefined) {
      logFunction(handler);
      return;
    }
    const status = handler.getStatus();
    if (!isAccessLogged(status)) return;
    const request = handler.request;
    logRequest({
      status,
      method: request.method,
      uri: request.uri,
      remoteIp: request.remoteIp,
      requestTime: request.requestTime(),
    });
  }

  /** The template loader for `root`, created once (reset per use when compiledTemplateCache is off). */
  templateLoader(root: string): TemplateLoaderLike {
    let loader = this.templateLoaders.get(root);
    if (loader === undefined) {
      loader = createTemplateLoader(this.settings, root);
      this.templateLoaders.set(root, loader);
    } else if (this.settings.compiledTemplateCache === false) {
      loader.reset();
    }
    return loader;
  }

  /**
   * Host groups, then the catch-all routes; when nothing matched, the routes of `defaultHost`
   * (unless the request came through a proxy that set X-Real-Ip), as in Tornado 6.
   */
  private matchRoute(request: HTTPServerRequest): RouteMatch | null {
    // One catch-all group (the usual case): the host cannot change the outcome, so skip
    // lower-casing and splitting it (~0.3 µs per request).
    if (this.router.hostIndependent) return this.router.match("", request.path);
    const defaultHost = this.settings.defaultHost;
    const hostName = request.hostName;
    const match = this.router.match(hostName, request.path, defaultHost);
    if (match !== null || defaultHost === undefined || hostName === defaultHost || request.headers.has("X-Real-Ip")) return match;
    return this.router.match(defaultHost, request.path);
  }

  private dispatch(
    handlerClass: HandlerClass | NonNullable<ApplicationSettings["defaultHandlerClass"]>,
    request: HTTPServerRequest,
    init: unknown,
    pathArgs: string[],
    pathKwargs: Record<string, string>,
  ): Promise<void> | undefined {
    let handler: RequestHandler;
    try {
      handler = new (handlerClass as HandlerClass)(this, request);
      handler.initialize(init);
    } catch (err) {
      appLog.error(`Cannot create ${handlerClass.name} for ${request.method} ${request.uri}`, err);
      const fallback = new RequestHandler(this, request);
      fallback.sendError(500, { exc: err });
      return undefined;
    }
    return handler.startLifecycle(pathArgs, pathKwargs);
  }

  /**
   * The class that serves and versions static files: `settings.staticHandlerClass`, else
   * StaticFileHandler. Handlers ask here so the handler module need not import the static one.
   *
   * @example
   * app.staticHandlerClass().makeStaticUrl(app.settings, "app.css"); // "/static/app.css?v=…"
   */
  staticHandlerClass(): NonNullable<ApplicationSettings["staticHandlerClass"]> {
    return this.settings.staticHandlerClass ?? StaticFileHandler;
  }

  /** `/static/(.*)`, `/(favicon\.ico)`, `/(robots\.txt)` when `staticPath` is set. */
  private staticRoutes(): URLSpec[] {
    const root = this.settings.staticPath;
    if (!root) return [];
    const handlerClass = this.staticHandlerClass() as unknown as HandlerClass;
    const init = { ...this.settings.staticHandlerArgs, path: root };
    const prefix = (this.settings.staticUrlPrefix ?? "/static/").replace(REGEX_SPECIAL, "\\$&");
    return [prefix + "(.*)", "/(favicon\\.ico)", "/(robots\\.txt)"].map((pattern) => urlSpec(pattern, handlerClass, init));
  }
}
