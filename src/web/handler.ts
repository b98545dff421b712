/**
 * RequestHandler: the base class of every handler. Subclass it, implement verb methods (`get`,
 * `post`, …) and override the hooks (`initialize`, `prepare`, `onFinish`, `getCurrentUser`,
 * `getUserLocale`, `writeError`, `computeEtag`). The output half lives in handler_response.ts.
 */
import type { SafeString } from "../escape";
import type { RawArgumentMap, RequestBodyDelegate } from "../httputil";
import { StreamBufferFullError, StreamClosedError } from "../iostream_types";
import { appLog, genLog } from "../log";
import { Locale, parseAcceptLanguage } from "../locale";
import { Finish, HTTPError } from "./errors";
import { REQUIRED, argumentValues, decodeUtf8Argument, decodeUtf8Bytes, decoderUsing, lastArgument, type ArgumentDecoder } from "./handler_args";
import { NOT_FOUND, SUPPORTED_METHODS, convertArgs, hasKeys, planFor, type ClassPlan, type VerbPlan } from "./handler_plan";
import { templateNamespace } from "./handler_render";
import { HandlerResponse } from "./handler_response";
import { HandlerBodyStream } from "./handler_stream";
import { readRawXsrfToken, verifyXsrfToken, xsrfInput, type RawXsrfToken } from "./handler_xsrf";
import { readSignedCookie, secureCookieAttributes, type GetSecureCookieOptions, type SecureCookieOptions } from "./handler_cookies";
import { loginRedirectTarget, slashRedirectTarget } from "./handler_redirects";
import { createSignedValue, encodeXsrfToken, getSignatureKeyVersion, type CookieOptions } from "./security";
import { requireSetting, type ApplicationSettings, type TemplateLoaderLike } from "./settings";

export { SUPPORTED_METHODS } from "./handler_plan";
export type { ErrorExtras, WriteChunk } from "./handler_response";
export type { GetSecureCookieOptions, SecureCookieOptions } from "./handler_cookies";

type UiModuleModule = typeof import("./uimodule");
type UiBinding = ReturnType<UiModuleModule["bindUiModules"]>;

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const RESOLVED: Promise<void> = Promise.resolve();
// Until the lifecycle sets the request's own (every request would otherwise allocate two to drop).
const NO_PATH_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];
const NO_PATH_KWARGS: Record<string, string> = Object.freeze({});

/**
 * Handles one request. The router creates an instance per request and runs `execute`:
 * method check → typed path arguments → XSRF check → `prepare` → slash policy → `@Authenticated`
 * → verb method → `finish` → `onFinish`.
 *
 * The application constructs the handler and then calls `initialize(init)`, so subclass fields
 * are already set up when it runs: `store!: Store` and `store: Store = defaultStore` both keep
 * what `initialize` assigns, whatever `useDefineForClassFields` is.
 * Typed path arguments come from `@PathArgs(Number, …)` on the verb (any decorator mode), or, with
 * legacy decorators and `emitDecoratorMetadata`, from the declared types of a decorated verb.
 *
 * @example
 * @Route("/story/([0-9]+)")
 * class StoryHandler extends RequestHandler {
 *   async get(storyId: number) {
 *     const story = await db.story(storyId);
 *     if (!story) throw new HTTPError(404);
 *     await this.render("story.html", { story });
 *   }
 * }
 */
export class RequestHandler<User = unknown> extends HandlerResponse {
  static readonly SUPPORTED_METHODS: readonly string[] = SUPPORTED_METHODS;

  /** Positional path arguments (converted per the verb's parameter types). */
  pathArgs: unknown[] = NO_PATH_ARGS;
  /** Named path groups. */
  pathKwargs: Record<string, string> = NO_PATH_KWARGS;

  private currentUserLoaded = false;
  private currentUserValue: User | null = null;
  private localeValue: Locale | undefined;
  private xsrfTokenValue: string | undefined;
  private rawXsrf: RawXsrfToken | undefined;
  private uiBinding: UiBinding | undefined;
  private finishWaiter: (() => void) | null = null;
  private connectionClosed = false;
  /** Set while a `@StreamRequestBody` handler's body is arriving. */
  private bodyStream: HandlerBodyStream | null = null;

  /**
   * Hook: receives the route's `init` (the seed's `initialize(**kwargs)`). Called right after
   * construction — not from the constructor, where a subclass's field initializers (which run
   * after `super()` returns) would overwrite what it set.
   */
  initialize(_init?: unknown): void {}

