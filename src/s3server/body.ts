/**
 * BodyReceiver: takes an upload's bytes as they arrive (decoding `aws-chunked` when the client
 * streams with SigV4), writes them to a temporary file, and at the end checks everything the
 * client promised: Content-Length / x-amz-decoded-content-length, Content-MD5, a signed
 * `x-amz-content-sha256`, chunk signatures, and `x-amz-checksum-*` headers or trailers.
 */
import type { HTTPHeaders } from "../httputil";
import { algorithmOfHeader, CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from "./checksum";
import { AwsChunkedDecoder, type ChunkSink } from "./chunked";
import { S3Error } from "./errors";
import { ChunkSignatureChecker, type SignedRequest } from "./sigv4";
import type { Storage } from "./storage";
import type { BodyDigests, ObjectWriter } from "./writer";

/** A received, verified body, still in its temporary file. */
export interface ReceivedBody {
  tempPath: string;
  size: number;
  digests: BodyDigests;
  /** The checksums the client sent and we verified (base64). */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

const HEX64_RE = /^[0-9a-f]{64}$/;

/**
 * One upload in progress.
 *
 * @example
 * const r = new BodyReceiver(storage, request.headers, signed);
 * await r.feed(chunk); … const body = await r.finish();
 */
export class BodyReceiver {
  private readonly writer: ObjectWriter;
  private readonly decoder: AwsChunkedDecoder | null = null;
  private readonly pending: Buffer[] = [];
  private readonly expectedLength: number | undefined;
  private readonly headerChecksums = new Map<ChecksumAlgorithm, string>();
  private readonly trailerAlgorithm: ChecksumAlgorithm | undefined;
  private readonly payloadHash: string | undefined;

  constructor(storage: Storage, headers: HTTPHeaders, signed: SignedRequest | null, maxSize?: number) {
    const contentSha = headers.get("X-Amz-Content-Sha256");
    const streaming = contentSha?.startsWith("STREAMING-") ?? false;
    const encoding = (headers.get("Content-Encoding") ?? "").toLowerCase();
    const chunked = streaming || encoding.split(",").some((e) => e.trim() === "aws-chunked");
    for (const [name, value] of headers) {
      const algorithm = algorithmOfHeader(name.toLowerCase());
      if (algorithm !== undefined) this.headerChecksums.set(algorithm, value.trim());
    }
    const trailer = headers.get("X-Amz-Trailer")?.trim().toLowerCase();
    if (trailer !== undefined) {
      this.trailerAlgorithm = algorithmOfHeader(trailer);
      if (this.trailerAlgorithm === undefined) throw new S3Error("InvalidRequest", `unsupported x-amz-trailer ${trailer} (use x-amz-checksum-crc32, -crc32c, -sha1 or -sha256)`);
    }
    const algorithms = new Set<ChecksumAlgorithm>(this.headerChecksums.keys());
    if (this.trailerAlgorithm) algorithms.add(this.trailerAlgorithm);
    const sdkAlgorithm = headers.get("X-Amz-Sdk-Checksum-Algorithm")?.toLowerCase() as ChecksumAlgorithm | undefined;
    if (sdkAlgorithm && CHECKSUM_ALGORITHMS.includes(sdkAlgorithm)) algorithms.add(sdkAlgorithm);
    if (signed !== null && contentSha !== undefined && HEX64_RE.test(contentSha)) this.payloadHash = contentSha;
    this.writer = storage.createWriter([...algorithms], this.payloadHash !== undefined, maxSize);
    const lengthHeader = chunked ? headers.get("X-Amz-Decoded-Content-Length") : headers.get("Content-Length");
    if (lengthHeader !== undefined) {
      if (!/^\d{1,15}$/.test(lengthHeader.trim())) throw new S3Error("InvalidArgument", "bad Content-Length / x-amz-decoded-content-length");
      this.expectedLength = Number(lengthHeader);
      if (maxSize !== undefined && this.expectedLength > maxSize) throw new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.", undefined, { ProposedSize: String(this.expectedLength), MaxSizeAllowed: String(maxSize) });
    }
    if (chunked) {
      const sink: ChunkSink = { data: (slice) => this.pending.push(slice) };
      const signedChunks = contentSha === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" || contentSha === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
      this.decoder = new AwsChunkedDecoder(signed !== null && signedChunks ? new ChunkSignatureChecker(signed, sink) : sink);
    }
  }

  /** The next bytes of the request body (as sent on the wire). */
  async feed(chunk: Buffer): Promise<void> {
    if (this.decoder === null) {
      await this.writer.write(chunk);
      return;
    }
    this.decoder.push(chunk);
    const slices = this.pending.splice(0);
    for (const slice of slices) await this.writer.write(slice);
  }

  /** Ends the body and verifies it; the temporary file is removed when anything fails. */
  async finish(): Promise<ReceivedBody> {
    try {
      this.decoder?.end();
      await this.writer.close();
      const size = this.writer.size;
      if (this.expectedLength !== undefined && size !== this.expectedLength) {
        throw new S3Error("IncompleteBody", `You did not provide the number of bytes specified by the Content-Length HTTP header (${size} of ${this.expectedLength}).`);
      }
      const digests = this.writer.digests();
      if (this.payloadHash !== undefined && digests.sha256Hex !== this.payloadHash) {
        throw new S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", undefined, {
          ClientComputedContentSHA256: this.payloadHash,
          S3ComputedContentSHA256: digests.sha256Hex ?? "",
        });
      }
      const claimed = new Map(this.headerChecksums);
      if (this.trailerAlgorithm !== undefined) {
        const value = this.decoder?.trailers.get("x-amz-checksum-" + this.trailerAlgorithm);
        if (value === undefined) throw new S3Error("InvalidRequest", `the x-amz-trailer ${this.trailerAlgorithm} checksum is missing from the trailers`);
        claimed.set(this.trailerAlgorithm, value);
      }
      const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
      for (const [algorithm, value] of claimed) {
        if (digests.checksums[algorithm] !== value) {
          throw new S3Error("BadDigest", `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
        }
        checksums[algorithm] = value;
      }
      return { tempPath: this.writer.tempPath, size, digests, checksums };
    } catch (err) {
      await this.writer.discard();
      throw err;
    }
  }

  /** The finished body's temporary file was moved into place: discard() leaves it alone. */
  handedOver(): void {
    this.writer.markMoved();
  }

  /** Gives up (client gone, earlier error): removes the temporary file. */
  discard(): Promise<void> {
    return this.writer.discard();
  }
}

/** Checks a Content-MD5 header against the body's MD5 (BadDigest / InvalidDigest). */
export function checkContentMd5(header: string | undefined, md5: Buffer): void {
  if (header === undefined) return;
  const claimed = Buffer.from(header.trim(), "base64");
  if (claimed.length !== 16) throw new S3Error("InvalidDigest", "The Content-MD5 you specified was invalid.");
  if (!claimed.equals(md5)) throw new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.");
}
