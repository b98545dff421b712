import { expect } from "chai";
import {
  formatContentRange,
  formatTimestamp,
  HTTPHeaders,
  HTTPInputError,
  HTTPServerRequest,
  parseBodyArguments,
  parseContentRange,
  parseCookie,
  parseHeaderParams,
  parseMultipartFormData,
  parseQueryString,
  parseRequestRange,
  parseResponseStartLine,
  responses,
  splitHostAndPort,
  urlConcat,
} from "../src/httputil";
import type { ArgumentMap, HTTPFile } from "../src/httputil";

function multipart(boundary: string, parts: string[]): Buffer {
  return Buffer.from(parts.map((p) => "--" + boundary + "\r\n" + p + "\r\n").join("") + "--" + boundary + "--\r\n", "utf8");
}

function empty(): [ArgumentMap, Record<string, HTTPFile[]>] {
  return [Object.create(null), Object.create(null)];
}

describe("HTTPHeaders", () => {
  it("counts the values of a name case-insensitively", () => {
    const h = new HTTPHeaders();
    h.add("Host", "a");
    h.add("X-A", "1");
    h.add("host", "b");
    expect(h.count("HOST")).to.equal(2);
    expect(h.count("x-a")).to.equal(1);
    expect(h.count("Missing")).to.equal(0);
  });

  it("is case-insensitive and keeps every value in wire order", () => {
    const h = new HTTPHeaders();
    h.add("Set-Cookie", "a=1");
    h.add("X-Other", "x");
    h.add("set-cookie", "b=2");
    expect(h.get("SET-COOKIE")).to.equal("a=1,b=2");
    expect(h.getList("Set-Cookie")).to.deep.equal(["a=1", "b=2"]);
    expect([...h].map(([k]) => k)).to.deep.equal(["Set-Cookie", "X-Other", "set-cookie"]);
    h.set("Set-Cookie", "c=3");
    expect(h.getList("set-cookie")).to.deep.equal(["c=3"]);
  });

  describe(".parse", () => {
    it("reads CRLF and bare LF lines", () => {
      const h = HTTPHeaders.parse("Content-Type: text/html\r\nX-A:  1 \nX-A: 2\r\n");
      expect(h.get("content-type")).to.equal("text/html");
      expect(h.getList("x-a")).to.deep.equal(["1", "2"]);
    });

    it("replaces obsolete line folding with one space", () => {
      const h = HTTPHeaders.parse("X-Long: first\r\n   second\r\n\tthird\r\nX-Next: n\r\n");
      expect(h.get("X-Long")).to.equal("first second third");
      expect(h.get("X-Next")).to.equal("n");
    });

    it("keeps obs-text bytes and an empty value", () => {
      const h = HTTPHeaders.parse("X-Name: caf\xe9\r\nX-Empty:\r\n");
      expect(h.get("x-name")).to.equal("caf\xe9");
      expect(h.get("x-empty")).to.equal("");
    });

    it("reads common names in either case, each found by any spelling", () => {
      const h = HTTPHeaders.parse("host: a\r\nUser-Agent: ua\r\nACCEPT: x\r\nHosts: b\r\nAccept:\ty \r\n");
      expect([...h]).to.deep.equal([["host", "a"], ["User-Agent", "ua"], ["ACCEPT", "x"], ["Hosts", "b"], ["Accept", "y"]]);
      expect(h.get("HOST")).to.equal("a");
      expect(h.get("user-agent")).to.equal("ua");
      expect(h.getList("Accept")).to.deep.equal(["x", "y"]);
      expect(h.toJSON()).to.deep.equal({ host: "a", "user-agent": "ua", accept: "x,y", hosts: "b" });
    });

    for (const [what, text] of [
      ["a continuation first", " folded: x\r\n"],
      ["a missing colon", "NoColon\r\n"],
      ["space before the colon", "Name : v\r\n"],
      ["a separator in the name", "Na/me: v\r\n"],
      ["a NUL in the value", "Name: a\x00b\r\n"],
      ["a bare CR in the value", "Name: a\rb\r\n"],
      ["a control character in a continuation", "Name: a\r\n b\x01\r\n"],
      ["a control character in the value of a common name", "Host: a\x01b\r\n"],
      ["a DEL in the value of a common name", "user-agent: a\x7f\r\n"],
      ["a CR before the CR ending the line", "Accept: a\r\r\n"],
    ]) {
      it(`throws HTTPInputError for ${what}`, () => {
        expect(() => HTTPHeaders.parse(text)).to.throw(HTTPInputError);
      });
    }
  });

  describe("#formatLines", () => {
    it("writes each header as a wire line", () => {
      expect(new HTTPHeaders([["A", "1"], ["B", "2"]]).formatLines()).to.equal("A: 1\r\nB: 2\r\n");
    });

    it("refuses values that would split the response", () => {
      expect(() => new HTTPHeaders({ A: "x\r\nB: y" }).formatLines()).to.throw(/invalid character/);
      expect(() => new HTTPHeaders({ A: "\u20ac" }).formatLines()).to.throw(/invalid character/);
      expect(() => new HTTPHeaders({ "A B": "x" }).formatLines()).to.throw(/header name/);
    });
  });
});

