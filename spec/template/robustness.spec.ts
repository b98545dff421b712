import { expect } from "chai";
import fc from "fast-check";
import { ParseError, Template } from "../../src/template";

// No `while`: `{% while 1 %}` is a legitimately endless template, not bad input.
const PIECES = [
  "{{", "}}", "{%", "%}", "{#", "#}", "!", " ", "\n", "a", "x", "1", '"', "'", "`", "(", ")", "[", "]", "{", "}",
  "%", "=", ",", ".", "if ", "elif ", "else", "end", "for x in ", "try", "except", "finally", "set a = ",
  "block b", "apply f", "raw ", "module ", "break", "continue", "${", "/", "<pre>", "True", "and", "k=",
];

describe("Template (arbitrary source)", () => {
  it("either compiles or throws a ParseError, and rendering throws only Error objects", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), (pieces) => {
        const source = pieces.join("");
        let template: Template;
        try {
          template = new Template(source, { name: "fuzz.html" });
        } catch (err) {
          expect(err, source).to.be.instanceOf(ParseError);
          return;
        }
        try {
          template.generate({ a: 1, x: 2, f: String, xs: [] });
        } catch (err) {
          // Runtime errors are the expression's own (e.g. calling a number); they must be Errors.
          expect(err, source).to.be.instanceOf(Error);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
