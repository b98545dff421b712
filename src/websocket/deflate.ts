/**
 * permessage-deflate (RFC 7692): negotiating its parameters in the handshake, and the per-message
 * compressor and decompressor. zlib streams are created on first use, so an idle connection that
 * negotiated compression costs nothing until it sends or receives a compressed message.
 */
import * as zlib from "node:zlib";
import { CloseCode } from "./frames";
import { WebSocketProtocolError } from "./errors";
import type { MessageInflater } from "./receiver";

/**
 * What `getCompressionOptions()` (server) or `compressionOptions` (client) returns to enable
 * compression. Every field is optional; `{}` enables it with zlib's defaults.
 */
export interface CompressionOptions {
  /** zlib compression level, 0-9 (default 6). */
  compressionLevel?: number;
  /** zlib memLevel, 1-9 (default 8): lower uses less memory per connection, compresses less. */
  memLevel?: number;
  /** Largest LZ77 window our compressor uses, 8-15 bits (default 15): 2^bits bytes of history. */
  maxWindowBits?: number;
  /** Forget the history after each message (less memory held, usually bigger output). */
  noContextTakeover?: boolean;
  /** Messages shorter than this many bytes are sent uncompressed (default 0: all compressed). */
  threshold?: number;
}

/** The outcome of a negotiation: how our compressor is configured, and the header to send. */
export interface NegotiatedDeflate {
  /** The parameters to answer (server) or the ones the server chose (client), as a header value. */
  header: string;
  windowBits: number;
  noContextTakeover: boolean;
}

type Params = Map<string, string | true>;

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const NAME = "permessage-deflate";

/**
 * Parses a Sec-WebSocket-Extensions value into extension offers: `[name, params]` in order.
 * Returns null when the header is malformed.
 */
export function parseExtensions(header: string): [string, Params][] | null {
  const out: [string, Params][] = [];
  for (const item of header.split(",")) {
    const parts = item.split(";").map((p) => p.trim());
    const name = parts[0].toLowerCase();
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) return null;
    const params: Params = new Map();
    for (const part of parts.slice(1)) {
      const eq = part.indexOf("=");
      const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
      let value: string | true = eq < 0 ? true : part.slice(eq + 1).trim();
      if (typeof value === "string" && value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(key) || value === "") return null;
      // A repeated parameter makes the offer invalid (RFC 7692 §7): mark it so it is declined.
      params.set(key, params.has(key) ? "\u0000duplicate" : value);
    }
    out.push([name, params]);
  }
  return out;
}

function windowBitsValue(value: string | true | undefined): number | null {
  if (typeof value !== "string" || !/^[0-9]{1,2}$/.test(value)) return null;
  const n = Number(value);
  return n >= 8 && n <= 15 ? n : null;
}

function clampBits(bits: number | undefined): number {
  if (bits === undefined) return 15;
  if (!Number.isInteger(bits) || bits < 8 || bits > 15) throw new RangeError("maxWindowBits must be an integer from 8 to 15");
  return bits;
}

/**
 * Server side: picks the first acceptable permessage-deflate offer of a client's
 * Sec-WebSocket-Extensions header. Offers with unknown or invalid parameters are declined, as
 * RFC 7692 §7 requires; null when none is acceptable (the connection then runs uncompressed).
 */
export function acceptDeflateOffer(header: string | undefined, options: CompressionOptions): NegotiatedDeflate | null {
  if (header === undefined) return null;
  const offers = parseExtensions(header);
  if (offers === null) return null;
  const ourBits = clampBits(options.maxWindowBits);
  for (const [name, params] of offers) {
    if (name !== NAME) continue;
    let acceptable = true;
    let windowBits = ourBits;
    const answer = [NAME];
    let noContextTakeover = options.noContextTakeover === true;
    for (const [key, value] of params) {
      if (key === "server_no_context_takeover" && value === true) noContextTakeover = true;
      else if (key === "client_no_context_takeover" && value === true) answer.push("client_no_context_takeover");
      else if (key === "server_max_window_bits" && windowBitsValue(value) !== null) {
        windowBits = Math.min(windowBits, windowBitsValue(value)!);
        answer.push("server_max_window_bits=" + windowBits);
      } else if (key === "client_max_window_bits" && (value === true || windowBitsValue(value) !== null)) {
        // Our decompressor always has a 15-bit window: the client may use any size it offered.
      } else acceptable = false;
    }
    if (!acceptable) continue;
    if (noContextTakeover) answer.push("server_no_context_takeover");
    return { header: answer.join("; "), windowBits, noContextTakeover };
  }
  return null;
}

/** Client side: the offer to send. */
export function deflateOffer(options: CompressionOptions): string {
  const bits = clampBits(options.maxWindowBits);
  return bits === 15 ? NAME + "; client_max_window_bits" : `${NAME}; client_max_window_bits=${bits}`;
}

/**
 * Client side: checks the server's answer to our offer. Null when the server declined
 * compression; throws when it answered something we did not offer (the handshake then fails).
 */
