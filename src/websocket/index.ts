/**
 * WebSockets (`tornado-ts/websocket`): RFC 6455 with permessage-deflate, on the server as a
 * handler routed like any other, and as a client.
 *
 * @example
 * import { Route } from "tornado-ts/web";
 * import { WebSocketHandler, websocketConnect } from "tornado-ts/websocket";
 *
 * @Route("/echo")
 * class Echo extends WebSocketHandler {
 *   onMessage(m: string | Buffer) { return this.writeMessage(m); }
 * }
 *
 * const ws = await websocketConnect("ws://127.0.0.1:8888/echo");
 */
export { WebSocketHandler } from "./handler";
export { websocketConnect, WebSocketClientConnection } from "./client";
export type { WebSocketConnectOptions } from "./client";
export type { CompressionOptions } from "./deflate";
export { WebSocketClosedError, WebSocketHandshakeError, WebSocketProtocolError } from "./errors";
export { CloseCode, DEFAULT_MAX_MESSAGE_SIZE } from "./frames";
export type { WebSocketMessage } from "./frames";
export { WebSocketConnection } from "./connection";
