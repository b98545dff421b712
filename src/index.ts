/**
 * tornado-ts: Tornado's web server and framework for TypeScript, declared with decorators.
 *
 * @example
 * import { Application, RequestHandler, HTTPServer, IOLoop, Route } from "tornado-ts";
 */
import "reflect-metadata";

export * from "./escape";
export * from "./httputil";
export * from "./httpvalues";
export * from "./ioloop";
export * from "./iostream";
export * from "./httpserver";
export * from "./process";
export * from "./options";
export * from "./log";
export {
  Locale, getLocale, setDefaultLocale, getDefaultLocale, getSupportedLocales, clearTranslations, loadTranslations,
  loadGettextTranslations, parseAcceptLanguage,
} from "./locale";
export { Template, Loader, DictLoader, BaseLoader, ParseError } from "./template";
export * from "./web";
