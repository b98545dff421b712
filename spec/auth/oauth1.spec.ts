import { expect } from "chai";
import { oauthAuthorizationHeader, oauthEscape, oauthRequestParameters, oauthSignature, oauthSignatureBaseString } from "../../src/auth";

// RFC 5849 §1.2: the photos example, token credentials step.
const CONSUMER = { key: "dpf43f3p2l4k3l03", secret: "kd94hf93k423kf44" };
const TOKEN = { key: "nnch734d00sl2jdk", secret: "pfkkdhi9sl3r4s00" };
const URL_ = "http://photos.example.net/photos?file=vacation.jpg&size=original";
const PARAMS = {
  oauth_consumer_key: "dpf43f3p2l4k3l03",
  oauth_token: "nnch734d00sl2jdk",
  oauth_signature_method: "HMAC-SHA1",
  oauth_timestamp: "137131202",
  oauth_nonce: "chapoH",
};

describe("auth/oauth1", () => {
  describe("oauthSignature", () => {
    it("matches RFC 5849 §1.2's HMAC-SHA1 signature byte for byte", () => {
      expect(oauthSignature(CONSUMER, "GET", URL_, PARAMS, TOKEN)).to.equal("MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    });

    it("changes when any parameter, the method or the token secret changes", () => {
      const base = oauthSignature(CONSUMER, "GET", URL_, PARAMS, TOKEN);
      expect(oauthSignature(CONSUMER, "POST", URL_, PARAMS, TOKEN)).to.not.equal(base);
      expect(oauthSignature(CONSUMER, "GET", URL_, { ...PARAMS, oauth_nonce: "chapoI" }, TOKEN)).to.not.equal(base);
      expect(oauthSignature(CONSUMER, "GET", URL_, PARAMS, { ...TOKEN, secret: "x" })).to.not.equal(base);
    });

    it("is the escaped secrets joined by & for PLAINTEXT", () => {
      expect(oauthSignature({ key: "k", secret: "a b&c" }, "GET", URL_, { oauth_signature_method: "PLAINTEXT" }, { key: "t", secret: "d=e" }))
        .to.equal("a%20b%26c&d%3De");
    });

    it("refuses a signature method it does not implement", () => {
      expect(() => oauthSignature(CONSUMER, "GET", URL_, { oauth_signature_method: "RSA-SHA1" })).to.throw(/unsupported oauth_signature_method RSA-SHA1/);
    });
  });

  describe("oauthSignatureBaseString", () => {
    it("matches RFC 5849 §3.4.1.1's example: sorted encoded parameters, no oauth_signature or realm", () => {
      const base = oauthSignatureBaseString("post", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b", {
        oauth_consumer_key: "9djdj82h48djs9d2", oauth_token: "kkk9d7dh3k39sjv7", oauth_signature_method: "HMAC-SHA1",
        oauth_timestamp: "137131201", oauth_nonce: "7d8f3e4a", c2: "", a3: "2 q", oauth_signature: "ignored", realm: "Example",
      });
      expect(base).to.equal(
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26" +
        "oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26" +
        "oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
      );
    });

    it("normalizes the base URI as RFC 5849 §3.4.1.2 shows (lower-case host, no default port)", () => {
      expect(oauthSignatureBaseString("GET", "HTTP://EXAMPLE.COM:80/r%20v/X?id=123", {})).to.match(/^GET&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&id%3D123$/);
      expect(oauthSignatureBaseString("GET", "https://www.example.net:8080/?q=1", {})).to.match(/^GET&https%3A%2F%2Fwww.example.net%3A8080%2F&q%3D1$/);
    });
  });

  describe("oauthEscape", () => {
    it("leaves only unreserved characters unescaped, including !'()*", () => {
      expect(oauthEscape("a-b._~ !'()*é")).to.equal("a-b._~%20%21%27%28%29%2A%C3%A9");
    });
  });

  describe("oauthRequestParameters and oauthAuthorizationHeader", () => {
    it("produce parameters whose signature verifies, and an OAuth header with each quoted", () => {
      const params = oauthRequestParameters(CONSUMER, "GET", URL_, TOKEN);
      const { oauth_signature: sig, ...rest } = params;
      expect(oauthSignature(CONSUMER, "GET", URL_, rest, TOKEN)).to.equal(sig);
      expect(params.oauth_version).to.equal("1.0");
      const header = oauthAuthorizationHeader(params, "Photos");
      expect(header).to.match(/^OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", /);
      expect(header).to.contain(`oauth_signature="${oauthEscape(sig)}"`);
    });
  });
});
