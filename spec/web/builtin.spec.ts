import { expect } from "chai";
import { Application } from "../../src/web/application";
import { ErrorHandler, RedirectHandler } from "../../src/web/builtin";
import { runHandler } from "../../src/testing";

describe("ErrorHandler", () => {
  it("answers every method with its status", async () => {
    const app = new Application([["/gone", ErrorHandler, { status: 410 }]]);
    for (const method of ["GET", "POST", "DELETE"]) {
      const res = await app.inject({ method, uri: "/gone" });
      expect(res.status, method).to.equal(410);
      expect(res.body).to.equal("<html><title>410: Gone</title><body>410: Gone</body></html>");
    }
  });

  it("defaults to 404", async () => {
    expect((await runHandler(ErrorHandler)).status).to.equal(404);
  });

  it("does not check XSRF (a 404 never becomes a 403)", async () => {
    const res = await runHandler(ErrorHandler, { method: "POST", init: { status: 404 }, settings: { xsrfCookies: true } });
    expect(res.status).to.equal(404);
  });

  it("answers 500 when configured with a status that is not an error", async () => {
    const res = await new Application([["/x", ErrorHandler, { status: 200 }]]).inject({ uri: "/x" });
    expect(res.status).to.equal(500);
  });
});

describe("RedirectHandler", () => {
  it("redirects permanently by default", async () => {
    const app = new Application([["/old", RedirectHandler, { url: "/new" }]]);
    const res = await app.inject({ uri: "/old" });
    expect([res.status, res.redirectedTo]).to.deep.equal([301, "/new"]);
  });

  it("redirects temporarily when permanent is false", async () => {
    const app = new Application([["/old", RedirectHandler, { url: "/new", permanent: false }]]);
    expect((await app.inject({ uri: "/old" })).status).to.equal(302);
  });

  it("fills {0}-style placeholders from the path groups", async () => {
    const app = new Application([["/photos/([0-9]+)/(.*)", RedirectHandler, { url: "/pictures/{1}/{0}" }]]);
    expect((await app.inject({ uri: "/photos/7/cat" })).redirectedTo).to.equal("/pictures/cat/7");
  });

  it("fills {name} placeholders from named groups", async () => {
    const app = new Application([["/u/(?<user>[a-z]+)", RedirectHandler, { url: "/users/{user}" }]]);
    expect((await app.inject({ uri: "/u/ben" })).redirectedTo).to.equal("/users/ben");
  });

  it("carries the query string over", async () => {
    const app = new Application([
      ["/a", RedirectHandler, { url: "/b" }],
      ["/c", RedirectHandler, { url: "/d?x=1" }],
    ]);
    expect((await app.inject({ uri: "/a?q=1&r=2" })).redirectedTo).to.equal("/b?q=1&r=2");
    expect((await app.inject({ uri: "/c?q=1" })).redirectedTo).to.equal("/d?x=1&q=1");
  });

  it("fails at first use without a url", async () => {
    const app = new Application([["/bad", RedirectHandler, {}]]);
    expect((await app.inject({ uri: "/bad" })).status).to.equal(500);
  });
});
