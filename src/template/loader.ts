/**
 * Template loaders: they find templates by name, compile each once and cache it, and give the
 * templates they load shared defaults (autoescape, namespace, whitespace).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFER_COMPILE, Template, type TemplateSource } from "./template";
import type { WhitespaceMode } from "./whitespace";

/** Options of {@link Loader} and {@link DictLoader}. */
export interface LoaderOptions {
  /** Namespace function escaping `{{ }}` output, or null for none. Default `"xhtml_escape"`. */
  autoescape?: string | null;
  /** Names added to every template's namespace (over the default namespace, under render arguments). */
  namespace?: Record<string, unknown>;
  /** Whitespace mode of every template; default by file name (`single` for .html/.js, else `all`). */
  whitespace?: WhitespaceMode;
}

/**
 * The common part of loaders: name resolution, the cache, `reset()`. Subclasses read sources.
 */
export abstract class BaseLoader implements TemplateSource {
  readonly autoescape: string | null;
  readonly namespace: Readonly<Record<string, unknown>>;
  readonly whitespace: WhitespaceMode | undefined;
  private readonly templates = new Map<string, Template>();

  constructor(options: LoaderOptions = {}) {
    this.autoescape = options.autoescape !== undefined ? options.autoescape : "xhtml_escape";
    this.namespace = { ...options.namespace };
    this.whitespace = options.whitespace;
  }

  /**
   * The canonical name of `name`: relative to `parentPath`'s folder when given (and `name` does not
   * start with `/`), normalized, never outside the root (throws).
   *
   * @example
   * loader.resolvePath("header.html", "pages/home.html") // "pages/header.html"
   */
  resolvePath(name: string, parentPath?: string): string {
    const clean = name.replace(/\\/g, "/");
    let joined = clean;
    if (parentPath && !parentPath.startsWith("<") && !clean.startsWith("/")) {
      joined = path.posix.join(path.posix.dirname(parentPath.replace(/\\/g, "/")), clean);
    }
    const normalized = path.posix.normalize(joined.replace(/^\/+/, ""));
    if (normalized === ".." || normalized.startsWith("../") || path.isAbsolute(normalized) || /^[A-Za-z]:/.test(normalized)) {
      throw new Error(`Template path "${name}" escapes the template root`);
    }
    return normalized;
  }

  /**
   * The compiled template `name` (cached after the first load).
   *
   * @example
   * new Loader("templates").load("home.html").generate({ title: "Home" })
   */
  load(name: string, parentPath?: string): Template {
    const template = this.loadParsed(name, parentPath);
    try {
      template.compile();
    } catch (err) {
      this.templates.delete(template.name);
      throw err;
    }
    return template;
  }

  /**
   * The template `name`, parsed but maybe not compiled yet: what `include`/`extends` need, so a
   * template that is only ever included is never compiled on its own.
   */
  loadParsed(name: string, parentPath?: string): Template {
    const resolved = this.resolvePath(name, parentPath);
    let template = this.templates.get(resolved);
    if (!template) {
      template = new Template(this.readSource(resolved), { name: resolved, loader: this, [DEFER_COMPILE]: true });
      this.templates.set(resolved, template);
    }
    return template;
  }

  /** Forgets every compiled template (e.g. after the files changed). */
  reset(): void {
    this.templates.clear();
  }

  /** The source text of the template with canonical name `name`. */
  protected abstract readSource(name: string): string;
}

/**
 * Loads templates from files under a root folder.
 *
 * @example
 * const loader = new Loader(path.join(__dirname, "templates"), { namespace: { site: "Example" } });
 * loader.load("home.html").generate({ items: [] });
 */
export class Loader extends BaseLoader {
  readonly root: string;

  constructor(root: string, options: LoaderOptions = {}) {
    super(options);
    this.root = path.resolve(root);
  }

  protected readSource(name: string): string {
    const file = path.resolve(this.root, name);
    if (file !== this.root && !file.startsWith(this.root + path.sep)) {
      throw new Error(`Template path "${name}" escapes the template root`);
    }
    // A symlink inside the root may point anywhere: check where the file really is.
    const real = fs.realpathSync(file);
    const realRoot = fs.realpathSync(this.root);
    if (!real.startsWith(realRoot + path.sep)) throw new Error(`Template path "${name}" escapes the template root`);
    return fs.readFileSync(real, "utf8");
  }
}

/**
 * Loads templates from an object of name → source (handy in tests).
 *
 * @example
 * new DictLoader({ "base.html": "<b>{% block x %}{% end %}</b>" }).load("base.html").generate()
 */
export class DictLoader extends BaseLoader {
  private readonly sources: Map<string, string>;

  constructor(sources: Record<string, string>, options: LoaderOptions = {}) {
    super(options);
    this.sources = new Map(Object.entries(sources));
  }

  protected readSource(name: string): string {
    const source = this.sources.get(name);
    if (source === undefined) throw new Error(`Template "${name}" not found`);
    return source;
  }
}
