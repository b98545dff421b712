import { expect } from "chai";
import { SafeString } from "../../src/escape";
import { ParseError, Template, templateLocation } from "../../src/template";

function render(source: string, ns: Record<string, unknown> = {}, opts: ConstructorParameters<typeof Template>[1] = {}): string {
  return new Template(source, opts).generate(ns);
}

function parseError(source: string, opts: ConstructorParameters<typeof Template>[1] = {}): ParseError {
  try {
    new Template(source, opts);
  } catch (err) {
    expect(err).to.be.instanceOf(ParseError);
    return err as ParseError;
  }
  throw new Error("expected a ParseError");
}

describe("Template#generate", () => {
  describe("when the template is plain text", () => {
    it("returns the text unchanged", () => {
      expect(render("hello\n  world ")).to.equal("hello\n  world ");
    });
  });

  describe("with {{ expression }}", () => {
    it("outputs JavaScript expression values", () => {
      expect(render("{{ a + b }} {{ items[0] }} {{ user.name.toUpperCase() }}", { a: 1, b: 2, items: ["x"], user: { name: "ann" } }))
        .to.equal("3 x ANN");
    });

    it("outputs nothing for null and undefined", () => {
      expect(render("[{{ a }}][{{ b }}]", { a: null, b: undefined })).to.equal("[][]");
    });

    it("outputs false and 0 as text", () => {
      expect(render("{{ f }}{{ z }}", { f: false, z: 0 })).to.equal("false0");
    });

    it("finds the end of an expression past braces and strings that contain }}", () => {
      expect(render('{{ JSON.stringify({a: {b: "}}"}}) }}', {}, { autoescape: null })).to.equal('{"a":{"b":"}}"}}');
    });

    it("supports template literals and arrow functions", () => {
      expect(render("{{ `${items.map((x) => x * 2).join(\",\")}` }}", { items: [1, 2] })).to.equal("2,4");
    });

    it("takes globals such as Math and JSON from the JavaScript environment", () => {
      expect(render("{{ Math.max(1, 5) }}")).to.equal("5");
    });

    it("lets render arguments shadow globals", () => {
      expect(render("{{ Math }}", { Math: "mine" })).to.equal("mine");
    });
  });

  describe("with Python spellings in expressions", () => {
    it("accepts True, False, None, and, or, not", () => {
      expect(render("{{ True and not False }} {{ None or 'x' }}")).to.equal("true x");
    });

    it("passes keyword arguments as a trailing object", () => {
      const f = (a: number, kw: Record<string, unknown>) => `${a}:${JSON.stringify(kw)}`;
      expect(render("{{ f(1, show=True, n=2) }}", { f }, { autoescape: null })).to.equal('1:{"show":true,"n":2}');
    });

    it("formats strings with % and a dict or a tuple", () => {
      expect(render('{{ "%(n)d people" % {"n": 3} }}|{{ "%s of %s" % (1, 2) }}|{{ 7 % 3 }}')).to.equal("3 people|1 of 2|1");
    });

    it("keeps object keys and member names that look like Python words", () => {
      expect(render("{{ o.and }}{{ JSON.stringify({or: 1}) }}", { o: { and: "A" } }, { autoescape: null })).to.equal('A{"or":1}');
    });
  });

  describe("with comments and literal escapes", () => {
    it("drops {# comments #}", () => {
      expect(render("a{# hidden {{ x }} #}b")).to.equal("ab");
    });

    it("outputs {{!, {%! and {#! as literal {{, {% and {#", () => {
      expect(render("{{! x }} {%! if %} {#! c #}")).to.equal("{{ x }} {% if %} {# c #}");
    });

    it("drops {% comment %} tags, even with an unpaired quote", () => {
      expect(render("a{% comment it's {{ here }} %}b")).to.equal("ab");
    });
  });

  describe("with if / elif / else", () => {
    const source = "{% if n > 1 %}many{% elif n == 1 %}one{% else %}none{% end %}";

    it("takes the first true branch", () => {
      expect([2, 1, 0].map((n) => render(source, { n }))).to.deep.equal(["many", "one", "none"]);
    });

    it("treats empty arrays, Maps and Sets as false, as Python does", () => {
      expect(render("{% if xs %}y{% else %}n{% end %}", { xs: [] })).to.equal("n");
      expect(render("{% if xs %}y{% else %}n{% end %}", { xs: new Map() })).to.equal("n");
      expect(render("{% if xs %}y{% else %}n{% end %}", { xs: [0] })).to.equal("y");
    });

    it("supports len() as in the seed README", () => {
      expect(render("{% if len(items) > 2 %}long{% end %}", { items: [1, 2, 3] })).to.equal("long");
    });
  });

  describe("with for loops", () => {
    it("iterates arrays", () => {
      expect(render("{% for x in xs %}<{{ x }}>{% end %}", { xs: [1, 2] })).to.equal("<1><2>");
    });

    it("iterates Sets, strings and generators", () => {
      function* gen() { yield "g1"; yield "g2"; }
      expect(render("{% for x in s %}{{ x }}{% end %}|{% for c in str %}{{ c }}.{% end %}|{% for g in gen() %}{{ g }}{% end %}", { s: new Set([1, 2]), str: "ab", gen }))
        .to.equal("12|a.b.|g1g2");
    });

    it("iterates a plain object's keys with one target", () => {
      expect(render("{% for k in o %}{{ k }}{% end %}", { o: { a: 1, b: 2 } })).to.equal("ab");
    });

    it("destructures entries of plain objects and Maps with two targets", () => {
      expect(render("{% for k, v in o %}{{ k }}={{ v }};{% end %}", { o: { a: 1, b: 2 } })).to.equal("a=1;b=2;");
      expect(render("{% for k, v in o %}{{ k }}={{ v }};{% end %}", { o: new Map([["x", 9]]) })).to.equal("x=9;");
      expect(render("{% for (i, x) in enumerate(xs) %}{{ i }}{{ x }}{% end %}", { xs: ["a", "b"] })).to.equal("0a1b");
    });

    it("counts with range()", () => {
      expect(render("{% for i in range(3) %}{{ i }}{% end %}")).to.equal("012");
    });

    it("runs the else clause only when the loop did not break", () => {
      const source = "{% for x in xs %}{% if x == 2 %}{% break %}{% end %}{{ x }}{% else %}done{% end %}";
      expect(render(source, { xs: [1, 3] })).to.equal("13done");
      expect(render(source, { xs: [1, 2, 3] })).to.equal("1");
    });

    it("supports continue", () => {
      expect(render("{% for x in range(5) %}{% if x % 2 %}{% continue %}{% end %}{{ x }}{% end %}")).to.equal("024");
    });

    it("throws a located error when looping over null", () => {
      expect(() => render("a\n{% for x in nothing %}{% end %}", { nothing: null }, { name: "t.txt" })).to.throw(TypeError, "t.txt:2");
    });
  });

  describe("with while loops", () => {
    it("loops while the condition holds, with set, break and continue", () => {
      const source = "{% set i = 0 %}{% while True %}{% set i += 1 %}{% if i == 2 %}{% continue %}{% end %}{% if i > 4 %}{% break %}{% end %}{{ i }}{% end %}";
      expect(render(source)).to.equal("134");
    });
  });

  describe("with try / except / else / finally", () => {
    const boom = () => { throw new Error("boom"); };

    it("runs except with the error bound to the given name", () => {
      expect(render("{% try %}a{{ boom() }}{% except e %}[{{ e.message }}]{% end %}", { boom })).to.equal("a[boom]");
    });

    it("runs else when nothing was thrown, and finally always", () => {
      const source = "{% try %}{{ f() }}{% except %}E{% else %}L{% finally %}F{% end %}";
      expect(render(source, { f: () => "ok" })).to.equal("okLF");
      expect(render(source, { f: boom })).to.equal("EF");
    });

    it("runs finally and rethrows when there is no except", () => {
      const t = new Template("{% try %}{{ f() }}{% finally %}{{ done() }}{% end %}");
      let finished = false;
      expect(() => t.generate({ f: boom, done: () => { finished = true; } })).to.throw("boom");
      expect(finished).to.equal(true);
    });
  });

  describe("with set", () => {
    it("assigns variables visible to later expressions", () => {
      expect(render("{% set x = 2 %}{% set y = x * 3 %}{{ y }}")).to.equal("6");
    });

    it("shadows a render argument of the same name", () => {
      expect(render("{{ x }}{% set x = 5 %}{{ x }}", { x: 1 })).to.equal("15");
    });
  });

  describe("with apply", () => {
    it("passes the rendered body through the function, unescaped", () => {
      expect(render("{% apply upper %}a<{{ b }}>{% end %}!", { upper: (s: string) => s.toUpperCase(), b: "&" })).to.equal("A<&AMP;>!");
    });
  });

  describe("with raw and module", () => {
    it("outputs raw expressions unescaped", () => {
      expect(render("{% raw html %}|{{ html }}", { html: "<b>" })).to.equal("<b>|&lt;b&gt;");
    });

    it("calls modules.Name for {% module Name(...) %} and outputs it unescaped", () => {
      const modules = { Box: (x: string) => `<div>${x}</div>` };
      expect(render("{% module Box('hi') %}", { modules })).to.equal("<div>hi</div>");
    });
  });

  describe("with runtime errors", () => {
    it("rethrows the original error with the template name and line", () => {
      const t = new Template("line1\n{{ ok }}\n{{ user.name }}", { name: "page.html" });
      let caught: unknown;
      try { t.generate({ ok: 1, user: null }); } catch (err) { caught = err; }
      expect(caught).to.be.instanceOf(TypeError);
      expect((caught as Error).message).to.match(/\(in template page\.html:3\)$/);
      expect(templateLocation(caught)).to.equal("page.html:3");
    });

    it("keeps the error's class so HTTP errors raised in templates keep their meaning", () => {
      class Custom extends Error {}
      expect(() => render("{{ f() }}", { f: () => { throw new Custom("x"); } })).to.throw(Custom);
    });

    it("names the line of an elif condition", () => {
      const t = new Template("{% if a %}\n{% elif b.c %}\n{% end %}", { name: "c.txt" });
      expect(() => t.generate({ a: false, b: undefined })).to.throw(TypeError, "c.txt:2");
    });
  });
});

