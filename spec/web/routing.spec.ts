import { expect } from "chai";
import * as sinon from "sinon";
import { HTTPError } from "../../src/web/errors";
import {
  formatRouteTable, HostRouter, implementedVerbs, urlSpec, UrlTable, type HandlerClass, type URLSpec,
} from "../../src/web/routing";

// The router only stores and names handler classes; small dummies stand in for RequestHandlers.
function handler(name: string, verbs: string[] = ["get"]): HandlerClass {
  const cls = { [name]: class {} }[name];
  for (const verb of verbs) (cls.prototype as Record<string, unknown>)[verb] = function verb(): void {};
  return cls as unknown as HandlerClass;
}

const Main = handler("MainHandler");
const Story = handler("StoryHandler");
const Other = handler("OtherHandler");

describe("urlSpec", () => {
  describe("when the pattern has no trailing $", () => {
    it("appends one", () => {
      expect(urlSpec("/story/([0-9]+)", Story).pattern).to.equal("/story/([0-9]+)$");
    });
  });

  describe("when the pattern already ends with $", () => {
    it("keeps it as is", () => {
      expect(urlSpec("/a$", Main).pattern).to.equal("/a$");
    });
  });

  describe("when the pattern ends with an escaped \\$", () => {
    it("still appends the anchor", () => {
      const spec = urlSpec("/price\\$", Main);
      expect(spec.pattern).to.equal("/price\\$$");
      expect(spec.literal).to.equal("/price$");
    });
  });

  describe("when the pattern is plain text", () => {
    it("records it as a literal path", () => {
      expect(urlSpec("/about/team", Main).literal).to.equal("/about/team");
    });

    it("treats ^…$ anchors as part of the syntax, not the path", () => {
      expect(urlSpec("^/about$", Main).literal).to.equal("/about");
    });

    it("unescapes escaped punctuation such as \\.", () => {
      expect(urlSpec("/robots\\.txt", Main).literal).to.equal("/robots.txt");
    });
  });

  describe("when the pattern has regex syntax", () => {
    for (const pattern of ["/robots.txt", "/story/([0-9]+)", "/a/?", "/a|/b", "/[ab]", "/\\d"]) {
      it(`does not treat ${JSON.stringify(pattern)} as a literal`, () => {
        expect(urlSpec(pattern, Main).literal).to.equal(null);
      });
    }
  });

  describe("when given a RegExp", () => {
    it("uses its source", () => {
      const spec = urlSpec(/\/items\/(\d+)/, Main);
      expect(spec.pattern).to.equal("\\/items\\/(\\d+)$");
      expect(spec.regex.test("/items/12")).to.equal(true);
    });

    it("treats a plain RegExp as a literal path", () => {
      expect(urlSpec(/\/plain/, Main).literal).to.equal("/plain");
    });

    it("keeps the case-insensitive flag, which rules out the literal map", () => {
      const spec = urlSpec(/\/About/i, Main);
      expect(spec.literal).to.equal(null);
      expect(spec.regex.test("/about")).to.equal(true);
    });

    it("drops the global flag so matching stays stateless", () => {
      const spec = urlSpec(/\/g(\d)/g, Main);
      expect(spec.regex.test("/g1")).to.equal(true);
      expect(spec.regex.test("/g1")).to.equal(true);
    });
  });

  it("anchors the pattern at both ends", () => {
    const spec = urlSpec("/a", Main);
    expect(spec.regex.test("/a")).to.equal(true);
    expect(spec.regex.test("/a/b")).to.equal(false);
    expect(spec.regex.test("x/a")).to.equal(false);
  });

  it("anchors every alternative, not only the last", () => {
    const spec = urlSpec("/a|/b", Main);
    expect(spec.regex.test("/a/extra")).to.equal(false);
    expect(spec.regex.test("/a")).to.equal(true);
  });

  it("counts the capturing groups", () => {
    expect(urlSpec("/(a)/(?:b)/(?<c>c)", Main).groupCount).to.equal(2);
  });

  it("stores init, name, host and priority", () => {
    const spec = urlSpec("/x(.*)", Main, { db: 1 }, "x", { host: "example\\.com", priority: 5 });
    expect(spec).to.include({ name: "x", host: "example\\.com", priority: 5 });
    expect(spec.init).to.deep.equal({ db: 1 });
  });

  it("numbers specs in creation order", () => {
    const a = urlSpec("/first", Main);
    const b = urlSpec("/second", Main);
    expect(b.order).to.be.greaterThan(a.order);
  });

  describe("when the pattern is not a valid regex", () => {
    it("throws a SyntaxError naming the pattern", () => {
      expect(() => urlSpec("/broken/(", Main)).to.throw(SyntaxError, 'invalid route pattern "/broken/("');
    });
  });

  describe("when the handler is not a class", () => {
    it("throws a TypeError", () => {
      expect(() => urlSpec("/x", "nope" as unknown as HandlerClass)).to.throw(TypeError, "the handler must be a class");
    });
  });

  describe("when the priority is not a finite number", () => {
    it("throws a TypeError", () => {
      expect(() => urlSpec("/x(.*)", Main, undefined, undefined, { priority: NaN })).to.throw(TypeError, "priority");
    });
  });
});

