/**
 * Translation catalogues: the lookup behind `Locale#translate` and `Locale#pgettext`, one kind per
 * file format. A missing translation always falls back to the English text (singular when
 * count is 1, else plural), never to an error.
 */

import { PluralIndexer } from "./plural";
import { genLog } from "../log";

/** Looks up translated messages for one locale. */
export interface Catalog {
  translate(message: string, plural: string | undefined, count: number | undefined): string;
  pgettext(context: string, message: string, plural: string | undefined, count: number | undefined): string;
}

/** Which of Tornado's CSV plural markers a row carried. */
export type CsvPluralMarker = "singular" | "plural" | "unknown";

/** The rows of one CSV file, grouped by plural marker (english → translation). */
export type CsvTable = Record<CsvPluralMarker, Map<string, string>>;

/** A new empty CSV table. */
export function emptyCsvTable(): CsvTable {
  return { singular: new Map(), plural: new Map(), unknown: new Map() };
}

function requireCount(count: number | undefined): number {
  if (typeof count !== "number") throw new TypeError("translate: a plural message needs a numeric count");
  return count;
}

function untranslated(message: string, plural: string | undefined, count: number | undefined): string {
  if (plural === undefined) return message;
  return requireCount(count) === 1 ? message : plural;
}

/** The catalogue of a locale with no translations: English passes through. */
export const EMPTY_CATALOG: Catalog = {
  translate: untranslated,
  pgettext: (_context, message, plural, count) => untranslated(message, plural, count),
};

/**
 * Tornado's CSV semantics: with a plural message, count 1 picks the row marked "singular" for the
 * first message, anything else the row marked "plural" for the second. Rows without a marker also
 * match, so files that never mark rows still translate plural calls.
 */
export class CsvCatalog implements Catalog {
  private warnedContext = false;

  constructor(private readonly code: string, private readonly table: CsvTable) {}

  translate(message: string, plural: string | undefined, count: number | undefined): string {
    const { singular, plural: plurals, unknown } = this.table;
    if (plural === undefined) return unknown.get(message) ?? singular.get(message) ?? message;
    if (requireCount(count) === 1) return singular.get(message) ?? unknown.get(message) ?? message;
    return plurals.get(plural) ?? unknown.get(plural) ?? plural;
  }

  /** CSV files have no contexts: the context is ignored (with one warning per locale). */
  pgettext(_context: string, message: string, plural: string | undefined, count: number | undefined): string {
    if (!this.warnedContext) {
      this.warnedContext = true;
      genLog.warning(`pgettext is not supported by CSV translations (locale ${this.code}); context ignored`);
    }
    return this.translate(message, plural, count);
  }
}

/** Separates context and msgid in the lookup key, as in the .mo format itself. */
const CONTEXT_SEPARATOR = "\u0004";

/** A gettext catalogue: msgstr forms keyed by context and msgid, plural index from the locale's rules. */
export class GettextCatalog implements Catalog {
  constructor(private readonly entries: ReadonlyMap<string, readonly string[]>, private readonly pluralIndex: PluralIndexer) {}

  /** The lookup key of a message in a context ("" is no context). */
  static key(context: string, message: string): string {
    return context === "" ? message : context + CONTEXT_SEPARATOR + message;
  }

  translate(message: string, plural: string | undefined, count: number | undefined): string {
    return this.find(message, message, plural, count);
  }

  /** A message with no translation in `context` is left untranslated, as gettext's pgettext does. */
  pgettext(context: string, message: string, plural: string | undefined, count: number | undefined): string {
    return this.find(GettextCatalog.key(context, message), message, plural, count);
  }

  private find(key: string, message: string, plural: string | undefined, count: number | undefined): string {
    const forms = this.entries.get(key);
    if (plural === undefined) {
      const text = forms?.[0];
      return text ? text : message;
    }
    const n = requireCount(count);
    const text = forms?.[this.pluralIndex(n)];
    if (text) return text;
    return n === 1 ? message : plural;
  }
}
