import { expect } from "chai";
import { MissingArgumentError } from "../../src/web/errors";
import { RequestHandler } from "../../src/web/handler";
import { createSignedValue } from "../../src/web/security";
import { runHandler } from "../../src/testing";

/** Runs `fn` in a POST/GET handler and returns what it produced (as JSON) or the error. */
async function probe(
  fn: (h: RequestHandler) => unknown,
  options: Parameters<typeof runHandler>[1] = {},
): Promise<{ value?: unknown; error?: string; res: Awaited<ReturnType<typeof runHandler>> }> {
  let value: unknown;
  let error: string | undefined;
  class Probe extends RequestHandler {
    get(): void {
      this.run();
    }
    post(): void {
      this.run();
    }
    private run(): void {
      try {
        value = fn(this);
      } catch (err) {
        error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
    }
  }
  const res = await runHandler(Probe, options);
  return { value, error, res };
}

describe("RequestHandler#getArgument", () => {
  describe("when the argument repeats", () => {
    it("returns the last value", async () => {
      const { value } = await probe((h) => h.getArgument("a"), { uri: "/?a=1&a=2&a=3" });
      expect(value).to.equal("3");
    });
  });

  describe("when the argument is in the query and the body", () => {
    it("returns the body's value", async () => {
      const { value } = await probe((h) => h.getArgument("a"), { method: "POST", uri: "/?a=query", body: { a: "body" } });
      expect(value).to.equal("body");
    });

    it("getArguments lists the query values then the body values", async () => {
      const { value } = await probe((h) => h.getArguments("a"), { method: "POST", uri: "/?a=1", body: { a: ["2", "3"] } });
      expect(value).to.deep.equal(["1", "2", "3"]);
    });

    it("getQueryArgument and getBodyArgument read one source each", async () => {
      const { value } = await probe((h) => [h.getQueryArgument("a"), h.getBodyArgument("a"), h.getBodyArguments("a"), h.getQueryArguments("a")], {
        method: "POST", uri: "/?a=q", body: { a: "b" },
      });
      expect(value).to.deep.equal(["q", "b", ["b"], ["q"]]);
    });
  });

  describe("when the value has surrounding whitespace", () => {
    it("strips it by default", async () => {
      expect((await probe((h) => h.getArgument("a"), { uri: "/?a=%20x%20%0A" })).value).to.equal("x");
    });

    it("keeps it when strip is false", async () => {
      expect((await probe((h) => h.getArgument("a", null, false), { uri: "/?a=%20x%20" })).value).to.equal(" x ");
    });
  });

  describe("when the value has control characters", () => {
    it("replaces them by spaces, keeping tabs and newlines", async () => {
      const { value } = await probe((h) => h.getArgument("a", null, false), { uri: "/?a=a%00b%1Bc%09d%0Ae%0Df%7F" });
      expect(value).to.equal("a b c\td\ne\rf\x7f");
    });
  });

  describe("when the argument is missing", () => {
    it("throws MissingArgumentError, a 400", async () => {
      let caught: unknown;
      await probe((h) => {
        try {
          h.getArgument("title");
        } catch (err) {
          caught = err;
        }
      });
      expect(caught).to.be.instanceOf(MissingArgumentError);
      expect((caught as MissingArgumentError).statusCode).to.equal(400);
      expect((caught as Error).message).to.equal("Missing argument title");
    });

    it("answers 400 when not caught", async () => {
      class Strict extends RequestHandler {
        get(): void {
          this.write(this.getArgument("title"));
        }
      }
      const res = await runHandler(Strict);
      expect(res.status).to.equal(400);
      expect(res.body).to.contain("400: Bad Request");
    });

    it("returns the default when one is given (null and undefined included)", async () => {
      const { value } = await probe((h) => [h.getArgument("x", "dflt"), h.getArgument("x", null), h.getArgument("x", undefined)]);
      expect(value).to.deep.equal(["dflt", null, undefined]);
    });

    it("returns an empty list from getArguments", async () => {
      expect((await probe((h) => h.getArguments("x"))).value).to.deep.equal([]);
    });
  });

  describe("when the value is blank", () => {
    it("returns the empty string, not the default", async () => {
      expect((await probe((h) => h.getArgument("a", "dflt"), { uri: "/?a=" })).value).to.equal("");
    });
  });
});

describe("RequestHandler cookies", () => {
  it("getCookie reads the request's cookies, with a default", async () => {
    const { value } = await probe((h) => [h.getCookie("a"), h.getCookie("b", "none")], { cookies: { a: "1" } });
    expect(value).to.deep.equal(["1", "none"]);
  });

  it("setCookie sends a Set-Cookie header with its attributes", async () => {
    const { res } = await probe((h) => h.setCookie("theme", "dark", { httpOnly: true, sameSite: "Lax", path: "/app" }));
    expect(res.headers.getList("Set-Cookie")).to.deep.equal(["theme=dark; HttpOnly; Path=/app; SameSite=Lax"]);
    expect(res.cookies.theme.attributes).to.deep.equal({ httponly: true, path: "/app", samesite: "Lax" });
  });

  it("setCookie of the same name twice keeps the last", async () => {
    const { res } = await probe((h) => {
      h.setCookie("a", "1");
      h.setCookie("a", "2");
    });
    expect(res.headers.getList("Set-Cookie")).to.deep.equal(["a=2; Path=/"]);
  });

  it("setCookie throws for an invalid name", async () => {
    const { error } = await probe((h) => h.setCookie("bad name", "x"));
    expect(error).to.match(/invalid cookie|illegal cookie name/);
  });

  it("clearCookie expires the cookie in the past", async () => {
    const { res } = await probe((h) => h.clearCookie("session", { path: "/p" }));
    const cookie = res.cookies.session;
    expect(cookie.value).to.equal("");
    expect(cookie.attributes.path).to.equal("/p");
    expect(Date.parse(cookie.attributes.expires as string)).to.be.below(Date.now() - 300 * 86400_000);
  });

  it("clearAllCookies clears every cookie of the request", async () => {
    const { res } = await probe((h) => h.clearAllCookies(), { cookies: { a: "1", b: "2" } });
    expect(Object.keys(res.cookies).sort()).to.deep.equal(["a", "b"]);
  });

  it("keeps cookies on an error page", async () => {
    class SetsThenFails extends RequestHandler {
      get(): void {
        this.setCookie("seen", "1");
        throw new Error("boom");
      }
    }
    const res = await runHandler(SetsThenFails);
    expect(res.status).to.equal(500);
    expect(res.cookies.seen.value).to.equal("1");
  });
});

describe("RequestHandler secure cookies", () => {
  const settings = { cookieSecret: "It's a secret to everybody" };

  it("round-trips a value through the browser", async () => {
    const set = await probe((h) => h.setSecureCookie("user", "ben"), { settings });
    const cookie = set.res.cookies.user;
    expect(cookie.value).to.match(/^2\|1:0\|10:\d{10}\|4:user\|4:YmVu\|[0-9a-f]{64}$/);
    expect(cookie.attributes.expires).to.be.a("string");
    const got = await probe((h) => h.getSecureCookie("user"), { settings, cookies: { user: cookie.value } });
    expect(got.value).to.equal("ben");
  });

  it("the aliases setSignedCookie/getSignedCookie do the same", async () => {
    const set = await probe((h) => h.setSignedCookie("u", "x"), { settings });
    const got = await probe((h) => h.getSignedCookie("u"), { settings, cookies: { u: set.res.cookies.u.value } });
    expect(got.value).to.equal("x");
  });

  it("returns null for a tampered value", async () => {
    const value = createSignedValue(settings.cookieSecret, "user", "ben");
    const tampered = value.slice(0, -1) + (value.endsWith("0") ? "1" : "0");
    expect((await probe((h) => h.getSecureCookie("user"), { settings, cookies: { user: tampered } })).value).to.equal(null);
  });

  it("returns null for a value signed for another name", async () => {
    const value = createSignedValue(settings.cookieSecret, "other", "ben");
    expect((await probe((h) => h.getSecureCookie("user"), { settings, cookies: { user: value } })).value).to.equal(null);
  });

  it("returns null for a value older than maxAgeDays", async () => {
    const old = createSignedValue(settings.cookieSecret, "user", "ben", { clock: () => Date.now() / 1000 - 40 * 86400 });
    const got = await probe((h) => [h.getSecureCookie("user"), h.getSecureCookie("user", { maxAgeDays: 50 })], { settings, cookies: { user: old } });
    expect(got.value).to.deep.equal([null, "ben"]);
  });

  it("returns null when the cookie is absent", async () => {
    expect((await probe((h) => h.getSecureCookie("user"), { settings })).value).to.equal(null);
  });

  it("signs with keyVersion and reads every key of a rotated secret", async () => {
    const rotated = { cookieSecret: { 0: "old secret", 1: "new secret" }, keyVersion: 1 };
    const set = await probe((h) => h.setSecureCookie("user", "ben"), { settings: rotated });
    const value = set.res.cookies.user.value;
    const got = await probe((h) => [h.getSecureCookie("user"), h.getSecureCookieKeyVersion("user")], { settings: rotated, cookies: { user: value } });
    expect(got.value).to.deep.equal(["ben", 1]);
    const old = createSignedValue({ 0: "old secret" }, "user", "amy", { keyVersion: 0 });
    expect((await probe((h) => h.getSecureCookie("user"), { settings: rotated, cookies: { user: old } })).value).to.equal("amy");
  });

  it("throws an error naming cookieSecret when it is not set", async () => {
    const { error } = await probe((h) => h.setSecureCookie("user", "ben"));
    expect(error).to.contain("'cookieSecret'");
  });
});
