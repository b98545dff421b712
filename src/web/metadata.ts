/**
 * The metadata keys tornado-ts decorators write, and the one reader of them. Decorators
 * (decorators.ts) are the only writers; the scanner and the handler lifecycle are the readers.
 *
 * Two storages, one answer: legacy decorators (`experimentalDecorators`) write with
 * reflect-metadata on the class or its prototype; standard (TC39) decorators write on
 * `context.metadata`, which the class exposes as `cls[Symbol.metadata]`. The readers below look
 * at both, so nothing above this file knows which mode a class was compiled in.
 */
import "reflect-metadata";

// Node 20 has no Symbol.metadata, and TypeScript's and esbuild's standard-decorator output only
// create `context.metadata` when it exists. Symbol.for("Symbol.metadata") is the symbol esbuild
// falls back to, so classes compiled by either tool share one key.
const symbolConstructor = Symbol as unknown as { metadata?: symbol };
if (typeof symbolConstructor.metadata !== "symbol") {
  Object.defineProperty(Symbol, "metadata", { value: Symbol.for("Symbol.metadata"), writable: false, configurable: false });
}
/** `Symbol.metadata` (polyfilled on Node 20 when this module loads). */
export const METADATA_SYMBOL: symbol = symbolConstructor.metadata as symbol;

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

/**
 * Turns one raw path argument into the value the verb receives. `Number` (a non-numeric value is
 * then a 404) and `String` (unchanged) are the usual ones; any `(raw) => value` function works,
 * and one that throws makes the request a 404.
 */
export type PathConverter = (raw: string) => unknown;

export const ROUTES = Symbol.for("tornado-ts:routes");
export const AUTHENTICATED = Symbol.for("tornado-ts:authenticated");
export const ASYNCHRONOUS = Symbol.for("tornado-ts:asynchronous");
export const XSRF_EXEMPT = Symbol.for("tornado-ts:xsrf-exempt");
export const SLASH_POLICY = Symbol.for("tornado-ts:slash-policy");
export const UI_MODULE = Symbol.for("tornado-ts:ui-module");
/** `true` (bare `@PathArgs`: the design-time parameter types) or the converters given. */
export const PATH_ARGS = Symbol.for("tornado-ts:path-args");
/** `@StreamRequestBody`: the request body goes to `dataReceived` as it arrives. */
export const STREAM_REQUEST_BODY = Symbol.for("tornado-ts:stream-request-body");
/** Standard mode only: the own method records of a class's `context.metadata`, by method name. */
const METHODS = Symbol.for("tornado-ts:methods");

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;
type Bag = Record<PropertyKey, unknown>;

/**
 * Where one decorator application writes: a class, or one instance method of a class, in either
 * mode. Built by decorators.ts from the decorator's arguments.
 * @internal
 */
export type DecorationSite =
  | { readonly mode: "legacy"; readonly kind: "class"; readonly target: AnyClass }
  | { readonly mode: "legacy"; readonly kind: "method"; readonly target: object; readonly method: string }
  | { readonly mode: "standard"; readonly kind: "class"; readonly metadata: Bag }
  | { readonly mode: "standard"; readonly kind: "method"; readonly metadata: Bag; readonly method: string };

/** Records `value` under `key` at `site`. @internal */
export function writeSite(site: DecorationSite, key: symbol, value: unknown): void {
  if (site.mode === "legacy") {
    if (site.kind === "class") Reflect.defineMetadata(key, value, site.target);
    else Reflect.defineMetadata(key, value, site.target, site.method);
    return;
  }
  if (site.kind === "class") site.metadata[key] = value;
  else methodBag(site.metadata, site.method, true)![key] = value;
}

/** What `site` itself (not a base class) recorded under `key`. @internal */
export function readSite(site: DecorationSite, key: symbol): unknown {
  if (site.mode === "legacy") {
    return site.kind === "class" ? Reflect.getOwnMetadata(key, site.target) : Reflect.getOwnMetadata(key, site.target, site.method);
  }
  if (site.kind === "class") return ownValue(site.metadata, key);
  return methodBag(site.metadata, site.method, false)?.[key];
}

/** The class's own `@Route`s in source order (not inherited: a subclass needs its own). */
export function getRoutes(cls: AnyClass): readonly RouteRecord[] {
  return (classValue(cls, ROUTES, false) as RouteRecord[] | undefined) ?? [];
}

/**
 * Whether `method` of `cls` requires a logged-in user: the class (or a base class) is
 * `@Authenticated`, or the method that `cls` actually runs is. A method decorator belongs to the
 * method it decorates: a subclass that overrides it without the decorator drops it (as in Tornado).
 */
export function isAuthenticated(cls: AnyClass, method: string): boolean {
  return classValue(cls, AUTHENTICATED, true) === true || methodValue(cls, method, AUTHENTICATED) === true;
}

/** Whether the `method` that `cls` runs was declared `@Asynchronous` (stays open until `finish()`). */
export function isAsynchronous(cls: AnyClass, method: string): boolean {
  return methodValue(cls, method, ASYNCHRONOUS) === true;
}

/** Whether `method` of `cls` skips the XSRF check (class-level inherited; method-level as `isAuthenticated`). */
export function isXsrfExempt(cls: AnyClass, method: string): boolean {
  return classValue(cls, XSRF_EXEMPT, true) === true || methodValue(cls, method, XSRF_EXEMPT) === true;
}

