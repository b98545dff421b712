/**
 * HTTPRequest: every option of one fetch as a field, with Tornado's names camelCased and its
 * defaults (timeouts in seconds, 20 each; redirects followed, at most 5; certificates checked).
 */

import { HTTPHeaders } from "../httputil";

export type RequestBody = string | Buffer | Uint8Array | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * Options of one request. `streamingCallback` receives the body in pieces instead of it being
 * buffered; when it returns a promise the connection is paused until that promise settles.
 * `headerCallback` receives the start line, each header line (with its CRLF) and the final CRLF.
 */
export interface HTTPRequestOptions {
  method?: string;
  headers?: HTTPHeaders | Record<string, string> | Iterable<[string, string]>;
  body?: RequestBody | null;
  authUsername?: string;
  authPassword?: string;
  authMode?: "basic" | "digest";
  connectTimeout?: number;
  requestTimeout?: number;
  ifModifiedSince?: Date | number;
  followRedirects?: boolean;
  maxRedirects?: number;
  userAgent?: string;
  decompressResponse?: boolean;
  /** Tornado's older name for `decompressResponse`. */
  useGzip?: boolean;
  streamingCallback?: ((chunk: Buffer) => unknown) | null;
  headerCallback?: ((line: string) => unknown) | null;
  proxyHost?: string;
  proxyPort?: number;
  proxyUsername?: string;
  proxyPassword?: string;
  validateCert?: boolean;
  /** CA certificates: PEM text or Buffer, or a file path. */
  caCerts?: string | Buffer;
  /** Client certificate for mutual TLS: PEM text or Buffer, or a file path. */
  clientCert?: string | Buffer;
  clientKey?: string | Buffer;
  allowNonstandardMethods?: boolean;
  /** Largest body kept in memory (bytes); with a streamingCallback only when set explicitly. */
  maxBodySize?: number;
  maxHeaderSize?: number;
  /** Non-2xx responses reject with HTTPClientError (default). When false they resolve. */
  raiseError?: boolean;
}

export const REQUEST_DEFAULTS = {
  method: "GET",
  connectTimeout: 20,
  requestTimeout: 20,
  followRedirects: true,
  maxRedirects: 5,
  decompressResponse: true,
  validateCert: true,
  allowNonstandardMethods: false,
  raiseError: true,
  authMode: "basic" as "basic" | "digest",
};

const SUPPORTED_METHODS = new Set(["GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS"]);
const BODY_EXPECTED = new Set(["POST", "PATCH", "PUT"]);

/**
 * One request with every option resolved. Options not given take the client's `defaults`, then
 * Tornado's defaults.
 *
 * @example
 * const req = new HTTPRequest("http://127.0.0.1:8888/", { method: "POST", body: "a=1", requestTimeout: 5 });
 * const res = await client.fetch(req);
 */
export class HTTPRequest {
  url: string;
  method: string;
  headers: HTTPHeaders;
  body: RequestBody | null;
  authUsername?: string;
  authPassword?: string;
  authMode: "basic" | "digest";
  connectTimeout: number;
  requestTimeout: number;
  ifModifiedSince?: Date | number;
  followRedirects: boolean;
  maxRedirects: number;
  userAgent?: string;
  decompressResponse: boolean;
  streamingCallback: ((chunk: Buffer) => unknown) | null;
  headerCallback: ((line: string) => unknown) | null;
  proxyHost?: string;
  proxyPort?: number;
  proxyUsername?: string;
  proxyPassword?: string;
  validateCert: boolean;
  caCerts?: string | Buffer;
  clientCert?: string | Buffer;
  clientKey?: string | Buffer;
  allowNonstandardMethods: boolean;
  maxBodySize?: number;
  maxHeaderSize?: number;
  raiseError: boolean;

  constructor(url: string | URL, options: HTTPRequestOptions = {}, defaults: HTTPRequestOptions = {}) {
    const o = { ...REQUEST_DEFAULTS, ...stripUndefined(defaults), ...stripUndefined(options) };
    this.url = String(url);
    this.method = o.method.toUpperCase();
    this.headers = new HTTPHeaders();
    for (const source of [defaults.headers, options.headers]) {
      if (!source) continue;
      const entries = source instanceof HTTPHeaders || Symbol.iterator in Object(source) ? (source as Iterable<[string, string]>) : Object.entries(source);
      for (const [name, value] of entries) this.headers.set(name, value);
    }
    this.body = o.body ?? null;
    this.authUsername = o.authUsername;
    this.authPassword = o.authPassword;
    this.authMode = o.authMode;
    this.connectTimeout = o.connectTimeout;
    this.requestTimeout = o.requestTimeout;
    this.ifModifiedSince = o.ifModifiedSince;
    this.followRedirects = o.followRedirects;
    this.maxRedirects = o.maxRedirects;
    this.userAgent = o.userAgent;
    this.decompressResponse = o.useGzip ?? o.decompressResponse;
    this.streamingCallback = o.streamingCallback ?? null;
    this.headerCallback = o.headerCallback ?? null;
    this.proxyHost = o.proxyHost;
    this.proxyPort = o.proxyPort;
    this.proxyUsername = o.proxyUsername;
    this.proxyPassword = o.proxyPassword;
    this.validateCert = o.validateCert;
    this.caCerts = o.caCerts;
    this.clientCert = o.clientCert;
    this.clientKey = o.clientKey;
    this.allowNonstandardMethods = o.allowNonstandardMethods;
    this.maxBodySize = o.maxBodySize;
    this.maxHeaderSize = o.maxHeaderSize;
    this.raiseError = o.raiseError;
  }

  /** A shallow copy, with its own header list (redirects and retries change copies). */
  copy(): HTTPRequest {
    const c = Object.create(HTTPRequest.prototype) as HTTPRequest;
    Object.assign(c, this);
    c.headers = this.headers.copy();
    return c;
  }

  /**
   * Throws TypeError when the request cannot be sent as given: a URL that is not http(s), an
   * unknown method, or a body where the method takes none (or none where it needs one) unless
   * `allowNonstandardMethods` is set.
   */
  validate(): URL {
    let parsed: URL;
    try {
      parsed = new URL(this.url);
    } catch {
      throw new TypeError(`HTTPRequest: not an absolute URL: ${JSON.stringify(this.url)}`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new TypeError(`HTTPRequest: unsupported URL scheme ${parsed.protocol} (use http: or https:)`);
    }
    if (this.allowNonstandardMethods) return parsed;
    if (!SUPPORTED_METHODS.has(this.method)) {
      throw new TypeError(`HTTPRequest: unknown method ${this.method} (set allowNonstandardMethods to send it)`);
    }
    const hasBody = this.body !== null && this.body !== undefined;
    if (BODY_EXPECTED.has(this.method) && !hasBody) {
      throw new TypeError(`HTTPRequest: body must not be empty for method ${this.method} (pass body: "" to send none, or set allowNonstandardMethods)`);
    }
    if (!BODY_EXPECTED.has(this.method) && hasBody) {
      throw new TypeError(`HTTPRequest: body must be empty for method ${this.method} (or set allowNonstandardMethods)`);
    }
    return parsed;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
