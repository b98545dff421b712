/**
 * S3Handler: one request to the S3 API. Works out the bucket and key (path-style `/bucket/key`
 * or virtual-host `bucket.DOMAIN/key`), checks the SigV4 signature when the server has keys,
 * picks the operation from the method and sub-resource, and answers errors as S3's XML.
 */
import { randomBytes } from "node:crypto";
import { appLog } from "../log";
import { StreamRequestBody } from "../web/decorators";
import { HTTPError } from "../web/errors";
import { RequestHandler, type ErrorExtras } from "../web/handler";
import type { BodyReceiver } from "./body";
import * as bucketOps from "./bucket_ops";
import { S3Error } from "./errors";
import type { MultipartUploads } from "./multipart";
import * as objectOps from "./object_ops";
import { verifyRequest, type Credentials, type SignedRequest } from "./sigv4";
import type { Storage } from "./storage";
import { buildDocument, errorDocument, type XmlObject } from "./xml";

/** What every S3Handler shares (the route's init). */
export interface S3Context {
  storage: Storage;
  uploads: MultipartUploads;
  credentials: Credentials | null;
  /** Host names under which `bucket.NAME` is virtual-host addressing. */
  domains: readonly string[];
  /** Largest single PUT / part. */
  maxObjectSize: number;
}

const GENERIC_CODES: Record<number, string> = { 400: "InvalidRequest", 403: "AccessDenied", 404: "NoSuchKey", 405: "MethodNotAllowed", 411: "MissingContentLength", 413: "EntityTooLarge", 501: "NotImplemented" };

/** Largest XML request body (DeleteObjects of 1000 keys, CompleteMultipartUpload of 10000 parts). */
const MAX_XML_BODY = 4 * 1024 * 1024;

/**
 * Serves the S3 REST API; see S3Application. Bodies stream: an upload goes to its temporary file
 * as it arrives (flow-controlled), never whole into memory.
 */
@StreamRequestBody
export class S3Handler extends RequestHandler {
  s3!: S3Context;
  /** The bucket addressed ("" for the service: ListBuckets). */
  bucket!: string;
  /** The object key ("" for bucket operations). */
  key!: string;
  signed!: SignedRequest | null;
  /** Set when the client went away: long reads stop. */
  gone = false;
  private requestId!: string;
  private receiver!: BodyReceiver | null;
  private xmlChunks!: Buffer[];
  private xmlSize!: number;

  override initialize(init?: unknown): void {
    this.s3 = init as S3Context;
  }

  override async prepare(): Promise<void> {
    this.requestId = randomBytes(8).toString("hex").toUpperCase();
    this.setHeader("x-amz-request-id", this.requestId);
    this.setHeader("Server", "tornado-ts s3server");
    this.locate();
    this.signed = this.s3.credentials === null ? null : verifyRequest(this.request, this.s3.credentials);
    this.xmlChunks = [];
    this.xmlSize = 0;
    this.receiver = objectOps.createReceiver(this);
    // S3's object limit, not a web form's; aws-chunked framing adds a little on the wire.
    if (this.receiver !== null) this.request.connection?.setMaxBodySize?.(Math.ceil(this.s3.maxObjectSize * 1.01) + 1024 * 1024);
  }

  /** Upload bytes go to the receiver's file; other bodies (XML) are kept, up to 4 MiB. */
  override async dataReceived(chunk: Buffer): Promise<void> {
    if (this.receiver !== null) return this.receiver.feed(chunk);
    this.xmlSize += chunk.length;
    if (this.xmlSize > MAX_XML_BODY) throw new S3Error("MaxMessageLengthExceeded", "Your request was too big.");
    this.xmlChunks.push(chunk);
  }

  /** The (small, XML) request body of a non-upload request. */
  get body(): Buffer {
    return this.xmlChunks.length === 1 ? this.xmlChunks[0] : Buffer.concat(this.xmlChunks);
  }

  // An upload that failed or was abandoned leaves no temporary file (after a commit it is gone already).
  override onFinish(): void {
    void this.receiver?.discard();
  }

