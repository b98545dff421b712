import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand,
  HeadObjectCommand, ListBucketsCommand, ListMultipartUploadsCommand, ListObjectsCommand, ListObjectsV2Command, ListPartsCommand,
  PutObjectCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { ACCESS_KEY, SECRET_KEY, startS3, type S3TestServer } from "../support/s3";

function client(endpoint: string, secret = SECRET_KEY): S3Client {
  return new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: secret }, maxAttempts: 1 });
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error("expected the request to fail");
}

function raw(port: number, method: string, uri: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: "127.0.0.1", method, path: uri, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("S3Application with @aws-sdk/client-s3 (SigV4, default checksums)", function () {
  this.timeout(120_000);
  let s3: S3TestServer;
  let c: S3Client;

  before(async () => {
    s3 = await startS3({ accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    c = client(s3.endpoint);
    await c.send(new CreateBucketCommand({ Bucket: "specs" }));
  });
  after(async () => {
    c.destroy();
    await s3.close();
  });

  it("creates, lists, locates, heads and deletes buckets with S3's errors", async () => {
    await c.send(new CreateBucketCommand({ Bucket: "second-bucket" }));
    const names = (await c.send(new ListBucketsCommand({}))).Buckets!.map((b) => b.Name);
    expect(names).to.deep.equal(["second-bucket", "specs"]);
    expect((await errorOf(c.send(new CreateBucketCommand({ Bucket: "second-bucket" }))))).to.deep.equal({ name: "BucketAlreadyOwnedByYou", status: 409 });
    expect((await c.send(new GetBucketLocationCommand({ Bucket: "second-bucket" }))).LocationConstraint).to.equal(undefined);
    await c.send(new HeadBucketCommand({ Bucket: "second-bucket" }));
    await c.send(new PutObjectCommand({ Bucket: "second-bucket", Key: "x", Body: "x" }));
    expect(await errorOf(c.send(new DeleteBucketCommand({ Bucket: "second-bucket" })))).to.deep.equal({ name: "BucketNotEmpty", status: 409 });
    await c.send(new DeleteObjectCommand({ Bucket: "second-bucket", Key: "x" }));
    await c.send(new DeleteBucketCommand({ Bucket: "second-bucket" }));
    expect((await errorOf(c.send(new HeadBucketCommand({ Bucket: "second-bucket" })))).status).to.equal(404);
    expect(await errorOf(c.send(new ListObjectsV2Command({ Bucket: "no-such-bucket" })))).to.deep.equal({ name: "NoSuchBucket", status: 404 });
  });

  it("stores and returns bytes, headers, user metadata and the MD5 ETag", async () => {
    const body = Buffer.from("hello, s3 world");
    const put = await c.send(new PutObjectCommand({
      Bucket: "specs", Key: "dir/héllo wörld+?.txt", Body: body, ContentType: "text/plain", CacheControl: "max-age=60",
      ContentDisposition: "inline", Metadata: { colour: "blue" },
    }));
    expect(put.ETag).to.equal(`"${createHash("md5").update(body).digest("hex")}"`);
    const got = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "dir/héllo wörld+?.txt" }));
    expect(await got.Body!.transformToString()).to.equal("hello, s3 world");
    expect([got.ContentType, got.CacheControl, got.ContentDisposition, got.Metadata, got.ContentLength]).to.deep.equal(["text/plain", "max-age=60", "inline", { colour: "blue" }, 15]);
    const head = await c.send(new HeadObjectCommand({ Bucket: "specs", Key: "dir/héllo wörld+?.txt" }));
    expect(head.ETag).to.equal(put.ETag);
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: "specs", Key: "missing" })))).to.deep.equal({ name: "NoSuchKey", status: 404 });
  });

  it("serves ranges, conditional requests and response-* overrides", async () => {
    await c.send(new PutObjectCommand({ Bucket: "specs", Key: "digits", Body: "0123456789" }));
    const r = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", Range: "bytes=2-5" }));
    expect([await r.Body!.transformToString(), r.ContentRange, r.$metadata.httpStatusCode]).to.deep.equal(["2345", "bytes 2-5/10", 206]);
    const suffix = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", Range: "bytes=-3" }));
    expect(await suffix.Body!.transformToString()).to.equal("789");
    expect(await errorOf(c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", Range: "bytes=20-" })))).to.deep.equal({ name: "InvalidRange", status: 416 });
    const etag = r.ETag!;
    expect((await errorOf(c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", IfMatch: '"nope"' })))).status).to.equal(412);
    expect((await errorOf(c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", IfNoneMatch: etag })))).status).to.equal(304);
    expect((await errorOf(c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", IfModifiedSince: new Date(Date.now() + 60_000) })))).status).to.equal(304);
    const over = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "digits", IfMatch: etag, ResponseContentType: "text/x-digits", ResponseContentDisposition: "attachment" }));
    expect([over.ContentType, over.ContentDisposition]).to.deep.equal(["text/x-digits", "attachment"]);
  });

  it("verifies default CRC32 and explicit SHA-256/CRC32C/SHA-1 checksums and returns them on request", async () => {
    for (const algorithm of ["CRC32", "CRC32C", "SHA1", "SHA256"] as const) {
      const put = await c.send(new PutObjectCommand({ Bucket: "specs", Key: "sum-" + algorithm, Body: Buffer.alloc(100_000, 3), ChecksumAlgorithm: algorithm }));
      const field = ("Checksum" + algorithm) as "ChecksumCRC32";
      expect(put[field], algorithm).to.be.a("string");
      const got = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "sum-" + algorithm, ChecksumMode: "ENABLED" }));
      expect(got[field]).to.equal(put[field]);
      expect((await got.Body!.transformToByteArray()).length).to.equal(100_000);
    }
  });

  it("refuses a body whose Content-MD5 or x-amz-checksum does not match (BadDigest)", async () => {
    const wrongMd5 = createHash("md5").update("something else").digest("base64");
    expect(await errorOf(c.send(new PutObjectCommand({ Bucket: "specs", Key: "bad-md5", Body: "payload", ContentMD5: wrongMd5 })))).to.deep.equal({ name: "BadDigest", status: 400 });
    expect(await errorOf(c.send(new PutObjectCommand({ Bucket: "specs", Key: "bad-crc", Body: "payload", ChecksumCRC32: "AAAAAA==" })))).to.deep.equal({ name: "BadDigest", status: 400 });
    expect((await errorOf(c.send(new HeadObjectCommand({ Bucket: "specs", Key: "bad-md5" })))).status).to.equal(404);
  });

  it("refuses a wrong signature with 403 SignatureDoesNotMatch", async () => {
    const wrong = client(s3.endpoint, "not-the-secret");
    try {
      expect(await errorOf(wrong.send(new ListObjectsV2Command({ Bucket: "specs" })))).to.deep.equal({ name: "SignatureDoesNotMatch", status: 403 });
      expect(await errorOf(wrong.send(new PutObjectCommand({ Bucket: "specs", Key: "forged", Body: "x" })))).to.deep.equal({ name: "SignatureDoesNotMatch", status: 403 });
    } finally {
      wrong.destroy();
    }
    expect((await raw(s3.port, "GET", "/specs")).status).to.equal(403);
  });

  it("lists v1 and v2 with prefix, delimiter, markers, tokens and truncation", async () => {
    await c.send(new CreateBucketCommand({ Bucket: "listing" }));
    const keys = ["a/1", "a/2", "b", "c/x/1", "c/y", "d"];
    for (const k of keys) await c.send(new PutObjectCommand({ Bucket: "listing", Key: k, Body: k }));
    const v1 = await c.send(new ListObjectsCommand({ Bucket: "listing", Delimiter: "/", MaxKeys: 2 }));
    expect([v1.CommonPrefixes?.map((p) => p.Prefix), v1.Contents?.map((o) => o.Key), v1.IsTruncated, v1.NextMarker]).to.deep.equal([["a/"], ["b"], true, "b"]);
    const v1b = await c.send(new ListObjectsCommand({ Bucket: "listing", Delimiter: "/", Marker: "b" }));
    expect([v1b.CommonPrefixes?.map((p) => p.Prefix), v1b.Contents?.map((o) => o.Key), v1b.IsTruncated]).to.deep.equal([["c/"], ["d"], false]);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await c.send(new ListObjectsV2Command({ Bucket: "listing", MaxKeys: 4, ContinuationToken: token, FetchOwner: true }));
      expect(page.KeyCount).to.equal(page.Contents?.length ?? 0);
      if (page.Contents?.[0]) expect(page.Contents[0].Owner?.ID).to.equal("tornado-ts");
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(seen).to.deep.equal(keys);
    const prefixed = await c.send(new ListObjectsV2Command({ Bucket: "listing", Prefix: "c/", StartAfter: "c/x/1" }));
    expect(prefixed.Contents?.map((o) => o.Key)).to.deep.equal(["c/y"]);
  });

  it("copies objects keeping or replacing metadata, and deletes many at once", async () => {
    await c.send(new PutObjectCommand({ Bucket: "specs", Key: "original", Body: "copy me", ContentType: "text/plain", Metadata: { a: "1" } }));
    const kept = await c.send(new CopyObjectCommand({ Bucket: "specs", Key: "copy-kept", CopySource: "specs/original" }));
    expect(kept.CopyObjectResult?.ETag).to.equal(`"${createHash("md5").update("copy me").digest("hex")}"`);
    const head = await c.send(new HeadObjectCommand({ Bucket: "specs", Key: "copy-kept" }));
    expect([head.ContentType, head.Metadata]).to.deep.equal(["text/plain", { a: "1" }]);
    await c.send(new CopyObjectCommand({ Bucket: "specs", Key: "copy-replaced", CopySource: "specs/original", MetadataDirective: "REPLACE", ContentType: "text/x-new", Metadata: { b: "2" } }));
    const replaced = await c.send(new HeadObjectCommand({ Bucket: "specs", Key: "copy-replaced" }));
    expect([replaced.ContentType, replaced.Metadata]).to.deep.equal(["text/x-new", { b: "2" }]);
    const del = await c.send(new DeleteObjectsCommand({ Bucket: "specs", Delete: { Objects: [{ Key: "copy-kept" }, { Key: "copy-replaced" }, { Key: "never-was" }] } }));
    expect(del.Deleted?.map((d) => d.Key)).to.deep.equal(["copy-kept", "copy-replaced", "never-was"]);
    expect((await errorOf(c.send(new HeadObjectCommand({ Bucket: "specs", Key: "copy-kept" })))).status).to.equal(404);
  });

  it("runs a multipart upload step by step with the md5-of-md5s-N ETag, and aborts one", async () => {
    const created = await c.send(new CreateMultipartUploadCommand({ Bucket: "specs", Key: "parts", ContentType: "application/x-parts" }));
    const uploadId = created.UploadId!;
    const partBodies = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.alloc(1000, 2)];
    const etags: string[] = [];
    for (const [i, body] of partBodies.entries()) etags.push((await c.send(new UploadPartCommand({ Bucket: "specs", Key: "parts", UploadId: uploadId, PartNumber: i + 1, Body: body }))).ETag!);
    const listed = await c.send(new ListPartsCommand({ Bucket: "specs", Key: "parts", UploadId: uploadId }));
    expect(listed.Parts?.map((p) => p.Size)).to.deep.equal([5 * 1024 * 1024, 1000]);
    const uploads = await c.send(new ListMultipartUploadsCommand({ Bucket: "specs" }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).to.include(uploadId);
    expect(await errorOf(c.send(new CompleteMultipartUploadCommand({ Bucket: "specs", Key: "parts", UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }] } })))).to.deep.equal({ name: "InvalidPart", status: 400 });
    const done = await c.send(new CompleteMultipartUploadCommand({ Bucket: "specs", Key: "parts", UploadId: uploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
    const md5s = createHash("md5");
    for (const e of etags) md5s.update(Buffer.from(e.replace(/"/g, ""), "hex"));
    expect(done.ETag).to.equal(`"${md5s.digest("hex")}-2"`);
    const got = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "parts" }));
    expect([got.ContentLength, got.ContentType]).to.deep.equal([5 * 1024 * 1024 + 1000, "application/x-parts"]);
    expect(createHash("md5").update(await got.Body!.transformToByteArray()).digest("hex")).to.equal(createHash("md5").update(Buffer.concat(partBodies)).digest("hex"));

    const other = (await c.send(new CreateMultipartUploadCommand({ Bucket: "specs", Key: "aborted" }))).UploadId!;
    await c.send(new AbortMultipartUploadCommand({ Bucket: "specs", Key: "aborted", UploadId: other }));
    expect(await errorOf(c.send(new ListPartsCommand({ Bucket: "specs", Key: "aborted", UploadId: other })))).to.deep.equal({ name: "NoSuchUpload", status: 404 });
  });

  it("uploads a 50 MB file with @aws-sdk/lib-storage and reads back the same bytes", async () => {
    const file = path.join(s3.dir, "..", `tt-s3-50mb-${process.pid}.bin`);
    const chunk = Buffer.alloc(1024 * 1024);
    const hash = createHash("sha256");
    const fd = fs.openSync(file, "w");
    for (let i = 0; i < 50; i++) {
      chunk.fill(i * 7 + 1);
      chunk.writeUInt32BE(i);
      hash.update(chunk);
      fs.writeSync(fd, chunk);
    }
    fs.closeSync(fd);
    try {
      const upload = new Upload({ client: c, params: { Bucket: "specs", Key: "big/50mb.bin", Body: fs.createReadStream(file) }, partSize: 8 * 1024 * 1024, queueSize: 2 });
      const result = await upload.done();
      expect(result.ETag).to.match(/^"[0-9a-f]{32}-7"$/);
      const got = await c.send(new GetObjectCommand({ Bucket: "specs", Key: "big/50mb.bin" }));
      const back = createHash("sha256");
      for await (const piece of got.Body as AsyncIterable<Buffer>) back.update(piece);
      expect(back.digest("hex")).to.equal(hash.digest("hex"));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("addresses buckets virtual-host style (bucket.localhost)", async () => {
    const open = await startS3();
    try {
      expect((await raw(open.port, "PUT", "/", { Host: `vhost-bucket.localhost:${open.port}` })).status).to.equal(200);
      expect((await raw(open.port, "PUT", "/k/v.txt", { Host: `vhost-bucket.localhost:${open.port}`, "Content-Type": "text/plain" }, Buffer.from("virtual"))).status).to.equal(200);
      const got = await raw(open.port, "GET", "/vhost-bucket/k/v.txt");
      expect([got.status, got.body, got.headers["content-type"]]).to.deep.equal([200, "virtual", "text/plain"]);
      const listed = await raw(open.port, "GET", "/?list-type=2", { Host: `vhost-bucket.localhost:${open.port}` });
      expect(listed.body).to.contain("<Key>k/v.txt</Key>");
    } finally {
      await open.close();
    }
  });
});
