/**
 * Signed ("secure") cookies as the handler sets and reads them: their options, the attributes a
 * new one gets, and verifying one read back.
 */
import { decodeSignedValue, type CookieOptions, type CookieSecret } from "./security";

/** Options of `setSecureCookie`: cookie attributes (expiresDays defaults to 30) and format version. */
export interface SecureCookieOptions extends CookieOptions {
  version?: 1 | 2;
}

/** Options of `getSecureCookie`. */
export interface GetSecureCookieOptions {
  /** Read this value instead of the request's cookie. */
  value?: string | null;
  /** Older values are refused (default 31). */
  maxAgeDays?: number;
  minVersion?: 1 | 2;
}

/** The cookie attributes of `options` (without `version`); expires in 30 days unless told otherwise. */
export function secureCookieAttributes(options: SecureCookieOptions): CookieOptions {
  const { version: _version, ...attributes } = options;
  if (attributes.expires === undefined && attributes.expiresDays === undefined) attributes.expiresDays = 30;
  return attributes;
}

/** The verified value of signed cookie `raw` as text, or null when absent, tampered with or too old. */
export function readSignedCookie(secret: CookieSecret, name: string, raw: string | null | undefined, options: GetSecureCookieOptions): string | null {
  const decoded = decodeSignedValue(secret, name, raw, { maxAgeDays: options.maxAgeDays, minVersion: options.minVersion });
  return decoded === null ? null : decoded.toString("utf8");
}
