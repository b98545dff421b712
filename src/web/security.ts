/**
 * Signed values (secure cookies), XSRF tokens and `Set-Cookie` formatting: the pure functions
 * behind RequestHandler's cookie methods. Nothing here touches a request or a socket.
 *
 * Signed values are byte-compatible with Tornado's format version 2 and readable in version 1,
 * so cookies set by a Python Tornado app with the same secret are read here and vice versa.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** One secret, or several by key version (key rotation; sign with `keyVersion`). */
export type CookieSecret = string | Readonly<Record<number, string>>;

export interface CreateSignedValueOptions {
  /** Format version: 2 (default, HMAC-SHA256) or 1 (legacy HMAC-SHA1). */
  version?: 1 | 2;
  /** Which key of a `{version: secret}` map signs; written into the v2 value. */
  keyVersion?: number;
  /** Seconds since the epoch; defaults to the wall clock. */
  clock?: () => number;
}

export interface DecodeSignedValueOptions {
  /** Values older than this many days are rejected (default 31). */
  maxAgeDays?: number;
  clock?: () => number;
  /** Oldest format accepted (default 1). */
  minVersion?: 1 | 2;
}

const DAY_SECONDS = 86400;
/**
 * Timestamps further than this in the future are rejected. Tornado checks it for v1 only (where
 * an attacker can shift payload digits into the timestamp); we apply it to v2 as well so a value
 * minted with a far-future time cannot outlive `maxAgeDays`, while tolerating clock skew.
 */
const MAX_FUTURE_SECONDS = 31 * DAY_SECONDS;
const VERSION_PREFIX = /^([1-9][0-9]*)\|/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGITS = /^[0-9]+$/;
const wallClock = (): number => Date.now() / 1000;

/**
 * Signs and timestamps `value` so it can be stored client-side (a cookie) and trusted later.
 *
 * @example
 * createSignedValue("It's a secret to everybody", "key", "value", { clock: () => 1300000000 });
 * // "2|1:0|10:1300000000|3:key|8:dmFsdWU=|3d4e60b9…e152"
 */
export function createSignedValue(
  secret: CookieSecret,
  name: string,
  value: string | Buffer,
  opts: CreateSignedValueOptions = {},
): string {
  const version = opts.version ?? 2;
  const timestamp = String(Math.floor((opts.clock ?? wallClock)()));
  const encoded = Buffer.from(value).toString("base64");
  if (version === 1) {
    const key = pickSecret(secret, opts.keyVersion);
    return `${encoded}|${timestamp}|${signV1(key, name, encoded, timestamp)}`;
  }
  if (version !== 2) throw new Error(`unsupported signed value version ${String(version)}; use 1 or 2`);
  const keyVersion = opts.keyVersion ?? 0;
  const toSign =
    "2|" + field(String(keyVersion)) + "|" + field(timestamp) + "|" + field(name) + "|" + field(encoded) + "|";
  return toSign + signV2(pickSecret(secret, opts.keyVersion), toSign);
}

/**
 * Verifies a value made by {@link createSignedValue} and returns the original bytes, or null when
 * it is missing, malformed, tampered with, signed for another name, expired or from the future.
 *
 * @example
 * decodeSignedValue(secret, "user", req.cookies.user)?.toString("utf8") ?? null;
 */
export function decodeSignedValue(
  secret: CookieSecret,
  name: string,
  value: string | null | undefined,
  opts: DecodeSignedValueOptions = {},
): Buffer | null {
  const minVersion = opts.minVersion ?? 1;
  if (minVersion !== 1 && minVersion !== 2) throw new Error(`minVersion must be 1 or 2, got ${String(minVersion)}`);
  if (!value) return null;
  const version = signedValueVersion(value);
  if (version < minVersion) return null;
  const now = (opts.clock ?? wallClock)();
  const maxAge = (opts.maxAgeDays ?? 31) * DAY_SECONDS;
  if (version === 1) return decodeV1(secret, name, value, now, maxAge);
  if (version === 2) return decodeV2(secret, name, value, now, maxAge);
  return null;
}

/**
 * The key version a v2 signed value claims (0 when signed without rotation), or null for v1 or
 * malformed values. Not verified: use it only to decide whether to re-sign with a newer key.
 *
 * @example
 * if (getSignatureKeyVersion(cookie) !== currentKeyVersion) handler.setSecureCookie("user", user);
 */
