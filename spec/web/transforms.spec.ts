import { expect } from "chai";
import { randomBytes } from "node:crypto";
import * as zlib from "node:zlib";
import { HTTPHeaders, HTTPServerRequest } from "../../src/httputil";
import { acceptsGzip, GZipContentEncoding, isCompressibleType, tableCrc32 } from "../../src/web/transforms";

const TEXT = Buffer.from("tornado ".repeat(256)); // 2048 bytes, very compressible

function transformFor(acceptEncoding?: string): GZipContentEncoding {
  const headers = new HTTPHeaders();
  if (acceptEncoding !== undefined) headers.set("Accept-Encoding", acceptEncoding);
  return new GZipContentEncoding(new HTTPServerRequest({ headers }));
}

function responseHeaders(contentType: string, extra: Record<string, string> = {}): HTTPHeaders {
  return new HTTPHeaders({ "Content-Type": contentType, ...extra });
}

describe("acceptsGzip", () => {
  it("accepts gzip and x-gzip with or without q", () => {
    expect(acceptsGzip("gzip")).to.equal(true);
    expect(acceptsGzip("deflate, gzip;q=0.5")).to.equal(true);
    expect(acceptsGzip("x-gzip")).to.equal(true);
  });

  it("refuses a missing header, other codings and q=0", () => {
    expect(acceptsGzip(undefined)).to.equal(false);
    expect(acceptsGzip("br, deflate")).to.equal(false);
    expect(acceptsGzip("gzip;q=0")).to.equal(false);
  });
});

describe("isCompressibleType", () => {
  it("accepts text/* and Tornado's listed types, with parameters", () => {
    for (const type of ["text/html; charset=UTF-8", "text/css", "application/json", "application/javascript",
      "application/xml", "image/svg+xml", "application/xhtml+xml"]) {
      expect(isCompressibleType(type), type).to.equal(true);
    }
  });

  it("refuses binary types and a missing type", () => {
    for (const type of ["image/png", "application/octet-stream", "application/zip", undefined]) {
      expect(isCompressibleType(type), String(type)).to.equal(false);
    }
  });
});