export function checkDeflateAnswer(header: string | undefined, options: CompressionOptions): NegotiatedDeflate | null {
  if (header === undefined || header.trim() === "") return null;
  const answers = parseExtensions(header);
  if (answers === null) throw new Error("malformed Sec-WebSocket-Extensions in the server's answer");
  if (answers.length !== 1 || answers[0][0] !== NAME) throw new Error(`the server accepted extensions we did not offer: ${header}`);
  let windowBits = clampBits(options.maxWindowBits);
  let noContextTakeover = options.noContextTakeover === true;
  for (const [key, value] of answers[0][1]) {
    // server_no_context_takeover and server_max_window_bits bind only the server's compressor
    // (RFC 7692 §7.1.2.1 lets a server add the latter unasked); our 15-bit inflater decodes either.
    if (key === "server_no_context_takeover" && value === true) continue;
    if (key === "server_max_window_bits" && windowBitsValue(value) !== null) continue;
    if (key === "client_no_context_takeover" && value === true) noContextTakeover = true;
    else if (key === "client_max_window_bits" && windowBitsValue(value) !== null) windowBits = Math.min(windowBits, windowBitsValue(value)!);
    else throw new Error(`invalid permessage-deflate parameter in the server's answer: ${key}`);
  }
  return { header, windowBits, noContextTakeover };
}

/** Compresses whole messages, one at a time (the caller serializes). */
export class MessageCompressor {
  private stream: zlib.DeflateRaw | null = null;
  private pending: ((err: Error | null, out: Buffer | null) => void) | null = null;
  private chunks: Buffer[] = [];
  private length = 0;

  constructor(private readonly negotiated: NegotiatedDeflate, private readonly options: CompressionOptions) {}

  /** Whether a message of `size` bytes is worth compressing. */
  wants(size: number): boolean {
    return size >= (this.options.threshold ?? 0);
  }

  compress(data: Buffer, callback: (err: Error | null, out: Buffer | null) => void): void {
    const stream = this.zlibStream();
    this.pending = callback;
    stream.write(data);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      if (this.stream !== stream || this.pending === null) return; // closed: already answered
      this.pending = null;
      let out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
      this.chunks = [];
      this.length = 0;
      // RFC 7692 §7.2.1: drop the 00 00 ff ff the sync flush ends with.
      if (out.length >= 4 && out.subarray(out.length - 4).equals(TRAILER)) out = out.subarray(0, out.length - 4);
      if (this.negotiated.noContextTakeover) stream.reset();
      callback(null, out);
    });
  }

  /** Frees the zlib stream; a message being compressed fails. */
  close(): void {
    const done = this.pending;
    this.pending = null;
    this.stream?.close();
    this.stream = null;
    done?.(new Error("compressor closed"), null);
  }

  private zlibStream(): zlib.DeflateRaw {
    if (this.stream) return this.stream;
    const stream = zlib.createDeflateRaw({
      level: this.options.compressionLevel ?? zlib.constants.Z_DEFAULT_COMPRESSION,
      memLevel: this.options.memLevel ?? 8,
      windowBits: this.negotiated.windowBits,
    });
    stream.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
    });
    this.stream = stream;
    return stream;
  }
}

type InflateCallback = (err: WebSocketProtocolError | null, out: Buffer | null) => void;

/** Decompresses messages with a bound on their size (the receiver's MessageInflater). */
export class MessageDecompressor implements MessageInflater {
  private stream: zlib.InflateRaw | null = null;
  private chunks: Buffer[] = [];
  private length = 0;
  private limit = 0;
  private pending: InflateCallback | null = null;

  decompress(data: Buffer, fin: boolean, maxOutput: number, callback: InflateCallback): void {
    const stream = this.zlibStream();
    this.limit = maxOutput;
    this.pending = callback;
    stream.write(data);
    if (fin) stream.write(TRAILER);
    stream.flush(() => {
      if (this.stream !== stream || this.pending === null) return; // abandoned: already answered
      const out = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
      this.chunks = [];
      this.length = 0;
      const done = this.pending;
      this.pending = null;
      done(null, out);
    });
  }

  close(): void {
    this.pending = null;
    this.stream?.close();
    this.stream = null;
  }

  /** Gives up on the stream (its state is unusable) and answers the pending message with `err`. */
  private abandon(err: WebSocketProtocolError): void {
    const stream = this.stream;
    const done = this.pending;
    this.stream = null;
    this.pending = null;
    this.chunks = [];
    this.length = 0;
    if (stream) {
      stream.removeAllListeners("data");
      stream.close();
    }
    done?.(err, null);
  }

  private zlibStream(): zlib.InflateRaw {
    if (this.stream) return this.stream;
    const stream = zlib.createInflateRaw({ windowBits: 15 });
    stream.on("data", (chunk: Buffer) => {
      this.length += chunk.length;
      // Checked per zlib output chunk (16 KiB): a compression bomb never grows past the limit.
      if (this.length > this.limit) this.abandon(new WebSocketProtocolError(CloseCode.MessageTooBig, "decompressed message too big"));
      else this.chunks.push(chunk);
    });
    // Stays attached after abandon: a closed zlib stream may still report its error.
    stream.on("error", (err: Error) => {
      if (this.stream === stream) this.abandon(new WebSocketProtocolError(CloseCode.InvalidPayload, "invalid compressed data: " + err.message));
    });
    this.stream = stream;
    return stream;
  }
}
