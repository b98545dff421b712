/**
 * The decorators users annotate handlers with. They only record metadata (see metadata.ts);
 * the scanner and the handler lifecycle give it meaning.
 *
 * Each works under both TypeScript decorator modes: legacy (`experimentalDecorators`, the
 * arguments are the class, or the prototype, method name and descriptor) and standard (TC39:
 * the value and a `context`). A decorator used where it cannot do its job (on a field, a static
 * or private method, or bare `@PathArgs` without parameter types) throws when the class is
 * defined, saying what to write instead: a security decorator must never be a silent no-op.
 */
import {
  ASYNCHRONOUS, AUTHENTICATED, PATH_ARGS, ROUTES, SLASH_POLICY, STREAM_REQUEST_BODY, UI_MODULE, XSRF_EXEMPT,
  readSite, writeSite,
  type DecorationSite, type PathConverter, type RouteOptions, type RouteRecord, type SlashPolicy,
} from "./metadata";

export type { PathConverter } from "./metadata";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;
type AbstractClass = abstract new (...args: any) => any;
type Method = (this: any, ...args: any) => any;

/** A class decorator usable in both modes (what `@Route(…)` and `@UiModule(…)` return). */
export interface ClassDecoratorBothModes {
  <C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
  (target: AnyClass): void;
}

/** A method decorator usable in both modes (what `@PathArgs(…)` returns). */
export interface MethodDecoratorBothModes {
  (value: Method, context: ClassMethodDecoratorContext): void;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
}

/**
 * Maps a URL pattern to the decorated handler class. Repeatable. The pattern is anchored at
 * both ends and matched on the request path; unnamed groups become positional arguments of
 * the verb method, named groups a trailing object argument.
 *
 * @example
 * @Route("/story/([0-9]+)", { name: "story" })
 * class StoryHandler extends RequestHandler {
 *   @PathArgs(Number) get(storyId: number) { this.write(`story ${storyId}`); }
 * }
 */
export function Route(pattern: string | RegExp, options: RouteOptions = {}): ClassDecoratorBothModes {
  if (typeof pattern !== "string" && !(pattern instanceof RegExp)) {
    throw new TypeError(`@Route needs a string or RegExp pattern, got ${typeof pattern}`);
  }
  return ((...args: unknown[]) => {
    const site = siteOf("@Route(…)", args, { onClass: true, onMethod: false });
    const own = (readSite(site, ROUTES) as RouteRecord[] | undefined) ?? [];
    // Decorators run bottom-up; prepending keeps the order they are written in.
    writeSite(site, ROUTES, [{ pattern, options: { ...options } }, ...own]);
  }) as ClassDecoratorBothModes;
}

/**
 * Requires a logged-in user (`currentUser`). On a class it covers every verb. When nobody is
 * logged in, GET and HEAD redirect to `loginUrl` with `?next=`, other methods get 403.
 *
 * @example
 * class Admin extends RequestHandler { @Authenticated get() { … } }
 */