describe("GZipContentEncoding", () => {
  describe("when the client accepts gzip and the whole text body is at least 1024 bytes", () => {
    it("compresses it, sets Content-Encoding and the new Content-Length", () => {
      const headers = responseHeaders("text/html; charset=UTF-8", { "Content-Length": String(TEXT.length) });
      const [status, body] = transformFor("gzip, deflate").transformFirstChunk(200, headers, TEXT, true);
      expect(status).to.equal(200);
      expect(headers.get("Content-Encoding")).to.equal("gzip");
      expect(headers.get("Content-Length")).to.equal(String(body.length));
      expect(body.length).to.be.lessThan(TEXT.length);
      expect(zlib.gunzipSync(body)).to.deep.equal(TEXT);
    });

    it("adds Vary: Accept-Encoding", () => {
      const headers = responseHeaders("application/json");
      transformFor("gzip").transformFirstChunk(200, headers, TEXT, true);
      expect(headers.get("Vary")).to.equal("Accept-Encoding");
    });
  });

  describe("when the client does not accept gzip", () => {
    it("leaves the body alone but still adds Vary", () => {
      const headers = responseHeaders("text/plain");
      const [, body] = transformFor(undefined).transformFirstChunk(200, headers, TEXT, true);
      expect(body).to.equal(TEXT);
      expect(headers.has("Content-Encoding")).to.equal(false);
      expect(headers.get("Vary")).to.equal("Accept-Encoding");
    });
  });

  describe("when the type is not compressible", () => {
    it("leaves the body alone and adds Vary", () => {
      const headers = responseHeaders("image/png");
      const [, body] = transformFor("gzip").transformFirstChunk(200, headers, TEXT, true);
      expect(body).to.equal(TEXT);
      expect(headers.has("Content-Encoding")).to.equal(false);
      expect(headers.get("Vary")).to.equal("Accept-Encoding");
    });
  });

  describe("when the complete body is under 1024 bytes", () => {
    it("leaves it alone", () => {
      const small = TEXT.subarray(0, 1023);
      const headers = responseHeaders("text/plain");
      const [, body] = transformFor("gzip").transformFirstChunk(200, headers, small, true);
      expect(body).to.equal(small);
      expect(headers.has("Content-Encoding")).to.equal(false);
    });

    it("compresses it at exactly 1024 bytes", () => {
      const headers = responseHeaders("text/plain");
      transformFor("gzip").transformFirstChunk(200, headers, TEXT.subarray(0, 1024), true);
      expect(headers.get("Content-Encoding")).to.equal("gzip");
    });
  });

  describe("when the response already has a Content-Encoding", () => {
    it("leaves it alone", () => {
      const headers = responseHeaders("text/plain", { "Content-Encoding": "br" });
      const [, body] = transformFor("gzip").transformFirstChunk(200, headers, TEXT, true);
      expect(body).to.equal(TEXT);
      expect(headers.get("Content-Encoding")).to.equal("br");
    });
  });

  describe("when the status is 204, 304 or 1xx", () => {
    it("leaves the response alone", () => {
      for (const code of [101, 204, 304]) {
        const headers = responseHeaders("text/plain");
        const [status, body] = transformFor("gzip").transformFirstChunk(code, headers, TEXT, true);
        expect(status).to.equal(code);
        expect(body, String(code)).to.equal(TEXT);
        expect(headers.has("Content-Encoding")).to.equal(false);
      }
    });
  });

  describe("when Vary already lists other headers", () => {
    it("appends Accept-Encoding once", () => {
      const headers = responseHeaders("text/plain", { Vary: "Cookie" });
      transformFor("gzip").transformFirstChunk(200, headers, TEXT, true);
      expect(headers.get("Vary")).to.equal("Cookie, Accept-Encoding");
      const again = responseHeaders("text/plain", { Vary: "Cookie, accept-encoding" });
      transformFor("gzip").transformFirstChunk(200, again, TEXT, true);
      expect(again.get("Vary")).to.equal("Cookie, accept-encoding");
    });
  });

  describe("when the body is streamed in several chunks", () => {
    it("compresses even a small first chunk and drops Content-Length", () => {
      const headers = responseHeaders("text/plain", { "Content-Length": "99999" });
      const [, first] = transformFor("gzip").transformFirstChunk(200, headers, Buffer.from("hi"), false);
      expect(headers.get("Content-Encoding")).to.equal("gzip");
      expect(headers.has("Content-Length")).to.equal(false);
      expect(first.subarray(0, 2)).to.deep.equal(Buffer.from([0x1f, 0x8b]));
    });

    it("produces one gzip stream whose flushed prefix decodes at once", () => {
      const transform = transformFor("gzip");
      const headers = responseHeaders("text/plain");
      const chunks = [TEXT, randomBytes(40000), TEXT, Buffer.from("end")];
      const out: Buffer[] = [transform.transformFirstChunk(200, headers, chunks[0], false)[1]];
      const partial = zlib.gunzipSync(out[0], { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      expect(partial).to.deep.equal(chunks[0]);
      out.push(transform.transformChunk(chunks[1], false), transform.transformChunk(chunks[2], false));
      out.push(transform.transformChunk(chunks[3], true));
      expect(zlib.gunzipSync(Buffer.concat(out))).to.deep.equal(Buffer.concat(chunks));
    });

    it("ends a stream whose last chunk is empty with a valid trailer", () => {
      const transform = transformFor("gzip");
      const first = transform.transformFirstChunk(200, responseHeaders("text/plain"), TEXT, false)[1];
      const last = transform.transformChunk(Buffer.alloc(0), true);
      expect(zlib.gunzipSync(Buffer.concat([first, last]))).to.deep.equal(TEXT);
    });

    it("reuses earlier chunks as history so repeated text stays small", () => {
      const transform = transformFor("gzip");
      transform.transformFirstChunk(200, responseHeaders("text/plain"), TEXT, false);
      const second = transform.transformChunk(TEXT, false);
      expect(second.length).to.be.lessThan(40);
    });

    it("passes later chunks through when it is not compressing", () => {
      const transform = transformFor("gzip");
      transform.transformFirstChunk(200, responseHeaders("image/png"), TEXT, false);
      expect(transform.transformChunk(TEXT, true)).to.equal(TEXT);
    });
  });
});

describe("tableCrc32", () => {
  it("matches zlib's CRC-32, including when continued", () => {
    const data = randomBytes(5000);
    expect(tableCrc32(data, 0)).to.equal(zlib.crc32(data));
    expect(tableCrc32(data.subarray(1000), tableCrc32(data.subarray(0, 1000), 0))).to.equal(zlib.crc32(data));
    expect(tableCrc32(Buffer.from("123456789"), 0)).to.equal(0xcbf43926);
  });
});
