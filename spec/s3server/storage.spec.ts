import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { S3Error } from "../../src/s3server/errors";
import { Storage, checkBucketName, checkKey } from "../../src/s3server/storage";

function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

describe("s3server Storage", () => {
  let root: string;
  let storage: Storage;

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "tt-s3-storage-"));
    storage = new Storage(root, 2);
    await storage.createBucket("bucket");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  async function put(key: string, body: string): Promise<void> {
    const w = storage.createWriter();
    await w.write(Buffer.from(body));
    await w.close();
    await storage.commit("bucket", key, w.tempPath, { size: body.length, etag: w.digests().md5.toString("hex"), userMeta: {} });
  }

  it("keeps every file of hostile keys inside the root", async () => {
    const keys = ["../../escape", "/etc/passwd", "a/../../../b", "..", "C:\\windows", "x".repeat(1000)];
    for (const k of keys) await put(k, "data");
    for (const file of allFiles(root)) expect(path.relative(root, file).startsWith("..")).to.equal(false);
    expect((await storage.list("bucket")).objects.map((o) => o.key).sort()).to.deep.equal([...keys].sort());
    const meta = await storage.getObject("bucket", "../../escape");
    expect(fs.readFileSync(storage.dataPath("bucket", meta), "utf8")).to.equal("data");
  });

  it("refuses keys with NUL or over 1024 bytes, and bad bucket names", () => {
    expect(() => checkKey("a\0b")).to.throw(S3Error).with.property("code", "InvalidArgument");
    expect(() => checkKey("é".repeat(513))).to.throw(S3Error).with.property("code", "KeyTooLongError");
    for (const name of ["ab", "UPPER", "-dash", "a..b", "192.168.1.1", "../x"]) expect(() => checkBucketName(name), name).to.throw(S3Error);
    checkBucketName("my.bucket-1");
  });

  it("fans objects out into bucketDepth levels of two hex digits", async () => {
    await put("key", "v");
    const files = allFiles(path.join(root, "bucket")).map((f) => path.relative(path.join(root, "bucket"), f)).filter((f) => !f.startsWith("."));
    for (const f of files) expect(f).to.match(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}\./);
  });

  it("never shows an object whose body was discarded, and replaces atomically", async () => {
    const w = storage.createWriter();
    await w.write(Buffer.from("half an upl"));
    await w.discard();
    expect((await storage.list("bucket")).objects).to.have.length(0);
    expect(fs.readdirSync(storage.tempDir)).to.have.length(0);
    await put("k", "one");
    await put("k", "two");
    const meta = await storage.getObject("bucket", "k");
    expect(fs.readFileSync(storage.dataPath("bucket", meta), "utf8")).to.equal("two");
    const dataFiles = allFiles(path.join(root, "bucket")).filter((f) => f.endsWith(".data"));
    expect(dataFiles).to.have.length(1);
  });

  it("reads its index back from disk in a new Storage", async () => {
    await put("persisted/key", "value");
    const again = new Storage(root, 2);
    expect((await again.getObject("bucket", "persisted/key")).size).to.equal(5);
    expect((await again.listBuckets()).map((b) => b.name)).to.deep.equal(["bucket"]);
  });

  it("rolls keys up into common prefixes and resumes after a marker", async () => {
    for (const k of ["p/a", "p/b", "q", "r/s/t"]) await put(k, k);
    const first = await storage.list("bucket", { delimiter: "/", maxKeys: 2 });
    expect([first.commonPrefixes, first.objects.map((o) => o.key), first.isTruncated, first.last]).to.deep.equal([["p/"], ["q"], true, "q"]);
    const rest = await storage.list("bucket", { delimiter: "/", after: first.last });
    expect([rest.commonPrefixes, rest.objects.length, rest.isTruncated]).to.deep.equal([["r/"], 0, false]);
    expect((await storage.list("bucket", { prefix: "p/", after: "p/a" })).objects.map((o) => o.key)).to.deep.equal(["p/b"]);
  });
});
