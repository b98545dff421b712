/**
 * Tornado's human-friendly dates ("5 minutes ago", "yesterday at 6:35 pm", "April 28, 2013 at
 * 6:35 pm"). Every phrase is an English message passed through the locale's `translate`, so a
 * catalogue can localize each one.
 */

import { interpolate } from "./interpolate";

/** English month names, January first; translated once per locale. */
export const MONTH_NAMES: readonly string[] = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];

/** English weekday names, Monday first (as Tornado numbers them); translated once per locale. */
export const WEEKDAY_NAMES: readonly string[] = [
  "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
];

/** What the formatters need from a locale. */
export interface DateVocabulary {
  readonly code: string;
  translate(message: string, plural?: string, count?: number): string;
  /** Translated month names, January first. */
  readonly months: readonly string[];
  /** Translated weekday names, Monday first. */
  readonly weekdays: readonly string[];
}

/** Options of `Locale#formatDate`. */
export interface FormatDateOptions {
  /** Minutes west of UTC, as `Date#getTimezoneOffset` gives them (480 for PST, -60 for CET). */
  gmtOffset?: number;
  /** Say "5 minutes ago" / "yesterday" for recent dates (default true). */
  relative?: boolean;
  /** Leave the time of day out of day-level phrases (default false). */
  shorter?: boolean;
  /** Always give month, day and year (default false). */
  fullFormat?: boolean;
  /** The current time (Date or seconds since the epoch); defaults to the clock. */
  now?: Date | number;
}

/** Options of `Locale#formatDay`. */
export interface FormatDayOptions {
  /** Minutes west of UTC, as `Date#getTimezoneOffset` gives them. */
  gmtOffset?: number;
  /** Include the weekday (default true). */
  dow?: boolean;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** Milliseconds since the epoch of a Date or a number of seconds; invalid input throws. */
export function toEpochMillis(value: Date | number, what: string): number {
  const millis = value instanceof Date ? value.getTime() : typeof value === "number" ? value * 1000 : NaN;
  if (!Number.isFinite(millis)) throw new RangeError(`${what}: expected a valid Date or a number of seconds, got ${String(value)}`);
  return millis;
}

/**
 * Format `date` relative to now the way Tornado does (see `Locale#formatDate`).
 *
 * @example
 * formatDate(locale, new Date(Date.now() - 300_000)); // "5 minutes ago"
 */
export function formatDate(vocab: DateVocabulary, date: Date | number, options: FormatDateOptions = {}): string {
  const { gmtOffset = 0, relative = true, shorter = false } = options;
  let fullFormat = options.fullFormat ?? false;
  const nowMillis = options.now === undefined ? Date.now() : toEpochMillis(options.now, "formatDate (now)");
  let dateMillis = toEpochMillis(date, "formatDate");
  if (dateMillis > nowMillis) {
    // A date slightly in the future is clock skew between machines: call it "now".
    if (relative && dateMillis - nowMillis < MINUTE * 1000) dateMillis = nowMillis;
    else fullFormat = true;
  }
  const offsetMillis = gmtOffset * 60_000;
  const local = new Date(dateMillis - offsetMillis);
  const localNow = new Date(nowMillis - offsetMillis);
  const elapsed = Math.floor((nowMillis - dateMillis) / 1000);
  const days = Math.floor(elapsed / DAY);
  const seconds = elapsed - days * DAY;
  const _ = (message: string, plural?: string, count?: number) => vocab.translate(message, plural, count);

  let format: string | null = null;
  if (!fullFormat) {
    if (relative && days === 0) {
      if (seconds < 50) {
        return interpolate(_("1 second ago", "%(seconds)d seconds ago", seconds), { seconds });
      }
      if (seconds < 50 * MINUTE) {
        const minutes = Math.round(seconds / MINUTE);
        return interpolate(_("1 minute ago", "%(minutes)d minutes ago", minutes), { minutes });
      }
      const hours = Math.round(seconds / HOUR);
      return interpolate(_("1 hour ago", "%(hours)d hours ago", hours), { hours });
    }
    if (days === 0) {
      format = _("%(time)s");
    } else if (days === 1 && relative && isDayBefore(local, localNow)) {
      format = shorter ? _("yesterday") : _("yesterday at %(time)s");
    } else if (days < 5) {
      format = shorter ? _("%(weekday)s") : _("%(weekday)s at %(time)s");
    } else if (days < 334) {
      // Under eleven months: the year is implied without naming the same month of last year.
      format = shorter ? _("%(month_name)s %(day)s") : _("%(month_name)s %(day)s at %(time)s");
    }
  }
  if (format === null) {
    format = shorter ? _("%(month_name)s %(day)s, %(year)s") : _("%(month_name)s %(day)s, %(year)s at %(time)s");
  }
  return interpolate(format, {
    month_name: vocab.months[local.getUTCMonth()],
    weekday: vocab.weekdays[mondayFirst(local)],
    day: String(local.getUTCDate()),
    year: String(local.getUTCFullYear()),
    time: timeOfDay(vocab.code, local),
  });
}

/**
 * Format the day of `date`: "Monday, January 22", or "January 22" without the weekday.
 *
 * @example
 * formatDay(locale, new Date(Date.UTC(2013, 3, 28))); // "Sunday, April 28"
 */
export function formatDay(vocab: DateVocabulary, date: Date | number, options: FormatDayOptions = {}): string {
  const { gmtOffset = 0, dow = true } = options;
  const local = new Date(toEpochMillis(date, "formatDay") - gmtOffset * 60_000);
  const format = dow ? vocab.translate("%(weekday)s, %(month_name)s %(day)s") : vocab.translate("%(month_name)s %(day)s");
  return interpolate(format, {
    month_name: vocab.months[local.getUTCMonth()],
    weekday: vocab.weekdays[mondayFirst(local)],
    day: String(local.getUTCDate()),
  });
}

/** Whether `local` falls on the calendar day before `localNow` (both shifted to local time). */
function isDayBefore(local: Date, localNow: Date): boolean {
  const yesterday = new Date(localNow.getTime() - DAY * 1000);
  return local.getUTCFullYear() === yesterday.getUTCFullYear()
    && local.getUTCMonth() === yesterday.getUTCMonth()
    && local.getUTCDate() === yesterday.getUTCDate();
}

function mondayFirst(local: Date): number {
  return (local.getUTCDay() + 6) % 7;
}

/** "6:35 pm" for US English, "下午6:35" for Simplified Chinese, "18:35" everywhere else. */
function timeOfDay(code: string, local: Date): string {
  const hour = local.getUTCHours();
  const minutes = String(local.getUTCMinutes()).padStart(2, "0");
  const hour12 = hour % 12 || 12;
  if (code === "en" || code === "en_US") return `${hour12}:${minutes} ${hour >= 12 ? "pm" : "am"}`;
  if (code === "zh_CN") return `${hour >= 12 ? "下午" : "上午"}${hour12}:${minutes}`;
  return `${hour}:${minutes}`;
}
