import { expect } from "chai";
import fc from "fast-check";
import {
  SafeString,
  jsonDecode,
  jsonEncode,
  linkify,
  squeeze,
  toUnicode,
  urlEscape,
  urlUnescape,
  urlUnescapeBytes,
  utf8,
  xhtmlEscape,
  xhtmlUnescape,
} from "../src/escape";

// A straightforward reference the fast implementation must agree with.
function referenceEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

describe("SafeString", () => {
  it("renders as its html through toString", () => {
    expect(`${new SafeString("<b>x</b>")}`).to.equal("<b>x</b>");
  });
});

describe("xhtmlEscape", () => {
  it("escapes the five HTML special characters", () => {
    expect(xhtmlEscape(`<a href="x" title='y'>&</a>`)).to.equal(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it("returns the very same string when nothing needs escaping", () => {
    const s = "plain text ".repeat(20);
    expect(xhtmlEscape(s)).to.equal(s);
  });

  it("escapes specials far past the first 32 characters", () => {
    const s = "a".repeat(100) + "<" + "b".repeat(100) + "&";
    expect(xhtmlEscape(s)).to.equal("a".repeat(100) + "&lt;" + "b".repeat(100) + "&amp;");
  });

  it("converts non-strings with String()", () => {
    expect(xhtmlEscape(42)).to.equal("42");
    expect(xhtmlEscape(null)).to.equal("null");
    expect(xhtmlEscape(Buffer.from("<é>"))).to.equal("&lt;é&gt;");
  });

  it("does not double-escape entities it produced but does escape an existing &", () => {
    expect(xhtmlEscape("&amp;")).to.equal("&amp;amp;");
  });

  it("agrees with a naive replace chain on any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("a", " ", "<", ">", "&", '"', "'", "é", "\ud83d\ude00") }), (s) => {
        expect(xhtmlEscape(s)).to.equal(referenceEscape(s));
      }),
      { numRuns: 300 },
    );
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => xhtmlEscape(s) === referenceEscape(s)), { numRuns: 300 });
  });
});

describe("xhtmlUnescape", () => {
  it("decodes the basic named entities", () => {
    expect(xhtmlUnescape("&lt;b&gt; &amp; &quot;x&quot; &apos;y&apos;")).to.equal(`<b> & "x" 'y'`);
  });

  it("decodes typographic and Latin-1 entities", () => {
    expect(xhtmlUnescape("&nbsp;&copy;&reg;&hellip;&mdash;&ndash;&lsquo;&rsquo;&ldquo;&rdquo;&euro;&eacute;&Omega;")).to.equal(
      "\u00a0©®…—–‘’“”€éΩ",
    );
  });

  it("decodes decimal and hex character references", () => {
    expect(xhtmlUnescape("&#39;&#x27;&#X41;&#128512;")).to.equal("''A\u{1F600}");
  });

  it("leaves unknown entities intact", () => {
    expect(xhtmlUnescape("&bogus; &AMP; & amp; &;")).to.equal("&bogus; &AMP; & amp; &;");
  });

  it("leaves references to invalid code points intact", () => {
    expect(xhtmlUnescape("&#1114112; &#xD800; &#xZZ; &#99999999999999;")).to.equal("&#1114112; &#xD800; &#xZZ; &#99999999999999;");
  });

  it("never throws, whatever the input", () => {
    const unit = fc.constantFrom("&", "#", "x", ";", "1", "F", "amp", "lt", "9999999");
    fc.assert(fc.property(fc.string({ unit }), (s) => typeof xhtmlUnescape(s) === "string"), { numRuns: 300 });
  });

  it("inverts xhtmlEscape", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => xhtmlUnescape(xhtmlEscape(s)) === s), { numRuns: 300 });
  });
});

