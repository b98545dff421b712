import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { addLogHandler, type LogRecord } from "../../src/log";
import { Application } from "../../src/web/application";
import { Asynchronous, Route } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";

@Route("/")
class Home extends RequestHandler {
  get(): void {
    this.write("home");
  }
}

@Route("/story/([0-9]+)", { name: "story" })
class Story extends RequestHandler {
  get(id: string): void {
    this.write(`story ${id}`);
  }
  post(id: string): void {
    this.write(`posted ${id}`);
  }
}

describe("Application#handleRequest", () => {
  const app = new Application([Home, Story]);

  it("dispatches to the handler of the matching route with its path arguments", async () => {
    expect((await app.inject({ uri: "/" })).body).to.equal("home");
    expect((await app.inject({ uri: "/story/12?x=1" })).body).to.equal("story 12");
  });

  it("answers an unknown path with the 404 page", async () => {
    const res = await app.inject({ uri: "/nope" });
    expect(res.status).to.equal(404);
    expect(res.body).to.equal("<html><title>404: Not Found</title><body>404: Not Found</body></html>");
  });

  it("answers a POST to an unknown path with 404, not 403, under xsrfCookies", async () => {
    const strict = new Application([Home], { xsrfCookies: true });
    expect((await strict.inject({ method: "POST", uri: "/nope" })).status).to.equal(404);
    // Tornado's order: the XSRF check runs before prepare() and so before the 405 of a GET-only handler.
    expect((await strict.inject({ method: "POST", uri: "/" })).status).to.equal(403);
  });

  it("answers a path argument with invalid UTF-8 with 400", async () => {
    const anything = new Application([["/f/(.*)", Home]]);
    expect((await anything.inject({ uri: "/f/%FF%FE" })).status).to.equal(400);
  });

  it("uses defaultHandlerClass for unmatched paths", async () => {
    class Fallback extends RequestHandler {
      override initialize(init?: unknown): void {
        this.setHeader("X-Init", JSON.stringify(init));
      }
      get(): void {
        this.setStatus(404);
        this.write("custom not found");
      }
    }
    const custom = new Application([Home], { defaultHandlerClass: Fallback, defaultHandlerArgs: { a: 1 } });
    const res = await custom.inject({ uri: "/missing" });
    expect([res.status, res.body, res.headers.get("X-Init")]).to.deep.equal([404, "custom not found", '{"a":1}']);
  });

  it("writes one access log line per request", async () => {
    const records: LogRecord[] = [];
    const remove = addLogHandler((r) => records.push(r));
    try {
      await app.inject({ uri: "/story/3", remoteIp: "10.0.0.1" });
    } finally {
      remove();
    }
    const access = records.filter((r) => r.logger === "tornado.access");
    expect(access).to.have.length(1);
    expect(access[0].message).to.match(/^200 GET \/story\/3 \(10\.0\.0\.1\) \d+\.\d+ms$/);
  });

  it("calls settings.logFunction instead when given", async () => {
    const seen: number[] = [];
    const logged = new Application([Home], { logFunction: (h) => seen.push(h.getStatus()) });
    await logged.inject({ uri: "/" });
    await logged.inject({ uri: "/x" });
    expect(seen).to.deep.equal([200, 404]);
  });
});

describe("Application#addHandlers", () => {
  class Www extends RequestHandler {
    get(): void {
      this.write("www");
    }
  }

  it("serves host-specific routes before the catch-all ones", async () => {
    const app = new Application([Home]);
    app.addHandlers("www\\.example\\.com", [["/", Www]]);
    expect((await app.inject({ uri: "/", headers: { Host: "www.example.com:8080" } })).body).to.equal("www");
    expect((await app.inject({ uri: "/", headers: { Host: "other.example.com" } })).body).to.equal("home");
  });

  it("routes unknown hosts as defaultHost", async () => {
    const app = new Application([], { defaultHost: "www.example.com" });
    app.addHandlers("www\\.example\\.com", [["/", Www]]);
    expect((await app.inject({ uri: "/", headers: { Host: "elsewhere" } })).body).to.equal("www");
  });
});

describe("Application#reverseUrl", () => {
  it("builds the URL of a named route", () => {
    expect(new Application([Story]).reverseUrl("story", 42)).to.equal("/story/42");
  });

  it("throws for an unknown name", () => {
    expect(() => new Application([Story]).reverseUrl("nope")).to.throw(/nope/);
  });
});

describe("Application#routes and #printRoutes", () => {
  it("lists the routes and prints methods, pattern, class and name", () => {
    const app = new Application([Home, Story]);
    expect(app.routes.map((r) => r.handlerClass)).to.deep.equal([Home, Story]);
    let printed = "";
    const text = app.printRoutes((t) => (printed = t));
    expect(printed).to.equal(text);
    expect(text).to.match(/GET POST\s+\/story\/\(\[0-9\]\+\)\$\s+Story\s+story/);
    expect(text).to.match(/GET\s+\/\$\s+Home/);
  });
});

