import { expect } from "chai";
import { createHash } from "node:crypto";
import * as zlib from "node:zlib";
import { algorithmOfHeader, crc32c, createChecksum } from "../../src/s3server/checksum";

describe("s3server checksums", () => {
  it("computes CRC-32C's check value for '123456789'", () => {
    expect(crc32c(Buffer.from("123456789"))).to.equal(0xe3069283);
  });

  it("gives the same CRC-32C when continued across pieces of any size", () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
    const whole = crc32c(data);
    for (const cut of [1, 7, 8, 9, 500, 999]) expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).to.equal(whole);
  });

  it("encodes digests in base64 as the x-amz-checksum headers do", () => {
    const data = Buffer.from("hello world");
    const crc = createChecksum("crc32");
    crc.update(data.subarray(0, 4));
    crc.update(data.subarray(4));
    const expected = Buffer.alloc(4);
    expected.writeUInt32BE(zlib.crc32(data));
    expect(crc.digest()).to.equal(expected.toString("base64"));
    const sha = createChecksum("sha256");
    sha.update(data);
    expect(sha.digest()).to.equal(createHash("sha256").update(data).digest("base64"));
  });

  it("names the algorithm of an x-amz-checksum header, and nothing else", () => {
    expect(algorithmOfHeader("x-amz-checksum-crc32c")).to.equal("crc32c");
    expect(algorithmOfHeader("x-amz-checksum-md5")).to.equal(undefined);
    expect(algorithmOfHeader("x-amz-checksum-mode")).to.equal(undefined);
  });
});
