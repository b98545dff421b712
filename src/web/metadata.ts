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
export const PATH_ARGS = Symbol.for("tornado-ts:path-args");

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

/** The class's own `@Route`s in source order (not inherited: a subclass needs its own). */
export function getRoutes(cls: AnyClass): readonly RouteRecord[] {
  return (Reflect.getOwnMetadata(ROUTES, cls) as RouteRecord[] | undefined) ?? [];
}

/**
 * Whether `method` of `cls` requires a logged-in user: the class (or a base class) is
 * `@Authenticated`, or the method that `cls` actually runs is. A method decorator belongs to the
 * method it decorates: a subclass that overrides it without the decorator drops it (as in Tornado).
 */
export function isAuthenticated(cls: AnyClass, method: string): boolean {
  return flag(AUTHENTICATED, cls, method);
}

/** Whether the `method` that `cls` runs was declared `@Asynchronous` (stays open until `finish()`). */
export function isAsynchronous(cls: AnyClass, method: string): boolean {
  return methodFlag(ASYNCHRONOUS, cls, method);
}

/** Whether `method` of `cls` skips the XSRF check (class-level inherited; method-level as `isAuthenticated`). */
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

/** The design-time parameter types of `method` (from `emitDecoratorMetadata`), or [] when unknown. */
export function getParamTypes(cls: AnyClass, method: string): readonly unknown[] {
  const owner = ownerOf(cls, method);
  if (owner === null) return [];
  return (Reflect.getOwnMetadata("design:paramtypes", owner, method) as unknown[] | undefined) ?? [];
}

function flag(key: symbol, cls: AnyClass, method: string): boolean {
  return Reflect.getMetadata(key, cls) === true || methodFlag(key, cls, method);
}

function methodFlag(key: symbol, cls: AnyClass, method: string): boolean {
  const owner = ownerOf(cls, method);
  return owner !== null && Reflect.getOwnMetadata(key, owner, method) === true;
}

/** The prototype in `cls`'s chain that defines `method` (the one a call resolves to). */
function ownerOf(cls: AnyClass, method: string): object | null {
  let proto = cls.prototype as object | null;
  while (proto !== null && !Object.prototype.hasOwnProperty.call(proto, method)) {
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return proto;
}
