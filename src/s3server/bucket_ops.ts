/**
 * The service and bucket operations: ListBuckets, Create/Delete/HeadBucket, GetBucketLocation,
 * ListObjects (v1 and v2), DeleteObjects and ListMultipartUploads, plus the few read-only
 * sub-resources clients probe (acl, versioning).
 */
import { S3Error } from "./errors";
import type { S3Handler } from "./handler";
import type { ObjectMeta } from "./storage";
import { parseDeleteRequest, type XmlObject } from "./xml";

export const OWNER = { ID: "tornado-ts", DisplayName: "tornado-ts" };

const SUPPORTED_GET = new Set(["list-type", "prefix", "delimiter", "marker", "max-keys", "encoding-type", "continuation-token", "start-after", "fetch-owner", "location", "uploads", "acl", "versioning", "key-marker", "upload-id-marker", "max-uploads", "x-id"]);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export async function listBuckets(h: S3Handler): Promise<void> {
  const buckets = await h.s3.storage.listBuckets();
  h.sendXml("ListAllMyBucketsResult", {
    Owner: OWNER,
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.created.toISOString() })) },
  });
}

export async function putBucket(h: S3Handler): Promise<void> {
  if (h.query("acl") !== undefined || h.query("versioning") !== undefined) {
    await h.s3.storage.requireBucket(h.bucket);
    throw new S3Error("NotImplemented", "A header you provided implies functionality that is not implemented.");
  }
  await h.s3.storage.createBucket(h.bucket);
  h.setHeader("Location", "/" + h.bucket);
  h.finish();
}

export async function deleteBucket(h: S3Handler): Promise<void> {
  await h.s3.storage.deleteBucket(h.bucket);
  h.setStatus(204);
  h.finish();
}

export async function headBucket(h: S3Handler): Promise<void> {
  await h.s3.storage.requireBucket(h.bucket);
  h.setHeader("x-amz-bucket-region", "us-east-1");
  h.finish();
}

/** GET on a bucket: a listing, or one of the sub-resources. */
export async function getBucket(h: S3Handler): Promise<void> {
  const storage = h.s3.storage;
  await storage.requireBucket(h.bucket);
  for (const name of Object.keys(h.request.queryArguments)) {
    if (!SUPPORTED_GET.has(name) && !name.startsWith("X-Amz-")) throw new S3Error("NotImplemented", `the ?${name} sub-resource is not implemented by this server`);
  }
  if (h.query("location") !== undefined) {
    h.sendXml("LocationConstraint", {});
    return;
  }
  if (h.query("versioning") !== undefined) {
    h.sendXml("VersioningConfiguration", {});
    return;
  }
  if (h.query("acl") !== undefined) {
    h.sendXml("AccessControlPolicy", {
      Owner: OWNER,
      AccessControlList: { Grant: { Grantee: { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ...OWNER }, Permission: "FULL_CONTROL" } },
    });
    return;
  }
  if (h.query("uploads") !== undefined) return listUploads(h);
  return h.query("list-type") === "2" ? listObjectsV2(h) : listObjectsV1(h);
}

function maxKeysArg(h: S3Handler): number {
  const text = h.query("max-keys");
  if (text === undefined) return 1000;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 0) throw new S3Error("InvalidArgument", "max-keys must be a non-negative integer", undefined, { ArgumentName: "max-keys", ArgumentValue: text });
  return Math.min(n, 1000);
}

function encoder(h: S3Handler): (s: string) => string {
  const type = h.query("encoding-type");
  if (type === undefined) return (s) => s;
  if (type !== "url") throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", undefined, { ArgumentName: "encoding-type" });
  return (s) => encodeURIComponent(s).replace(/%2F/g, "/");
}

function contents(objects: ObjectMeta[], encode: (s: string) => string, withOwner: boolean): XmlObject[] {
  return objects.map((o) => ({
    Key: encode(o.key),
    LastModified: iso(o.lastModified),
    ETag: `"${o.etag}"`,
    Size: o.size,
    StorageClass: "STANDARD",
    Owner: withOwner ? OWNER : undefined,
  }));
}

async function listObjectsV1(h: S3Handler): Promise<void> {
  const prefix = h.query("prefix") ?? "";
  const delimiter = h.query("delimiter") ?? "";
  const marker = h.query("marker") ?? "";
  const maxKeys = maxKeysArg(h);
  const encode = encoder(h);
  const result = await h.s3.storage.list(h.bucket, { prefix, delimiter, after: marker || undefined, maxKeys });
  h.sendXml("ListBucketResult", {
    Name: h.bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: h.query("encoding-type"),
    IsTruncated: result.isTruncated,
    NextMarker: result.isTruncated && result.last !== undefined ? encode(result.last) : undefined,
    Contents: contents(result.objects, encode, true),
    CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
}

async function listObjectsV2(h: S3Handler): Promise<void> {
  const prefix = h.query("prefix") ?? "";
  const delimiter = h.query("delimiter") ?? "";
  const token = h.query("continuation-token");
  const startAfter = h.query("start-after");
  const maxKeys = maxKeysArg(h);
  const encode = encoder(h);
  let after = startAfter || undefined;
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (!decoded.startsWith("k:")) throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", undefined, { ArgumentName: "continuation-token" });
    after = decoded.slice(2);
  }
  const result = await h.s3.storage.list(h.bucket, { prefix, delimiter, after, maxKeys });
  h.sendXml("ListBucketResult", {
    Name: h.bucket,
    Prefix: encode(prefix),
    KeyCount: result.objects.length + result.commonPrefixes.length,
    MaxKeys: maxKeys,
    Delimiter: delimiter ? encode(delimiter) : undefined,
    EncodingType: h.query("encoding-type"),
    IsTruncated: result.isTruncated,
    ContinuationToken: token,
    NextContinuationToken: result.isTruncated && result.last !== undefined ? Buffer.from("k:" + result.last).toString("base64url") : undefined,
    StartAfter: startAfter !== undefined ? encode(startAfter) : undefined,
    Contents: contents(result.objects, encode, h.query("fetch-owner") === "true"),
    CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
}

async function listUploads(h: S3Handler): Promise<void> {
  const prefix = h.query("prefix") ?? "";
  const uploads = await h.s3.uploads.list(h.bucket, prefix);
  h.sendXml("ListMultipartUploadsResult", {
    Bucket: h.bucket,
    KeyMarker: "",
    UploadIdMarker: "",
    Prefix: prefix,
    MaxUploads: 1000,
    IsTruncated: false,
    Upload: uploads.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiator: OWNER, Owner: OWNER, StorageClass: "STANDARD", Initiated: iso(u.initiated) })),
  });
}

/** POST on a bucket: only `?delete` (DeleteObjects). */
export async function postBucket(h: S3Handler): Promise<void> {
  if (h.query("delete") === undefined) throw new S3Error("NotImplemented", "only POST ?delete is implemented on a bucket");
  await h.s3.storage.requireBucket(h.bucket);
  const { keys, quiet } = parseDeleteRequest(h.body);
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  for (const key of keys) {
    try {
      await h.s3.storage.deleteObject(h.bucket, key);
      if (!quiet) deleted.push({ Key: key });
    } catch (err) {
      const e = err instanceof S3Error ? err : new S3Error("InternalError", "could not delete");
      errors.push({ Key: key, Code: e.code, Message: e.message });
    }
  }
  h.sendXml("DeleteResult", { Deleted: deleted, Error: errors });
}
