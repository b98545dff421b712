/**
 * The output half of RequestHandler: status, headers, cookies to set, the write buffer, flush and
 * finish, redirects and error pages. RequestHandler (handler.ts) adds the request lifecycle on top.
 */
import { SafeString, jsonEncode } from "../escape";
import { HTTPHeaders, type HTTPServerRequest } from "../httputil";
import { WRITTEN } from "../iostream";
import { ServerResponse } from "../http1response";
import { appLog } from "../log";
import type { Application } from "./application";
import { HTTPError } from "./errors";
import {
  SERVER_HEADER, bodyEtag, errorPageHtml, etagMatches, headerValue, httpDateNow, reasonFor, statusHasNoBody,
  tracebackText,
} from "./handler_output";
import { formatSetCookie, type CookieOptions } from "./security";
import type { ApplicationSettings } from "./settings";
import type { OutputTransform } from "./transforms";

/** What `write` accepts: text, bytes, or a plain object sent as JSON. */
export type WriteChunk = string | Buffer | Uint8Array | SafeString | Record<string, unknown>;

/** Extras of `sendError` / `writeError`: the exception that caused it, a custom reason. */
export interface ErrorExtras {
  exc?: unknown;
  reason?: string;
  [key: string]: unknown;
}

/** An in-memory connection (the testing recorder) may observe renders and errors. */
interface ResponseObserver {
  recordRender?(template: string, kwargs: Record<string, unknown>): void;
  recordError?(err: unknown): void;
}

const EMPTY = Buffer.alloc(0);
const HTML_TYPE = "text/html; charset=UTF-8";
const JSON_TYPE = "application/json; charset=UTF-8";
// The head lines every plain response starts with, checked once here instead of per response.
const HTML_HEAD = `Server: ${SERVER_HEADER}\r\nContent-Type: ${HTML_TYPE}\r\nDate: `;
const JSON_HEAD = `Server: ${SERVER_HEADER}\r\nContent-Type: ${JSON_TYPE}\r\nDate: `;
const NO_TRANSFORMS: readonly OutputTransform[] = Object.freeze([]);
const DAY_MS = 86_400_000;

/**
 * Status, headers and body of one response. Not used directly: extend RequestHandler.
 */
export abstract class HandlerResponse {
  readonly application: Application;
  readonly request: HTTPServerRequest;
  /** The application's settings (shared, do not modify per request). */
  readonly settings: ApplicationSettings;

  // Shared and frozen until the lifecycle installs the application's transforms: no array per request.
  protected outputTransforms: readonly OutputTransform[] = NO_TRANSFORMS;
  /** Set by the lifecycle just before a 405 so the error page carries `Allow`. */
  protected allowOnError: string | undefined;
  private statusCode = 200;
  private reasonPhrase = "OK";
  /**
   * The headers once anything but the defaults touched them; until then (most responses) null,
   * and the head is Server, `contentType` and `dateText`, then `etagValue` and `lengthValue`,
   * written from prepared text without building a header collection.
   */
  private responseHeaders: HTTPHeaders | null = null;
  private contentType: string = HTML_TYPE;
  private dateText = "";
  private etagValue: string | null = null;
  /** The Content-Length finish() worked out while the headers are prepared fields; -1 before. */
  private bodyLength = -1;
  // Text stays text until the single socket write: no Buffer per chunk for the usual page.
  private writeBuffer!: (Buffer | string)[]; // set by clear()
  private newCookies: Map<string, string> | null = null;
  private headersSent = false;
  private finishedFlag = false;

  constructor(application: Application, request: HTTPServerRequest) {
    this.application = application;
    this.request = request;
    this.settings = application.settings;
    this.clear();
  }

  /** Whether `finish()` has run: nothing more can be written. */
  get finished(): boolean {
    return this.finishedFlag;
  }

  /** Whether the status line and headers went out (after the first `flush()`). */
  get headersWritten(): boolean {
    return this.headersSent;
  }