export function getSignatureKeyVersion(value: string): number | null {
  if (signedValueVersion(value) !== 2) return null;
  const fields = splitV2(value);
  return fields === null ? null : fields.keyVersion;
}

/**
 * Compares two strings in time independent of where they differ (length may leak).
 *
 * @example
 * timingSafeEqualStrings(passedSignature, expectedSignature);
 */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

function pickSecret(secret: CookieSecret, keyVersion: number | undefined): string {
  if (typeof secret === "string") return secret;
  if (keyVersion === undefined) throw new Error("cookieSecret is a {version: secret} map: keyVersion is required");
  const key = secret[keyVersion];
  if (typeof key !== "string") throw new Error(`cookieSecret has no key for keyVersion ${keyVersion}`);
  return key;
}

// Tornado writes `len:` of the str; for ASCII that equals the byte length, and byte length is what
// the reader slices by, so we write bytes (correct for non-ASCII names, identical otherwise).
function field(s: string): string {
  return `${Buffer.byteLength(s, "utf8")}:${s}`;
}

function signV1(secret: string, name: string, encoded: string, timestamp: string): string {
  return createHmac("sha1", secret).update(name).update(encoded).update(timestamp).digest("hex");
}

function signV2(secret: string, toSign: string): string {
  return createHmac("sha256", secret).update(toSign).digest("hex");
}

/** v1 values have no version prefix and start with base64, which can look like a number. */
function signedValueVersion(value: string): number {
  const m = VERSION_PREFIX.exec(value);
  if (m === null) return 1;
  const version = Number(m[1]);
  // Base64 padding rules mean a v1 payload that parses as a number has ≥ 4 digits.
  return version > 999 ? 1 : version;
}

function decodeV1(secret: CookieSecret, name: string, value: string, now: number, maxAge: number): Buffer | null {
  const parts = value.split("|");
  if (parts.length !== 3) return null;
  const [encoded, timestamp, signature] = parts;
  // v1 predates key rotation and names no key: with a map, any of its keys may have signed.
  const keys = typeof secret === "string" ? [secret] : Object.values(secret);
  let valid = false;
  for (const key of keys) valid = timingSafeEqualStrings(signature, signV1(key, name, encoded, timestamp)) || valid;
  if (!valid) return null;
  // The v1 signature has no separators, so digits can move between payload and timestamp
  // without changing it: a leading zero or a far-future time betrays such a shift.
  if (!DIGITS.test(timestamp) || timestamp.startsWith("0")) return null;
  const time = Number(timestamp);
  if (time < now - maxAge || time > now + MAX_FUTURE_SECONDS) return null;
  return decodeBase64(encoded);
}

interface V2Fields {
  keyVersion: number;
  timestamp: string;
  name: string;
  value: string;
  signed: string;
  signature: string;
}

function splitV2(value: string): V2Fields | null {
  let pos = 2; // after "2|"
  const fields: string[] = [];
  const bytes = Buffer.from(value, "utf8");
  for (let i = 0; i < 4; i++) {
    const colon = bytes.indexOf(0x3a, pos);
    if (colon < 0) return null;
    const lengthText = bytes.toString("latin1", pos, colon);
    if (!DIGITS.test(lengthText)) return null;
    const end = colon + 1 + Number(lengthText);
    if (end >= bytes.length || bytes[end] !== 0x7c) return null;
    fields.push(bytes.toString("utf8", colon + 1, end));
    pos = end + 1;
  }
  const [keyVersion, timestamp, name, encoded] = fields;
  if (!DIGITS.test(keyVersion)) return null;
  return {
    keyVersion: Number(keyVersion),
    timestamp,
    name,
    value: encoded,
    signed: bytes.toString("utf8", 0, pos),
    signature: bytes.toString("utf8", pos),
  };
}

