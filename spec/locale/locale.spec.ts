import { expect } from "chai";
import { loadTranslations } from "../../src/locale/loaders";
import {
  clearTranslations, getDefaultLocale, getLocale, getSupportedLocales, Locale, setDefaultLocale,
} from "../../src/locale/locale";
import { captureWarnings, fixturePath } from "./helpers";

describe("Locale.get", () => {
  before(() => captureWarnings(() => loadTranslations(fixturePath("csv"))));
  after(() => clearTranslations());

  describe("when the exact code is supported", () => {
    it("returns that locale, whatever the spelling", () => {
      expect(Locale.get("fr_FR").code).to.equal("fr_FR");
      expect(Locale.get("fr-FR").code).to.equal("fr_FR");
      expect(Locale.get("FR-fr").code).to.equal("fr_FR");
    });
  });

  describe("when only the language is supported", () => {
    it("returns the language's locale", () => {
      expect(Locale.get("de-AT").code).to.equal("de");
      expect(Locale.get("de-Latn-CH").code).to.equal("de");
    });
  });

  describe("when a bare language is asked for and only a regional variant is loaded", () => {
    it("does not guess a region (falls through to the default)", () => {
      expect(Locale.get("fr").code).to.equal("en_US");
    });
  });

  describe("when several codes are given", () => {
    it("returns the first that matches", () => {
      expect(Locale.get("xx", "pt-br", "de").code).to.equal("pt_BR");
      expect(Locale.get("it-IT", "de-DE", "fr_FR").code).to.equal("de");
    });
  });

  describe("when nothing matches", () => {
    it("returns the default locale", () => {
      expect(Locale.get().code).to.equal("en_US");
      expect(Locale.get("", "*", "not a code", "ja").code).to.equal("en_US");
    });

    it("returns the new default after setDefaultLocale", () => {
      try {
        setDefaultLocale("pt-br");
        expect(getDefaultLocale()).to.equal("pt_BR");
        expect(Locale.get("ja").code).to.equal("pt_BR");
        expect(getSupportedLocales()).not.to.include("en_US");
      } finally {
        setDefaultLocale("en_US");
      }
    });
  });

  describe("when called twice for the same locale", () => {
    it("returns the same instance", () => {
      expect(Locale.get("es_LA")).to.equal(Locale.get("es-la"));
    });
  });

  describe("aliases", () => {
    it("getLocale and Locale.getClosest behave like Locale.get", () => {
      expect(getLocale("de-CH").code).to.equal("de");
      expect(Locale.getClosest("es-LA").code).to.equal("es_LA");
    });
  });
});

describe("setDefaultLocale", () => {
  describe("when the code is not a locale code", () => {
    it("throws an error naming the code", () => {
      expect(() => setDefaultLocale("English")).to.throw(Error, /"English" is not a locale code/);
    });
  });
});

describe("Locale", () => {
  before(() => captureWarnings(() => loadTranslations(fixturePath("csv"))));
  after(() => clearTranslations());

  describe("#name and #rtl", () => {
    it("give the native name and direction", () => {
      expect(Locale.get("en_US").name).to.equal("English (US)");
      expect(Locale.get("fr_FR").name).to.equal("Français");
      expect(Locale.get("es_LA").name).to.equal("Español");
      expect(Locale.get("en_US").rtl).to.equal(false);
      expect(new Locale("ar").rtl).to.equal(true);
    });
  });

  describe("#translate with a CSV catalogue", () => {
    const es = () => Locale.get("es_LA");

    it("translates plain messages", () => {
      expect(es().translate("Sign in")).to.equal("Iniciar sesión");
    });

    it("uses the singular row when count is 1 and the plural row otherwise", () => {
      expect(es().translate("A person liked this", "%(num)d people liked this", 1)).to.equal("A una persona le gustó esto");
      expect(es().translate("A person liked this", "%(num)d people liked this", 3)).to.equal("A %(num)d personas les gustó esto");
    });

    it("returns English for untranslated text", () => {
      expect(es().translate("Sign out")).to.equal("Sign out");
      expect(es().translate("%(n)d cat", "%(n)d cats", 2)).to.equal("%(n)d cats");
    });
  });

  describe("#pgettext with a CSV catalogue", () => {
    it("ignores the context", () => {
      const warnings = captureWarnings(() => {
        expect(Locale.get("es_LA").pgettext("button", "Sign in")).to.equal("Iniciar sesión");
      });
      expect(warnings).to.have.length(1);
    });
  });

  describe("built-in strings", () => {
    it("go through the catalogue (months, weekdays, date phrases, list joiner)", () => {
      const es = Locale.get("es_LA");
      expect(es.months[0]).to.equal("enero");
      expect(es.weekdays[6]).to.equal("domingo");
      const sunday = new Date(Date.UTC(2013, 3, 28, 18, 35));
      const thursday = new Date(Date.UTC(2013, 4, 2, 18, 35));
      expect(es.formatDate(sunday, { now: thursday })).to.equal("domingo a las 18:35");
      expect(es.list(["a", "b", "c"])).to.equal("a, b y c");
    });
  });

  describe("#list", () => {
    const en = new Locale("en_US");

    it("returns an empty string for no items", () => {
      expect(en.list([])).to.equal("");
    });

    it("returns a single item unchanged", () => {
      expect(en.list(["A"])).to.equal("A");
    });

    it("joins two items with and", () => {
      expect(en.list(["A", "B"])).to.equal("A and B");
    });

    it("joins three items with commas and a final and", () => {
      expect(en.list(["A", "B", "C"])).to.equal("A, B and C");
    });

    it("uses the Persian joiner in Persian", () => {
      expect(new Locale("fa").list(["A", "B", "C"])).to.equal("A \u0648 B and C");
    });
  });

  describe("#friendlyNumber", () => {
    const en = new Locale("en_US");

    it("groups thousands with commas in English", () => {
      expect(en.friendlyNumber(1000000)).to.equal("1,000,000");
      expect(en.friendlyNumber(1234)).to.equal("1,234");
      expect(en.friendlyNumber(999)).to.equal("999");
      expect(en.friendlyNumber(0)).to.equal("0");
      expect(en.friendlyNumber(-1234567)).to.equal("-1,234,567");
    });

    it("keeps fractions", () => {
      expect(en.friendlyNumber(1234.5)).to.equal("1,234.5");
    });

    it("uses the locale's grouping with ASCII digits", () => {
      expect(new Locale("de").friendlyNumber(1000000)).to.equal("1.000.000");
      expect(new Locale("ar").friendlyNumber(1000)).to.match(/^1\D?000$/);
    });

    it("writes non-finite numbers as JavaScript does", () => {
      expect(en.friendlyNumber(NaN)).to.equal("NaN");
      expect(en.friendlyNumber(Infinity)).to.equal("Infinity");
    });
  });
});
