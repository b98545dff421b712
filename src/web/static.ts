/**
 * Static files: StaticFileHandler serves a directory with ETags, conditional requests, byte
 * ranges and long-lived caching of versioned URLs (`/static/app.js?v=<md5>`), streaming each file
 * in chunks so its size never shows in memory. The pure steps (path resolution, range and cache
 * decisions, content hashing) are exported functions the handler composes.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as mime from "mime-types";
import { formatContentRange, formatTimestamp, parseRequestRange } from "../httputil";
import { HTTPError } from "./errors";
import { RequestHandler } from "./handler";
import { etagMatches } from "./handler_output";

/** `initialize` arguments of StaticFileHandler (the route's init). */
export interface StaticFileInit {
  /** The directory served. */
  path: string;
  /** File served for a directory URL (e.g. "index.html"); without it directories are 403. */
  defaultFilename?: string;
}

/** The application settings static URLs depend on (ApplicationSettings satisfies it). */
export interface StaticSettings {
  staticPath?: string;
  staticUrlPrefix?: string;
  staticHashCache?: boolean;
  debug?: boolean;
}

/** Ten years, the lifetime of a response to a versioned (`?v=`) URL. */
export const CACHE_MAX_AGE = 10 * 365 * 86400;
const CHUNK_SIZE = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Paths

/** Where a URL path leads inside a static root, or why it may not be served. */
export type ResolvedPath =
  | { kind: "file"; absolutePath: string; stat: fs.Stats }
  | { kind: "directory"; absolutePath: string }
  | { kind: "forbidden"; reason: string }
  | { kind: "missing" };

const realRoots = new Map<string, Promise<string | null>>();

/**
 * Resolves `urlPath` (already URL-unescaped by the router) under `root`. Anything that leaves the
 * root — `..`, an absolute path, a backslash, a symlink pointing outside — is forbidden; a NUL
 * byte or a path that does not exist is missing.
 *
 * @example
 * await resolveStaticPath("/srv/static", "../etc/passwd"); // { kind: "forbidden", … }
 */
