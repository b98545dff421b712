import { expect } from "chai";
import { parseAcceptLanguage } from "../../src/locale/accept";

describe("parseAcceptLanguage", () => {
  describe("when entries carry q-values", () => {
    it("orders them by q, highest first", () => {
      expect(parseAcceptLanguage("en;q=0.5, de, fr;q=0.8")).to.deep.equal(["de", "fr", "en"]);
    });

    it("treats a missing q as 1", () => {
      expect(parseAcceptLanguage("fr-CH, fr;q=0.9, en;q=1")).to.deep.equal(["fr-CH", "en", "fr"]);
    });
  });

  describe("when q-values tie", () => {
    it("keeps the header order", () => {
      expect(parseAcceptLanguage("a;q=0.5, b, c;q=0.5, d")).to.deep.equal(["b", "d", "a", "c"]);
    });
  });

  describe("when an entry has q=0", () => {
    it("drops it", () => {
      expect(parseAcceptLanguage("en, de;q=0, fr;q=0.000")).to.deep.equal(["en"]);
    });
  });

  describe("when a q-value is malformed", () => {
    it("drops that entry and keeps the others", () => {
      expect(parseAcceptLanguage("en;q=abc, de;q=2, fr;q=-1, nl;q=0.12345, it;q=0.5")).to.deep.equal(["it"]);
    });
  });

  describe("when the header has extra spaces, parameters or case", () => {
    it("reads the tag and the q parameter", () => {
      expect(parseAcceptLanguage("  en-US ; q = 0.8 ,de;level=1;Q=0.9")).to.deep.equal(["de", "en-US"]);
    });
  });

  describe("when entries are empty or the wildcard", () => {
    it("leaves them out", () => {
      expect(parseAcceptLanguage(", ,*;q=0.9, en")).to.deep.equal(["en"]);
    });
  });

  describe("when the header is empty or absent", () => {
    it("returns no codes", () => {
      expect(parseAcceptLanguage("")).to.deep.equal([]);
      expect(parseAcceptLanguage(undefined)).to.deep.equal([]);
      expect(parseAcceptLanguage(null)).to.deep.equal([]);
    });
  });
});
