/**
 * Where the handler's automatic redirects go: the @RemoveSlash / @AddSlash policies and the
 * login page @Authenticated sends anonymous users to.
 */
import { urlEscape } from "../escape";
import type { HTTPServerRequest } from "../httputil";
import { HTTPError } from "./errors";

/**
 * The URL `policy` redirects `request` to, or null when its path already conforms. Only GET and
 * HEAD are redirected; any other method with a non-conforming path is a 404.
 */
export function slashRedirectTarget(request: HTTPServerRequest, policy: "remove" | "add"): string | null {
  const path = request.path;
  const wrong = policy === "remove" ? path.endsWith("/") && path !== "/" : !path.endsWith("/");
  if (!wrong) return null;
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") throw new HTTPError(404);
  // Collapse leading slashes: "//evil.example/" must not become a protocol-relative redirect.
  let target = policy === "remove" ? path.replace(/\/+$/, "") : path + "/";
  target = target.replace(/^\/{2,}/, "/");
  if (target === "") return null;
  if (request.query) target += "?" + request.query;
  return target;
}

/** `loginUrl` with `?next=` the request's URL (absolute when the login page is on another site). */
export function loginRedirectTarget(loginUrl: string, request: HTTPServerRequest): string {
  if (loginUrl.includes("?")) return loginUrl;
  const next = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(loginUrl) ? request.fullUrl() : request.uri;
  return loginUrl + "?next=" + urlEscape(next);
}
