/**
 * Storage: buckets and objects on the local disk under `rootDirectory`.
 *
 * Layout: `ROOT/BUCKET/.bucket.json` marks a bucket; an object lives in `ROOT/BUCKET/[fan-out/]H.json`
 * (its metadata, key included) and `H.RANDOM.data` (its bytes), where H is the SHA-256 of the key
 * and fan-out is `bucketDepth` levels of two hex digits (as the seed's `bucket_depth`). Keys are
 * never used as paths, so `..`, absolute or very long keys cannot reach outside the root. Bodies
 * are written to `ROOT/.tmp` and renamed into place, data first and metadata last, so a crash or
 * a dropped connection never shows a half-written object.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ChecksumAlgorithm } from "./checksum";
import { S3Error } from "./errors";
import { ObjectWriter } from "./writer";

/** What is kept about one object. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** Without quotes: the hex MD5, or `md5-of-md5s-N` for multipart objects. */
  etag: string;
  /** Milliseconds since the epoch. */
  lastModified: number;
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  expires?: string;
  /** `x-amz-meta-*` values by lower-case name (without the prefix). */
  userMeta: Record<string, string>;
  checksums?: Partial<Record<ChecksumAlgorithm, string>>;
  /** File name of the bytes, next to the metadata file. */
  dataFile: string;
}

/** The settable parts of an object's metadata. */
export type ObjectHeaders = Pick<ObjectMeta, "contentType" | "contentEncoding" | "contentDisposition" | "contentLanguage" | "cacheControl" | "expires" | "userMeta">;

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  /** Keys after this one only (ListObjects marker, V2 start-after/continuation). */
  after?: string;
  maxKeys?: number;
}

export interface ListResult {
  objects: ObjectMeta[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned (the next marker). */
  last: string | undefined;
}

const BUCKET_NAME_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const MAX_KEY_BYTES = 1024;

/** Throws InvalidBucketName unless `name` follows S3's bucket naming rules. */
export function checkBucketName(name: string): void {
  if (!BUCKET_NAME_RE.test(name) || name.includes("..") || /^\d+\.\d+\.\d+\.\d+$/.test(name)) {
    throw new S3Error("InvalidBucketName", "The specified bucket is not valid.", name);
  }
}

/** Throws unless `key` is a storable key (1..1024 UTF-8 bytes, no NUL). */
export function checkKey(key: string): void {
  if (key.length === 0) throw new S3Error("InvalidArgument", "the object key must not be empty");
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new S3Error("KeyTooLongError", "Your key is too long.", key.slice(0, 64) + "…");
  if (key.includes("\0")) throw new S3Error("InvalidArgument", "the object key must not contain NUL");
}

/**
 * The files of an S3 server.
 *
 * @example
 * const storage = new Storage("/srv/s3", 1);
 * await storage.createBucket("photos");
 */
export class Storage {
  readonly root: string;
  readonly tempDir: string;
  private readonly indexes = new Map<string, Promise<Map<string, ObjectMeta>>>();
  private readonly sorted = new Map<string, string[]>();
  /**
   * Creation dates of the buckets seen so far. Like the object index, this server's own view:
   * every request asks whether its bucket exists, and reading `.bucket.json` each time cost four
   * thread-pool round trips per request.
   */
  private readonly bucketDates = new Map<string, Date>();
  /** Object directories known to exist (with bucketDepth > 0 there are many). */
  private readonly madeDirs = new Set<string>();

  constructor(rootDirectory: string, readonly bucketDepth = 0) {
    if (!Number.isInteger(bucketDepth) || bucketDepth < 0 || bucketDepth > 8) throw new RangeError("bucketDepth must be an integer 0..8");
    this.root = path.resolve(rootDirectory);
    this.tempDir = path.join(this.root, ".tmp");
    fs.mkdirSync(this.tempDir, { recursive: true });
  }

  /** A fresh temporary path inside the root (same filesystem, so rename is atomic). */
  tempPath(): string {
    return path.join(this.tempDir, randomBytes(12).toString("hex"));
  }

  /** Starts writing a body to a temporary file. */
  createWriter(algorithms: readonly ChecksumAlgorithm[] = [], wantSha256 = false, maxSize?: number): ObjectWriter {
    return new ObjectWriter(this.tempPath(), algorithms, wantSha256, maxSize);
  }

