import { expect } from "chai";
import { ParseError } from "../../src/template/errors";
import { parseTemplate } from "../../src/template/parser";

const opts = { name: "p.html", autoescape: "xhtml_escape", whitespace: "all" as const };

describe("parseTemplate", () => {
  it("records extends, and the file's autoescape from the directive", () => {
    const file = parseTemplate('{% extends "base.html" %}{% autoescape None %}', opts);
    expect([file.extendsName, file.extendsLine, file.autoescape]).to.deep.equal(["base.html", 1, null]);
  });

  it("builds nested nodes with their lines", () => {
    const file = parseTemplate("{% if a %}\n{% for x in xs %}{{ x }}{% end %}\n{% end %}", opts);
    const ifNode = file.body[0];
    expect(ifNode.kind).to.equal("if");
    if (ifNode.kind !== "if") return;
    const loop = ifNode.branches[0].body.find((n) => n.kind === "for");
    expect(loop).to.include({ kind: "for", line: 2 });
  });

  it("marks loops whose break needs the else clause", () => {
    const file = parseTemplate("{% for x in xs %}{% break %}{% else %}e{% end %}", opts);
    expect(file.body[0]).to.include({ kind: "for", breaks: true });
  });

  it("binds break in a loop's else clause to the enclosing loop", () => {
    expect(() => parseTemplate("{% for x in xs %}{% else %}{% break %}{% end %}", opts)).to.throw(ParseError, /break outside/);
  });

  it("rejects a condition after else", () => {
    expect(() => parseTemplate("{% if a %}{% else if b %}{% end %}", opts)).to.throw(ParseError, /use elif/);
  });

  it("rejects import, which only made sense in Python", () => {
    expect(() => parseTemplate("{% import os %}", opts)).to.throw(ParseError, /not supported/);
  });

  it("requires except or finally after try, and except before else", () => {
    expect(() => parseTemplate("{% try %}{% end %}", opts)).to.throw(ParseError, /needs an except or finally/);
    expect(() => parseTemplate("{% try %}{% else %}{% finally %}{% end %}", opts)).to.throw(ParseError, /needs an except before it/);
  });
});