  /** Hook: runs before the verb method; may be async, and may finish the request itself. */
  prepare(): void | Promise<void> {}

  /** Hook: the client went away before the response finished (long polls clean up here). */
  onConnectionClose(): void {}

  /**
   * Hook of a `@StreamRequestBody` handler: gets each piece of the request body as it arrives,
   * after `prepare` and before the verb method. While a returned promise is pending the server
   * reads no more of the body (flow control). A thrown error is answered like one from a verb.
   *
   * @example
   * async dataReceived(chunk: Buffer) { await this.file.write(chunk); }
   */
  dataReceived(_chunk: Buffer): void | Promise<void> {
    throw new Error(`${this.constructor.name} is @StreamRequestBody but does not implement dataReceived`);
  }

  /**
   * Starts the lifecycle of a `@StreamRequestBody` handler when the request's head arrives and
   * returns what the server streams the body into; the verb runs once the body is complete.
   * @internal
   */
  startStreaming(pathArgs: readonly string[], pathKwargs: Record<string, string>): RequestBodyDelegate {
    const body = new HandlerBodyStream(this);
    this.bodyStream = body;
    const lifecycle = this.startLifecycle(pathArgs, pathKwargs);
    // Whatever ended the lifecycle before prepare did (405, XSRF, an error) must still let the server go on.
    if (lifecycle === undefined) body.prepared();
    else void lifecycle.then(() => body.prepared());
    return body;
  }

  /** @internal An exception from `dataReceived`. */
  streamingFailed(err: unknown): void {
    this.handleException(err);
  }

