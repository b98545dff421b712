import { expect } from "chai";
import { createHash } from "node:crypto";
import { HTTPError } from "../../src/web/errors";
import { bodyEtag, httpDateNow } from "../../src/web/handler_output";
import { RequestHandler } from "../../src/web/handler";
import { runHandler } from "../../src/testing";

/** A handler whose GET runs `body`, with any thrown error captured in the response body. */
function handlerRunning(body: (h: RequestHandler) => void) {
  return class extends RequestHandler {
    get(): void {
      try {
        body(this);
      } catch (err) {
        this.clear();
        this.setStatus(599, "Caught");
        this.write((err as Error).message);
      }
    }
  };
}

describe("RequestHandler#write", () => {
  describe("when given an object", () => {
    it("sends JSON with the JSON content type", async () => {
      const res = await runHandler(handlerRunning((h) => h.write({ a: 1, s: "</script>" })));
      expect(res.headers.get("Content-Type")).to.equal("application/json; charset=UTF-8");
      expect(res.json()).to.deep.equal({ a: 1, s: "</script>" });
      expect(res.body).to.contain("<\\/script>");
    });
  });

  describe("when given an array", () => {
    it("throws an error that explains JSON hijacking", async () => {
      const res = await runHandler(handlerRunning((h) => h.write([1, 2] as never)));
      expect(res.status).to.equal(599);
      expect(res.body).to.match(/hijacking/);
    });
  });

  describe("when given a Buffer", () => {
    it("sends the bytes as they are", async () => {
      const res = await runHandler(handlerRunning((h) => h.write(Buffer.from([0xff, 0x00]))));
      expect([...res.bodyBuffer]).to.deep.equal([0xff, 0x00]);
    });
  });

  describe("after finish()", () => {
    it("throws Cannot write() after finish()", async () => {
      let message = "";
      class Late extends RequestHandler {
        get(): void {
          this.finish("x");
          try {
            this.write("y");
          } catch (err) {
            message = (err as Error).message;
          }
        }
      }
      const res = await runHandler(Late);
      expect(message).to.equal("Cannot write() after finish()");
      expect(res.body).to.equal("x");
    });
  });
});

describe("RequestHandler#finish", () => {
  describe("when called twice", () => {
    it("throws finish() called twice", async () => {
      let message = "";
      class Twice extends RequestHandler {
        get(): void {
          this.finish();
          try {
            this.finish();
          } catch (err) {
            message = (err as Error).message;
          }
        }
      }
      await runHandler(Twice);
      expect(message).to.equal("finish() called twice");
    });
  });

  describe("for every response", () => {
    it("sends Server, Date and an HTML Content-Type by default", async () => {
      const res = await runHandler(handlerRunning((h) => h.write("x")));
      expect(res.headers.get("Server")).to.match(/^TornadoServer/);
      expect(Date.parse(res.headers.get("Date") ?? "")).to.be.closeTo(Date.now(), 5000);
      expect(res.headers.get("Content-Type")).to.equal("text/html; charset=UTF-8");
    });
  });

  describe("for a HEAD request", () => {
    it("sends the Content-Length of the body but no body", async () => {
      class Head extends RequestHandler {
        head(): void {
          this.write("twelve bytes");
        }
      }
      const res = await runHandler(Head, { method: "HEAD" });
      expect(res.headers.get("Content-Length")).to.equal("12");
      expect(res.body).to.equal("");
    });
  });
});

describe("RequestHandler#flush", () => {
  it("sends the headers first, without Content-Length, then the chunks", async () => {
    class Streaming extends RequestHandler {
      async get(): Promise<void> {
        this.write("one ");
        await this.flush();
        this.write("two");
      }
    }
    const res = await runHandler(Streaming);
    expect(res.headers.has("Content-Length")).to.equal(false);
    expect(res.body).to.equal("one two");
  });
});

