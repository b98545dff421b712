/**
 * The object operations: PutObject, GetObject/HeadObject (Range, conditional headers,
 * response-* overrides), DeleteObject, CopyObject, and the multipart steps (Create, UploadPart,
 * Complete, Abort, ListParts).
 */
import * as fs from "node:fs";
import { BodyReceiver, checkContentMd5, type ReceivedBody } from "./body";
import { OWNER } from "./bucket_ops";
import { S3Error } from "./errors";
import type { S3Handler } from "./handler";
import { checkPartNumber } from "./multipart";
import type { ObjectHeaders, ObjectMeta } from "./storage";
import { parseCompleteRequest } from "./xml";

const RESPONSE_OVERRIDES: [string, string][] = [
  ["response-content-type", "Content-Type"],
  ["response-content-language", "Content-Language"],
  ["response-expires", "Expires"],
  ["response-cache-control", "Cache-Control"],
  ["response-content-disposition", "Content-Disposition"],
  ["response-content-encoding", "Content-Encoding"],
];

/** The stored headers an upload sets (Content-Type etc. and `x-amz-meta-*`). */
export function objectHeadersOf(h: S3Handler): ObjectHeaders {
  const headers = h.request.headers;
  const userMeta: Record<string, string> = {};
  let metaBytes = 0;
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!lower.startsWith("x-amz-meta-")) continue;
    metaBytes += lower.length - 11 + value.length;
    userMeta[lower.slice(11)] = value;
  }
  if (metaBytes > 2048) throw new S3Error("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.");
  // aws-chunked is the transfer's encoding, not the object's.
  const encoding = headers.get("Content-Encoding")?.split(",").map((e) => e.trim()).filter((e) => e !== "" && e.toLowerCase() !== "aws-chunked").join(", ");
  return {
    contentType: headers.get("Content-Type") ?? "binary/octet-stream",
    contentEncoding: encoding || undefined,
    contentDisposition: headers.get("Content-Disposition"),
    contentLanguage: headers.get("Content-Language"),
    cacheControl: headers.get("Cache-Control"),
    expires: headers.get("Expires"),
    userMeta,
  };
}

/** A receiver for this request's body (PutObject or UploadPart), or null when none is read. */
export function createReceiver(h: S3Handler): BodyReceiver | null {
  if (h.request.method !== "PUT" || h.key === "" || h.request.headers.has("X-Amz-Copy-Source")) return null;
  return new BodyReceiver(h.s3.storage, h.request.headers, h.signed, h.s3.maxObjectSize);
}

async function receive(h: S3Handler, receiver: BodyReceiver): Promise<ReceivedBody> {
  const body = await receiver.finish();
  try {
    checkContentMd5(h.request.headers.get("Content-MD5"), body.digests.md5);
  } catch (err) {
    await fs.promises.rm(body.tempPath, { force: true });
    throw err;
  }
  return body;
}

function sendChecksums(h: S3Handler, checksums: ReceivedBody["checksums"] | undefined): void {
  for (const [algorithm, value] of Object.entries(checksums ?? {})) h.setHeader("x-amz-checksum-" + algorithm, value);
}

/** PUT on a key: CopyObject, UploadPart or PutObject; `receiver` already has the body. */
export async function putObject(h: S3Handler, receiver: BodyReceiver | null): Promise<void> {
  if (h.request.headers.has("X-Amz-Copy-Source")) return copyObject(h);
  if (receiver === null) throw new S3Error("InvalidRequest", "no body receiver for this PUT");
  const uploadId = h.query("uploadId");
  if (uploadId !== undefined) return uploadPart(h, uploadId, receiver);
  await h.s3.storage.requireBucket(h.bucket);
  const body = await receive(h, receiver);
  const meta = await h.s3.storage.commit(h.bucket, h.key, body.tempPath, {
    ...objectHeadersOf(h),
    size: body.size,
    etag: body.digests.md5.toString("hex"),
    checksums: body.checksums,
  });
  receiver.handedOver();
  h.setHeader("ETag", `"${meta.etag}"`);
  sendChecksums(h, body.checksums);
  h.finish();
}

async function uploadPart(h: S3Handler, uploadId: string, receiver: BodyReceiver): Promise<void> {
  const partNumber = Number(h.query("partNumber"));
  checkPartNumber(partNumber);
  const info = await h.s3.uploads.get(h.bucket, h.key, uploadId);
  const body = await receive(h, receiver);
  const part = await h.s3.uploads.putPart(info, partNumber, body.tempPath, { etag: body.digests.md5.toString("hex"), size: body.size });
  receiver.handedOver();
  h.setHeader("ETag", `"${part.etag}"`);
  sendChecksums(h, body.checksums);
  h.finish();
}

