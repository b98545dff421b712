/**
 * Translations and locale-aware formatting (Tornado's `tornado.locale`).
 *
 * Load catalogues once at start-up with `loadTranslations` (CSV) or `loadGettextTranslations`
 * (.mo), then pick the best locale for a user with `Locale.get(...codes)`; the request handler does
 * this from the Accept-Language header via `parseAcceptLanguage`.
 *
 * @example
 * import { loadTranslations, Locale } from "tornado-ts/locale";
 * loadTranslations("translations");
 * const locale = Locale.get("es-GT", "en");
 * locale.translate("Sign in");
 * locale.formatDate(post.created, { gmtOffset: new Date().getTimezoneOffset() });
 */

export {
  Locale,
  getLocale,
  getLocale as get,
  setDefaultLocale,
  getDefaultLocale,
  getSupportedLocales,
  clearTranslations,
} from "./locale/locale";
export { loadTranslations, loadGettextTranslations } from "./locale/loaders";
export type { LoadTranslationsOptions } from "./locale/loaders";
export { parseAcceptLanguage } from "./locale/accept";
export { interpolate } from "./locale/interpolate";
export { normalizeLocaleCode, isLocaleCode } from "./locale/codes";
export type { FormatDateOptions, FormatDayOptions } from "./locale/dates";
export type { Catalog } from "./locale/catalog";
