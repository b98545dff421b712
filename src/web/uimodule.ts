/**
 * UI modules: reusable page widgets with their own CSS and JavaScript. Templates call them as
 * `{{ modules.Entry(entry) }}` or `{% module Entry(entry) %}`; `render()` then injects the
 * resources of every module the page used, once each.
 */
import { SafeString, xhtmlEscape } from "../escape";
import type { HTTPServerRequest } from "../httputil";
import { defaultNamespace } from "../template/namespace";

/** What a UI module needs from the handler rendering the page (RequestHandler fits). */
export interface UIModuleHost {
  renderString(name: string, kwargs?: Record<string, unknown>): string;
  staticUrl(path: string): string;
  request: HTTPServerRequest;
  /** The XSRF hidden input, when the host supports XSRF. */
  xsrfFormHtml?(): SafeString | string;
  currentUser?: unknown;
  locale?: unknown;
}

/** One or several resource paths, or nothing. */
export type ResourceFiles = string | readonly string[] | null | undefined;

/**
 * Base class of UI modules. Override `render` and any resource hooks; register with `@UiModule()`
 * or the `uiModules` setting. Keyword arguments in templates (`Entry(e, show_comments=True)`)
 * arrive as a trailing object (`{ show_comments: true }`).
 *
 * @example
 * @UiModule()
 * class Entry extends UIModule {
 *   embeddedCss() { return ".entry { margin-bottom: 1em; }"; }
 *   render(entry: Entry, opts: { show_comments?: boolean } = {}) {
 *     return this.renderString("module-entry.html", { entry, show_comments: opts.show_comments ?? false });
 *   }
 * }
 */
export class UIModule {
  readonly request: HTTPServerRequest;

  constructor(readonly handler: UIModuleHost) {
    this.request = handler.request;
  }

  /** The logged-in user of the page's handler. */
  get currentUser(): unknown {
    return this.handler.currentUser;
  }

  /** The locale of the page's handler. */
  get locale(): unknown {
    return this.handler.locale;
  }

  /** The module's HTML; plain strings are not escaped again (modules output HTML). */
  render(..._args: unknown[]): string | SafeString {
    throw new Error(`${this.constructor.name} must override render()`);
  }

  /** JavaScript put in one inline `<script>` at the end of the body. */
  embeddedJavascript(): string | null {
    return null;
  }

  /** Script files linked before `</body>`; relative paths go through `staticUrl`. */
  javascriptFiles(): ResourceFiles {
    return null;
  }

  /** CSS put in one `<style>` in the head. */
  embeddedCss(): string | null {
    return null;
  }

  /** Stylesheets linked before `</head>`; relative paths go through `staticUrl`. */
  cssFiles(): ResourceFiles {
    return null;
  }

  /** HTML inserted before `</head>`. */
  htmlHead(): string | null {
    return null;
  }

  /** HTML inserted before `</body>`. */
  htmlBody(): string | null {
    return null;
  }

  /** Renders a template file with the handler's namespace plus `kwargs`. */
  renderString(path: string, kwargs: Record<string, unknown> = {}): string {
    return this.handler.renderString(path, kwargs);
  }
}

export type UIModuleClass = new (handler: UIModuleHost) => UIModule;

/** Built-in `linkify(text, opts?)`: linked, escaped text. */
class LinkifyModule extends UIModule {
  override render(text: unknown, opts?: Record<string, unknown>): SafeString {
    return (defaultNamespace.linkify as (t: unknown, o?: Record<string, unknown>) => SafeString)(text, opts);
  }
}

/** Built-in `xsrf_form_html()`: the XSRF hidden input of the handler. */
class XsrfFormHtmlModule extends UIModule {
  override render(): SafeString {
    const html = this.handler.xsrfFormHtml?.() ?? "";
    return html instanceof SafeString ? html : new SafeString(html);
  }
}

type ResourceSet = Record<string, unknown>;

const RESOURCE_KEYS: Record<string, string> = {
  embedded_javascript: "embeddedJavascript", javascript_files: "javascriptFiles", embedded_css: "embeddedCss",
  css_files: "cssFiles", html_head: "htmlHead", html_body: "htmlBody",
};

/**
 * Built-in `Template(path, kwargs?)`: renders a template file; the template may call
 * `set_resources({ embedded_css: "…", javascript_files: ["a.js"] })` to add page resources.
 */
class TemplateModule extends UIModule {
  private readonly resources = new Map<string, ResourceSet>();

  override render(path: string, kwargs: Record<string, unknown> = {}): SafeString {
    const setResources = (given: ResourceSet = {}): string => {
      const normalized: ResourceSet = {};
      for (const [key, value] of Object.entries(given)) normalized[RESOURCE_KEYS[key] ?? key] = value;
      const known = this.resources.get(path);
      if (!known) this.resources.set(path, normalized);
      else if (JSON.stringify(known) !== JSON.stringify(normalized)) {
        throw new Error(`set_resources called with different resources for the same template ${path}`);
      }
      return "";
    };
    return new SafeString(this.renderString(path, { ...kwargs, set_resources: setResources }));
  }

  private strings(key: string): string | null {
    const parts = [...this.resources.values()].map((r) => r[key]).filter((v): v is string => typeof v === "string" && v !== "");
    return parts.length ? parts.join("\n") : null;
  }

