/**
 * The `aws-chunked` content encoding (SigV4 streaming uploads): `hex-size[;chunk-signature=…]\r\n
 * data\r\n` … `0[;…]\r\n`, then optional trailer lines (`x-amz-checksum-crc32:…`) and a blank line.
 * An explicit state machine fed with whatever the socket delivers; data is handed on as slices of
 * the input (never copied), and every limit is checked before a byte is kept.
 */
import { S3Error } from "./errors";

/** What the decoder reports while it runs. */
export interface ChunkSink {
  /** A chunk header was read: its size and `chunk-signature` extension, if any. */
  chunkStart?(size: number, signature: string | undefined): void;
  /** Decoded payload bytes (a view into the input buffer: copy it if kept past the call). */
  data(slice: Buffer): void;
  /** The data of the current chunk ended (called for the final zero-size chunk too). */
  chunkEnd?(): void;
}

/** Limits of one decoder. */
export interface ChunkedLimits {
  /** Largest single chunk (default 16 MiB). */
  maxChunkSize?: number;
  /** Longest chunk-size or trailer line (default 4 KiB). */
  maxLineLength?: number;
  /** Most trailer bytes in all (default 16 KiB). */
  maxTrailerBytes?: number;
}

const enum State {
  SizeLine,
  Data,
  DataCr,
  DataLf,
  TrailerLine,
  Done,
}

const SIZE_LINE_RE = /^([0-9A-Fa-f]{1,8})((?:;[^\r\n]*)?)$/;
const SIGNATURE_RE = /;\s*chunk-signature=([0-9a-f]{64})/;
const TRAILER_RE = /^([A-Za-z0-9-]+)\s*:\s*(.*?)\s*$/;

function incomplete(why: string): S3Error {
  return new S3Error("IncompleteBody", "The aws-chunked body is malformed: " + why);
}

/**
 * Decodes one aws-chunked body.
 *
 * @example
 * const d = new AwsChunkedDecoder({ data: (s) => file.write(Buffer.from(s)) });
 * socketChunks.forEach((c) => d.push(c));
 * d.end(); d.trailers.get("x-amz-checksum-crc32");
 */
export class AwsChunkedDecoder {
  /** Trailer fields by lower-case name. */
  readonly trailers = new Map<string, string>();
  /** Payload bytes decoded so far. */
  decodedLength = 0;
  private state = State.SizeLine;
  private line = "";
  private remaining = 0;
  private trailerBytes = 0;
  private readonly maxChunkSize: number;
  private readonly maxLineLength: number;
  private readonly maxTrailerBytes: number;

  constructor(
    private readonly sink: ChunkSink,
    limits: ChunkedLimits = {},
  ) {
    this.maxChunkSize = limits.maxChunkSize ?? 16 * 1024 * 1024;
    this.maxLineLength = limits.maxLineLength ?? 4096;
    this.maxTrailerBytes = limits.maxTrailerBytes ?? 16 * 1024;
  }

  /** Whether the final chunk and trailers were read. */
  get done(): boolean {
    return this.state === State.Done;
  }

  /** Feeds the next bytes of the encoded body; throws S3Error IncompleteBody on bad framing. */
  push(buf: Buffer): void {
    let i = 0;
    const n = buf.length;
    while (i < n) {
      switch (this.state) {
        case State.SizeLine:
        case State.TrailerLine: {
          const lf = buf.indexOf(10, i);
          const end = lf < 0 ? n : lf;
          // Bound the line before keeping any of it.
          if (this.line.length + (end - i) > this.maxLineLength) throw incomplete("line too long");
          this.line += buf.toString("latin1", i, end);
          if (lf < 0) return;
          i = lf + 1;
          const text = this.line.endsWith("\r") ? this.line.slice(0, -1) : this.line;
          this.line = "";
          if (this.state === State.SizeLine) this.onSizeLine(text);
          else this.onTrailerLine(text);
          break;
        }
        case State.Data: {
          const take = Math.min(this.remaining, n - i);
          if (take > 0) {
            this.decodedLength += take;
            this.sink.data(buf.subarray(i, i + take));
            this.remaining -= take;
            i += take;
          }
          if (this.remaining === 0) this.state = State.DataCr;
          break;
        }
        case State.DataCr:
          if (buf[i] !== 13) throw incomplete("chunk data not followed by CRLF");
          i++;
          this.state = State.DataLf;
          break;
        case State.DataLf:
          if (buf[i] !== 10) throw incomplete("chunk data not followed by CRLF");
          i++;
          this.sink.chunkEnd?.();
          this.state = State.SizeLine;
          break;
        case State.Done:
          // Some clients end with an extra CRLF; anything else after the end is an error.
          for (; i < n; i++) if (buf[i] !== 13 && buf[i] !== 10) throw incomplete("data after the final chunk");
          return;
      }
    }
  }

  /** The body ended: throws unless the final chunk was seen. */
  end(): void {
    if (this.state === State.TrailerLine && this.line === "") this.state = State.Done; // trailers without the closing blank line
    if (this.state !== State.Done) throw incomplete("the body ended before its final chunk");
  }

  private onSizeLine(text: string): void {
    const m = SIZE_LINE_RE.exec(text);
    if (!m) throw incomplete("bad chunk-size line");
    const size = parseInt(m[1], 16);
    if (size > this.maxChunkSize) throw incomplete(`chunk of ${size} bytes exceeds the ${this.maxChunkSize}-byte limit`);
    const signature = SIGNATURE_RE.exec(m[2])?.[1];
    this.sink.chunkStart?.(size, signature);
    if (size === 0) {
      this.sink.chunkEnd?.();
      this.state = State.TrailerLine;
      return;
    }
    this.remaining = size;
    this.state = State.Data;
  }

  private onTrailerLine(text: string): void {
    if (text === "") {
      this.state = State.Done;
      return;
    }
    this.trailerBytes += text.length + 2;
    if (this.trailerBytes > this.maxTrailerBytes) throw incomplete("trailers too large");
    const m = TRAILER_RE.exec(text);
    if (!m) throw incomplete("bad trailer line");
    this.trailers.set(m[1].toLowerCase(), m[2]);
  }
}
