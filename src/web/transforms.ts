/**
 * Output transforms: hooks that rewrite a response's status, headers and body on the way out.
 * The handler builds one instance per request from `settings.transforms` (plus
 * GZipContentEncoding when `compressResponse`/`gzip` is set) and passes every chunk through them.
 */
import * as zlib from "node:zlib";
import type { HTTPHeaders, HTTPServerRequest } from "../httputil";

/** Rewrites one response; the first chunk carries the status and headers, later ones only bytes. */
export interface OutputTransform {
  transformFirstChunk(status: number, headers: HTTPHeaders, chunk: Buffer, finishing: boolean): [number, Buffer];
  transformChunk(chunk: Buffer, finishing: boolean): Buffer;
}

export type TransformClass = new (request: HTTPServerRequest) => OutputTransform;

/** Types worth compressing besides text/*, as in Tornado. */
const COMPRESSIBLE_TYPES = new Set([
  "application/javascript",
  "application/x-javascript",
  "application/xml",
  "application/atom+xml",
  "application/rss+xml",
  "application/json",
  "application/xhtml+xml",
  "image/svg+xml",
]);
/** Smaller complete bodies are sent as they are: gzip's overhead would eat the saving. */
const MIN_LENGTH = 1024;
const GZIP_LEVEL = 6;
/** Back-references reach at most 32 KiB, so that much history keeps the ratio across chunks. */
const WINDOW = 32 * 1024;
// Fixed gzip member header: magic, deflate, no flags, no mtime, no extra flags, OS unknown.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const EMPTY = Buffer.alloc(0);

/** Whether an Accept-Encoding header admits gzip (a `q=0` refuses it). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  for (const item of acceptEncoding.split(",")) {
    const [coding, ...params] = item.split(";");
    const name = coding.trim().toLowerCase();
    if (name !== "gzip" && name !== "x-gzip") continue;
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Whether a Content-Type (parameters allowed) is one GZipContentEncoding compresses. */
export function isCompressibleType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semicolon = contentType.indexOf(";");
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type.startsWith("text/") || COMPRESSIBLE_TYPES.has(type);
}

/**
 * Gzips text-like responses for clients that accept it: text/*, JSON, JavaScript, XML, SVG bodies
 * of at least 1024 bytes (any size when streamed), never one that already has a Content-Encoding
 * or a Content-Range, and never 1xx/204/304. Always adds `Vary: Accept-Encoding`, since caches must keep the encodings
 * apart even when this response was not compressed.
 *
 * @example
 * new Application(routes, { compressResponse: true }); // adds GZipContentEncoding to every request
 */
export class GZipContentEncoding implements OutputTransform {
  private gzipping: boolean;
  private history: Buffer = EMPTY;
  private crc = 0;
  private size = 0;

  constructor(request: HTTPServerRequest) {
    this.gzipping = acceptsGzip(request.headers.get("Accept-Encoding"));
  }

  transformFirstChunk(status: number, headers: HTTPHeaders, chunk: Buffer, finishing: boolean): [number, Buffer] {
    addVary(headers);
    this.gzipping =
      this.gzipping &&
      status >= 200 &&
      status !== 204 &&
      status !== 304 &&
      !headers.has("Content-Encoding") &&
      // A Content-Range counts bytes of the encoded body: compressing a range would break it.
      !headers.has("Content-Range") &&
      isCompressibleType(headers.get("Content-Type")) &&
      (!finishing || chunk.length >= MIN_LENGTH);
    if (!this.gzipping) return [status, chunk];
    headers.set("Content-Encoding", "gzip");
    let out: Buffer;
    if (finishing) {
      out = zlib.gzipSync(chunk, { level: GZIP_LEVEL });
      this.gzipping = false;
    } else {
      out = Buffer.concat([GZIP_HEADER, this.transformChunk(chunk, false)]);
    }
    // The old length counts uncompressed bytes; a streamed body goes chunked instead.
    if (finishing) headers.set("Content-Length", String(out.length));
    else headers.delete("Content-Length");
    return [status, out];
  }

  transformChunk(chunk: Buffer, finishing: boolean): Buffer {
    if (!this.gzipping) return chunk;
    // Each chunk is compressed on its own with the previous 32 KiB as a preset dictionary and
    // ends on a byte boundary (sync flush), so the concatenation is one valid deflate stream
    // and the client gets every flushed chunk decodable at once.
    const options: zlib.ZlibOptions = {
      level: GZIP_LEVEL,
      finishFlush: finishing ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
    };
    if (this.history.length > 0) options.dictionary = this.history;
    // Node 20's crc32 of an empty buffer that deflateRawSync has seen returns 0, not the
    // running value: skip empty chunks and checksum before compressing.
    if (chunk.length > 0) this.crc = crc32(chunk, this.crc);
    this.size = (this.size + chunk.length) >>> 0;
    const deflated = zlib.deflateRawSync(chunk, options);
    if (!finishing) {
      this.history = remember(this.history, chunk);
      return deflated;
    }
    this.gzipping = false;
    this.history = EMPTY;
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size, 4);
    return Buffer.concat([deflated, trailer]);
  }
}

function addVary(headers: HTTPHeaders): void {
  const vary = headers.get("Vary");
  if (vary === undefined) headers.set("Vary", "Accept-Encoding");
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) headers.set("Vary", `${vary}, Accept-Encoding`);
}

function remember(history: Buffer, chunk: Buffer): Buffer {
  if (chunk.length >= WINDOW) return Buffer.from(chunk.subarray(chunk.length - WINDOW));
  const keep = Math.min(history.length, WINDOW - chunk.length);
  return Buffer.concat([history.subarray(history.length - keep), chunk]);
}

type Crc32 = (data: Buffer, value: number) => number;
// zlib.crc32 arrived in Node 20.15; earlier 20.x gets the table version.
const crc32: Crc32 = (zlib as unknown as { crc32?: Crc32 }).crc32 ?? tableCrc32;
let crcTable: Uint32Array | undefined;

/** CRC-32 (gzip's) by table; exported for its test. */
export function tableCrc32(data: Buffer, value: number): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = ~value;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}
