import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DictLoader, Loader, ParseError } from "../../src/template";
import { templateFixtures } from "./fixtures";

describe("Loader", () => {
  const root = templateFixtures();

  describe("#load with extends and block", () => {
    it("renders the base with the child's blocks and ignores text outside blocks", () => {
      const html = new Loader(root).load("pages/child.html").generate({ name: "Ann", site: "S" });
      expect(html).to.equal("<html><head><title>Child Ann</title></head>\n<body><p>child content</p>\n<footer>S</footer>\n</body></html>\n");
    });

    it("uses the most derived block over several levels, with includes relative to each file", () => {
      const html = new Loader(root).load("pages/grandchild.html").generate({ name: "Ann", site: "S" });
      expect(html).to.equal("<html><head><title>Child Ann</title></head>\n<body><p>grandchild Ann <i>Ann</i>\n</p>\n<footer>S</footer>\n</body></html>\n");
    });

    it("renders the base's own block content when nothing overrides it", () => {
      const html = new Loader(root).load("layouts/base.html").generate({ site: "S" });
      expect(html).to.equal("<html><head><title>Default title</title></head>\n<body>base body\n<footer>S</footer>\n</body></html>\n");
    });
  });

  describe("#load caching", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-loader-"));
      fs.writeFileSync(path.join(dir, "a.txt"), "one {{ x }}");
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("returns the same compiled template until reset()", () => {
      const loader = new Loader(dir);
      const first = loader.load("a.txt");
      fs.writeFileSync(path.join(dir, "a.txt"), "two {{ x }}");
      expect(loader.load("a.txt")).to.equal(first);
      expect(loader.load("./a.txt").generate({ x: 1 })).to.equal("one 1");
      loader.reset();
      expect(loader.load("a.txt").generate({ x: 1 })).to.equal("two 1");
    });

    it("does not cache a template that failed to compile", () => {
      const loader = new Loader(dir);
      fs.writeFileSync(path.join(dir, "bad.txt"), "{% if %}");
      expect(() => loader.load("bad.txt")).to.throw(ParseError);
      fs.writeFileSync(path.join(dir, "bad.txt"), "fixed");
      expect(loader.load("bad.txt").generate()).to.equal("fixed");
    });
  });

  describe("#load outside the root", () => {
    let dir: string;
    let outside: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "tt-root-"));
      outside = fs.mkdtempSync(path.join(os.tmpdir(), "tt-outside-"));
      fs.writeFileSync(path.join(outside, "secret.txt"), "secret");
      fs.writeFileSync(path.join(dir, "inc.txt"), '{% include "../secret.txt" %}');
      fs.symlinkSync(path.join(outside, "secret.txt"), path.join(dir, "link.txt"));
    });
    after(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    });

    it("throws for a name that climbs out", () => {
      expect(() => new Loader(dir).load("../secret.txt")).to.throw(/escapes the template root/);
    });

    it("throws for an include that climbs out", () => {
      expect(() => new Loader(dir).load("inc.txt")).to.throw(/escapes the template root/);
    });

    it("throws for a symlink that points outside", () => {
      expect(() => new Loader(dir).load("link.txt")).to.throw(/escapes the template root/);
    });

    it("treats a leading slash as relative to the root", () => {
      fs.writeFileSync(path.join(dir, "top.txt"), "top");
      expect(new Loader(dir).load("/top.txt").generate()).to.equal("top");
    });
  });

  describe("#resolvePath", () => {
    const loader = new DictLoader({});

    it("resolves relative to the parent's folder", () => {
      expect(loader.resolvePath("b.html", "x/y/a.html")).to.equal("x/y/b.html");
      expect(loader.resolvePath("../b.html", "x/y/a.html")).to.equal("x/b.html");
    });

    it("ignores a parent named like <string>", () => {
      expect(loader.resolvePath("b.html", "<string>")).to.equal("b.html");
    });
  });

  describe("options", () => {
    it("merges the loader namespace over the defaults and under render arguments", () => {
      const loader = new DictLoader({ "t.txt": "{{ a }}{{ b }}{{ len([1]) }}" }, { namespace: { a: "L", b: "L" } });
      expect(loader.load("t.txt").generate({ b: "K" })).to.equal("LK1");
    });

    it("applies the loader's autoescape and whitespace", () => {
      const loader = new DictLoader({ "t.html": "{{ v }}   {{ v }}" }, { autoescape: null, whitespace: "all" });
      expect(loader.load("t.html").generate({ v: "<b>" })).to.equal("<b>   <b>");
    });
  });
});

