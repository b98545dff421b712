/**
 * One request/response over an undici dispatcher, with Tornado's per-exchange semantics: a
 * deadline that yields 599, header lines to `headerCallback`, decompression, and the body either
 * buffered (bounded by maxBodySize) or handed to `streamingCallback` with backpressure.
 * Built on undici's dispatch handler API so no intermediate Readable is made per response.
 */

import * as zlib from "node:zlib";
import type { Dispatcher } from "undici";
import { HTTPHeaders, responses } from "../httputil";
import { HTTPClientError, HTTPStreamClosedError, HTTPTimeoutError } from "./response";

export interface ExchangeSpec {
  dispatcher: Dispatcher;
  url: URL;
  method: string;
  headers: string[];
  body: string | Buffer | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string> | null;
  /** Absolute time (performance.now() ms) when the exchange times out with 599. */
  deadline: number;
  decompress: boolean;
  maxBodySize: number;
  streamingCallback: ((chunk: Buffer) => unknown) | null;
  headerCallback: ((line: string) => unknown) | null;
  /** True when this response will be replaced by a redirect: its body is discarded. */
  willFollow: (code: number, headers: HTTPHeaders) => boolean;
}

export interface ExchangeResult {
  code: number;
  reason: string;
  headers: HTTPHeaders;
  body: Buffer;
  followed: boolean;
}

interface Controller {
  abort(reason: Error): void;
  pause(): void;
  resume(): void;
  rawHeaders?: unknown;
}

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip(),
  "x-gzip": () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/** Sends one request; resolves with the response or rejects with an HTTPClientError (599). */
export function exchange(spec: ExchangeSpec): Promise<ExchangeResult> {
  return new Promise<ExchangeResult>((resolve, reject) => {
    let controller: Controller | null = null;
    let done = false;
    let code = 0;
    let reason = "";
    let headers = new HTTPHeaders();
    let followed = false;
    let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null = null;
    let pending: Promise<unknown> | null = null;
    const chunks: Buffer[] = [];
    let size = 0;

    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      decoder?.destroy();
      controller?.abort(err);
      reject(err);
    };
    const succeed = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ code, reason, headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), followed });
    };
    const waitMs = Math.max(0, spec.deadline - performance.now());
    const timer = setTimeout(() => fail(new HTTPTimeoutError("Timeout during request")), waitMs);

    // Delivers one body piece; returns false when the source must pause until `onDrained`.
    const deliver = (chunk: Buffer, pauseSource: () => void, resumeSource: () => void): void => {
      if (done) return;
      size += chunk.length;
      if (size > spec.maxBodySize) {
        fail(new HTTPClientError(599, `response body larger than maxBodySize (${spec.maxBodySize} bytes)`));
        return;
      }
      if (!spec.streamingCallback) {
        chunks.push(chunk);
        return;
      }
      let result: unknown;
      try {
        result = spec.streamingCallback(chunk);
      } catch (err) {
        fail(asError(err));
        return;
      }
      if (isThenable(result)) {
        pauseSource();
        const p = Promise.resolve(result).then(
          () => {
            if (pending === p) pending = null;
            if (!done) resumeSource();
          },
          (err: unknown) => fail(asError(err)),
        );
        pending = p;
      }
    };

    const finish = (): void => {
      if (pending) pending.then(succeed, () => undefined);
      else succeed();
    };

    const handler = {
      onRequestStart(c: Controller): void {
        controller = c;
        if (done) c.abort(new HTTPClientError(599, "request already settled"));
      },
      onResponseStart(c: Controller, status: number, _parsed: unknown, statusMessage?: string): void {
        if (status < 200 && status !== 101) return; // 1xx informational: the real response follows
        code = status;
        reason = statusMessage || responses[status] || "Unknown";
        headers = rawToHeaders(c.rawHeaders);
        if (spec.headerCallback) {
          try {
            spec.headerCallback(`HTTP/1.1 ${status} ${reason}\r\n`);
            headers.forEach((name, value) => spec.headerCallback!(`${name}: ${value}\r\n`));
            spec.headerCallback("\r\n");
          } catch (err) {
            fail(asError(err));
            return;
          }
        }
        followed = spec.willFollow(status, headers);
        if (followed) return;
        const length = Number(headers.get("content-length") ?? "0");
        if (length > spec.maxBodySize) {
          fail(new HTTPClientError(599, `Content-Length ${length} larger than maxBodySize (${spec.maxBodySize} bytes)`));
          return;
        }
        const encoding = spec.decompress ? headers.get("content-encoding")?.trim().toLowerCase() : undefined;
        const makeDecoder = encoding ? DECODERS[encoding] : undefined;
        if (makeDecoder && spec.method !== "HEAD" && status !== 204 && status !== 304) {
          // Tornado's convention: the body is decoded, so the header no longer describes it.
          const original = headers.get("content-encoding")!;
          headers.delete("content-encoding");
          headers.add("X-Consumed-Content-Encoding", original);
          decoder = makeDecoder();
          const d = decoder;
          d.on("data", (piece: Buffer) => deliver(piece, () => d.pause(), () => d.resume()));
          d.on("drain", () => controller?.resume());
          d.on("error", (err) => fail(new HTTPClientError(599, `cannot decode ${original} body: ${err.message}`, null, { cause: err })));
          d.on("end", finish);
        }
      },
      onResponseData(c: Controller, chunk: Buffer): void {
        if (done || followed || code === 0) return;
        if (decoder) {
          if (!decoder.write(chunk)) c.pause();
          return;
        }
        deliver(chunk, () => c.pause(), () => c.resume());
      },
      onResponseEnd(): void {
        if (done) return;
        if (decoder) decoder.end();
        else finish();
      },
      onResponseError(_c: Controller, err: Error): void {
        fail(toClientError(err));
      },
    };

    try {
      spec.dispatcher.dispatch(
        {
          origin: spec.url.origin,
          path: spec.url.pathname + spec.url.search,
          method: spec.method as Dispatcher.HttpMethod,
          headers: spec.headers,
          body: spec.body as Dispatcher.DispatchOptions["body"],
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler as unknown as Dispatcher.DispatchHandler,
      );
    } catch (err) {
      fail(toClientError(asError(err)));
    }
  });
}