describe("UrlTable#match", () => {
  describe("when a literal and a regex route both match", () => {
    it("returns the literal route even when the regex was added first", () => {
      const table = new UrlTable([urlSpec("/(.*)", Other), urlSpec("/about", Main)]);
      expect(table.match("/about")?.spec.handlerClass).to.equal(Main);
      expect(table.match("/contact")?.spec.handlerClass).to.equal(Other);
    });
  });

  describe("when the path is a literal route", () => {
    it("does not run any regex route", () => {
      const regexSpecs = Array.from({ length: 50 }, (_, i) => urlSpec(`/r${i}/(.*)`, Other));
      const table = new UrlTable([...regexSpecs, urlSpec("/exact", Main)]);
      const spies = regexSpecs.map((s) => sinon.spy(s.regex, "exec"));
      expect(table.match("/exact")?.spec.handlerClass).to.equal(Main);
      for (const spy of spies) expect(spy.called).to.equal(false);
    });

    it("returns no arguments", () => {
      expect(new UrlTable([urlSpec("/exact", Main)]).match("/exact")).to.deep.include({ pathArgs: [], pathKwargs: {} });
    });
  });

  describe("when several regex routes match", () => {
    it("prefers the higher priority", () => {
      const table = new UrlTable([
        urlSpec("/items/(.*)", Other),
        urlSpec("/items/([0-9]+)", Story, undefined, undefined, { priority: 10 }),
      ]);
      expect(table.match("/items/42")?.spec.handlerClass).to.equal(Story);
      expect(table.match("/items/abc")?.spec.handlerClass).to.equal(Other);
    });

    it("takes the one added first among equal priorities", () => {
      const table = new UrlTable([urlSpec("/items/([0-9]+)", Story), urlSpec("/items/(.*)", Other)]);
      expect(table.match("/items/42")?.spec.handlerClass).to.equal(Story);
      const reversed = new UrlTable([urlSpec("/items/(.*)", Other), urlSpec("/items/([0-9]+)", Story)]);
      expect(reversed.match("/items/42")?.spec.handlerClass).to.equal(Other);
    });
  });

  describe("when nothing matches", () => {
    it("returns null", () => {
      expect(new UrlTable([urlSpec("/a", Main), urlSpec("/b/(.*)", Main)]).match("/c")).to.equal(null);
    });
  });

  describe("when the pattern has unnamed groups", () => {
    it("returns them in order as pathArgs", () => {
      const m = new UrlTable([urlSpec("/(\\w+)/(\\d+)", Story)]).match("/story/7");
      expect(m?.pathArgs).to.deep.equal(["story", "7"]);
      expect(m?.pathKwargs).to.deep.equal({});
    });

    it("URL-unescapes them, %2F included", () => {
      const m = new UrlTable([urlSpec("/f/(.*)", Story)]).match("/f/a%20b%2Fc%C3%A9");
      expect(m?.pathArgs).to.deep.equal(["a b/cé"]);
    });

    it("leaves + as +", () => {
      expect(new UrlTable([urlSpec("/f/(.*)", Story)]).match("/f/a+b")?.pathArgs).to.deep.equal(["a+b"]);
    });

    it("passes undefined for an optional group that did not match", () => {
      const m = new UrlTable([urlSpec("/p(/(\\d+))?", Story)]).match("/p");
      expect(m?.pathArgs).to.deep.equal([undefined, undefined]);
    });
  });

  describe("when the pattern has named groups", () => {
    it("returns them as pathKwargs and leaves pathArgs empty", () => {
      const m = new UrlTable([urlSpec("/(\\w+)/(?<id>\\d+)", Story)]).match("/story/7");
      expect(m?.pathKwargs).to.deep.equal({ id: "7" });
      expect(m?.pathArgs).to.deep.equal([]);
    });

    it("URL-unescapes them", () => {
      const m = new UrlTable([urlSpec("/u/(?<user>.+)", Story)]).match("/u/J%C3%BCrgen");
      expect(m?.pathKwargs).to.deep.equal({ user: "Jürgen" });
    });

    it("omits a named group that did not match", () => {
      const m = new UrlTable([urlSpec("/n(/(?<id>\\d+))?", Story)]).match("/n");
      expect(m?.pathKwargs).to.deep.equal({});
    });
  });

  describe("when an argument is not valid UTF-8", () => {
    it("throws HTTPError 400", () => {
      const table = new UrlTable([urlSpec("/f/(.*)", Story)]);
      expect(() => table.match("/f/%FF")).to.throw(HTTPError).with.property("statusCode", 400);
    });
  });

  describe("when an argument has a malformed escape", () => {
    it("throws HTTPError 400", () => {
      const table = new UrlTable([urlSpec("/u/(?<user>.*)", Story)]);
      expect(() => table.match("/u/%zz")).to.throw(HTTPError).with.property("statusCode", 400);
    });
  });
});

