/**
 * StaticFileHandler serves a directory with ETags, conditional requests, byte ranges and
 * long-lived caching of versioned URLs (`/static/app.js?v=<md5>`), streaming each file in chunks
 * so its size never shows in memory. Its steps are Tornado's overridable hooks (camelCased), so a
 * subclass can serve from elsewhere — a database, an archive, memory. The pure steps live in
 * static_helpers.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatTimestamp } from "../httputil";
import { HTTPError } from "./errors";
import { RequestHandler } from "./handler";
import {
  CACHE_MAX_AGE, cacheHeaders, cachedVersion, checkStaticPath, clearStaticCaches, computeRange, contentTypeFor, currentHash,
  hashContentSync, hashFileSync, isInside, isNotModified, readFileRange, type StaticContent, type StaticSettings,
} from "./static_helpers";

export {
  CACHE_MAX_AGE, cacheHeaders, checkStaticPath, computeRange, contentTypeFor, hashContent, hashFile, hashFileSync, isNotModified,
  readFileRange, resolveStaticPath,
} from "./static_helpers";
export type { RangeDecision, ResolvedPath, StaticContent, StaticSettings } from "./static_helpers";

/** `initialize` arguments of StaticFileHandler (the route's init). */
export interface StaticFileInit {
  /** The directory served. */
  path: string;
  /** File served for a directory URL (e.g. "index.html"); without it directories are 403. */
  defaultFilename?: string;
}

/**
 * Serves files under `init.path`. GET and HEAD; `?v=` URLs are cacheable for ten years; ETag and
 * Last-Modified with 304 answers; single byte ranges; paths leaving the root are refused (403)
 * and missing files are 404. The application routes `/static/(.*)`, `/robots.txt` and
 * `/favicon.ico` here when `staticPath` is set.
 *
 * A request runs Tornado's hooks in Tornado's order: `parseUrlPath` → `getAbsolutePath` (static)
 * → `validateAbsolutePath` → `getModifiedTime` → the ETag (`getContentVersion`) → `getContentType`,
 * `getCacheTime`, `setExtraHeaders` → 304 or `getContentSize` and the range → `getContent` (static).
 *
 * @example
 * new Application([[ "/files/(.*)", StaticFileHandler, { path: "/srv/files", defaultFilename: "index.html" } ]]);
 *
 * // Serving from elsewhere: name things, check they exist, and give their bytes.
 * class Blobs extends StaticFileHandler {
 *   static override getAbsolutePath(_root: string, p: string) { return p; }
 *   override async validateAbsolutePath(_root: string, p: string) { if (!blobs.has(p)) throw new HTTPError(404); return p; }
 *   static override getContent(p: string, start?: number, end?: number) { return blobs.get(p)!.subarray(start, end); }
 *   static override getContentVersion(p: string) { return blobs.md5(p); }
 *   override getContentSize() { return blobs.get(this.absolutePath!)!.length; }
 *   override getModifiedTime() { return blobs.modified(this.absolutePath!); }
 * }
 */
export class StaticFileHandler extends RequestHandler {
  /** Ten years, the cache time of a versioned (`?v=`) URL. */
  static readonly CACHE_MAX_AGE = CACHE_MAX_AGE;

  // No initializers: they would run after the base constructor's initialize() and undo it.
  protected root!: string;
  protected defaultFilename: string | undefined;
  /** The URL path asked for, after parseUrlPath. */
  path: string | undefined;
  /** What is being served, once validated. */
  absolutePath: string | undefined;
  /** Its modification time (whole seconds), from getModifiedTime. */
  modified: Date | null | undefined;
  private stat: fs.Stats | undefined;
  private etag: string | null = null;
  private clientGone = false;

  override initialize(init?: unknown): void {
    const options = (init ?? {}) as Partial<StaticFileInit>;
    if (typeof options.path !== "string") throw new Error("StaticFileHandler needs init { path: <directory> }");
    this.root = options.path;
    this.defaultFilename = options.defaultFilename;
  }