  private files(key: string): string[] {
    return [...this.resources.values()].flatMap((r) => toList(r[key] as ResourceFiles));
  }

  override embeddedJavascript(): string | null { return this.strings("embeddedJavascript"); }
  override javascriptFiles(): ResourceFiles { return this.files("javascriptFiles"); }
  override embeddedCss(): string | null { return this.strings("embeddedCss"); }
  override cssFiles(): ResourceFiles { return this.files("cssFiles"); }
  override htmlHead(): string | null { return this.strings("htmlHead"); }
  override htmlBody(): string | null { return this.strings("htmlBody"); }
}

/** The modules every page has, under Tornado's names; application modules of the same name win. */
export const builtinUiModules: Readonly<Record<string, UIModuleClass>> = Object.freeze({
  linkify: LinkifyModule,
  xsrf_form_html: XsrfFormHtmlModule,
  Template: TemplateModule,
});

function toList(files: ResourceFiles): string[] {
  if (!files) return [];
  return typeof files === "string" ? [files] : [...files];
}

function isAbsoluteUrl(path: string): boolean {
  return path.startsWith("/") || /^https?:/i.test(path);
}

/** The UI modules of one page, and the resources they asked for. */
export interface UiModuleBinding {
  /** What templates see as `modules`: each call renders the module and returns safe HTML. */
  modules: Record<string, (...args: unknown[]) => SafeString>;
  /** Adds the used modules' CSS/JS/head/body resources to a full page. */
  injectResources(html: string): string;
}

/**
 * Binds UI module classes to one page render. Each class is instantiated once, on its first call;
 * resources are gathered from the instances in first-use order.
 *
 * @example
 * const { modules, injectResources } = bindUiModules(handler, { Entry });
 * const html = injectResources(template.generate({ modules, entries }));
 */
export function bindUiModules(handler: UIModuleHost, classes: Readonly<Record<string, UIModuleClass>>): UiModuleBinding {
  const active = new Map<UIModuleClass, UIModule>();
  const modules: Record<string, (...args: unknown[]) => SafeString> = {};
  for (const [name, cls] of Object.entries({ ...builtinUiModules, ...classes })) {
    modules[name] = (...args: unknown[]): SafeString => {
      let instance = active.get(cls);
      if (!instance) {
        instance = new cls(handler);
        active.set(cls, instance);
      }
      const html = instance.render(...args);
      return html instanceof SafeString ? html : new SafeString(html == null ? "" : String(html));
    };
  }
  return { modules, injectResources: (html) => injectResources(html, handler, [...active.values()]) };
}

function linkedUrls(handler: UIModuleHost, paths: string[]): string[] {
  const seen = new Set<string>();
  const urls: string[] = [];
  for (const path of new Set(paths)) {
    const url = isAbsoluteUrl(path) ? path : handler.staticUrl(path);
    if (!seen.has(url)) {
      seen.add(url);
      urls.push(url);
    }
  }
  return urls;
}

function injectResources(html: string, handler: UIModuleHost, instances: UIModule[]): string {
  if (instances.length === 0) return html;
  const jsEmbed: string[] = [];
  const jsFiles: string[] = [];
  const cssEmbed: string[] = [];
  const cssFiles: string[] = [];
  const heads: string[] = [];
  const bodies: string[] = [];
  for (const module of instances) {
    const js = module.embeddedJavascript();
    if (js) jsEmbed.push(js);
    jsFiles.push(...toList(module.javascriptFiles()));
    const css = module.embeddedCss();
    if (css) cssEmbed.push(css);
    cssFiles.push(...toList(module.cssFiles()));
    const head = module.htmlHead();
    if (head) heads.push(head);
    const body = module.htmlBody();
    if (body) bodies.push(body);
  }
  const headParts: string[] = [];
  const cssLinks = linkedUrls(handler, cssFiles);
  if (cssLinks.length) headParts.push(cssLinks.map((u) => `<link href="${xhtmlEscape(u)}" type="text/css" rel="stylesheet"/>`).join(""));
  if (cssEmbed.length) headParts.push(`<style type="text/css">\n${cssEmbed.join("\n")}\n</style>`);
  if (heads.length) headParts.push(heads.join(""));
  const bodyParts: string[] = [];
  const jsLinks = linkedUrls(handler, jsFiles);
  if (jsLinks.length) bodyParts.push(jsLinks.map((u) => `<script src="${xhtmlEscape(u)}" type="text/javascript"></script>`).join(""));
  if (jsEmbed.length) bodyParts.push(`<script type="text/javascript">\n//<![CDATA[\n${jsEmbed.join("\n")}\n//]]>\n</script>`);
  if (bodies.length) bodyParts.push(bodies.join(""));
  let out = html;
  const bodyAt = out.lastIndexOf("</body>");
  if (bodyParts.length && bodyAt >= 0) out = out.slice(0, bodyAt) + bodyParts.map((p) => p + "\n").join("") + out.slice(bodyAt);
  const headAt = out.indexOf("</head>");
  if (headParts.length && headAt >= 0) out = out.slice(0, headAt) + headParts.map((p) => p + "\n").join("") + out.slice(headAt);
  return out;
}