describe("RequestHandler#setStatus", () => {
  it("uses the standard reason phrase", async () => {
    const res = await runHandler(handlerRunning((h) => h.setStatus(201)));
    expect([res.status, res.reason]).to.deep.equal([201, "Created"]);
  });

  it("uses Unknown for an unknown code", async () => {
    const res = await runHandler(handlerRunning((h) => h.setStatus(299)));
    expect([res.status, res.reason]).to.deep.equal([299, "Unknown"]);
  });

  it("keeps a safe custom reason", async () => {
    const res = await runHandler(handlerRunning((h) => h.setStatus(200, "Fine Thanks")));
    expect(res.reason).to.equal("Fine Thanks");
  });

  it("replaces a reason with unsafe characters", async () => {
    const res = await runHandler(handlerRunning((h) => h.setStatus(200, "OK\r\nX-Evil: 1")));
    expect(res.reason).to.equal("OK");
    expect(res.headers.has("X-Evil")).to.equal(false);
  });

  it("throws for a code that is not a status", async () => {
    const res = await runHandler(handlerRunning((h) => h.setStatus(42)));
    expect(res.status).to.equal(599);
    expect(res.body).to.contain("invalid HTTP status code 42");
  });
});

describe("RequestHandler#setHeader", () => {
  it("replaces earlier values, while addHeader keeps them", async () => {
    const res = await runHandler(handlerRunning((h) => {
      h.setHeader("X-A", "1");
      h.setHeader("X-A", "2");
      h.addHeader("X-B", "1");
      h.addHeader("X-B", 2);
    }));
    expect(res.headers.getList("X-A")).to.deep.equal(["2"]);
    expect(res.headers.getList("X-B")).to.deep.equal(["1", "2"]);
  });

  it("formats dates as HTTP dates", async () => {
    const res = await runHandler(handlerRunning((h) => h.setHeader("Expires", new Date(0))));
    expect(res.headers.get("Expires")).to.equal("Thu, 01 Jan 1970 00:00:00 GMT");
  });

  for (const bad of ["a\r\nSet-Cookie: x=1", "a\nb", "a\x00b", "a\x1bb"]) {
    it(`throws for the unsafe value ${JSON.stringify(bad)}`, async () => {
      const res = await runHandler(handlerRunning((h) => h.setHeader("X-Test", bad)));
      expect(res.status).to.equal(599);
      expect(res.body).to.contain("unsafe value for header X-Test");
    });
  }

  it("clearHeader removes a default header", async () => {
    const res = await runHandler(handlerRunning((h) => h.clearHeader("Content-Type")));
    expect(res.headers.has("Content-Type")).to.equal(false);
  });
});

describe("RequestHandler#clear", () => {
  it("drops the body and headers written so far", async () => {
    const res = await runHandler(handlerRunning((h) => {
      h.setHeader("X-Gone", "1");
      h.write("gone");
      h.clear();
      h.write("kept");
    }));
    expect(res.body).to.equal("kept");
    expect(res.headers.has("X-Gone")).to.equal(false);
  });
});

describe("RequestHandler#redirect", () => {
  it("answers 302 with Location", async () => {
    const res = await runHandler(handlerRunning((h) => void h.redirect("/next")));
    expect(res.status).to.equal(302);
    expect(res.redirectedTo).to.equal("/next");
  });

  it("answers 301 when permanent", async () => {
    expect((await runHandler(handlerRunning((h) => void h.redirect("/p", true)))).status).to.equal(301);
  });

  it("uses an explicit 3xx status", async () => {
    expect((await runHandler(handlerRunning((h) => void h.redirect("/p", false, 307)))).status).to.equal(307);
  });

  it("refuses a status outside 3xx", async () => {
    const res = await runHandler(handlerRunning((h) => void h.redirect("/p", false, 200)));
    expect(res.body).to.contain("redirect status must be 3xx");
  });

  it("refuses a URL with a line break", async () => {
    const res = await runHandler(handlerRunning((h) => void h.redirect("/p\r\nX: y")));
    expect(res.status).to.equal(599);
  });
});

