import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  cacheHeaders,
  computeRange,
  contentTypeFor,
  hashFile,
  hashFileSync,
  isNotModified,
  resolveStaticPath,
} from "../../src/web/static";

import { staticFixtureRoot } from "../support/static_fixtures";

const ROOT = staticFixtureRoot();
const md5 = (file: string): string => createHash("md5").update(fs.readFileSync(path.join(ROOT, file))).digest("hex");

describe("resolveStaticPath", () => {
  let outside: string;
  let linkedRoot: string;

  before(() => {
    outside = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-outside-"));
    linkedRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-root-"));
    fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
    fs.writeFileSync(path.join(linkedRoot, "inside.txt"), "inside");
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(linkedRoot, "escape.txt"));
    fs.symlinkSync(outside, path.join(linkedRoot, "escape-dir"));
    fs.symlinkSync(path.join(linkedRoot, "inside.txt"), path.join(linkedRoot, "alias.css"));
    fs.symlinkSync(path.join(linkedRoot, "nowhere"), path.join(linkedRoot, "dangling.txt"));
  });

  after(() => {
    fs.rmSync(outside, { recursive: true, force: true });
    fs.rmSync(linkedRoot, { recursive: true, force: true });
  });

  describe("when the file exists inside the root", () => {
    it("returns it with its stat", async () => {
      const resolved = await resolveStaticPath(ROOT, "hello.txt");
      expect(resolved.kind).to.equal("file");
      if (resolved.kind !== "file") return;
      expect(resolved.absolutePath).to.equal(path.join(ROOT, "hello.txt"));
      expect(resolved.stat.size).to.equal(21);
    });
  });

  describe("when the path leaves the root", () => {
    for (const attempt of ["../hello.txt", "../../../../etc/passwd", "docs/../../static.spec.ts", "/etc/passwd"]) {
      it(`forbids ${attempt}`, async () => {
        expect((await resolveStaticPath(ROOT, attempt)).kind).to.equal("forbidden");
      });
    }
  });

  describe("when the path has a backslash", () => {
    it("forbids it", async () => {
      expect((await resolveStaticPath(ROOT, "..\\..\\etc\\passwd")).kind).to.equal("forbidden");
      expect((await resolveStaticPath(ROOT, "docs\\index.html")).kind).to.equal("forbidden");
    });
  });

  describe("when the path has a NUL byte", () => {
    it("treats it as missing", async () => {
      expect((await resolveStaticPath(ROOT, "hello.txt\0.png")).kind).to.equal("missing");
    });
  });

  describe("when the file does not exist", () => {
    it("returns missing", async () => {
      expect((await resolveStaticPath(ROOT, "nope.txt")).kind).to.equal("missing");
    });
  });

  describe("when the path names a directory", () => {
    it("returns directory", async () => {
      expect((await resolveStaticPath(ROOT, "docs")).kind).to.equal("directory");
      expect((await resolveStaticPath(ROOT, "")).kind).to.equal("directory");
    });
  });

  describe("when a symlink points outside the root", () => {
    it("forbids the file and files under a linked directory", async () => {
      expect((await resolveStaticPath(linkedRoot, "escape.txt")).kind).to.equal("forbidden");
      expect((await resolveStaticPath(linkedRoot, "escape-dir/secret.txt")).kind).to.equal("forbidden");
    });
  });

  describe("when a symlink points inside the root", () => {
    it("serves it under the requested name", async () => {
      const resolved = await resolveStaticPath(linkedRoot, "alias.css");
      expect(resolved.kind).to.equal("file");
      if (resolved.kind === "file") expect(resolved.absolutePath).to.equal(path.join(linkedRoot, "alias.css"));
    });
  });

  describe("when a symlink dangles", () => {
    it("returns missing", async () => {
      expect((await resolveStaticPath(linkedRoot, "dangling.txt")).kind).to.equal("missing");
    });
  });

  describe("when the root itself does not exist", () => {
    it("returns missing", async () => {
      expect((await resolveStaticPath(path.join(outside, "no-such-root"), "a.txt")).kind).to.equal("missing");
    });
  });
});

