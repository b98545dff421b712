import { expect } from "chai";
import { SafeString } from "../../src/escape";
import { datetime, defaultNamespace, len, pyFormat, range } from "../../src/template";
import { escapeOutput, iteratePairs, truthy } from "../../src/template/namespace";

describe("len", () => {
  it("measures strings, arrays, Maps, Sets and plain objects", () => {
    expect([len("abc"), len([1]), len(new Map([[1, 2]])), len(new Set()), len({ a: 1, b: 2 })]).to.deep.equal([3, 1, 1, 0, 2]);
  });

  it("throws for numbers and null", () => {
    expect(() => len(5)).to.throw(TypeError);
    expect(() => len(null)).to.throw(TypeError);
  });
});

describe("range", () => {
  it("counts like Python's range", () => {
    expect([range(3), range(2, 5), range(5, 0, -2)]).to.deep.equal([[0, 1, 2], [2, 3, 4], [5, 3, 1]]);
  });

  it("rejects a zero step", () => {
    expect(() => range(0, 5, 0)).to.throw(RangeError);
  });
});

describe("pyFormat", () => {
  it("formats named, positional, padded and float conversions", () => {
    expect(pyFormat("%(a)s=%(b)05.1f", { a: "x", b: 2.34 })).to.equal("x=002.3");
    expect(pyFormat("%s/%d/%%/%3d|%-3s|", ["a", 4.7, 5, "b"])).to.equal("a/4/%/  5|b  |");
  });

  it("is the remainder when the left side is a number", () => {
    expect(pyFormat(7, 4)).to.equal(3);
  });
});

describe("defaultNamespace", () => {
  it("holds Tornado's names plus len, range and datetime helpers", () => {
    expect(Object.keys(defaultNamespace)).to.include.members(
      ["escape", "xhtml_escape", "url_escape", "json_encode", "squeeze", "linkify", "len", "range", "datetime"]);
    expect(datetime.fromtimestamp(1).getTime()).to.equal(1000);
  });

  it("escape returns a SafeString and prints nothing for null", () => {
    const escape = defaultNamespace.escape as (v: unknown) => SafeString;
    expect(escape("<")).to.be.instanceOf(SafeString);
    expect(String(escape(null))).to.equal("");
  });

  it("squeeze collapses whitespace", () => {
    expect((defaultNamespace.squeeze as (s: string) => string)("  a \n b ")).to.equal("a b");
  });
});

describe("runtime helpers", () => {
  it("escapeOutput escapes text, passes SafeString and prints numbers", () => {
    expect([escapeOutput("<"), escapeOutput(new SafeString("<")), escapeOutput(1.5), escapeOutput({ toString: () => "&" })])
      .to.deep.equal(["&lt;", "<", "1.5", "&amp;"]);
  });

  it("iteratePairs gives entries of plain objects", () => {
    expect([...iteratePairs({ a: 1 })]).to.deep.equal([["a", 1]]);
  });

  it("truthy follows JavaScript except for empty collections", () => {
    expect([truthy(""), truthy("a"), truthy([]), truthy({}), truthy(new Set([1]))]).to.deep.equal([false, true, false, true, true]);
  });
});
