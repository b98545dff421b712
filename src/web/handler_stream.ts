/**
 * The body delegate of a `@StreamRequestBody` handler (Tornado's `stream_request_body`): the
 * server hands it the body piece by piece instead of buffering it, and the handler's lifecycle
 * waits on it — `prepare` first, then `dataReceived` per piece, then the verb method.
 */
import type { RequestBodyDelegate } from "../httputil";

/** What the delegate needs of its handler. */
export interface StreamingHandler {
  readonly finished: boolean;
  dataReceived(chunk: Buffer): void | Promise<void>;
  /** An exception from `dataReceived`: answered like one from a verb (error page, then close). */
  streamingFailed(err: unknown): void;
}

export class HandlerBodyStream implements RequestBodyDelegate {
  readonly ready: Promise<void>;
  /** Settles true when the whole body arrived, false when reading it failed (nothing to run then). */
  readonly arrived: Promise<boolean>;
  private markReady!: () => void;
  private settle!: (complete: boolean) => void;

  constructor(private readonly handler: StreamingHandler) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.arrived = new Promise((resolve) => (this.settle = resolve));
  }

  /** The handler's `prepare` is over (or the request ended before it): the server may read on. */
  prepared(): void {
    this.markReady();
  }

  dataReceived(chunk: Buffer): void | Promise<void> {
    const handler = this.handler;
    if (handler.finished) return; // answered already (an error): the rest of the body is dropped
    try {
      const result = handler.dataReceived(chunk);
      if (result instanceof Promise) return result.then(undefined, (err: unknown) => handler.streamingFailed(err));
    } catch (err) {
      handler.streamingFailed(err);
    }
    return undefined;
  }

  finish(): void {
    this.settle(true);
  }

  abort(): void {
    this.settle(false);
  }
}
