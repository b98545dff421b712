/**
 * The errors of the WebSocket module: one for a connection that is already closed, one carrying
 * the close code a protocol violation is answered with.
 */

/**
 * Thrown (or the rejection) when writing to a WebSocket that is closed or closing, like
 * Tornado's WebSocketClosedError.
 */
export class WebSocketClosedError extends Error {
  constructor(message = "WebSocket is closed") {
    super(message);
    this.name = "WebSocketClosedError";
  }
}

/**
 * A violation of RFC 6455 (or of a limit) by the peer; `closeCode` is what the connection is
 * failed with: 1002 protocol error, 1007 invalid payload, 1009 message too big.
 */
export class WebSocketProtocolError extends Error {
  constructor(readonly closeCode: number, message: string) {
    super(message);
    this.name = "WebSocketProtocolError";
  }
}

/** The server did not accept the upgrade; `status` is its HTTP status (0 when it sent none). */
export class WebSocketHandshakeError extends Error {
  constructor(readonly status: number, message: string, readonly body?: Buffer) {
    super(message);
    this.name = "WebSocketHandshakeError";
  }
}