describe("DictLoader", () => {
  it("throws a clear error for a missing template", () => {
    expect(() => new DictLoader({}).load("nope.html")).to.throw('Template "nope.html" not found');
  });

  describe("when inheritance mixes autoescape settings", () => {
    const loader = new DictLoader({
      "base.html": "{% autoescape None %}{{ v }}|{% block a %}{{ v }}{% end %}|{% block b %}{{ v }}{% end %}",
      "child.html": '{% extends "base.html" %}{% block a %}{{ v }}{% end %}',
    });

    it("escapes each block by the template that defines its body", () => {
      expect(loader.load("child.html").generate({ v: "<>" })).to.equal("<>|&lt;&gt;|<>");
    });
  });

  describe("when an included file has its own autoescape", () => {
    it("escapes the included output by the included file's setting", () => {
      const loader = new DictLoader({ "a.html": '{{ v }}{% include "b.html" %}', "b.html": "{% autoescape None %}{{ v }}" });
      expect(loader.load("a.html").generate({ v: "<>" })).to.equal("&lt;&gt;<>");
    });
  });

  describe("when included templates share variables", () => {
    it("sees the includer's variables and sets variables the includer sees", () => {
      const loader = new DictLoader({ "a.txt": '{% set x = 1 %}{% include "b.txt" %}{{ y }}', "b.txt": "{{ x }}{% set y = 2 %}" });
      expect(loader.load("a.txt").generate()).to.equal("12");
    });
  });

  describe("when templates include or extend each other in a cycle", () => {
    it("throws a ParseError naming the cycle for includes", () => {
      const loader = new DictLoader({ "a.txt": '{% include "b.txt" %}', "b.txt": '\n{% include "a.txt" %}' });
      expect(() => loader.load("a.txt")).to.throw(ParseError, /Circular \{% include %\}.*a\.txt -> b\.txt -> a\.txt at b\.txt:2/);
    });

    it("throws a ParseError naming the cycle for extends", () => {
      const loader = new DictLoader({ "a.txt": '{% extends "b.txt" %}', "b.txt": '{% extends "a.txt" %}' });
      expect(() => loader.load("a.txt")).to.throw(ParseError, /Circular \{% extends %\}/);
    });
  });

  describe("when a parse error is in a parent template", () => {
    it("names the parent file and line", () => {
      const loader = new DictLoader({ "child.html": '{% extends "base.html" %}', "base.html": "a\nb\n{% for x in xs %}" });
      expect(() => loader.load("child.html")).to.throw("Missing {% end %} block for for at base.html:3");
    });
  });

  describe("when a runtime error happens in a block of the base", () => {
    it("names the base template and line", () => {
      const loader = new DictLoader({ "child.html": '{% extends "base.html" %}', "base.html": "x\n{% block a %}{{ v.w }}{% end %}" });
      expect(() => loader.load("child.html").generate({ v: null })).to.throw(TypeError, "base.html:2");
    });
  });

  describe("when a template rendered from inside another template throws", () => {
    it("names the inner template's line, not the outer one", () => {
      const loader = new DictLoader({ "outer.txt": "\n\n{{ inner() }}", "inner.txt": "\n{{ v.w }}" });
      const inner = () => loader.load("inner.txt").generate({ v: null });
      expect(() => loader.load("outer.txt").generate({ inner })).to.throw(TypeError, /\(in template inner\.txt:2\)$/);
    });
  });

  describe("when extends is nested in a block", () => {
    it("throws a ParseError", () => {
      const loader = new DictLoader({ "a.txt": '{% if x %}{% extends "b.txt" %}{% end %}' });
      expect(() => loader.load("a.txt")).to.throw(ParseError, /top level/);
    });
  });
});
