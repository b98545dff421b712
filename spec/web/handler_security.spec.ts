import { expect } from "chai";
import * as sinon from "sinon";
import { Authenticated, XsrfExempt } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";
import { decodeXsrfToken, encodeXsrfToken } from "../../src/web/security";
import { addLogHandler, type LogRecord } from "../../src/log";
import { runHandler } from "../../src/testing";

describe("RequestHandler#currentUser", () => {
  it("calls getCurrentUser once, lazily", async () => {
    const getCurrentUser = sinon.stub().returns("ben");
    class Who extends RequestHandler {
      override getCurrentUser(): unknown {
        return getCurrentUser();
      }
      get(): void {
        this.write(`${String(this.currentUser)} ${String(this.currentUser)}`);
      }
    }
    const res = await runHandler(Who);
    expect(res.body).to.equal("ben ben");
    expect(getCurrentUser.callCount).to.equal(1);
  });

  it("has the type given as the class's type parameter", async () => {
    interface Account {
      name: string;
    }
    class Typed extends RequestHandler<Account> {
      override getCurrentUser(): Account | null {
        return { name: "zed" };
      }
      get(): void {
        this.write(this.currentUser?.name ?? "nobody");
      }
    }
    expect((await runHandler(Typed)).body).to.equal("zed");
  });

  it("may be assigned, e.g. in prepare", async () => {
    class Assigned extends RequestHandler {
      override prepare(): void {
        this.currentUser = { name: "amy" };
      }
      get(): void {
        this.write(this.currentUser as Record<string, unknown>);
      }
    }
    expect((await runHandler(Assigned)).json()).to.deep.equal({ name: "amy" });
  });
});

describe("@Authenticated", () => {
  class Secret extends RequestHandler {
    @Authenticated
    get(): void {
      this.write("secret");
    }
    @Authenticated
    head(): void {}
    @Authenticated
    post(): void {
      this.write("posted");
    }
  }
  const settings = { loginUrl: "/login" };

  describe("when nobody is logged in", () => {
    it("redirects GET to loginUrl with next set to the request URI", async () => {
      const res = await runHandler(Secret, { uri: "/admin/page?x=1&y=2", settings });
      expect(res.status).to.equal(302);
      expect(res.redirectedTo).to.equal("/login?next=%2Fadmin%2Fpage%3Fx%3D1%26y%3D2");
    });

    it("redirects HEAD the same way", async () => {
      const res = await runHandler(Secret, { method: "HEAD", uri: "/admin", settings });
      expect(res.redirectedTo).to.equal("/login?next=%2Fadmin");
    });

    it("uses the full URL as next when loginUrl is absolute", async () => {
      const res = await runHandler(Secret, {
        uri: "/admin",
        headers: { Host: "app.example.com" },
        settings: { loginUrl: "https://sso.example.com/login" },
      });
      expect(res.redirectedTo).to.equal("https://sso.example.com/login?next=http%3A%2F%2Fapp.example.com%2Fadmin");
    });

    it("adds no next when loginUrl already has a query", async () => {
      const res = await runHandler(Secret, { uri: "/admin", settings: { loginUrl: "/login?from=app" } });
      expect(res.redirectedTo).to.equal("/login?from=app");
    });

    it("answers POST with 403", async () => {
      const res = await runHandler(Secret, { method: "POST", settings });
      expect(res.status).to.equal(403);
    });

    it("fails with a message naming loginUrl when it is not set", async () => {
      const res = await runHandler(Secret);
      expect(res.status).to.equal(500);
      expect((res.error as Error).message).to.contain("'loginUrl'");
    });
  });

  describe("when a user is logged in", () => {
    it("runs the verb", async () => {
      const res = await runHandler(Secret, { currentUser: "ben", settings });
      expect(res.body).to.equal("secret");
    });

    it("lets a stubbed getCurrentUser decide", async () => {
      const res = await runHandler(Secret, {
        method: "POST",
        settings,
        beforeRun: (h) => void sinon.stub(h, "getCurrentUser").returns("ben"),
      });
      expect(res.body).to.equal("posted");
    });
  });

  describe("on a class", () => {
    @Authenticated
    class AllSecret extends RequestHandler {
      get(): void {
        this.write("g");
      }
      put(): void {
        this.write("p");
      }
    }

    it("covers every verb", async () => {
      expect((await runHandler(AllSecret, { settings })).status).to.equal(302);
      expect((await runHandler(AllSecret, { method: "PUT", settings })).status).to.equal(403);
      expect((await runHandler(AllSecret, { method: "PUT", settings, currentUser: "u" })).body).to.equal("p");
    });
  });
});