describe("RequestHandler#sendError", () => {
  it("writes the default error page", async () => {
    class NotFound extends RequestHandler {
      get(): void {
        throw new HTTPError(404);
      }
    }
    const res = await runHandler(NotFound);
    expect(res.status).to.equal(404);
    expect(res.body).to.equal("<html><title>404: Not Found</title><body>404: Not Found</body></html>");
  });

  it("uses the HTTPError's custom reason", async () => {
    class Teapot extends RequestHandler {
      get(): void {
        throw new HTTPError(418, "log only", { reason: "Short And Stout" });
      }
    }
    const res = await runHandler(Teapot);
    expect(res.reason).to.equal("Short And Stout");
    expect(res.body).to.contain("418: Short And Stout");
    expect(res.body).not.to.contain("log only");
  });

  it("discards what was written before the error", async () => {
    class Partial extends RequestHandler {
      get(): void {
        this.setHeader("X-Partial", "1");
        this.write("half a page");
        throw new Error("boom");
      }
    }
    const res = await runHandler(Partial);
    expect(res.status).to.equal(500);
    expect(res.body).not.to.contain("half a page");
    expect(res.headers.has("X-Partial")).to.equal(false);
  });

  class Thrower extends RequestHandler {
    get(): void {
      throw new Error("secret detail");
    }
  }

  it("hides the exception without debug", async () => {
    const res = await runHandler(Thrower);
    expect(res.status).to.equal(500);
    expect(res.body).to.equal("<html><title>500: Internal Server Error</title><body>500: Internal Server Error</body></html>");
  });

  it("shows the traceback with debug", async () => {
    const res = await runHandler(Thrower, { settings: { debug: true } });
    expect(res.status).to.equal(500);
    expect(res.headers.get("Content-Type")).to.equal("text/plain; charset=UTF-8");
    expect(res.body).to.contain("Error: secret detail");
    expect(res.body).to.contain("handler_output.spec");
  });

  it("shows the traceback with serveTraceback alone", async () => {
    expect((await runHandler(Thrower, { settings: { serveTraceback: true } })).body).to.contain("secret detail");
  });

  it("lets writeError be overridden", async () => {
    class Custom extends Thrower {
      override writeError(code: number): void {
        this.finish({ error: code });
      }
    }
    const res = await runHandler(Custom);
    expect(res.json()).to.deep.equal({ error: 500 });
  });

  it("only ends the response when the headers already went out", async () => {
    class Streamed extends RequestHandler {
      async get(): Promise<void> {
        this.write("started");
        await this.flush();
        throw new Error("too late");
      }
    }
    const res = await runHandler(Streamed);
    expect(res.status).to.equal(200);
    expect(res.body).to.equal("started");
  });
});

describe("RequestHandler ETags", () => {
  class Page extends RequestHandler {
    get(): void {
      this.write("same body");
    }
    post(): void {
      this.write("same body");
    }
  }

  async function etagOf(): Promise<string> {
    return (await runHandler(Page)).headers.get("Etag") as string;
  }

  it("sends an ETag computed from the body", async () => {
    const etag = await etagOf();
    expect(etag).to.match(/^"9-[0-9a-f]{16}"$/);
  });

  it("answers 304 without body or length when If-None-Match matches", async () => {
    const etag = await etagOf();
    const res = await runHandler(Page, { headers: { "If-None-Match": etag } });
    expect(res.status).to.equal(304);
    expect(res.body).to.equal("");
    expect(res.headers.has("Content-Length")).to.equal(false);
    expect(res.headers.has("Content-Type")).to.equal(false);
  });

  it("answers 304 for *", async () => {
    expect((await runHandler(Page, { headers: { "If-None-Match": "*" } })).status).to.equal(304);
  });

  it("answers 304 when the tag is in a list", async () => {
    const etag = await etagOf();
    const res = await runHandler(Page, { headers: { "If-None-Match": `"other", ${etag}, "third"` } });
    expect(res.status).to.equal(304);
  });

  it("answers 304 under weak comparison", async () => {
    const etag = await etagOf();
    expect((await runHandler(Page, { headers: { "If-None-Match": `W/${etag}` } })).status).to.equal(304);
  });

  it("answers 200 when no tag matches", async () => {
    const res = await runHandler(Page, { headers: { "If-None-Match": '"nope"' } });
    expect(res.status).to.equal(200);
    expect(res.body).to.equal("same body");
  });

  it("does not apply to POST", async () => {
    const res = await runHandler(Page, { method: "POST", headers: { "If-None-Match": "*" } });
    expect(res.status).to.equal(200);
    expect(res.headers.has("Etag")).to.equal(false);
  });

  it("is skipped when computeEtag returns null", async () => {
    class NoEtag extends Page {
      override computeEtag(): string | null {
        return null;
      }
    }
    const res = await runHandler(NoEtag, { headers: { "If-None-Match": "*" } });
    expect(res.status).to.equal(200);
    expect(res.headers.has("Etag")).to.equal(false);
  });
});

