import { expect } from "chai";
import { interpolate } from "../../src/locale/interpolate";

describe("interpolate", () => {
  describe("when the template has %(name)s placeholders", () => {
    it("inserts the values as strings", () => {
      expect(interpolate("%(who)s liked %(what)s", { who: "Ana", what: "this" })).to.equal("Ana liked this");
    });
  });

  describe("when the template has %(name)d placeholders", () => {
    it("inserts integers, truncating fractions", () => {
      expect(interpolate("%(n)d people", { n: 3.7 })).to.equal("3 people");
      expect(interpolate("%(n)d people", { n: "12" })).to.equal("12 people");
    });

    it("leaves the placeholder when the value is not a number", () => {
      expect(interpolate("%(n)d people", { n: "many" })).to.equal("%(n)d people");
    });
  });

  describe("when the template has %%", () => {
    it("writes a single percent sign", () => {
      expect(interpolate("%(n)d%% done", { n: 50 })).to.equal("50% done");
    });
  });

  describe("when a value is missing", () => {
    it("leaves the placeholder as written", () => {
      expect(interpolate("Hello %(name)s", {})).to.equal("Hello %(name)s");
    });

    it("does not read inherited properties", () => {
      expect(interpolate("%(toString)s", {})).to.equal("%(toString)s");
    });
  });

  describe("when there are no placeholders", () => {
    it("returns the text unchanged", () => {
      expect(interpolate("50 percent", { n: 1 })).to.equal("50 percent");
    });
  });
});
