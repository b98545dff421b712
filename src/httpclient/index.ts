/**
 * tornado-ts/httpclient: a non-blocking HTTP client with Tornado's semantics, on undici.
 *
 * @example
 * import { AsyncHTTPClient } from "tornado-ts/httpclient";
 * const res = await new AsyncHTTPClient().fetch("http://127.0.0.1:8888/");
 */
export { AsyncHTTPClient, redirectRequest } from "./client";
export type { AsyncHTTPClientOptions, FetchOptions, FetchCallback } from "./client";
export { HTTPRequest, REQUEST_DEFAULTS } from "./request";
export type { HTTPRequestOptions, RequestBody } from "./request";
export { HTTPResponse, HTTPClientError, HTTPTimeoutError, HTTPStreamClosedError } from "./response";
export type { HTTPResponseInit } from "./response";
export { parseDigestChallenge, digestAuthorization } from "./digest";
export type { DigestChallenge } from "./digest";