describe("XSRF protection", () => {
  const settings = { xsrfCookies: true };
  let records: LogRecord[];
  let removeHandler: () => void;

  beforeEach(() => {
    records = [];
    removeHandler = addLogHandler((r) => records.push(r));
  });

  afterEach(() => removeHandler());

  class Form extends RequestHandler {
    get(): void {
      this.write(this.xsrfFormHtml().toString());
    }
    post(): void {
      this.write("accepted");
    }
  }

  function warnings(): string {
    return records.map((r) => r.message).join("\n");
  }

  async function freshToken(): Promise<{ cookie: string; field: string }> {
    const res = await runHandler(Form, { settings });
    const field = /value="([^"]+)"/.exec(res.body)?.[1] as string;
    return { cookie: res.cookies._xsrf.value, field: field.replace(/&#39;|&quot;|&amp;/g, (e) => ({ "&#39;": "'", "&quot;": '"', "&amp;": "&" })[e] as string) };
  }

  it("sets the _xsrf cookie and a hidden field on a GET", async () => {
    const res = await runHandler(Form, { settings });
    expect(res.body).to.match(/^<input type="hidden" name="_xsrf" value="2\|[0-9a-f]{8}\|[0-9a-f]{32}\|\d+"\/>$/);
    expect(res.cookies._xsrf.value).to.match(/^2\|/);
  });

  it("masks the token afresh on every page, for the same cookie", async () => {
    const { cookie } = await freshToken();
    const pages = await Promise.all([1, 2].map(() => runHandler(Form, { settings, cookies: { _xsrf: cookie } })));
    const [a, b] = pages.map((p) => /value="([^"]+)"/.exec(p.body)?.[1] as string);
    expect(a).not.to.equal(b);
    expect(decodeXsrfToken(a)?.token.equals(decodeXsrfToken(b)?.token as Buffer)).to.equal(true);
    expect(pages[0].cookies._xsrf).to.equal(undefined);
  });

  it("accepts a POST whose _xsrf argument matches the cookie", async () => {
    const { cookie, field } = await freshToken();
    const res = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: cookie }, body: { _xsrf: field } });
    expect(res.body).to.equal("accepted");
  });

  it("accepts the token in the query string", async () => {
    const { cookie, field } = await freshToken();
    const res = await runHandler(Form, { method: "POST", uri: `/?_xsrf=${encodeURIComponent(field)}`, settings, cookies: { _xsrf: cookie } });
    expect(res.status).to.equal(200);
  });

  for (const header of ["X-Xsrftoken", "X-Csrftoken"]) {
    it(`accepts the token in the ${header} header`, async () => {
      const { cookie, field } = await freshToken();
      const res = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: cookie }, headers: { [header]: field } });
      expect(res.status).to.equal(200);
    });
  }

  it("accepts a v1 (plain hex) cookie and token", async () => {
    const hex = "0123456789abcdef0123456789abcdef";
    const res = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: hex }, body: { _xsrf: hex } });
    expect(res.status).to.equal(200);
  });

  it("refuses a POST without a token with 403 and its own log message", async () => {
    const { cookie } = await freshToken();
    const res = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: cookie } });
    expect(res.status).to.equal(403);
    expect(warnings()).to.contain("'_xsrf' argument missing from POST");
  });

  it("refuses a badly formatted token with 403", async () => {
    const { cookie } = await freshToken();
    const res = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: cookie }, body: { _xsrf: "2|zz|yy|1" } });
    expect(res.status).to.equal(403);
    expect(warnings()).to.contain("'_xsrf' argument has invalid format");
  });

  it("refuses a token that does not match the cookie with 403", async () => {
    const { cookie } = await freshToken();
    const other = encodeXsrfToken(Buffer.alloc(16, 7), Date.now() / 1000);
    const res = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: cookie }, body: { _xsrf: other } });
    expect(res.status).to.equal(403);
    expect(warnings()).to.contain("XSRF cookie does not match POST argument");
  });

  it("refuses a token when the cookie is missing with 403", async () => {
    const { field } = await freshToken();
    const res = await runHandler(Form, { method: "POST", settings, body: { _xsrf: field } });
    expect(res.status).to.equal(403);
    expect(warnings()).to.contain("'_xsrf' cookie missing or invalid");
  });

  it("validates 10 distinct tokens against their own cookies, and not against each other's", async () => {
    const tokens = await Promise.all(Array.from({ length: 10 }, () => freshToken()));
    expect(new Set(tokens.map((t) => t.cookie)).size).to.equal(10);
    for (let i = 0; i < 10; i++) {
      const own = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: tokens[i].cookie }, body: { _xsrf: tokens[i].field } });
      expect(own.status, `token ${i}`).to.equal(200);
      const next = tokens[(i + 1) % 10];
      const crossed = await runHandler(Form, { method: "POST", settings, cookies: { _xsrf: tokens[i].cookie }, body: { _xsrf: next.field } });
      expect(crossed.status, `token ${i} crossed`).to.equal(403);
    }
  });

  it("does not check GET, HEAD or OPTIONS", async () => {
    class Safe extends RequestHandler {
      get(): void {}
      head(): void {}
      options(): void {}
    }
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect((await runHandler(Safe, { method, settings })).status, method).to.equal(200);
    }
  });

  it("skips @XsrfExempt classes and methods", async () => {
    @XsrfExempt
    class ExemptClass extends RequestHandler {
      post(): void {}
    }
    class ExemptMethod extends RequestHandler {
      @XsrfExempt
      post(): void {}
      put(): void {}
    }
    expect((await runHandler(ExemptClass, { method: "POST", settings })).status).to.equal(200);
    expect((await runHandler(ExemptMethod, { method: "POST", settings })).status).to.equal(200);
    expect((await runHandler(ExemptMethod, { method: "PUT", settings })).status).to.equal(403);
  });

  it("runs before prepare", async () => {
    let prepared = false;
    class Guarded extends RequestHandler {
      override prepare(): void {
        prepared = true;
      }
      post(): void {}
    }
    await runHandler(Guarded, { method: "POST", settings });
    expect(prepared).to.equal(false);
  });

  it("is off without the xsrfCookies setting", async () => {
    expect((await runHandler(Form, { method: "POST" })).status).to.equal(200);
  });
});
