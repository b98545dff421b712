/**
 * The settings an Application is created with (Tornado's `settings` dict, camelCased).
 */
import type { HTTPServerRequest } from "../httputil";
import type { WhitespaceMode } from "../template";
import type { Application } from "./application";
import type { RequestHandler } from "./handler";
import type { CookieOptions, CookieSecret } from "./security";
import type { TransformClass } from "./transforms";
import type { UIModuleClass } from "./uimodule";

/** A handler class as the router instantiates it. */
export type HandlerClass = new (application: Application, request: HTTPServerRequest, init?: never) => RequestHandler;

/** A compiled template: what a loader's `load(name)` returns. */
export interface TemplateLike {
  generate(namespace: Record<string, unknown>): string;
}

/** What `render` needs of a template loader (template/ Loader and DictLoader fit). */
export interface TemplateLoaderLike {
  load(name: string, parentPath?: string): TemplateLike;
  reset(): void;
}

/** The static-file handler class: builds versioned URLs for `staticUrl` / `static_url`. */
export interface StaticHandlerClass {
  makeStaticUrl(settings: ApplicationSettings, path: string, includeVersion?: boolean): string;
  resetCache?(): void;
}

/** A template helper: called as `name(...args)` in templates, receives the handler first. */
export type UIMethod = (handler: RequestHandler, ...args: never[]) => unknown;

export interface ApplicationSettings {
  /** Signs secure cookies; `{version: secret}` enables key rotation with `keyVersion`. */
  cookieSecret?: CookieSecret;
  /** Which key of a `cookieSecret` map signs new cookies. */
  keyVersion?: number;
  /** Where `@Authenticated` sends anonymous GET/HEAD requests. */
  loginUrl?: string;
  /** Requires an `_xsrf` token matching the `_xsrf` cookie on POST/PUT/PATCH/DELETE. */
  xsrfCookies?: boolean;
  /** Attributes of the `_xsrf` cookie (e.g. `{ secure: true, sameSite: "Lax" }`). */
  xsrfCookieKwargs?: CookieOptions;
  /** Format of new `_xsrf` tokens: 2 (masked, default) or 1 (plain hex). */
  xsrfCookieVersion?: 1 | 2;
  /** Name of the XSRF cookie (default `_xsrf`). */
  xsrfCookieName?: string;
  /** Root folder of templates for `render` (default: the working directory). */
  templatePath?: string;
  /** A loader to use instead of one built from `templatePath` (e.g. a DictLoader in tests). */
  templateLoader?: TemplateLoaderLike;
  /** Autoescape function name for templates (default `xhtml_escape`); null turns it off. */
  autoescape?: string | null;
  /** Template whitespace mode ("all", "single", "oneline"). */
  templateWhitespace?: WhitespaceMode;
  /** Serve files from this folder at `staticUrlPrefix`, `/favicon.ico` and `/robots.txt`. */
  staticPath?: string;
  /** URL prefix of static files (default `/static/`). */
  staticUrlPrefix?: string;
  /** Handler class for static files (default StaticFileHandler). */
  staticHandlerClass?: StaticHandlerClass & HandlerClass;
  /** Extra `initialize` options of the static handler (`path` is always `staticPath`). */
  staticHandlerArgs?: Record<string, unknown>;
  /** Development mode: tracebacks on error pages, no template or static-hash caching. */
  debug?: boolean;
  /** Error pages show the stack of the exception (default: `debug`). */
  serveTraceback?: boolean;
  /** Keep compiled templates between requests (default: not `debug`). */
  compiledTemplateCache?: boolean;
  /** Keep static file hashes between requests (default: not `debug`). */
  staticHashCache?: boolean;
  /** Gzip text responses for clients that accept it. */
  compressResponse?: boolean;
  /** Alias of `compressResponse`. */
  gzip?: boolean;
  /** UI modules by template name, added to the scanned `@UiModule` classes. */
  uiModules?: Record<string, UIModuleClass>;
  /** Template helpers by name, each called with the handler first. */
  uiMethods?: Record<string, UIMethod>;
  /** Host name used when no host group matches the request's Host. */
  defaultHost?: string;
  /** Handles requests that match no route (default: a 404 ErrorHandler). */
  defaultHandlerClass?: HandlerClass;
  /** `initialize` options of `defaultHandlerClass`. */
  defaultHandlerArgs?: unknown;
  /** Output transforms applied to every response, before the gzip one. */
  transforms?: TransformClass[];
  /** Replaces the access log line for every finished request. */
  logFunction?: (handler: RequestHandler) => void;
  [setting: string]: unknown;
}

/**
 * Setting `name`, which `feature` cannot work without; a clear error naming it when unset.
 *
 * @example
 * const secret = requireSetting(app.settings, "cookieSecret", "secure cookies");
 */
export function requireSetting<K extends keyof ApplicationSettings>(settings: ApplicationSettings, name: K, feature: string): NonNullable<ApplicationSettings[K]> {
  const value = settings[name];
  if (value === undefined || value === null || value === "") {
    throw new Error(`You must define the '${String(name)}' setting in your application to use ${feature}`);
  }
  return value as NonNullable<ApplicationSettings[K]>;
}
