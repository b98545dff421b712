/**
 * `tornado-ts/wsgi`: both directions between tornado-ts and `node:http` (the seed's `wsgi`
 * module, named after it so Tornado users find it): `toRequestListener(app)` runs an Application
 * inside a Node server or an Express app; `NodeHandlerContainer(listener)` serves a Node app from
 * tornado-ts's HTTPServer, alone or behind a `FallbackHandler` route.
 *
 * @example
 * import { toRequestListener, NodeHandlerContainer, FallbackHandler } from "tornado-ts/wsgi";
 */
export { toRequestListener, NodeResponseConnection } from "./listener";
export type { RequestListenerOptions, NodeRequestListener, RequestTarget } from "./listener";
export { NodeHandlerContainer } from "./container";
export type { NodeListener } from "./container";
export { FallbackHandler } from "./fallback";
export type { FallbackHandlerInit } from "./fallback";
