/**
 * Reading a request body off an IOStream: Content-Length bodies into one buffer of their final
 * size, chunked bodies strictly (RFC 9112 §7.1, as llhttp reads them) without doubling buffers,
 * and either kind piece by piece to an application's `dataReceived` with flow control.
 */
import { HTTPHeaders, HTTPInputError, parseHeaderLines } from "./httputil";
import type { IOStream } from "./iostream";

/**
 * Receives a body piece by piece. A returned promise makes reading wait until it settles, so a
 * consumer slower than the network keeps at most the stream's read-pause threshold buffered.
 */
export type BodySink = (piece: Buffer) => void | Promise<void>;

/** Limits read when they are needed, so the application may change them before the body arrives. */
export interface BodyLimits {
  readonly maxBodySize: number;
  readonly maxHeaderSize: number;
}

/** Bodies up to this size are read with one readBytes (the fast path of small requests). */
const SMALL_BODY = 64 * 1024;
/** A chunked body gathered past this size moves into one growable buffer (see ChunkCollector). */
const COLLECT_INLINE = 1024 * 1024;
const PARTIAL = { partial: true } as const;
const LF = Buffer.from("\n");
/**
 * chunk-size [ chunk-ext ] with no whitespace anywhere (RFC 9112 §7.1.1; llhttp refuses the same
 * bytes): `5 `, `5;`, `5;a=` or a NUL in an extension are errors, not something to skip.
 */
const CHUNK_LINE_RE = /^([0-9A-Fa-f]{1,13})((?:;[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:=(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"))?)*)$/;

/** Reads exactly `length` bytes into one buffer of that size (no intermediate doubling). */
export async function readFixedBody(stream: IOStream, length: number): Promise<Buffer> {
  if (length <= SMALL_BODY || stream.bufferedLength >= length) return stream.readBytes(length);
  const body = Buffer.allocUnsafeSlow(length);
  let filled = 0;
  while (filled < length) {
    const piece = await stream.readBytes(length - filled, PARTIAL);
    piece.copy(body, filled);
    filled += piece.length;
  }
  return body;
}

/** Hands `length` bytes to `sink` as they arrive, waiting for each returned promise. */
export async function streamFixedBody(stream: IOStream, length: number, sink: BodySink): Promise<void> {
  let left = length;
  while (left > 0) {
    const piece = await stream.readBytes(left, PARTIAL);
    left -= piece.length;
    const wait = sink(piece);
    if (wait !== undefined) await wait;
  }
}

/** Reads a chunked body and its trailers; returns the joined data. */
export async function readChunkedBody(stream: IOStream, limits: BodyLimits): Promise<Buffer> {
  const collector = new ChunkCollector(limits.maxBodySize);
  await streamChunkedBody(stream, limits, (piece) => collector.add(piece));
  return collector.result();
}

/**
 * Reads a chunked body, handing each piece of chunk data to `sink`; then reads the trailer
 * section, which is validated like a head and dropped (no trailer may change the framing).
 */
export async function streamChunkedBody(stream: IOStream, limits: BodyLimits, sink: BodySink): Promise<void> {
  let total = 0;
  for (;;) {
    const line = await readLine(stream, 4096, "chunk size line");
    const m = CHUNK_LINE_RE.exec(line.toString("latin1", 0, line.length - 2));
    if (!m) throw new HTTPInputError("invalid chunk size line");
    const size = parseInt(m[1], 16);
    if (size === 0) break;
    total += size;
    if (total > limits.maxBodySize) throw new HTTPInputError("chunked body larger than maxBodySize", 413);
    await streamFixedBody(stream, size, sink);
    const end = await stream.readBytes(2);
    if (end[0] !== 13 || end[1] !== 10) throw new HTTPInputError("chunk data not followed by CRLF");
  }
  await readTrailers(stream, limits.maxHeaderSize);
}

/**
 * The trailer section, line by line up to the empty line. Every line must end in CRLF: a bare LF
 * would end the section for one parser and not for another (request smuggling).
 */
async function readTrailers(stream: IOStream, maxHeaderSize: number): Promise<void> {
  let trailerBytes = 0;
  const trailers = new HTTPHeaders();
  for (;;) {
    const line = await readLine(stream, maxHeaderSize, "trailer line");
    if (line.length === 2) return;
    trailerBytes += line.length;
    if (trailerBytes > maxHeaderSize) throw new HTTPInputError("trailers too large", 431);
    parseHeaderLines(line.toString("latin1"), 0, trailers);
  }
}

/** One line ending in CRLF (a bare LF is an error), at most `maxBytes` long. */
async function readLine(stream: IOStream, maxBytes: number, what: string): Promise<Buffer> {
  const line = await stream.readUntil(LF, { maxBytes });
  if (line.length < 2 || line[line.length - 2] !== 13) throw new HTTPInputError("bare LF ending a " + what);
  return line;
}

/**
 * Gathers the pieces of a body of unknown length. Small bodies stay a list of views joined once.
 * Past COLLECT_INLINE the data moves into a resizable ArrayBuffer reserved up to the body limit:
 * growing it commits pages in place, so a body costs its own size in memory, never the twice (or
 * more) that doubling a buffer, or joining a list, would.
 */
class ChunkCollector {
  private pieces: Buffer[] = [];
  private total = 0;
  private store: ArrayBuffer | null = null;

  constructor(private readonly maxBodySize: number) {}

  add(piece: Buffer): void {
    const store = this.store;
    if (store !== null) {
      const at = this.total;
      this.total += piece.length;
      (store as ResizableArrayBuffer).resize(this.total);
      piece.copy(new Uint8Array(store, at, piece.length));
      return;
    }
    this.pieces.push(piece);
    this.total += piece.length;
    if (this.total > COLLECT_INLINE) this.moveToStore();
  }

  result(): Buffer {
    if (this.store !== null) return Buffer.from(this.store, 0, this.total);
    const pieces = this.pieces;
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces, this.total);
  }

  private moveToStore(): void {
    let store: ResizableArrayBuffer;
    try {
      store = new (ArrayBuffer as unknown as ResizableArrayBufferConstructor)(this.total, { maxByteLength: this.maxBodySize });
    } catch {
      return; // no address space for the reservation: keep the list (joined once at the end)
    }
    let at = 0;
    const view = new Uint8Array(store);
    for (const p of this.pieces) {
      view.set(p, at);
      at += p.length;
    }
    this.pieces = [];
    this.store = store;
  }
}

// ES2024 resizable ArrayBuffers (Node 20 has them; the project's lib setting predates them).
interface ResizableArrayBuffer extends ArrayBuffer {
  resize(newLength: number): void;
}
type ResizableArrayBufferConstructor = new (length: number, options: { maxByteLength: number }) => ResizableArrayBuffer;