function decodeV2(secret: CookieSecret, name: string, value: string, now: number, maxAge: number): Buffer | null {
  const fields = splitV2(value);
  if (fields === null) return null;
  const key = typeof secret === "string" ? secret : secret[fields.keyVersion];
  if (typeof key !== "string") return null;
  if (!timingSafeEqualStrings(fields.signature, signV2(key, fields.signed))) return null;
  if (fields.name !== name) return null;
  if (!DIGITS.test(fields.timestamp)) return null;
  const time = Number(fields.timestamp);
  if (time < now - maxAge || time > now + MAX_FUTURE_SECONDS) return null;
  return decodeBase64(fields.value);
}

function decodeBase64(encoded: string): Buffer | null {
  return BASE64.test(encoded) ? Buffer.from(encoded, "base64") : null;
}

// ---------------------------------------------------------------------------------------------
// XSRF tokens

/** A decoded XSRF cookie or argument. */
export interface XsrfToken {
  version: 1 | 2;
  token: Buffer;
  /** Seconds since the epoch; v1 carries none, so it reads as now (as in Tornado). */
  timestamp: number;
}

const XSRF_MASK_BYTES = 4;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Encodes the raw XSRF token for a cookie or form field. Version 2 (default) XORs it with a fresh
 * random 4-byte mask on every call, so the page never shows the same bytes twice (BREACH).
 *
 * @example
 * encodeXsrfToken(randomBytes(16), Date.now() / 1000); // "2|1f0a33c2|7c…|1700000000"
 */
export function encodeXsrfToken(token: Buffer, timestamp: number, version: 1 | 2 = 2): string {
  if (version === 1) return token.toString("hex");
  const mask = randomBytes(XSRF_MASK_BYTES);
  return `2|${mask.toString("hex")}|${xorMask(mask, token).toString("hex")}|${Math.floor(timestamp)}`;
}

/**
 * Reads an XSRF cookie or submitted token in either format; null when malformed, empty or of an
 * unknown version. A v1 value that is not hex is taken as raw bytes, as Tornado does.
 *
 * @example
 * const cookie = decodeXsrfToken(req.cookies._xsrf ?? "");
 * const sent = decodeXsrfToken(handler.getArgument("_xsrf"));
 * const ok = cookie && sent && timingSafeEqual(cookie.token, sent.token);
 */
export function decodeXsrfToken(cookieOrArg: string): XsrfToken | null {
  if (!cookieOrArg) return null;
  const m = VERSION_PREFIX.exec(cookieOrArg);
  if (m === null) {
    const token = HEX.test(cookieOrArg) ? Buffer.from(cookieOrArg, "hex") : Buffer.from(cookieOrArg, "utf8");
    return { version: 1, token, timestamp: Math.floor(wallClock()) };
  }
  if (m[1] !== "2") return null;
  const parts = cookieOrArg.split("|");
  if (parts.length !== 4) return null;
  const [, maskHex, maskedHex, timestampText] = parts;
  if (maskHex.length !== XSRF_MASK_BYTES * 2 || !HEX.test(maskHex) || !HEX.test(maskedHex)) return null;
  if (!DIGITS.test(timestampText)) return null;
  const token = xorMask(Buffer.from(maskHex, "hex"), Buffer.from(maskedHex, "hex"));
  return { version: 2, token, timestamp: Number(timestampText) };
}