describe("HTTPServerRequest", () => {
  it("splits path and query and keeps blank arguments", () => {
    const req = new HTTPServerRequest({ uri: "/p?a=1&b=&a=2&c", headers: new HTTPHeaders({ Host: "Example.com:8080" }) });
    expect(req.path).to.equal("/p");
    expect(req.queryArguments).to.deep.equal({ a: ["1", "2"], b: [""], c: [""] });
    expect(req.hostName).to.equal("example.com");
    expect(req.fullUrl()).to.equal("http://Example.com:8080/p?a=1&b=&a=2&c");
  });

  it("merges query and urlencoded body arguments", () => {
    const req = new HTTPServerRequest({
      method: "POST",
      uri: "/?a=q",
      headers: new HTTPHeaders({ "Content-Type": "application/x-www-form-urlencoded" }),
      body: Buffer.from("a=b&x=%E2%82%AC+1"),
    });
    expect(req.arguments).to.deep.equal({ a: ["q", "b"], x: ["\u20ac 1"] });
  });

  it("parses multipart files lazily", () => {
    const body = multipart("bnd", ['Content-Disposition: form-data; name="up"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nfile data']);
    const req = new HTTPServerRequest({ method: "POST", headers: new HTTPHeaders({ "Content-Type": "multipart/form-data; boundary=bnd" }), body });
    expect(req.files.up[0]).to.deep.include({ filename: "a.txt", contentType: "text/plain" });
    expect(req.files.up[0].body.toString()).to.equal("file data");
  });

  it("reads cookies", () => {
    const req = new HTTPServerRequest({ headers: new HTTPHeaders({ Cookie: 'a=1; b="two"' }) });
    expect(req.cookies).to.deep.equal({ a: "1", b: "two" });
  });
});

