import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { mo } from "gettext-parser";
import type { GetTextTranslations } from "gettext-parser";
import { clearTranslations, getSupportedLocales, Locale, setDefaultLocale } from "../../src/locale/locale";
import { loadGettextTranslations, loadTranslations } from "../../src/locale/loaders";
import { captureWarnings, fixturePath } from "./helpers";

const RUSSIAN_PLURALS = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);";

/** A gettext catalogue as gettext-parser takes it: context → msgid → entry. */
function catalogue(pluralForms: string, translations: GetTextTranslations["translations"]): Buffer {
  return mo.compile({
    charset: "utf-8",
    headers: { "Content-Type": "text/plain; charset=utf-8", "Plural-Forms": pluralForms },
    translations,
  });
}

function writeMo(root: string, code: string, domain: string, bytes: Buffer): void {
  const dir = path.join(root, code, "LC_MESSAGES");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, domain + ".mo"), bytes);
}

describe("loadTranslations", () => {
  let warnings: string[];

  before(() => {
    warnings = captureWarnings(() => loadTranslations(fixturePath("csv")));
  });

  after(() => clearTranslations());

  describe("when the directory holds LOCALE.csv files", () => {
    it("supports each file's locale plus the default", () => {
      expect(getSupportedLocales()).to.deep.equal(["de", "en_US", "es_LA", "fr_FR", "pt_BR"]);
    });

    it("translates from a plain UTF-8 file", () => {
      expect(Locale.get("es_LA").translate("Sign in")).to.equal("Iniciar sesión");
    });

    it("translates from a UTF-8 file with a byte-order mark", () => {
      expect(Locale.get("fr_FR").translate("Sign in")).to.equal("Se connecter");
      expect(Locale.get("fr_FR").translate("Username")).to.equal("Nom d'utilisateur");
    });

    it("translates from UTF-16 LE and BE files with a byte-order mark", () => {
      expect(Locale.get("de").translate("Username")).to.equal("Benutzername");
      expect(Locale.get("pt_BR").translate("Username")).to.equal("Nome de usuário");
    });
  });

  describe("when cells use CSV quoting", () => {
    it("reads doubled quotes and embedded line breaks", () => {
      const es = Locale.get("es_LA");
      expect(es.translate('%(name)s liked this, "finally"')).to.equal('A %(name)s le gustó esto, "por fin"');
      expect(es.translate("Line one\nline two")).to.equal("Línea uno\nlínea dos");
    });

    it("trims the spaces around cells", () => {
      expect(Locale.get("es_LA").translate("Spaced")).to.equal("Espaciado");
    });
  });

  describe("when a row is malformed", () => {
    it("skips it with a warning naming the file and line, and loads the rows after it", () => {
      const es = Locale.get("es_LA");
      expect(es.translate("Last")).to.equal("Último");
      expect(es.translate("Only one column")).to.equal("Only one column");
      expect(es.translate("Bad marker")).to.equal("Bad marker");
      expect(es.translate("Junk")).to.equal("Junk");
      const esWarnings = warnings.filter((w) => w.includes("es_LA.csv line"));
      expect(esWarnings, esWarnings.join("\n")).to.have.length(3);
      expect(esWarnings[0]).to.match(/line 10: expected "english","translation"/);
      expect(esWarnings[1]).to.match(/line 11: unrecognized plural indicator "dual"/);
      expect(esWarnings[2]).to.match(/line 12: unexpected text after a closing quote/);
    });
  });

  describe("when a file name is not a locale code", () => {
    it("skips the file with a warning", () => {
      expect(getSupportedLocales()).not.to.include("english");
      expect(warnings.some((w) => w.includes('Unrecognized locale "english"'))).to.equal(true);
    });

    it("ignores files that are not .csv without a warning", () => {
      expect(warnings.some((w) => w.includes("notes.txt"))).to.equal(false);
    });
  });

  describe("when a file is not valid in its encoding", () => {
    it("skips the file with a warning", () => {
      expect(getSupportedLocales()).not.to.include("it");
      expect(warnings.some((w) => w.includes("it.csv"))).to.equal(true);
    });
  });

  describe("when called again", () => {
    it("replaces the previous translations", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "locale-csv-"));
      try {
        fs.writeFileSync(path.join(dir, "nl.csv"), '"Sign in","Inloggen"\n');
        loadTranslations(dir);
        expect(getSupportedLocales()).to.deep.equal(["en_US", "nl"]);
        expect(Locale.get("es_LA").code).to.equal("en_US");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        captureWarnings(() => loadTranslations(fixturePath("csv")));
      }
    });
  });

  describe("when a file is encoded in a legacy encoding", () => {
    it("decodes files without a byte-order mark with the encoding option", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "locale-csv-"));
      try {
        fs.writeFileSync(path.join(dir, "fr.csv"), Buffer.from('"Coffee","Caf\xe9"\n', "latin1"));
        loadTranslations(dir, { encoding: "latin1" });
        expect(Locale.get("fr").translate("Coffee")).to.equal("Café");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        captureWarnings(() => loadTranslations(fixturePath("csv")));
      }
    });
  });
});

