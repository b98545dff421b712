/**
 * What `render` puts around a template: the loader (built lazily: the template compiler is only
 * loaded by applications that render) and the namespace templates see.
 */
import type { RequestHandler } from "./handler";
import type { ApplicationSettings, TemplateLoaderLike, UIMethod } from "./settings";

import type { LoaderOptions } from "../template";

type TemplateModule = typeof import("../template");

let templateModule: TemplateModule | undefined;

function loadTemplateModule(): TemplateModule {
  // Required lazily: handlers that never render never pay for the template compiler.
  return (templateModule ??= require("../template") as TemplateModule);
}

/** A template Loader rooted at `root` with the application's autoescape and whitespace settings. */
export function createTemplateLoader(settings: ApplicationSettings, root: string): TemplateLoaderLike {
  if (settings.templateLoader) return settings.templateLoader;
  const options: LoaderOptions = {};
  if (settings.autoescape !== undefined) options.autoescape = settings.autoescape;
  if (settings.templateWhitespace !== undefined) options.whitespace = settings.templateWhitespace;
  const { Loader } = loadTemplateModule();
  return new Loader(root, options) as unknown as TemplateLoaderLike;
}

/**
 * The names every template rendered by a handler sees (Tornado's, so seed templates work as is),
 * plus the application's UI methods bound to the handler.
 */
export function templateNamespace(
  handler: RequestHandler,
  modules: Record<string, unknown>,
  uiMethods: Readonly<Record<string, UIMethod>>,
): Record<string, unknown> {
  const locale = handler.locale;
  const ns: Record<string, unknown> = {
    handler,
    request: handler.request,
    current_user: handler.currentUser,
    locale,
    _: locale.translate.bind(locale),
    pgettext: locale.pgettext.bind(locale),
    static_url: (path: string) => handler.staticUrl(path),
    xsrf_form_html: () => handler.xsrfFormHtml(),
    reverse_url: (name: string, ...args: unknown[]) => handler.reverseUrl(name, ...args),
    modules,
  };
  for (const name in uiMethods) {
    const method = uiMethods[name] as (handler: RequestHandler, ...args: unknown[]) => unknown;
    ns[name] = (...args: unknown[]) => method(handler, ...args);
  }
  return ns;
}
