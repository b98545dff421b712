/**
 * The RFC 6455 frame parser: an explicit state machine over the chunks the socket delivers, after
 * `ws`'s receiver. One method per state; every limit is checked before anything is allocated;
 * every violation fails the connection with exactly one close code (WebSocketProtocolError).
 *
 * Chunks are the IOStream's own views of socket data: a frame that lies inside one chunk is
 * unmasked in place and handed on as a view, with no copy. Only a frame split across chunks, or a
 * message in several fragments, is copied (once).
 */
import { isUtf8 } from "node:buffer";
import { TextDecoder } from "node:util";
import { CloseCode, Opcode, applyMask, isValidCloseCode } from "./frames";
import { WebSocketProtocolError } from "./errors";

/** Decompresses permessage-deflate payloads (see deflate.ts); one message at a time. */
export interface MessageInflater {
  /**
   * Inflates one frame's payload; `fin` ends the message. Calls back with at most `maxOutput`
   * bytes, or with a WebSocketProtocolError (1009 past the limit, 1007 for corrupt data).
   */
  decompress(data: Buffer, fin: boolean, maxOutput: number, callback: (err: WebSocketProtocolError | null, out: Buffer | null) => void): void;
}

/** What the parser reports, in wire order. */
export interface ReceiverEvents {
  /**
   * A complete message (text decoded and validated). A returned promise pauses the parser until
   * it settles: the next frame is not read before the handler is ready for it.
   */
  onFrameMessage(data: string | Buffer, binary: boolean): unknown;
  onFramePing(data: Buffer): void;
  onFramePong(data: Buffer): void;
  /** The peer's close frame; `code` is null when it carried none. No frames are parsed after it. */
  onFrameClose(code: number | null, reason: string): void;
  /** A violation: the connection must be failed with `err.closeCode`. No frames are parsed after it. */
  onFrameError(err: WebSocketProtocolError): void;
  /** The parser consumed everything it was given and wants more bytes. */
  onFrameNeedData(): void;
}

export interface ReceiverOptions {
  /** Server side: frames must be masked. Client side: frames must not be. */
  expectMasked: boolean;
  /** Largest message (after decompression) in bytes; larger ones fail with 1009. */
  maxMessageSize: number;
  /** Set when permessage-deflate was negotiated: RSV1 then marks compressed messages. */
  inflater: MessageInflater | null;
}

const enum State {
  Info,
  Length16,
  Length64,
  MaskKey,
  Payload,
  /** Waiting for the inflater or for the application's promise. */
  Paused,
  /** After a close frame or an error: input is ignored. */
  Done,
}

const EMPTY = Buffer.alloc(0);

export class Receiver {
  private state = State.Info;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private looping = false;

  // The frame being read.
  private fin = false;
  private rsv1 = false;
  private opcode = 0;
  private masked = false;
  private payloadLength = 0;
  private maskKey: Buffer | null = null;

  // The message being assembled (a data frame without FIN started it).
  private messageOpcode = 0;
  private compressed = false;
  private messageLength = 0;
  private fragments: Buffer[] = [];
  private textParts: string[] = [];
  private decoder: TextDecoder | null = null;

  constructor(private readonly events: ReceiverEvents, private readonly options: ReceiverOptions) {}

  /** Feeds bytes from the socket and parses as far as they go. */
  push(chunk: Buffer): void {
    if (this.state === State.Done || chunk.length === 0) return;
    if (this.buffered === 0 && this.state === State.Info && !this.looping) {
      // The common case: whole frames in a fresh chunk, parsed in place (no views of their heads).
      const used = this.parseWhole(chunk);
      if (used === chunk.length || (this.state as State) === State.Done) {
        if (this.state === State.Info) this.events.onFrameNeedData();
        return;
      }
      chunk = chunk.subarray(used);
    }
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.loop();
  }

  /** Whether the parser waits for its inflater or the application (so should not be fed). */
  get paused(): boolean {
    return this.state === State.Paused;
  }

