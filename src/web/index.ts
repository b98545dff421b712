/**
 * The web framework face (`tornado-ts/web`): decorators, handlers, the Application, errors,
 * UI modules, static files and the security helpers.
 *
 * @example
 * import { Application, RequestHandler, Route } from "tornado-ts/web";
 */
import "reflect-metadata";

export { Route, Authenticated, Asynchronous, PathArgs, XsrfExempt, RemoveSlash, AddSlash, UiModule, StreamRequestBody } from "./decorators";
export type { RouteOptions } from "./metadata";
export { HTTPError, Finish, MissingArgumentError } from "./errors";
export type { HTTPErrorOptions } from "./errors";
export { RequestHandler, SUPPORTED_METHODS } from "./handler";
export type { ErrorExtras, GetSecureCookieOptions, SecureCookieOptions, WriteChunk } from "./handler";
export { Application } from "./application";
export type { InjectOptions } from "./application";
export type { ApplicationSettings, HandlerClass, UIMethod, TemplateLoaderLike, StaticHandlerClass } from "./settings";
export { ErrorHandler, RedirectHandler } from "./builtin";
export type { ErrorHandlerInit, RedirectHandlerInit } from "./builtin";
export { StaticFileHandler } from "./static";
export { UIModule } from "./uimodule";
export { urlSpec, UrlTable, HostRouter } from "./routing";
export type { URLSpec, RouteMatch } from "./routing";
export type { RouteInput } from "./scanner";
export { GZipContentEncoding } from "./transforms";
export type { OutputTransform, TransformClass } from "./transforms";
export {
  createSignedValue, decodeSignedValue, getSignatureKeyVersion, formatSetCookie, encodeXsrfToken, decodeXsrfToken,
  timingSafeEqualStrings,
} from "./security";
export type { CookieOptions, CookieSecret } from "./security";
export type { RecordedResponse, ParsedCookie, RenderedTemplate } from "./recorder";