function xorMask(mask: Buffer, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ mask[i & 3];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Set-Cookie

/** Attributes of a `Set-Cookie` header (RFC 6265). */
export interface CookieOptions {
  domain?: string;
  /** A Date, or seconds since the epoch. */
  expires?: Date | number;
  /** Used when `expires` is not given: now plus this many days. */
  expiresDays?: number;
  /** Default "/". */
  path?: string;
  /** Seconds; 0 deletes the cookie at once. */
  maxAge?: number;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: "Strict" | "Lax" | "None";
}

// RFC 6265 token characters plus ':' — what Python's http.cookies leaves unquoted.
const LEGAL_COOKIE_CHARS = "A-Za-z0-9!#$%&'*+\\-.^_`|~:";
const LEGAL_COOKIE_TOKEN = new RegExp(`^[${LEGAL_COOKIE_CHARS}]+$`);
const CONTROL_OR_SPACE = /[\x00-\x20]/;
const NON_LATIN1 = /[^\x00-\xff]/;
const UNSAFE_ATTRIBUTE = /[\x00-\x1f\x7f;]/;
const RESERVED_NAMES = new Set([
  "expires", "path", "comment", "domain", "max-age", "secure", "httponly", "version", "samesite", "partitioned",
]);
const SAME_SITE: Record<string, "Strict" | "Lax" | "None"> = { strict: "Strict", lax: "Lax", none: "None" };
// Characters http.cookies writes as-is inside quotes; all others (≤ 0xff) become \ooo escapes.
const QUOTE_SAFE = new RegExp(`[${LEGAL_COOKIE_CHARS} ()/<=>?@\\[\\]{}]`);
const QUOTE_TABLE: string[] = buildQuoteTable();

function buildQuoteTable(): string[] {
  const table: string[] = [];
  for (let code = 0; code < 256; code++) {
    const ch = String.fromCharCode(code);
    table.push(QUOTE_SAFE.test(ch) ? ch : "\\" + code.toString(8).padStart(3, "0"));
  }
  table[0x22] = '\\"';
  table[0x5c] = "\\\\";
  return table;
}

/**
 * Formats one `Set-Cookie` header value the way Tornado (through Python's http.cookies) does:
 * attributes in alphabetical order, the value quoted with octal escapes when it is not a token.
 * Throws on a name or value with control characters or spaces, an illegal or reserved name, an
 * attribute that could inject another attribute, or an unknown SameSite.
 *
 * @example
 * formatSetCookie("user", "ben", { httpOnly: true, sameSite: "Lax" });
 * // "user=ben; HttpOnly; Path=/; SameSite=Lax"
 */
export function formatSetCookie(name: string, value: string, opts: CookieOptions = {}): string {
  if (CONTROL_OR_SPACE.test(name) || CONTROL_OR_SPACE.test(value)) {
    throw new Error(`invalid cookie ${JSON.stringify(name)}: ${JSON.stringify(value)} (control characters or spaces)`);
  }
  if (!LEGAL_COOKIE_TOKEN.test(name)) throw new Error(`illegal cookie name ${JSON.stringify(name)}`);
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    throw new Error(`cookie name ${JSON.stringify(name)} is a reserved attribute name`);
  }
  if (NON_LATIN1.test(value)) {
    throw new Error(`cookie ${name} value has characters beyond Latin-1; encode it (e.g. urlEscape) first`);
  }
  const parts = [`${name}=${quoteCookieValue(value)}`];
  if (opts.domain) parts.push(`Domain=${checkAttribute("domain", opts.domain)}`);
  const expires = opts.expires ?? (opts.expiresDays !== undefined ? Date.now() / 1000 + opts.expiresDays * DAY_SECONDS : undefined);
  if (expires !== undefined) parts.push(`expires=${formatCookieDate(expires)}`);
  if (opts.httpOnly) parts.push("HttpOnly");
  if (opts.maxAge !== undefined) {
    if (!Number.isInteger(opts.maxAge)) throw new Error(`cookie maxAge must be an integer, got ${opts.maxAge}`);
    parts.push(`Max-Age=${opts.maxAge}`);
  }
  const path = opts.path ?? "/";
  if (path) parts.push(`Path=${checkAttribute("path", path)}`);
  if (opts.sameSite !== undefined) {
    const sameSite = SAME_SITE[String(opts.sameSite).toLowerCase()];
    if (sameSite === undefined) throw new Error(`cookie sameSite must be Strict, Lax or None, got ${String(opts.sameSite)}`);
    parts.push(`SameSite=${sameSite}`);
  }
  if (opts.secure) parts.push("Secure");
  return parts.join("; ");
}

function quoteCookieValue(value: string): string {
  if (LEGAL_COOKIE_TOKEN.test(value)) return value;
  let out = '"';
  for (let i = 0; i < value.length; i++) out += QUOTE_TABLE[value.charCodeAt(i)];
  return out + '"';
}

function checkAttribute(name: string, value: string): string {
  if (UNSAFE_ATTRIBUTE.test(value) || NON_LATIN1.test(value)) {
    throw new Error(`cookie ${name} ${JSON.stringify(value)} has ';', control or non-Latin-1 characters`);
  }
  return value;
}

function formatCookieDate(expires: Date | number): string {
  const date = typeof expires === "number" ? new Date(expires * 1000) : expires;
  if (Number.isNaN(date.getTime())) throw new Error("cookie expires is not a valid date");
  return date.toUTCString();
}