describe("UrlTable#add", () => {
  describe("when a literal path is added twice", () => {
    it("throws naming both classes", () => {
      const table = new UrlTable([urlSpec("/x", Main)]);
      expect(() => table.add(urlSpec("^/x$", Other))).to.throw('route "/x" declared twice: MainHandler and OtherHandler');
    });
  });

  describe("when a regex pattern is added twice", () => {
    it("throws naming both classes", () => {
      const table = new UrlTable([urlSpec("/x/(.*)", Main)]);
      expect(() => table.add(urlSpec("/x/(.*)$", Other))).to.throw('route "/x/(.*)$" declared twice: MainHandler and OtherHandler');
    });
  });

  describe("when a name is used twice", () => {
    it("throws naming both classes", () => {
      const table = new UrlTable([urlSpec("/a", Main, undefined, "home")]);
      expect(() => table.add(urlSpec("/b", Other, undefined, "home"))).to.throw(
        'route name "home" declared twice: MainHandler and OtherHandler',
      );
    });
  });

  it("lists specs in match order: literals, then regexes by priority", () => {
    const r1 = urlSpec("/r1/(.*)", Main);
    const lit = urlSpec("/lit", Main);
    const r2 = urlSpec("/r2/(.*)", Main, undefined, undefined, { priority: 3 });
    expect(new UrlTable([r1, lit, r2]).specs).to.deep.equal([lit, r2, r1]);
  });

  it("rejects something that is not a spec", () => {
    expect(() => new UrlTable().add({} as URLSpec)).to.throw(TypeError, "urlSpec");
  });
});