  async get(urlPath = "", includeBody = true): Promise<void> {
    const cls = this.constructor as typeof StaticFileHandler;
    this.path = this.parseUrlPath(urlPath);
    const absolutePath = await this.validateAbsolutePath(this.root, cls.getAbsolutePath(this.root, this.path));
    if (absolutePath === null) return;
    this.absolutePath = absolutePath;
    this.modified = await this.getModifiedTime();
    const version = await this.versionOf(absolutePath);
    this.etag = version === null ? null : `"${version}"`;
    this.setHeaders();
    if (this.shouldReturn304()) {
      this.setStatus(304);
      return;
    }
    const size = await this.getContentSize();
    const range = computeRange(this.request.headers.get("Range"), size);
    if (range.status === 416) {
      this.setStatus(416);
      this.setHeader("Content-Type", "text/plain");
      this.setHeader("Content-Range", range.contentRange);
      return;
    }
    if (range.status === 206) {
      this.setStatus(206);
      this.setHeader("Content-Range", range.contentRange);
    }
    this.setHeader("Content-Length", String(range.end - range.start));
    if (!includeBody) return;
    // The default reader gets the size just announced, so it stops there without a read to find
    // the end (and never sends more than Content-Length if the file grew); an overridden
    // getContent keeps Tornado's contract: no range means (undefined, undefined).
    const whole = range.status !== 206 && cls.getContent !== StaticFileHandler.getContent;
    await this.sendContent(whole ? cls.getContent(absolutePath) : cls.getContent(absolutePath, range.start, range.end));
  }

  head(urlPath = ""): Promise<void> {
    return this.get(urlPath, false);
  }

  /** Stops the content stream; a subclass that overrides this should call `super.onConnectionClose()`. */
  override onConnectionClose(): void {
    this.clientGone = true;
  }

  /** The content's quoted version, so the handler's own ETag logic agrees with ours. */
  override computeEtag(): string | null {
    return this.etag;
  }

  // ---- Tornado's hooks ----------------------------------------------------------------------

  /** Hook: the path argument of the route → the path to serve (Tornado's parse_url_path). */
  parseUrlPath(urlPath: string): string {
    return urlPath;
  }

  /** Hook: where `urlPath` is under `root` (no checks yet); static, as static URLs need it too. */
  static getAbsolutePath(root: string, urlPath: string): string {
    return path.resolve(root, urlPath);
  }

  /**
   * Hook: checks `absolutePath` may be served and returns what to serve (a directory's default
   * file), or null after answering itself (the redirect of a directory URL without its slash).
   * Throws HTTPError 403 outside the root (symlinks followed) and for directories, 404 when missing.
   */
  async validateAbsolutePath(root: string, absolutePath: string): Promise<string | null> {
    const urlPath = this.path ?? "";
    if (urlPath.includes("\0")) throw new HTTPError(404);
    if (urlPath.includes("\\")) throw new HTTPError(403, "backslash in path");
    const resolved = await checkStaticPath(root, absolutePath, urlPath);
    if (resolved.kind === "missing") throw new HTTPError(404);
    if (resolved.kind === "forbidden") throw new HTTPError(403, resolved.reason);
    if (resolved.kind === "file") {
      this.stat = resolved.stat;
      return resolved.absolutePath;
    }
    if (this.defaultFilename === undefined) throw new HTTPError(403, `${urlPath} is a directory`);
    const requestPath = this.request.path;
    if (!requestPath.endsWith("/")) {
      // "//host/x" + "/" would be a protocol-relative URL: an open redirect.
      if (requestPath.startsWith("//")) throw new HTTPError(403, "cannot redirect path with two initial slashes");
      await this.redirect(requestPath + "/", true);
      return null;
    }
    const index = await checkStaticPath(root, path.join(absolutePath, this.defaultFilename), urlPath);
    if (index.kind === "missing") throw new HTTPError(404);
    if (index.kind !== "file") throw new HTTPError(403, `${urlPath} has no readable ${this.defaultFilename}`);
    this.stat = index.stat;
    return index.absolutePath;
  }

  /**
   * Hook: the bytes [start, end) of `absolutePath` (all of them by default): a Buffer or string,
   * or pieces as an (async) iterable — each piece is sent and flushed before the next is asked for.
   */
  static getContent(absolutePath: string, start?: number, end?: number): StaticContent | Promise<StaticContent> {
    return readFileRange(absolutePath, start, end);
  }

  /**
   * Hook: the version of the content (its md5 hex), for the ETag and `?v=` URLs. The default
   * hashes the file, or what an overridden getContent gives (which must then be synchronous).
   */
  static getContentVersion(absolutePath: string): string {
    if (this.getContent === StaticFileHandler.getContent) return hashFileSync(absolutePath);
    return hashContentSync(this.getContent(absolutePath));
  }

  /** Hook: the size in bytes of what is served. */
  async getContentSize(): Promise<number> {
    return (await this.statOf()).size;
  }

  /** Hook: when it was last modified (Last-Modified, If-Modified-Since), or null for unknown. */
  async getModifiedTime(): Promise<Date | null> {
    return new Date(Math.floor((await this.statOf()).mtimeMs / 1000) * 1000);
  }

  /** Hook: the Content-Type (see contentTypeFor). */
  getContentType(): string {
    return contentTypeFor(this.absolutePath ?? this.path ?? "");
  }

  /** Hook: seconds the client may cache the response: ten years for a `?v=` URL, else 0. */
  getCacheTime(_path: string, _modified: Date | null, _contentType: string): number {
    return this.request.queryArguments.v !== undefined ? StaticFileHandler.CACHE_MAX_AGE : 0;
  }

