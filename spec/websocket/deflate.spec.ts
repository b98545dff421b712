import { expect } from "chai";
import {
  MessageCompressor, MessageDecompressor, acceptDeflateOffer, checkDeflateAnswer, deflateOffer, parseExtensions,
} from "../../src/websocket/deflate";

describe("websocket permessage-deflate", () => {
  describe("parseExtensions", () => {
    it("reads names and parameters, unquoting values", () => {
      const parsed = parseExtensions('permessage-deflate; client_max_window_bits; server_max_window_bits="10", x-other');
      expect(parsed!.map(([n, p]) => [n, [...p]])).to.deep.equal([
        ["permessage-deflate", [["client_max_window_bits", true], ["server_max_window_bits", "10"]]],
        ["x-other", []],
      ]);
    });

    it("returns null for a malformed header", () => {
      expect(parseExtensions("permessage-deflate; =3")).to.equal(null);
      expect(parseExtensions("per message")).to.equal(null);
    });
  });

  describe("acceptDeflateOffer (server)", () => {
    it("accepts a plain offer", () => {
      expect(acceptDeflateOffer("permessage-deflate", {})).to.deep.equal({ header: "permessage-deflate", windowBits: 15, noContextTakeover: false });
    });

    it("honours server_max_window_bits and server_no_context_takeover, and echoes client_no_context_takeover", () => {
      const r = acceptDeflateOffer("permessage-deflate; server_max_window_bits=10; server_no_context_takeover; client_no_context_takeover", {});
      expect(r).to.deep.equal({
        header: "permessage-deflate; server_max_window_bits=10; client_no_context_takeover; server_no_context_takeover",
        windowBits: 10,
        noContextTakeover: true,
      });
    });

    it("uses the smaller of the offered window and its own maxWindowBits", () => {
      expect(acceptDeflateOffer("permessage-deflate; server_max_window_bits=14", { maxWindowBits: 11 })!.windowBits).to.equal(11);
    });

    it("declines an invalid offer and takes the next acceptable one", () => {
      const r = acceptDeflateOffer("permessage-deflate; server_max_window_bits=7, permessage-deflate; unknown_param, permessage-deflate; client_max_window_bits", {});
      expect(r!.header).to.equal("permessage-deflate");
    });

    it("declines an offer repeating a parameter", () => {
      expect(acceptDeflateOffer("permessage-deflate; server_no_context_takeover; server_no_context_takeover", {})).to.equal(null);
    });

    it("returns null without an offer of permessage-deflate", () => {
      expect(acceptDeflateOffer(undefined, {})).to.equal(null);
      expect(acceptDeflateOffer("x-webkit-deflate-frame", {})).to.equal(null);
    });
  });

  describe("the client's side of the negotiation", () => {
    it("offers client_max_window_bits", () => {
      expect(deflateOffer({})).to.equal("permessage-deflate; client_max_window_bits");
      expect(deflateOffer({ maxWindowBits: 10 })).to.equal("permessage-deflate; client_max_window_bits=10");
    });

    it("applies the window and context takeover the server chose", () => {
      expect(checkDeflateAnswer("permessage-deflate; client_max_window_bits=9; client_no_context_takeover; server_max_window_bits=12", {}))
        .to.include({ windowBits: 9, noContextTakeover: true });
    });

    it("throws on an answer with an extension or parameter it did not offer", () => {
      expect(() => checkDeflateAnswer("x-custom", {})).to.throw(/did not offer/);
      expect(() => checkDeflateAnswer("permessage-deflate; bogus", {})).to.throw(/bogus/);
    });
  });

  describe("compressor and decompressor", () => {
    function compress(c: MessageCompressor, data: Buffer): Promise<Buffer> {
      return new Promise((resolve, reject) => c.compress(data, (err, out) => (err ? reject(err) : resolve(out!))));
    }
    function decompress(d: MessageDecompressor, data: Buffer, max = 1 << 20): Promise<Buffer> {
      return new Promise((resolve, reject) => d.decompress(data, true, max, (err, out) => (err ? reject(err) : resolve(out!))));
    }

    it("round-trips messages with context takeover (later ones get smaller)", async () => {
      const c = new MessageCompressor({ header: "", windowBits: 15, noContextTakeover: false }, {});
      const d = new MessageDecompressor();
      const message = Buffer.from("the same sentence, compressed twice. ".repeat(10));
      const first = await compress(c, message);
      const second = await compress(c, message);
      expect(second.length).to.be.lessThan(first.length);
      expect((await decompress(d, first)).equals(message)).to.equal(true);
      expect((await decompress(d, second)).equals(message)).to.equal(true);
      c.close();
      d.close();
    });

    it("compresses each message alone with noContextTakeover", async () => {
      const c = new MessageCompressor({ header: "", windowBits: 15, noContextTakeover: true }, {});
      const message = Buffer.from("independent ".repeat(20));
      const first = await compress(c, message);
      const second = await compress(c, message);
      expect(second.equals(first)).to.equal(true);
      // A fresh decompressor (no shared history) reads the second message alone.
      expect((await decompress(new MessageDecompressor(), second)).equals(message)).to.equal(true);
      c.close();
    });

    it("fails a pending compression when closed", async () => {
      const c = new MessageCompressor({ header: "", windowBits: 15, noContextTakeover: false }, {});
      const pending = compress(c, Buffer.alloc(1 << 20, 1));
      c.close();
      let error: unknown;
      await pending.catch((e: unknown) => (error = e));
      expect(String(error)).to.match(/closed/);
    });
  });
});
