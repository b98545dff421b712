/**
 * What the auth mixins stand on: a RequestHandler class to extend, the signed cookie that holds
 * a flow's secrets between the redirect and the callback, and the HTTP client they use.
 */

import { randomBytes, timingSafeEqual } from "node:crypto";
import { AsyncHTTPClient } from "../httpclient";
import type { RequestHandler } from "../web/handler";
import { AuthError } from "./errors";

/** Any RequestHandler subclass; mixins take one and return a subclass of it. */
export type HandlerClass<T extends RequestHandler = RequestHandler> = abstract new (...args: any[]) => T;

/**
 * What a mixin adds, as a constructor type. Mixins declare their return type with it because
 * TypeScript cannot emit declarations for a class expression over RequestHandler's private members.
 */
export type MixinCtor<M> = abstract new (...args: any[]) => M;

/** Random URL-safe text with `bytes` bytes of entropy. */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString("base64url");
}

/** Constant-time string comparison (for state and nonces). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Stores a flow's secrets in a short-lived signed, HttpOnly cookie. */
export function saveFlowCookie(handler: RequestHandler, name: string, value: Record<string, string>): void {
  handler.setSecureCookie(name, JSON.stringify(value), { httpOnly: true, sameSite: "Lax", expiresDays: 1 / 96, path: "/" });
}

/** Reads (and clears) a flow cookie; AuthError when it is missing, expired or forged. */
export function takeFlowCookie(handler: RequestHandler, name: string): Record<string, string> {
  const raw = handler.getSecureCookie(name, { maxAgeDays: 1 / 96 });
  handler.clearCookie(name, { path: "/" });
  if (!raw) throw new AuthError(`missing or invalid ${name} cookie: start the login again`);
  try {
    return JSON.parse(raw) as Record<string, string>;
  } catch {
    throw new AuthError(`malformed ${name} cookie`);
  }
}

/** The client auth mixins fetch with (the IOLoop's shared AsyncHTTPClient). */
export function authHttpClient(): AsyncHTTPClient {
  return new AsyncHTTPClient();
}

/** Parses a provider's JSON answer, raising AuthError with its `error_description`/`error`. */
export function providerJson(body: Buffer, code: number, what: string): Record<string, unknown> {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  } catch {
    throw new AuthError(`${what} failed: HTTP ${code}, not JSON: ${body.toString("utf8").slice(0, 200)}`);
  }
  const err = json.error as unknown;
  if (code >= 400 || err) {
    const message = typeof err === "object" && err !== null
      ? String((err as Record<string, unknown>).message ?? JSON.stringify(err))
      : [err, json.error_description].filter(Boolean).join(": ");
    throw new AuthError(`${what} failed: ${message || "HTTP " + code}`);
  }
  return json;
}
