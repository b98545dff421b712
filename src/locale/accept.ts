/**
 * Parsing the Accept-Language request header.
 */

const QVALUE = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/**
 * The language tags of an Accept-Language header, most preferred first: ordered by q-value (1 when
 * absent), ties keep header order. Entries with q=0, with a malformed q (q=abc, q=2), the `*`
 * wildcard and empty entries are dropped. Tags are returned as sent; `Locale.get` normalizes them.
 *
 * @example
 * parseAcceptLanguage("fr-CH, fr;q=0.9, en;q=0.8, de;q=0"); // ["fr-CH", "fr", "en"]
 */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (typeof header !== "string" || header === "") return [];
  const weighted: { tag: string; q: number }[] = [];
  for (const item of header.split(",")) {
    const [rawTag, ...params] = item.split(";");
    const tag = rawTag.trim();
    if (tag === "" || tag === "*") continue;
    let q = 1;
    let valid = true;
    for (const param of params) {
      const text = param.trim().replace(/\s*=\s*/, "=");
      if (!/^q=/i.test(text)) continue;
      const match = QVALUE.exec(text);
      if (match === null) valid = false;
      else q = Number(match[1]);
    }
    if (valid && q > 0) weighted.push({ tag, q });
  }
  // Array#sort is stable, so equal weights keep the order the browser sent.
  weighted.sort((a, b) => b.q - a.q);
  return weighted.map((entry) => entry.tag);
}
