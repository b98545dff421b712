/**
 * Builds raw WebSocket frames for specs, including ones no conforming library would send.
 */
import { applyMask } from "../../src/websocket/frames";

export interface RawFrameOptions {
  fin?: boolean;
  rsv?: number; // the three RSV bits as 0..7 (RSV1 = 4)
  mask?: boolean;
  /** Force the 16- or 64-bit length form. */
  lengthForm?: 7 | 16 | 64;
  /** Write this value into the length field instead of the payload's length. */
  declaredLength?: number;
  /** The most significant 32 bits of a 64-bit length (to set its top bit). */
  highLength?: number;
}

/** One frame with `opcode` and `payload`, masked by default (as a client sends it). */
export function rawFrame(opcode: number, payload: Buffer | string = "", opts: RawFrameOptions = {}): Buffer {
  const data = Buffer.from(typeof payload === "string" ? Buffer.from(payload, "utf8") : payload);
  const length = opts.declaredLength ?? data.length;
  const mask = opts.mask ?? true;
  const form = opts.lengthForm ?? (length > 0xffff ? 64 : length > 125 ? 16 : 7);
  const head: number[] = [((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode];
  if (form === 7) head.push((mask ? 0x80 : 0) | length);
  else if (form === 16) head.push((mask ? 0x80 : 0) | 126, length >> 8, length & 0xff);
  else {
    head.push((mask ? 0x80 : 0) | 127);
    const b = Buffer.alloc(8);
    b.writeUInt32BE(opts.highLength ?? Math.floor(length / 0x100000000), 0);
    b.writeUInt32BE(length >>> 0, 4);
    head.push(...b);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), data]);
  const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
  applyMask(data, key);
  return Buffer.concat([Buffer.from(head), key, data]);
}

/** A close frame payload: code and reason. */
export function closeBody(code: number, reason: Buffer | string = ""): Buffer {
  const r = typeof reason === "string" ? Buffer.from(reason, "utf8") : reason;
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code, 0);
  r.copy(b, 2);
  return b;
}

/** Parses the unmasked frames a server sent: [opcode, payload] pairs (stops at an incomplete one). */
export function parseServerFrames(data: Buffer): { opcode: number; fin: boolean; rsv1: boolean; payload: Buffer }[] {
  const out: { opcode: number; fin: boolean; rsv1: boolean; payload: Buffer }[] = [];
  let pos = 0;
  while (pos + 2 <= data.length) {
    const b0 = data[pos], b1 = data[pos + 1];
    let len = b1 & 0x7f;
    let at = pos + 2;
    if (len === 126) {
      if (at + 2 > data.length) break;
      len = data.readUInt16BE(at);
      at += 2;
    } else if (len === 127) {
      if (at + 8 > data.length) break;
      len = Number(data.readBigUInt64BE(at));
      at += 8;
    }
    if (at + len > data.length) break;
    out.push({ opcode: b0 & 0x0f, fin: (b0 & 0x80) !== 0, rsv1: (b0 & 0x40) !== 0, payload: data.subarray(at, at + len) });
    pos = at + len;
  }
  return out;
}
