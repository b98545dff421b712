import { expect } from "chai";
import {
  createSignedValue,
  decodeSignedValue,
  decodeXsrfToken,
  encodeXsrfToken,
  formatSetCookie,
  getSignatureKeyVersion,
  timingSafeEqualStrings,
} from "../../src/web/security";

const SECRET = "It's a secret to everybody";
const TIME = 1300000000;
const clock = (): number => TIME;
const V2 =
  "2|1:0|10:1300000000|3:key|8:dmFsdWU=|3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152";
const V1 = "dmFsdWU=|1300000000|31c934969f53e48164c50768b40cbd7e2daaaa4f";
const DAY = 86400;

function decode(value: string, opts: Parameters<typeof decodeSignedValue>[3] = {}): string | null {
  return decodeSignedValue(SECRET, "key", value, { clock, ...opts })?.toString("utf8") ?? null;
}

/** Replaces the character at `index` with a different hex digit. */
function flipChar(value: string, index: number): string {
  const replacement = value[index] === "0" ? "1" : "0";
  return value.slice(0, index) + replacement + value.slice(index + 1);
}

describe("createSignedValue", () => {
  describe("with the default version", () => {
    it("produces Tornado's v2 vector", () => {
      expect(createSignedValue(SECRET, "key", "value", { clock })).to.equal(V2);
    });
  });

  describe("with version 1", () => {
    it("produces Tornado's v1 vector", () => {
      expect(createSignedValue(SECRET, "key", "value", { clock, version: 1 })).to.equal(V1);
    });
  });

  describe("when the clock returns a fraction", () => {
    it("truncates the timestamp to whole seconds", () => {
      expect(createSignedValue(SECRET, "key", "value", { clock: () => TIME + 0.9 })).to.equal(V2);
    });
  });

  describe("when the value is a Buffer with binary bytes", () => {
    it("round-trips the exact bytes", () => {
      const bytes = Buffer.from([0, 255, 1, 128, 10]);
      const signed = createSignedValue(SECRET, "key", bytes, { clock });
      expect(decodeSignedValue(SECRET, "key", signed, { clock })).to.deep.equal(bytes);
    });
  });

  describe("when the secret is a key map", () => {
    it("writes the key version into the value", () => {
      const signed = createSignedValue({ 0: "old", 7: "new" }, "key", "value", { clock, keyVersion: 7 });
      expect(signed.startsWith("2|1:7|")).to.equal(true);
    });

    it("throws when no keyVersion is given", () => {
      expect(() => createSignedValue({ 0: "old" }, "key", "value", { clock })).to.throw(/keyVersion/);
    });

    it("throws when the keyVersion has no key", () => {
      expect(() => createSignedValue({ 0: "old" }, "key", "value", { clock, keyVersion: 3 })).to.throw(/keyVersion 3/);
    });
  });
});