describe("UrlTable#reverse", () => {
  const table = new UrlTable([
    urlSpec("/", Main, undefined, "home"),
    urlSpec("/story/([0-9]+)", Story, undefined, "story"),
    urlSpec("/files/(.*)/v(\\d+)", Story, undefined, "file"),
    urlSpec("/robots\\.txt", Main, undefined, "robots"),
    urlSpec("/sitemap.xml", Main, undefined, "sitemap"),
    urlSpec("/u/(?<user>[^/]+)", Main, undefined, "user"),
    urlSpec("/a|/b", Main, undefined, "alt"),
    urlSpec("/d/\\d+", Main, undefined, "digits"),
    urlSpec("/opt/(\\d+)?", Main, undefined, "optional"),
    urlSpec("/nest/((\\d)+)", Main, undefined, "nested"),
    urlSpec("/nc/(?:x)", Main, undefined, "noncapturing"),
  ]);

  it("returns a literal path as is", () => {
    expect(table.reverse("home")).to.equal("/");
  });

  it("fills the groups with the arguments", () => {
    expect(table.reverse("story", 42)).to.equal("/story/42");
    expect(table.reverse("file", "docs", 3)).to.equal("/files/docs/v3");
  });

  it("URL-escapes arguments, keeping / and writing space as %20", () => {
    expect(table.reverse("file", "a b/c?d&e+f", "1")).to.equal("/files/a%20b/c%3Fd%26e%2Bf/v1");
    expect(table.reverse("story", "é")).to.equal("/story/%C3%A9");
  });

  it("unescapes escaped characters and keeps a bare dot", () => {
    expect(table.reverse("robots")).to.equal("/robots.txt");
    expect(table.reverse("sitemap")).to.equal("/sitemap.xml");
  });

  it("fills named groups positionally", () => {
    expect(table.reverse("user", "ann")).to.equal("/u/ann");
  });

  describe("when the name is unknown", () => {
    it("throws naming it", () => {
      expect(() => table.reverse("nope")).to.throw('no route named "nope"');
    });
  });

  describe("when the argument count is wrong", () => {
    it("throws saying how many are needed", () => {
      expect(() => table.reverse("story")).to.throw("needs 1 argument(s), got 0");
      expect(() => table.reverse("home", 1)).to.throw("needs 0 argument(s), got 1");
    });
  });

  describe("when the pattern can't be reversed", () => {
    for (const [name, why] of [
      ["alt", '"|" outside a group'],
      ["digits", "escape \\d outside a group"],
      ["optional", '"?" outside a group'],
      ["nested", "nested groups"],
      ["noncapturing", "non-capturing group"],
    ]) {
      it(`throws for ${name}`, () => {
        expect(() => table.reverse(name, 1)).to.throw(`cannot reverse route "${name}"`).with.property("message").that.contains(why);
      });
    }
  });
});

