import { expect } from "chai";
import { generateTemplateCode } from "../../src/template/codegen";
import { parseTemplate } from "../../src/template/parser";

const opts = { name: "g.html", autoescape: "xhtml_escape", whitespace: "all" as const };

describe("generateTemplateCode", () => {
  it("reads each free identifier from the namespace once, without `with`", () => {
    const code = generateTemplateCode(parseTemplate("{{ a }}{{ a.b }}{% for x in xs %}{{ x }}{% end %}", opts), null);
    expect(code.names).to.deep.equal(["a", "xs", "x"]);
    expect(code.source).to.not.match(/\bwith\s*\(/);
    expect(code.source.match(/let a = /g)).to.have.length(1);
  });

  it("stores a template line only when it changes on a straight path", () => {
    const code = generateTemplateCode(parseTemplate("{{ a }}{{ b }}\n{{ c }}", opts), null);
    expect(code.locations).to.deep.equal(["g.html:1", "g.html:2"]);
    expect(code.source.match(/(?<!let )__tt_l = \d+;/g)).to.deep.equal(["__tt_l = 0;", "__tt_l = 1;"]);
  });

  it("calls the fast escaper for xhtml_escape and a namespace function otherwise", () => {
    expect(generateTemplateCode(parseTemplate("{{ a }}", opts), null).source).to.contain("__tt_e(a)");
    const custom = generateTemplateCode(parseTemplate("{% autoescape esc %}{{ a }}", opts), null);
    expect(custom.source).to.contain("__tt_c(a, esc)");
    expect(custom.names).to.include("esc");
  });
});
