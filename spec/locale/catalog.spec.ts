import { expect } from "chai";
import { CsvCatalog, emptyCsvTable, EMPTY_CATALOG, GettextCatalog } from "../../src/locale/catalog";
import { pluralIndexer } from "../../src/locale/plural";
import { captureWarnings } from "./helpers";

function csvCatalog(): CsvCatalog {
  const table = emptyCsvTable();
  table.unknown.set("Hello", "Hola");
  table.unknown.set("%(n)d comments", "%(n)d comentarios");
  table.singular.set("A person liked this", "A una persona le gustó esto");
  table.plural.set("%(n)d people liked this", "A %(n)d personas les gustó esto");
  return new CsvCatalog("es", table);
}

describe("CsvCatalog#translate", () => {
  describe("when there is no plural message", () => {
    it("looks the message up among unmarked rows", () => {
      expect(csvCatalog().translate("Hello", undefined, undefined)).to.equal("Hola");
    });

    it("returns the message when untranslated", () => {
      expect(csvCatalog().translate("Bye", undefined, undefined)).to.equal("Bye");
    });
  });

  describe("when count is 1", () => {
    it("uses the singular row of the first message", () => {
      expect(csvCatalog().translate("A person liked this", "%(n)d people liked this", 1)).to.equal("A una persona le gustó esto");
    });
  });

  describe("when count is not 1", () => {
    it("uses the plural row of the second message", () => {
      const catalog = csvCatalog();
      expect(catalog.translate("A person liked this", "%(n)d people liked this", 0)).to.equal("A %(n)d personas les gustó esto");
      expect(catalog.translate("A person liked this", "%(n)d people liked this", 2)).to.equal("A %(n)d personas les gustó esto");
    });

    it("falls back to an unmarked row", () => {
      expect(csvCatalog().translate("%(n)d comment", "%(n)d comments", 4)).to.equal("%(n)d comentarios");
    });

    it("returns the English plural when untranslated", () => {
      expect(csvCatalog().translate("%(n)d cat", "%(n)d cats", 4)).to.equal("%(n)d cats");
    });
  });

  describe("when the count is missing", () => {
    it("throws a TypeError", () => {
      expect(() => csvCatalog().translate("a", "b", undefined)).to.throw(TypeError, /count/);
    });
  });
});

describe("CsvCatalog#pgettext", () => {
  it("ignores the context and warns once", () => {
    const catalog = csvCatalog();
    const warnings = captureWarnings(() => {
      expect(catalog.pgettext("greeting", "Hello", undefined, undefined)).to.equal("Hola");
      expect(catalog.pgettext("greeting", "Hello", undefined, undefined)).to.equal("Hola");
    });
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/pgettext is not supported by CSV/);
  });
});

describe("GettextCatalog", () => {
  const entries = new Map<string, readonly string[]>([
    ["Hello", ["Привет"]],
    [GettextCatalog.key("menu", "File"), ["Файл"]],
    [GettextCatalog.key("menu", "%(n)d file"), ["%(n)d файл", "%(n)d файла", "%(n)d файлов"]],
    ["%(n)d apple", ["%(n)d яблоко", "", "%(n)d яблок"]],
  ]);
  const catalog = new GettextCatalog(entries, pluralIndexer("ru", 3));

  describe("#translate", () => {
    it("returns the first form of a singular message", () => {
      expect(catalog.translate("Hello", undefined, undefined)).to.equal("Привет");
    });

    it("falls back to English when a plural form is empty", () => {
      expect(catalog.translate("%(n)d apple", "%(n)d apples", 3)).to.equal("%(n)d apples");
      expect(catalog.translate("%(n)d apple", "%(n)d apples", 5)).to.equal("%(n)d яблок");
    });
  });

  describe("#pgettext", () => {
    it("chooses plural forms within the context", () => {
      expect([1, 3, 7].map((n) => catalog.pgettext("menu", "%(n)d file", "%(n)d files", n)))
        .to.deep.equal(["%(n)d файл", "%(n)d файла", "%(n)d файлов"]);
    });

    it("returns the English text for a context without the message", () => {
      expect(catalog.pgettext("other", "File", undefined, undefined)).to.equal("File");
      expect(catalog.pgettext("other", "%(n)d file", "%(n)d files", 2)).to.equal("%(n)d files");
    });
  });
});

describe("EMPTY_CATALOG", () => {
  it("passes English through, choosing the plural by count", () => {
    expect(EMPTY_CATALOG.translate("Hi", undefined, undefined)).to.equal("Hi");
    expect(EMPTY_CATALOG.translate("1 day", "%(n)d days", 1)).to.equal("1 day");
    expect(EMPTY_CATALOG.pgettext("ctx", "1 day", "%(n)d days", 3)).to.equal("%(n)d days");
  });
});
