import { expect } from "chai";
import { parseNplurals, pluralIndexer } from "../../src/locale/plural";

describe("pluralIndexer", () => {
  describe("when the catalogue's form count matches the language", () => {
    it("maps Russian one/few/many to 0/1/2", () => {
      const index = pluralIndexer("ru", 3);
      expect([1, 2, 4, 5, 11, 21, 22, 0].map(index)).to.deep.equal([0, 1, 1, 2, 2, 0, 1, 2]);
    });

    it("maps Czech one/few/other to 0/1/2", () => {
      const index = pluralIndexer("cs", 3);
      expect([1, 3, 5, 0].map(index)).to.deep.equal([0, 1, 2, 2]);
    });

    it("maps Arabic zero…other to 0…5", () => {
      const index = pluralIndexer("ar", 6);
      expect([0, 1, 2, 5, 50, 101].map(index)).to.deep.equal([0, 1, 2, 3, 4, 5]);
    });

    it("maps English one/other to 0/1", () => {
      const index = pluralIndexer("en", 2);
      expect([1, 0, 2].map(index)).to.deep.equal([0, 1, 1]);
    });

    it("maps everything to 0 for a language without plurals", () => {
      expect([0, 1, 7].map(pluralIndexer("ja", 1))).to.deep.equal([0, 0, 0]);
    });
  });

  describe("when a count reaches a category whole small numbers never do", () => {
    it("uses the last form (French 1,000,000 is CLDR 'many')", () => {
      expect(pluralIndexer("fr", 2)(1_000_000)).to.equal(1);
    });

    it("uses the last form for Russian fractions", () => {
      expect(pluralIndexer("ru", 3)(1.5)).to.equal(2);
    });
  });

  describe("when the catalogue declares a different number of forms", () => {
    it("uses one → 0, else 1", () => {
      const index = pluralIndexer("he", 2);
      expect([1, 2, 20].map(index)).to.deep.equal([0, 1, 1]);
    });

    it("uses 0 for a single-form catalogue", () => {
      expect([1, 5].map(pluralIndexer("ru", 1))).to.deep.equal([0, 0]);
    });
  });

  describe("when nplurals is unknown", () => {
    it("trusts the language's rules", () => {
      expect([1, 2, 5].map(pluralIndexer("pl", undefined))).to.deep.equal([0, 1, 2]);
    });
  });

  describe("when the language tag is not valid", () => {
    it("falls back to English rules", () => {
      expect([1, 2].map(pluralIndexer("not a tag!", 2))).to.deep.equal([0, 1]);
    });
  });
});

describe("parseNplurals", () => {
  it("reads nplurals from a Plural-Forms header", () => {
    expect(parseNplurals("nplurals=3; plural=(n%10==1 ? 0 : 1);")).to.equal(3);
    expect(parseNplurals("nplurals = 6 ; plural=n;")).to.equal(6);
  });

  it("returns undefined when absent or unusable", () => {
    expect(parseNplurals(undefined)).to.equal(undefined);
    expect(parseNplurals("plural=(n != 1);")).to.equal(undefined);
    expect(parseNplurals("nplurals=0; plural=0;")).to.equal(undefined);
  });
});
