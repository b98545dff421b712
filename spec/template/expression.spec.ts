import { expect } from "chai";
import { parseForHeader, transformExpression } from "../../src/template/expression";

describe("transformExpression", () => {
  describe("names", () => {
    it("lists free identifiers, not member names, object keys or keywords", () => {
      expect(transformExpression("a.b + c[d] + ({e: f, g}).h + typeof i + (j ? k : l)").names)
        .to.deep.equal(["a", "c", "d", "f", "g", "i", "j", "k", "l"]);
    });

    it("finds identifiers inside template literal substitutions", () => {
      expect(transformExpression("`x ${a + `${b}`} y`").names).to.deep.equal(["a", "b"]);
    });

    it("does not mistake regular expression literals or strings for identifiers", () => {
      expect(transformExpression("s.replace(/ab+c/g, 'd e') / n").names).to.deep.equal(["s", "n"]);
    });
  });

  describe("Python spellings", () => {
    it("rewrites True/False/None and and/or/not", () => {
      expect(transformExpression("not a and True or None").code).to.equal("! a && true || null");
    });

    it("turns keyword arguments into one trailing object", () => {
      expect(transformExpression("f(a, b=1, c=g(d=2))").code).to.equal("f ( a , { b : 1 , c : g ( { d : 2 } ) } )");
    });

    it("leaves comparisons and arrow functions alone", () => {
      expect(transformExpression("f(a == 1, (x = 2) => x)").code).to.equal("f ( a == 1 , ( x = 2 ) => x )");
    });

    it("rewrites % with a dict or a string on the left into a format call", () => {
      expect(transformExpression('_("x") % {"n": 1}').code).to.equal('__tt_fmt ( _ ( "x" ) , { "n" : 1 } )');
      expect(transformExpression('a + "%s-%s" % (b, c)').code).to.equal('a + __tt_fmt ( "%s-%s" , [ b , c ] )');
      expect(transformExpression("a % b").code).to.equal("a % b");
    });
  });

  describe("errors", () => {
    it("throws for unterminated strings", () => {
      expect(() => transformExpression('"abc')).to.throw(/Unterminated string/);
    });
  });
});

describe("parseForHeader", () => {
  it("parses single and destructuring targets", () => {
    expect(parseForHeader("x in xs")).to.deep.equal({ targets: ["x"], iterable: "xs" });
    expect(parseForHeader("(k, v) in o.entries()")).to.deep.equal({ targets: ["k", "v"], iterable: "o.entries()" });
  });

  it("rejects keywords as targets and missing iterables", () => {
    expect(parseForHeader("if in xs")).to.equal(null);
    expect(parseForHeader("x in")).to.equal(null);
  });
});
