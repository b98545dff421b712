/**
 * The pure steps of serving static files, which StaticFileHandler (static.ts) composes: path
 * resolution inside a root, range and cache decisions, content types, reading a byte range, and
 * content hashing (versions and ETags) with its cache.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as mime from "mime-types";
import { formatContentRange, formatTimestamp, parseRequestRange } from "../httputil";
import { etagMatches } from "./handler_output";

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
  return checkStaticPath(absoluteRoot, path.resolve(absoluteRoot, urlPath), urlPath);
}

/**
 * The checks of {@link resolveStaticPath} on a path already made absolute: inside `root` (also
 * after following symlinks), existing, a file or a directory. `urlPath` is for the reasons.
 */
export async function checkStaticPath(root: string, absolutePath: string, urlPath: string): Promise<ResolvedPath> {
  const absoluteRoot = path.resolve(root);
  if (!isInside(absoluteRoot, absolutePath)) return { kind: "forbidden", reason: `${urlPath} is not in root static directory` };
  const realRoot = await realRootOf(absoluteRoot);
  if (realRoot === null) return { kind: "missing" };
  let real: string;
  let stat: fs.Stats;
  try {
    // Side by side, not one after the other: each is a trip through libuv's thread pool, and a
    // small file's response waits for every trip on its path. stat follows the same links.
    [real, stat] = await Promise.all([fs.promises.realpath(absolutePath), fs.promises.stat(absolutePath)]);
  } catch {
    return { kind: "missing" };
  }
  if (!isInside(realRoot, real)) return { kind: "forbidden", reason: `${urlPath} links outside the static directory` };
  if (stat.isDirectory()) return { kind: "directory", absolutePath };
  if (!stat.isFile()) return { kind: "forbidden", reason: `${urlPath} is not a file` };
  // Served under the requested name (its extension picks the type); the target was checked.
  return { kind: "file", absolutePath, stat };
}

/** Whether `candidate` is `root` or below it (both absolute). */
export function isInside(root: string, candidate: string): boolean {
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
 * Cache headers for a response: `true` (a versioned URL) or a number of seconds gives Expires and
 * Cache-Control max-age; `false` or 0 gives none (the client revalidates with the ETag).
 *
 * @example
 * cacheHeaders(true, new Date(0)); // { "Cache-Control": "max-age=315360000", Expires: "Sun, 29 Dec 1979 …" }
 */
export function cacheHeaders(cacheTime: boolean | number, now: Date = new Date()): Record<string, string> {
  const seconds = cacheTime === true ? CACHE_MAX_AGE : cacheTime === false ? 0 : cacheTime;
  if (!(seconds > 0)) return {};
  return {
    Expires: formatTimestamp(new Date(now.getTime() + seconds * 1000)),
    "Cache-Control": `max-age=${seconds}`,
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
  /** The file's stat when hashed; NaN for content that is not a file (a subclass's). */
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
export async function currentHash(absolutePath: string, stat: fs.Stats): Promise<string> {
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

export function usesHashCache(settings: StaticSettings): boolean {
  return settings.staticHashCache ?? !settings.debug;
}

/**
 * The version (content hash) of `absolutePath` for static URLs, from the cache when allowed;
 * `compute` makes it when missing (a null result, or a throw, is remembered as "no version", as
 * Tornado does for a file it cannot open).
 */
export function cachedVersion(settings: StaticSettings, absolutePath: string, compute: () => { hash: string; stat?: fs.Stats }): string | null {
  const cached = hashCache.get(absolutePath);
  if (cached !== undefined && usesHashCache(settings)) return cached === null ? null : cached.hash;
  try {
    const { hash, stat } = compute();
    hashCache.set(absolutePath, { hash, mtimeMs: stat?.mtimeMs ?? NaN, size: stat?.size ?? NaN });
    return hash;
  } catch {
    hashCache.set(absolutePath, null);
    return null;
  }
}

/** Forgets every cached content hash and resolved root. */
export function clearStaticCaches(): void {
  hashCache.clear();
  realRoots.clear();
}

/** What StaticFileHandler.getContent may return: the bytes at once, or pieces (sync or async). */
export type StaticContent = Buffer | string | Iterable<Buffer | string> | AsyncIterable<Buffer | string>;

/**
 * Reads bytes [start, end) of a file in 64 KiB pieces (the whole file by default), so its size
 * never shows in memory; stopping the iteration closes the file.
 *
 * @example
 * for await (const piece of readFileRange("/srv/static/big.bin", 0, 1024)) socket.write(piece);
 */
export async function* readFileRange(absolutePath: string, start = 0, end?: number): AsyncGenerator<Buffer> {
  // Callback fs calls rather than a FileHandle: a 64 KB file is one open, one read and a close,
  // and FileHandle's bookkeeping cost as much main-thread time as the reads themselves.
  const fd = await new Promise<number>((resolve, reject) => fs.open(absolutePath, "r", (err, n) => (err ? reject(err) : resolve(n))));
  try {
    for (let position = start; end === undefined || position < end; ) {
      const length = end === undefined ? CHUNK_SIZE : Math.min(CHUNK_SIZE, end - position);
      const buffer = Buffer.allocUnsafe(length);
      const bytesRead = await new Promise<number>((resolve, reject) =>
        fs.read(fd, buffer, 0, length, position, (err, n) => (err ? reject(err) : resolve(n))),
      );
      if (bytesRead === 0) return; // end of file (or it shrank while we sent it)
      yield bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
      position += bytesRead;
    }
  } finally {
    // Not awaited: the last piece is on its way already, and the response need not wait for the
    // descriptor's release (a failing close leaves nothing to do).
    fs.close(fd, ignoreError);
  }
}

function ignoreError(): void {}

/** The md5 hex of content as getContent gives it; async pieces are read as they come. */
export async function hashContent(content: StaticContent | Promise<StaticContent>): Promise<string> {
  const md5 = createHash("md5");
  const resolved = await content;
  if (typeof resolved === "string" || Buffer.isBuffer(resolved)) md5.update(resolved);
  else for await (const piece of resolved) md5.update(piece);
  return md5.digest("hex");
}

/** The synchronous twin of {@link hashContent}; throws for async content (static URLs need it now). */
export function hashContentSync(content: StaticContent | Promise<StaticContent>): string {
  const md5 = createHash("md5");
  if (typeof content === "string" || Buffer.isBuffer(content)) md5.update(content);
  else if (Symbol.iterator in Object(content)) for (const piece of content as Iterable<Buffer | string>) md5.update(piece);
  else throw new Error("getContent gave async content: override getContentVersion to version static URLs");
  return md5.digest("hex");
}

