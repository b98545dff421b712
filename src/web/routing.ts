/**
 * The URL table: route specs, the literal map + ordered regex list that matches a request path,
 * host groups, and `reverseUrl`. Everything a request needs is precomputed when a route is added;
 * `match` does one map lookup, then at most one `exec` per regex route.
 */
import type { HTTPServerRequest } from "../httputil";
import { urlEscape } from "../escape";
import { HTTPError } from "./errors";
import { analyzePattern, compilePattern, type PatternAnalysis } from "./route_pattern";
import type { Application } from "./application";
import type { RequestHandler } from "./handler";
import type { UIModuleClass } from "./uimodule";

/** A handler class as the router sees it: constructed once per request. */
export type HandlerClass = new (application: Application, request: HTTPServerRequest, init?: unknown) => RequestHandler;

/**
 * What `new Application(routes)` accepts, one item of it: a decorated handler class, a seed tuple,
 * a spec, or a `@UiModule` class (collected into the UI modules, not routed).
 */
export type RouteInput = HandlerClass | [string | RegExp, HandlerClass, unknown?, string?] | URLSpec | UIModuleClass;

/** One route: a pattern, the handler class it dispatches to, and what the table precomputed. */
export interface URLSpec {
  /** The pattern source, anchored with a trailing `$` (a leading `^` is implied). */
  pattern: string;
  /** The compiled pattern, anchored at both ends. */
  regex: RegExp;
  handlerClass: HandlerClass;
  /** Passed to the handler's `initialize(init)`. */
  init: unknown;
  /** Name for `reverseUrl`. */
  name?: string;
  /** Host pattern this route is limited to (see `HostRouter.addHandlers`). */
  host?: string;
  /** Regex routes with a higher priority are tried first. */
  priority: number;
  /** The exact path when the pattern has no regex syntax (such routes live in a hash map). */
  literal: string | null;
  /** Number of capturing groups of `regex`. */
  groupCount: number;
  /** Creation order; ties between regex routes of the same priority go to the earlier one. */
  order: number;
}

/**
 * The outcome of a successful match. Unnamed groups become `pathArgs` and named groups
 * `pathKwargs`; when a pattern has named groups only `pathKwargs` is filled (as in Tornado).
 * Values are URL-unescaped (`%XX`, but `+` stays `+`). An optional group that did not take part
 * in the match is `undefined` in `pathArgs` (Tornado's `None`) and absent from `pathKwargs`.
 */
export interface RouteMatch {
  spec: URLSpec;
  pathArgs: string[];
  pathKwargs: Record<string, string>;
}

/** Options of {@link urlSpec} beyond the seed tuple's. */
export interface URLSpecOptions {
  host?: string;
  priority?: number;
}

let nextOrder = 0;

/**
 * Builds a route spec. A string pattern gets a `$` appended unless it ends with one and always
 * matches from the start of the path; a RegExp contributes its source and flags (`g`/`y` dropped).
 * Invalid patterns throw here, at startup.
 *
 * @example
 * const spec = urlSpec("/story/([0-9]+)", StoryHandler, undefined, "story");
 * spec.literal    // null
 * urlSpec("/about", AboutHandler).literal // "/about"
 */
export function urlSpec(
  pattern: string | RegExp,
  handlerClass: HandlerClass,
  init?: unknown,
  name?: string,
  opts: URLSpecOptions = {},
): URLSpec {
  if (typeof handlerClass !== "function") {
    throw new TypeError(`route ${JSON.stringify(String(pattern))}: the handler must be a class, got ${describe(handlerClass)}`);
  }
  if (name !== undefined && (typeof name !== "string" || name === "")) {
    throw new TypeError(`route ${JSON.stringify(String(pattern))}: the name must be a non-empty string`);
  }
  const priority = opts.priority ?? 0;
  if (typeof priority !== "number" || !Number.isFinite(priority)) {
    throw new TypeError(`route ${JSON.stringify(String(pattern))}: priority must be a finite number`);
  }
  const compiled = compilePattern(pattern, false);
  const analysis = analyzePattern(compiled.body);
  const spec: URLSpec = {
    pattern: compiled.source,
    regex: compiled.regex,
    handlerClass,
    init,
    priority,
    literal: compiled.caseSensitive ? analysis.literal : null,
    groupCount: compiled.groupCount,
    order: nextOrder++,
  };
  if (name !== undefined) spec.name = name;
  if (opts.host !== undefined) spec.host = opts.host;
  return spec;
}

