/**
 * The seed README's walkthrough, snippet by snippet, as decorated tornado-ts handlers. Each section
 * of the walkthrough has its own path so they can live in one application.
 */
import path from "node:path";
import {
  Application, Asynchronous, Authenticated, HTTPError, Locale, PathArgs, RequestHandler, Route, UIModule, UiModule,
  jsonDecode, loadTranslations, xhtmlEscape,
} from "../../src";
import { AsyncHTTPClient, type HTTPResponse } from "../../src/httpclient";
import { exampleDir } from "../assets";

const COOKIE_SECRET = "61oETzKXQAGaYdkL5gEmGeJJFuYh7EQnp2XdTP1o/Vo=";

/** Templates: the seed's template.html with title and items, plus a UI module per item. */
@Route("/", { name: "home" })
class HomeHandler extends RequestHandler {
  get(): void {
    const items = ["Item 1", "Item 2", "Item 3"];
    this.render("template.html", { title: "My title", items, add: (x: number, y: number) => x + y });
  }
}

/** Request handlers: regex groups become (typed) arguments. */
@Route("/story/([0-9]+)", { name: "story" })
class StoryHandler extends RequestHandler {
  @PathArgs
  get(storyId: number): void {
    this.write(`You requested the story ${storyId} (the ${typeof storyId} after it is ${storyId + 1})`);
  }
}

/** Request arguments: a form posting back to itself. */
@Route("/form")
class FormHandler extends RequestHandler {
  get(): void {
    this.render("form.html");
  }
  post(): void {
    this.setHeader("Content-Type", "text/plain");
    this.write("You wrote " + this.getArgument("message"));
  }
}

/** Errors: throw HTTPError to answer with a status. */
@Route("/admin")
class AdminHandler extends RequestHandler {
  get(): void {
    if (!this.currentUser) throw new HTTPError(403);
    this.write("Welcome to the admin page");
  }
}

/** Cookies. */
@Route("/cookie")
class CookieHandler extends RequestHandler {
  get(): void {
    if (!this.getCookie("mycookie")) {
      this.setCookie("mycookie", "myvalue");
      this.write("Your cookie was not set yet!");
    } else {
      this.write("Your cookie was set!");
    }
  }
}

/** Secure cookies: signed with cookieSecret, forged ones read as absent. */
@Route("/secure-cookie")
class SecureCookieHandler extends RequestHandler {
  get(): void {
    if (!this.getSecureCookie("mycookie")) {
      this.setSecureCookie("mycookie", "myvalue");
      this.write("Your cookie was not set yet!");
    } else {
      this.write("Your cookie was set!");
    }
  }
}

/** User authentication: the current user is the nickname in a secure cookie. */
class BaseHandler extends RequestHandler {
  override getCurrentUser(): string | null {
    return this.getSecureCookie("user");
  }
}

@Route("/hello")
class HelloHandler extends BaseHandler {
  @Authenticated
  get(): void {
    this.write("Hello, " + xhtmlEscape(this.currentUser));
  }
}

@Route("/login", { name: "login" })
class LoginHandler extends BaseHandler {
  get(): void {
    this.render("login.html", { next: this.getArgument("next", "/hello") });
  }
  post(): void {
    this.setSecureCookie("user", this.getArgument("name")!);
    const next = this.getArgument("next", "/hello")!;
    this.redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/hello");
  }
}

/**
 * A stand-in for the FriendFeed API the seed fetched from: a local JSON route, so the example
 * runs with no network. The async handlers below fetch it over HTTP with AsyncHTTPClient.
 */
@Route("/api/feed/([a-z]+)", { name: "feed" })
class FeedApiHandler extends RequestHandler {
  get(user: string): void {
    this.write({ user, entries: [{ id: 1, body: "Hello" }, { id: 2, body: "Tornado" }, { id: 3, body: "in TypeScript" }] });
  }
}

/** Where the async handlers fetch from: the `feedUrl` setting (main.ts sets it once listening). */
function feedUrl(handler: RequestHandler): string {
  const url = handler.settings.feedUrl;
  if (typeof url !== "string") throw new HTTPError(500, "the feedUrl setting is missing");
  return url;
}

/** Non-blocking requests: the seed's form, a fetch callback wrapped by asyncCallback. */
@Route("/async")
class AsyncHandler extends RequestHandler {
  @Asynchronous
  get(): void {
    const http = new AsyncHTTPClient();
    void http.fetch(feedUrl(this), this.asyncCallback((response: HTTPResponse) => this.onResponse(response)));
  }
  private onResponse(response: HTTPResponse): void {
    if (response.error) throw new HTTPError(500);
    const json = jsonDecode(response.body) as { entries: unknown[] };
    this.write("Fetched " + json.entries.length + " entries from the FriendFeed API");
    this.finish();
  }
}

/** The same with async/await: a non-2xx or network error rejects, and becomes a 500. */
@Route("/async-await")
class AsyncAwaitHandler extends RequestHandler {
  async get(): Promise<void> {
    const response = await new AsyncHTTPClient().fetch(feedUrl(this));
    const json = response.json<{ entries: unknown[] }>();
    this.write("Fetched " + json.entries.length + " entries");
  }
}

/**
 * Localization: `_()` and `locale.formatDate` in the user's language (Accept-Language, or `?lang=`
 * through getUserLocale), with the Spanish translations in translations/es_LA.csv.
 */
@Route("/localized")
class LocalizedHandler extends RequestHandler {
  override getUserLocale(): Locale | null {
    const lang = this.getArgument("lang", null);
    return lang ? Locale.get(lang) : null;
  }
  get(): void {
    const people = ["ann", "ben", "cat"];
    this.render("localized.html", { people, posted: new Date(Date.now() - 5 * 60_000) });
  }
}

/** UI modules: one entry, with its own CSS and JavaScript included once per page. */
@UiModule("Entry")
export class EntryModule extends UIModule {
  override render(entry: string, showComments = false): string {
    return this.renderString("module-entry.html", { entry, showComments });
  }
  override embeddedCss(): string {
    return ".entry { margin-bottom: 1em; }";
  }
  override embeddedJavascript(): string {
    return 'document.querySelectorAll(".entry").forEach((e) => e.setAttribute("data-ready", "1"));';
  }
}

export const handlers = [
  HomeHandler, StoryHandler, FormHandler, AdminHandler, CookieHandler, SecureCookieHandler,
  HelloHandler, LoginHandler, FeedApiHandler, AsyncHandler, AsyncAwaitHandler, LocalizedHandler, EntryModule,
];

/** The walkthrough's application with the seed's settings (cookie secret, login URL, XSRF, static). */
export function makeApplication(settings: Record<string, unknown> = {}): Application {
  const dir = exampleDir("walkthrough");
  loadTranslations(path.join(dir, "translations"));
  return new Application(handlers, {
    cookieSecret: COOKIE_SECRET,
    loginUrl: "/login",
    xsrfCookies: true,
    templatePath: path.join(dir, "templates"),
    staticPath: path.join(dir, "static"),
    ...settings,
  });
}
