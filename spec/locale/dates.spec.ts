import { expect } from "chai";
import * as sinon from "sinon";
import { DateVocabulary, formatDate, formatDay, MONTH_NAMES, WEEKDAY_NAMES } from "../../src/locale/dates";
import { Locale } from "../../src/locale/locale";

/** Sunday, April 28, 2013, 18:35:00 UTC: the fixed "now" of these specs. */
const NOW = new Date(Date.UTC(2013, 3, 28, 18, 35, 0));
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function ago(millis: number, now: Date = NOW): Date {
  return new Date(now.getTime() - millis);
}

function utc(month: number, day: number, hour: number, minute: number, year = 2013): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute));
}

describe("Locale#formatDate", () => {
  const en = new Locale("en_US");

  describe("when the date is less than 50 seconds ago", () => {
    it("counts seconds, singular for one", () => {
      expect(en.formatDate(ago(1 * SECOND), { now: NOW })).to.equal("1 second ago");
      expect(en.formatDate(ago(2 * SECOND), { now: NOW })).to.equal("2 seconds ago");
      expect(en.formatDate(ago(49 * SECOND + 999), { now: NOW })).to.equal("49 seconds ago");
    });
  });

  describe("when the date is 50 seconds to 50 minutes ago", () => {
    it("counts rounded minutes", () => {
      expect(en.formatDate(ago(50 * SECOND), { now: NOW })).to.equal("1 minute ago");
      expect(en.formatDate(ago(5 * MINUTE), { now: NOW })).to.equal("5 minutes ago");
      expect(en.formatDate(ago(5 * MINUTE + 40 * SECOND), { now: NOW })).to.equal("6 minutes ago");
    });
  });

  describe("when the date is 50 minutes to a day ago", () => {
    it("counts rounded hours", () => {
      expect(en.formatDate(ago(50 * MINUTE), { now: NOW })).to.equal("1 hour ago");
      expect(en.formatDate(ago(2 * HOUR), { now: NOW })).to.equal("2 hours ago");
      expect(en.formatDate(ago(23 * HOUR + 59 * MINUTE), { now: NOW })).to.equal("24 hours ago");
    });
  });

  describe("when relative is false and the date is today", () => {
    it("gives the time of day", () => {
      expect(en.formatDate(ago(5 * MINUTE), { now: NOW, relative: false })).to.equal("6:30 pm");
    });
  });

  describe("when the date is on the previous calendar day", () => {
    it("says yesterday with the time", () => {
      expect(en.formatDate(utc(4, 27, 10, 0), { now: NOW })).to.equal("yesterday at 10:00 am");
    });

    it("says just yesterday when shorter", () => {
      expect(en.formatDate(utc(4, 27, 10, 0), { now: NOW, shorter: true })).to.equal("yesterday");
    });

    it("gives the weekday when relative is false", () => {
      expect(en.formatDate(utc(4, 27, 10, 0), { now: NOW, relative: false })).to.equal("Saturday at 10:00 am");
    });
  });

  describe("when a day has passed but the date is two calendar days back", () => {
    it("gives the weekday rather than yesterday", () => {
      const now = utc(4, 28, 0, 30);
      expect(en.formatDate(utc(4, 26, 23, 0), { now })).to.equal("Friday at 11:00 pm");
    });
  });

  describe("when the date is two to four days ago", () => {
    it("gives the weekday and time", () => {
      expect(en.formatDate(ago(4 * DAY), { now: NOW })).to.equal("Wednesday at 6:35 pm");
      expect(en.formatDate(ago(2 * DAY + HOUR), { now: NOW })).to.equal("Friday at 5:35 pm");
    });

    it("gives only the weekday when shorter", () => {
      expect(en.formatDate(ago(4 * DAY), { now: NOW, shorter: true })).to.equal("Wednesday");
    });
  });

  describe("when the date is five days to eleven months ago", () => {
    it("gives month and day with the time", () => {
      expect(en.formatDate(ago(5 * DAY), { now: NOW })).to.equal("April 23 at 6:35 pm");
      expect(en.formatDate(ago(333 * DAY), { now: NOW })).to.equal("May 30 at 6:35 pm");
    });

    it("gives month and day when shorter", () => {
      expect(en.formatDate(ago(30 * DAY), { now: NOW, shorter: true })).to.equal("March 29");
    });
  });

  describe("when the date is eleven months ago or more", () => {
    it("gives the full date with the year", () => {
      expect(en.formatDate(ago(334 * DAY), { now: NOW })).to.equal("May 29, 2012 at 6:35 pm");
    });

    it("gives the date without the time when shorter", () => {
      expect(en.formatDate(ago(334 * DAY), { now: NOW, shorter: true })).to.equal("May 29, 2012");
    });
  });

  describe("when fullFormat is set", () => {
    it("gives the full date even for a recent one", () => {
      expect(en.formatDate(ago(5 * MINUTE), { now: NOW, fullFormat: true })).to.equal("April 28, 2013 at 6:30 pm");
    });
  });

  describe("when the date is in the future", () => {
    it("treats under a minute ahead as clock skew (now)", () => {
      expect(en.formatDate(ago(-30 * SECOND), { now: NOW })).to.equal("0 seconds ago");
    });

    it("gives the full date further ahead", () => {
      expect(en.formatDate(ago(-2 * DAY), { now: NOW })).to.equal("April 30, 2013 at 6:35 pm");
    });

    it("gives the full date when relative is false", () => {
      expect(en.formatDate(ago(-30 * SECOND), { now: NOW, relative: false })).to.equal("April 28, 2013 at 6:35 pm");
    });
  });

  describe("when a gmtOffset is given", () => {
    it("shows the local time (minutes west of UTC)", () => {
      expect(en.formatDate(NOW, { now: NOW, relative: false, gmtOffset: 420 })).to.equal("11:35 am");
      expect(en.formatDate(NOW, { now: NOW, relative: false, gmtOffset: -120 })).to.equal("8:35 pm");
    });

    it("decides yesterday by the local calendar", () => {
      expect(en.formatDate(utc(4, 27, 10, 0), { now: NOW, gmtOffset: -360 })).to.equal("Saturday at 4:00 pm");
    });
  });

  describe("when the date is a number", () => {
    it("reads it as seconds since the epoch", () => {
      const nowSeconds = NOW.getTime() / 1000;
      expect(en.formatDate(nowSeconds - 120, { now: nowSeconds })).to.equal("2 minutes ago");
      expect(en.formatDate(1367174100, { now: NOW, fullFormat: true })).to.equal("April 28, 2013 at 6:35 pm");
    });
  });

  describe("when now is not given", () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers(NOW.getTime());
    });
    afterEach(() => clock.restore());

    it("uses the current time", () => {
      expect(en.formatDate(ago(3 * HOUR))).to.equal("3 hours ago");
    });
  });

  describe("when the date is invalid", () => {
    it("throws a RangeError", () => {
      expect(() => en.formatDate(new Date("nonsense"), { now: NOW })).to.throw(RangeError, /valid Date/);
      expect(() => en.formatDate(NaN, { now: NOW })).to.throw(RangeError);
    });
  });

  describe("when the locale is not US English", () => {
    it("uses a 24-hour clock", () => {
      expect(new Locale("de").formatDate(ago(4 * DAY), { now: NOW })).to.equal("Wednesday at 18:35");
      expect(new Locale("en_GB").formatDate(utc(4, 28, 9, 5), { now: NOW, relative: false })).to.equal("9:05");
    });

    it("uses 上午/下午 in Simplified Chinese", () => {
      expect(new Locale("zh_CN").formatDate(NOW, { now: NOW, relative: false })).to.equal("下午6:35");
      expect(new Locale("zh_CN").formatDate(utc(4, 28, 0, 5), { now: NOW, relative: false })).to.equal("上午12:05");
    });
  });

  describe("when the vocabulary translates", () => {
    const requested: string[] = [];
    const bracketed: DateVocabulary = {
      code: "en_US",
      translate(message: string, plural?: string, count?: number): string {
        requested.push(message);
        return "[" + (plural !== undefined && count !== 1 ? plural : message) + "]";
      },
      months: MONTH_NAMES.map((m) => `<${m}>`),
      weekdays: WEEKDAY_NAMES.map((d) => `<${d}>`),
    };

    it("passes every phrase through translate", () => {
      expect(formatDate(bracketed, ago(3 * SECOND), { now: NOW })).to.equal("[3 seconds ago]");
      expect(formatDate(bracketed, utc(4, 27, 10, 0), { now: NOW })).to.equal("[yesterday at 10:00 am]");
      expect(formatDate(bracketed, ago(4 * DAY), { now: NOW })).to.equal("[<Wednesday> at 6:35 pm]");
      expect(formatDate(bracketed, ago(400 * DAY), { now: NOW, shorter: true })).to.equal("[<March> 24, 2012]");
      expect(formatDay(bracketed, NOW)).to.equal("[<Sunday>, <April> 28]");
      expect(requested).to.include.members(["1 second ago", "yesterday at %(time)s", "%(weekday)s at %(time)s"]);
    });
  });
});

describe("Locale#formatDay", () => {
  const en = new Locale("en_US");

  describe("by default", () => {
    it("gives weekday, month and day", () => {
      expect(en.formatDay(NOW)).to.equal("Sunday, April 28");
    });
  });

  describe("when dow is false", () => {
    it("leaves the weekday out", () => {
      expect(en.formatDay(NOW, { dow: false })).to.equal("April 28");
    });
  });

  describe("when a gmtOffset moves the date across midnight", () => {
    it("gives the local day", () => {
      expect(en.formatDay(utc(4, 28, 2, 0), { gmtOffset: 480 })).to.equal("Saturday, April 27");
    });
  });

  describe("when the date is a number of seconds", () => {
    it("reads it as seconds since the epoch", () => {
      expect(en.formatDay(NOW.getTime() / 1000)).to.equal("Sunday, April 28");
    });
  });
});