  /** Stops parsing for good (the connection is closing). */
  stop(): void {
    this.state = State.Done;
    this.chunks.length = 0;
    this.buffered = 0;
    this.fragments = [];
    this.textParts = [];
  }

  private loop(): void {
    if (this.looping) return;
    this.looping = true;
    try {
      let progressed = true;
      while (progressed) {
        switch (this.state) {
          case State.Info: progressed = this.readInfo(); break;
          case State.Length16: progressed = this.readLength16(); break;
          case State.Length64: progressed = this.readLength64(); break;
          case State.MaskKey: progressed = this.readMaskKey(); break;
          case State.Payload: progressed = this.readPayload(); break;
          default: return; // Paused or Done
        }
      }
    } catch (err) {
      if (!(err instanceof WebSocketProtocolError)) throw err;
      this.fail(err);
      return;
    } finally {
      this.looping = false;
    }
    if (this.state < State.Paused) this.events.onFrameNeedData();
  }

  /**
   * Parses the frames that lie whole in `chunk` (from its start) without copying or slicing their
   * heads; stops at the first partial frame, 64-bit length or pause. Returns the bytes used.
   */
  private parseWhole(chunk: Buffer): number {
    const n = chunk.length;
    let i = 0;
    this.looping = true;
    try {
      while (this.state === State.Info && n - i >= 2) {
        const b1 = chunk[i + 1];
        let size = b1 & 0x7f;
        let head = 2;
        if (size === 126) {
          if (n - i < 4) break;
          size = (chunk[i + 2] << 8) | chunk[i + 3];
          head = 4;
        } else if (size === 127) break;
        const masked = (b1 & 0x80) !== 0;
        if (n - i < head + (masked ? 4 : 0) + size) break;
        this.info(chunk[i], b1); // a 7-bit length is checked here, a 16-bit one just below
        if (head === 4) {
          this.payloadLength = size;
          this.lengthKnown();
        }
        i += head;
        if (masked) {
          const end = i + 4 + size;
          unmask(chunk, i + 4, end, chunk[i], chunk[i + 1], chunk[i + 2], chunk[i + 3]);
          i += 4;
        }
        const data = size === 0 ? EMPTY : chunk.subarray(i, i + size);
        i += size;
        this.payload(data);
      }
    } catch (err) {
      if (!(err instanceof WebSocketProtocolError)) throw err;
      this.fail(err);
      return n;
    } finally {
      this.looping = false;
    }
    return i;
  }

  private fail(err: WebSocketProtocolError): void {
    this.stop();
    this.events.onFrameError(err);
  }