describe("RequestHandler status 204", () => {
  it("sends no body and no Content-Length", async () => {
    const res = await runHandler(handlerRunning((h) => h.setStatus(204)));
    expect(res.status).to.equal(204);
    expect(res.headers.has("Content-Length")).to.equal(false);
    expect(res.body).to.equal("");
  });

  it("refuses a body", async () => {
    class Bad extends RequestHandler {
      get(): void {
        this.setStatus(204);
        this.write("body");
      }
    }
    const res = await runHandler(Bad);
    expect(res.status).to.equal(500);
  });
});

describe("bodyEtag", () => {
  it("is the same for the same bytes, however the body was chunked or written", () => {
    const tag = bodyEtag(["Hello, world"]);
    expect(tag).to.match(/^"c-[0-9a-f]{16}"$/);
    expect(bodyEtag([Buffer.from("Hello, world")])).to.equal(tag);
    expect(bodyEtag(["Hello, ", Buffer.from("world")])).to.equal(tag);
    expect(bodyEtag([Buffer.from("Hello, "), "", "world"])).to.equal(tag);
  });

  it("hashes text as its UTF-8 bytes (2-, 3- and 4-byte characters, lone surrogates as U+FFFD)", () => {
    for (const text of ["café", "€ 5", "emoji 😀 here", "lone \ud800 surrogate", "end \udc00"]) {
      const tag = bodyEtag([text]);
      expect(tag.split("-")[0]).to.equal(`"${Buffer.byteLength(text).toString(16)}`);
      expect(bodyEtag([Buffer.from(text, "utf8")]), text).to.equal(tag);
    }
  });

  it("differs when a byte, the length or the order changes", () => {
    const tags = new Set(["Hello, world", "Hello, World", "Hello, world!", "world, Hello", "", "\u00e9", "\u00c3\u00a9"].map((t) => bodyEtag([t])));
    expect(tags.size).to.equal(7);
    // Text "é" goes out as C3 A9: not the one byte E9 a latin1 Buffer would send.
    expect(bodyEtag(["\u00e9"])).to.not.equal(bodyEtag([Buffer.from([0xe9])]));
  });

  it("spreads many similar small bodies over distinct tags", () => {
    const tags = new Set<string>();
    for (let i = 0; i < 20000; i++) tags.add(bodyEtag([JSON.stringify({ id: i, name: "user" + i })]));
    expect(tags.size).to.equal(20000);
  });

  it("is the quoted SHA-1 hex of a large body, however it was chunked", () => {
    const big = "x".repeat(3000);
    const sha1 = `"${createHash("sha1").update(big).digest("hex")}"`;
    expect(bodyEtag([Buffer.from(big)])).to.equal(sha1);
    expect(bodyEtag([big.slice(0, 1000), Buffer.from(big.slice(1000))])).to.equal(sha1);
  });
});

describe("httpDateNow", () => {
  it("is a whole-second HTTP date of now, and a later one once that second is over", async function () {
    this.timeout(5000);
    const first = httpDateNow();
    expect(first).to.match(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
    expect(Date.now() - Date.parse(first)).to.be.within(0, 2000);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = httpDateNow();
    expect(Date.parse(later) - Date.parse(first)).to.be.at.least(1000);
    expect(Date.now() - Date.parse(later)).to.be.within(0, 1000);
  });
});