  /** Hook: runs after the response is finished (cleanup, metrics). Errors are logged. */
  onFinish(): void | Promise<void> {}

  /** Hook: headers every response of this handler starts with (called by `clear()`). */
  setDefaultHeaders(): void {}

  /** Called once the response is complete; the lifecycle logs the request and wakes waiters. */
  protected abstract afterFinish(): void;

  /**
   * Resets status, headers and body to the defaults (cookies to set are kept). `sendError`
   * calls it so an error page never carries half a page.
   */
  clear(): void {
    this.responseHeaders = null;
    this.contentType = HTML_TYPE;
    this.dateText = httpDateNow();
    this.etagValue = null;
    this.bodyLength = -1;
    this.setDefaultHeaders();
    this.writeBuffer = [];
    this.statusCode = 200;
    this.reasonPhrase = "OK";
  }

  /**
   * Sets the response status. An unknown code gets the reason "Unknown"; a `reason` with
   * characters not allowed in a status line is replaced by the standard phrase.
   *
   * @example
   * this.setStatus(201);
   * this.setStatus(299, "Almost");
   */
  setStatus(code: number, reason?: string): void {
    if (!Number.isInteger(code) || code < 100 || code > 999) throw new Error(`invalid HTTP status code ${code}`);
    this.statusCode = code;
    this.reasonPhrase = reasonFor(code, reason);
  }

  getStatus(): number {
    return this.statusCode;
  }

  /**
   * Sets a response header, replacing earlier values. Values with CR, LF or other control
   * characters throw (they could inject headers). Dates are formatted as HTTP dates.
   *
   * @example
   * this.setHeader("Cache-Control", "no-store");
   */
  setHeader(name: string, value: string | number | Date): void {
    const text = headerValue(name, value);
    if (this.responseHeaders === null) {
      // The headers the prepared head carries stay fields (exact names: anything else builds the collection).
      if (name === "Content-Type" && (text === HTML_TYPE || text === JSON_TYPE)) {
        this.contentType = text;
        return;
      }
      if (name === "Etag" && isPlainAscii(text)) {
        this.etagValue = text;
        return;
      }
    }
    this.headerCollection().set(name, text);
  }

  /** Adds a header value, keeping earlier ones (e.g. several `Link` headers). */
  addHeader(name: string, value: string | number | Date): void {
    this.headerCollection().add(name, headerValue(name, value));
  }

  /** Removes a header set earlier (including defaults such as `Content-Type`). */
  clearHeader(name: string): void {
    this.headerCollection().delete(name);
  }

  /** A response header's value (comma-joined when repeated), or undefined. */
  getResponseHeader(name: string): string | undefined {
    return this.headerCollection().get(name);
  }

  /** The header collection, built from the prepared fields on first use. */
  private headerCollection(): HTTPHeaders {
    let headers = this.responseHeaders;
    if (headers === null) {
      headers = new HTTPHeaders();
      headers.add("Server", SERVER_HEADER);
      headers.add("Content-Type", this.contentType);
      headers.add("Date", this.dateText);
      if (this.etagValue !== null) headers.add("Etag", this.etagValue);
      if (this.bodyLength >= 0) headers.add("Content-Length", String(this.bodyLength));
      this.responseHeaders = headers;
    }
    return headers;
  }

  /**
   * Appends to the response body. A plain object is sent as JSON (`application/json;
   * charset=UTF-8`); arrays are refused, since a top-level JSON array can be read by another
   * site's `<script>` (JSON hijacking).
   *
   * @example
   * this.write("Hello, ");
   * this.write({ ok: true, items });
   */
  write(chunk: WriteChunk): void {
    if (this.finishedFlag) throw new Error("Cannot write() after finish()");
    this.writeBuffer.push(this.toChunk(chunk));
  }

  /**
   * Sends what was written so far. The first flush sends the status line and headers; without a
   * Content-Length the body then goes out chunked.
   */
  flush(): Promise<void> {
    return this.flushBuffer(false);
  }

