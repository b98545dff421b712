/**
 * The one reader of the decorators' metadata: turns seed tuples, specs and decorated classes
 * into route specs and UI modules (`scan`), and finds decorated classes in a folder of compiled
 * modules (`discover`). Everything here runs once, at startup.
 */
import { readdir, stat } from "node:fs/promises";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { SUPPORTED_METHODS } from "./handler_plan";
import { getDecoratedMethods, getRoutes, getUiModuleName } from "./metadata";
import { className, isURLSpec, urlSpec, type HandlerClass, type URLSpec } from "./routing";

export type { RouteInput } from "./routing";
import type { UIModuleClass } from "./uimodule";

/** The result of {@link scan}. */
export interface ScanResult {
  /** In the order found; the URL table sorts them into match order. */
  specs: URLSpec[];
  uiModules: Record<string, UIModuleClass>;
}

/**
 * Builds route specs from seed tuples `[pattern, Handler, init?, name?]`, `urlSpec()`s and
 * classes decorated with `@Route` (one spec per `@Route`, in the order written) or `@UiModule`.
 * Duplicate literal paths or regex patterns (for the same host), duplicate route names and
 * duplicate UI module names throw, naming both classes. A class passed twice counts once.
 *
 * @example
 * const { specs, uiModules } = scan([MainHandler, ["/story/([0-9]+)", StoryHandler], EntryModule]);
 */
export function scan(items: readonly unknown[]): ScanResult {
  if (!Array.isArray(items)) throw new TypeError(`routes must be an array, got ${typeof items}`);
  const specs: URLSpec[] = [];
  const uiModules: Record<string, UIModuleClass> = {};
  const seenClasses = new Set<unknown>();
  const duplicates = new DuplicateChecker();
  for (const item of items) {
    if (typeof item === "function") {
      if (seenClasses.has(item)) continue;
      seenClasses.add(item);
      const found = specsOfClass(item as HandlerClass, uiModules);
      for (const spec of found) specs.push(duplicates.check(spec));
    } else if (Array.isArray(item)) {
      specs.push(duplicates.check(specOfTuple(item)));
    } else if (isURLSpec(item)) {
      specs.push(duplicates.check(item));
    } else {
      throw new TypeError(
        `cannot route ${describe(item)}: expected a class decorated with @Route or @UiModule, ` +
          `a [pattern, Handler, init?, name?] tuple or a urlSpec()`,
      );
    }
  }
  return { specs, uiModules };
}

function specsOfClass(cls: HandlerClass, uiModules: Record<string, UIModuleClass>): URLSpec[] {
  const routes = getRoutes(cls);
  const moduleName = getUiModuleName(cls);
  if (routes.length === 0 && moduleName === undefined) {
    const inherited = Object.getPrototypeOf(cls) as unknown;
    const hint = typeof inherited === "function" && getRoutes(inherited).length > 0
      ? ` (routes are not inherited from ${className(inherited)})`
      : "";
    throw new Error(
      `${className(cls)} has no @Route${hint}: add @Route("/path") to it, ` +
        `or pass it as ["/path", ${className(cls)}]`,
    );
  }
  if (moduleName !== undefined) {
    const other = uiModules[moduleName];
    if (other !== undefined && other !== (cls as unknown)) {
      throw new Error(`UI module ${JSON.stringify(moduleName)} declared twice: ${className(other)} and ${className(cls)}`);
    }
    uiModules[moduleName] = cls as unknown as UIModuleClass;
  }
  return routes.map(({ pattern, options }) =>
    urlSpec(pattern, cls, options.init, options.name, { host: options.host, priority: options.priority }),
  );
}

function specOfTuple(tuple: readonly unknown[]): URLSpec {
  const [pattern, handler, init, name] = tuple;
  if (tuple.length < 2 || tuple.length > 4) {
    throw new TypeError(`a route tuple is [pattern, Handler, init?, name?], got ${tuple.length} item(s)`);
  }
  if (typeof pattern !== "string" && !(pattern instanceof RegExp)) {
    throw new TypeError(`a route tuple starts with a string or RegExp pattern, got ${describe(pattern)}`);
  }
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError(`route ${JSON.stringify(String(pattern))}: the name (4th item) must be a string`);
  }
  return urlSpec(pattern, handler as HandlerClass, init, name);
}