  /** Hook: more headers for this response (called after the standard ones). */
  setExtraHeaders(_path: string): void {}

  /** Whether the client's copy is current (If-None-Match, else If-Modified-Since). */
  shouldReturn304(): boolean {
    const headers = this.request.headers;
    const conditions = { ifNoneMatch: headers.get("If-None-Match"), ifModifiedSince: headers.get("If-Modified-Since") };
    const modified = this.modified ? this.modified.getTime() / 1000 : Number.POSITIVE_INFINITY;
    return isNotModified(conditions, this.etag ?? "", modified);
  }

  // ---- internals ------------------------------------------------------------------------------

  private setHeaders(): void {
    this.setHeader("Accept-Ranges", "bytes");
    if (this.etag !== null) this.setHeader("Etag", this.etag);
    if (this.modified) this.setHeader("Last-Modified", formatTimestamp(this.modified));
    const contentType = this.getContentType();
    if (contentType) this.setHeader("Content-Type", contentType);
    const cacheTime = this.getCacheTime(this.path ?? "", this.modified ?? null, contentType);
    for (const [name, value] of Object.entries(cacheHeaders(cacheTime))) this.setHeader(name, value);
    this.setExtraHeaders(this.path ?? "");
  }

  private async statOf(): Promise<fs.Stats> {
    if (this.stat === undefined) {
      if (this.absolutePath === undefined) throw new Error("StaticFileHandler: nothing validated yet");
      this.stat = await fs.promises.stat(this.absolutePath);
    }
    return this.stat;
  }

  /** The version for the ETag: the cached file hash by default, else the subclass's hooks. */
  private async versionOf(absolutePath: string): Promise<string | null> {
    const cls = this.constructor as typeof StaticFileHandler;
    if (cls.getContentVersion === StaticFileHandler.getContentVersion && cls.getContent === StaticFileHandler.getContent) {
      return currentHash(absolutePath, await this.statOf());
    }
    // Tornado's _get_cached_version: computed once per path (unless staticHashCache is off).
    return cachedVersion(this.settings, absolutePath, () => ({ hash: cls.getContentVersion(absolutePath) }));
  }

  /** Sends content piece by piece, waiting for each to drain; stops when the client went away. */
  private async sendContent(content: StaticContent | Promise<StaticContent>): Promise<void> {
    const resolved = await content;
    const pieces = typeof resolved === "string" || Buffer.isBuffer(resolved) ? [resolved] : resolved;
    for await (const piece of pieces) {
      if (piece.length === 0) continue;
      this.write(piece);
      try {
        await this.flush();
      } catch (err) {
        if (this.clientGone || isClosedError(err)) return; // nobody is reading any more
        throw err;
      }
      if (this.clientGone) return;
    }
  }

  /**
   * The URL of a static file, with `?v=<version>` so it can be cached for ten years and changes
   * when the file does. The version is cached per file unless `staticHashCache` is false (the
   * default in debug mode).
   *
   * @example
   * StaticFileHandler.makeStaticUrl({ staticPath: "/srv/static" }, "app.js"); // "/static/app.js?v=5d41…"
   */
  static makeStaticUrl(settings: StaticSettings, urlPath: string, includeVersion = true): string {
    const url = (settings.staticUrlPrefix ?? "/static/") + urlPath;
    if (!includeVersion) return url;
    const version = this.getVersion(settings, urlPath);
    return version === null ? url : `${url}?v=${version}`;
  }

  /** The version used in static URLs (getContentVersion, cached), or null when there is none. */
  static getVersion(settings: StaticSettings, urlPath: string): string | null {
    if (settings.staticPath === undefined) throw new Error("staticUrl needs the staticPath setting");
    const absolutePath = this.getAbsolutePath(settings.staticPath, urlPath);
    const custom = this.getAbsolutePath !== StaticFileHandler.getAbsolutePath;
    if (!custom && !isInside(path.resolve(settings.staticPath), absolutePath)) return null;
    if (this.getContentVersion !== StaticFileHandler.getContentVersion || this.getContent !== StaticFileHandler.getContent) {
      return cachedVersion(settings, absolutePath, () => ({ hash: this.getContentVersion(absolutePath) }));
    }
    return cachedVersion(settings, absolutePath, () => {
      const stat = fs.statSync(absolutePath);
      return { hash: hashFileSync(absolutePath), stat };
    });
  }

  /** Forgets every cached version (and resolved root), e.g. after deploying new files. */
  static resetCache(): void {
    clearStaticCaches();
  }
}

function isClosedError(err: unknown): boolean {
  return err instanceof Error && err.name === "StreamClosedError";
}
