/**
 * Multipart uploads on disk: `ROOT/.uploads/ID/upload.json` (bucket, key, headers) and one
 * `N.data` + `N.json` per part. Completing streams the listed parts into one temporary file and
 * commits it like any object, with S3's `md5-of-md5s-N` ETag.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { S3Error } from "./errors";
import { checkKey, type ObjectHeaders, type ObjectMeta, type Storage } from "./storage";
import type { CompletedPart } from "./xml";

export interface UploadInfo {
  uploadId: string;
  bucket: string;
  key: string;
  initiated: number;
  headers: ObjectHeaders;
}

export interface PartInfo {
  partNumber: number;
  etag: string;
  size: number;
  lastModified: number;
}

const UPLOAD_ID_RE = /^[0-9a-f]{32}$/;

/**
 * The multipart uploads of one Storage.
 *
 * @example
 * const id = await uploads.create("bucket", "big.bin", { userMeta: {} });
 */
export class MultipartUploads {
  private readonly dir: string;

  constructor(
    private readonly storage: Storage,
    /** Smallest part other than the last (S3: 5 MiB). */
    readonly minPartSize = 5 * 1024 * 1024,
  ) {
    this.dir = path.join(storage.root, ".uploads");
    fs.mkdirSync(this.dir, { recursive: true });
  }

  async create(bucket: string, key: string, headers: ObjectHeaders): Promise<string> {
    checkKey(key);
    await this.storage.requireBucket(bucket);
    const uploadId = randomBytes(16).toString("hex");
    await fs.promises.mkdir(path.join(this.dir, uploadId));
    const info: UploadInfo = { uploadId, bucket, key, initiated: Date.now(), headers };
    await fs.promises.writeFile(path.join(this.dir, uploadId, "upload.json"), JSON.stringify(info));
    return uploadId;
  }

  /** The upload, checked to belong to `bucket`/`key`; NoSuchUpload otherwise. */
  async get(bucket: string, key: string, uploadId: string): Promise<UploadInfo> {
    const missing = new S3Error("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", key, { UploadId: uploadId });
    if (!UPLOAD_ID_RE.test(uploadId)) throw missing;
    let info: UploadInfo;
    try {
      info = JSON.parse(await fs.promises.readFile(path.join(this.dir, uploadId, "upload.json"), "utf8")) as UploadInfo;
    } catch {
      throw missing;
    }
    if (info.bucket !== bucket || info.key !== key) throw missing;
    return info;
  }

  /** Moves a finished part body into the upload. */
  async putPart(info: UploadInfo, partNumber: number, tempPath: string, part: Omit<PartInfo, "partNumber" | "lastModified">): Promise<PartInfo> {
    checkPartNumber(partNumber);
    const full: PartInfo = { ...part, partNumber, lastModified: Date.now() };
    const base = path.join(this.dir, info.uploadId, String(partNumber));
    await fs.promises.rename(tempPath, base + ".data");
    await fs.promises.writeFile(base + ".json", JSON.stringify(full));
    return full;
  }

  async listParts(info: UploadInfo): Promise<PartInfo[]> {
    const parts: PartInfo[] = [];
    for (const name of await fs.promises.readdir(path.join(this.dir, info.uploadId))) {
      if (!/^\d+\.json$/.test(name)) continue;
      try {
        parts.push(JSON.parse(await fs.promises.readFile(path.join(this.dir, info.uploadId, name), "utf8")) as PartInfo);
      } catch {
        // a part being replaced right now
      }
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  /** Uploads in progress in `bucket`, by key then initiation time. */
  async list(bucket: string, prefix = ""): Promise<UploadInfo[]> {
    const out: UploadInfo[] = [];
    for (const id of await fs.promises.readdir(this.dir)) {
      try {
        const info = JSON.parse(await fs.promises.readFile(path.join(this.dir, id, "upload.json"), "utf8")) as UploadInfo;
        if (info.bucket === bucket && info.key.startsWith(prefix)) out.push(info);
      } catch {
        // completed or aborted meanwhile
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated));
  }

  async abort(info: UploadInfo): Promise<void> {
    await fs.promises.rm(path.join(this.dir, info.uploadId), { recursive: true, force: true });
  }

  /** Joins the listed parts into the object; InvalidPart/InvalidPartOrder/EntityTooSmall on a bad list. */
  async complete(info: UploadInfo, listed: CompletedPart[]): Promise<ObjectMeta> {
    const stored = new Map((await this.listParts(info)).map((p) => [p.partNumber, p]));
    const parts: PartInfo[] = [];
    let previous = 0;
    for (const [i, want] of listed.entries()) {
      if (want.partNumber <= previous) throw new S3Error("InvalidPartOrder", "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
      previous = want.partNumber;
      const have = stored.get(want.partNumber);
      if (have === undefined || have.etag !== want.etag) {
        throw new S3Error("InvalidPart", "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag.", info.key, { PartNumber: String(want.partNumber), ETag: want.etag });
      }
      if (i < listed.length - 1 && have.size < this.minPartSize) {
        throw new S3Error("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", info.key, { PartNumber: String(want.partNumber), ProposedSize: String(have.size), MinSizeAllowed: String(this.minPartSize) });
      }
      parts.push(have);
    }
    const tempPath = this.storage.tempPath();
    const md5s = createHash("md5");
    let size = 0;
    const out = await fs.promises.open(tempPath, "wx");
    try {
      for (const part of parts) {
        md5s.update(Buffer.from(part.etag, "hex"));
        size += part.size;
        await appendFile(out, path.join(this.dir, info.uploadId, part.partNumber + ".data"));
      }
    } catch (err) {
      await out.close();
      await fs.promises.rm(tempPath, { force: true });
      throw err;
    }
    await out.close();
    const meta = await this.storage.commit(info.bucket, info.key, tempPath, {
      ...info.headers,
      size,
      etag: `${md5s.digest("hex")}-${parts.length}`,
    });
    await this.abort(info);
    return meta;
  }
}

/** Throws unless `n` is a part number S3 accepts (1..10000). */
export function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new S3Error("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", undefined, { ArgumentName: "partNumber" });
}

/** Copies a file's bytes to the end of `out`, a megabyte at a time. */
async function appendFile(out: fs.promises.FileHandle, source: string): Promise<void> {
  const input = await fs.promises.open(source, "r");
  const buf = Buffer.allocUnsafe(1024 * 1024);
  try {
    for (;;) {
      const { bytesRead } = await input.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      await out.write(buf, 0, bytesRead);
    }
  } finally {
    await input.close();
  }
}