/** Remembers paths, patterns and names per host so a second claim can name the first claimant. */
class DuplicateChecker {
  private readonly paths = new Map<string, URLSpec>();
  private readonly names = new Map<string, URLSpec>();

  check(spec: URLSpec): URLSpec {
    checkVerbDecorators(spec.handlerClass);
    const host = spec.host ?? "";
    const pathKey = spec.literal !== null ? `${host}\0=${spec.literal}` : `${host}\0~${spec.regex.flags}/${spec.pattern}`;
    this.claim(this.paths, pathKey, "route", spec.literal ?? spec.pattern, spec);
    if (spec.name !== undefined) this.claim(this.names, spec.name, "route name", spec.name, spec);
    return spec;
  }

  private claim(map: Map<string, URLSpec>, key: string, what: string, shown: string, spec: URLSpec): void {
    const first = map.get(key);
    if (first !== undefined) {
      throw new Error(
        `${what} ${JSON.stringify(shown)} declared twice: ${className(first.handlerClass)} and ${className(spec.handlerClass)}`,
      );
    }
    map.set(key, spec);
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

/**
 * Method decorators only act on the verbs the lifecycle calls: on any other method they would
 * silently do nothing (an `@Authenticated` helper would protect nothing), so that is an error.
 */
function checkVerbDecorators(cls: AnyClass): void {
  const verbs = (cls as { SUPPORTED_METHODS?: readonly string[] }).SUPPORTED_METHODS ?? SUPPORTED_METHODS;
  for (const { method, decorators } of getDecoratedMethods(cls)) {
    if (verbs.includes(method.toUpperCase()) && method === method.toLowerCase()) continue;
    throw new Error(
      `${className(cls)}.${method}() has ${decorators.join(", ")}, but only verb methods ` +
        `(${verbs.map((v) => v.toLowerCase()).join(", ")}) are called by the request lifecycle: ` +
        `move the decorator to the verb, or put it on the class`,
    );
  }
}

/**
 * Imports every `.js` module under `dir` (recursively, files sorted by path) and returns the
 * exported classes that carry their own `@Route` or `@UiModule`, in file order then export
 * order, each once. Pass the result to `scan` / `new Application`.
 *
 * @example
 * const classes = await discover(path.join(__dirname, "handlers"));
 * const app = new Application(classes, settings);
 */
export async function discover(dir: string): Promise<AnyClass[]> {
  const root = path.resolve(dir);
  let info;
  try {
    info = await stat(root);
  } catch (err) {
    throw new Error(`discover: cannot read the folder ${JSON.stringify(root)}: ${(err as Error).message}`, { cause: err });
  }
  if (!info.isDirectory()) throw new Error(`discover: ${JSON.stringify(root)} is not a folder`);
  const files = (await listModules(root, "")).sort(compareStrings);
  const found: AnyClass[] = [];
  const seen = new Set<unknown>();
  for (const relative of files) {
    const file = path.join(root, relative);
    const exports = await importModule(file);
    for (const value of Object.values(exports)) {
      if (typeof value !== "function" || seen.has(value)) continue;
      if (getRoutes(value).length === 0 && getUiModuleName(value) === undefined) continue;
      seen.add(value);
      found.push(value);
    }
  }
  return found;
}

async function listModules(root: string, relative: string): Promise<string[]> {
  const entries = await readdir(path.join(root, relative), { withFileTypes: true });
  const out: string[] = [];
  for (const entry of entries) {
    // Sorting on "/"-joined paths keeps the order the same on every platform.
    const child = relative === "" ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) out.push(...(await listModules(root, child)));
    else if (entry.isFile() && entry.name.endsWith(".js")) out.push(child);
  }
  return out;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// The native import(), which TypeScript's CommonJS output would otherwise turn into require().
const nativeImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<object>;

async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return require(file) as Record<string, unknown>;
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_REQUIRE_ESM") {
      try {
        return (await nativeImport(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (esmErr) {
        throw importError(file, esmErr);
      }
    }
    throw importError(file, err);
  }
}

function importError(file: string, cause: unknown): Error {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new Error(`discover: cannot import ${JSON.stringify(file)}: ${why}`, { cause });
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value === "string" ? JSON.stringify(value) : typeof value;
}
