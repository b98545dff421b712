/**
 * The Locale class and the registry of supported locales (the translations loaded last, plus the
 * default locale).
 */

import { Catalog, EMPTY_CATALOG } from "./catalog";
import { closeCodes, normalizeLocaleCode, toLanguageTag } from "./codes";
import { DateVocabulary, formatDate, FormatDateOptions, formatDay, FormatDayOptions, MONTH_NAMES, WEEKDAY_NAMES } from "./dates";
import { interpolate } from "./interpolate";
import { isRightToLeft, languageOf, localeDisplayName } from "./names";

interface Registry {
  defaultCode: string;
  catalogs: ReadonlyMap<string, Catalog>;
  supported: ReadonlySet<string>;
  /** One Locale per code: building one translates month and day names, so it is done once. */
  cache: Map<string, Locale>;
}

const INITIAL_DEFAULT = "en_US";

const registry: Registry = {
  defaultCode: INITIAL_DEFAULT,
  catalogs: new Map(),
  supported: new Set([INITIAL_DEFAULT]),
  cache: new Map(),
};

function refreshSupported(): void {
  registry.supported = new Set([...registry.catalogs.keys(), registry.defaultCode]);
}

/**
 * Replace the loaded translations (used by the CSV and gettext loaders): the supported locales
 * become the catalogues' codes plus the default locale.
 */
export function installCatalogs(catalogs: ReadonlyMap<string, Catalog>): void {
  registry.catalogs = catalogs;
  registry.cache.clear();
  refreshSupported();
}

/**
 * Set the locale used when no requested locale is supported, and for untranslated text (default
 * "en_US"). It is always among the supported locales.
 *
 * @example
 * setDefaultLocale("fr_FR");
 * Locale.get("xx").code; // "fr_FR"
 */
export function setDefaultLocale(code: string): void {
  const canonical = normalizeLocaleCode(code);
  if (canonical === null) throw new Error(`setDefaultLocale: "${code}" is not a locale code (expected e.g. "en_US" or "fr")`);
  registry.defaultCode = canonical;
  refreshSupported();
}

/**
 * Forget all loaded translations and restore "en_US" as the default locale.
 *
 * @example
 * clearTranslations();
 * getSupportedLocales(); // ["en_US"]
 */
export function clearTranslations(): void {
  registry.defaultCode = INITIAL_DEFAULT;
  installCatalogs(new Map());
}

/**
 * The codes of the supported locales (every loaded translation plus the default), sorted.
 *
 * @example
 * loadTranslations("translations"); // es_LA.csv, fr.csv
 * getSupportedLocales(); // ["en_US", "es_LA", "fr"]
 */
export function getSupportedLocales(): string[] {
  return [...registry.supported].sort();
}

/** The code of the default locale. */
export function getDefaultLocale(): string {
  return registry.defaultCode;
}

/**
 * A language with its translations and formatting conventions. Get one with `Locale.get`; the
 * constructor is for the registry.
 */
export class Locale implements DateVocabulary {
  /** The canonical code, e.g. "en_US". */
  readonly code: string;
  /** The native name, e.g. "English (US)" or "Français" ("Unknown" if not in the table). */
  readonly name: string;
  /** Whether the language is written right to left (Arabic, Persian, Hebrew, Urdu, …). */
  readonly rtl: boolean;
  /** Month names in this language, January first. */
  readonly months: readonly string[];
  /** Weekday names in this language, Monday first. */
  readonly weekdays: readonly string[];
  private readonly catalog: Catalog;
  private readonly numberFormat: Intl.NumberFormat;

  constructor(code: string, catalog: Catalog = EMPTY_CATALOG) {
    this.code = code;
    this.name = localeDisplayName(code);
    this.rtl = isRightToLeft(code);
    this.catalog = catalog;
    this.months = MONTH_NAMES.map((month) => this.translate(month));
    this.weekdays = WEEKDAY_NAMES.map((day) => this.translate(day));
    this.numberFormat = numberFormatFor(code);
  }

  /**
   * The supported locale closest to the first usable code: the exact code ("fr-fr" → "fr_FR"),
   * else its language ("fr"), then the next code; the default locale if none match.
   *
   * @example
   * Locale.get("es-GT", "en").code; // "es" when es.csv is loaded
   */
  static get(...codes: string[]): Locale {
    for (const raw of codes) {
      if (typeof raw !== "string") continue;
      for (const code of closeCodes(raw)) {
        if (registry.supported.has(code)) return Locale.forCode(code);
      }
    }
    return Locale.forCode(registry.defaultCode);
  }