describe("Application with staticPath", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-ts-app-static-"));
    fs.writeFileSync(path.join(dir, "app.js"), "console.log(1);");
    fs.writeFileSync(path.join(dir, "robots.txt"), "User-agent: *");
    fs.writeFileSync(path.join(dir, "favicon.ico"), "icon");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("serves /static/, /robots.txt and /favicon.ico from it, ahead of user routes", async () => {
    @Route("/(.*)")
    class CatchAll extends RequestHandler {
      get(): void {
        this.write("catch-all");
      }
    }
    const app = new Application([CatchAll], { staticPath: dir });
    expect((await app.inject({ uri: "/static/app.js" })).body).to.equal("console.log(1);");
    expect((await app.inject({ uri: "/robots.txt" })).body).to.equal("User-agent: *");
    expect((await app.inject({ uri: "/favicon.ico" })).body).to.equal("icon");
    expect((await app.inject({ uri: "/other" })).body).to.equal("catch-all");
  });

  it("uses staticUrlPrefix", async () => {
    const app = new Application([], { staticPath: dir, staticUrlPrefix: "/assets/" });
    expect((await app.inject({ uri: "/assets/app.js" })).status).to.equal(200);
    expect((await app.inject({ uri: "/static/app.js" })).status).to.equal(404);
  });
});

describe("Application with compressResponse", () => {
  @Route("/big")
  class Big extends RequestHandler {
    get(): void {
      this.setHeader("Content-Type", "text/plain");
      this.write("tornado ".repeat(500));
    }
  }

  it("gzips a large text body for a client that accepts gzip", async () => {
    const app = new Application([Big], { compressResponse: true });
    const res = await app.inject({ uri: "/big", headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers.get("Content-Encoding")).to.equal("gzip");
    expect(res.headers.get("Vary")).to.contain("Accept-Encoding");
    expect(gunzipSync(res.bodyBuffer).toString()).to.equal("tornado ".repeat(500));
  });

  it("accepts the gzip alias", async () => {
    const app = new Application([Big], { gzip: true });
    expect((await app.inject({ uri: "/big", headers: { "Accept-Encoding": "gzip" } })).headers.get("Content-Encoding")).to.equal("gzip");
  });

  it("sends the body as is when the setting is off", async () => {
    const app = new Application([Big]);
    const res = await app.inject({ uri: "/big", headers: { "Accept-Encoding": "gzip" } });
    expect(res.headers.has("Content-Encoding")).to.equal(false);
    expect(res.body).to.equal("tornado ".repeat(500));
  });
});

describe("Application settings", () => {
  it("turns template and static caching off and tracebacks on in debug mode", () => {
    const { settings } = new Application([], { debug: true });
    expect([settings.compiledTemplateCache, settings.staticHashCache, settings.serveTraceback]).to.deep.equal([false, false, true]);
  });

  it("keeps explicit values in debug mode", () => {
    expect(new Application([], { debug: true, serveTraceback: false }).settings.serveTraceback).to.equal(false);
  });
});

describe("Application#inject", () => {
  it("fails clearly when an @Asynchronous handler never finishes", async () => {
    @Route("/hang")
    class Hang extends RequestHandler {
      @Asynchronous
      get(): void {}
    }
    const err = await new Application([Hang]).inject({ uri: "/hang", timeoutMs: 30 }).catch((e: Error) => e);
    expect((err as Error).message).to.equal(
      "GET /hang did not finish within 30 ms (does an @Asynchronous method never call this.finish()?)",
    );
  });

  it("form-encodes an object body", async () => {
    @Route("/echo")
    class Echo extends RequestHandler {
      post(): void {
        this.write({ a: this.getArgument("a"), b: this.getArguments("b") });
      }
    }
    const res = await new Application([Echo]).inject({ method: "POST", uri: "/echo", body: { a: "x y", b: ["1", "2"] } });
    expect(res.json()).to.deep.equal({ a: "x y", b: ["1", "2"] });
  });
});

describe("Application.discover", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-ts-discover-"));
    const web = path.resolve(__dirname, "../../src/web");
    fs.writeFileSync(
      path.join(dir, "found.js"),
      [
        `const { RequestHandler } = require(${JSON.stringify(path.join(web, "handler.js"))});`,
        `const { Route } = require(${JSON.stringify(path.join(web, "decorators.js"))});`,
        `class Found extends RequestHandler { get() { this.write("found"); } }`,
        `Route("/found")(Found);`,
        `exports.Found = Found;`,
      ].join("\n"),
    );
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("builds an application from the decorated classes of a folder", async () => {
    const app = await Application.discover(dir, { debug: false });
    expect((await app.inject({ uri: "/found" })).body).to.equal("found");
  });
});

describe("Application#listen", () => {
  it("serves the application on a real port until the server stops", async () => {
    const app = new Application([Home]);
    const server = await app.listen(0, "127.0.0.1");
    try {
      const { port } = server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).to.equal("home");
    } finally {
      await server.stop();
    }
  });
});