export function getSlashPolicy(cls: AnyClass): SlashPolicy | undefined {
  return classValue(cls, SLASH_POLICY, true) as SlashPolicy | undefined;
}

/** Whether `cls` (or a base class) is `@StreamRequestBody`: its body goes to `dataReceived`. */
export function isStreamRequestBody(cls: AnyClass): boolean {
  return classValue(cls, STREAM_REQUEST_BODY, true) === true;
}

/** The template name of a `@UiModule` class, or undefined when it has none of its own. */
export function getUiModuleName(cls: AnyClass): string | undefined {
  return classValue(cls, UI_MODULE, false) as string | undefined;
}

/** The design-time parameter types of `method` (from `emitDecoratorMetadata`), or [] when unknown. */
export function getParamTypes(cls: AnyClass, method: string): readonly unknown[] {
  const owner = ownerOf(cls, method);
  if (owner === null) return [];
  return (Reflect.getOwnMetadata("design:paramtypes", owner, method) as unknown[] | undefined) ?? [];
}

/**
 * How the positional path arguments of `method` convert: `explicit` converters from
 * `@PathArgs(Number, …)`, else the `design` parameter types TypeScript emitted for a decorated
 * method in legacy mode (only `Number` converts), else null (strings, as matched).
 */
export function getPathArgTypes(
  cls: AnyClass,
  method: string,
): { readonly source: "explicit"; readonly types: readonly PathConverter[] } | { readonly source: "design"; readonly types: readonly unknown[] } | null {
  const recorded = methodValue(cls, method, PATH_ARGS);
  if (Array.isArray(recorded)) return { source: "explicit", types: recorded as PathConverter[] };
  const design = getParamTypes(cls, method);
  return design.length > 0 ? { source: "design", types: design } : null;
}

/**
 * The methods of `cls` and its base classes that carry a tornado-ts method decorator, with the
 * decorators' names (for the scanner's "this method is not a verb" check).
 */
export function getDecoratedMethods(cls: AnyClass): { method: string; decorators: string[] }[] {
  const found = new Map<string, string[]>();
  for (let proto = cls.prototype as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const method of Object.getOwnPropertyNames(proto)) {
      if (method === "constructor" || found.has(method) || ownerOf(cls, method) !== proto) continue;
      const names = METHOD_KEYS.filter(([key]) => methodValue(cls, method, key) !== undefined).map(([, name]) => name);
      if (names.length > 0) found.set(method, names);
    }
  }
  return [...found].map(([method, decorators]) => ({ method, decorators }));
}

const METHOD_KEYS: readonly [symbol, string][] = [
  [AUTHENTICATED, "@Authenticated"], [ASYNCHRONOUS, "@Asynchronous"], [XSRF_EXEMPT, "@XsrfExempt"], [PATH_ARGS, "@PathArgs"],
];

/** A class-level value: the class's own, or (when `inherited`) the nearest base class's. */
function classValue(cls: AnyClass, key: symbol, inherited: boolean): unknown {
  for (let c: unknown = cls; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    const legacy = Reflect.getOwnMetadata(key, c) as unknown;
    if (legacy !== undefined) return legacy;
    const standard = ownMetadata(c);
    const value = standard === undefined ? undefined : ownValue(standard, key);
    if (value !== undefined || !inherited) return value;
  }
  return undefined;
}

/** A method-level value, read where the method that `cls` runs is defined. */
function methodValue(cls: AnyClass, method: string, key: symbol): unknown {
  const owner = ownerOf(cls, method);
  if (owner === null) return undefined;
  const legacy = Reflect.getOwnMetadata(key, owner, method) as unknown;
  if (legacy !== undefined) return legacy;
  const ownerClass = Object.prototype.hasOwnProperty.call(owner, "constructor") ? (owner as { constructor: unknown }).constructor : undefined;
  const standard = typeof ownerClass === "function" ? ownMetadata(ownerClass) : undefined;
  return standard === undefined ? undefined : methodBag(standard, method, false)?.[key];
}

/** `cls[Symbol.metadata]` when the class has its own (a subclass without decorators inherits its base's). */
function ownMetadata(cls: AnyClass): Bag | undefined {
  if (!Object.prototype.hasOwnProperty.call(cls, METADATA_SYMBOL)) return undefined;
  const metadata = (cls as unknown as Bag)[METADATA_SYMBOL];
  return typeof metadata === "object" && metadata !== null ? (metadata as Bag) : undefined;
}

function ownValue(bag: Bag, key: PropertyKey): unknown {
  return Object.prototype.hasOwnProperty.call(bag, key) ? bag[key] : undefined;
}

/** The record of one method in a class's own standard metadata (its base's records are its base's). */
function methodBag(metadata: Bag, method: string, create: boolean): Bag | undefined {
  let methods = ownValue(metadata, METHODS) as Record<string, Bag> | undefined;
  if (methods === undefined) {
    if (!create) return undefined;
    methods = Object.create(null) as Record<string, Bag>;
    metadata[METHODS] = methods;
  }
  let bag = methods[method];
  if (bag === undefined && create) bag = methods[method] = Object.create(null) as Bag;
  return bag;
}

/** The prototype in `cls`'s chain that defines `method` (the one a call resolves to). */
function ownerOf(cls: AnyClass, method: string): object | null {
  let proto = cls.prototype as object | null;
  while (proto !== null && !Object.prototype.hasOwnProperty.call(proto, method)) {
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return proto;
}