  /** Same as `Locale.get` (Tornado's name). */
  static getClosest(...codes: string[]): Locale {
    return Locale.get(...codes);
  }

  private static forCode(code: string): Locale {
    let locale = registry.cache.get(code);
    if (locale === undefined) {
      locale = new Locale(code, registry.catalogs.get(code) ?? EMPTY_CATALOG);
      registry.cache.set(code, locale);
    }
    return locale;
  }

  /**
   * Translate `message`. With `plural` and `count`, the form for that count is chosen (CSV: count
   * 1 is singular; gettext: the language's plural rules). Untranslated text comes back in English.
   * Placeholders are left for `interpolate`.
   *
   * @example
   * locale.translate("Sign in");                                            // "Iniciar sesión"
   * locale.translate("%(n)d apple", "%(n)d apples", 5);                      // "%(n)d яблок"
   */
  translate(message: string, plural?: string, count?: number): string {
    return this.catalog.translate(message, plural, count);
  }

  /**
   * Translate `message` in a context, to tell apart identical English words ("File" the menu vs.
   * "File" the verb). Only gettext catalogues have contexts; CSV ones ignore the context.
   *
   * @example
   * locale.pgettext("law", "right");       // "Recht"
   * locale.pgettext("direction", "right"); // "rechts"
   */
  pgettext(context: string, message: string, plural?: string, count?: number): string {
    return this.catalog.pgettext(context, message, plural, count);
  }

  /**
   * Format a Date (or seconds since the epoch) relative to now: "2 seconds ago", "5 minutes ago",
   * "3 hours ago", then "yesterday at 6:35 pm", "Sunday at 6:35 pm", "April 28 at 6:35 pm" and,
   * from eleven months back or for future dates, "April 28, 2013 at 6:35 pm". `shorter` drops the
   * time of day; `relative: false` skips the "… ago" phrases; `fullFormat` always gives the year.
   * English (US) uses a 12-hour clock, other locales 24 hours.
   *
   * @example
   * locale.formatDate(new Date(Date.now() - 5 * 60_000)); // "5 minutes ago"
   * locale.formatDate(1367174100, { fullFormat: true });  // "April 28, 2013 at 6:35 pm"
   */
  formatDate(date: Date | number, options?: FormatDateOptions): string {
    return formatDate(this, date, options);
  }

  /**
   * Format the day of a Date (or seconds since the epoch): "Sunday, April 28", or "April 28"
   * with `dow: false`.
   *
   * @example
   * locale.formatDay(new Date("2013-04-28T12:00:00Z")); // "Sunday, April 28"
   */
  formatDay(date: Date | number, options?: FormatDayOptions): string {
    return formatDay(this, date, options);
  }

  /**
   * Join items as a sentence list: "A", "A and B", "A, B and C" ("" for none).
   *
   * @example
   * locale.list(["A", "B", "C"]); // "A, B and C"
   */
  list(parts: readonly string[]): string {
    if (parts.length === 0) return "";
    if (parts.length === 1) return parts[0];
    const comma = languageOf(this.code) === "fa" ? " \u0648 " : ", ";
    return interpolate(this.translate("%(commas)s and %(last)s"), {
      commas: parts.slice(0, -1).join(comma),
      last: parts[parts.length - 1],
    });
  }

  /**
   * A number with the locale's digit grouping: "1,000,000" in English, "1.000.000" in German.
   * Digits stay ASCII in every locale.
   *
   * @example
   * locale.friendlyNumber(1000000); // "1,000,000"
   */
  friendlyNumber(value: number): string {
    if (!Number.isFinite(value)) return String(value);
    return this.numberFormat.format(value);
  }
}

function numberFormatFor(code: string): Intl.NumberFormat {
  const options: Intl.NumberFormatOptions = { maximumFractionDigits: 20, useGrouping: true };
  try {
    return new Intl.NumberFormat(toLanguageTag(code) + "-u-nu-latn", options);
  } catch {
    return new Intl.NumberFormat("en-US", options);
  }
}

/**
 * The supported locale closest to the given codes (see `Locale.get`).
 *
 * @example
 * getLocale("fr-FR", "en").code; // "fr_FR" if loaded, else "fr", else the default
 */
export function getLocale(...codes: string[]): Locale {
  return Locale.get(...codes);
}