describe("HostRouter", () => {
  const Www = handler("WwwHandler");
  const Api = handler("ApiHandler");

  function router(): HostRouter {
    const r = new HostRouter();
    r.addHandlers(".*$", [urlSpec("/", Main, undefined, "home"), urlSpec("/shared", Main)]);
    r.addHandlers("www\\.example\\.com", [urlSpec("/", Www, undefined, "www-home")]);
    r.addHandlers("api\\.example\\.com", [urlSpec("/v1/(\\w+)", Api, undefined, "api")]);
    return r;
  }

  describe("#match", () => {
    it("routes by host name", () => {
      const r = router();
      expect(r.match("www.example.com", "/")?.spec.handlerClass).to.equal(Www);
      expect(r.match("other.org", "/")?.spec.handlerClass).to.equal(Main);
      expect(r.match("api.example.com", "/v1/users")?.pathArgs).to.deep.equal(["users"]);
    });

    it("keeps the catch-all group last even though it was added first", () => {
      expect(router().tables.map((t) => t.hostPattern)).to.deep.equal([
        "www\\.example\\.com$", "api\\.example\\.com$", ".*$",
      ]);
    });

    it("anchors host patterns", () => {
      expect(router().match("www.example.com.evil.org", "/")?.spec.handlerClass).to.equal(Main);
    });

    it("matches host names case-insensitively", () => {
      const r = new HostRouter();
      r.addHandlers("Example\\.com", [urlSpec("/", Www)]);
      expect(r.match("example.com", "/")?.spec.handlerClass).to.equal(Www);
    });

    it("falls through to the next matching group when a group lacks the path", () => {
      expect(router().match("www.example.com", "/shared")?.spec.handlerClass).to.equal(Main);
    });

    it("returns null when no group has the path", () => {
      expect(router().match("api.example.com", "/missing")).to.equal(null);
    });

    it("puts a spec with its own host in that host's group", () => {
      const r = new HostRouter();
      r.addHandlers(".*$", [urlSpec("/", Main), urlSpec("/", Api, undefined, undefined, { host: "api\\.x" })]);
      expect(r.match("api.x", "/")?.spec.handlerClass).to.equal(Api);
      expect(r.match("www.x", "/")?.spec.handlerClass).to.equal(Main);
    });
  });

  describe("#match with defaultHost", () => {
    function hostOnly(): HostRouter {
      const r = new HostRouter();
      r.addHandlers("www\\.example\\.com", [urlSpec("/", Www)]);
      r.addHandlers("api\\.example\\.com", [urlSpec("/", Api)]);
      return r;
    }

    it("routes an unknown host as the default host", () => {
      expect(hostOnly().match("10.0.0.1", "/", "api.example.com")?.spec.handlerClass).to.equal(Api);
    });

    it("returns null for an unknown host without a default", () => {
      expect(hostOnly().match("10.0.0.1", "/")).to.equal(null);
    });

    it("does not apply when a group matched the host", () => {
      const r = hostOnly();
      r.addHandlers("www\\.example\\.com", [urlSpec("/only-www", Www)]);
      expect(r.match("www.example.com", "/missing", "api.example.com")).to.equal(null);
    });
  });

  describe("#reverse", () => {
    it("finds the name in any group", () => {
      const r = router();
      expect(r.reverse("www-home")).to.equal("/");
      expect(r.reverse("api", "a b")).to.equal("/v1/a%20b");
    });

    it("throws for an unknown name", () => {
      expect(() => router().reverse("nope")).to.throw('no route named "nope"');
    });
  });

  describe("#addHandlers", () => {
    it("refuses a name already used in another group", () => {
      expect(() => router().addHandlers("x\\.org", [urlSpec("/h", Other, undefined, "home")])).to.throw(
        'route name "home" declared twice: MainHandler and OtherHandler',
      );
    });

    it("adds to the existing group of the same pattern", () => {
      const r = router();
      r.addHandlers("www\\.example\\.com", [urlSpec("/more", Www)]);
      expect(r.tables).to.have.length(3);
      expect(r.match("www.example.com", "/more")?.spec.handlerClass).to.equal(Www);
    });
  });
});

describe("formatRouteTable", () => {
  it("lists methods, pattern, class and name, one route a line", () => {
    const text = formatRouteTable([
      urlSpec("/", handler("MainHandler", ["get", "post"]), undefined, "home"),
      urlSpec("/story/([0-9]+)", handler("StoryHandler", ["get"])),
    ]);
    const lines = text.split("\n");
    expect(lines).to.have.length(3);
    expect(lines[0]).to.match(/^METHODS\s+PATTERN\s+HANDLER\s+NAME$/);
    expect(lines[1]).to.match(/^GET POST\s+\/\$\s+MainHandler\s+home$/);
    expect(lines[2]).to.match(/^GET\s+\/story\/\(\[0-9\]\+\)\$\s+StoryHandler$/);
  });

  it("adds a host column when a route has a host", () => {
    const text = formatRouteTable([urlSpec("/", Main, undefined, undefined, { host: "a\\.com" })]);
    expect(text.split("\n")[1]).to.match(/^GET\s+a\\\.com\s+\/\$\s+MainHandler$/);
  });
});

describe("implementedVerbs", () => {
  it("lists the verbs the class defines, in the standard order", () => {
    expect(implementedVerbs(handler("H", ["put", "get", "options"]))).to.deep.equal(["GET", "PUT", "OPTIONS"]);
  });

  it("skips verbs inherited unchanged from the base class", () => {
    class Base {
      get(): void {}
      head(): void {}
    }
    class Child extends Base {
      override get(): void {}
    }
    const verbs = implementedVerbs(Child as unknown as HandlerClass, Base);
    expect(verbs).to.deep.equal(["GET"]);
  });

  it("skips verbs defined only on a base class named RequestHandler", () => {
    class RequestHandler {
      get(): void {}
      head(): void {}
    }
    class Page extends RequestHandler {
      post(): void {}
    }
    expect(implementedVerbs(Page as unknown as HandlerClass)).to.deep.equal(["POST"]);
  });
});