  async listBuckets(): Promise<{ name: string; created: Date }[]> {
    const out: { name: string; created: Date }[] = [];
    for (const entry of await fs.promises.readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const created = await this.bucketCreated(entry.name);
      if (created) out.push({ name: entry.name, created });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** When the bucket was created, or null when there is no such bucket. */
  async bucketCreated(bucket: string): Promise<Date | null> {
    const known = this.bucketDates.get(bucket);
    if (known !== undefined) return known;
    if (!BUCKET_NAME_RE.test(bucket)) return null;
    try {
      const info = JSON.parse(await fs.promises.readFile(path.join(this.root, bucket, ".bucket.json"), "utf8")) as { created: number };
      const created = new Date(info.created);
      this.bucketDates.set(bucket, created);
      return created;
    } catch {
      return null;
    }
  }

  /** NoSuchBucket unless `bucket` exists; without I/O once the bucket is known. */
  requireBucket(bucket: string): Promise<void> {
    if (this.bucketDates.has(bucket)) return Promise.resolve();
    return this.bucketCreated(bucket).then((created) => {
      if (created === null) throw new S3Error("NoSuchBucket", "The specified bucket does not exist", bucket, { BucketName: bucket });
    });
  }

  async createBucket(bucket: string): Promise<void> {
    checkBucketName(bucket);
    const dir = path.join(this.root, bucket);
    await fs.promises.mkdir(dir, { recursive: true });
    try {
      const created = Date.now();
      await fs.promises.writeFile(path.join(dir, ".bucket.json"), JSON.stringify({ created }), { flag: "wx" });
      this.bucketDates.set(bucket, new Date(created));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new S3Error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", bucket, { BucketName: bucket });
      throw err;
    }
  }

  async deleteBucket(bucket: string): Promise<void> {
    await this.requireBucket(bucket);
    if ((await this.index(bucket)).size > 0) throw new S3Error("BucketNotEmpty", "The bucket you tried to delete is not empty", bucket, { BucketName: bucket });
    this.bucketDates.delete(bucket);
    const dir = path.join(this.root, bucket);
    for (const made of this.madeDirs) if (made === dir || made.startsWith(dir + path.sep)) this.madeDirs.delete(made);
    await fs.promises.rm(dir, { recursive: true, force: true });
    this.indexes.delete(bucket);
    this.sorted.delete(bucket);
  }

  /** The object's metadata; NoSuchBucket or NoSuchKey when absent. */
  async getObject(bucket: string, key: string): Promise<ObjectMeta> {
    await this.requireBucket(bucket);
    const meta = (await this.index(bucket)).get(key);
    if (meta === undefined) throw new S3Error("NoSuchKey", "The specified key does not exist.", key, { Key: key });
    return meta;
  }

  /** The path of an object's bytes. */
  dataPath(bucket: string, meta: ObjectMeta): string {
    // The data file's name starts with the key's hash (see commit): no need to hash the key again.
    return path.join(this.objectDir(bucket, meta.dataFile.slice(0, 64)), meta.dataFile);
  }

  /**
   * Moves a finished temporary file into place as `key`, replacing any previous version.
   * The metadata rename is the commit point.
   */
  async commit(bucket: string, key: string, tempPath: string, fields: Omit<ObjectMeta, "key" | "dataFile" | "lastModified">): Promise<ObjectMeta> {
    checkKey(key);
    await this.requireBucket(bucket);
    const index = await this.index(bucket);
    const hash = keyHash(key);
    const dir = this.objectDir(bucket, hash);
    if (!this.madeDirs.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    const meta: ObjectMeta = { ...fields, key, dataFile: `${hash}.${randomBytes(6).toString("hex")}.data`, lastModified: Date.now() };
    // The data file's rename and the metadata's write touch different files: run them together.
    const metaTemp = this.tempPath();
    try {
      await Promise.all([fs.promises.rename(tempPath, path.join(dir, meta.dataFile)), fs.promises.writeFile(metaTemp, JSON.stringify(meta))]);
    } catch (err) {
      await unlinkIfThere(metaTemp).catch(() => undefined);
      throw err;
    }
    await fs.promises.rename(metaTemp, path.join(dir, hash + ".json"));
    const previous = index.get(key);
    if (!index.has(key)) this.sorted.delete(bucket);
    index.set(key, meta);
    if (previous !== undefined) await unlinkIfThere(path.join(dir, previous.dataFile));
    return meta;
  }

  /** Deletes an object; deleting a missing key succeeds, as in S3. */
  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.requireBucket(bucket);
    const index = await this.index(bucket);
    const meta = index.get(key);
    if (meta === undefined) return;
    const hash = keyHash(key);
    const dir = this.objectDir(bucket, hash);
    await unlinkIfThere(path.join(dir, hash + ".json"));
    index.delete(key);
    this.sorted.delete(bucket);
    await unlinkIfThere(path.join(dir, meta.dataFile));
  }

  /** Lists keys in order, rolling keys up to `delimiter` into common prefixes. */
  async list(bucket: string, options: ListOptions = {}): Promise<ListResult> {
    await this.requireBucket(bucket);
    const index = await this.index(bucket);
    let keys = this.sorted.get(bucket);
    if (keys === undefined) {
      keys = [...index.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.sorted.set(bucket, keys);
    }
    const { prefix = "", delimiter = "", after, maxKeys = 1000 } = options;
    const result: ListResult = { objects: [], commonPrefixes: [], isTruncated: false, last: undefined };
    let i = after === undefined ? lowerBound(keys, prefix) : Math.max(lowerBound(keys, prefix), upperBound(keys, after));
    let count = 0;
    for (; i < keys.length; i++) {
      const key = keys[i];
      if (!key.startsWith(prefix)) break;
      let rolled: string | undefined;
      if (delimiter !== "") {
        const d = key.indexOf(delimiter, prefix.length);
        if (d >= 0) rolled = key.slice(0, d + delimiter.length);
      }
      if (rolled !== undefined && rolled === result.commonPrefixes[result.commonPrefixes.length - 1]) continue;
      if (after !== undefined && rolled !== undefined && rolled <= after) continue;
      if (count === maxKeys) {
        result.isTruncated = true;
        break;
      }
      count++;
      if (rolled !== undefined) {
        result.commonPrefixes.push(rolled);
        result.last = rolled;
      } else {
        result.objects.push(index.get(key)!);
        result.last = key;
      }
    }
    return result;
  }

  /** The directory of the object whose key hashes to `hash`. */
  private objectDir(bucket: string, hash: string): string {
    if (this.bucketDepth === 0) return path.join(this.root, bucket);
    const parts = [this.root, bucket];
    for (let d = 0; d < this.bucketDepth; d++) parts.push(hash.slice(d * 2, d * 2 + 2));
    return path.join(...parts);
  }

  /** The bucket's key → metadata map, read from disk on first use. */
  private index(bucket: string): Promise<Map<string, ObjectMeta>> {
    let index = this.indexes.get(bucket);
    if (index === undefined) {
      index = this.loadIndex(path.join(this.root, bucket));
      this.indexes.set(bucket, index);
    }
    return index;
  }

  private async loadIndex(dir: string): Promise<Map<string, ObjectMeta>> {
    const index = new Map<string, ObjectMeta>();
    const walk = async (d: string, depth: number): Promise<void> => {
      for (const entry of await fs.promises.readdir(d, { withFileTypes: true })) {
        const full = path.join(d, entry.name);
        if (entry.isDirectory() && depth < this.bucketDepth) await walk(full, depth + 1);
        else if (entry.isFile() && entry.name.endsWith(".json") && !entry.name.startsWith(".")) {
          try {
            const meta = JSON.parse(await fs.promises.readFile(full, "utf8")) as ObjectMeta;
            if (typeof meta.key === "string") index.set(meta.key, meta);
          } catch {
            // A metadata file that cannot be read is not an object (it was never committed).
          }
        }
      }
    };
    await walk(dir, 0);
    return index;
  }
}

/** Removes a file; one that is gone already is fine (one system call, where rm() makes two). */
async function unlinkIfThere(file: string): Promise<void> {
  try {
    await fs.promises.unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/** SHA-256 of a key, hex: its file name. */
export function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

function lowerBound(keys: readonly string[], value: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(keys: readonly string[], value: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