/** Whether `value` looks like a spec built by {@link urlSpec}. */
export function isURLSpec(value: unknown): value is URLSpec {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<URLSpec>;
  return typeof v.pattern === "string" && v.regex instanceof RegExp && typeof v.handlerClass === "function";
}

function decodePathArg(value: string): string {
  if (value.indexOf("%") < 0) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new HTTPError(400, `invalid percent-encoding or UTF-8 in path argument ${JSON.stringify(value)}`);
  }
}

/**
 * One host's routes: literal paths in a hash map (tried first, O(1) however many routes there
 * are), then regex routes by priority (higher first), then the order they were added.
 * Duplicate literal paths, duplicate regex patterns and duplicate names throw.
 *
 * @example
 * const table = new UrlTable([urlSpec("/", Main), urlSpec("/story/([0-9]+)", Story, undefined, "story")]);
 * table.match("/story/7")  // { spec: …Story…, pathArgs: ["7"], pathKwargs: {} }
 * table.reverse("story", 7) // "/story/7"
 */
export class UrlTable {
  private readonly literals = new Map<string, URLSpec>();
  private readonly regexRoutes: URLSpec[] = [];
  /** Parallel to regexRoutes: whether the pattern has named groups (then only kwargs are passed). */
  private readonly regexNamed: boolean[] = [];
  private readonly named = new Map<string, URLSpec>();
  private readonly patterns = new Map<string, URLSpec>();
  private readonly reversers = new WeakMap<URLSpec, PatternAnalysis>();
  private ordered: URLSpec[] | null = null;

  constructor(specs: readonly URLSpec[] = []) {
    for (const spec of specs) this.add(spec);
  }

  /** Every route in match order: literal paths first, then regex routes. */
  get specs(): URLSpec[] {
    if (this.ordered === null) this.ordered = [...this.literals.values(), ...this.regexRoutes];
    return this.ordered;
  }

  /** Adds a route; throws when its path, pattern or name is already taken in this table. */
  add(spec: URLSpec): void {
    if (!isURLSpec(spec)) throw new TypeError(`UrlTable.add expects a urlSpec(), got ${describe(spec)}`);
    const key = `${spec.regex.flags}/${spec.pattern}`;
    const samePattern = this.patterns.get(key);
    if (samePattern !== undefined) throw duplicateError("route", spec.literal ?? spec.pattern, samePattern, spec);
    if (spec.literal !== null) {
      const sameLiteral = this.literals.get(spec.literal);
      if (sameLiteral !== undefined) throw duplicateError("route", spec.literal, sameLiteral, spec);
    }
    if (spec.name !== undefined) {
      const sameName = this.named.get(spec.name);
      if (sameName !== undefined) throw duplicateError("route name", spec.name, sameName, spec);
      this.named.set(spec.name, spec);
    }
    this.patterns.set(key, spec);
    if (spec.literal !== null) {
      this.literals.set(spec.literal, spec);
    } else {
      // Stable insert: after every route of higher or equal priority.
      let at = this.regexRoutes.length;
      while (at > 0 && this.regexRoutes[at - 1].priority < spec.priority) at--;
      this.regexRoutes.splice(at, 0, spec);
      this.regexNamed.splice(at, 0, compilePattern(spec.regex, false).hasNamedGroups);
    }
    this.ordered = null;
  }

  /** Whether a route of this name is in the table. */
  has(name: string): boolean {
    return this.named.has(name);
  }

  /**
   * The route for `path` (the request path, still percent-encoded), or null.
   * Throws `HTTPError(400)` when a captured argument is not valid percent-encoded UTF-8.
   */
  match(path: string): RouteMatch | null {
    const literal = this.literals.get(path);
    // Fresh (if empty) args: handlers own their match and may change it.
    if (literal !== undefined) return { spec: literal, pathArgs: [], pathKwargs: {} };
    const routes = this.regexRoutes;
    for (let i = 0; i < routes.length; i++) {
      const spec = routes[i];
      const m = spec.regex.exec(path);
      if (m === null) continue;
      return this.regexNamed[i] ? withKwargs(spec, m) : withArgs(spec, m);
    }
    return null;
  }

  /**
   * The path of the route `name` with its groups filled by `args` (each `String()`-ed and
   * URL-escaped, `/` kept, space as `%20`). Throws for an unknown name, a wrong number of
   * arguments, or a pattern that can't be reversed (alternation, quantifiers, escapes like `\d`
   * outside groups, nested groups).
   */
  reverse(name: string, ...args: unknown[]): string {
    const spec = this.named.get(name);
    if (spec === undefined) throw new Error(`no route named ${JSON.stringify(name)}`);
    return reverseSpec(spec, args, this.reverserOf(spec));
  }