  /** Takes `n` buffered bytes: a view when they lie in one chunk, else one copy. */
  private consume(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === first.length) return this.chunks.shift()!;
    if (n < first.length) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const take = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (take === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(take);
    }
    return out;
  }

  /** The two bytes every frame starts with: FIN, RSV1-3, opcode, MASK, 7-bit length. */
  private readInfo(): boolean {
    if (this.buffered < 2) return false;
    const b = this.consume(2);
    this.info(b[0], b[1]);
    return true;
  }

  /** Takes a frame's first two bytes: checks them and moves to the state that reads the rest. */
  private info(b0: number, b1: number): void {
    if ((b0 & 0x30) !== 0) throw protocolError("RSV2 and RSV3 must be clear");
    this.fin = (b0 & 0x80) !== 0;
    this.rsv1 = (b0 & 0x40) !== 0;
    this.opcode = b0 & 0x0f;
    this.masked = (b1 & 0x80) !== 0;
    this.payloadLength = b1 & 0x7f;
    this.checkOpcode();
    if (this.masked !== this.options.expectMasked) {
      throw protocolError(this.options.expectMasked ? "frames from a client must be masked" : "frames from a server must not be masked");
    }
    if (this.payloadLength === 126) {
      if (this.opcode >= Opcode.Close) throw protocolError("control frame payload longer than 125 bytes");
      this.state = State.Length16;
    } else if (this.payloadLength === 127) {
      if (this.opcode >= Opcode.Close) throw protocolError("control frame payload longer than 125 bytes");
      this.state = State.Length64;
    } else {
      this.lengthKnown();
    }
  }

  /** Opcode, RSV1 and FIN rules of RFC 6455 §5.2, §5.4, §5.5 and RFC 7692 §6. */
  private checkOpcode(): void {
    const opcode = this.opcode;
    if (opcode === Opcode.Continuation) {
      if (this.messageOpcode === 0) throw protocolError("continuation frame without a message to continue");
      if (this.rsv1) throw protocolError("RSV1 set on a continuation frame");
      return;
    }
    if (opcode === Opcode.Text || opcode === Opcode.Binary) {
      if (this.messageOpcode !== 0) throw protocolError("new data frame before the fragmented message ended");
      if (this.rsv1 && this.options.inflater === null) throw protocolError("RSV1 set but no extension was negotiated");
      this.messageOpcode = opcode;
      this.compressed = this.rsv1;
      return;
    }
    if (opcode === Opcode.Close || opcode === Opcode.Ping || opcode === Opcode.Pong) {
      if (!this.fin) throw protocolError("fragmented control frame");
      if (this.rsv1) throw protocolError("RSV1 set on a control frame");
      return;
    }
    throw protocolError(`reserved opcode ${opcode}`);
  }

  private readLength16(): boolean {
    if (this.buffered < 2) return false;
    this.payloadLength = this.consume(2).readUInt16BE(0);
    this.lengthKnown();
    return true;
  }

  private readLength64(): boolean {
    if (this.buffered < 8) return false;
    const b = this.consume(8);
    const high = b.readUInt32BE(0);
    if (high & 0x80000000) throw protocolError("payload length with the most significant bit set");
    // Anything past 2^53 cannot be a length we could hold; it is too big whatever the limit.
    if (high > 0x1fffff) throw new WebSocketProtocolError(CloseCode.MessageTooBig, "payload length beyond 2^53 bytes");
    this.payloadLength = high * 0x100000000 + b.readUInt32BE(4);
    this.lengthKnown();
    return true;
  }

  /** The length is known: refuse an oversized message before buffering a byte of it. */
  private lengthKnown(): void {
    if (this.opcode < Opcode.Close && this.messageLength + this.payloadLength > this.options.maxMessageSize) {
      throw new WebSocketProtocolError(CloseCode.MessageTooBig, `message larger than ${this.options.maxMessageSize} bytes`);
    }
    this.state = this.masked ? State.MaskKey : State.Payload;
  }

  private readMaskKey(): boolean {
    if (this.buffered < 4) return false;
    this.maskKey = this.consume(4);
    this.state = State.Payload;
    return true;
  }

  private readPayload(): boolean {
    if (this.buffered < this.payloadLength) return false;
    const data = this.payloadLength === 0 ? EMPTY : this.consume(this.payloadLength);
    if (this.masked && data.length > 0) applyMask(data, this.maskKey!);
    this.maskKey = null;
    return this.payload(data);
  }

  /** A frame's whole (unmasked) payload: hands it on; false when the parser must now wait. */
  private payload(data: Buffer): boolean {
    this.state = State.Info;
    if (this.opcode >= Opcode.Close) {
      this.controlFrame(data);
      return true;
    }
    if (this.compressed) {
      this.inflate(data);
      return this.state === State.Info; // the inflater may have answered synchronously
    }
    this.dataFrame(data);
    return this.state === State.Info;
  }

  private controlFrame(data: Buffer): void {
    if (this.opcode === Opcode.Ping) return this.events.onFramePing(data);
    if (this.opcode === Opcode.Pong) return this.events.onFramePong(data);
    if (data.length === 1) throw protocolError("close frame with a 1-byte payload");
    let code: number | null = null;
    let reason = "";
    if (data.length >= 2) {
      code = data.readUInt16BE(0);
      if (!isValidCloseCode(code)) throw protocolError(`invalid close code ${code}`);
      const text = data.subarray(2);
      if (!isUtf8(text)) throw new WebSocketProtocolError(CloseCode.InvalidPayload, "close reason is not valid UTF-8");
      reason = text.toString("utf8");
    }
    this.stop();
    this.events.onFrameClose(code, reason);
  }

  private inflate(data: Buffer): void {
    this.state = State.Paused;
    const fin = this.fin;
    let sync = true;
    this.options.inflater!.decompress(data, fin, this.options.maxMessageSize - this.messageLength, (err, out) => {
      if (this.state === State.Done) return;
      if (err) return this.fail(err);
      this.state = State.Info;
      try {
        this.dataFrame(out!);
      } catch (e) {
        if (!(e instanceof WebSocketProtocolError)) throw e;
        return this.fail(e);
      }
      if (!sync && this.state === State.Info) this.loop();
    });
    sync = false;
  }

  /** One data frame's (decompressed) payload; completes the message on FIN. */
  private dataFrame(data: Buffer): void {
    this.messageLength += data.length;
    if (this.messageLength > this.options.maxMessageSize) {
      throw new WebSocketProtocolError(CloseCode.MessageTooBig, `message larger than ${this.options.maxMessageSize} bytes`);
    }
    const text = this.messageOpcode === Opcode.Text;
    if (this.fin && this.fragments.length === 0 && this.textParts.length === 0) {
      // The common case, a message in one frame: no copy and no decoder state.
      if (!text) return this.deliver(data, true);
      // Decoding replaces every invalid sequence with U+FFFD, so a text without one was valid
      // UTF-8: one pass over the bytes instead of a validation pass and a decoding pass.
      const message = data.toString("utf8");
      if (message.includes("\uFFFD") && !isUtf8(data)) throw new WebSocketProtocolError(CloseCode.InvalidPayload, "text message is not valid UTF-8");
      return this.deliver(message, false);
    }
    if (text) {
      // Validate as the fragments arrive: a bad sequence fails the connection at once, not at the end.
      this.decoder ??= new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
      try {
        this.textParts.push(this.decoder.decode(data, { stream: !this.fin }));
      } catch {
        this.decoder = null;
        throw new WebSocketProtocolError(CloseCode.InvalidPayload, "text message is not valid UTF-8");
      }
      if (!this.fin) return;
      const message = this.textParts.join("");
      this.textParts = [];
      return this.deliver(message, false);
    }
    if (data.length > 0) this.fragments.push(data);
    if (!this.fin) return;
    const message = this.fragments.length === 1 ? this.fragments[0] : Buffer.concat(this.fragments, this.messageLength);
    this.fragments = [];
    this.deliver(message, true);
  }

  private deliver(message: string | Buffer, binary: boolean): void {
    this.messageOpcode = 0;
    this.messageLength = 0;
    this.compressed = false;
    const result = this.events.onFrameMessage(message, binary);
    if (this.state !== State.Info) return; // the handler closed the connection meanwhile
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      this.state = State.Paused;
      const resume = (): void => {
        if (this.state !== State.Paused) return;
        this.state = State.Info;
        this.loop();
      };
      (result as PromiseLike<unknown>).then(resume, resume);
    }
  }
}

/** XORs `buf[start, end)` in place with the mask m0..m3 (the masking key, RFC 6455 §5.3). */
function unmask(buf: Buffer, start: number, end: number, m0: number, m1: number, m2: number, m3: number): void {
  let i = start;
  for (; i + 3 < end; i += 4) {
    buf[i] ^= m0;
    buf[i + 1] ^= m1;
    buf[i + 2] ^= m2;
    buf[i + 3] ^= m3;
  }
  if (i < end) buf[i++] ^= m0;
  if (i < end) buf[i++] ^= m1;
  if (i < end) buf[i] ^= m2;
}

function protocolError(message: string): WebSocketProtocolError {
  return new WebSocketProtocolError(CloseCode.ProtocolError, message);
}