describe("urlEscape", () => {
  describe("when plus is true (the default)", () => {
    it("encodes a space as + and / as %2F", () => {
      expect(urlEscape("a b/c")).to.equal("a+b%2Fc");
    });
  });

  describe("when plus is false", () => {
    it("encodes a space as %20 and keeps /", () => {
      expect(urlEscape("a b/c", false)).to.equal("a%20b/c");
    });
  });

  it("keeps only letters, digits and _ . - ~ like Python's quote", () => {
    expect(urlEscape("AZaz09_.-~")).to.equal("AZaz09_.-~");
    expect(urlEscape("!*'()+&=?#%")).to.equal("%21%2A%27%28%29%2B%26%3D%3F%23%25");
  });

  it("encodes non-ASCII as UTF-8 bytes", () => {
    expect(urlEscape("é€")).to.equal("%C3%A9%E2%82%AC");
  });

  it("encodes a lone surrogate as U+FFFD instead of throwing", () => {
    expect(urlEscape("\ud800x")).to.equal("%EF%BF%BDx");
  });

  it("encodes bytes the same way as the equivalent string", () => {
    expect(urlEscape(Buffer.from("a b/é"))).to.equal(urlEscape("a b/é"));
    expect(urlEscape(Buffer.from("a b/é"), false)).to.equal(urlEscape("a b/é", false));
    expect(urlEscape(new Uint8Array([0xff]))).to.equal("%FF");
  });
});

describe("urlUnescape", () => {
  describe("when plus is true (the default)", () => {
    it("decodes + as a space and %2B as +", () => {
      expect(urlUnescape("a+b%2Bc")).to.equal("a b+c");
    });
  });

  describe("when plus is false", () => {
    it("keeps + literal", () => {
      expect(urlUnescape("a+b%20c", false)).to.equal("a+b c");
    });
  });

  it("decodes UTF-8 escapes", () => {
    expect(urlUnescape("%C3%A9%e2%82%ac")).to.equal("é€");
  });

  describe("when an escape is malformed", () => {
    it("keeps it as written instead of throwing", () => {
      expect(urlUnescape("100%+sure%zz%4")).to.equal("100% sure%zz%4");
      expect(urlUnescape("%", false)).to.equal("%");
    });
  });

  describe("when the bytes are not valid UTF-8", () => {
    it("decodes them as U+FFFD", () => {
      expect(urlUnescape("%FF%41")).to.equal("\ufffdA");
    });
  });

  it("never throws, whatever the input", () => {
    const unit = fc.constantFrom("%", "+", "a", "F", "0", "é", "\ud800", "%C3", "%FF");
    fc.assert(fc.property(fc.string({ unit }), fc.boolean(), (s, plus) => typeof urlUnescape(s, plus) === "string"), { numRuns: 300 });
  });

  it("inverts urlEscape in both modes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.boolean(), (s, plus) => urlUnescape(urlEscape(s, plus), plus) === s),
      { numRuns: 300 },
    );
  });
});

describe("urlUnescapeBytes", () => {
  it("returns the raw bytes so callers can reject invalid UTF-8", () => {
    expect([...urlUnescapeBytes("%FF+%41")]).to.deep.equal([0xff, 0x20, 0x41]);
    expect([...urlUnescapeBytes("%FF+", false)]).to.deep.equal([0xff, 0x2b]);
  });
});

describe("jsonEncode", () => {
  it("escapes </ so the output cannot close a script element", () => {
    expect(jsonEncode({ html: "</script><script>alert(1)</script>" })).to.equal(
      '{"html":"<\\/script><script>alert(1)<\\/script>"}',
    );
  });

  it("escapes the line and paragraph separators", () => {
    expect(jsonEncode("a\u2028b\u2029")).to.equal('"a\\u2028b\\u2029"');
  });

  it("encodes undefined as null", () => {
    expect(jsonEncode(undefined)).to.equal("null");
  });

  it("round-trips through jsonDecode", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      expect(jsonDecode(jsonEncode(v))).to.deep.equal(JSON.parse(JSON.stringify(v)));
    }), { numRuns: 200 });
  });
});

describe("jsonDecode", () => {
  it("parses strings and UTF-8 bytes", () => {
    expect(jsonDecode('{"a":[1,"é"]}')).to.deep.equal({ a: [1, "é"] });
    expect(jsonDecode(Buffer.from('"é"'))).to.equal("é");
  });

  it("throws a SyntaxError on malformed JSON", () => {
    expect(() => jsonDecode("{")).to.throw(SyntaxError);
  });
});

