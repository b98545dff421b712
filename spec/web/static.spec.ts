import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as sinon from "sinon";
import { runHandler, startTestServer, type TestServer } from "../../src/testing";
import { Application } from "../../src/web/application";
import type { RecordedResponse, RecordingConnection } from "../../src/web/recorder";
import { StaticFileHandler } from "../../src/web/static";

import { staticFixtureRoot } from "../support/static_fixtures";

const ROOT = staticFixtureRoot();
const md5 = (file: string): string => createHash("md5").update(fs.readFileSync(path.join(ROOT, file))).digest("hex");

describe("StaticFileHandler.makeStaticUrl", () => {
  let dir: string;

  beforeEach(() => {
    StaticFileHandler.resetCache();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-url-"));
    fs.writeFileSync(path.join(dir, "app.js"), "one");
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    StaticFileHandler.resetCache();
  });

  it("appends ?v= with the md5 of the content", () => {
    const v = createHash("md5").update("one").digest("hex");
    expect(StaticFileHandler.makeStaticUrl({ staticPath: dir }, "app.js")).to.equal(`/static/app.js?v=${v}`);
  });

  it("uses staticUrlPrefix", () => {
    expect(StaticFileHandler.makeStaticUrl({ staticPath: dir, staticUrlPrefix: "/assets/" }, "app.js")).to.match(/^\/assets\/app\.js\?v=/);
  });

  it("leaves the version off when asked", () => {
    expect(StaticFileHandler.makeStaticUrl({ staticPath: dir }, "app.js", false)).to.equal("/static/app.js");
  });

  it("leaves the version off for a missing file or a path outside the root", () => {
    expect(StaticFileHandler.makeStaticUrl({ staticPath: dir }, "missing.js")).to.equal("/static/missing.js");
    expect(StaticFileHandler.makeStaticUrl({ staticPath: dir }, "../x.js")).to.equal("/static/../x.js");
  });

  it("throws a clear error without staticPath", () => {
    expect(() => StaticFileHandler.makeStaticUrl({}, "app.js")).to.throw(/staticPath/);
  });

  describe("with the hash cache on (the default)", () => {
    it("keeps the first hash until resetCache", () => {
      const first = StaticFileHandler.makeStaticUrl({ staticPath: dir }, "app.js");
      fs.writeFileSync(path.join(dir, "app.js"), "two");
      expect(StaticFileHandler.makeStaticUrl({ staticPath: dir }, "app.js")).to.equal(first);
      StaticFileHandler.resetCache();
      expect(StaticFileHandler.makeStaticUrl({ staticPath: dir }, "app.js")).to.not.equal(first);
    });
  });

  describe("with staticHashCache false or debug", () => {
    it("re-hashes on every call", () => {
      for (const settings of [{ staticPath: dir, staticHashCache: false }, { staticPath: dir, debug: true }]) {
        fs.writeFileSync(path.join(dir, "app.js"), "one");
        const first = StaticFileHandler.makeStaticUrl(settings, "app.js");
        fs.writeFileSync(path.join(dir, "app.js"), "two");
        expect(StaticFileHandler.makeStaticUrl(settings, "app.js")).to.not.equal(first);
      }
    });
  });
});

