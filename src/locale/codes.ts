/**
 * Locale codes: Tornado's `ll` / `ll_CC` form (language lower case, region upper case), and the
 * conversions from the looser spellings browsers and users send ("fr-fr", "zh-Hant-TW").
 */

const CANONICAL = /^[a-z]{2,3}(?:_(?:[A-Z]{2}|[0-9]{3}))?$/;
const LANGUAGE = /^[a-zA-Z]{2,3}$/;
const REGION = /^(?:[a-zA-Z]{2}|[0-9]{3})$/;
const SCRIPT = /^[a-zA-Z]{4}$/;

/**
 * Whether `code` is already a canonical locale code such as "es" or "es_LA".
 *
 * @example
 * isLocaleCode("pt_BR"); // true
 * isLocaleCode("pt-br"); // false (use normalizeLocaleCode first)
 */
export function isLocaleCode(code: string): boolean {
  return CANONICAL.test(code);
}

/**
 * The canonical form of a user- or browser-supplied code, or null when it is not a locale code.
 * A script subtag is dropped ("zh-Hant-TW" → "zh_TW"); other extra subtags make the code invalid.
 *
 * @example
 * normalizeLocaleCode("fr-fr");      // "fr_FR"
 * normalizeLocaleCode("zh-Hant-TW"); // "zh_TW"
 * normalizeLocaleCode("*");          // null
 */
export function normalizeLocaleCode(raw: string): string | null {
  const parts = raw.trim().split(/[-_]/);
  const language = parts[0];
  if (!LANGUAGE.test(language)) return null;
  let rest = parts.slice(1);
  if (rest.length > 0 && SCRIPT.test(rest[0])) rest = rest.slice(1);
  if (rest.length === 0) return language.toLowerCase();
  if (rest.length > 1 || !REGION.test(rest[0])) return null;
  return language.toLowerCase() + "_" + rest[0].toUpperCase();
}

/**
 * The codes to try, best first, when looking for a supported locale close to `raw`: the full code,
 * then its bare language.
 *
 * @example
 * closeCodes("fr-CA"); // ["fr_CA", "fr"]
 */
export function closeCodes(raw: string): string[] {
  const code = normalizeLocaleCode(raw);
  if (code === null) return [];
  const cut = code.indexOf("_");
  return cut < 0 ? [code] : [code, code.slice(0, cut)];
}

/**
 * The BCP 47 tag Intl APIs expect for a canonical code ("pt_BR" → "pt-BR").
 *
 * @example
 * toLanguageTag("pt_BR"); // "pt-BR"
 */
export function toLanguageTag(code: string): string {
  return code.replace("_", "-");
}
