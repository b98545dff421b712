/**
 * FallbackHandler: a route whose requests go to another request target (a NodeHandlerContainer
 * around an Express app, a plain `(request) => …` callback, another Application), as Tornado's
 * `web.FallbackHandler` does for WSGI apps.
 */
import type { HTTPConnection, HTTPHeaders, HTTPServerRequest, ResponseStartLine } from "../httputil";
import { RequestHandler } from "../web/handler";
import type { RequestTarget } from "./listener";

/** Init of FallbackHandler. */
export interface FallbackHandlerInit {
  fallback: RequestTarget | ((request: HTTPServerRequest) => unknown);
}

const RESOLVED: Promise<void> = Promise.resolve();

/** Swallows what the handler itself would write: the fallback owns the real connection. */
const DETACHED: HTTPConnection = {
  writeHeaders: (_s: ResponseStartLine, _h: HTTPHeaders, _c?: Buffer | string) => RESOLVED,
  write: () => RESOLVED,
  finish: () => undefined,
  setCloseCallback: () => undefined,
};

/**
 * Hands the request, connection and all, to `fallback`, and finishes when it has answered.
 *
 * @example
 * const app = new Application([
 *   [String.raw`/legacy(?:/.*)?`, FallbackHandler, { fallback: new NodeHandlerContainer(expressApp) }],
 *   MainHandler,
 * ]);
 */
export class FallbackHandler extends RequestHandler {
  private fallback!: FallbackHandlerInit["fallback"];

  override initialize(init?: unknown): void {
    const fallback = (init as Partial<FallbackHandlerInit> | undefined)?.fallback;
    const callable = typeof fallback === "function" || (fallback !== null && typeof fallback === "object" && typeof fallback.handleRequest === "function");
    if (!callable) throw new Error("FallbackHandler needs init { fallback: a request callback or an object with handleRequest(request) }");
    this.fallback = fallback;
  }

  override async prepare(): Promise<void> {
    const request = this.request;
    const real = request.connection;
    // The fallback answers on the real connection; this handler's own finish goes nowhere.
    const forFallback: HTTPServerRequest = Object.create(request);
    forFallback.connection = real;
    request.connection = DETACHED;
    const fallback = this.fallback;
    await (typeof fallback === "function" ? fallback(forFallback) : fallback.handleRequest(forFallback));
  }

  // The fallback app has its own protection; ours would refuse its forms.
  override checkXsrfCookie(): void {}

  get(): void {}
  head(): void {}
  post(): void {}
  put(): void {}
  patch(): void {}
  delete(): void {}
  options(): void {}
}