describe("loadGettextTranslations", () => {
  let root: string;
  let warnings: string[];

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "locale-mo-"));
    writeMo(root, "ru", "app", catalogue(RUSSIAN_PLURALS, {
      "": {
        "Sign in": { msgid: "Sign in", msgstr: ["Войти"] },
        "%(n)d apple": { msgid: "%(n)d apple", msgid_plural: "%(n)d apples", msgstr: ["%(n)d яблоко", "%(n)d яблока", "%(n)d яблок"] },
        "Untranslated": { msgid: "Untranslated", msgstr: [""] },
      },
      "menu": { "File": { msgctxt: "menu", msgid: "File", msgstr: ["Файл"] } },
    }));
    writeMo(root, "ar", "app", catalogue("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);", {
      "": {
        "%(n)d book": { msgid: "%(n)d book", msgid_plural: "%(n)d books", msgstr: ["zero", "one", "two", "few", "many", "other"] },
      },
    }));
    writeMo(root, "pl", "app", catalogue("nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);", {
      "": {
        "%(n)d file": { msgid: "%(n)d file", msgid_plural: "%(n)d files", msgstr: ["%(n)d plik", "%(n)d pliki", "%(n)d plików"] },
      },
    }));
    writeMo(root, "fr", "app", catalogue("nplurals=2; plural=(n > 1);", {
      "": { "%(n)d day": { msgid: "%(n)d day", msgid_plural: "%(n)d days", msgstr: ["%(n)d jour", "%(n)d jours"] } },
    }));
    writeMo(root, "ja", "app", catalogue("nplurals=1; plural=0;", {
      "": { "%(n)d day": { msgid: "%(n)d day", msgid_plural: "%(n)d days", msgstr: ["%(n)d日"] } },
    }));
    writeMo(root, "he", "app", catalogue("nplurals=2; plural=(n != 1);", {
      "": { "%(n)d day": { msgid: "%(n)d day", msgid_plural: "%(n)d days", msgstr: ["יום אחד", "%(n)d ימים"] } },
    }));
    writeMo(root, "de", "other-domain", catalogue("nplurals=2; plural=(n != 1);", {}));
    writeMo(root, "nl", "app", Buffer.from("this is not a mo file"));
    fs.writeFileSync(path.join(root, "README"), "not a locale");
    warnings = captureWarnings(() => loadGettextTranslations(root, "app"));
  });

  after(() => {
    clearTranslations();
    fs.rmSync(root, { recursive: true, force: true });
  });

  describe("when locale directories hold the domain's .mo file", () => {
    it("supports each of those locales plus the default", () => {
      expect(getSupportedLocales()).to.deep.equal(["ar", "en_US", "fr", "he", "ja", "pl", "ru"]);
    });

    it("translates singular messages", () => {
      expect(Locale.get("ru").translate("Sign in")).to.equal("Войти");
    });

    it("returns the English text for missing or empty translations", () => {
      const ru = Locale.get("ru");
      expect(ru.translate("Sign out")).to.equal("Sign out");
      expect(ru.translate("Untranslated")).to.equal("Untranslated");
      expect(ru.translate("%(n)d pear", "%(n)d pears", 1)).to.equal("%(n)d pear");
      expect(ru.translate("%(n)d pear", "%(n)d pears", 3)).to.equal("%(n)d pears");
    });
  });

  describe("when a message has plural forms", () => {
    it("picks Russian one/few/many forms (1 яблоко, 2 яблока, 5 яблок)", () => {
      const ru = Locale.get("ru");
      const forms = [1, 2, 4, 5, 11, 12, 21, 22, 25, 111, 0].map((n) => ru.translate("%(n)d apple", "%(n)d apples", n));
      expect(forms).to.deep.equal([
        "%(n)d яблоко", "%(n)d яблока", "%(n)d яблока", "%(n)d яблок", "%(n)d яблок", "%(n)d яблок",
        "%(n)d яблоко", "%(n)d яблока", "%(n)d яблок", "%(n)d яблок", "%(n)d яблок",
      ]);
    });

    it("picks Polish forms, where 22 is few and 21 is many", () => {
      const pl = Locale.get("pl");
      expect([1, 2, 5, 21, 22].map((n) => pl.translate("%(n)d file", "%(n)d files", n)))
        .to.deep.equal(["%(n)d plik", "%(n)d pliki", "%(n)d plików", "%(n)d plików", "%(n)d pliki"]);
    });

    it("picks all six Arabic forms", () => {
      const ar = Locale.get("ar");
      expect([0, 1, 2, 3, 11, 100].map((n) => ar.translate("%(n)d book", "%(n)d books", n)))
        .to.deep.equal(["zero", "one", "two", "few", "many", "other"]);
    });

    it("treats zero as singular in French", () => {
      const fr = Locale.get("fr");
      expect([0, 1, 2].map((n) => fr.translate("%(n)d day", "%(n)d days", n)))
        .to.deep.equal(["%(n)d jour", "%(n)d jour", "%(n)d jours"]);
    });

    it("uses the only form of a language without plurals", () => {
      expect(Locale.get("ja").translate("%(n)d day", "%(n)d days", 7)).to.equal("%(n)d日");
    });

    it("falls back to one/other when the catalogue has fewer forms than the language", () => {
      const he = Locale.get("he");
      expect([1, 2, 10].map((n) => he.translate("%(n)d day", "%(n)d days", n)))
        .to.deep.equal(["יום אחד", "%(n)d ימים", "%(n)d ימים"]);
    });

    it("throws when the count is missing", () => {
      expect(() => Locale.get("ru").translate("%(n)d apple", "%(n)d apples")).to.throw(TypeError, /count/);
    });
  });

  describe("when a message has a context", () => {
    it("pgettext translates it in that context", () => {
      expect(Locale.get("ru").pgettext("menu", "File")).to.equal("Файл");
    });

    it("translate without the context does not find it", () => {
      expect(Locale.get("ru").translate("File")).to.equal("File");
    });

    it("pgettext in another context leaves it untranslated", () => {
      expect(Locale.get("ru").pgettext("verb", "File")).to.equal("File");
    });
  });

  describe("when a locale directory has no file for the domain or a broken one", () => {
    it("skips it with a warning", () => {
      expect(getSupportedLocales()).not.to.include.members(["de", "nl"]);
      expect(warnings.some((w) => w.includes('"de"'))).to.equal(true);
      expect(warnings.some((w) => w.includes('"nl"'))).to.equal(true);
    });

    it("ignores plain files in the directory", () => {
      expect(warnings.some((w) => w.includes("README"))).to.equal(false);
    });
  });

  describe("when the default locale changes", () => {
    after(() => setDefaultLocale("en_US"));

    it("keeps the loaded locales and adds the new default", () => {
      setDefaultLocale("de_DE");
      expect(getSupportedLocales()).to.deep.equal(["ar", "de_DE", "fr", "he", "ja", "pl", "ru"]);
    });
  });
});

