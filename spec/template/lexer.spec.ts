import { expect } from "chai";
import { type Chunk, Lexer } from "../../src/template/lexer";

function chunks(source: string): Chunk[] {
  const lexer = new Lexer(source, "t.html");
  const out: Chunk[] = [];
  for (let c = lexer.next(); c; c = lexer.next()) out.push(c);
  return out;
}

describe("Lexer#next", () => {
  it("splits text, expressions, statements and comments with their lines", () => {
    expect(chunks("a\n{{ x }}\n{% if y %}{# c #}")).to.deep.equal([
      { kind: "text", content: "a\n", line: 1 },
      { kind: "expression", content: "x", line: 2 },
      { kind: "text", content: "\n", line: 2 },
      { kind: "statement", content: "if y", line: 3 },
      { kind: "comment", content: "c", line: 3 },
    ]);
  });

  it("keeps a lone brace and a trailing brace as text", () => {
    expect(chunks("a { b }{")).to.deep.equal([{ kind: "text", content: "a { b }{", line: 1 }]);
  });

  it("opens the tag at the innermost {{ of a run of braces", () => {
    expect(chunks("\\b{{{ x }}}").map((c) => c.content)).to.deep.equal(["\\b{", "x", "}"]);
  });

  it("finds %} past a string that contains it", () => {
    expect(chunks('{% set x = "%}" %}')[0].content).to.equal('set x = "%}"');
  });
});