async function copyObject(h: S3Handler): Promise<void> {
  const source = h.request.headers.get("X-Amz-Copy-Source")!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(source.split("?")[0]);
  } catch {
    throw new S3Error("InvalidArgument", "x-amz-copy-source is not URL-encoded properly");
  }
  const path = decoded.startsWith("/") ? decoded.slice(1) : decoded;
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1) throw new S3Error("InvalidArgument", "x-amz-copy-source must be BUCKET/KEY");
  const [srcBucket, srcKey] = [path.slice(0, slash), path.slice(slash + 1)];
  const storage = h.s3.storage;
  const src = await storage.getObject(srcBucket, srcKey);
  checkConditions(h, src, "x-amz-copy-source-");
  await storage.requireBucket(h.bucket);
  const directive = (h.request.headers.get("X-Amz-Metadata-Directive") ?? "COPY").toUpperCase();
  if (directive !== "COPY" && directive !== "REPLACE") throw new S3Error("InvalidArgument", "x-amz-metadata-directive must be COPY or REPLACE");
  if (directive === "COPY" && srcBucket === h.bucket && srcKey === h.key) {
    throw new S3Error("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata.");
  }
  const headers: ObjectHeaders = directive === "REPLACE" ? objectHeadersOf(h) : pickHeaders(src);
  const temp = storage.tempPath();
  await fs.promises.copyFile(storage.dataPath(srcBucket, src), temp);
  const meta = await storage.commit(h.bucket, h.key, temp, { ...headers, size: src.size, etag: src.etag, checksums: src.checksums });
  h.sendXml("CopyObjectResult", { LastModified: new Date(meta.lastModified).toISOString(), ETag: `"${meta.etag}"` });
}

function pickHeaders(m: ObjectMeta): ObjectHeaders {
  const { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires, userMeta } = m;
  return { contentType, contentEncoding, contentDisposition, contentLanguage, cacheControl, expires, userMeta };
}

function etagListMatches(header: string, etag: string): boolean {
  return header.split(",").some((t) => {
    const v = t.trim().replace(/^W\//, "");
    return v === "*" || v.replace(/^"|"$/g, "") === etag;
  });
}

/** If-Match / If-None-Match / If-(Un)Modified-Since (`prefix` for x-amz-copy-source-if-*). */
function checkConditions(h: S3Handler, meta: ObjectMeta, prefix = ""): "ok" | "not-modified" {
  const headers = h.request.headers;
  const get = (name: string): string | undefined => headers.get(prefix + name);
  const seconds = Math.floor(meta.lastModified / 1000) * 1000;
  const ifMatch = get("If-Match");
  const ifNoneMatch = get("If-None-Match");
  const ifUnmodified = get("If-Unmodified-Since");
  const ifModified = get("If-Modified-Since");
  const failed = (): S3Error => new S3Error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", undefined, { Condition: prefix + "If-Match" });
  if (ifMatch !== undefined && !etagListMatches(ifMatch, meta.etag)) throw failed();
  if (ifMatch === undefined && ifUnmodified !== undefined) {
    const t = Date.parse(ifUnmodified);
    if (!Number.isNaN(t) && seconds > t) throw failed();
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, meta.etag)) {
      if (prefix) throw failed();
      return "not-modified";
    }
  } else if (ifModified !== undefined) {
    const t = Date.parse(ifModified);
    if (!Number.isNaN(t) && seconds <= t) {
      if (prefix) throw failed();
      return "not-modified";
    }
  }
  return "ok";
}

/** `[start, endExclusive]` of a Range header against `size`, null for the whole object. */
function parseRange(header: string | undefined, size: number): [number, number] | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null; // S3 ignores ranges it cannot parse
  const invalid = (): S3Error => new S3Error("InvalidRange", "The requested range is not satisfiable", undefined, { RangeRequested: header, ActualObjectSize: String(size) });
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) throw invalid();
    return [Math.max(0, size - suffix), size];
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || (m[2] !== "" && Number(m[2]) < start)) throw invalid();
  return [start, end + 1];
}

