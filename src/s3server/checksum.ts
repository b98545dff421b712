/**
 * The checksums S3 clients send (`x-amz-checksum-crc32|crc32c|sha1|sha256`, base64 of the
 * big-endian digest), computed incrementally as a body streams past. CRC-32 comes from zlib;
 * CRC-32C (Castagnoli) is a slice-by-8 table here, since Node has none built in.
 */
import { createHash, type Hash } from "node:crypto";
import * as zlib from "node:zlib";

export type ChecksumAlgorithm = "crc32" | "crc32c" | "sha1" | "sha256";
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["crc32", "crc32c", "sha1", "sha256"];

const CRC32C_TABLES: Uint32Array[] = (() => {
  const tables = Array.from({ length: 8 }, () => new Uint32Array(256));
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    tables[0][n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let t = 1; t < 8; t++) tables[t][n] = (tables[t - 1][n] >>> 8) ^ tables[0][tables[t - 1][n] & 0xff];
  }
  return tables;
})();

/** Continues a CRC-32C over `buf` (start with 0). */
export function crc32c(buf: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = CRC32C_TABLES;
  let crc = ~previous >>> 0;
  let i = 0;
  const n = buf.length;
  for (; i + 8 <= n; i += 8) {
    const a = (crc ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0;
    crc =
      t7[a & 0xff] ^ t6[(a >>> 8) & 0xff] ^ t5[(a >>> 16) & 0xff] ^ t4[a >>> 24] ^
      t3[buf[i + 4]] ^ t2[buf[i + 5]] ^ t1[buf[i + 6]] ^ t0[buf[i + 7]];
  }
  for (; i < n; i++) crc = t0[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

function uint32Base64(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString("base64");
}

/** An incremental checksum of one algorithm. */
export interface Checksum {
  update(chunk: Buffer): void;
  /** The base64 digest, as S3 headers carry it. */
  digest(): string;
}

class CrcChecksum implements Checksum {
  private value = 0;
  constructor(private readonly fn: (buf: Buffer, prev: number) => number) {}
  update(chunk: Buffer): void {
    this.value = this.fn(chunk, this.value);
  }
  digest(): string {
    return uint32Base64(this.value);
  }
}

class HashChecksum implements Checksum {
  private readonly hash: Hash;
  constructor(name: string) {
    this.hash = createHash(name);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
  }
  digest(): string {
    return this.hash.digest("base64");
  }
}

/** A fresh incremental checksum. */
export function createChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case "crc32":
      return new CrcChecksum((buf, prev) => zlib.crc32(buf, prev));
    case "crc32c":
      return new CrcChecksum(crc32c);
    case "sha1":
      return new HashChecksum("sha1");
    case "sha256":
      return new HashChecksum("sha256");
  }
}

/** The algorithm named by `x-amz-checksum-NAME` (lower-case header name), or undefined. */
export function algorithmOfHeader(lowerHeaderName: string): ChecksumAlgorithm | undefined {
  if (!lowerHeaderName.startsWith("x-amz-checksum-")) return undefined;
  const name = lowerHeaderName.slice("x-amz-checksum-".length) as ChecksumAlgorithm;
  return CHECKSUM_ALGORITHMS.includes(name) ? name : undefined;
}