describe("computeRange", () => {
  const size = 20;

  describe("without a Range header", () => {
    it("sends the whole file", () => {
      expect(computeRange(undefined, size)).to.deep.equal({ status: 200, start: 0, end: 20 });
    });
  });

  describe("with one satisfiable range", () => {
    it("returns 206 with an exclusive end and the Content-Range", () => {
      expect(computeRange("bytes=2-5", size)).to.deep.equal({ status: 206, start: 2, end: 6, contentRange: "bytes 2-5/20" });
    });

    it("handles an open end", () => {
      expect(computeRange("bytes=15-", size)).to.deep.equal({ status: 206, start: 15, end: 20, contentRange: "bytes 15-19/20" });
    });

    it("clips an end past the file", () => {
      expect(computeRange("bytes=10-99", size)).to.deep.equal({ status: 206, start: 10, end: 20, contentRange: "bytes 10-19/20" });
    });
  });

  describe("with a suffix range", () => {
    it("counts from the end", () => {
      expect(computeRange("bytes=-5", size)).to.deep.equal({ status: 206, start: 15, end: 20, contentRange: "bytes 15-19/20" });
    });

    it("sends the whole file when the suffix is longer than it", () => {
      expect(computeRange("bytes=-50", size)).to.deep.equal({ status: 200, start: 0, end: 20 });
    });
  });

  describe("with a range covering the whole file", () => {
    it("answers 200", () => {
      expect(computeRange("bytes=0-", size).status).to.equal(200);
      expect(computeRange("bytes=0-19", size).status).to.equal(200);
    });
  });

  describe("with an unsatisfiable range", () => {
    it("answers 416 with bytes */size", () => {
      for (const header of ["bytes=20-", "bytes=25-30", "bytes=-0", "bytes=5-3"]) {
        expect(computeRange(header, size), header).to.deep.equal({ status: 416, contentRange: "bytes */20" });
      }
    });

    it("answers 416 for any range of an empty file", () => {
      expect(computeRange("bytes=0-", 0).status).to.equal(416);
    });
  });

  describe("with garbage, other units or several ranges", () => {
    it("ignores the header", () => {
      for (const header of ["bytes=abc", "items=1-2", "bytes=0-1,3-4", "bytes", "bytes=1-2-3", ""]) {
        expect(computeRange(header, size), header).to.deep.equal({ status: 200, start: 0, end: 20 });
      }
    });
  });
});

describe("isNotModified", () => {
  const etag = '"abc"';
  const modified = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT

  describe("when If-None-Match is present", () => {
    it("decides alone, even against a matching If-Modified-Since", () => {
      const ims = "Sun, 06 Nov 1994 08:49:37 GMT";
      expect(isNotModified({ ifNoneMatch: '"abc"', ifModifiedSince: "Sat, 01 Jan 1990 00:00:00 GMT" }, etag, modified)).to.equal(true);
      expect(isNotModified({ ifNoneMatch: '"zzz"', ifModifiedSince: ims }, etag, modified)).to.equal(false);
    });
  });

  describe("when only If-Modified-Since is present", () => {
    it("is true at or after the modification time", () => {
      expect(isNotModified({ ifModifiedSince: "Sun, 06 Nov 1994 08:49:37 GMT" }, etag, modified)).to.equal(true);
      expect(isNotModified({ ifModifiedSince: "Mon, 07 Nov 1994 00:00:00 GMT" }, etag, modified)).to.equal(true);
    });

    it("is false before it or when unparseable", () => {
      expect(isNotModified({ ifModifiedSince: "Sun, 06 Nov 1994 08:49:36 GMT" }, etag, modified)).to.equal(false);
      expect(isNotModified({ ifModifiedSince: "yesterday-ish" }, etag, modified)).to.equal(false);
    });
  });

  describe("without conditions", () => {
    it("is false", () => {
      expect(isNotModified({}, etag, modified)).to.equal(false);
    });
  });
});

describe("cacheHeaders", () => {
  describe("for a versioned URL", () => {
    it("allows caching for ten years", () => {
      const headers = cacheHeaders(true, new Date(Date.UTC(2020, 0, 1)));
      expect(headers["Cache-Control"]).to.equal("max-age=315360000");
      expect(headers.Expires).to.equal("Sat, 29 Dec 2029 00:00:00 GMT");
    });
  });

  describe("for an unversioned URL", () => {
    it("adds nothing", () => {
      expect(cacheHeaders(false)).to.deep.equal({});
    });
  });
});

describe("contentTypeFor", () => {
  it("uses the mime table without a charset", () => {
    expect(contentTypeFor("a.txt")).to.equal("text/plain");
    expect(contentTypeFor("a.css")).to.equal("text/css");
    expect(contentTypeFor("a.html")).to.equal("text/html");
    expect(contentTypeFor("a.json")).to.equal("application/json");
    expect(contentTypeFor("a.svg")).to.equal("image/svg+xml");
    expect(contentTypeFor("a.png")).to.equal("image/png");
    expect(contentTypeFor("a.tar.gz")).to.equal("application/gzip");
  });

  it("falls back to application/octet-stream", () => {
    expect(contentTypeFor("blob.unknownext")).to.equal("application/octet-stream");
    expect(contentTypeFor("Makefile")).to.equal("application/octet-stream");
  });
});

describe("hashFile", () => {
  it("returns the md5 hex of the content, async and sync", async () => {
    expect(await hashFile(path.join(ROOT, "hello.txt"))).to.equal(md5("hello.txt"));
    expect(hashFileSync(path.join(ROOT, "hello.txt"))).to.equal(md5("hello.txt"));
  });
});

