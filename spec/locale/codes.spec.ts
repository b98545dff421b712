import { expect } from "chai";
import { closeCodes, isLocaleCode, normalizeLocaleCode, toLanguageTag } from "../../src/locale/codes";

describe("normalizeLocaleCode", () => {
  describe("when the code uses a hyphen or the wrong case", () => {
    it("returns the canonical ll_CC form", () => {
      expect(normalizeLocaleCode("fr-fr")).to.equal("fr_FR");
      expect(normalizeLocaleCode("EN_us")).to.equal("en_US");
      expect(normalizeLocaleCode(" es-419 ")).to.equal("es_419");
      expect(normalizeLocaleCode("DE")).to.equal("de");
    });
  });

  describe("when the code has a script subtag", () => {
    it("drops the script", () => {
      expect(normalizeLocaleCode("zh-Hant-TW")).to.equal("zh_TW");
      expect(normalizeLocaleCode("sr-Latn")).to.equal("sr");
    });
  });

  describe("when the text is not a locale code", () => {
    it("returns null", () => {
      for (const bad of ["", "*", "e", "english", "en-US-x-private", "en_USA1", "12"]) {
        expect(normalizeLocaleCode(bad), bad).to.equal(null);
      }
    });
  });
});

describe("closeCodes", () => {
  it("lists the full code, then its language", () => {
    expect(closeCodes("fr-CA")).to.deep.equal(["fr_CA", "fr"]);
  });

  it("lists just the language for a bare code", () => {
    expect(closeCodes("fr")).to.deep.equal(["fr"]);
  });

  it("lists nothing for an invalid code", () => {
    expect(closeCodes("*")).to.deep.equal([]);
  });
});

describe("isLocaleCode", () => {
  it("accepts canonical codes only", () => {
    expect(["en", "en_US", "es_LA", "es_419", "fil"].every(isLocaleCode)).to.equal(true);
    expect(["en-US", "en_us", "EN", "english", "en_"].some(isLocaleCode)).to.equal(false);
  });
});

describe("toLanguageTag", () => {
  it("turns the underscore into a hyphen", () => {
    expect(toLanguageTag("pt_BR")).to.equal("pt-BR");
    expect(toLanguageTag("ja")).to.equal("ja");
  });
});
