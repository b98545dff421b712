/**
 * RFC 6455 wire constants and frame encoding: opcodes, close codes, frame heads, masking and the
 * handshake's accept key. Pure functions, no I/O.
 */
import { createHash, randomFillSync } from "node:crypto";

export const enum Opcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/** Close codes this module sends (RFC 6455 §7.4.1). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  UnsupportedData: 1003,
  /** Not sent on the wire: the close frame had no code. */
  NoStatus: 1005,
  /** Not sent on the wire: the connection dropped without a close frame. */
  Abnormal: 1006,
  InvalidPayload: 1007,
  PolicyViolation: 1008,
  MessageTooBig: 1009,
  InternalError: 1011,
} as const;

/** The GUID of RFC 6455 §1.3 the accept key is derived with. */
const HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** A Sec-WebSocket-Key: the base64 form of exactly 16 bytes. */
export const KEY_RE = /^[+/0-9A-Za-z]{21}[AQgw]==$/;

/** Largest payload a control frame may carry (RFC 6455 §5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** The Sec-WebSocket-Accept value answering `key`. */
export function acceptKey(key: string): string {
  return createHash("sha1").update(key + HANDSHAKE_GUID).digest("base64");
}

/** A fresh random Sec-WebSocket-Key (client side). */
export function newKey(): string {
  return randomFillSync(Buffer.allocUnsafe(16)).toString("base64");
}

/**
 * Whether `code` may appear in a close frame (RFC 6455 §7.4: 1004-1006 and 1015 are reserved
 * for reporting, 1016-2999 are unassigned, 3000-4999 belong to libraries and applications).
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/**
 * The head of one frame: FIN, RSV1, opcode, length (7, 16 or 64 bits) and, when `mask` is
 * given, the masking key. The payload itself is written separately (no copy of it here).
 */
export function frameHead(opcode: Opcode, payloadLength: number, fin: boolean, rsv1: boolean, mask: Buffer | null): Buffer {
  let lengthBytes = 0;
  let lengthField = payloadLength;
  if (payloadLength > 0xffff) {
    lengthBytes = 8;
    lengthField = 127;
  } else if (payloadLength > 125) {
    lengthBytes = 2;
    lengthField = 126;
  }
  const head = Buffer.allocUnsafe(2 + lengthBytes + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  head[1] = (mask ? 0x80 : 0) | lengthField;
  if (lengthBytes === 2) head.writeUInt16BE(payloadLength, 2);
  else if (lengthBytes === 8) {
    head.writeUInt32BE(Math.floor(payloadLength / 0x100000000), 2);
    head.writeUInt32BE(payloadLength >>> 0, 6);
  }
  if (mask) mask.copy(head, 2 + lengthBytes);
  return head;
}

/** Bytes of a server (unmasked) frame head for a payload of `size` bytes. */
export function serverHeadSize(size: number): number {
  return size > 0xffff ? 10 : size > 125 ? 4 : 2;
}

/** Writes an unmasked frame head for `size` payload bytes at the start of `out`; returns its length. */
export function writeServerHead(out: Buffer, opcode: Opcode, size: number, rsv1: boolean): number {
  out[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
  if (size <= 125) {
    out[1] = size;
    return 2;
  }
  if (size <= 0xffff) {
    out[1] = 126;
    out[2] = size >>> 8;
    out[3] = size & 0xff;
    return 4;
  }
  out[1] = 127;
  out.writeUInt32BE(Math.floor(size / 0x100000000), 2);
  out.writeUInt32BE(size >>> 0, 6);
  return 10;
}

/**
 * One whole unmasked frame (head and payload in one Buffer), as a server sends it: one socket
 * write, and the same Buffer can go to any number of sockets (see WebSocketHandler.broadcast).
 */
export function serverFrame(opcode: Opcode, payload: string | Buffer, rsv1: boolean): Buffer {
  if (typeof payload === "string") {
    const size = Buffer.byteLength(payload);
    const out = Buffer.allocUnsafe(serverHeadSize(size) + size);
    out.write(payload, writeServerHead(out, opcode, size, rsv1), "utf8");
    return out;
  }
  const size = payload.length;
  const out = Buffer.allocUnsafe(serverHeadSize(size) + size);
  payload.copy(out, writeServerHead(out, opcode, size, rsv1));
  return out;
}

/** XORs `data` in place with the 4-byte `mask` (the same operation masks and unmasks). */
export function applyMask(data: Buffer, mask: Buffer): void {
  const n = data.length;
  const m0 = mask[0], m1 = mask[1], m2 = mask[2], m3 = mask[3];
  let i = 0;
  for (; i + 3 < n; i += 4) {
    data[i] ^= m0;
    data[i + 1] ^= m1;
    data[i + 2] ^= m2;
    data[i + 3] ^= m3;
  }
  for (; i < n; i++) data[i] ^= mask[i & 3];
}

/** A new random masking key (clients mask every frame, RFC 6455 §5.3). */
export function newMask(): Buffer {
  return randomFillSync(Buffer.allocUnsafe(4));
}

/** The payload of a close frame: the code (if any) and a UTF-8 reason of at most 123 bytes. */
export function closePayload(code: number | undefined, reason: string | undefined): Buffer {
  if (code === undefined) {
    if (reason) throw new TypeError("a close reason needs a close code");
    return Buffer.alloc(0);
  }
  if (!isValidCloseCode(code)) throw new RangeError(`invalid WebSocket close code ${code}`);
  const text = Buffer.from(reason ?? "", "utf8");
  if (text.length > MAX_CONTROL_PAYLOAD - 2) throw new RangeError("a close reason may be at most 123 bytes of UTF-8");
  const out = Buffer.allocUnsafe(2 + text.length);
  out.writeUInt16BE(code, 0);
  text.copy(out, 2);
  return out;
}

/** Default `websocketMaxMessageSize`: 10 MiB, as in Tornado. */
export const DEFAULT_MAX_MESSAGE_SIZE = 10 * 1024 * 1024;

/** What `writeMessage` accepts: text, bytes, or a plain object sent as JSON text. */
export type WebSocketMessage = string | Buffer | Uint8Array | Record<string, unknown> | unknown[];

/** Encodes a message for the wire; objects become JSON text. */
export function encodeMessage(message: WebSocketMessage, binary: boolean): string | Buffer {
  let data: string | Buffer;
  if (typeof message === "string" || Buffer.isBuffer(message)) data = message;
  else if (message instanceof Uint8Array) data = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  else data = JSON.stringify(message);
  if (binary && typeof data === "string") data = Buffer.from(data, "utf8");
  return data;
}
