/**
 * XSRF protection as the handler applies it: reading the raw token out of the `_xsrf` cookie,
 * comparing a submitted token with it, and the hidden form field.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { SafeString, xhtmlEscape } from "../escape";
import { HTTPError } from "./errors";
import { decodeXsrfToken } from "./security";

/** The raw token behind the cookie; `version` is null when the cookie was absent or unreadable. */
export interface RawXsrfToken {
  version: 1 | 2 | null;
  token: Buffer;
  timestamp: number;
}

const TOKEN_BYTES = 16;

/** Decodes the cookie, or makes a fresh random token when there is none (or it is malformed). */
export function readRawXsrfToken(cookie: string | undefined): RawXsrfToken {
  const decoded = cookie ? decodeXsrfToken(cookie) : null;
  if (decoded !== null && decoded.token.length > 0) return decoded;
  return { version: null, token: randomBytes(TOKEN_BYTES), timestamp: Math.floor(Date.now() / 1000) };
}

/**
 * Throws HTTPError(403) unless `submitted` carries the same raw token as the cookie. Each refusal
 * has its own log message, so operators can tell a missing field from a forged one.
 */
export function verifyXsrfToken(submitted: string | undefined, cookie: string | undefined): void {
  if (!submitted) throw new HTTPError(403, "'_xsrf' argument missing from POST");
  const sent = decodeXsrfToken(submitted);
  if (sent === null || sent.token.length === 0) throw new HTTPError(403, "'_xsrf' argument has invalid format");
  const expected = cookie ? decodeXsrfToken(cookie) : null;
  if (expected === null || expected.token.length === 0) throw new HTTPError(403, "'_xsrf' cookie missing or invalid");
  if (sent.token.length !== expected.token.length || !timingSafeEqual(sent.token, expected.token)) {
    throw new HTTPError(403, "XSRF cookie does not match POST argument");
  }
}

/** `<input type="hidden" name="_xsrf" value="…"/>` for a form. */
export function xsrfInput(token: string): SafeString {
  return new SafeString(`<input type="hidden" name="_xsrf" value="${xhtmlEscape(token)}"/>`);
}