  /**
   * Ends the response, optionally writing `chunk` first. For a 200 GET/HEAD the body's ETag is
   * compared with If-None-Match and may turn the response into a 304. The promise settles when
   * the bytes are handed to the connection (it does not reject if the client went away).
   *
   * @example
   * this.finish({ status: "ok" });
   */
  finish(chunk?: WriteChunk): Promise<void> {
    if (this.finishedFlag) throw new Error("finish() called twice");
    if (chunk !== undefined) this.write(chunk);
    if (!this.headersSent) this.prepareFinalHeaders();
    const flushed = this.flushBuffer(true);
    this.finishedFlag = true;
    this.request.finishTime = performance.now();
    const connection = this.request.connection;
    if (connection) {
      connection.setCloseCallback(null);
      connection.finish();
    }
    this.afterFinish();
    try {
      const result = this.onFinish();
      if (result instanceof Promise) result.catch((err: unknown) => appLog.error("Exception in onFinish", err));
    } catch (err) {
      appLog.error("Exception in onFinish", err);
    }
    // The response is complete as far as the handler goes: a peer that vanished meanwhile is
    // not the handler's error, so this promise never rejects.
    // A write the socket already took cannot fail: skip the chain (two promises per request).
    return flushed === WRITTEN ? flushed : flushed.then(noop, noop);
  }

  /**
   * Redirects to `url`: 302, 301 when `permanent`, or an explicit 3xx `status`.
   *
   * @example
   * this.redirect("/login?next=%2F");
   */
  redirect(url: string, permanent = false, status?: number): Promise<void> {
    if (this.headersSent) throw new Error("Cannot redirect after headers have been written");
    const code = status ?? (permanent ? 301 : 302);
    if (!Number.isInteger(code) || code < 300 || code > 399) throw new Error(`redirect status must be 3xx, got ${code}`);
    this.setStatus(code);
    this.setHeader("Location", url);
    return this.finish();
  }

  /**
   * Replaces the response with an error page for `code` (via `writeError`). When the headers
   * already went out, the response is just ended.
   */
  sendError(code = 500, extras: ErrorExtras = {}): void {
    if (this.headersSent) {
      appLog.error("Cannot send error response after headers written");
      if (!this.finishedFlag) this.finishQuietly();
      return;
    }
    this.clear();
    const exc = extras.exc;
    const reason = exc instanceof HTTPError && exc.reason !== undefined ? exc.reason : extras.reason;
    this.setStatus(code, reason);
    if (code === 405 && this.allowOnError) this.setHeader("Allow", this.allowOnError);
    try {
      this.writeError(code, extras);
    } catch (err) {
      appLog.error("Uncaught exception in writeError", err);
    }
    if (this.finishedFlag) return;
    // A page written for a 204/304/1xx cannot go out: answer with the bare status instead of
    // leaving the client waiting (the refused finish was logged above).
    if (statusHasNoBody(this.statusCode)) this.writeBuffer = [];
    this.finishQuietly();
  }

  /**
   * Hook: writes the error page. The default is `<html><title>404: Not Found</title>…`, or the
   * exception's stack as text when `serveTraceback` (or `debug`) is on; nothing for the statuses
   * that have no body (1xx, 204, 304).
   */
  writeError(code: number, extras: ErrorExtras): void {
    if (statusHasNoBody(code)) {
      this.finish();
      return;
    }
    if (this.settings.serveTraceback && extras.exc !== undefined) {
      this.setHeader("Content-Type", "text/plain; charset=UTF-8");
      this.finish(tracebackText(extras.exc));
      return;
    }
    this.finish(errorPageHtml(code, this.reasonPhrase));
  }

  /**
   * Hook: the ETag of the body written so far (a 64-bit hash of a small body, the SHA-1 of a
   * larger one), or null to send none.
   */
  computeEtag(): string | null {
    return bodyEtag(this.writeBuffer);
  }

