/**
 * The seed's blog demo, the tornado-ts way: entries in a SQL database through
 * tornado-ts/database (SQLite by default, MySQL/MariaDB or PostgreSQL by URL), markdown bodies,
 * an Atom feed, and compose/edit for the author: the first person to sign in.
 */
import { hash, verify } from "@node-rs/argon2";
import path from "node:path";
import { Application, Authenticated, HTTPError, RequestHandler, Route, UIModule, UiModule } from "../../src";
import { Connection } from "../../src/database";
import { exampleDir } from "../assets";
import { renderMarkdown } from "./markdown";
import { type Author, BlogStore, type Entry } from "./store";

const USER_COOKIE = "blogdemo_user";

class BaseHandler extends RequestHandler {
  protected get store(): BlogStore {
    return this.settings.blogStore as BlogStore;
  }

  /** The signed cookie holds the author's id; the row itself comes from the database. */
  override async prepare(): Promise<void> {
    const id = this.getSecureCookie(USER_COOKIE);
    this.currentUser = id && /^[0-9]+$/.test(id) ? await this.store.authorById(Number(id)) : null;
  }

  protected get author(): Author {
    return this.currentUser as Author;
  }

  /** A same-site path to go back to after signing in, never another host. */
  protected nextUrl(): string {
    const next = this.getArgument("next", "/")!;
    return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
  }
}

@Route("/", { name: "home" })
class HomeHandler extends BaseHandler {
  async get(): Promise<void> {
    const entries = await this.store.latest(5);
    this.render("home.html", { entries });
  }
}

@Route("/archive", { name: "archive" })
class ArchiveHandler extends BaseHandler {
  async get(): Promise<void> {
    this.render("archive.html", { entries: await this.store.archive() });
  }
}

@Route("/entry/([a-z0-9-]+)", { name: "entry" })
class EntryHandler extends BaseHandler {
  async get(slug: string): Promise<void> {
    const entry = await this.store.bySlug(slug);
    if (!entry) throw new HTTPError(404);
    this.render("entry.html", { entry });
  }
}

@Route("/feed", { name: "feed" })
class FeedHandler extends BaseHandler {
  async get(): Promise<void> {
    const entries = await this.store.latest(10);
    this.setHeader("Content-Type", "application/atom+xml; charset=UTF-8");
    const base = `${this.request.protocol}://${this.request.host}`;
    this.render("feed.xml", { entries, base, iso: (ms: number) => new Date(Number(ms)).toISOString() });
  }
}

@Route("/compose", { name: "compose" })
class ComposeHandler extends BaseHandler {
  @Authenticated
  async get(): Promise<void> {
    const id = this.getArgument("id", null);
    const entry = id && /^[0-9]+$/.test(id) ? await this.store.byId(Number(id)) : null;
    if (id && !entry) throw new HTTPError(404);
    this.render("compose.html", { entry, error: null });
  }

  @Authenticated
  async post(): Promise<void> {
    const id = this.getArgument("id", "")!;
    const title = this.getArgument("title", "")!.trim();
    const markdown = this.getArgument("markdown", "")!;
    if (!title || !markdown.trim()) {
      this.setStatus(400);
      this.render("compose.html", { entry: { id: id || null, title, markdown }, error: "An entry needs a title and some text." });
      return;
    }
    const html = renderMarkdown(markdown);
    let slug: string | null;
    if (id) {
      if (!/^[0-9]+$/.test(id)) throw new HTTPError(400, "id must be a number");
      slug = await this.store.update(Number(id), title.slice(0, 512), markdown, html);
      if (!slug) throw new HTTPError(404);
    } else {
      slug = await this.store.create(this.author.id, title.slice(0, 512), markdown, html);
    }
    this.redirect("/entry/" + slug);
  }
}

@Route("/auth/login", { name: "login" })
class AuthLoginHandler extends BaseHandler {
  async get(): Promise<void> {
    this.render("login.html", { next: this.nextUrl(), error: null, first: !(await this.store.hasAuthor()) });
  }

  /**
   * As in the seed, the first person to sign in becomes the author; after that only the author's
   * own email and password sign in.
   */
  async post(): Promise<void> {
    const email = this.getArgument("email", "")!.trim().toLowerCase();
    const password = this.getArgument("password", "")!;
    const fail = async (error: string) => {
      this.setStatus(403);
      this.render("login.html", { next: this.nextUrl(), error, first: !(await this.store.hasAuthor()) });
    };
    if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 100) return fail("Please give an email address.");
    if (password.length < 8) return fail("The password needs at least 8 characters.");
    let author = await this.store.authorByEmail(email);
    if (author) {
      if (!(await verify(author.hashed_password, password))) return fail("That email and password don't match.");
    } else {
      const name = this.getArgument("name", "")!.trim().slice(0, 100) || email.split("@")[0];
      author = await this.store.createFirstAuthor(email, name, await hash(password));
      if (!author) return fail("This blog already has its author.");
    }
    this.setSecureCookie(USER_COOKIE, String(author.id));
    this.redirect(this.nextUrl());
  }
}

@Route("/auth/logout", { name: "logout" })
class AuthLogoutHandler extends BaseHandler {
  get(): void {
    this.clearCookie(USER_COOKIE);
    this.redirect(this.nextUrl());
  }
}

/** One entry as the home and entry pages show it. */
@UiModule("Entry")
export class EntryModule extends UIModule {
  override render(entry: Entry, full = false): string {
    return this.renderString("modules/entry.html", { entry, full });
  }
}

export const handlers = [HomeHandler, ArchiveHandler, EntryHandler, FeedHandler, ComposeHandler, AuthLoginHandler, AuthLogoutHandler, EntryModule];

export interface BlogOptions {
  /** Database URL (default: sqlite:blog.db in the working directory). */
  database?: string;
  /** Table name prefix, so specs and benchmarks can share a database. */
  tablePrefix?: string;
  /** Extra Application settings (cookieSecret, debug, …). */
  settings?: Record<string, unknown>;
}

/** The blog application, with its schema created; close `db` when done. */
export async function makeBlogApplication(options: BlogOptions = {}): Promise<{ app: Application; db: Connection; store: BlogStore }> {
  const dir = exampleDir("blog");
  const db = new Connection(options.database ?? "sqlite:blog.db");
  const store = new BlogStore(db, options.tablePrefix);
  try {
    await store.createSchema();
  } catch (err) {
    await db.close();
    throw err;
  }
  const app = new Application(handlers, {
    blogTitle: "A tornado-ts blog",
    cookieSecret: "__TODO:_GENERATE_YOUR_OWN_RANDOM_VALUE_HERE__",
    loginUrl: "/auth/login",
    templatePath: path.join(dir, "templates"),
    staticPath: path.join(dir, "static"),
    xsrfCookies: true,
    blogStore: store,
    ...options.settings,
  });
  return { app, db, store };
}