/** GetObject (streamed from disk with flow control), HeadObject, or ListParts with ?uploadId. */
export async function getObject(h: S3Handler, headOnly: boolean): Promise<void> {
  const uploadId = h.query("uploadId");
  if (uploadId !== undefined && !headOnly) return listParts(h, uploadId);
  const storage = h.s3.storage;
  const meta = await storage.getObject(h.bucket, h.key);
  h.setHeader("ETag", `"${meta.etag}"`);
  h.setHeader("Last-Modified", new Date(meta.lastModified).toUTCString());
  if (checkConditions(h, meta) === "not-modified") {
    h.setStatus(304);
    h.finish();
    return;
  }
  h.setHeader("Accept-Ranges", "bytes");
  h.setHeader("Content-Type", meta.contentType ?? "binary/octet-stream");
  const optional: [string, string | undefined][] = [
    ["Content-Encoding", meta.contentEncoding],
    ["Content-Disposition", meta.contentDisposition],
    ["Content-Language", meta.contentLanguage],
    ["Cache-Control", meta.cacheControl],
    ["Expires", meta.expires],
  ];
  for (const [name, value] of optional) if (value !== undefined) h.setHeader(name, value);
  for (const [name, value] of Object.entries(meta.userMeta)) h.setHeader("x-amz-meta-" + name, value);
  for (const [param, header] of RESPONSE_OVERRIDES) {
    const value = h.query(param);
    if (value !== undefined) h.setHeader(header, value);
  }
  const partsMatch = /-(\d+)$/.exec(meta.etag);
  if (partsMatch) h.setHeader("x-amz-mp-parts-count", partsMatch[1]);
  const range = meta.size === 0 ? null : parseRange(h.request.headers.get("Range"), meta.size);
  if (range === null && (h.request.headers.get("x-amz-checksum-mode") ?? "").toUpperCase() === "ENABLED") {
    for (const [algorithm, value] of Object.entries(meta.checksums ?? {})) h.setHeader("x-amz-checksum-" + algorithm, value);
  }
  const [start, end] = range ?? [0, meta.size];
  if (range !== null) {
    h.setStatus(206);
    h.setHeader("Content-Range", `bytes ${start}-${end - 1}/${meta.size}`);
  }
  h.setHeader("Content-Length", String(end - start));
  if (headOnly || end === start) {
    h.finish();
    return;
  }
  await streamFile(h, storage.dataPath(h.bucket, meta), start, end);
}

const CHUNK = 1024 * 1024;

/**
 * Sends bytes [start, end) of a file a megabyte at a time, waiting for the client each time; the
 * next megabyte is read while the last one goes out, so the disk and the socket work together
 * (two buffers per response at most). The last one goes out with finish().
 */
async function streamFile(h: S3Handler, file: string, start: number, end: number): Promise<void> {
  const handle = await fs.promises.open(file, "r");
  let pending: Promise<Buffer> | null = readChunk(handle, file, start, end);
  let ok = false;
  try {
    while (pending !== null && !h.gone) {
      const chunk: Buffer = await pending;
      const position: number = start + chunk.length;
      start = position;
      pending = position < end ? readChunk(handle, file, position, end) : null;
      h.write(chunk);
      if (pending !== null) await h.flush();
    }
    ok = true;
  } finally {
    // Never close the file under a read still running.
    if (pending !== null) await pending.catch(() => undefined);
    if (!ok) await handle.close();
  }
  // The client has it all: closing the file need not delay the response.
  if (!h.gone) h.finish();
  await handle.close();
}

async function readChunk(handle: fs.promises.FileHandle, file: string, position: number, end: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, end - position));
  const { bytesRead } = await handle.read(buf, 0, buf.length, position);
  if (bytesRead === 0) throw new Error(`${file} is shorter than its metadata says`);
  return bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
}

/** DELETE on a key: DeleteObject, or AbortMultipartUpload with ?uploadId. */
export async function deleteObject(h: S3Handler): Promise<void> {
  const uploadId = h.query("uploadId");
  if (uploadId !== undefined) {
    await h.s3.uploads.abort(await h.s3.uploads.get(h.bucket, h.key, uploadId));
  } else {
    await h.s3.storage.deleteObject(h.bucket, h.key);
  }
  h.setStatus(204);
  h.finish();
}

/** POST on a key: CreateMultipartUpload (?uploads) or CompleteMultipartUpload (?uploadId). */
export async function postObject(h: S3Handler): Promise<void> {
  const uploads = h.s3.uploads;
  if (h.query("uploads") !== undefined) {
    const uploadId = await uploads.create(h.bucket, h.key, objectHeadersOf(h));
    h.sendXml("InitiateMultipartUploadResult", { Bucket: h.bucket, Key: h.key, UploadId: uploadId });
    return;
  }
  const uploadId = h.query("uploadId");
  if (uploadId === undefined) throw new S3Error("NotImplemented", "POST on an object needs ?uploads or ?uploadId");
  const info = await uploads.get(h.bucket, h.key, uploadId);
  const meta = await uploads.complete(info, parseCompleteRequest(h.body));
  h.sendXml("CompleteMultipartUploadResult", {
    Location: `${h.request.protocol}://${h.request.host}/${h.bucket}/${encodeURIComponent(h.key).replace(/%2F/g, "/")}`,
    Bucket: h.bucket,
    Key: h.key,
    ETag: `"${meta.etag}"`,
  });
}

async function listParts(h: S3Handler, uploadId: string): Promise<void> {
  const info = await h.s3.uploads.get(h.bucket, h.key, uploadId);
  const parts = await h.s3.uploads.listParts(info);
  h.sendXml("ListPartsResult", {
    Bucket: h.bucket,
    Key: h.key,
    UploadId: uploadId,
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: "STANDARD",
    PartNumberMarker: 0,
    NextPartNumberMarker: parts.length > 0 ? parts[parts.length - 1].partNumber : 0,
    MaxParts: 1000,
    IsTruncated: false,
    Part: parts.map((p) => ({ PartNumber: p.partNumber, LastModified: new Date(p.lastModified).toISOString(), ETag: `"${p.etag}"`, Size: p.size })),
  });
}