export function Authenticated<C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
export function Authenticated(value: Method, context: ClassMethodDecoratorContext): void;
export function Authenticated(target: AnyClass): void;
export function Authenticated(target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
export function Authenticated(...args: unknown[]): void {
  writeSite(siteOf("@Authenticated", args, { onClass: true, onMethod: true }), AUTHENTICATED, true);
}

/**
 * The request stays open after the verb method returns, until `this.finish()` is called.
 *
 * @example
 * @Asynchronous get() { setTimeout(this.asyncCallback(() => this.finish("late")), 10); }
 */
export function Asynchronous(value: Method, context: ClassMethodDecoratorContext): void;
export function Asynchronous(target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
export function Asynchronous(...args: unknown[]): void {
  writeSite(siteOf("@Asynchronous", args, { onClass: false, onMethod: true }), ASYNCHRONOUS, true);
}

/**
 * Converts a verb's positional path arguments before the call. Name a converter per argument —
 * `Number` (a non-numeric value is then a 404, never NaN), `String` (unchanged) or any
 * `(raw: string) => value` (one that throws makes the request a 404); this works in both
 * decorator modes and under esbuild/tsx/SWC. Bare `@PathArgs` converts by the declared
 * parameter types instead, which only legacy decorators with `emitDecoratorMetadata` record.
 *
 * @example
 * @Route("/story/([0-9]+)/([a-z]+)")
 * class StoryHandler extends RequestHandler {
 *   @PathArgs(Number, String) get(storyId: number, slug: string) { this.write({ next: storyId + 1, slug }); }
 * }
 */
export function PathArgs(value: Method, context: ClassMethodDecoratorContext): void;
export function PathArgs(target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
export function PathArgs(...converters: PathConverter[]): MethodDecoratorBothModes;
export function PathArgs(...args: unknown[]): MethodDecoratorBothModes | void {
  // Applied bare: (value, context) in standard mode, (prototype, name, descriptor) in legacy mode.
  const legacyKey = args.length === 3 && (typeof args[1] === "string" || typeof args[1] === "symbol");
  if ((args.length === 2 && isStandardContext(args[1])) || legacyKey) {
    const site = siteOf("@PathArgs", args, { onClass: false, onMethod: true }) as Extract<DecorationSite, { kind: "method" }>;
    if (site.mode === "standard") {
      throw new TypeError(
        `bare @PathArgs on ${site.method}() needs the parameter types that only legacy decorators with ` +
          `emitDecoratorMetadata record; under standard decorators name the converters: @PathArgs(Number, String)`,
      );
    }
    if (Reflect.getOwnMetadata("design:paramtypes", site.target, site.method) === undefined) {
      throw new TypeError(
        `bare @PathArgs on ${site.method}() found no parameter types: turn on emitDecoratorMetadata ` +
          `(esbuild, tsx and SWC do not emit them) or name the converters: @PathArgs(Number, String)`,
      );
    }
    writeSite(site, PATH_ARGS, true);
    return;
  }
  const converters = args.map(checkConverter);
  if (converters.length === 0) {
    throw new TypeError("@PathArgs() needs a converter per path argument, e.g. @PathArgs(Number, String)");
  }
  return ((...decoratorArgs: unknown[]) => {
    writeSite(siteOf("@PathArgs(…)", decoratorArgs, { onClass: false, onMethod: true }), PATH_ARGS, converters);
  }) as MethodDecoratorBothModes;
}

/** Skips the XSRF check for a class or one verb method (for APIs authenticated otherwise). */
export function XsrfExempt<C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
export function XsrfExempt(value: Method, context: ClassMethodDecoratorContext): void;
export function XsrfExempt(target: AnyClass): void;
export function XsrfExempt(target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
export function XsrfExempt(...args: unknown[]): void {
  writeSite(siteOf("@XsrfExempt", args, { onClass: true, onMethod: true }), XSRF_EXEMPT, true);
}

/** GET/HEAD of `/path/` answer 301 to `/path` (query kept); other methods 404. */
export function RemoveSlash<C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
export function RemoveSlash(cls: AnyClass): void;
export function RemoveSlash(...args: unknown[]): void {
  setSlashPolicy("@RemoveSlash", args, "remove");
}

/** GET/HEAD of `/path` answer 301 to `/path/` (query kept); other methods 404. */
export function AddSlash<C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
export function AddSlash(cls: AnyClass): void;
export function AddSlash(...args: unknown[]): void {
  setSlashPolicy("@AddSlash", args, "add");
}

/**
 * Streams the request body to the handler (Tornado's `stream_request_body`): `prepare()` runs
 * as soon as the head arrives, then `dataReceived(chunk)` for each piece of the body (return a
 * promise to make the server wait: flow control), then the verb method; `request.body` stays
 * empty. `prepare` may change the body limit or timeout of this one request. Inherited.
 *
 * @example
 * @Route("/upload") @StreamRequestBody
 * class UploadHandler extends RequestHandler {
 *   private size = 0;
 *   prepare() { this.request.connection?.setMaxBodySize?.(10 * 1024 ** 3); }
 *   dataReceived(chunk: Buffer) { this.size += chunk.length; }
 *   put() { this.write({ size: this.size }); }
 * }
 */
export function StreamRequestBody<C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
export function StreamRequestBody(cls: AnyClass): void;
export function StreamRequestBody(...args: unknown[]): void {
  writeSite(siteOf("@StreamRequestBody", args, { onClass: true, onMethod: false }), STREAM_REQUEST_BODY, true);
}

/**
 * Registers a UIModule subclass under `name` (default: the class name), callable from
 * templates as `{{ modules.Name(...) }}` or `{% module Name(...) %}`.
 *
 * @example
 * @UiModule() class Entry extends UIModule { render(entry: Entry) { … } }
 */
export function UiModule(name?: string): ClassDecoratorBothModes;
export function UiModule<C extends AbstractClass>(value: C, context: ClassDecoratorContext<C>): void;
export function UiModule(cls: AnyClass): void;
export function UiModule(...args: unknown[]): ClassDecoratorBothModes | void {
  // Bare `@UiModule` (no parentheses) hands us the class itself.
  if (typeof args[0] === "function") {
    const site = siteOf("@UiModule", args, { onClass: true, onMethod: false });
    writeSite(site, UI_MODULE, className(args, args[0]));
    return;
  }
  const name = args[0];
  if (args.length > 1 || (name !== undefined && (typeof name !== "string" || name === ""))) {
    throw new TypeError("@UiModule(name) needs a non-empty string name");
  }
  return ((...decoratorArgs: unknown[]) => {
    const site = siteOf("@UiModule(…)", decoratorArgs, { onClass: true, onMethod: false });
    writeSite(site, UI_MODULE, name ?? className(decoratorArgs, decoratorArgs[0]));
  }) as ClassDecoratorBothModes;
}

function setSlashPolicy(decorator: string, args: unknown[], policy: SlashPolicy): void {
  writeSite(siteOf(decorator, args, { onClass: true, onMethod: false }), SLASH_POLICY, policy);
}

interface StandardContext {
  kind: string;
  name: string | symbol | undefined;
  static?: boolean;
  private?: boolean;
  metadata?: Record<PropertyKey, unknown>;
}

function isStandardContext(value: unknown): value is StandardContext {
  return typeof value === "object" && value !== null && typeof (value as { kind?: unknown }).kind === "string";
}

const CLASS_ONLY = "a handler class (put it above `class … extends RequestHandler`)";
const METHOD_ONLY = "an instance verb method such as get() or post()";

/**
 * Works out, from a decorator's arguments, which class or method it decorates and in which mode,
 * or throws naming the decorator, what it was put on, and where it belongs.
 */
function siteOf(decorator: string, args: unknown[], allowed: { onClass: boolean; onMethod: boolean }): DecorationSite {
  const where = [allowed.onClass ? CLASS_ONLY : "", allowed.onMethod ? METHOD_ONLY : ""].filter(Boolean).join(" or ");
  const refuse = (what: string): never => {
    throw new TypeError(`${decorator} cannot decorate ${what}: it belongs on ${where}`);
  };
  const [first, second, third] = args;
  if (args.length === 2 && isStandardContext(second)) {
    const context = second;
    const name = typeof context.name === "string" ? context.name : String(context.name);
    if (context.kind === "class") {
      if (!allowed.onClass) refuse(`the class ${name}`);
      return { mode: "standard", kind: "class", metadata: standardMetadata(decorator, context) };
    }
    if (context.kind !== "method") refuse(`the ${context.kind} ${name}`);
    if (!allowed.onMethod) refuse(`the method ${name}()`);
    if (context.static) refuse(`the static method ${name}()`);
    if (context.private || typeof context.name !== "string") refuse(`the private or symbol-named method ${name}`);
    return { mode: "standard", kind: "method", metadata: standardMetadata(decorator, context), method: name };
  }
  if (args.length === 1 && typeof first === "function") {
    if (!allowed.onClass) refuse(`the class ${(first as AnyClass).name || "<anonymous>"}`);
    return { mode: "legacy", kind: "class", target: first as AnyClass };
  }
  if ((args.length === 2 || args.length === 3) && (typeof second === "string" || typeof second === "symbol")) {
    const name = String(second);
    if (typeof third === "number") refuse(`a parameter of ${name}()`);
    if (typeof first === "function") refuse(`the static member ${name}`);
    const descriptor = third as PropertyDescriptor | undefined;
    if (descriptor === undefined || typeof descriptor.value !== "function") refuse(`the property or accessor ${name}`);
    if (!allowed.onMethod) refuse(`the method ${name}()`);
    if (typeof second !== "string") refuse(`the symbol-named method ${name}`);
    return { mode: "legacy", kind: "method", target: first as object, method: name };
  }
  if (args.length === 0) {
    throw new TypeError(`${decorator} was called with no arguments: write it without parentheses (${decorator}, not ${decorator}())`);
  }
  return refuse(`${args.map(describe).join(", ")} (is it used as a decorator?)`);
}

function standardMetadata(decorator: string, context: StandardContext): Record<PropertyKey, unknown> {
  if (typeof context.metadata !== "object" || context.metadata === null) {
    throw new TypeError(
      `${decorator}: the decorator context has no metadata object. Compile with TypeScript 5.2 or later ` +
        `(or esbuild 0.21 or later), or turn on experimentalDecorators`,
    );
  }
  return context.metadata;
}

function className(args: unknown[], cls: unknown): string {
  const context = args[1];
  if (isStandardContext(context) && typeof context.name === "string") return context.name;
  return (cls as AnyClass).name;
}

const NOT_CONVERTERS = new Map<unknown, string>([
  [Boolean, "Boolean (every non-empty string is true): write (raw) => raw === \"true\""],
  [Date, "Date (called without new, it ignores its argument): write (raw) => new Date(raw)"],
  [Object, "Object"], [Array, "Array"], [Symbol, "Symbol"],
]);

function checkConverter(converter: unknown, index: number): PathConverter {
  if (typeof converter !== "function") {
    throw new TypeError(`@PathArgs: converter ${index + 1} is ${describe(converter)}; give Number, String or a (raw: string) => value function`);
  }
  const refused = NOT_CONVERTERS.get(converter);
  if (refused !== undefined) throw new TypeError(`@PathArgs: converter ${index + 1} cannot be ${refused}`);
  if (/^class\b/.test(Function.prototype.toString.call(converter))) {
    throw new TypeError(`@PathArgs: converter ${index + 1} is the class ${converter.name}, which cannot be called: write (raw) => new ${converter.name}(raw)`);
  }
  return converter as PathConverter;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") return `the function ${value.name || "<anonymous>"}`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "an object";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
