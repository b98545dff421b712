import { expect } from "chai";
import * as zlib from "node:zlib";
import { Receiver, type ReceiverEvents } from "../../src/websocket/receiver";
import { MessageDecompressor } from "../../src/websocket/deflate";
import { WebSocketProtocolError } from "../../src/websocket/errors";
import { closeBody, rawFrame } from "./frame_helpers";

type Event = [string, ...unknown[]];

class Recorder implements ReceiverEvents {
  events: Event[] = [];
  needData = 0;
  /** When set, onFrameMessage returns it (flow control). */
  hold: Promise<void> | null = null;
  onFrameMessage(data: string | Buffer, binary: boolean): unknown {
    this.events.push(["message", binary ? Buffer.from(data as Buffer).toString("hex") : data, binary]);
    return this.hold ?? undefined;
  }
  onFramePing(data: Buffer): void { this.events.push(["ping", data.toString()]); }
  onFramePong(data: Buffer): void { this.events.push(["pong", data.toString()]); }
  onFrameClose(code: number | null, reason: string): void { this.events.push(["close", code, reason]); }
  onFrameError(err: WebSocketProtocolError): void { this.events.push(["error", err.closeCode, err.message]); }
  onFrameNeedData(): void { this.needData++; }
}

function receiver(opts: Partial<{ expectMasked: boolean; maxMessageSize: number; deflate: boolean }> = {}): [Receiver, Recorder] {
  const rec = new Recorder();
  const r = new Receiver(rec, {
    expectMasked: opts.expectMasked ?? true,
    maxMessageSize: opts.maxMessageSize ?? 1 << 20,
    inflater: opts.deflate ? new MessageDecompressor() : null,
  });
  return [r, rec];
}

/** The close code the receiver fails with after `bytes`, or null when it did not fail. */
function failureCode(bytes: Buffer, opts: Parameters<typeof receiver>[0] = {}): number | null {
  const [r, rec] = receiver(opts);
  r.push(bytes);
  const err = rec.events.find((e) => e[0] === "error");
  return err ? (err[1] as number) : null;
}

