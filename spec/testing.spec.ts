import { expect } from "chai";
import * as sinon from "sinon";
import { Application } from "../src/web/application";
import { Asynchronous, Authenticated, Route } from "../src/web/decorators";
import { RequestHandler } from "../src/web/handler";
import { runHandler, startTestServer, type TestServer } from "../src/testing";

interface Store {
  find(id: string): string | null;
}

@Route("/entry/([a-z]+)")
class EntryHandler extends RequestHandler {
  store!: Store;
  override initialize(init?: unknown): void {
    this.store = (init as { store: Store }).store;
  }
  @Authenticated
  async get(slug: string): Promise<void> {
    const entry = this.store.find(slug);
    if (entry === null) {
      this.setStatus(404);
      this.write("no entry");
      return;
    }
    await this.render("entry.html", { entry });
  }
}

describe("runHandler", () => {
  const store: Store = { find: () => null };

  describe("when the handler renders", () => {
    it("reports the template and arguments (render stubbed with sinon)", async () => {
      const res = await runHandler(EntryHandler, {
        uri: "/entry/hello",
        init: { store: { find: (slug: string) => `entry ${slug}` } },
        currentUser: "ben",
        beforeRun: (h) => void sinon.stub(h, "renderString").returns("<html>stubbed</html>"),
      });
      expect(res.status).to.equal(200);
      expect(res.rendered).to.deep.equal({ template: "entry.html", kwargs: { entry: "entry hello" } });
      expect(res.body).to.equal("<html>stubbed</html>");
    });
  });

  describe("path arguments", () => {
    it("are taken from the class's own @Route when not given", async () => {
      const find = sinon.stub().returns(null);
      await runHandler(EntryHandler, { uri: "/entry/abc", init: { store: { find } }, currentUser: "u" });
      expect(find.calledOnceWithExactly("abc")).to.equal(true);
    });

    it("can be given explicitly", async () => {
      const find = sinon.stub().returns(null);
      await runHandler(EntryHandler, { uri: "/whatever", pathArgs: ["xyz"], init: { store: { find } }, currentUser: "u" });
      expect(find.calledOnceWithExactly("xyz")).to.equal(true);
    });
  });

  describe("the result", () => {
    it("has status, reason, headers, body, bodyBuffer, cookies and the handler", async () => {
      class Full extends RequestHandler {
        get(): void {
          this.setCookie("a", "1", { httpOnly: true });
          this.setStatus(201);
          this.write({ ok: true });
        }
      }
      const res = await runHandler(Full);
      expect(res.status).to.equal(201);
      expect(res.reason).to.equal("Created");
      expect(res.headers.get("content-type")).to.equal("application/json; charset=UTF-8");
      expect(res.body).to.equal('{"ok":true}');
      expect(res.json()).to.deep.equal({ ok: true });
      expect(res.bodyBuffer.toString()).to.equal(res.body);
      expect(res.cookies).to.deep.equal({ a: { value: "1", attributes: { httponly: true, path: "/" } } });
      expect(res.handler).to.be.instanceOf(Full);
      expect(res.redirectedTo).to.equal(null);
      expect(res.rendered).to.equal(null);
    });

    it("json() names the body when it is not JSON", async () => {
      class Text extends RequestHandler {
        get(): void {
          this.write("plain");
        }
      }
      const res = await runHandler(Text);
      expect(() => res.json()).to.throw('response body is not JSON: "plain"');
    });
  });

  describe("when the handler fails", () => {
    it("resolves with the 500 response and the error", async () => {
      class Failing extends RequestHandler {
        get(): void {
          throw new TypeError("broken");
        }
      }
      const res = await runHandler(Failing);
      expect(res.status).to.equal(500);
      expect(res.error).to.be.instanceOf(TypeError);
    });

    it("redirects an anonymous user (the @Authenticated branch)", async () => {
      const res = await runHandler(EntryHandler, { uri: "/entry/x", init: { store }, settings: { loginUrl: "/login" } });
      expect(res.redirectedTo).to.equal("/login?next=%2Fentry%2Fx");
    });
  });

  describe("when an @Asynchronous method never finishes", () => {
    it("rejects naming the handler and the method", async () => {
      class NeverDone extends RequestHandler {
        @Asynchronous
        get(): void {}
      }
      const err = await runHandler(NeverDone, { timeoutMs: 25 }).catch((e: Error) => e);
      expect(err).to.be.instanceOf(Error);
      expect((err as Error).message).to.equal(
        "runHandler: NeverDone.get() did not finish the response within 25 ms; " +
          "it is @Asynchronous: call this.finish() (or end with an error) when the work is done",
      );
    });
  });

  describe("the request", () => {
    class Echo extends RequestHandler {
      post(): void {
        this.write({
          type: this.request.headers.get("Content-Type") ?? null,
          body: this.request.body.toString(),
          cookie: this.getCookie("c") ?? null,
          ip: this.request.remoteIp,
        });
      }
    }

    it("sends a json option as a JSON body", async () => {
      const res = await runHandler(Echo, { method: "POST", json: { a: [1] } });
      expect(res.json()).to.deep.include({ type: "application/json", body: '{"a":[1]}' });
    });

    it("sends cookies and the remote IP", async () => {
      const res = await runHandler(Echo, { method: "post", cookies: { c: "v" }, remoteIp: "10.9.8.7" });
      expect(res.json()).to.deep.include({ cookie: "v", ip: "10.9.8.7" });
    });

    it("refuses settings together with an application", async () => {
      const err = await runHandler(Echo, { application: new Application(), settings: {} }).catch((e: Error) => e);
      expect((err as Error).message).to.contain("either settings or an application");
    });
  });

  describe("with an application", () => {
    it("uses its settings and URL names", async () => {
      class Linker extends RequestHandler {
        get(): void {
          this.write(`${this.reverseUrl("entry", "abc")} ${String(this.settings.loginUrl)}`);
        }
      }
      const application = new Application([EntryHandler, ["/e/([a-z]+)", EntryHandler, undefined, "entry"]], { loginUrl: "/in" });
      expect((await runHandler(Linker, { application })).body).to.equal("/e/abc /in");
    });
  });
});

describe("startTestServer", () => {
  let server: TestServer;

  @Route("/hello")
  class Hello extends RequestHandler {
    get(): void {
      this.write(`Hello, ${this.getArgument("name", "world")}`);
    }
  }

  before(async () => {
    server = await startTestServer([Hello]);
  });
  after(() => server.close());

  it("listens on 127.0.0.1 with an ephemeral port", () => {
    expect(server.port).to.be.above(0);
    expect(server.url("/hello")).to.equal(`http://127.0.0.1:${server.port}/hello`);
  });

  it("serves the application over HTTP", async () => {
    const res = await server.fetch("/hello?name=ben");
    expect(res.status).to.equal(200);
    expect(await res.text()).to.equal("Hello, ben");
  });

  it("answers 404 for unknown paths", async () => {
    expect((await server.fetch("/nope")).status).to.equal(404);
  });
});