describe("Template (parse errors)", () => {
  it("reports a missing end with the line of the opening tag", () => {
    const err = parseError("a\n\n{% if x %}\nb", { name: "base.html" });
    expect(err.message).to.equal("Missing {% end %} block for if at base.html:3");
    expect([err.filename, err.lineno]).to.deep.equal(["base.html", 3]);
  });

  it("reports an extra end", () => {
    expect(parseError("{% end %}").message).to.equal("Extra {% end %} block at <string>:1");
  });

  it("reports break and continue outside loops", () => {
    expect(parseError("{% if x %}{% break %}{% end %}").message).to.match(/^break outside for\/while loop/);
    expect(parseError("{% for x in y %}{% apply f %}{% continue %}{% end %}{% end %}").message).to.match(/^continue outside/);
  });

  it("reports misplaced clauses", () => {
    expect(parseError("{% else %}").message).to.match(/^else outside/);
    expect(parseError("{% for x in y %}{% elif z %}{% end %}").message).to.match(/elif block cannot be attached to for block/);
    expect(parseError("{% if a %}{% else %}{% elif b %}{% end %}").message).to.match(/elif after else/);
    expect(parseError("{% try %}{% finally %}{% except %}{% end %}").message).to.match(/except after finally/);
  });

  it("reports unknown directives, empty tags and unclosed tags", () => {
    expect(parseError("{% frobnicate %}").message).to.match(/Unknown directive/);
    expect(parseError("{{ }}").message).to.match(/^Empty expression/);
    expect(parseError("{% %}").message).to.match(/^Empty block tag/);
    expect(parseError("x\n{{ a").message).to.equal("Missing end expression }} at <string>:2");
    expect(parseError("{# a").message).to.match(/Missing end comment/);
  });

  it("reports JavaScript syntax errors at the template line", () => {
    const err = parseError("ok\n{{ a + }}", { name: "s.html" });
    expect(err.message).to.match(/in "a \+" at s\.html:2$/);
  });

  it("reports bad for loops, whitespace modes and autoescape names", () => {
    expect(parseError("{% for in xs %}{% end %}").message).to.match(/Invalid for loop/);
    expect(parseError("{% whitespace tight %}").message).to.match(/Invalid whitespace mode/);
    expect(parseError("{% autoescape a-b %}").message).to.match(/autoescape needs a function name/);
  });

  it("reports extends and include without a loader", () => {
    expect(parseError('{% extends "base.html" %}').message).to.match(/extends %} found, but the template has no loader/);
    expect(parseError('{% include "x.html" %}').message).to.match(/include %} found, but the template has no loader/);
  });
});

