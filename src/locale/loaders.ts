/**
 * Loading translation catalogues from disk: Tornado's CSV files and gettext .mo files. Loading is
 * synchronous because it runs once at start-up, before the server accepts requests; a broken file
 * or row is skipped with a warning so the rest still loads.
 */

import * as fs from "fs";
import * as path from "path";
import type { MoParser } from "gettext-parser";
import { Catalog, CsvCatalog, CsvPluralMarker, CsvTable, emptyCsvTable, GettextCatalog } from "./catalog";
import { isLocaleCode, toLanguageTag } from "./codes";
import { decodeCsvBytes, parseCsv } from "./csv";
import { installCatalogs } from "./locale";
import { parseNplurals, pluralIndexer } from "./plural";
import { genLog } from "../log";

const PLURAL_MARKERS: ReadonlySet<string> = new Set(["singular", "plural", "unknown"]);

/** Options of `loadTranslations`. */
export interface LoadTranslationsOptions {
  /** Encoding of files without a byte-order mark (default "utf-8"); any WHATWG encoding label. */
  encoding?: string;
}

/**
 * Load every `LOCALE.csv` in `dir` (es_LA.csv, fr.csv, …), replacing previously loaded
 * translations; the supported locales become those files' codes plus the default locale.
 *
 * Each row is `"english","translation"` with an optional third column `"singular"` or `"plural"`
 * for the two forms of a plural message. Files may be UTF-8 (with or without a byte-order mark)
 * or UTF-16 with a byte-order mark. A file whose name is not a locale code, a file that cannot
 * be read or decoded, and a malformed row are skipped with a warning.
 *
 * @example
 * // translations/es_LA.csv:  "Sign in","Iniciar sesión"
 * loadTranslations(path.join(__dirname, "translations"));
 * Locale.get("es-LA").translate("Sign in"); // "Iniciar sesión"
 */
export function loadTranslations(dir: string, options: LoadTranslationsOptions = {}): void {
  const catalogs = new Map<string, Catalog>();
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith(".csv")) continue;
    const code = file.slice(0, -4);
    const filePath = path.join(dir, file);
    if (!isLocaleCode(code)) {
      genLog.warning(`Unrecognized locale "${code}" (path: ${filePath}); expected a name like es_LA.csv or fr.csv`);
      continue;
    }
    const table = readCsvTable(filePath, options.encoding);
    if (table !== null) catalogs.set(code, new CsvCatalog(code, table));
  }
  installCatalogs(catalogs);
}

function readCsvTable(filePath: string, encoding: string | undefined): CsvTable | null {
  let text: string;
  try {
    text = decodeCsvBytes(fs.readFileSync(filePath), encoding);
  } catch (err) {
    genLog.warning(`Cannot read translations ${filePath}: ${(err as Error).message}`);
    return null;
  }
  const { rows, problems } = parseCsv(text);
  const skipped = problems.slice();
  const table = emptyCsvTable();
  for (const { line, fields } of rows) {
    if (fields.length < 2) {
      skipped.push({ line, message: 'expected "english","translation"[,"plural"|"singular"]' });
      continue;
    }
    const english = fields[0].trim();
    const translation = fields[1].trim();
    const marker = (fields.length > 2 ? fields[2].trim() : "") || "unknown";
    if (!PLURAL_MARKERS.has(marker)) {
      skipped.push({ line, message: `unrecognized plural indicator "${marker}" (use "singular" or "plural")` });
      continue;
    }
    if (english === "" || translation === "") continue;
    table[marker as CsvPluralMarker].set(english, translation);
  }
  skipped.sort((a, b) => a.line - b.line);
  for (const { line, message } of skipped) genLog.warning(`Skipping ${filePath} line ${line}: ${message}`);
  return table;
}

/**
 * Load gettext catalogues `dir/LOCALE/LC_MESSAGES/domain.mo` (for example
 * `locale/ru/LC_MESSAGES/myapp.mo`), replacing previously loaded translations. Plural forms are
 * chosen with the language's CLDR plural rules, contexts serve `pgettext`. A locale directory
 * without the file, or with a file that does not parse, is skipped with a warning.
 *
 * @example
 * loadGettextTranslations(path.join(__dirname, "locale"), "myapp");
 * Locale.get("ru").translate("%(n)d apple", "%(n)d apples", 5); // "%(n)d яблок"
 */
export function loadGettextTranslations(dir: string, domain: string): void {
  const catalogs = new Map<string, Catalog>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith(".") || !entry.isDirectory()) continue;
    if (!isLocaleCode(entry.name)) {
      genLog.warning(`Unrecognized locale directory "${entry.name}" in ${dir}`);
      continue;
    }
    const filePath = path.join(dir, entry.name, "LC_MESSAGES", domain + ".mo");
    const catalog = readMoCatalog(entry.name, filePath);
    if (catalog !== null) catalogs.set(entry.name, catalog);
  }
  installCatalogs(catalogs);
}

let moParser: MoParser | undefined;

/** gettext-parser is loaded on first use: apps with CSV translations never pay for it. */
function getMoParser(): MoParser {
  moParser ??= (require("gettext-parser") as typeof import("gettext-parser")).mo;
  return moParser;
}

function readMoCatalog(code: string, filePath: string): GettextCatalog | null {
  let parsed: ReturnType<MoParser["parse"]> | false;
  try {
    // gettext-parser returns false (rather than throwing) when the magic number is wrong.
    parsed = getMoParser().parse(fs.readFileSync(filePath));
  } catch (err) {
    genLog.warning(`Cannot load translation for "${code}" (${filePath}): ${(err as Error).message}`);
    return null;
  }
  if (!parsed || typeof parsed.translations !== "object" || parsed.translations === null) {
    genLog.warning(`Cannot load translation for "${code}" (${filePath}): not a gettext .mo file`);
    return null;
  }
  const entries = new Map<string, readonly string[]>();
  for (const [context, messages] of Object.entries(parsed.translations)) {
    for (const [msgid, entry] of Object.entries(messages)) {
      if (msgid === "" || !Array.isArray(entry.msgstr)) continue;
      entries.set(GettextCatalog.key(context, msgid), entry.msgstr);
    }
  }
  const nplurals = parseNplurals(headerValue(parsed.headers, "plural-forms"));
  return new GettextCatalog(entries, pluralIndexer(toLanguageTag(code), nplurals));
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
  return undefined;
}
