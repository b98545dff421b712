import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startTestServer, type TestServer } from "../../src/testing";
import { StaticFileHandler } from "../../src/web/static";

describe("StaticFileHandler over HTTP (Tornado's answers)", () => {
  let server: TestServer;
  let dir: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-static-wire-"));
    fs.writeFileSync(path.join(dir, "alphabet.txt"), "abcdefghijklmnopqrstuvwxyz");
    for (const name of ["dump.sql.bz2", "logs.xz", "page.html.gz", "archive.tgz", "notes.br", "old.Z"]) {
      fs.writeFileSync(path.join(dir, name), Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    }
    server = await startTestServer([["/files/(.*)", StaticFileHandler, { path: dir }]]);
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("a Range without a dash", () => {
    it("answers 416 with Content-Range bytes */26 for bytes=26 on a 26-byte file", async () => {
      const response = await server.fetch("/files/alphabet.txt", { headers: { Range: "bytes=26" } });
      expect(response.status).to.equal(416);
      expect(response.headers.get("content-range")).to.equal("bytes */26");
      expect(await response.text()).to.equal("");
    });

    it("serves from the start to the end for bytes=20", async () => {
      const response = await server.fetch("/files/alphabet.txt", { headers: { Range: "bytes=20" } });
      expect(response.status).to.equal(206);
      expect(response.headers.get("content-range")).to.equal("bytes 20-25/26");
      expect(await response.text()).to.equal("uvwxyz");
    });
  });

  describe("compressed files", () => {
    for (const name of ["dump.sql.bz2", "logs.xz", "notes.br", "old.Z"]) {
      it(`serves ${name} as application/octet-stream, so a browser does not decompress it`, async () => {
        const response = await server.fetch(`/files/${name}`);
        expect(response.status).to.equal(200);
        expect(response.headers.get("content-type")).to.equal("application/octet-stream");
        expect(response.headers.get("content-encoding")).to.equal(null);
      });
    }

    for (const name of ["page.html.gz", "archive.tgz"]) {
      it(`serves ${name} as application/gzip (RFC 6713, as Tornado does)`, async () => {
        const response = await server.fetch(`/files/${name}`);
        expect(response.headers.get("content-type")).to.equal("application/gzip");
      });
    }
  });
});