describe("loadGettextTranslations with catalogues compiled by GNU msgfmt", () => {
  let warnings: string[];
  before(() => {
    warnings = captureWarnings(() => loadGettextTranslations(fixturePath("gettext"), "messages"));
  });
  after(() => clearTranslations());

  it("loads every fixture locale without a warning", () => {
    expect(getSupportedLocales()).to.deep.equal(["ar", "en_US", "ru"]);
    expect(warnings).to.deep.equal([]);
  });

  it("translates Russian plurals (1 яблоко, 2 яблока, 5 яблок)", () => {
    const ru = Locale.get("ru-RU");
    expect([1, 2, 5].map((n) => ru.translate("%(count)d apple", "%(count)d apples", n)))
      .to.deep.equal(["%(count)d яблоко", "%(count)d яблока", "%(count)d яблок"]);
  });

  it("localizes the built-in date phrases", () => {
    const ru = Locale.get("ru");
    const now = new Date(Date.UTC(2013, 4, 10, 12, 0));
    expect(ru.formatDate(new Date(now.getTime() - 5 * 60_000), { now })).to.equal("5 минут назад");
    expect(ru.formatDate(new Date(now.getTime() - 22 * 60_000), { now })).to.equal("22 минуты назад");
    expect(ru.formatDate(new Date(Date.UTC(2013, 3, 28, 9, 0)), { now, shorter: true })).to.equal("28 апреля");
    expect(ru.formatDay(new Date(Date.UTC(2013, 3, 28, 9, 0)), { dow: false })).to.equal("28 апреля");
  });

  it("tells contexts apart", () => {
    const ru = Locale.get("ru");
    expect(ru.pgettext("menu", "File")).to.equal("Файл");
    expect(ru.pgettext("verb", "File")).to.equal("Подать");
  });

  it("picks the six Arabic plural forms", () => {
    const ar = Locale.get("ar");
    expect([0, 1, 2, 3, 11, 100].map((n) => ar.translate("%(count)d book", "%(count)d books", n)))
      .to.deep.equal(["لا كتب", "كتاب واحد", "كتابان", "%(count)d كتب", "%(count)d كتابًا", "%(count)d كتاب"]);
    expect(ar.rtl).to.equal(true);
  });
});
