/**
 * tornado-ts: Tornado's web server and framework for TypeScript, declared with decorators.
 *
 * @example
 * import { Application, RequestHandler, HTTPServer, IOLoop, Route } from "tornado-ts";
 */
import "reflect-metadata";

export * from "./escape";
export * from "./httputil";