describe("decodeSignedValue", () => {
  describe("with Tornado's vectors", () => {
    it("reads the v2 vector", () => {
      expect(decode(V2)).to.equal("value");
    });

    it("reads the v1 vector", () => {
      expect(decode(V1)).to.equal("value");
    });
  });

  describe("when the value is empty, null or undefined", () => {
    it("returns null", () => {
      expect(decode("")).to.equal(null);
      expect(decodeSignedValue(SECRET, "key", null)).to.equal(null);
      expect(decodeSignedValue(SECRET, "key", undefined)).to.equal(null);
    });
  });

  describe("when the name differs", () => {
    it("returns null for v2 and v1", () => {
      expect(decodeSignedValue(SECRET, "other", V2, { clock })).to.equal(null);
      expect(decodeSignedValue(SECRET, "other", V1, { clock })).to.equal(null);
    });
  });

  describe("when the secret differs", () => {
    it("returns null", () => {
      expect(decodeSignedValue("another secret", "key", V2, { clock })).to.equal(null);
      expect(decodeSignedValue("another secret", "key", V1, { clock })).to.equal(null);
    });
  });

  describe("when the v2 value was tampered with", () => {
    it("rejects a changed key version", () => {
      expect(decode(V2.replace("2|1:0|", "2|1:1|"))).to.equal(null);
    });

    it("rejects each changed length field", () => {
      const lengths = ["1:0", "10:1300000000", "3:key", "8:dmFsdWU="];
      for (const fieldText of lengths) {
        const colon = fieldText.indexOf(":");
        const bumped = `${Number(fieldText.slice(0, colon)) + 1}${fieldText.slice(colon)}`;
        const shrunk = `${Number(fieldText.slice(0, colon)) - 1}${fieldText.slice(colon)}`;
        expect(decode(V2.replace(fieldText, bumped)), bumped).to.equal(null);
        expect(decode(V2.replace(fieldText, shrunk)), shrunk).to.equal(null);
      }
    });

    it("rejects a change of any signature character", () => {
      const start = V2.lastIndexOf("|") + 1;
      for (let i = start; i < V2.length; i++) expect(decode(flipChar(V2, i)), `position ${i}`).to.equal(null);
    });

    it("rejects a truncated or extended signature", () => {
      expect(decode(V2.slice(0, -1))).to.equal(null);
      expect(decode(V2 + "0")).to.equal(null);
    });

    it("rejects a changed payload or timestamp", () => {
      expect(decode(V2.replace("dmFsdWU=", "dmFsdWX="))).to.equal(null);
      expect(decode(V2.replace("1300000000", "1300000001"))).to.equal(null);
    });

    it("rejects an unknown version prefix", () => {
      expect(decode("3" + V2.slice(1))).to.equal(null);
    });

    it("rejects garbage without throwing", () => {
      for (const bad of ["2|", "2|x:0|", "2|1:0", "2|99:0|", "2|1:0|10:1300000000|3:key|8:dmFsdWU="]) {
        expect(decode(bad), bad).to.equal(null);
      }
    });
  });

  describe("when the v1 value was tampered with", () => {
    it("rejects a change of any signature character", () => {
      const start = V1.lastIndexOf("|") + 1;
      for (let i = start; i < V1.length; i++) expect(decode(flipChar(V1, i)), `position ${i}`).to.equal(null);
    });

    it("rejects a timestamp with a leading zero", () => {
      // Shifting a payload digit into the timestamp keeps the v1 signature valid.
      const shifted = createSignedValue(SECRET, "key", "value", { clock: () => 0, version: 1 });
      const [payload, , signature] = shifted.split("|");
      expect(decode(`${payload}|0${TIME}|${signature}`)).to.equal(null);
    });

    it("rejects a value with extra fields", () => {
      expect(decode(V1 + "|x")).to.equal(null);
    });
  });

  describe("when the value is older than maxAgeDays", () => {
    it("returns null after the default 31 days", () => {
      expect(decode(V2, { clock: () => TIME + 31 * DAY + 1 })).to.equal(null);
      expect(decode(V1, { clock: () => TIME + 31 * DAY + 1 })).to.equal(null);
    });

    it("accepts it just within 31 days", () => {
      expect(decode(V2, { clock: () => TIME + 31 * DAY - 1 })).to.equal("value");
    });

    it("honours a custom maxAgeDays", () => {
      expect(decode(V2, { clock: () => TIME + 2 * DAY, maxAgeDays: 1 })).to.equal(null);
      expect(decode(V2, { clock: () => TIME + 2 * DAY, maxAgeDays: 3 })).to.equal("value");
    });
  });

  describe("when the timestamp is far in the future", () => {
    it("returns null for v2 and v1", () => {
      const past = (): number => TIME - 40 * DAY;
      expect(decode(V2, { clock: past })).to.equal(null);
      expect(decode(V1, { clock: past })).to.equal(null);
    });

    it("tolerates a small clock skew", () => {
      expect(decode(V2, { clock: () => TIME - 60 })).to.equal("value");
    });
  });

  describe("with minVersion 2", () => {
    it("rejects v1 values and accepts v2", () => {
      expect(decode(V1, { minVersion: 2 })).to.equal(null);
      expect(decode(V2, { minVersion: 2 })).to.equal("value");
    });
  });

  describe("with key rotation", () => {
    const keys = { 0: "old secret", 1: "new secret" };

    it("decodes values signed with each key version", () => {
      for (const keyVersion of [0, 1]) {
        const signed = createSignedValue(keys, "key", "value", { clock, keyVersion });
        expect(decodeSignedValue(keys, "key", signed, { clock })?.toString()).to.equal("value");
      }
    });

    it("returns null when the key version was swapped for another known key", () => {
      const signed = createSignedValue(keys, "key", "value", { clock, keyVersion: 0 });
      expect(decodeSignedValue(keys, "key", signed.replace("2|1:0|", "2|1:1|"), { clock })).to.equal(null);
    });

    it("returns null when the key version is not in the map", () => {
      const signed = createSignedValue({ 5: "gone" }, "key", "value", { clock, keyVersion: 5 });
      expect(decodeSignedValue(keys, "key", signed, { clock })).to.equal(null);
    });

    it("reads a v1 value signed with one of the keys", () => {
      const signed = createSignedValue(keys, "key", "value", { clock, keyVersion: 0, version: 1 });
      expect(decodeSignedValue(keys, "key", signed, { clock })?.toString()).to.equal("value");
    });
  });
});

