/**
 * Native display names of languages and right-to-left detection.
 *
 * A locale's `name` is what a language picker shows to speakers of that language, so it is written
 * in the language itself ("Français", not "French").
 */

/** Native names of bare language codes. */
const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  af: "Afrikaans", am: "አማርኛ", ar: "العربية", az: "Azərbaycan", be: "Беларуская",
  bg: "Български", bn: "বাংলা", bs: "Bosanski", ca: "Català", cs: "Čeština", cy: "Cymraeg",
  da: "Dansk", de: "Deutsch", el: "Ελληνικά", en: "English", eo: "Esperanto", es: "Español",
  et: "Eesti", eu: "Euskara", fa: "فارسی", fi: "Suomi", fil: "Filipino", fr: "Français",
  ga: "Gaeilge", gl: "Galego", gu: "ગુજરાતી", he: "עברית", hi: "हिन्दी", hr: "Hrvatski",
  hu: "Magyar", hy: "Հայերեն", id: "Bahasa Indonesia", is: "Íslenska", it: "Italiano",
  ja: "日本語", ka: "ქართული", kk: "Қазақ", km: "ខ្មែរ", kn: "ಕನ್ನಡ", ko: "한국어",
  ku: "Kurdî", la: "Latina", lt: "Lietuvių", lv: "Latviešu", mk: "Македонски",
  ml: "മലയാളം", mn: "Монгол", mr: "मराठी", ms: "Bahasa Melayu", mt: "Malti", nb: "Norsk (bokmål)",
  ne: "नेपाली", nl: "Nederlands", nn: "Norsk (nynorsk)", no: "Norsk", pa: "ਪੰਜਾਬੀ", pl: "Polski",
  ps: "پښتو", pt: "Português", ro: "Română", ru: "Русский", sk: "Slovenčina", sl: "Slovenščina",
  sq: "Shqip", sr: "Српски", sv: "Svenska", sw: "Kiswahili", ta: "தமிழ்", te: "తెలుగు",
  th: "ภาษาไทย", tl: "Filipino", tr: "Türkçe", uk: "Українська", ur: "اردو", uz: "Oʻzbek",
  vi: "Tiếng Việt", yi: "ייִדיש", zh: "中文", zu: "isiZulu",
};

/** Regional variants whose name differs from the bare language's. */
const REGIONAL_NAMES: Readonly<Record<string, string>> = {
  en_US: "English (US)", en_GB: "English (UK)", en_AU: "English (Australia)",
  en_CA: "English (Canada)", en_IN: "English (India)",
  es_ES: "Español (España)", es_MX: "Español (México)", es_AR: "Español (Argentina)",
  fr_CA: "Français (Canada)", fr_BE: "Français (Belgique)", fr_CH: "Français (Suisse)",
  de_AT: "Deutsch (Österreich)", de_CH: "Deutsch (Schweiz)", nl_BE: "Nederlands (België)",
  pt_BR: "Português (Brasil)", pt_PT: "Português (Portugal)",
  zh_CN: "中文(简体)", zh_SG: "中文(简体)", zh_TW: "中文(繁體)", zh_HK: "中文(香港)",
};

/** Languages written right to left (bare language codes). */
const RTL_LANGUAGES: ReadonlySet<string> = new Set([
  "ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi",
]);

/**
 * The native name of a locale code: an exact regional entry, else the bare language's name, else
 * "Unknown".
 *
 * @example
 * localeDisplayName("en_US"); // "English (US)"
 * localeDisplayName("fr_FR"); // "Français"
 */
export function localeDisplayName(code: string): string {
  const regional = REGIONAL_NAMES[code];
  if (regional !== undefined) return regional;
  return LANGUAGE_NAMES[languageOf(code)] ?? "Unknown";
}

/**
 * Whether text in this locale runs right to left.
 *
 * @example
 * isRightToLeft("fa_IR"); // true
 */
export function isRightToLeft(code: string): boolean {
  return RTL_LANGUAGES.has(languageOf(code));
}

/** The language part of a locale code: "pt_BR" → "pt". */
export function languageOf(code: string): string {
  const cut = code.indexOf("_");
  return cut < 0 ? code : code.slice(0, cut);
}