  /**
   * Runs the request through the lifecycle. Errors become error responses; nothing is thrown.
   */
  execute(pathArgs: readonly string[] = [], pathKwargs: Record<string, string> = {}): Promise<void> {
    try {
      return this.startLifecycle(pathArgs, pathKwargs) ?? RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * execute() for the router: returns a promise only while the lifecycle is still running.
   * A handler whose prepare and verb return no promise runs start to finish synchronously,
   * allocating no promise at all (measured: about 1 µs less per request).
   * @internal
   */
  startLifecycle(pathArgs: readonly string[], pathKwargs: Record<string, string>): Promise<void> | undefined {
    const transforms = this.application.transforms;
    if (transforms.length > 0) this.outputTransforms = transforms.map((T) => new T(this.request));
    this.request.connection?.setCloseCallback(this.connectionLost, this);
    try {
      const pending = this.runLifecycle(planFor(this.constructor, RequestHandler.prototype), pathArgs, pathKwargs);
      // A waiter set now means `pending` is the promise of a synchronous @Asynchronous verb's
      // finish, which never rejects: no handler (and no promise, closure) to hold while it waits.
      if (pending !== undefined) return this.finishWaiter !== null ? pending : pending.then(undefined, (err: unknown) => this.handleException(err));
    } catch (err) {
      this.handleException(err);
    }
    return undefined;
  }

  /** The lifecycle up to prepare; returns a promise only when something in it was async. */
  private runLifecycle(plan: ClassPlan, rawArgs: readonly string[], pathKwargs: Record<string, string>): Promise<void> | undefined {
    const method = this.request.method;
    const verb = plan.verbs.get(method);
    if (verb === undefined) return this.runWithoutVerb(plan, method);
    const args = convertArgs(verb, rawArgs);
    if (args === NOT_FOUND) throw new HTTPError(404, `path arguments ${JSON.stringify(rawArgs)} do not fit ${this.constructor.name}.${verb.name}`);
    this.pathArgs = args;
    this.pathKwargs = pathKwargs;
    if (this.settings.xsrfCookies && !SAFE_METHODS.has(method) && !verb.xsrfExempt) this.checkXsrfCookie();
    const prepared = this.prepare();
    if (this.bodyStream !== null) return this.runAfterBody(this.bodyStream, prepared, plan, verb, args, pathKwargs);
    if (prepared instanceof Promise) return prepared.then(() => this.runVerb(plan, verb, args, pathKwargs));
    return this.runVerb(plan, verb, args, pathKwargs);
  }

  /**
   * A method the class does not implement: as in Tornado, prepare still runs first when the
   * method is a supported one (it may answer the request itself); 405 if it did not.
   */
  private runWithoutVerb(plan: ClassPlan, method: string): Promise<void> | undefined {
    this.allowOnError = plan.allow;
    const notAllowed = (): undefined => {
      if (this.finished) return undefined;
      throw new HTTPError(405, `${this.constructor.name} does not implement ${method}`);
    };
    if (!(this.constructor as typeof RequestHandler).SUPPORTED_METHODS.includes(method)) return notAllowed();
    if (this.settings.xsrfCookies && !SAFE_METHODS.has(method)) this.checkXsrfCookie();
    const prepared = this.prepare();
    return prepared instanceof Promise ? prepared.then(notAllowed) : notAllowed();
  }

  /** The lifecycle after prepare: slash policy, @Authenticated, the verb, finish. */
  private runVerb(plan: ClassPlan, verb: VerbPlan, args: unknown[], pathKwargs: Record<string, string>): Promise<void> | undefined {
    if (this.finished) return undefined;
    if (plan.slashPolicy !== undefined && this.redirectForSlash(plan.slashPolicy)) return undefined;
    const method = this.request.method;
    if (verb.authenticated && !this.currentUser) {
      if (method !== "GET" && method !== "HEAD") throw new HTTPError(403, "login required");
      this.redirect(this.loginRedirectUrl());
      return undefined;
    }
    const callArgs = hasKeys(pathKwargs) ? [...args, pathKwargs] : args;
    if (verb.asynchronous) return this.runAsynchronous(verb, callArgs);
    const result = verb.fn.apply(this, callArgs);
    if (result instanceof Promise) return result.then(() => this.finishIfOpen());
    this.finishIfOpen();
    return undefined;
  }

  /** A streaming handler after prepare: lets the body flow into dataReceived, then runs the verb. */
  private async runAfterBody(
    body: HandlerBodyStream, prepared: void | Promise<void>, plan: ClassPlan, verb: VerbPlan, args: unknown[], pathKwargs: Record<string, string>,
  ): Promise<void> {
    try {
      await prepared;
    } finally {
      body.prepared();
    }
    if (this.finished) return;
    const complete = await body.arrived;
    this.bodyStream = null;
    // Not complete: the server refused the body or the peer left; it answered or closed already.
    if (!complete || this.finished) return;
    return this.runVerb(plan, verb, args, pathKwargs);
  }

  private finishIfOpen(): void {
    if (!this.finished) this.finish();
  }

  /**
   * An @Asynchronous verb: the request ends when the handler calls finish (or the peer leaves).
   * A waiting handler holds one promise and its resolve function (no async frame): long polls
   * keep thousands of them.
   */
  private runAsynchronous(verb: VerbPlan, callArgs: unknown[]): Promise<void> | undefined {
    const result = verb.fn.apply(this, callArgs);
    if (result instanceof Promise) return result.then(() => this.untilFinished());
    return this.untilFinished();
  }

  /** A promise that settles when the response finishes or the peer leaves; undefined if it has. */
  private untilFinished(): Promise<void> | undefined {
    if (this.finished || this.connectionClosed) return undefined;
    return new Promise<void>((resolve) => (this.finishWaiter = resolve));
  }

  /** Applies @RemoveSlash / @AddSlash; true when it answered with a redirect. */
  private redirectForSlash(policy: "remove" | "add"): boolean {
    const target = slashRedirectTarget(this.request, policy);
    if (target === null) return false;
    this.redirect(target, true);
    return true;
  }

  private loginRedirectUrl(): string {
    return loginRedirectTarget(this.getLoginUrl(), this.request);
  }

  /** Turns an exception from any lifecycle step into a response (and a log line). */
  private handleException(err: unknown): void {
    if (err instanceof Finish) {
      if (!this.finished) {
        try {
          this.finish(err.chunk);
        } catch (e) {
          appLog.error("Cannot finish the response", e);
        }
      }
      return;
    }
    if (err instanceof StreamClosedError || err instanceof StreamBufferFullError) {
      // The client went away (or stopped reading) mid-response: a normal event on the internet, not
      // an application error. onConnectionClose has run; end the response quietly for the log.
      genLog.debug(`${this.request.method} ${this.request.uri} (${this.request.remoteIp}): client connection lost: ${err.message}`);
      this.connectionClosed = true;
      if (!this.finished) {
        try {
          this.finish();
        } catch {
          // nothing more to say to a peer that is gone
        }
      }
      return;
    }
    this.logException(err);
    this.observe()?.recordError?.(err);
    if (this.finished) return;
    this.sendError(err instanceof HTTPError ? err.statusCode : 500, { exc: err });
  }

  /** Hook: logs an exception the lifecycle caught; HTTPErrors log only their `logMessage`. */
  logException(err: unknown): void {
    const summary = `${this.request.method} ${this.request.uri} (${this.request.remoteIp})`;
    if (err instanceof HTTPError) {
      if (err.logMessage) genLog.warning(`${err.statusCode} ${summary}: ${err.logMessage}`);
      return;
    }
    appLog.error(`Uncaught exception ${summary}`, err);
  }

  /**
   * Wraps a callback of an `@Asynchronous` method: an exception it throws (or a promise it
   * rejects) becomes an error response instead of escaping to the event loop.
   *
   * @example
   * @Asynchronous get() { setTimeout(this.asyncCallback(() => this.finish("done")), 10); }
   */
  asyncCallback<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined {
    return (...args: A) => {
      try {
        const result = fn.apply(this, args);
        if (result instanceof Promise) result.catch((err: unknown) => this.handleException(err));
        return result;
      } catch (err) {
        this.handleException(err);
        return undefined;
      }
    };
  }

  protected afterFinish(): void {
    this.application.logRequest(this);
    const waiter = this.finishWaiter;
    this.finishWaiter = null;
    waiter?.();
  }

  private connectionLost(): void {
    this.connectionClosed = true;
    try {
      this.onConnectionClose();
    } catch (err) {
      appLog.error("Exception in onConnectionClose", err);
    }
    const waiter = this.finishWaiter;
    this.finishWaiter = null;
    waiter?.();
  }

  // ---- input -----------------------------------------------------------------------------

  /**
   * The last value of argument `name` from the query or the body (the body wins), stripped
   * unless `strip` is false, control characters replaced by spaces. Without a default, a missing
   * argument throws MissingArgumentError (400). Pass `null` as default for an optional one.
   *
   * @example
   * const page = this.getArgument("page", "1");
   */
  getArgument(name: string): string;
  getArgument<D>(name: string, defaultValue: D, strip?: boolean): string | D;
  getArgument<D>(name: string, defaultValue?: D, strip = true): string | D {
    return lastArgument(this.argSources("all"), name, arguments.length < 2 ? REQUIRED : (defaultValue as D), strip, this.argumentDecoder());
  }

  /** Every value of `name` from the query then the body (empty when absent). */
  getArguments(name: string, strip = true): string[] {
    return argumentValues(this.argSources("all"), name, strip, this.argumentDecoder());
  }

  /** Like getArgument, from the query string only. */
  getQueryArgument(name: string): string;
  getQueryArgument<D>(name: string, defaultValue: D, strip?: boolean): string | D;
  getQueryArgument<D>(name: string, defaultValue?: D, strip = true): string | D {
    return lastArgument(this.argSources("query"), name, arguments.length < 2 ? REQUIRED : (defaultValue as D), strip, this.argumentDecoder());
  }

  getQueryArguments(name: string, strip = true): string[] {
    return argumentValues(this.argSources("query"), name, strip, this.argumentDecoder());
  }

  /** Like getArgument, from the form body only. */
  getBodyArgument(name: string): string;
  getBodyArgument<D>(name: string, defaultValue: D, strip?: boolean): string | D;
  getBodyArgument<D>(name: string, defaultValue?: D, strip = true): string | D {
    return lastArgument(this.argSources("body"), name, arguments.length < 2 ? REQUIRED : (defaultValue as D), strip, this.argumentDecoder());
  }

  getBodyArguments(name: string, strip = true): string[] {
    return argumentValues(this.argSources("body"), name, strip, this.argumentDecoder());
  }

  /**
   * Hook: decodes the bytes of a query or body argument (UTF-8 by default; invalid UTF-8 answers
   * 400 "Invalid unicode in NAME", as in Tornado). Override it to accept another charset.
   *
   * @example
   * override decodeArgument(value: Buffer): string { return value.toString("latin1"); }
   */
  decodeArgument(value: Buffer, name?: string): string {
    return decodeUtf8Bytes(value, name);
  }

  private argSources(which: "query" | "body" | "all"): RawArgumentMap[] {
    const request = this.request;
    if (which === "all") return [request.rawQueryArguments, request.rawBodyArguments];
    return [which === "query" ? request.rawQueryArguments : request.rawBodyArguments];
  }

  /** The UTF-8 fast path (no Buffer for ASCII) unless decodeArgument is overridden. */
  private argumentDecoder(): ArgumentDecoder {
    if (this.decodeArgument === RequestHandler.prototype.decodeArgument) return decodeUtf8Argument;
    return decoderUsing((value, name) => this.decodeArgument(value, name));
  }

  /** A request cookie's value, or `defaultValue`. */
  getCookie(name: string, defaultValue?: string): string | undefined {
    return this.request.cookies[name] ?? defaultValue;
  }

  // ---- signed cookies ----------------------------------------------------------------------

  /**
   * Sets a cookie signed with `cookieSecret` (and `keyVersion`), so it can be trusted when read
   * back with getSecureCookie. Expires in 30 days unless told otherwise.
   *
   * @example
   * this.setSecureCookie("user", userId);
   */
  setSecureCookie(name: string, value: string | Buffer, options: SecureCookieOptions = {}): void {
    this.setCookie(name, this.createSignedValue(name, value, options.version), secureCookieAttributes(options));
  }

  /** Alias of setSecureCookie. */
  setSignedCookie(name: string, value: string | Buffer, options: SecureCookieOptions = {}): void {
    this.setSecureCookie(name, value, options);
  }

  /** A value signed like a secure cookie, for use elsewhere (a URL, a form field). */
  createSignedValue(name: string, value: string | Buffer, version?: 1 | 2): string {
    const secret = this.requireSetting("cookieSecret", "secure cookies");
    return createSignedValue(secret, name, value, { version, keyVersion: this.settings.keyVersion });
  }

  /**
   * The verified value of a signed cookie, or null when absent, tampered with or too old.
   *
   * @example
   * const userId = this.getSecureCookie("user");
   */
  getSecureCookie(name: string, options: GetSecureCookieOptions = {}): string | null {
    const secret = this.requireSetting("cookieSecret", "secure cookies");
    const raw = options.value === undefined ? this.getCookie(name) : options.value;
    return readSignedCookie(secret, name, raw, options);
  }

  /** Alias of getSecureCookie. */
  getSignedCookie(name: string, options: GetSecureCookieOptions = {}): string | null {
    return this.getSecureCookie(name, options);
  }

  /** The key version a signed cookie was made with (key rotation), or null. */
  getSecureCookieKeyVersion(name: string, value?: string): number | null {
    this.requireSetting("cookieSecret", "secure cookies");
    const raw = value ?? this.getCookie(name);
    return raw === undefined ? null : getSignatureKeyVersion(raw);
  }

  // ---- users and locales -----------------------------------------------------------------

  /**
   * The logged-in user, from `getCurrentUser()` on first use; may be assigned (e.g. in prepare).
   * Its type is the class's type parameter: `class Admin extends RequestHandler<Account>`.
   */
  get currentUser(): User | null {
    if (!this.currentUserLoaded) {
      this.currentUserValue = this.getCurrentUser();
      this.currentUserLoaded = true;
    }
    return this.currentUserValue;
  }

  set currentUser(user: User | null) {
    this.currentUserValue = user;
    this.currentUserLoaded = true;
  }

  /** Hook: who is logged in (null when nobody). */
  getCurrentUser(): User | null {
    return null;
  }

  /** Hook: where `@Authenticated` sends anonymous users; default the `loginUrl` setting. */
  getLoginUrl(): string {
    return this.requireSetting("loginUrl", "@Authenticated");
  }

  /** The locale of this request: `getUserLocale()`, else the browser's Accept-Language. */
  get locale(): Locale {
    return (this.localeValue ??= this.getUserLocale() ?? this.getBrowserLocale());
  }

  set locale(value: Locale) {
    this.localeValue = value;
  }

  /** Hook: the user's chosen locale (from a profile), or null to use the browser's. */
  getUserLocale(): Locale | null {
    return null;
  }

  /** The best supported locale for the Accept-Language header (q-values honoured). */
  getBrowserLocale(defaultCode = "en_US"): Locale {
    const header = this.request.headers.get("Accept-Language");
    const codes = header ? parseAcceptLanguage(header) : [];
    return codes.length > 0 ? Locale.get(...codes) : Locale.get(defaultCode);
  }

  // ---- XSRF ------------------------------------------------------------------------------

  /**
   * The XSRF token for this page (masked afresh per request); sets the `_xsrf` cookie when the
   * browser has none.
   */
  get xsrfToken(): string {
    if (this.xsrfTokenValue === undefined) {
      const raw = this.rawXsrfToken();
      this.xsrfTokenValue = encodeXsrfToken(raw.token, raw.timestamp, this.settings.xsrfCookieVersion ?? 2);
      if (raw.version === null) {
        const options: CookieOptions = { ...this.settings.xsrfCookieKwargs };
        if (options.expires === undefined && options.expiresDays === undefined && this.currentUser) options.expiresDays = 30;
        this.setCookie(this.xsrfCookieName(), this.xsrfTokenValue, options);
      }
    }
    return this.xsrfTokenValue;
  }

  /**
   * Throws HTTPError(403) unless the `_xsrf` argument (or X-Xsrftoken / X-Csrftoken header)
   * matches the `_xsrf` cookie. Runs automatically for unsafe methods when `xsrfCookies` is on.
   */
  checkXsrfCookie(): void {
    const headers = this.request.headers;
    const sent = this.getArgument("_xsrf", null) ?? headers.get("X-Xsrftoken") ?? headers.get("X-Csrftoken");
    verifyXsrfToken(sent ?? undefined, this.getCookie(this.xsrfCookieName()));
  }

  /** `<input type="hidden" name="_xsrf" value="…"/>` to put in every POST form. */
  xsrfFormHtml(): SafeString {
    return xsrfInput(this.xsrfToken);
  }

  private rawXsrfToken(): RawXsrfToken {
    return (this.rawXsrf ??= readRawXsrfToken(this.getCookie(this.xsrfCookieName())));
  }

  private xsrfCookieName(): string {
    return this.settings.xsrfCookieName ?? "_xsrf";
  }

  // ---- URLs and templates ----------------------------------------------------------------

  /**
   * The versioned URL of a static file (`/static/app.css?v=…`).
   *
   * @example
   * this.staticUrl("app.css");
   */
  staticUrl(path: string, includeHost = false, includeVersion = true): string {
    this.requireSetting("staticPath", "staticUrl");
    // Through the application: static.ts extends this class, so importing it here would be a cycle.
    const url = this.application.staticHandlerClass().makeStaticUrl(this.settings, path, includeVersion);
    return includeHost ? `${this.request.protocol}://${this.request.host}${url}` : url;
  }

  /** The URL of the route named `name` with `args` filled in. */
  reverseUrl(name: string, ...args: unknown[]): string {
    return this.application.reverseUrl(name, ...args);
  }

  /**
   * Renders a template with `kwargs` (plus the standard namespace) and finishes the response
   * with it, adding the JavaScript/CSS of the UI modules it used.
   *
   * @example
   * await this.render("home.html", { entries });
   */
  render(templateName: string, kwargs: Record<string, unknown> = {}): Promise<void> {
    if (this.finished) throw new Error("Cannot render() after finish()");
    this.observe()?.recordRender?.(templateName, kwargs);
    let html = this.renderString(templateName, kwargs);
    if (this.uiBinding !== undefined) html = this.uiBinding.injectResources(html);
    return this.finish(html);
  }

  /** Renders a template to a string without finishing (UI modules use it too). */
  renderString(templateName: string, kwargs: Record<string, unknown> = {}): string {
    const template = this.templateLoader().load(templateName);
    const namespace = this.getTemplateNamespace();
    Object.assign(namespace, kwargs);
    return template.generate(namespace);
  }

  /** Hook: the names every template sees (override to add your own). */
  getTemplateNamespace(): Record<string, unknown> {
    if (this.uiBinding === undefined) {
      const { bindUiModules } = require("./uimodule") as UiModuleModule;
      this.uiBinding = bindUiModules(this, this.application.uiModules);
    }
    return templateNamespace(this, this.uiBinding.modules, this.application.uiMethods);
  }

  /** Hook: the folder templates load from; default the `templatePath` setting, else the cwd. */
  getTemplatePath(): string {
    return this.settings.templatePath ?? process.cwd();
  }

  /** The template loader for this handler (shared per template path by the application). */
  protected templateLoader(): TemplateLoaderLike {
    return this.application.templateLoader(this.getTemplatePath());
  }

  /** A setting that must be there for `feature`; a clear error naming it otherwise. */
  protected requireSetting<K extends keyof ApplicationSettings>(name: K, feature: string): NonNullable<ApplicationSettings[K]> {
    return requireSetting(this.settings, name, feature);
  }
}
