import { expect } from "chai";
import { createHash } from "node:crypto";
import { startTestServer, type TestServer } from "../../src/testing";
import { HTTPError } from "../../src/web/errors";
import { StaticFileHandler } from "../../src/web/static";

const FILES: Record<string, Buffer> = {
  "hello.txt": Buffer.from("hello from memory, not from disk"),
  "big.bin": Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251)),
};
const MODIFIED = new Date(Date.UTC(2020, 0, 2, 3, 4, 5));
const md5 = (b: Buffer): string => createHash("md5").update(b).digest("hex");
const pieceSizes: number[] = [];

/** Serves FILES from memory through Tornado's hooks: nothing here touches the disk. */
class MemoryFiles extends StaticFileHandler {
  override parseUrlPath(urlPath: string): string {
    return urlPath.replace(/^v1\//, ""); // a version prefix the app ignores
  }
  static override getAbsolutePath(_root: string, urlPath: string): string {
    return `memory:${urlPath}`;
  }
  override async validateAbsolutePath(_root: string, absolutePath: string): Promise<string | null> {
    if (FILES[absolutePath.slice("memory:".length)] === undefined) throw new HTTPError(404);
    return absolutePath;
  }
  /** Pieces of at most 7000 bytes, as Tornado's generator get_content yields them. */
  static override *getContent(absolutePath: string, start?: number, end?: number): Iterable<Buffer> {
    const data = FILES[absolutePath.slice("memory:".length)].subarray(start ?? 0, end);
    for (let i = 0; i < data.length; i += 7000) {
      pieceSizes.push(Math.min(7000, data.length - i));
      yield data.subarray(i, i + 7000);
    }
  }
  override async getContentSize(): Promise<number> {
    return FILES[this.absolutePath!.slice("memory:".length)].length;
  }
  override async getModifiedTime(): Promise<Date | null> {
    return MODIFIED;
  }
  override getCacheTime(): number {
    return 60;
  }
  override setExtraHeaders(path: string): void {
    this.setHeader("X-Served-From", `memory:${path}`);
  }
}

describe("StaticFileHandler hooks: a subclass serving from memory", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer([["/mem/(.*)", MemoryFiles, { path: "/nonexistent-root" }]]);
  });
  after(() => server.close());
  beforeEach(() => {
    // Versions (ETags) are computed once per path and cached, as in Tornado: do that first.
    for (const name of Object.keys(FILES)) MemoryFiles.getVersion({ staticPath: "/nonexistent-root" }, name);
    pieceSizes.length = 0;
  });

  it("serves the bytes with the ETag of their md5, Last-Modified, the cache time and extra headers", async () => {
    const response = await server.fetch("/mem/hello.txt");
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal("hello from memory, not from disk");
    expect(response.headers.get("etag")).to.equal(`"${md5(FILES["hello.txt"])}"`);
    expect(response.headers.get("last-modified")).to.equal(MODIFIED.toUTCString());
    expect(response.headers.get("cache-control")).to.equal("max-age=60");
    expect(response.headers.get("content-type")).to.equal("text/plain");
    expect(response.headers.get("x-served-from")).to.equal("memory:hello.txt");
  });

  it("uses parseUrlPath before looking the content up", async () => {
    expect(await (await server.fetch("/mem/v1/hello.txt")).text()).to.equal("hello from memory, not from disk");
  });

  it("answers 404 when validateAbsolutePath says so", async () => {
    expect((await server.fetch("/mem/nothing.txt")).status).to.equal(404);
  });

  it("answers 304 to a matching If-None-Match and to a fresh If-Modified-Since", async () => {
    const etag = `"${md5(FILES["hello.txt"])}"`;
    expect((await server.fetch("/mem/hello.txt", { headers: { "If-None-Match": etag } })).status).to.equal(304);
    expect((await server.fetch("/mem/hello.txt", { headers: { "If-Modified-Since": MODIFIED.toUTCString() } })).status).to.equal(304);
    expect((await server.fetch("/mem/hello.txt", { headers: { "If-None-Match": '"other"' } })).status).to.equal(200);
  });

  it("serves a Range by asking getContent for just that slice", async () => {
    const response = await server.fetch("/mem/big.bin", { headers: { Range: "bytes=10000-29999" } });
    expect(response.status).to.equal(206);
    expect(response.headers.get("content-range")).to.equal("bytes 10000-29999/200000");
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(FILES["big.bin"].subarray(10000, 30000))).to.equal(true);
    expect(pieceSizes).to.deep.equal([7000, 7000, 6000]);
  });

  it("answers 416 for a range past the end, from getContentSize", async () => {
    const response = await server.fetch("/mem/hello.txt", { headers: { Range: "bytes=500-" } });
    expect(response.status).to.equal(416);
    expect(response.headers.get("content-range")).to.equal(`bytes */${FILES["hello.txt"].length}`);
  });

  it("streams a whole large content piece by piece", async () => {
    const response = await server.fetch("/mem/big.bin");
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(FILES["big.bin"])).to.equal(true);
    expect(pieceSizes.length).to.equal(Math.ceil(200_000 / 7000));
  });

  it("answers HEAD with the length and no content read", async () => {
    const response = await server.fetch("/mem/big.bin", { method: "HEAD" });
    expect(response.headers.get("content-length")).to.equal("200000");
    expect(pieceSizes).to.deep.equal([]);
  });

  it("versions static URLs with getContentVersion's default: the md5 of getContent", () => {
    MemoryFiles.resetCache();
    expect(MemoryFiles.makeStaticUrl({ staticPath: "/nonexistent-root" }, "hello.txt")).to.equal(`/static/hello.txt?v=${md5(FILES["hello.txt"])}`);
    expect(MemoryFiles.makeStaticUrl({ staticPath: "/nonexistent-root" }, "nothing.txt")).to.equal("/static/nothing.txt");
  });
});
