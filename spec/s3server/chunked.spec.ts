import { expect } from "chai";
import { AwsChunkedDecoder, type ChunkSink } from "../../src/s3server/chunked";
import { S3Error } from "../../src/s3server/errors";

function encode(chunks: Buffer[], trailer = ""): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) parts.push(Buffer.from(c.length.toString(16) + ";chunk-signature=" + "a".repeat(64) + "\r\n"), c, Buffer.from("\r\n"));
  parts.push(Buffer.from("0;chunk-signature=" + "b".repeat(64) + "\r\n" + trailer + "\r\n"));
  return Buffer.concat(parts);
}

function collect(): ChunkSink & { out: Buffer[]; starts: [number, string | undefined][]; ends: number } {
  const sink = {
    out: [] as Buffer[],
    starts: [] as [number, string | undefined][],
    ends: 0,
    data(slice: Buffer) {
      sink.out.push(Buffer.from(slice));
    },
    chunkStart(size: number, sig: string | undefined) {
      sink.starts.push([size, sig]);
    },
    chunkEnd() {
      sink.ends++;
    },
  };
  return sink;
}

describe("AwsChunkedDecoder", () => {
  const payload = [Buffer.from("hello, "), Buffer.alloc(3000, 7), Buffer.from("world")];

  it("decodes the same payload however the input is split, down to single bytes", () => {
    const encoded = encode(payload);
    for (const step of [1, 2, 7, 64, 1000, encoded.length]) {
      const sink = collect();
      const d = new AwsChunkedDecoder(sink);
      for (let i = 0; i < encoded.length; i += step) d.push(encoded.subarray(i, i + step));
      d.end();
      expect(Buffer.concat(sink.out).equals(Buffer.concat(payload)), `step ${step}`).to.equal(true);
      expect(d.decodedLength).to.equal(3012);
    }
  });

  it("reports each chunk's size and signature, including the final empty chunk", () => {
    const sink = collect();
    const d = new AwsChunkedDecoder(sink);
    d.push(encode(payload));
    d.end();
    expect(sink.starts.map((s) => s[0])).to.deep.equal([7, 3000, 5, 0]);
    expect(sink.starts[3][1]).to.equal("b".repeat(64));
    expect(sink.ends).to.equal(4);
  });

  it("collects trailer fields by lower-case name", () => {
    const d = new AwsChunkedDecoder(collect());
    d.push(Buffer.from("5\r\nhello\r\n0\r\nX-Amz-Checksum-Crc32:NhCmhg==\r\n\r\n"));
    d.end();
    expect(d.trailers.get("x-amz-checksum-crc32")).to.equal("NhCmhg==");
  });

  it("accepts trailers without the closing blank line at the end of the body", () => {
    const d = new AwsChunkedDecoder(collect());
    d.push(Buffer.from("0\r\nx-amz-checksum-crc32:AAAAAA==\r\n"));
    d.end();
    expect(d.done).to.equal(true);
  });

  const bad: [string, string | Buffer, Record<string, number>?][] = [
    ["a non-hex size", "zz\r\n"],
    ["data not followed by CRLF", "3\r\nabcX\r\n"],
    ["a chunk over the size limit, before reading it", "ffffff\r\n", { maxChunkSize: 1024 }],
    ["a size line over the line limit", "1" + ";x".repeat(3000), { maxLineLength: 4096 }],
    ["trailers over the trailer limit", "0\r\n" + "x-a: b\r\n".repeat(100), { maxTrailerBytes: 256 }],
    ["data after the final chunk", "0\r\n\r\nextra"],
  ];
  for (const [what, input, limits] of bad) {
    it(`refuses ${what} with IncompleteBody`, () => {
      const d = new AwsChunkedDecoder(collect(), limits);
      expect(() => d.push(Buffer.from(input))).to.throw(S3Error).with.property("code", "IncompleteBody");
    });
  }

  it("refuses a body that ends before the final chunk", () => {
    const d = new AwsChunkedDecoder(collect());
    d.push(Buffer.from("5\r\nhel"));
    expect(() => d.end()).to.throw(S3Error, /ended before its final chunk/);
  });
});