describe("getSignatureKeyVersion", () => {
  it("returns the key version of a v2 value", () => {
    expect(getSignatureKeyVersion(V2)).to.equal(0);
    const signed = createSignedValue({ 12: "k" }, "key", "value", { clock, keyVersion: 12 });
    expect(getSignatureKeyVersion(signed)).to.equal(12);
  });

  it("returns null for v1 and malformed values", () => {
    expect(getSignatureKeyVersion(V1)).to.equal(null);
    expect(getSignatureKeyVersion("2|garbage")).to.equal(null);
  });
});

describe("timingSafeEqualStrings", () => {
  it("returns true only for equal strings", () => {
    expect(timingSafeEqualStrings("abc", "abc")).to.equal(true);
    expect(timingSafeEqualStrings("abc", "abd")).to.equal(false);
  });

  describe("when the lengths differ", () => {
    it("returns false without throwing", () => {
      expect(timingSafeEqualStrings("abc", "abcd")).to.equal(false);
      expect(timingSafeEqualStrings("", "a")).to.equal(false);
    });
  });
});

describe("encodeXsrfToken", () => {
  const token = Buffer.from("00112233445566778899aabbccddeeff", "hex");

  describe("with version 2", () => {
    it("writes 2|mask|masked|timestamp", () => {
      expect(encodeXsrfToken(token, 1700000000.7)).to.match(/^2\|[0-9a-f]{8}\|[0-9a-f]{32}\|1700000000$/);
    });

    it("uses a fresh mask on every call that decodes to the same token", () => {
      const encoded = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const value = encodeXsrfToken(token, 1700000000);
        encoded.add(value);
        expect(decodeXsrfToken(value)?.token).to.deep.equal(token);
      }
      expect(encoded.size).to.equal(10);
    });
  });

  describe("with version 1", () => {
    it("writes the plain hex token", () => {
      expect(encodeXsrfToken(token, 1700000000, 1)).to.equal("00112233445566778899aabbccddeeff");
    });
  });
});

describe("decodeXsrfToken", () => {
  describe("with a v2 token", () => {
    it("returns the version, unmasked token and timestamp", () => {
      const decoded = decodeXsrfToken("2|01020304|01030107|1700000000");
      expect(decoded).to.deep.equal({ version: 2, token: Buffer.from([0, 1, 2, 3]), timestamp: 1700000000 });
    });
  });

  describe("with a v1 hex token", () => {
    it("returns version 1 with the token and the current time", () => {
      const before = Math.floor(Date.now() / 1000);
      const decoded = decodeXsrfToken("deadbeef");
      expect(decoded?.version).to.equal(1);
      expect(decoded?.token).to.deep.equal(Buffer.from("deadbeef", "hex"));
      expect(decoded?.timestamp).to.be.within(before, before + 2);
    });
  });

  describe("when the value is malformed", () => {
    it("returns null", () => {
      const bad = [
        "",
        "2|0102|01030107|1700000000",
        "2|01020304|0103010|1700000000",
        "2|0102030x|01030107|1700000000",
        "2|01020304|01030107|soon",
        "2|01020304|01030107",
        "2|01020304|01030107|1|2",
        "3|01020304|01030107|1700000000",
        "2|01020304||1700000000",
      ];
      for (const value of bad) expect(decodeXsrfToken(value), value).to.equal(null);
    });
  });
});