  private reverserOf(spec: URLSpec): PatternAnalysis {
    let reverser = this.reversers.get(spec);
    if (reverser === undefined) {
      const body = spec.pattern.slice(spec.pattern.startsWith("^") ? 1 : 0, -1);
      reverser = analyzePattern(body);
      this.reversers.set(spec, reverser);
    }
    return reverser;
  }
}

function withArgs(spec: URLSpec, m: RegExpExecArray): RouteMatch {
  const pathArgs = new Array<string>(m.length - 1);
  for (let g = 1; g < m.length; g++) {
    const value = m[g];
    // Tornado passes None for an optional group that did not match; we pass undefined.
    pathArgs[g - 1] = value === undefined ? (value as unknown as string) : decodePathArg(value);
  }
  return { spec, pathArgs, pathKwargs: {} };
}

function withKwargs(spec: URLSpec, m: RegExpExecArray): RouteMatch {
  const pathKwargs: Record<string, string> = {};
  const groups = m.groups as Record<string, string | undefined>;
  for (const key in groups) {
    const value = groups[key];
    if (value !== undefined) pathKwargs[key] = decodePathArg(value);
  }
  return { spec, pathArgs: [], pathKwargs };
}

function reverseSpec(spec: URLSpec, args: unknown[], reverser: PatternAnalysis): string {
  const label = `route ${JSON.stringify(spec.name)} (${spec.pattern})`;
  if (reverser.pieces === null) throw new Error(`cannot reverse ${label}: the pattern has ${reverser.unreversible}`);
  if (args.length !== spec.groupCount) {
    throw new Error(`cannot reverse ${label}: it needs ${spec.groupCount} argument(s), got ${args.length}`);
  }
  let out = "";
  let a = 0;
  for (const piece of reverser.pieces) {
    if (piece !== null) {
      out += piece;
      continue;
    }
    const arg = args[a++];
    out += arg instanceof Uint8Array ? urlEscape(arg, false) : urlEscape(String(arg), false);
  }
  return out;
}

function duplicateError(what: string, key: string, first: URLSpec, second: URLSpec): Error {
  return new Error(
    `${what} ${JSON.stringify(key)} declared twice: ${className(first.handlerClass)} and ${className(second.handlerClass)}`,
  );
}

export interface HostGroup {
  /** The host pattern as given, anchored with `$`. */
  hostPattern: string;
  hostRegex: RegExp;
  /** `.*$`: matches every host without running the regex. */
  anyHost: boolean;
  table: UrlTable;
}

const WILDCARD_HOST = ".*$";

/**
 * Routes grouped by host pattern (matched, anchored and case-insensitively, on
 * `request.hostName`). Groups are tried in the order added, except that the catch-all `.*$`
 * group always stays last; when a matching group has no route for the path the next matching
 * group is tried (Tornado 6). With `defaultHost`, a request whose host matches no group is
 * routed as if it came for `defaultHost`.
 *
 * @example
 * const router = new HostRouter();
 * router.addHandlers(".*$", [urlSpec("/", Main)]);
 * router.addHandlers("www\\.example\\.com", [urlSpec("/", WwwMain)]);
 * router.match("www.example.com", "/")?.spec.handlerClass // WwwMain
 */
export class HostRouter {
  private readonly groups: HostGroup[] = [];

  /** The host groups in the order they are tried. */
  get tables(): readonly HostGroup[] {
    return this.groups;
  }

  /**
   * Adds routes for `hostPattern`. A spec with its own `host` (from `@Route(…, { host })`) goes
   * to that host's group instead. Names must be unique across every group.
   */
  addHandlers(hostPattern: string | RegExp, specs: readonly URLSpec[]): void {
    for (const spec of specs) {
      if (!isURLSpec(spec)) throw new TypeError(`addHandlers expects urlSpec()s, got ${describe(spec)}`);
      if (spec.name !== undefined) {
        const owner = this.groups.find((g) => g.table.has(spec.name as string));
        if (owner !== undefined) {
          const first = owner.table.specs.find((s) => s.name === spec.name) as URLSpec;
          throw duplicateError("route name", spec.name, first, spec);
        }
      }
      this.groupFor(spec.host ?? hostPattern).table.add(spec);
    }
    if (specs.length === 0) this.groupFor(hostPattern);
  }

  /** Whether every group matches any host, so routing never needs the request's host name. */
  get hostIndependent(): boolean {
    for (let i = 0; i < this.groups.length; i++) if (!this.groups[i].anyHost) return false;
    return true;
  }

