import { expect } from "chai";
import { ParseError, annotateRuntimeError, templateLocation } from "../../src/template/errors";

describe("ParseError", () => {
  it("ends its message with the file and line", () => {
    const err = new ParseError("Extra {% end %} block", "a.html", 4);
    expect(err.message).to.equal("Extra {% end %} block at a.html:4");
    expect(err.name).to.equal("ParseError");
  });
});

describe("annotateRuntimeError", () => {
  it("adds the location to the message and stack once, innermost first", () => {
    const err = new RangeError("bad");
    annotateRuntimeError(err, "inner.html:2");
    annotateRuntimeError(err, "outer.html:9");
    expect(err.message).to.equal("bad (in template inner.html:2)");
    expect(err.stack).to.contain("bad (in template inner.html:2)");
    expect(templateLocation(err)).to.equal("inner.html:2");
  });

  it("leaves values that are not errors alone", () => {
    expect(annotateRuntimeError("text", "a:1")).to.equal("text");
  });
});
