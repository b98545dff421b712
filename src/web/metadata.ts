/**
 * The metadata keys tornado-ts decorators write, and the typed readers of them. Decorators
 * (decorators.ts) are the only writers; the scanner and the handler lifecycle are the readers.
 */
import "reflect-metadata";

/** Options of one `@Route`. */
export interface RouteOptions {
  /** Name for `reverseUrl` / `reverse_url`. */
  name?: string;
  /** Host pattern (anchored regex source, like `addHandlers`); default: every host. */
  host?: string;
  /** Passed to `initialize(init)` of each handler instance. */
  init?: unknown;
  /** Regex routes with higher priority are tried first (default 0). */
  priority?: number;
}

export interface RouteRecord {
  pattern: string | RegExp;
  options: RouteOptions;
}

export type SlashPolicy = "remove" | "add";

export const ROUTES = Symbol.for("tornado-ts:routes");
export const AUTHENTICATED = Symbol.for("tornado-ts:authenticated");
export const ASYNCHRONOUS = Symbol.for("tornado-ts:asynchronous");
export const XSRF_EXEMPT = Symbol.for("tornado-ts:xsrf-exempt");
export const SLASH_POLICY = Symbol.for("tornado-ts:slash-policy");
export const UI_MODULE = Symbol.for("tornado-ts:ui-module");

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

/** The class's own `@Route`s in source order (not inherited: a subclass needs its own). */
export function getRoutes(cls: AnyClass): readonly RouteRecord[] {
  return (Reflect.getOwnMetadata(ROUTES, cls) as RouteRecord[] | undefined) ?? [];
}

/** Whether `method` of `cls` requires a logged-in user (method- or class-level, inherited). */
export function isAuthenticated(cls: AnyClass, method: string): boolean {
  return flag(AUTHENTICATED, cls, method);
}

/** Whether `method` was declared `@Asynchronous` (stays open until `finish()`). */
export function isAsynchronous(cls: AnyClass, method: string): boolean {
  return Reflect.getMetadata(ASYNCHRONOUS, cls.prototype, method) === true;
}

/** Whether `method` of `cls` skips the XSRF check. */
export function isXsrfExempt(cls: AnyClass, method: string): boolean {
  return flag(XSRF_EXEMPT, cls, method);
}

export function getSlashPolicy(cls: AnyClass): SlashPolicy | undefined {
  return Reflect.getMetadata(SLASH_POLICY, cls) as SlashPolicy | undefined;
}

/** The template name of a `@UiModule` class, or undefined when it has none of its own. */
export function getUiModuleName(cls: AnyClass): string | undefined {
  return Reflect.getOwnMetadata(UI_MODULE, cls) as string | undefined;
}

function flag(key: symbol, cls: AnyClass, method: string): boolean {
  return Reflect.getMetadata(key, cls.prototype, method) === true || Reflect.getMetadata(key, cls) === true;
}