describe("formatSetCookie", () => {
  describe("with only a name and value", () => {
    it("adds Path=/", () => {
      expect(formatSetCookie("user", "ben")).to.equal("user=ben; Path=/");
    });
  });

  describe("with every attribute", () => {
    it("writes them in Python http.cookies order", () => {
      const header = formatSetCookie("a", "b", {
        domain: "example.com",
        expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
        httpOnly: true,
        maxAge: 60,
        path: "/app",
        sameSite: "Strict",
        secure: true,
      });
      expect(header).to.equal(
        "a=b; Domain=example.com; expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; Max-Age=60; Path=/app; SameSite=Strict; Secure",
      );
    });
  });

  describe("when expires is a number", () => {
    it("reads it as seconds since the epoch", () => {
      expect(formatSetCookie("a", "b", { expires: 0 })).to.equal("a=b; expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/");
    });
  });

  describe("when expiresDays is given", () => {
    it("expires that many days from now", () => {
      const header = formatSetCookie("a", "b", { expiresDays: 2 });
      const expires = Date.parse(/expires=([^;]+)/.exec(header)![1]);
      expect(expires - Date.now()).to.be.within(2 * DAY * 1000 - 5000, 2 * DAY * 1000 + 1000);
    });
  });

  describe("when maxAge is 0", () => {
    it("writes Max-Age=0", () => {
      expect(formatSetCookie("a", "b", { maxAge: 0 })).to.equal("a=b; Max-Age=0; Path=/");
    });
  });

  describe("when sameSite has another case", () => {
    it("normalises it", () => {
      const sameSite = "lax" as unknown as "Lax";
      expect(formatSetCookie("a", "b", { sameSite })).to.equal("a=b; Path=/; SameSite=Lax");
    });
  });

  describe("when the value needs quoting", () => {
    it("quotes it with octal escapes like http.cookies", () => {
      expect(formatSetCookie("a", 'x;"\\\u00e9\x7f')).to.equal('a="x\\073\\"\\\\\\351\\177"; Path=/');
      expect(formatSetCookie("c", "a=b(c)@,d")).to.equal('c="a=b(c)@\\054d"; Path=/');
    });

    it("writes an empty value as a quoted empty string", () => {
      expect(formatSetCookie("a", "")).to.equal('a=""; Path=/');
    });
  });

  describe("when the input is invalid", () => {
    const cases: [string, () => string, RegExp][] = [
      ["a space in the value", () => formatSetCookie("a", "b c"), /control characters or spaces/],
      ["a newline in the value", () => formatSetCookie("a", "b\r\nSet-Cookie: x=y"), /control characters/],
      ["a control char in the name", () => formatSetCookie("a\x01", "b"), /control characters/],
      ["an illegal name", () => formatSetCookie("a;b", "c"), /illegal cookie name/],
      ["an empty name", () => formatSetCookie("", "c"), /illegal cookie name/],
      ["a reserved name", () => formatSetCookie("Path", "c"), /reserved/],
      ["non-Latin-1 value", () => formatSetCookie("a", "\u2603"), /Latin-1/],
      ["a ';' in the domain", () => formatSetCookie("a", "b", { domain: "x.com; Secure" }), /domain/],
      ["a newline in the path", () => formatSetCookie("a", "b", { path: "/\n" }), /path/],
      ["an unknown sameSite", () => formatSetCookie("a", "b", { sameSite: "Loose" as "Lax" }), /sameSite/],
      ["a fractional maxAge", () => formatSetCookie("a", "b", { maxAge: 1.5 }), /maxAge/],
      ["an invalid date", () => formatSetCookie("a", "b", { expires: new Date(NaN) }), /expires/],
    ];
    for (const [what, run, message] of cases) {
      it(`throws naming the problem for ${what}`, () => {
        expect(run).to.throw(message);
      });
    }
  });
});