export async function resolveStaticPath(root: string, urlPath: string): Promise<ResolvedPath> {
  if (urlPath.includes("\0")) return { kind: "missing" };
  // POSIX allows a backslash in a name, but Windows-style separators are a classic way past
  // filters, so they are never served.
  if (urlPath.includes("\\")) return { kind: "forbidden", reason: "backslash in path" };
  const absoluteRoot = path.resolve(root);
  const absolutePath = path.resolve(absoluteRoot, urlPath);
  if (!isInside(absoluteRoot, absolutePath)) return { kind: "forbidden", reason: `${urlPath} is not in root static directory` };
  const realRoot = await realRootOf(absoluteRoot);
  if (realRoot === null) return { kind: "missing" };
  let real: string;
  let stat: fs.Stats;
  try {
    real = await fs.promises.realpath(absolutePath);
    stat = await fs.promises.stat(real);
  } catch {
    return { kind: "missing" };
  }
  if (!isInside(realRoot, real)) return { kind: "forbidden", reason: `${urlPath} links outside the static directory` };
  if (stat.isDirectory()) return { kind: "directory", absolutePath };
  if (!stat.isFile()) return { kind: "forbidden", reason: `${urlPath} is not a file` };
  // Served under the requested name (its extension picks the type); the target was checked.
  return { kind: "file", absolutePath, stat };
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

function realRootOf(absoluteRoot: string): Promise<string | null> {
  let real = realRoots.get(absoluteRoot);
  if (real === undefined) {
    real = fs.promises.realpath(absoluteRoot).catch(() => null);
    realRoots.set(absoluteRoot, real);
    // A root that is missing now may be created later: don't remember the failure.
    void real.then((r) => r === null && realRoots.delete(absoluteRoot));
  }
  return real;
}

// ---------------------------------------------------------------------------------------------
// Ranges

/** What to send for a Range header over a file of `size` bytes. */
export type RangeDecision =
  | { status: 200; start: 0; end: number }
  | { status: 206; start: number; end: number; contentRange: string }
  | { status: 416; contentRange: string };

/**
 * Decides the response to a `Range` header (Tornado's rules): one satisfiable range → 206 with
 * `end` exclusive; a suffix range counts from the end; a start past the end or `bytes=-0` → 416;
 * no header, garbage, other units or several ranges → the whole file (200).
 *
 * @example
 * computeRange("bytes=-5", 20); // { status: 206, start: 15, end: 20, contentRange: "bytes 15-19/20" }
 */
export function computeRange(rangeHeader: string | undefined, size: number): RangeDecision {
  const whole: RangeDecision = { status: 200, start: 0, end: size };
  const range = rangeHeader ? parseRequestRange(rangeHeader) : null;
  if (range === null) return whole;
  let [start, end] = range;
  if (start !== undefined && start < 0) start = Math.max(0, start + size);
  if ((start !== undefined && (start >= size || (end !== undefined && start >= end))) || end === 0) {
    return { status: 416, contentRange: `bytes */${size}` };
  }
  if (end !== undefined && end > size) end = size;
  const first = start ?? 0;
  const last = end ?? size;
  if (first === 0 && last === size) return whole;
  return { status: 206, start: first, end: last, contentRange: formatContentRange(first, last, size) };
}

// ---------------------------------------------------------------------------------------------
// Conditional requests and caching

/**
 * Whether the client's copy is current: `If-None-Match` decides when present (it wins), else an
 * `If-Modified-Since` at or after the modification time (whole seconds).
 *
 * @example
 * isNotModified({ ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT" }, '"x"', 784111777); // true
 */
export function isNotModified(
  conditions: { ifNoneMatch?: string; ifModifiedSince?: string },
  etag: string,
  modifiedSeconds: number,
): boolean {
  if (conditions.ifNoneMatch) return etagMatches(conditions.ifNoneMatch, etag);
  if (!conditions.ifModifiedSince) return false;
  const since = Date.parse(conditions.ifModifiedSince);
  return !Number.isNaN(since) && since >= modifiedSeconds * 1000;
}

/**
 * Cache headers for a response: versioned URLs (`?v=`) may be cached for ten years, others get
 * none (the client revalidates with the ETag).
 *
 * @example
 * cacheHeaders(true, new Date(0)); // { "Cache-Control": "max-age=315360000", Expires: "Sun, 29 Dec 1979 …" }
 */
export function cacheHeaders(versioned: boolean, now: Date = new Date()): Record<string, string> {
  if (!versioned) return {};
  return {
    Expires: formatTimestamp(new Date(now.getTime() + CACHE_MAX_AGE * 1000)),
    "Cache-Control": `max-age=${CACHE_MAX_AGE}`,
  };
}

// Python's mimetypes encodings_map and suffix_map, which Tornado's get_content_type consults.
const COMPRESSED_SUFFIXES: Record<string, "gzip" | "other"> = {
  ".gz": "gzip", ".tgz": "gzip", ".taz": "gzip", ".tz": "gzip",
  ".bz2": "other", ".tbz2": "other", ".xz": "other", ".txz": "other", ".z": "other", ".br": "other",
};

/**
 * The Content-Type for a file name, from the maintained `mime-types` table; unknown →
 * `application/octet-stream`. Like Tornado, a compressed file (`.bz2`, `.xz`, `.br`, `.Z`) is
 * `application/octet-stream` and a gzip one `application/gzip` (RFC 6713), whatever it holds:
 * a type such as `application/x-bzip2` can make a browser decompress the download. No charset
 * is added: a static file's bytes are sent as they are and the server does not know their encoding.
 *
 * @example
 * contentTypeFor("app.js");      // "text/javascript"
 * contentTypeFor("dump.sql.bz2"); // "application/octet-stream"
 */
export function contentTypeFor(fileName: string): string {
  const compressed = COMPRESSED_SUFFIXES[path.extname(fileName).toLowerCase()];
  if (compressed !== undefined) return compressed === "gzip" ? "application/gzip" : "application/octet-stream";
  return mime.lookup(fileName) || "application/octet-stream";
}

// ---------------------------------------------------------------------------------------------
// Content hashes (versions and ETags)

interface HashEntry {
  hash: string;
  mtimeMs: number;
  size: number;
}

/** md5 hex by absolute path; null remembers a file that could not be read (as Tornado does). */
const hashCache = new Map<string, HashEntry | null>();
const pendingHashes = new Map<string, Promise<string>>();

/**
 * The md5 hex of a file, read in chunks so a large file is never held in memory at once.
 *
 * @example
 * await hashFile("/srv/static/app.js"); // "5d41402abc4b2a76b9719d911017c592"
 */
export async function hashFile(absolutePath: string): Promise<string> {
  const md5 = createHash("md5");
  for await (const chunk of fs.createReadStream(absolutePath, { highWaterMark: CHUNK_SIZE })) md5.update(chunk as Buffer);
  return md5.digest("hex");
}

/** The synchronous twin of {@link hashFile}, for `staticUrl` inside templates. */
export function hashFileSync(absolutePath: string): string {
  const md5 = createHash("md5");
  const fd = fs.openSync(absolutePath, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) md5.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return md5.digest("hex");
}

/** The cached hash of a file whose stat we hold, re-hashed when its mtime or size changed. */
async function currentHash(absolutePath: string, stat: fs.Stats): Promise<string> {
  const cached = hashCache.get(absolutePath);
  if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.hash;
  // Concurrent first requests for one big file share a single read of it.
  let pending = pendingHashes.get(absolutePath);
  if (pending === undefined) {
    pending = hashFile(absolutePath).finally(() => pendingHashes.delete(absolutePath));
    pendingHashes.set(absolutePath, pending);
  }
  const hash = await pending;
  hashCache.set(absolutePath, { hash, mtimeMs: stat.mtimeMs, size: stat.size });
  return hash;
}

function usesHashCache(settings: StaticSettings): boolean {
  return settings.staticHashCache ?? !settings.debug;
}

// ---------------------------------------------------------------------------------------------
// The handler

/**
 * Serves files under `init.path`. GET and HEAD; `?v=` URLs are cacheable for ten years; ETag and
 * Last-Modified with 304 answers; single byte ranges; paths leaving the root are refused (403)
 * and missing files are 404. The application routes `/static/(.*)`, `/robots.txt` and
 * `/favicon.ico` here when `staticPath` is set.
 *
 * @example
 * new Application([[ "/files/(.*)", StaticFileHandler, { path: "/srv/files", defaultFilename: "index.html" } ]]);
 */
export class StaticFileHandler extends RequestHandler {
  // No initializers: they would run after the base constructor's initialize() and undo it.
  protected root!: string;
  protected defaultFilename: string | undefined;
  /** The file being served, once resolved. */
  protected absolutePath: string | undefined;
  private etag: string | null = null;
  private clientGone = false;

  override initialize(init?: unknown): void {
    const options = (init ?? {}) as Partial<StaticFileInit>;
    if (typeof options.path !== "string") throw new Error("StaticFileHandler needs init { path: <directory> }");
    this.root = options.path;
    this.defaultFilename = options.defaultFilename;
  }

  async get(urlPath = "", includeBody = true): Promise<void> {
    const file = await this.resolveFile(urlPath);
    if (file === null) return;
    const { absolutePath, stat } = file;
    this.absolutePath = absolutePath;
    const modifiedSeconds = Math.floor(stat.mtimeMs / 1000);
    this.etag = `"${await currentHash(absolutePath, stat)}"`;
    this.setHeader("Accept-Ranges", "bytes");
    this.setHeader("Etag", this.etag);
    this.setHeader("Last-Modified", formatTimestamp(modifiedSeconds));
    this.setHeader("Content-Type", contentTypeFor(absolutePath));
    const versioned = this.request.queryArguments.v !== undefined;
    for (const [name, value] of Object.entries(cacheHeaders(versioned))) this.setHeader(name, value);

    const headers = this.request.headers;
    const conditions = { ifNoneMatch: headers.get("If-None-Match"), ifModifiedSince: headers.get("If-Modified-Since") };
    if (isNotModified(conditions, this.etag, modifiedSeconds)) {
      this.setStatus(304);
      return;
    }
    const range = computeRange(headers.get("Range"), stat.size);
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
    if (includeBody) await this.streamFile(absolutePath, range.start, range.end);
  }

  head(urlPath = ""): Promise<void> {
    return this.get(urlPath, false);
  }

  /** Stops the file stream; a subclass that overrides this should call `super.onConnectionClose()`. */
  override onConnectionClose(): void {
    this.clientGone = true;
  }

  /** The file's quoted md5, so the handler's own ETag logic agrees with ours. */
  override computeEtag(): string | null {
    return this.etag;
  }

  /**
   * The file a URL path names, or null after answering with a redirect. Throws HTTPError 403
   * for paths outside the root and directories, 404 for missing files.
   */
  protected async resolveFile(urlPath: string): Promise<{ absolutePath: string; stat: fs.Stats } | null> {
    const resolved = await resolveStaticPath(this.root, urlPath);
    if (resolved.kind === "missing") throw new HTTPError(404);
    if (resolved.kind === "forbidden") throw new HTTPError(403, resolved.reason);
    if (resolved.kind === "file") return resolved;
    if (this.defaultFilename === undefined) throw new HTTPError(403, `${urlPath} is a directory`);
    const requestPath = this.request.path;
    if (!requestPath.endsWith("/")) {
      // "//host/x" + "/" would be a protocol-relative URL: an open redirect.
      if (requestPath.startsWith("//")) throw new HTTPError(403, "cannot redirect path with two initial slashes");
      await this.redirect(requestPath + "/", true);
      return null;
    }
    const index = await resolveStaticPath(this.root, path.join(urlPath, this.defaultFilename));
    if (index.kind === "missing") throw new HTTPError(404);
    if (index.kind !== "file") throw new HTTPError(403, `${urlPath} has no readable ${this.defaultFilename}`);
    return index;
  }

  /** Sends bytes [start, end) in 64 KiB chunks, waiting for each to drain before reading on. */
  protected async streamFile(absolutePath: string, start: number, end: number): Promise<void> {
    const file = await fs.promises.open(absolutePath, "r");
    try {
      for (let position = start; position < end; ) {
        const length = Math.min(CHUNK_SIZE, end - position);
        const { bytesRead, buffer } = await file.read(Buffer.allocUnsafe(length), 0, length, position);
        if (bytesRead === 0) break; // the file shrank while we sent it
        this.write(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
        position += bytesRead;
        try {
          await this.flush();
        } catch (err) {
          if (this.clientGone || isClosedError(err)) return; // nobody is reading any more
          throw err;
        }
        if (this.clientGone) return;
      }
    } finally {
      await file.close();
    }
  }

  /**
   * The URL of a static file, with `?v=<md5 of its content>` so it can be cached for ten years
   * and changes when the file does. The hash is cached per file unless `staticHashCache` is false
   * (the default in debug mode).
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

  /** The content hash used in static URLs, or null when the file cannot be read. */
  static getVersion(settings: StaticSettings, urlPath: string): string | null {
    if (settings.staticPath === undefined) throw new Error("staticUrl needs the staticPath setting");
    const root = path.resolve(settings.staticPath);
    const absolutePath = path.resolve(root, urlPath);
    if (!isInside(root, absolutePath)) return null;
    const cached = hashCache.get(absolutePath);
    if (cached !== undefined && usesHashCache(settings)) return cached === null ? null : cached.hash;
    try {
      const stat = fs.statSync(absolutePath);
      const hash = hashFileSync(absolutePath);
      hashCache.set(absolutePath, { hash, mtimeMs: stat.mtimeMs, size: stat.size });
      return hash;
    } catch {
      hashCache.set(absolutePath, null);
      return null;
    }
  }

  /** Forgets every cached content hash (and resolved root), e.g. after deploying new files. */
  static resetCache(): void {
    hashCache.clear();
    realRoots.clear();
  }
}

function isClosedError(err: unknown): boolean {
  return err instanceof Error && err.name === "StreamClosedError";
}