describe("StaticFileHandler", () => {
  const app = new Application([], { staticPath: ROOT });
  const get = (uri: string, headers: Record<string, string> = {}, method = "GET"): Promise<RecordedResponse> =>
    app.inject({ method, uri, headers });

  beforeEach(() => StaticFileHandler.resetCache());

  describe("when GET asks for an existing file", () => {
    it("sends it with its type, length, ETag and Last-Modified", async () => {
      const res = await get("/static/hello.txt");
      const stat = fs.statSync(path.join(ROOT, "hello.txt"));
      expect(res.status).to.equal(200);
      expect(res.body).to.equal("Hello, static world!\n");
      expect(res.headers.get("Content-Type")).to.equal("text/plain");
      expect(res.headers.get("Content-Length")).to.equal("21");
      expect(res.headers.get("Etag")).to.equal(`"${md5("hello.txt")}"`);
      expect(res.headers.get("Last-Modified")).to.equal(new Date(Math.floor(stat.mtimeMs / 1000) * 1000).toUTCString());
      expect(res.headers.get("Accept-Ranges")).to.equal("bytes");
      expect(res.headers.has("Cache-Control")).to.equal(false);
    });

    it("serves /robots.txt from the static root", async () => {
      const res = await get("/robots.txt");
      expect(res.status).to.equal(200);
      expect(res.body).to.match(/^User-agent/);
    });
  });

  describe("when the URL carries a v argument", () => {
    it("lets the response be cached for ten years", async () => {
      const res = await get(`/static/hello.txt?v=${md5("hello.txt")}`);
      expect(res.headers.get("Cache-Control")).to.equal("max-age=315360000");
      const expires = Date.parse(res.headers.get("Expires") ?? "");
      expect(expires - Date.now()).to.be.within(315360000 * 1000 - 60000, 315360000 * 1000 + 1000);
    });
  });

  describe("content types", () => {
    const cases: [string, string][] = [
      ["style.css", "text/css"],
      ["app.js", "text/javascript"],
      ["data.json", "application/json"],
      ["logo.svg", "image/svg+xml"],
      ["docs/index.html", "text/html"],
      ["blob.unknownext", "application/octet-stream"],
    ];
    for (const [file, type] of cases) {
      it(`sends ${file} as ${type}`, async () => {
        expect((await get(`/static/${file}`)).headers.get("Content-Type")).to.equal(type);
      });
    }
  });

  describe("conditional requests", () => {
    it("answers 304 without a body when If-None-Match matches", async () => {
      const res = await get("/static/hello.txt", { "If-None-Match": `"${md5("hello.txt")}"` });
      expect(res.status).to.equal(304);
      expect(res.body).to.equal("");
      expect(res.headers.has("Content-Length")).to.equal(false);
    });

    it("answers 304 when If-Modified-Since is not before the modification", async () => {
      const res = await get("/static/hello.txt", { "If-Modified-Since": new Date(Date.now() + 1000).toUTCString() });
      expect(res.status).to.equal(304);
    });

    it("answers 200 when If-Modified-Since is older", async () => {
      const res = await get("/static/hello.txt", { "If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT" });
      expect(res.status).to.equal(200);
    });

    it("lets a mismatching If-None-Match win over a fresh If-Modified-Since", async () => {
      const res = await get("/static/hello.txt", {
        "If-None-Match": '"other"',
        "If-Modified-Since": new Date(Date.now() + 1000).toUTCString(),
      });
      expect(res.status).to.equal(200);
      expect(res.body).to.equal("Hello, static world!\n");
    });
  });

  describe("byte ranges", () => {
    it("answers 206 with the slice and Content-Range", async () => {
      const res = await get("/static/range.txt", { Range: "bytes=2-5" });
      expect(res.status).to.equal(206);
      expect(res.body).to.equal("2345");
      expect(res.headers.get("Content-Range")).to.equal("bytes 2-5/20");
      expect(res.headers.get("Content-Length")).to.equal("4");
    });

    it("serves a suffix range from the end", async () => {
      const res = await get("/static/range.txt", { Range: "bytes=-3" });
      expect(res.status).to.equal(206);
      expect(res.body).to.equal("hij");
      expect(res.headers.get("Content-Range")).to.equal("bytes 17-19/20");
    });

    it("answers 416 with bytes */size for a start past the end", async () => {
      const res = await get("/static/range.txt", { Range: "bytes=30-" });
      expect(res.status).to.equal(416);
      expect(res.headers.get("Content-Range")).to.equal("bytes */20");
      expect(res.body).to.equal("");
    });

    it("ignores garbage and multiple ranges", async () => {
      for (const range of ["bytes=x-y", "bytes=0-1,4-5", "lines=1-2"]) {
        const res = await get("/static/range.txt", { Range: range });
        expect(res.status, range).to.equal(200);
        expect(res.body).to.equal("0123456789abcdefghij");
      }
    });
  });

  describe("when HEAD asks for a file", () => {
    it("sends the headers with Content-Length and no body", async () => {
      const res = await get("/static/hello.txt", {}, "HEAD");
      expect(res.status).to.equal(200);
      expect(res.headers.get("Content-Length")).to.equal("21");
      expect(res.headers.get("Etag")).to.equal(`"${md5("hello.txt")}"`);
      expect(res.bodyBuffer.length).to.equal(0);
    });
  });

  describe("when the path tries to leave the root", () => {
    const forbidden = [
      "/static/../spec/web/static.spec.ts",
      "/static/%2e%2e/%2e%2e/package.json",
      "/static/..%2f..%2fpackage.json",
      "/static/..%5c..%5cpackage.json",
      "/static/docs%5cindex.html",
      "/static//etc/passwd",
      "/static/%2fetc%2fpasswd",
    ];
    for (const uri of forbidden) {
      it(`answers 403 to ${uri}`, async () => {
        expect((await get(uri)).status).to.equal(403);
      });
    }

    it("answers 404 to a NUL byte or a missing file", async () => {
      expect((await get("/static/hello.txt%00.png")).status).to.equal(404);
      expect((await get("/static/missing.txt")).status).to.equal(404);
    });
  });

  describe("when a symlink points out of the root", () => {
    let outside: string;
    let root: string;

    before(() => {
      outside = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-out-"));
      root = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-in-"));
      fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
      fs.symlinkSync(path.join(outside, "secret.txt"), path.join(root, "secret.txt"));
    });

    after(() => {
      fs.rmSync(outside, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    });

    it("answers 403 and never sends the target", async () => {
      const res = await new Application([], { staticPath: root }).inject({ uri: "/static/secret.txt" });
      expect(res.status).to.equal(403);
      expect(res.body).to.not.contain("secret");
    });
  });

  describe("when the path names a directory", () => {
    const withIndex = new Application([
      ["/files/(.*)", StaticFileHandler, { path: ROOT, defaultFilename: "index.html" }],
      ["/+(.*)", StaticFileHandler, { path: ROOT, defaultFilename: "index.html" }],
    ]);

    it("answers 403 without a defaultFilename", async () => {
      expect((await get("/static/docs")).status).to.equal(403);
      expect((await get("/static/")).status).to.equal(403);
    });

    it("redirects permanently to the slash URL with a defaultFilename", async () => {
      const res = await withIndex.inject({ uri: "/files/docs" });
      expect(res.status).to.equal(301);
      expect(res.redirectedTo).to.equal("/files/docs/");
    });

    it("serves the default file at the slash URL", async () => {
      const res = await withIndex.inject({ uri: "/files/docs/" });
      expect(res.status).to.equal(200);
      expect(res.body).to.contain("docs index");
      expect(res.headers.get("Content-Type")).to.equal("text/html");
    });

    it("answers 404 when the directory has no default file", async () => {
      expect((await withIndex.inject({ uri: "/files/noindex/" })).status).to.equal(404);
    });

    it("refuses to redirect a path starting with // (an open redirect)", async () => {
      const res = await withIndex.inject({ uri: "//docs" });
      expect(res.status).to.equal(403);
      expect(res.headers.has("Location")).to.equal(false);
    });
  });

  describe("when the file is large", () => {
    let dir: string;
    const size = 5 * 1024 * 1024 + 123;

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-big-"));
      const fd = fs.openSync(path.join(dir, "big.bin"), "w");
      fs.ftruncateSync(fd, size); // sparse: no disk blocks behind the zeros
      fs.writeSync(fd, Buffer.from("END"), 0, 3, size - 3);
      fs.closeSync(fd);
    });

    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("streams it in chunks of at most 64 KiB, flushing after each", async () => {
      const calls: string[] = [];
      let largest = 0;
      const res = await runHandler(StaticFileHandler, {
        uri: "/big.bin",
        init: { path: dir },
        pathArgs: ["big.bin"],
        beforeRun: (handler) => {
          const write = handler.write.bind(handler);
          const flush = handler.flush.bind(handler);
          sinon.stub(handler, "write").callsFake((chunk) => {
            largest = Math.max(largest, (chunk as Buffer).length);
            calls.push("write");
            write(chunk);
          });
          sinon.stub(handler, "flush").callsFake(() => {
            calls.push("flush");
            return flush();
          });
        },
      });
      expect(res.status).to.equal(200);
      expect(res.bodyBuffer.length).to.equal(size);
      expect(res.bodyBuffer.subarray(size - 3).toString()).to.equal("END");
      expect(largest).to.equal(64 * 1024);
      const chunks = Math.ceil(size / (64 * 1024));
      expect(calls).to.deep.equal(Array.from({ length: chunks }, () => ["write", "flush"]).flat());
    });

    it("stops reading when the client goes away", async () => {
      let writes = 0;
      const res = await runHandler(StaticFileHandler, {
        uri: "/big.bin",
        init: { path: dir },
        pathArgs: ["big.bin"],
        beforeRun: (handler) => {
          const write = handler.write.bind(handler);
          sinon.stub(handler, "write").callsFake((chunk) => {
            writes++;
            write(chunk);
            if (writes === 3) (handler.request.connection as RecordingConnection).clientClose();
          });
        },
      });
      expect(writes).to.equal(3);
      expect(res.bodyBuffer.length).to.be.at.most(3 * 64 * 1024);
    });
  });

  describe("over a real socket", () => {
    let server: TestServer;
    let dir: string;
    const size = 20 * 1024 * 1024;

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-wire-"));
      const fd = fs.openSync(path.join(dir, "big.bin"), "w");
      fs.ftruncateSync(fd, size);
      fs.closeSync(fd);
      fs.writeFileSync(path.join(dir, "page.html"), "<p>tornado</p>\n".repeat(200));
      server = await startTestServer([], { settings: { staticPath: dir, compressResponse: true } });
    });

    after(async () => {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("streams a 20 MB sparse file with the right length", async () => {
      const res = await server.fetch("/static/big.bin");
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-length")).to.equal(String(size));
      expect((await res.arrayBuffer()).byteLength).to.equal(size);
    });

    it("answers HEAD with Content-Length and no body", async () => {
      const res = await server.fetch("/static/big.bin", { method: "HEAD" });
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-length")).to.equal(String(size));
      expect((await res.arrayBuffer()).byteLength).to.equal(0);
    });

    it("gzips a text file for a client that accepts gzip", async () => {
      const res = await server.fetch("/static/page.html", { headers: { "Accept-Encoding": "gzip" } });
      expect(res.headers.get("content-encoding")).to.equal("gzip");
      expect(res.headers.get("vary")).to.equal("Accept-Encoding");
      expect(await res.text()).to.equal("<p>tornado</p>\n".repeat(200));
    });

    it("answers a traversal in the raw request line with 403", async () => {
      const reply = await rawRequest(server.port, "GET /static/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      expect(reply).to.match(/^HTTP\/1\.1 403 /);
      expect(reply).to.not.contain("root:");
    });
  });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", reject);
  });
}