  /** The route for `path` on `hostName` (lower-case, no port), or null. */
  match(hostName: string, path: string, defaultHost?: string): RouteMatch | null {
    const groups = this.groups;
    let hostMatched = false;
    for (let i = 0; i < groups.length; i++) {
      if (!groups[i].anyHost && !groups[i].hostRegex.test(hostName)) continue;
      hostMatched = true;
      const found = groups[i].table.match(path);
      if (found !== null) return found;
    }
    if (hostMatched || defaultHost === undefined) return null;
    for (let i = 0; i < groups.length; i++) {
      if (!groups[i].anyHost && !groups[i].hostRegex.test(defaultHost)) continue;
      const found = groups[i].table.match(path);
      if (found !== null) return found;
    }
    return null;
  }

  /** `reverse` of the first group that has a route `name`. */
  reverse(name: string, ...args: unknown[]): string {
    for (const group of this.groups) {
      if (group.table.has(name)) return group.table.reverse(name, ...args);
    }
    throw new Error(`no route named ${JSON.stringify(name)}`);
  }

  private groupFor(hostPattern: string | RegExp): HostGroup {
    const compiled = compilePattern(hostPattern, true);
    const key = compiled.source;
    const existing = this.groups.find((g) => g.hostPattern === key && g.hostRegex.flags === compiled.regex.flags);
    if (existing !== undefined) return existing;
    const group: HostGroup = { hostPattern: key, hostRegex: compiled.regex, anyHost: key === WILDCARD_HOST, table: new UrlTable() };
    const last = this.groups[this.groups.length - 1];
    if (key !== WILDCARD_HOST && last !== undefined && last.hostPattern === WILDCARD_HOST) {
      this.groups.splice(this.groups.length - 1, 0, group);
    } else {
      this.groups.push(group);
    }
    return group;
  }
}

const VERBS = ["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS"] as const;

/** Options of {@link formatRouteTable}. */
export interface RouteTableOptions {
  /** Verb methods defined on this class (the framework's base handler) don't count as implemented. */
  baseClass?: abstract new (...args: never[]) => unknown;
}

/**
 * The route table as aligned text, one route a line: the verbs the handler implements,
 * the pattern, the handler class and the route name (and host, when any route has one).
 *
 * @example
 * console.log(formatRouteTable(app.routes));
 * // METHODS   PATTERN           HANDLER       NAME
 * // GET       /$                MainHandler
 * // GET POST  /story/([0-9]+)$  StoryHandler  story
 */
export function formatRouteTable(specs: readonly URLSpec[], opts: RouteTableOptions = {}): string {
  const withHost = specs.some((s) => s.host !== undefined);
  const rows: string[][] = [withHost ? ["METHODS", "HOST", "PATTERN", "HANDLER", "NAME"] : ["METHODS", "PATTERN", "HANDLER", "NAME"]];
  for (const spec of specs) {
    const methods = implementedVerbs(spec.handlerClass, opts.baseClass).join(" ") || "-";
    const row = [methods, spec.pattern, className(spec.handlerClass), spec.name ?? ""];
    if (withHost) row.splice(1, 0, spec.host ?? "*");
    rows.push(row);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ").trimEnd()).join("\n");
}

/** The HTTP verbs `cls` implements (a method named like the verb, in lower case). */
export function implementedVerbs(cls: HandlerClass, baseClass?: abstract new (...args: never[]) => unknown): string[] {
  const proto = cls.prototype as Record<string, unknown>;
  const base = baseClass?.prototype as Record<string, unknown> | undefined;
  return VERBS.filter((verb) => {
    const method = verb.toLowerCase();
    const fn = proto[method];
    if (typeof fn !== "function") return false;
    if (base !== undefined && base[method] === fn) return false;
    return !definedOnFrameworkBase(proto, method);
  });
}

// The framework's RequestHandler may define every verb (answering 405); those don't count.
function definedOnFrameworkBase(proto: object, method: string): boolean {
  let p: object | null = proto;
  while (p !== null && !Object.prototype.hasOwnProperty.call(p, method)) p = Object.getPrototypeOf(p) as object | null;
  if (p === null) return false;
  const ctor = (p as { constructor?: { name?: string } }).constructor;
  return ctor?.name === "RequestHandler" && p !== proto;
}

/** A class's name for messages. */
export function className(cls: unknown): string {
  return typeof cls === "function" && cls.name ? cls.name : "<anonymous class>";
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `function ${value.name || "<anonymous>"}`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}