describe("squeeze", () => {
  it("collapses runs of whitespace and control characters into one space and trims", () => {
    expect(squeeze("  a \t\n\r\u0000\u0001 b\u00a0\u00a0c  ")).to.equal("a b c");
  });

  it("returns an empty string for whitespace only", () => {
    expect(squeeze(" \n\t ")).to.equal("");
  });
});

describe("utf8", () => {
  it("encodes strings as UTF-8", () => {
    expect([...utf8("é")]).to.deep.equal([0xc3, 0xa9]);
  });

  it("returns a Buffer unchanged and wraps other bytes without copying", () => {
    const b = Buffer.from("x");
    expect(utf8(b)).to.equal(b);
    const u = new Uint8Array([1, 2, 3]);
    const wrapped = utf8(u);
    u[0] = 9;
    expect(wrapped[0]).to.equal(9);
  });

  it("throws a TypeError for other values", () => {
    expect(() => utf8(5 as unknown as string)).to.throw(TypeError, /number/);
  });
});

describe("toUnicode", () => {
  it("decodes UTF-8 bytes and returns strings unchanged", () => {
    expect(toUnicode(Buffer.from([0xc3, 0xa9]))).to.equal("é");
    expect(toUnicode(new Uint8Array([0x41]))).to.equal("A");
    expect(toUnicode("x")).to.equal("x");
  });

  describe("when the bytes are not valid UTF-8", () => {
    it("substitutes U+FFFD by default", () => {
      expect(toUnicode(Buffer.from([0xff]))).to.equal("\ufffd");
    });

    it("throws with strict", () => {
      expect(() => toUnicode(Buffer.from([0xff]), { strict: true })).to.throw(TypeError);
    });
  });

  it("throws a TypeError for other values", () => {
    expect(() => toUnicode(null as unknown as string)).to.throw(TypeError, /null/);
  });
});

