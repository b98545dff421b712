import { expect } from "chai";
import { isRightToLeft, languageOf, localeDisplayName } from "../../src/locale/names";

describe("localeDisplayName", () => {
  describe("when the regional code has its own name", () => {
    it("returns it", () => {
      expect(localeDisplayName("en_US")).to.equal("English (US)");
      expect(localeDisplayName("pt_BR")).to.equal("Português (Brasil)");
      expect(localeDisplayName("zh_TW")).to.equal("中文(繁體)");
    });
  });

  describe("when only the language is known", () => {
    it("returns the language's native name", () => {
      expect(localeDisplayName("fr_FR")).to.equal("Français");
      expect(localeDisplayName("de")).to.equal("Deutsch");
      expect(localeDisplayName("ru_RU")).to.equal("Русский");
    });
  });

  describe("when the language is unknown", () => {
    it("returns Unknown", () => {
      expect(localeDisplayName("xx_YY")).to.equal("Unknown");
    });
  });
});

describe("isRightToLeft", () => {
  it("is true for Arabic, Persian, Hebrew and Urdu", () => {
    expect(["ar", "ar_AR", "fa_IR", "he_IL", "ur"].every(isRightToLeft)).to.equal(true);
  });

  it("is false for left-to-right languages", () => {
    expect(["en_US", "fr", "hu", "ja"].some(isRightToLeft)).to.equal(false);
  });
});

describe("languageOf", () => {
  it("returns the part before the region", () => {
    expect(languageOf("pt_BR")).to.equal("pt");
    expect(languageOf("pt")).to.equal("pt");
  });
});
