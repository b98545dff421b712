/**
 * ObjectWriter: streams an incoming body to a temporary file while computing its MD5 (the ETag)
 * and any requested `x-amz-checksum-*`, with backpressure: `write` resolves once the file took
 * the bytes, so a fast client never fills memory. Committed by rename (see Storage).
 */
import { createHash, type Hash } from "node:crypto";
import * as fs from "node:fs";
import { createChecksum, type Checksum, type ChecksumAlgorithm } from "./checksum";
import { S3Error } from "./errors";

/** What a finished body hashed to. */
export interface BodyDigests {
  md5: Buffer;
  sha256Hex: string | undefined;
  /** Base64 digests of the requested `x-amz-checksum-*` algorithms. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

/**
 * One body being written.
 *
 * @example
 * const w = storage.createWriter(["crc32"]);
 * await w.write(chunk); await w.close();
 */
export class ObjectWriter {
  size = 0;
  private readonly md5: Hash = createHash("md5");
  private readonly sha256: Hash | null;
  private readonly checksums = new Map<ChecksumAlgorithm, Checksum>();
  private readonly stream: fs.WriteStream;
  private failure: Error | null = null;
  private closed = false;
  /** Set once the temporary file was renamed into place: there is nothing left to discard. */
  private moved = false;
  private computed: BodyDigests | null = null;

  constructor(
    readonly tempPath: string,
    algorithms: readonly ChecksumAlgorithm[] = [],
    /** Also compute the hex SHA-256 (to check a signed `x-amz-content-sha256`). */
    wantSha256 = false,
    private readonly maxSize = 5 * 1024 ** 3,
  ) {
    for (const a of algorithms) this.checksums.set(a, createChecksum(a));
    this.sha256 = wantSha256 ? createHash("sha256") : null;
    this.stream = fs.createWriteStream(tempPath, { flags: "wx", highWaterMark: 1024 * 1024 });
    this.stream.on("error", (err) => (this.failure = err));
  }

  /** Appends `chunk`; resolves when the file can take more. */
  write(chunk: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("write after close"));
    this.size += chunk.length;
    if (this.size > this.maxSize) return Promise.reject(new S3Error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."));
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    for (const c of this.checksums.values()) c.update(chunk);
    if (this.stream.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.stream.off("error", onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.stream.off("drain", onDrain);
        reject(err);
      };
      this.stream.once("drain", onDrain);
      this.stream.once("error", onError);
    });
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.closed = true;
    return new Promise((resolve, reject) => this.stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }

  /** The digests of everything written; computed once, after the last write. */
  digests(): BodyDigests {
    if (this.computed === null) {
      const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
      for (const [a, c] of this.checksums) checksums[a] = c.digest();
      this.computed = { md5: this.md5.digest(), sha256Hex: this.sha256?.digest("hex"), checksums };
    }
    return this.computed;
  }

  /** Notes that the temporary file now lives elsewhere (committed), so discard() has nothing to do. */
  markMoved(): void {
    this.moved = true;
  }

  /** Drops the temporary file (the upload failed or the client went away). */
  async discard(): Promise<void> {
    this.closed = true;
    if (this.moved) return;
    // The file may still be opening: unlink only once the stream has closed it, or the open
    // would create it again after the unlink.
    if (!this.stream.closed) await new Promise<void>((resolve) => this.stream.destroy().once("close", () => resolve()));
    try {
      await fs.promises.unlink(this.tempPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
  }
}