function rawToHeaders(raw: unknown): HTTPHeaders {
  const h = new HTTPHeaders();
  if (!Array.isArray(raw)) return h;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer | string;
    const value = raw[i + 1] as Buffer | string;
    h.add(typeof name === "string" ? name : name.toString("latin1"), typeof value === "string" ? value : value.toString("latin1"));
  }
  return h;
}

/** Maps undici's and the OS's errors to Tornado's 599 errors, keeping the original as `cause`. */
export function toClientError(err: Error): Error {
  if (err instanceof HTTPClientError) return err;
  const code = (err as { code?: string }).code ?? "";
  if (code === "UND_ERR_CONNECT_TIMEOUT") return withCause(new HTTPTimeoutError("Timeout while connecting"), err);
  if (code === "UND_ERR_HEADERS_OVERFLOW") return new HTTPClientError(599, "response headers larger than maxHeaderSize", null, { cause: err });
  if (code === "ECONNREFUSED") return new HTTPStreamClosedError("Connection refused", { cause: err });
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return new HTTPStreamClosedError("Stream closed", { cause: err });
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new HTTPClientError(599, `DNS lookup failed: ${err.message}`, null, { cause: err });
  if (code.startsWith("ERR_TLS") || code.includes("CERT") || code.startsWith("ERR_SSL") || /certificate|SSL|TLS/i.test(err.message)) {
    return new HTTPClientError(599, `TLS error: ${err.message}`, null, { cause: err });
  }
  if (code.startsWith("UND_ERR") || code.startsWith("E")) return new HTTPClientError(599, err.message, null, { cause: err });
  return err;
}

function withCause<E extends Error>(e: E, cause: Error): E {
  (e as { cause?: unknown }).cause = cause;
  return e;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function";
}
