/**
 * AWS Signature Version 4 as S3 checks it: header-signed requests (`Authorization:
 * AWS4-HMAC-SHA256 …`), presigned URLs (`X-Amz-Signature` in the query, expiry honoured) and the
 * chained chunk signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { HTTPServerRequest } from "../httputil";
import type { ChunkSink } from "./chunked";
import { S3Error } from "./errors";

/** The one key pair this server accepts. */
export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** What a verified request leaves for checking its body. */
export interface SignedRequest {
  /** `x-amz-content-sha256` (or `UNSIGNED-PAYLOAD` for presigned URLs). */
  payloadHash: string;
  /** For streaming payloads: the seed signature and what chunk signatures need. */
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  signature: string;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");
const MAX_SKEW_MS = 15 * 60 * 1000;
const AMZ_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-._~` escaped. */
export function awsUriEncode(s: string, keepSlash = false): string {
  let out = encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  if (keepSlash) out = out.replace(/%2F/g, "/");
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/** The signing key of `secret` for a `date/region/service` scope. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac("AWS4" + secret, date), region), service), "aws4_request");
}

function parseAmzDate(value: string | undefined): number {
  const m = value === undefined ? null : AMZ_DATE_RE.exec(value);
  if (!m) throw new S3Error("AccessDenied", "X-Amz-Date is missing or not in the form YYYYMMDDTHHMMSSZ");
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

function canonicalUri(path: string): string {
  return path.split("/").map((segment) => awsUriEncode(safeDecode(segment))).join("/");
}

function canonicalQuery(query: string, skipSignature: boolean): string {
  if (query === "") return "";
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (skipSignature && name === "X-Amz-Signature") continue;
    pairs.push([awsUriEncode(name), awsUriEncode(safeDecode(eq < 0 ? "" : part.slice(eq + 1)))]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => k + "=" + v).join("&");
}

function canonicalHeaders(request: HTTPServerRequest, signed: string[]): string {
  let out = "";
  for (const name of signed) {
    const values = request.headers.getList(name);
    if (values.length === 0 && name !== "host") throw new S3Error("AccessDenied", `signed header ${name} is missing from the request`);
    const value = (values.length === 0 ? request.host : values.join(",")).trim().replace(/\s+/g, " ");
    out += name + ":" + value + "\n";
  }
  return out;
}

function equalSignatures(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

interface Parsed {
  accessKey: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  presigned: boolean;
}

function parseCredential(credential: string): [string, string, string, string] {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") throw new S3Error("AccessDenied", "malformed Credential: expected KEY/DATE/REGION/SERVICE/aws4_request");
  return [parts[0], parts[1], parts[2], parts[3]];
}

function parse(request: HTTPServerRequest): Parsed | null {
  const header = request.headers.get("Authorization");
  if (header !== undefined) {
    if (!header.startsWith(ALGORITHM + " ")) throw new S3Error("AccessDenied", "only AWS4-HMAC-SHA256 signatures are supported");
    const fields: Record<string, string> = {};
    for (const part of header.slice(ALGORITHM.length + 1).split(",")) {
      const eq = part.indexOf("=");
      if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) throw new S3Error("AccessDenied", "Authorization header lacks Credential, SignedHeaders or Signature");
    const [accessKey, date, region, service] = parseCredential(fields.Credential);
    const amzDate = request.headers.get("X-Amz-Date") ?? "";
    const payloadHash = request.headers.get("X-Amz-Content-Sha256");
    if (payloadHash === undefined) throw new S3Error("InvalidRequest", "x-amz-content-sha256 must be sent with a SigV4 Authorization header");
    return { accessKey, date, region, service, signedHeaders: fields.SignedHeaders.split(";"), signature: fields.Signature, amzDate, payloadHash, presigned: false };
  }
  const q = request.queryArguments;
  if (q["X-Amz-Signature"] === undefined) return null;
  if (q["X-Amz-Algorithm"]?.[0] !== ALGORITHM) throw new S3Error("AccessDenied", "X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  const [accessKey, date, region, service] = parseCredential(q["X-Amz-Credential"]?.[0] ?? "");
  const amzDate = q["X-Amz-Date"]?.[0] ?? "";
  const expires = Number(q["X-Amz-Expires"]?.[0]);
  if (!Number.isInteger(expires) || expires < 1 || expires > 604800) throw new S3Error("AccessDenied", "X-Amz-Expires must be 1..604800 seconds");
  if (Date.now() > parseAmzDate(amzDate) + expires * 1000) throw new S3Error("AccessDenied", "Request has expired", undefined, { Expires: new Date(parseAmzDate(amzDate) + expires * 1000).toISOString() });
  return {
    accessKey, date, region, service,
    signedHeaders: (q["X-Amz-SignedHeaders"]?.[0] ?? "host").split(";"),
    signature: q["X-Amz-Signature"][0],
    amzDate,
    payloadHash: request.headers.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD",
    presigned: true,
  };
}

/**
 * Verifies the request's signature against `credentials`; returns what the body checks need.
 * Unsigned requests are AccessDenied; a wrong signature is SignatureDoesNotMatch.
 *
 * @example
 * const signed = verifyRequest(request, { accessKey: "AK", secretKey: "SK" });
 */
export function verifyRequest(request: HTTPServerRequest, credentials: Credentials): SignedRequest {
  const p = parse(request);
  if (p === null) throw new S3Error("AccessDenied", "Access Denied: this server requires AWS Signature Version 4");
  if (p.accessKey !== credentials.accessKey) throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  const time = parseAmzDate(p.amzDate);
  if (!p.presigned && Math.abs(Date.now() - time) > MAX_SKEW_MS) throw new S3Error("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
  if (!p.amzDate.startsWith(p.date)) throw new S3Error("AccessDenied", "the Credential date does not match X-Amz-Date");
  const signedHeaders = p.signedHeaders.map((h) => h.trim().toLowerCase());
  if (!signedHeaders.includes("host")) throw new S3Error("AccessDenied", "the Host header must be signed");
  const canonical = [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query, p.presigned),
    canonicalHeaders(request, signedHeaders),
    signedHeaders.join(";"),
    p.presigned ? "UNSIGNED-PAYLOAD" : p.payloadHash,
  ].join("\n");
  const scope = `${p.date}/${p.region}/${p.service}/aws4_request`;
  const stringToSign = [ALGORITHM, p.amzDate, scope, sha256Hex(canonical)].join("\n");
  const key = signingKey(credentials.secretKey, p.date, p.region, p.service);
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  if (!equalSignatures(expected, p.signature)) {
    throw new S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", undefined, {
      StringToSign: stringToSign,
      CanonicalRequest: canonical,
    });
  }
  return { payloadHash: p.payloadHash, signingKey: key, amzDate: p.amzDate, scope, signature: p.signature };
}

/**
 * Wraps a ChunkSink so each `aws-chunked` chunk's signature is checked against the chain that
 * starts at the request's seed signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD).
 */
export class ChunkSignatureChecker implements ChunkSink {
  private previous: string;
  private expected: string | undefined;
  private hash = createHash("sha256");

  constructor(
    private readonly signed: SignedRequest,
    private readonly inner: ChunkSink,
  ) {
    this.previous = signed.signature;
  }

  chunkStart(size: number, signature: string | undefined): void {
    if (signature === undefined) throw new S3Error("SignatureDoesNotMatch", "a chunk of a signed streaming upload has no chunk-signature");
    this.expected = signature;
    this.hash = createHash("sha256");
    this.inner.chunkStart?.(size, signature);
  }

  data(slice: Buffer): void {
    this.hash.update(slice);
    this.inner.data(slice);
  }

  chunkEnd(): void {
    const s = this.signed;
    const stringToSign = ["AWS4-HMAC-SHA256-PAYLOAD", s.amzDate, s.scope, this.previous, EMPTY_SHA256, this.hash.digest("hex")].join("\n");
    const actual = createHmac("sha256", s.signingKey).update(stringToSign).digest("hex");
    if (this.expected === undefined || !equalSignatures(actual, this.expected)) throw new S3Error("SignatureDoesNotMatch", "a chunk signature does not match");
    this.previous = actual;
    this.inner.chunkEnd?.();
  }
}
