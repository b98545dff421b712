/**
 * Python-style named placeholders (`%(name)s`, `%(count)d`), the form Tornado's translation
 * catalogues use, so existing CSV and .mo files keep working unchanged.
 */

const PLACEHOLDER = /%\(([A-Za-z_][A-Za-z0-9_]*)\)([sd])|%%/g;

/**
 * Fill `%(name)s` (string) and `%(name)d` (integer, truncated) placeholders; `%%` is a literal `%`.
 * A placeholder whose name is missing from `values` is left as written rather than throwing, so a
 * translator's typo shows up on the page instead of breaking it.
 *
 * @example
 * interpolate("%(count)d people liked %(what)s", { count: 3, what: "this" }); // "3 people liked this"
 */
export function interpolate(template: string, values: Readonly<Record<string, unknown>>): string {
  if (template.indexOf("%") < 0) return template;
  return template.replace(PLACEHOLDER, (whole: string, name: string | undefined, kind: string | undefined) => {
    if (name === undefined) return "%";
    if (!Object.prototype.hasOwnProperty.call(values, name)) return whole;
    const value = values[name];
    if (kind === "d") {
      const n = Math.trunc(Number(value));
      return Number.isFinite(n) ? String(n) : whole;
    }
    return String(value);
  });
}