  // S3 clients sign their requests; there are no cookies to protect.
  override checkXsrfCookie(): void {}

  // ETags are S3's (MD5 of the object), never a hash of the response body.
  override computeEtag(): string | null {
    return null;
  }

  override onConnectionClose(): void {
    this.gone = true;
    void this.receiver?.discard();
  }

  /** The query argument `name` ("" when present without a value), or undefined. */
  query(name: string): string | undefined {
    return this.request.queryArguments[name]?.[0];
  }

  /** Answers with an S3 XML document. */
  sendXml(root: string, body: XmlObject, status = 200): void {
    this.setStatus(status);
    this.setHeader("Content-Type", "application/xml");
    this.finish(buildDocument(root, body));
  }

  async get(): Promise<void> {
    if (this.bucket === "") return bucketOps.listBuckets(this);
    if (this.key === "") return bucketOps.getBucket(this);
    return objectOps.getObject(this, false);
  }

  async head(): Promise<void> {
    if (this.bucket === "") throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
    if (this.key === "") return bucketOps.headBucket(this);
    return objectOps.getObject(this, true);
  }

  async put(): Promise<void> {
    if (this.bucket === "") throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
    if (this.key === "") return bucketOps.putBucket(this);
    return objectOps.putObject(this, this.receiver);
  }

  async post(): Promise<void> {
    if (this.bucket === "") throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
    if (this.key === "") return bucketOps.postBucket(this);
    return objectOps.postObject(this);
  }

  async delete(): Promise<void> {
    if (this.bucket === "") throw new S3Error("MethodNotAllowed", "The specified method is not allowed against this resource.");
    if (this.key === "") return bucketOps.deleteBucket(this);
    return objectOps.deleteObject(this);
  }

  override writeError(code: number, extras: ErrorExtras): void {
    const exc = extras.exc;
    let err: S3Error;
    if (exc instanceof S3Error) err = exc;
    else if (exc instanceof HTTPError) err = new S3Error(GENERIC_CODES[exc.statusCode] ?? "InvalidRequest", exc.logMessage ?? exc.message);
    else if (code >= 500) err = new S3Error("InternalError", "We encountered an internal error. Please try again.");
    else err = new S3Error(GENERIC_CODES[code] ?? "InvalidRequest", "The request could not be served.");
    if (exc instanceof S3Error && err.code === "InvalidRange" && typeof err.extra.ActualObjectSize === "string") {
      this.setHeader("Content-Range", `bytes */${err.extra.ActualObjectSize}`);
    }
    this.setStatus(err.status === 400 || exc instanceof S3Error ? err.status : code);
    if (this.request.method === "HEAD") {
      this.finish();
      return;
    }
    const resource = err.resource === undefined ? this.request.path : err.resource;
    this.setHeader("Content-Type", "application/xml");
    this.finish(errorDocument(new S3Error(err.code, err.message, resource, err.extra), this.requestId ?? ""));
  }

  override logException(err: unknown): void {
    if (err instanceof S3Error) {
      if (err.status >= 500) appLog.error(`${err.code} ${this.request.method} ${this.request.uri}`, err);
      return;
    }
    super.logException(err);
  }

  /** Sets `bucket` and `key` from the Host and path. */
  private locate(): void {
    const hostName = this.request.hostName;
    let virtualBucket: string | undefined;
    for (const domain of this.s3.domains) {
      if (hostName.length > domain.length + 1 && hostName.endsWith("." + domain)) {
        virtualBucket = hostName.slice(0, -domain.length - 1);
        break;
      }
    }
    const rawPath = this.request.path;
    const path = decodePath(rawPath);
    if (virtualBucket !== undefined) {
      this.bucket = virtualBucket;
      this.key = path.slice(1);
      return;
    }
    const slash = path.indexOf("/", 1);
    this.bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
    this.key = slash < 0 ? "" : path.slice(slash + 1);
  }
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new S3Error("InvalidURI", "Couldn't parse the specified URI.");
  }
}