  /** Sets the `Etag` header from `computeEtag()` (when it gives one). */
  setEtagHeader(): void {
    const etag = this.computeEtag();
    if (etag !== null) this.setHeader("Etag", etag);
  }

  /** Whether the request's If-None-Match matches our `Etag` (so a 304 will do). */
  checkEtagHeader(): boolean {
    const etag = this.responseHeaders === null ? this.etagValue ?? undefined : this.responseHeaders.get("Etag");
    return etagMatches(this.request.headers.get("If-None-Match"), etag);
  }

  /**
   * Sets a cookie (sent with the headers). Invalid names, values or attributes throw.
   *
   * @example
   * this.setCookie("theme", "dark", { expiresDays: 365, sameSite: "Lax" });
   */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    const header = formatSetCookie(name, value, options);
    (this.newCookies ??= new Map()).set(name, header);
  }

  /** Deletes a cookie in the browser (same `path`/`domain` as it was set with). */
  clearCookie(name: string, options: Pick<CookieOptions, "path" | "domain" | "secure" | "sameSite" | "httpOnly"> = {}): void {
    this.setCookie(name, "", { ...options, expires: new Date(Date.now() - 365 * DAY_MS) });
  }

  /** Deletes every cookie the request carried. */
  clearAllCookies(options: Pick<CookieOptions, "path" | "domain"> = {}): void {
    for (const name of Object.keys(this.request.cookies)) this.clearCookie(name, options);
  }

  private toChunk(chunk: WriteChunk): Buffer | string {
    if (typeof chunk === "string") return chunk;
    if (Buffer.isBuffer(chunk)) return chunk;
    if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (chunk instanceof SafeString) return chunk.html;
    if (Array.isArray(chunk)) {
      throw new TypeError(
        "write() refuses arrays: a top-level JSON array can be read by another site (JSON hijacking); " +
          "wrap it in an object, e.g. write({ items })",
      );
    }
    if (chunk !== null && typeof chunk === "object") {
      if (this.responseHeaders === null) this.contentType = JSON_TYPE;
      else this.responseHeaders.set("Content-Type", JSON_TYPE);
      return jsonEncode(chunk);
    }
    throw new TypeError(`write() accepts a string, a Buffer or a plain object, got ${chunk === null ? "null" : typeof chunk}`);
  }

  /** ETag/304, and the length rules: no body or length for 1xx/204/304, else Content-Length. */
  private prepareFinalHeaders(): void {
    const method = this.request.method;
    const hasEtag = this.responseHeaders === null ? this.etagValue !== null : this.responseHeaders.has("Etag");
    if (this.statusCode === 200 && (method === "GET" || method === "HEAD") && !hasEtag) {
      // The default tag is plain ASCII by construction: no header checks unless a hook is overridden.
      if (this.responseHeaders === null && this.setEtagHeader === BASE.setEtagHeader && this.computeEtag === BASE.computeEtag) {
        this.etagValue = bodyEtag(this.writeBuffer);
      } else {
        this.setEtagHeader();
      }
      if (this.checkEtagHeader()) {
        this.writeBuffer = [];
        this.setStatus(304);
      }
    }
    if (statusHasNoBody(this.statusCode)) {
      if (this.writeBuffer.some((b) => b.length > 0)) {
        throw new Error(`Cannot send a body with status ${this.statusCode}`);
      }
      const headers = this.headerCollection();
      for (const name of ["Content-Length", "Content-Encoding", "Content-Language", "Content-Type"]) {
        headers.delete(name);
      }
      // A 1xx is interim: a client reads on for the final response, which will never come.
      // Closing ends its wait (101 is left alone: it hands the connection to another protocol).
      if (this.statusCode < 200 && this.statusCode !== 101) headers.set("Connection", "close");
    } else if (this.responseHeaders === null ? this.bodyLength < 0 : !this.responseHeaders.has("Content-Length")) {
      let length = 0;
      for (const b of this.writeBuffer) length += typeof b === "string" ? Buffer.byteLength(b) : b.length;
      if (this.responseHeaders === null) this.bodyLength = length;
      else this.responseHeaders.set("Content-Length", String(length));
    }
  }

  private flushBuffer(finishing: boolean): Promise<void> {
    const transforms = this.outputTransforms;
    let chunk = joinChunks(this.writeBuffer, transforms.length > 0);
    this.writeBuffer = [];
    const connection = this.request.connection;
    const isHead = this.request.method === "HEAD";
    if (!this.headersSent) {
      this.headersSent = true;
      if (this.responseHeaders === null && transforms.length === 0 && this.newCookies === null && connection instanceof ServerResponse &&
        !statusHasNoBody(this.statusCode)) {
        // The usual response: only the prepared headers, straight to the socket.
        return settle(connection.writePreparedHead(this.statusCode, this.reasonPhrase, this.preparedLines(), this.bodyLength, isHead ? EMPTY : chunk));
      }
      const headers = this.headerCollection();
      let status = this.statusCode;
      for (const t of transforms) [status, chunk] = t.transformFirstChunk(status, headers, chunk as Buffer, finishing);
      if (status !== this.statusCode) this.setStatus(status);
      if (this.newCookies) for (const header of this.newCookies.values()) headers.add("Set-Cookie", header);
      if (!connection) return WRITTEN;
      const start = { version: "HTTP/1.1", code: this.statusCode, reason: this.reasonPhrase };
      return settle(connection.writeHeaders(start, headers, isHead ? EMPTY : chunk));
    }
    for (const t of transforms) chunk = t.transformChunk(chunk as Buffer, finishing);
    // A zero-length chunk would read as the end of a chunked body.
    if (!connection || isHead || chunk.length === 0) return WRITTEN;
    return settle(connection.write(chunk));
  }

  /** The head lines of a response whose headers are still the prepared fields (all checked ASCII). */
  private preparedLines(): string {
    const type = this.contentType;
    let lines = (type === HTML_TYPE ? HTML_HEAD : type === JSON_TYPE ? JSON_HEAD : `Server: ${SERVER_HEADER}\r\nContent-Type: ${type}\r\nDate: `) + this.dateText + "\r\n";
    if (this.etagValue !== null) lines += "Etag: " + this.etagValue + "\r\n";
    return lines;
  }

  private finishQuietly(): void {
    try {
      this.finish();
    } catch (err) {
      appLog.error("Cannot finish the response", err);
    }
  }

  /** Tells an in-memory connection what was rendered (no-op on a real connection). */
  protected observe(): ResponseObserver | undefined {
    return this.request.connection as ResponseObserver | undefined;
  }
}

const BASE = HandlerResponse.prototype;

function noop(): void {}

const NOT_PLAIN_ASCII = /[^\x20-\x7e\t]/;

/** Whether a header value is printable ASCII (the prepared head is sent as such, unchecked). */
function isPlainAscii(text: string): boolean {
  return !NOT_PLAIN_ASCII.test(text);
}

/** The chunks as one: text joined as text, else bytes (always bytes when `asBuffer`, for transforms). */
function joinChunks(chunks: readonly (Buffer | string)[], asBuffer: boolean): Buffer | string {
  if (chunks.length === 0) return EMPTY;
  let text = true;
  for (const c of chunks) if (typeof c !== "string") text = false;
  if (text && !asBuffer) return chunks.length === 1 ? chunks[0] : chunks.join("");
  if (chunks.length === 1) return toBytes(chunks[0]);
  return Buffer.concat(chunks.map(toBytes));
}

function toBytes(chunk: Buffer | string): Buffer {
  return typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
}

/** Lets callers await a write while a write nobody awaits (peer gone) cannot crash the process. */
function settle(p: Promise<void>): Promise<void> {
  if (p !== WRITTEN) p.catch(noop);
  return p;
}
