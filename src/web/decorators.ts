/**
 * The decorators users annotate handlers with. They only record metadata (see metadata.ts);
 * the scanner and the handler lifecycle give it meaning.
 */
import {
  ASYNCHRONOUS, AUTHENTICATED, PATH_ARGS, ROUTES, SLASH_POLICY, UI_MODULE, XSRF_EXEMPT,
  type RouteOptions, type RouteRecord, type SlashPolicy,
} from "./metadata";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type AnyClass = Function;

/**
 * Maps a URL pattern to the decorated handler class. Repeatable. The pattern is anchored at
 * both ends and matched on the request path; unnamed groups become positional arguments of
 * the verb method, named groups a trailing object argument.
 *
 * @example
 * @Route("/story/([0-9]+)", { name: "story" })
 * class StoryHandler extends RequestHandler {
 *   get(storyId: number) { this.write(`story ${storyId}`); }
 * }
 */
export function Route(pattern: string | RegExp, options: RouteOptions = {}): ClassDecorator {
  if (typeof pattern !== "string" && !(pattern instanceof RegExp)) {
    throw new TypeError(`@Route needs a string or RegExp pattern, got ${typeof pattern}`);
  }
  return (cls) => {
    const own = (Reflect.getOwnMetadata(ROUTES, cls) as RouteRecord[] | undefined) ?? [];
    // Decorators run bottom-up; unshift keeps the order they are written in.
    Reflect.defineMetadata(ROUTES, [{ pattern, options: { ...options } }, ...own], cls);
  };
}

/**
 * Requires a logged-in user (`currentUser`). On a class it covers every verb. When nobody is
 * logged in, GET and HEAD redirect to `loginUrl` with `?next=`, other methods get 403.
 *
 * @example
 * class Admin extends RequestHandler { @Authenticated get() { … } }
 */
export function Authenticated(target: AnyClass): void;
export function Authenticated(target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor): void;
export function Authenticated(target: object, propertyKey?: string | symbol): void {
  markClassOrMethod(AUTHENTICATED, target, propertyKey);
}

/**
 * The request stays open after the verb method returns, until `this.finish()` is called.
 *
 * @example
 * @Asynchronous get() { setTimeout(this.asyncCallback(() => this.finish("late")), 10); }
 */
export function Asynchronous(target: object, propertyKey: string | symbol, _descriptor?: PropertyDescriptor): void {
  if (propertyKey === undefined) throw new TypeError("@Asynchronous decorates a verb method, not a class");
  Reflect.defineMetadata(ASYNCHRONOUS, true, target, propertyKey);
}

/**
 * Marks a verb method whose path arguments are converted to its declared parameter types
 * (`number` → a number; a non-numeric value is then a 404). TypeScript records parameter types
 * only for decorated methods, so a verb with no other tornado-ts decorator needs this one.
 *
 * @example
 * @Route("/story/([0-9]+)")
 * class StoryHandler extends RequestHandler {
 *   @PathArgs get(storyId: number) { this.write({ next: storyId + 1 }); }
 * }
 */
export function PathArgs(target: object, propertyKey: string | symbol, _descriptor?: PropertyDescriptor): void {
  if (propertyKey === undefined) throw new TypeError("@PathArgs decorates a verb method, not a class");
  Reflect.defineMetadata(PATH_ARGS, true, target, propertyKey);
}

/** Skips the XSRF check for a class or one verb method (for APIs authenticated otherwise). */
export function XsrfExempt(target: AnyClass): void;
export function XsrfExempt(target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor): void;
export function XsrfExempt(target: object, propertyKey?: string | symbol): void {
  markClassOrMethod(XSRF_EXEMPT, target, propertyKey);
}

/** GET/HEAD of `/path/` answer 301 to `/path` (query kept); other methods 404. */
export function RemoveSlash(cls: AnyClass): void {
  setSlashPolicy(cls, "remove");
}

/** GET/HEAD of `/path` answer 301 to `/path/` (query kept); other methods 404. */
export function AddSlash(cls: AnyClass): void {
  setSlashPolicy(cls, "add");
}

/**
 * Registers a UIModule subclass under `name` (default: the class name), callable from
 * templates as `{{ modules.Name(...) }}` or `{% module Name(...) %}`.
 *
 * @example
 * @UiModule() class Entry extends UIModule { render(entry: Entry) { … } }
 */
export function UiModule(name?: string): ClassDecorator;
export function UiModule(cls: AnyClass): void;
export function UiModule(nameOrClass?: string | AnyClass): ClassDecorator | void {
  // Bare `@UiModule` (no parentheses) hands us the class itself.
  if (typeof nameOrClass === "function") {
    Reflect.defineMetadata(UI_MODULE, nameOrClass.name, nameOrClass);
    return;
  }
  if (nameOrClass !== undefined && (typeof nameOrClass !== "string" || nameOrClass === "")) {
    throw new TypeError("@UiModule(name) needs a non-empty string name");
  }
  return (cls) => {
    Reflect.defineMetadata(UI_MODULE, nameOrClass ?? cls.name, cls);
  };
}

function markClassOrMethod(key: symbol, target: object, propertyKey?: string | symbol): void {
  if (propertyKey === undefined) Reflect.defineMetadata(key, true, target);
  else Reflect.defineMetadata(key, true, target, propertyKey);
}

function setSlashPolicy(cls: AnyClass, policy: SlashPolicy): void {
  if (typeof cls !== "function") throw new TypeError("@RemoveSlash / @AddSlash decorate a handler class");
  Reflect.defineMetadata(SLASH_POLICY, policy, cls);
}