describe("Template (autoescape)", () => {
  const value = `<a href="x">'&'</a>`;
  const escaped = "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;";

  it("escapes {{ }} output by default", () => {
    expect(render("{{ v }}", { v: value })).to.equal(escaped);
  });

  it("does not escape when the template option is null", () => {
    expect(render("{{ v }}", { v: value }, { autoescape: null })).to.equal(value);
  });

  it("does not escape after {% autoescape None %}, anywhere in the file", () => {
    expect(render("{{ v }}{% autoescape None %}{{ v }}", { v: value })).to.equal(value + value);
  });

  it("escapes with a namespace function named by {% autoescape fn %}", () => {
    expect(render("{% autoescape shout %}{{ v }}", { v: "a", shout: (s: string) => s.toUpperCase() + "!" })).to.equal("A!");
  });

  it("never escapes {% raw %}", () => {
    expect(render("{% raw v %}", { v: value })).to.equal(value);
  });

  it("passes SafeString values through unescaped", () => {
    expect(render("{{ v }}", { v: new SafeString("<b>") })).to.equal("<b>");
    expect(render("{% autoescape shout %}{{ v }}", { v: new SafeString("<b>"), shout: () => "no" })).to.equal("<b>");
  });

  it("escapes once with escape(), linkify() and json_encode in {% raw %}", () => {
    expect(render("{{ escape(v) }}", { v: "<i>" })).to.equal("&lt;i&gt;");
    expect(render("{{ linkify('see http://x.com <b>') }}")).to.equal('see <a href="http://x.com">http://x.com</a> &lt;b&gt;');
    expect(render("{% raw json_encode({a: '</script>'}) %}")).to.equal('{"a":"<\\/script>"}');
  });

  it("url-escapes with url_escape", () => {
    expect(render("{{ url_escape('a b&c') }}")).to.equal("a+b%26c");
  });
});

describe("Template (whitespace)", () => {
  const source = "<p>\n\n    a   b\t\n  </p>\n";

  it("collapses runs to one space or newline for .html names (single)", () => {
    expect(render(source, {}, { name: "x.html" })).to.equal("<p>\na b\n</p>\n");
  });

  it("keeps everything for other names (all)", () => {
    expect(render(source, {}, { name: "x.txt" })).to.equal(source);
  });

  it("collapses every run to one space in oneline mode", () => {
    expect(render(source, {}, { whitespace: "oneline" })).to.equal("<p> a b </p> ");
  });

  it("switches mode for the rest of the file with {% whitespace %}", () => {
    expect(render("a  b{% whitespace oneline %}c \n d", {}, { name: "x.txt" })).to.equal("a  bc d");
  });

  it("leaves <pre> content untouched, across expressions", () => {
    const pre = "<div>  x  </div><pre>\n  a  {{ v }}  b\n</pre>  \n  y";
    expect(render(pre, { v: 1 }, { name: "p.html" })).to.equal("<div> x </div><pre>\n  a  1  b\n</pre>\ny");
  });
});