/** Waits (generously) until `done()` holds; the inflater works on the thread pool. */
async function waitFor(done: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("websocket Receiver", () => {
  describe("well-formed input", () => {
    it("delivers a masked text frame as a string and a binary frame as bytes", () => {
      const [r, rec] = receiver();
      r.push(Buffer.concat([rawFrame(1, "héllo"), rawFrame(2, Buffer.from([0, 255]))]));
      expect(rec.events).to.deep.equal([["message", "héllo", false], ["message", "00ff", true]]);
    });

    it("accepts text that really contains U+FFFD, and whole frames with 16-bit lengths in one chunk", () => {
      const [r, rec] = receiver();
      const long = "x".repeat(200) + "\uFFFD";
      r.push(Buffer.concat([rawFrame(1, "a\uFFFDb"), rawFrame(1, long), rawFrame(1, "")]));
      expect(rec.events).to.deep.equal([["message", "a\uFFFDb", false], ["message", long, false], ["message", "", false]]);
      expect(rec.needData).to.equal(1);
    });

    it("parses frames split at every byte boundary the same way", () => {
      const wire = Buffer.concat([rawFrame(1, "a".repeat(300)), rawFrame(9, "p"), rawFrame(2, Buffer.alloc(70000, 1))]);
      const [r, rec] = receiver();
      for (let i = 0; i < wire.length; i += 7) r.push(wire.subarray(i, i + 7));
      expect(rec.events.map((e) => e[0])).to.deep.equal(["message", "ping", "message"]);
      expect((rec.events[0][1] as string).length).to.equal(300);
      expect((rec.events[2][1] as string).length).to.equal(140000); // hex of 70000 bytes
    });

    it("assembles a fragmented message with control frames between the fragments", () => {
      const [r, rec] = receiver();
      r.push(Buffer.concat([
        rawFrame(1, "Hel", { fin: false }),
        rawFrame(9, "ping-1"),
        rawFrame(0, "lo, ", { fin: false }),
        rawFrame(10, "pong-1"),
        rawFrame(0, "world"),
      ]));
      expect(rec.events).to.deep.equal([["ping", "ping-1"], ["pong", "pong-1"], ["message", "Hello, world", false]]);
    });

    it("accepts a multi-byte character split across fragments", () => {
      const euro = Buffer.from("€", "utf8"); // e2 82 ac
      const [r, rec] = receiver();
      r.push(Buffer.concat([rawFrame(1, euro.subarray(0, 1), { fin: false }), rawFrame(0, euro.subarray(1, 2), { fin: false }), rawFrame(0, euro.subarray(2))]));
      expect(rec.events).to.deep.equal([["message", "€", false]]);
    });

    it("reports a close frame's code and reason and parses nothing after it", () => {
      const [r, rec] = receiver();
      r.push(Buffer.concat([rawFrame(8, closeBody(4001, "done")), rawFrame(1, "late")]));
      expect(rec.events).to.deep.equal([["close", 4001, "done"]]);
    });

    it("reports a close frame without a payload as a null code", () => {
      const [r, rec] = receiver();
      r.push(rawFrame(8));
      expect(rec.events).to.deep.equal([["close", null, ""]]);
    });

    it("accepts unmasked frames on the client side", () => {
      const [r, rec] = receiver({ expectMasked: false });
      r.push(rawFrame(1, "hi", { mask: false }));
      expect(rec.events).to.deep.equal([["message", "hi", false]]);
    });

    it("asks for more data once it consumed what it had", () => {
      const [r, rec] = receiver();
      const frame = rawFrame(1, "hello");
      r.push(frame.subarray(0, 3));
      expect(rec.needData).to.equal(1);
      expect(rec.events).to.deep.equal([]);
    });
  });

  describe("flow control", () => {
    it("parses no further frame until the promise of the previous message settles", async () => {
      const [r, rec] = receiver();
      let release!: () => void;
      rec.hold = new Promise<void>((resolve) => (release = resolve));
      r.push(Buffer.concat([rawFrame(1, "one"), rawFrame(1, "two")]));
      expect(rec.events).to.deep.equal([["message", "one", false]]);
      expect(r.paused).to.equal(true);
      rec.hold = null;
      release();
      await new Promise((resolve) => setImmediate(resolve));
      expect(rec.events).to.deep.equal([["message", "one", false], ["message", "two", false]]);
    });
  });

  describe("protocol violations (each answered with one close code)", () => {
    const cases: [string, Buffer, number, Parameters<typeof receiver>[0]?][] = [
      ["an unmasked frame from a client", rawFrame(1, "x", { mask: false }), 1002],
      ["a masked frame from a server", rawFrame(1, "x"), 1002, { expectMasked: false }],
      ["RSV2 set", rawFrame(1, "x", { rsv: 2 }), 1002],
      ["RSV3 set", rawFrame(1, "x", { rsv: 1 }), 1002],
      ["RSV1 set without a negotiated extension", rawFrame(1, "x", { rsv: 4 }), 1002],
      ["RSV1 on a control frame even with deflate", rawFrame(9, "x", { rsv: 4 }), 1002, { deflate: true }],
      ["a reserved data opcode", rawFrame(3, "x"), 1002],
      ["a reserved control opcode", rawFrame(11, "x"), 1002],
      ["a continuation frame with nothing to continue", rawFrame(0, "x"), 1002],
      ["a new text frame inside a fragmented message", Buffer.concat([rawFrame(1, "a", { fin: false }), rawFrame(1, "b")]), 1002],
      ["a fragmented ping", rawFrame(9, "x", { fin: false }), 1002],
      ["a ping longer than 125 bytes", rawFrame(9, "x".repeat(126)), 1002],
      ["a close frame with a 1-byte payload", rawFrame(8, Buffer.from([3])), 1002],
      ["close code 1005 (reserved for reporting)", rawFrame(8, closeBody(1005)), 1002],
      ["close code 1006 (reserved for reporting)", rawFrame(8, closeBody(1006)), 1002],
      ["close code 999", rawFrame(8, closeBody(999)), 1002],
      ["close code 2000 (unassigned)", rawFrame(8, closeBody(2000)), 1002],
      ["close code 5000", rawFrame(8, closeBody(5000)), 1002],
      ["a close reason that is not UTF-8", rawFrame(8, closeBody(1000, Buffer.from([0xff]))), 1007],
      ["a text frame that is not UTF-8", rawFrame(1, Buffer.from([0xc3, 0x28])), 1007],
      ["an encoded surrogate in text", rawFrame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007],
      ["an overlong encoding in text", rawFrame(1, Buffer.from([0xc0, 0xaf])), 1007],
      ["text ending inside a character", Buffer.concat([rawFrame(1, Buffer.from([0x61, 0xe2]), { fin: false }), rawFrame(0, Buffer.from([0x82]))]), 1007],
      ["a 64-bit length with its top bit set", rawFrame(2, "", { lengthForm: 64, declaredLength: 0, highLength: 0x80000000 }), 1002],
    ];
    for (const [what, bytes, code, opts] of cases) {
      it(`fails with ${code} on ${what}`, () => {
        expect(failureCode(bytes, opts)).to.equal(code);
      });
    }

    it("fails a fragmented text message at the first invalid fragment, before it ends", () => {
      const [r, rec] = receiver();
      r.push(rawFrame(1, Buffer.from([0x61, 0xff]), { fin: false }));
      expect(rec.events).to.deep.equal([["error", 1007, "text message is not valid UTF-8"]]);
    });

    it("fails with 1009 as soon as a frame's announced length passes maxMessageSize, before its payload arrives", () => {
      const [r, rec] = receiver({ maxMessageSize: 1000 });
      r.push(rawFrame(2, "", { lengthForm: 64, declaredLength: 1_000_000_000 }).subarray(0, 14));
      expect(rec.events).to.deep.equal([["error", 1009, "message larger than 1000 bytes"]]);
    });

    it("counts every fragment of a message against maxMessageSize", () => {
      const bytes = Buffer.concat([rawFrame(2, Buffer.alloc(600), { fin: false }), rawFrame(0, Buffer.alloc(600))]);
      expect(failureCode(bytes, { maxMessageSize: 1000 })).to.equal(1009);
      expect(failureCode(bytes, { maxMessageSize: 1200 })).to.equal(null);
    });

    it("ignores input after a violation", () => {
      const [r, rec] = receiver();
      r.push(rawFrame(1, "x", { mask: false }));
      r.push(rawFrame(1, "y"));
      expect(rec.events).to.have.length(1);
    });
  });

  describe("with permessage-deflate", () => {
    function compressed(text: string | Buffer): Buffer {
      const out = zlib.deflateRawSync(typeof text === "string" ? Buffer.from(text) : text, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      return out.subarray(0, out.length - 4);
    }

    it("inflates a compressed message (RSV1) and passes uncompressed ones through", async () => {
      const [r, rec] = receiver({ deflate: true });
      r.push(Buffer.concat([rawFrame(1, compressed("hello hello hello"), { rsv: 4 }), rawFrame(1, "plain")]));
      await waitFor(() => rec.events.length >= 2);
      expect(rec.events).to.deep.equal([["message", "hello hello hello", false], ["message", "plain", false]]);
    });

    it("fails with 1009 on a message that inflates past maxMessageSize (a compression bomb)", async () => {
      const [r, rec] = receiver({ deflate: true, maxMessageSize: 100_000 });
      const bomb = compressed(Buffer.alloc(10_000_000));
      expect(bomb.length).to.be.lessThan(100_000);
      r.push(rawFrame(2, bomb, { rsv: 4 }));
      await waitFor(() => rec.events.length >= 1);
      expect(rec.events.map((e) => e.slice(0, 2))).to.deep.equal([["error", 1009]]);
    });

    it("fails with 1007 on data that is not deflate", async () => {
      const [r, rec] = receiver({ deflate: true });
      r.push(rawFrame(1, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00]), { rsv: 4 }));
      await waitFor(() => rec.events.length >= 1);
      expect(rec.events.map((e) => e.slice(0, 2))).to.deep.equal([["error", 1007]]);
    });

    it("rejects RSV1 on a continuation frame", async () => {
      const [r, rec] = receiver({ deflate: true });
      r.push(Buffer.concat([rawFrame(1, compressed("ab"), { rsv: 4, fin: false }), rawFrame(0, "", { rsv: 4 })]));
      await waitFor(() => rec.events.length >= 1);
      expect(rec.events.map((e) => e.slice(0, 2))).to.deep.equal([["error", 1002]]);
    });

    it("inflates a compressed message sent in fragments", async () => {
      const whole = compressed("fragmented and compressed");
      const [r, rec] = receiver({ deflate: true });
      r.push(Buffer.concat([rawFrame(1, whole.subarray(0, 5), { rsv: 4, fin: false }), rawFrame(0, whole.subarray(5))]));
      await waitFor(() => rec.events.length >= 1);
      expect(rec.events).to.deep.equal([["message", "fragmented and compressed", false]]);
    });
  });
});
