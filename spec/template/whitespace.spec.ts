import { expect } from "chai";
import { WhitespaceFilter, defaultWhitespace } from "../../src/template/whitespace";

describe("defaultWhitespace", () => {
  it("is single for .html and .js names and all otherwise", () => {
    expect(["a.html", "b.js", "c.txt", "<string>"].map(defaultWhitespace)).to.deep.equal(["single", "single", "all", "all"]);
  });
});

describe("WhitespaceFilter#filter", () => {
  it("remembers an open <pre> across chunks", () => {
    const ws = new WhitespaceFilter("oneline");
    expect(ws.filter("a  <PRE class=x>  b")).to.equal("a <PRE class=x>  b");
    expect(ws.filter("  c  </pre>  d")).to.equal("  c  </pre> d");
  });

  it("does not mistake <preview> for <pre>", () => {
    expect(new WhitespaceFilter("oneline").filter("<preview>  x</preview>")).to.equal("<preview> x</preview>");
  });
});
