import { expect } from "chai";
import * as locale from "../src/locale";
import { captureWarnings, fixturePath } from "./locale/helpers";

describe("locale (module face)", () => {
  before(() => captureWarnings(() => locale.loadTranslations(fixturePath("csv"))));
  after(() => locale.clearTranslations());

  describe("get", () => {
    it("is the closest-match lookup, like getLocale and Locale.get", () => {
      expect(locale.get("pt-BR").code).to.equal("pt_BR");
      expect(locale.getLocale("pt-BR")).to.equal(locale.Locale.get("pt_BR"));
    });
  });

  describe("when a browser's Accept-Language header picks the locale", () => {
    it("chooses the most preferred supported language", () => {
      const codes = locale.parseAcceptLanguage("ja;q=0.9, es-GT;q=0.3, de-CH;q=0.5, fr-FR;q=0");
      expect(codes).to.deep.equal(["ja", "de-CH", "es-GT"]);
      expect(locale.get(...codes).code).to.equal("de");
    });

    it("falls back to the default when nothing is supported", () => {
      expect(locale.get(...locale.parseAcceptLanguage("ja, ko;q=0.5")).code).to.equal("en_US");
    });
  });

  describe("exports", () => {
    it("offers the loaders, settings and helpers", () => {
      for (const name of ["loadTranslations", "loadGettextTranslations", "setDefaultLocale", "getSupportedLocales",
        "parseAcceptLanguage", "interpolate", "normalizeLocaleCode", "isLocaleCode", "getDefaultLocale"] as const) {
        expect(locale[name], name).to.be.a("function");
      }
    });
  });
});
