/**
 * `Template`: one template compiled once into a JavaScript function; `generate(ns)` runs it.
 */
import { ParseError, annotateRuntimeError, undefinedName } from "./errors";
import { generateTemplateCode, type GeneratedCode } from "./codegen";
import { defaultNamespace, runtimeHelpers } from "./namespace";
import { parseTemplate, type TemplateFile } from "./parser";
import { defaultWhitespace, type WhitespaceMode } from "./whitespace";

/** What a Template needs from the loader it came from (see loader.ts). */
export interface TemplateSource {
  readonly autoescape: string | null;
  readonly namespace: Readonly<Record<string, unknown>>;
  readonly whitespace: WhitespaceMode | undefined;
  load(name: string, parentPath?: string): Template;
  /** Like `load`, without compiling (for include/extends). */
  loadParsed?(name: string, parentPath?: string): Template;
}

/** Options of {@link Template}. */
export interface TemplateOptions {
  /** Name used in error messages and for relative `include`/`extends`; default `"<string>"`. */
  name?: string;
  /** Resolves `{% include %}` and `{% extends %}`, and lends its autoescape/namespace/whitespace defaults. */
  loader?: TemplateSource | null;
  /** Namespace function escaping `{{ }}` output, or null for none. Default: the loader's, else `"xhtml_escape"`. */
  autoescape?: string | null;
  /** Default: the loader's, else `single` for `.html`/`.js` names and `all` otherwise. */
  whitespace?: WhitespaceMode;
}

type RenderFunction = (ns: Record<string, unknown>) => string;

/** Loaders compile after caching the parsed template, so include/extends cycles are reported, not looped. */
export const DEFER_COMPILE = Symbol("tornado-ts:defer-compile");

/**
 * A compiled template. Output of `{{ expr }}` is HTML-escaped unless autoescape is off or the value
 * is a `SafeString`; `null` and `undefined` print as the empty string.
 *
 * @example
 * new Template("<b>{{ name }}</b>").generate({ name: "<Ann>" }) // "<b>&lt;Ann&gt;</b>"
 */
export class Template {
  readonly name: string;
  readonly autoescape: string | null;
  readonly whitespace: WhitespaceMode;
  /** The parsed file: what `include`/`extends` of other templates read. */
  readonly file: TemplateFile;
  private readonly loader: TemplateSource | null;
  private render: RenderFunction | null = null;
  private generated: GeneratedCode | null = null;

  constructor(source: string, options: TemplateOptions & { [DEFER_COMPILE]?: boolean } = {}) {
    this.name = options.name ?? "<string>";
    this.loader = options.loader ?? null;
    this.autoescape = options.autoescape !== undefined ? options.autoescape : (this.loader ? this.loader.autoescape : "xhtml_escape");
    this.whitespace = options.whitespace ?? this.loader?.whitespace ?? defaultWhitespace(this.name);
    this.file = parseTemplate(source, { name: this.name, autoescape: this.autoescape, whitespace: this.whitespace });
    if (!options[DEFER_COMPILE]) this.compile();
  }

  /** The generated JavaScript source (for debugging). */
  get code(): string {
    return this.compile().source;
  }

  /**
   * Renders with `ns` over the loader's namespace over the default namespace.
   *
   * @example
   * template.generate({ title: "Home", items: ["a", "b"] })
   */
  generate(ns: Record<string, unknown> = {}): string {
    const render = this.render ?? this.build();
    return render(ns);
  }

  /** Compiles now (loaders call this right after caching the parsed template). */
  compile(): GeneratedCode {
    if (!this.generated) this.build();
    return this.generated as GeneratedCode;
  }

  private build(): RenderFunction {
    const loader = this.loader;
    const resolve = loader ? (name: string, parent: string) => (loader.loadParsed ?? loader.load).call(loader, name, parent).file : null;
    const generated = generateTemplateCode(this.file, resolve);
    const base: Record<string, unknown> = Object.create(null);
    const merged = { ...defaultNamespace, ...this.loader?.namespace };
    const globals = globalThis as unknown as Record<string, unknown>;
    for (const name of generated.names) {
      base[name] = name in merged ? merged[name] : name in globals ? globals[name] : undefinedName(name);
    }
    let factory: (...args: unknown[]) => RenderFunction;
    try {
      factory = new Function("__tt_h", "__tt_base", "__tt_locs", "__tt_annotate",
        `${generated.source}\n//# sourceURL=template:${this.name.replace(/\s/g, "_")}`) as typeof factory;
    } catch (err) {
      throw locateSyntaxError(err, generated, this.name);
    }
    this.render = factory(runtimeHelpers, base, generated.locations, annotateRuntimeError);
    this.generated = generated;
    return this.render;
  }
}

/** Finds the template expression a SyntaxError of the generated code comes from. */
function locateSyntaxError(err: unknown, generated: GeneratedCode, name: string): unknown {
  if (!(err instanceof SyntaxError)) return err;
  for (const check of generated.checks) {
    try {
      new Function(check.statement ? `"use strict"; ${check.expr.code};` : `"use strict"; return (${check.expr.code});`);
    } catch (inner) {
      const message = inner instanceof Error ? inner.message : String(inner);
      return new ParseError(`${message} in "${check.expr.source}"`, check.file, check.line);
    }
  }
  return new ParseError(`Generated code does not compile: ${err.message}`, name, 1);
}
