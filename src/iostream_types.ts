/**
 * IOStream's vocabulary: the errors its reads and writes fail with, and its options.
 * Kept apart so code that only names them need not load the stream itself.
 */

/** The stream closed (or the peer went away) before the operation could complete. */
export class StreamClosedError extends Error {
  constructor(readonly realError?: unknown) {
    super(realError instanceof Error ? "Stream is closed: " + realError.message : "Stream is closed");
    this.name = "StreamClosedError";
  }
}

/** A read could not be satisfied within its `maxBytes`; the stream stays open. */
export class UnsatisfiableReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsatisfiableReadError";
  }
}

/** A write would grow the write buffer past `maxWriteBufferSize`. */
export class StreamBufferFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StreamBufferFullError";
  }
}

export interface IOStreamOptions {
  /** Most bytes buffered for one read before the stream closes (default 100 MiB). */
  maxBufferSize?: number;
  /**
   * Most bytes waiting to be written: a write that would queue past it behind bytes the peer has
   * not taken rejects with StreamBufferFullError and closes the stream (default unlimited; a
   * write into an empty buffer always goes).
   */
  maxWriteBufferSize?: number;
  /** Unread bytes at which the socket is paused while no read is pending (default 64 KiB). */
  readPauseThreshold?: number;
  /** How long close() waits for the peer to take our last bytes before destroying (ms, default 2000). */
  lingerTimeout?: number;
}

export interface ReadUntilOptions {
  maxBytes?: number;
}

export interface ReadBytesOptions {
  /** Resolve with whatever is available (at least one byte, at most n). */
  partial?: boolean;
}

/**
 * Finds the end of a match in `buf` between `from` and `end`: returns the index just past the
 * match, or -1. Lets protocol parsers search for terminators no single delimiter describes.
 */
export type MatchFinder = (buf: Buffer, from: number, end: number) => number;