describe("parseMultipartFormData", () => {
  it("puts fields into arguments and uploads into files", () => {
    const [args, files] = empty();
    const body = multipart("xYz", [
      'Content-Disposition: form-data; name="title"\r\n\r\nhello \u00fcber',
      'Content-Disposition: form-data; name="doc"; filename="r\u00e9sum\u00e9.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--not the end',
      'Content-Disposition: form-data; name="blank"\r\n\r\n',
    ]);
    parseMultipartFormData("xYz", body, args, files);
    expect(args).to.deep.equal({ title: ["hello \u00fcber"], blank: [""] });
    expect(files.doc[0].filename).to.equal("r\u00e9sum\u00e9.pdf");
    expect(files.doc[0].body.toString()).to.equal("%PDF\r\n--not the end");
  });

  it("decodes an RFC 8187 filename* over the plain one", () => {
    const [args, files] = empty();
    const body = multipart("b", ["Content-Disposition: form-data; name=\"f\"; filename=\"x\"; filename*=UTF-8''%E2%82%AC.txt\r\n\r\nz"]);
    parseMultipartFormData("b", body, args, files);
    expect(files.f[0].filename).to.equal("\u20ac.txt");
    expect(files.f[0].contentType).to.equal("application/unknown");
  });

  it("throws past maxParts", () => {
    const [args, files] = empty();
    const body = multipart("b", Array.from({ length: 5 }, (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\nv`));
    expect(() => parseMultipartFormData("b", body, args, files, { maxParts: 4 })).to.throw(HTTPInputError, /too many/);
  });

  it("throws when a part's headers pass maxPartHeaderSize", () => {
    const [args, files] = empty();
    const body = multipart("b", ['Content-Disposition: form-data; name="f"\r\nX-Pad: ' + "p".repeat(200) + "\r\n\r\nv"]);
    expect(() => parseMultipartFormData("b", body, args, files, { maxPartHeaderSize: 100 })).to.throw(HTTPInputError, /too large/);
  });

  for (const [what, body] of [
    ["no boundary at all", "just text"],
    ["no terminating boundary", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv"],
    ["a part without Content-Disposition", "--b\r\nX: y\r\n\r\nv\r\n--b--\r\n"],
    ["a part that is not form-data", "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--\r\n"],
    ["a part without a name", "--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--\r\n"],
  ]) {
    it(`throws HTTPInputError for ${what}`, () => {
      const [args, files] = empty();
      expect(() => parseMultipartFormData("b", Buffer.from(body), args, files)).to.throw(HTTPInputError);
    });
  }
});

describe("parseBodyArguments", () => {
  it("finds a quoted multipart boundary", () => {
    const [args, files] = empty();
    parseBodyArguments('multipart/form-data; boundary="q q"', multipart("q q", ['Content-Disposition: form-data; name="a"\r\n\r\n1']), args, files);
    expect(args.a).to.deep.equal(["1"]);
  });

  it("ignores bodies of other types", () => {
    const [args, files] = empty();
    parseBodyArguments("application/json", Buffer.from('{"a":1}'), args, files);
    expect(Object.keys(args)).to.deep.equal([]);
  });
});

describe("parseHeaderParams", () => {
  it("splits a value and its parameters, honouring quotes and escapes", () => {
    expect(parseHeaderParams('form-data; name="a;b"; filename="q\\"x"; size=3')).to.deep.equal(["form-data", { name: "a;b", filename: 'q"x', size: "3" }]);
  });
});

describe("formatTimestamp", () => {
  it("formats seconds and dates as IMF-fixdate", () => {
    expect(formatTimestamp(784111777)).to.equal("Sun, 06 Nov 1994 08:49:37 GMT");
    expect(formatTimestamp(new Date(Date.UTC(2000, 0, 2, 3, 4, 5)))).to.equal("Sun, 02 Jan 2000 03:04:05 GMT");
  });

  it("throws on an invalid date", () => {
    expect(() => formatTimestamp(new Date("nope"))).to.throw(TypeError);
  });
});

describe("urlConcat", () => {
  it("appends to a URL without a query", () => {
    expect(urlConcat("http://x.com/a", { b: "1", c: "d e" })).to.equal("http://x.com/a?b=1&c=d+e");
  });

  it("appends to an existing query and keeps the fragment", () => {
    expect(urlConcat("/a?x=1#frag", [["y", "2"], ["y", "3"]])).to.equal("/a?x=1&y=2&y=3#frag");
  });

  it("does not double a trailing separator", () => {
    expect(urlConcat("/a?", { b: "1" })).to.equal("/a?b=1");
    expect(urlConcat("/a?x=1&", { b: "1" })).to.equal("/a?x=1&b=1");
  });

  it("expands lists, skips null and leaves the URL alone without arguments", () => {
    expect(urlConcat("/a", { l: ["1", "2"], n: null })).to.equal("/a?l=1&l=2");
    expect(urlConcat("/a", null)).to.equal("/a");
  });
});

describe("parseRequestRange", () => {
  const cases: [string, [number | undefined, number | undefined] | null][] = [
    ["bytes=1-2", [1, 3]],
    ["bytes=6-", [6, undefined]],
    ["bytes=-6", [-6, undefined]],
    ["bytes=-0", [undefined, 0]],
    ["bytes=0-0", [0, 1]],
    ["bytes=", [undefined, undefined]],
    ["foo=42", null],
    ["bytes=1-2,6-10", null],
    ["bytes=a-2", null],
    ["bytes=1", [1, undefined]], // Tornado: no dash is a start with no end
  ];
  for (const [header, expected] of cases) {
    it(`reads ${JSON.stringify(header)} as ${JSON.stringify(expected)}`, () => {
      expect(parseRequestRange(header)).to.deep.equal(expected);
    });
  }
});

describe("Content-Range helpers", () => {
  it("formats an exclusive range", () => {
    expect(formatContentRange(0, 10, 20)).to.equal("bytes 0-9/20");
    expect(formatContentRange(undefined, undefined, 5)).to.equal("bytes 0-4/5");
  });

  it("parses a range, refusing impossible ones", () => {
    expect(parseContentRange("bytes 0-9/20")).to.deep.equal({ start: 0, end: 10, total: 20 });
    expect(parseContentRange("bytes 0-9/*")).to.deep.equal({ start: 0, end: 10, total: undefined });
    expect(parseContentRange("bytes 5-1/20")).to.equal(null);
    expect(parseContentRange("bytes 0-20/20")).to.equal(null);
  });
});

describe("responses", () => {
  it("has the standard reason phrases", () => {
    expect(responses[200]).to.equal("OK");
    expect(responses[404]).to.equal("Not Found");
    expect(responses[431]).to.equal("Request Header Fields Too Large");
  });
});

describe("parseResponseStartLine", () => {
  it("splits version, code and reason", () => {
    expect(parseResponseStartLine("HTTP/1.1 404 Not Found\r\n")).to.deep.equal({ version: "HTTP/1.1", code: 404, reason: "Not Found" });
  });

  it("throws on garbage", () => {
    expect(() => parseResponseStartLine("HTTP/1.1 OK")).to.throw(HTTPInputError);
  });
});

describe("splitHostAndPort and parseQueryString and parseCookie", () => {
  it("handle IPv6 hosts, bad escapes and skipped cookie pairs", () => {
    expect(splitHostAndPort("[::1]:8080")).to.deep.equal(["[::1]", 8080]);
    expect(parseQueryString("a=%ZZ&b=%41")).to.deep.equal({ a: ["%ZZ"], b: ["A"] });
    expect(parseCookie("a=1; ; =; b=2")).to.include({ a: "1", b: "2" });
  });
});
