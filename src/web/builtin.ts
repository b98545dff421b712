/**
 * Handlers the framework ships: ErrorHandler (a fixed error status, also the 404 for unmatched
 * paths) and RedirectHandler (a route that redirects elsewhere).
 */
import { HTTPError } from "./errors";
import { RequestHandler } from "./handler";

/** Init of ErrorHandler. */
export interface ErrorHandlerInit {
  status: number;
}

/**
 * Answers every request with `status` (the router uses it with 404 when nothing matches).
 *
 * @example
 * new Application([["/old", ErrorHandler, { status: 410 }]]);
 */
export class ErrorHandler extends RequestHandler {
  private errorStatus!: number;

  override initialize(init?: unknown): void {
    const status = (init as Partial<ErrorHandlerInit> | undefined)?.status ?? 404;
    if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`ErrorHandler status must be 4xx or 5xx, got ${status}`);
    this.errorStatus = status;
    this.setStatus(status);
  }

  override prepare(): void {
    throw new HTTPError(this.errorStatus);
  }

  // Nothing to protect: an error page has no side effects, and a 404 must not read as a 403.
  override checkXsrfCookie(): void {}

  // Every verb exists so the method check passes and prepare() answers with the status.
  get(): void {
    this.fail();
  }
  head(): void {
    this.fail();
  }
  post(): void {
    this.fail();
  }
  put(): void {
    this.fail();
  }
  patch(): void {
    this.fail();
  }
  delete(): void {
    this.fail();
  }
  options(): void {
    this.fail();
  }

  private fail(): never {
    throw new HTTPError(this.errorStatus);
  }
}

/** Init of RedirectHandler: `url` may use `{0}`, `{1}` (path groups) and `{name}` (named groups). */
export interface RedirectHandlerInit {
  url: string;
  /** 301 (default true) or 302. */
  permanent?: boolean;
  /** An explicit 3xx status instead. */
  status?: number;
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/**
 * Redirects GET requests to another URL, filling `{0}`-style placeholders from the path groups
 * and carrying the query string over.
 *
 * @example
 * new Application([["/photos/(.*)", RedirectHandler, { url: "/pictures/{0}" }]]);
 */
export class RedirectHandler extends RequestHandler {
  private target!: RedirectHandlerInit;

  override initialize(init?: unknown): void {
    const options = init as Partial<RedirectHandlerInit> | undefined;
    if (!options || typeof options.url !== "string") throw new Error("RedirectHandler needs init { url: string }");
    this.target = { permanent: true, ...options } as RedirectHandlerInit;
  }

  get(...args: string[]): Promise<void> {
    const kwargs = this.pathKwargs;
    let url = this.target.url.replace(PLACEHOLDER, (whole, key: string) => {
      const value = /^\d+$/.test(key) ? args[Number(key)] : kwargs[key];
      return typeof value === "string" ? value : whole;
    });
    const query = this.request.query;
    if (query) url += (url.includes("?") ? "&" : "?") + query;
    return this.redirect(url, this.target.permanent ?? true, this.target.status);
  }
}
