import { expect } from "chai";
import { Asynchronous, AddSlash, PathArgs, RemoveSlash, Route } from "../../src/web/decorators";
import { Finish, HTTPError } from "../../src/web/errors";
import { RequestHandler } from "../../src/web/handler";
import { Application } from "../../src/web/application";
import { runHandler } from "../../src/testing";
import { addLogHandler, type LogRecord } from "../../src/log";

describe("RequestHandler#execute", () => {
  describe("when the method is not implemented", () => {
    class GetOnly extends RequestHandler {
      get(): void {
        this.write("ok");
      }
      post(): void {
        this.write("posted");
      }
    }

    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]) {
      it(`answers ${method} with 405 and an Allow header listing the implemented verbs`, async () => {
        const res = await runHandler(GetOnly, { method });
        expect(res.status).to.equal(405);
        expect(res.headers.get("Allow")).to.equal("GET, POST");
      });
    }

    it("answers a method outside SUPPORTED_METHODS with 405", async () => {
      const res = await runHandler(GetOnly, { method: "PROPFIND" });
      expect(res.status).to.equal(405);
    });

    it("honours a subclass's own SUPPORTED_METHODS", async () => {
      class Dav extends RequestHandler {
        static override readonly SUPPORTED_METHODS = [...RequestHandler.SUPPORTED_METHODS, "PROPFIND"];
        propfind(): void {
          this.write("props");
        }
        get(): void {}
      }
      class ReadOnly extends GetOnly {
        static override readonly SUPPORTED_METHODS = ["GET"];
      }
      expect((await runHandler(Dav, { method: "PROPFIND" })).body).to.equal("props");
      const res = await runHandler(ReadOnly, { method: "POST" });
      expect([res.status, res.headers.get("Allow")]).to.deep.equal([405, "GET"]);
    });

    it("runs the implemented verbs", async () => {
      expect((await runHandler(GetOnly, { method: "GET" })).body).to.equal("ok");
      expect((await runHandler(GetOnly, { method: "POST" })).body).to.equal("posted");
    });
  });

  describe("when everything succeeds", () => {
    it("runs initialize, prepare, the verb and onFinish in that order", async () => {
      const calls: string[] = [];
      class Ordered extends RequestHandler {
        override initialize(init: unknown): void {
          calls.push(`initialize:${JSON.stringify(init)}`);
        }
        override async prepare(): Promise<void> {
          await Promise.resolve();
          calls.push("prepare");
        }
        async get(): Promise<void> {
          calls.push("get");
          this.write("body");
        }
        override onFinish(): void {
          calls.push(`onFinish:${this.finished}`);
        }
      }
      const res = await runHandler(Ordered, { init: { a: 1 } });
      expect(calls).to.deep.equal(["initialize:{\"a\":1}", "prepare", "get", "onFinish:true"]);
      expect(res.body).to.equal("body");
    });

    it("finishes automatically after a synchronous verb", async () => {
      class Sync extends RequestHandler {
        get(): void {
          this.write("a");
          this.write("b");
        }
      }
      const res = await runHandler(Sync);
      expect(res.status).to.equal(200);
      expect(res.body).to.equal("ab");
      expect(res.headers.get("Content-Length")).to.equal("2");
    });
  });

  describe("when prepare finishes the request", () => {
    it("does not run the verb", async () => {
      let ran = false;
      class Early extends RequestHandler {
        override prepare(): void {
          this.finish("from prepare");
        }
        get(): void {
          ran = true;
        }
      }
      const res = await runHandler(Early);
      expect(res.body).to.equal("from prepare");
      expect(ran).to.equal(false);
    });

    it("accepts a thrown Finish with a chunk", async () => {
      class Finishing extends RequestHandler {
        override prepare(): void {
          this.write("a");
          throw new Finish("b");
        }
        get(): void {
          this.write("never");
        }
      }
      const res = await runHandler(Finishing);
      expect(res.status).to.equal(200);
      expect(res.body).to.equal("ab");
    });
  });

  describe("when the verb is async", () => {
    it("awaits it and then finishes", async () => {
      class Slow extends RequestHandler {
        async get(): Promise<void> {
          await new Promise((r) => setTimeout(r, 5));
          this.write("late");
        }
      }
      expect((await runHandler(Slow)).body).to.equal("late");
    });

    it("turns a rejection into a 500", async () => {
      class Rejecting extends RequestHandler {
        async get(): Promise<void> {
          await Promise.resolve();
          throw new Error("boom");
        }
      }
      const res = await runHandler(Rejecting);
      expect(res.status).to.equal(500);
      expect((res.error as Error).message).to.equal("boom");
    });
  });

  describe("when the verb is @Asynchronous", () => {
    it("keeps the request open until finish() is called", async () => {
      class Waiting extends RequestHandler {
        @Asynchronous
        get(): void {
          setTimeout(() => this.finish("done later"), 10);
        }
      }
      const res = await runHandler(Waiting);
      expect(res.body).to.equal("done later");
    });

    it("turns an exception in an asyncCallback into an error response", async () => {
      class Failing extends RequestHandler {
        @Asynchronous
        get(): void {
          setTimeout(this.asyncCallback(() => {
            throw new HTTPError(503, "backend down");
          }), 5);
        }
      }
      const res = await runHandler(Failing);
      expect(res.status).to.equal(503);
      expect(res.body).to.contain("503: Service Unavailable");
    });

    it("turns a rejected promise of an asyncCallback into a 500", async () => {
      class Failing extends RequestHandler {
        @Asynchronous
        get(): void {
          setTimeout(this.asyncCallback(async () => {
            throw new Error("async boom");
          }), 5);
        }
      }
      expect((await runHandler(Failing)).status).to.equal(500);
    });

    it("calls onConnectionClose when the client goes away first", async () => {
      let closed = 0;
      class Poll extends RequestHandler {
        @Asynchronous
        get(): void {}
        override onConnectionClose(): void {
          closed++;
        }
      }
      const err = await runHandler(Poll, { timeoutMs: 20 }).catch((e: Error) => e);
      expect(err).to.be.instanceOf(Error);
      expect(closed).to.equal(1);
    });
  });

  describe("when the verb method declares number parameters", () => {
    @Route("/item/([^/]+)/([^/]+)")
    class Typed extends RequestHandler {
      @PathArgs
      get(id: number, slug: string): void {
        this.write({ id, idType: typeof id, slug, slugType: typeof slug });
      }
    }

    it("passes numbers for number parameters and strings otherwise", async () => {
      const res = await runHandler(Typed, { uri: "/item/42/hello" });
      expect(res.json()).to.deep.equal({ id: 42, idType: "number", slug: "hello", slugType: "string" });
    });

    it("answers 404 when the value is not numeric", async () => {
      const res = await runHandler(Typed, { uri: "/item/abc/hello" });
      expect(res.status).to.equal(404);
    });

    it("passes strings when the verb has no decorator, since TypeScript records no parameter types then", async () => {
      @Route("/plain/([^/]+)")
      class Plain extends RequestHandler {
        get(id: number): void {
          this.write({ idType: typeof id });
        }
      }
      expect((await runHandler(Plain, { uri: "/plain/42" })).json()).to.deep.equal({ idType: "string" });
    });

    it("keeps string parameters as strings even when they look numeric", async () => {
      const res = await runHandler(Typed, { uri: "/item/7/8" });
      expect(res.json()).to.deep.include({ slug: "8", slugType: "string" });
    });
  });

  describe("when the route has named groups", () => {
    it("passes them as a trailing object", async () => {
      @Route("/u/(?<user>[a-z]+)")
      class Named extends RequestHandler {
        get(kwargs: Record<string, string>): void {
          this.write({ user: kwargs.user, same: kwargs === this.pathKwargs });
        }
      }
      const res = await runHandler(Named, { uri: "/u/ben" });
      expect(res.json()).to.deep.equal({ user: "ben", same: true });
    });
  });

  describe("with @RemoveSlash", () => {
    @RemoveSlash
    class NoSlash extends RequestHandler {
      get(): void {
        this.write("page");
      }
      post(): void {
        this.write("posted");
      }
    }

    it("redirects GET /path/ to /path with 301, keeping the query", async () => {
      const res = await runHandler(NoSlash, { uri: "/a/b/?x=1" });
      expect(res.status).to.equal(301);
      expect(res.redirectedTo).to.equal("/a/b?x=1");
    });

    it("answers other methods on /path/ with 404", async () => {
      expect((await runHandler(NoSlash, { method: "POST", uri: "/a/" })).status).to.equal(404);
    });

    it("serves /path as is", async () => {
      expect((await runHandler(NoSlash, { uri: "/a" })).body).to.equal("page");
    });

    it("never redirects to a protocol-relative URL", async () => {
      const res = await runHandler(NoSlash, { uri: "//evil.example/" });
      expect(res.redirectedTo).to.equal("/evil.example");
    });
  });

  describe("with @AddSlash", () => {
    @AddSlash
    class WithSlash extends RequestHandler {
      get(): void {
        this.write("dir");
      }
      post(): void {}
    }

    it("redirects GET /path to /path/ with 301, keeping the query", async () => {
      const res = await runHandler(WithSlash, { uri: "/docs?v=2" });
      expect(res.status).to.equal(301);
      expect(res.redirectedTo).to.equal("/docs/?v=2");
    });

    it("answers POST /path with 404", async () => {
      expect((await runHandler(WithSlash, { method: "POST", uri: "/docs" })).status).to.equal(404);
    });

    it("serves /path/ as is", async () => {
      expect((await runHandler(WithSlash, { uri: "/docs/" })).body).to.equal("dir");
    });
  });

  describe("when initialize throws inside an application", () => {
    it("answers 500", async () => {
      class Broken extends RequestHandler {
        override initialize(): void {
          throw new Error("bad init");
        }
        get(): void {}
      }
      const app = new Application([["/", Broken]]);
      expect((await app.inject({ uri: "/" })).status).to.equal(500);
    });
  });

  describe("onFinish", () => {
    it("has its errors logged, not sent", async () => {
      class BadFinish extends RequestHandler {
        get(): void {
          this.write("fine");
        }
        override onFinish(): void {
          throw new Error("cleanup failed");
        }
      }
      const res = await runHandler(BadFinish);
      expect(res.status).to.equal(200);
      expect(res.body).to.equal("fine");
    });
  });

  describe("logging", () => {
    let records: LogRecord[];
    let remove: () => void;
    beforeEach(() => {
      records = [];
      remove = addLogHandler((r) => records.push(r));
    });
    afterEach(() => remove());

    it("logs an uncaught exception as an application error with the request summary", async () => {
      const boom = new Error("boom");
      class Failing extends RequestHandler {
        get(): void {
          throw boom;
        }
      }
      await runHandler(Failing, { uri: "/x?y=1", remoteIp: "10.1.2.3" });
      const errors = records.filter((r) => r.logger === "tornado.application" && r.level === "error");
      expect(errors.map((r) => r.message)).to.deep.equal(["Uncaught exception GET /x?y=1 (10.1.2.3)"]);
      expect(errors[0].error).to.equal(boom);
    });

    it("logs an HTTPError's logMessage as a warning, not as an error", async () => {
      class Denied extends RequestHandler {
        get(): void {
          throw new HTTPError(403, "user 7 may not see this");
        }
      }
      await runHandler(Denied, { uri: "/p" });
      const general = records.filter((r) => r.logger === "tornado.general");
      expect(general.map((r) => [r.level, r.message])).to.deep.equal([["warning", "403 GET /p (127.0.0.1): user 7 may not see this"]]);
      expect(records.some((r) => r.logger === "tornado.application")).to.equal(false);
    });

    it("writes the access line at warning level for a 4xx", async () => {
      class Missing extends RequestHandler {
        get(): void {
          throw new HTTPError(404);
        }
      }
      await runHandler(Missing, { uri: "/gone" });
      const access = records.filter((r) => r.logger === "tornado.access");
      expect(access).to.have.length(1);
      expect(access[0].level).to.equal("warning");
      expect(access[0].message).to.match(/^404 GET \/gone \(127\.0\.0\.1\) /);
    });
  });
});
