/**
 * Tornado's template language with JavaScript expressions, compiled once per template to a
 * function that concatenates strings.
 *
 * - `{{ expr }}` prints a JavaScript expression, HTML-escaped unless autoescape is off or the
 *   value is a `SafeString`; `null` and `undefined` print as the empty string.
 * - Statements: `if`/`elif`/`else`, `for x in xs` (`for k, v in obj_or_map`; loops may have an
 *   `else`), `while`, `break`, `continue`, `try`/`except [name]`/`else`/`finally`, `set`, `apply`,
 *   `autoescape fn|None`, `raw`, `comment`, `include`, `extends`, `block`, `module`, `whitespace`.
 * - Conditions treat empty arrays, Maps and Sets as false (as Python does); the rest is JavaScript.
 * - Tornado's Python spellings are accepted: `True`/`False`/`None`, `and`/`or`/`not`, keyword
 *   arguments `f(a, k=v)` (passed as a trailing object `{k: v}`), and `fmt % {...}` / `"..." % x`
 *   formatting. Python's `x in list` is not rewritten: in JavaScript `in` tests keys.
 * - Identifiers starting with `__tt_` are reserved for the compiled code.
 *
 * @example
 * import { Template, Loader } from "tornado-ts/template";
 * new Template("{% for item in items %}<li>{{ item }}</li>{% end %}").generate({ items: ["a", "<b>"] })
 * // "<li>a</li><li>&lt;b&gt;</li>"
 */
export { Template, type TemplateOptions, type TemplateSource } from "./template";
export { BaseLoader, DictLoader, Loader, type LoaderOptions } from "./loader";
export { NameError, ParseError, templateLocation } from "./errors";
export { defaultNamespace, datetime, enumerate, len, range, pyFormat } from "./namespace";
export { type WhitespaceMode } from "./whitespace";
