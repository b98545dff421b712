/**
 * Choosing the msgstr index of a gettext plural entry with Intl.PluralRules.
 *
 * gettext numbers a language's plural forms in the order of CLDR's categories (zero, one, two,
 * few, many, other) restricted to the categories that whole numbers reach: Russian has
 * one/few/many → 0/1/2, Arabic zero…other → 0…5, Czech one/few/other → 0/1/2. Probing the rules
 * with whole numbers once gives that order, so no per-language table is needed.
 */

const CLDR_ORDER: readonly Intl.LDMLPluralRule[] = ["zero", "one", "two", "few", "many", "other"];

/** Largest whole number probed; every gettext-relevant category shows up below 200. */
const PROBE_LIMIT = 200;

/** Maps a count to the index of the msgstr form to use. */
export type PluralIndexer = (count: number) => number;

/**
 * Build the count → msgstr index function for a language tag and the catalogue's `nplurals`.
 * When the catalogue declares a different number of forms than CLDR knows for the language (a
 * two-form Hebrew catalogue, say), the Germanic rule (1 → 0, else 1) is used instead.
 *
 * @example
 * const index = pluralIndexer("ru", 3);
 * [1, 2, 5, 21].map(index); // [0, 1, 2, 0]
 */
export function pluralIndexer(languageTag: string, nplurals: number | undefined): PluralIndexer {
  let rules: Intl.PluralRules;
  try {
    rules = new Intl.PluralRules(languageTag);
  } catch {
    rules = new Intl.PluralRules("en");
  }
  const seen = new Set<Intl.LDMLPluralRule>();
  for (let n = 0; n < PROBE_LIMIT; n++) seen.add(rules.select(n));
  const order = CLDR_ORDER.filter((category) => seen.has(category));

  if (nplurals !== undefined && nplurals !== order.length) {
    if (nplurals <= 1) return () => 0;
    return (count) => (count === 1 ? 0 : 1);
  }
  const indexes = new Map<Intl.LDMLPluralRule, number>();
  order.forEach((category, index) => indexes.set(category, index));
  // Categories only fractions or huge numbers reach (Russian "other", French "many") share the
  // last form, which is what gettext's own formulas give for them.
  const last = order.length - 1;
  return (count) => indexes.get(rules.select(count)) ?? last;
}

/**
 * The `nplurals` value of a catalogue's Plural-Forms header, if it has a usable one.
 *
 * @example
 * parseNplurals("nplurals=3; plural=(n%10==1 ? 0 : 1);"); // 3
 */
export function parseNplurals(pluralForms: string | undefined): number | undefined {
  if (pluralForms === undefined) return undefined;
  const match = /nplurals\s*=\s*(\d+)/.exec(pluralForms);
  if (match === null) return undefined;
  const value = Number(match[1]);
  return value >= 1 ? value : undefined;
}