describe("linkify", () => {
  it("escapes the text before linking", () => {
    expect(linkify("<b> & http://x.com")).to.equal('&lt;b&gt; &amp; <a href="http://x.com">http://x.com</a>');
  });

  it("links bare www. addresses with http://", () => {
    expect(linkify("go to www.example.com now")).to.equal('go to <a href="http://www.example.com">www.example.com</a> now');
  });

  it("keeps & in the query string escaped in both href and text", () => {
    expect(linkify("http://a.com/q?x=1&y=2")).to.equal(
      '<a href="http://a.com/q?x=1&amp;y=2">http://a.com/q?x=1&amp;y=2</a>',
    );
  });

  describe("when the URL is followed by punctuation", () => {
    it("leaves the punctuation out of the link", () => {
      expect(linkify("hello http://world.com/!")).to.equal('hello <a href="http://world.com/">http://world.com/</a>!');
      expect(linkify("see http://a.com/wp/?p=364.")).to.equal('see <a href="http://a.com/wp/?p=364">http://a.com/wp/?p=364</a>.');
      expect(linkify("http://a.com, http://b.com;")).to.equal(
        '<a href="http://a.com">http://a.com</a>, <a href="http://b.com">http://b.com</a>;',
      );
    });
  });

  describe("when the URL is quoted or in angle brackets", () => {
    it("stops before the quote or bracket", () => {
      expect(linkify(`"http://x.com" <http://y.com> 'http://z.com'`)).to.equal(
        '&quot;<a href="http://x.com">http://x.com</a>&quot; &lt;<a href="http://y.com">http://y.com</a>&gt; ' +
          '&#39;<a href="http://z.com">http://z.com</a>&#39;',
      );
    });
  });

  describe("when the URL contains parentheses", () => {
    it("includes balanced pairs", () => {
      expect(linkify("http://url.com/w(aaa)")).to.equal('<a href="http://url.com/w(aaa)">http://url.com/w(aaa)</a>');
      expect(linkify("http://url.com/w(aaa)(bbb)")).to.equal(
        '<a href="http://url.com/w(aaa)(bbb)">http://url.com/w(aaa)(bbb)</a>',
      );
    });

    it("excludes an unbalanced parenthesis", () => {
      expect(linkify("(see http://x.com/a).")).to.equal('(see <a href="http://x.com/a">http://x.com/a</a>).');
      expect(linkify("http://url.com/w(a(aa)")).to.equal('<a href="http://url.com/w">http://url.com/w</a>(a(aa)');
      expect(linkify("http://url.com/w(aa)a)")).to.equal('<a href="http://url.com/w(aa)a">http://url.com/w(aa)a</a>)');
    });
  });

  describe("protocols", () => {
    it("links only http and https by default", () => {
      expect(linkify("A file:///passwords.txt and http://web.com link")).to.equal(
        'A file:///passwords.txt and <a href="http://web.com">http://web.com</a> link',
      );
      expect(linkify("javascript://%0aalert(1)")).to.equal("javascript://%0aalert(1)");
    });

    it("links exactly the permitted protocols when given", () => {
      expect(linkify("A file:///passwords.txt and http://web.com link", { permittedProtocols: ["file"] })).to.equal(
        'A <a href="file:///passwords.txt">file:///passwords.txt</a> and http://web.com link',
      );
    });

    it("compares protocols case-insensitively", () => {
      expect(linkify("HTTP://X.COM")).to.equal('<a href="HTTP://X.COM">HTTP://X.COM</a>');
    });

    it("does not start a link in the middle of a word", () => {
      expect(linkify("xwww.a.com")).to.equal("xwww.a.com");
    });
  });

  describe("when requireProtocol is set", () => {
    it("leaves bare www. addresses as text", () => {
      expect(linkify("www.a.com and http://b.com", { requireProtocol: true })).to.equal(
        'www.a.com and <a href="http://b.com">http://b.com</a>',
      );
    });
  });

  describe("extraParams", () => {
    it("adds a fixed attribute string to every link", () => {
      expect(linkify("www.a.com", { extraParams: '  rel="nofollow" class="external" ' })).to.equal(
        '<a href="http://www.a.com" rel="nofollow" class="external">www.a.com</a>',
      );
    });

    it("calls a function with the href for per-link attributes", () => {
      const extraParams = (href: string) => (href.startsWith("http://www.internal.com") ? 'class="internal"' : 'rel="nofollow"');
      expect(linkify("www.internal.com www.other.com", { extraParams })).to.equal(
        '<a href="http://www.internal.com" class="internal">www.internal.com</a> ' +
          '<a href="http://www.other.com" rel="nofollow">www.other.com</a>',
      );
    });
  });

  describe("when shorten is set", () => {
    it("clips a long URL to host and path hint with the full URL as title", () => {
      const url = "http://reallylong.com/link/that/exceedsthelenglimit.html";
      expect(linkify(`A ${url}`, { shorten: true })).to.equal(`A <a href="${url}" title="${url}">http://reallylong.com/link...</a>`);
    });

    it("cuts a very long host at 30 characters", () => {
      const url = "http://reallylongdomainnamethatwillbetoolong.com/hi";
      expect(linkify(`A ${url}!`, { shorten: true })).to.equal(
        `A <a href="${url}" title="${url}">http://reallylongdomainnametha...</a>!`,
      );
    });

    it("drops the query string from the path hint", () => {
      const url = "https://www.external-link.com/testing?very_long_url_to_be_shortened_url=1";
      expect(linkify(url, { shorten: true })).to.equal(`<a href="${url}" title="${url}">https://www.external-link.com/testing...</a>`);
    });

    it("never shows half an entity", () => {
      const out = linkify("http://example.com/abcd&efgh/ijklmnopqrstuvwxyz", { shorten: true });
      expect(out).to.match(/>http:\/\/example\.com\/abcd\.\.\.<\/a>$/);
    });

    it("leaves short URLs alone without a title", () => {
      expect(linkify("http://short.com/a", { shorten: true })).to.equal('<a href="http://short.com/a">http://short.com/a</a>');
    });
  });

  it("returns text without URLs escaped but otherwise unchanged", () => {
    expect(linkify("(no link here) a.b www")).to.equal("(no link here) a.b www");
  });

  it("finishes quickly on pathological input", () => {
    // A catastrophic-backtracking regex would hang here for minutes.
    const out = linkify("http://" + "!".repeat(20000) + " www." + "a!".repeat(20000) + " http://" + "(a".repeat(10000));
    expect(out).to.include("<a href=");
  });
});
