import { constants, inflateRawSync } from "node:zlib";
import { expect } from "chai";
import WebSocket from "ws";
import { Authenticated, Route, createSignedValue } from "../../src/web/index";
import { WebSocketHandler } from "../../src/websocket/handler";
import { WebSocketClosedError } from "../../src/websocket/errors";
import { closeBody, rawFrame } from "./frame_helpers";
import { RawClient, type RawResponse } from "../support/rawclient";
import { RawSocket, startApp, waitFor, type LiveApp } from "./live_helpers";

const SECRET = "websocket-spec-secret";
const log: string[] = [];

@Route("/echo/([a-z]+)")
class EchoSocket extends WebSocketHandler {
  override open(room: unknown): void {
    log.push(`open ${String(room)}`);
  }
  override onMessage(message: string | Buffer): Promise<void> {
    if (message === "json") return this.writeMessage({ kind: "json", ok: true });
    if (message === "close-me") {
      this.close(4002, "as you wish");
      return Promise.resolve();
    }
    return this.writeMessage(message);
  }
  override onPing(data: Buffer): void {
    log.push(`ping ${data.toString()}`);
  }
  override onClose(): void {
    log.push(`close ${this.closeCode} ${this.closeReason}`);
  }
}

@Route("/compressed")
class CompressedSocket extends WebSocketHandler {
  override getCompressionOptions() {
    return { maxWindowBits: 12 };
  }
  override onMessage(message: string | Buffer): Promise<void> {
    return this.writeMessage(message);
  }
}

@Route("/proto")
class ProtoSocket extends WebSocketHandler {
  override selectSubprotocol(offered: string[]): string | null {
    return offered.includes("chat.v2") ? "chat.v2" : null;
  }
  override open(): Promise<void> {
    return this.writeMessage(`protocol=${this.selectedSubprotocol}`);
  }
}

/** Handles one message at a time, slowly: proves onMessage promises are waited for. */
@Route("/slow")
class SlowSocket extends WebSocketHandler {
  private busy = 0;
  override async onMessage(message: string | Buffer): Promise<void> {
    this.busy++;
    const overlap = this.busy;
    await new Promise((resolve) => setTimeout(resolve, 20));
    this.busy--;
    await this.writeMessage(`${String(message)}:${overlap}`);
  }
}

@Authenticated
@Route("/private")
class PrivateSocket extends WebSocketHandler<string> {
  override getCurrentUser(): string | null {
    return this.getSecureCookie("user");
  }
  override open(): Promise<void> {
    return this.writeMessage(`hello ${this.currentUser}`);
  }
}

@Route("/limited")
class LimitedSocket extends WebSocketHandler {
  override get maxMessageSize(): number {
    return 1024;
  }
}

@Route("/closing")
class ClosingSocket extends WebSocketHandler {
  override async open(): Promise<void> {
    this.close(1000, "bye");
    try {
      await this.writeMessage("too late");
    } catch (err) {
      log.push(`write after close: ${(err as Error).name}`);
    }
  }
}

const room = new Set<RoomSocket>();

/** Every message is broadcast to the whole room; compression is on for clients that offer it. */
@Route("/room")
class RoomSocket extends WebSocketHandler {
  override getCompressionOptions() {
    return {};
  }
  override open(): void {
    log.push(`open: request.connection ${this.request.connection === undefined ? "released" : "kept"}, Host ${this.request.headers.get("Host") ? "kept" : "lost"}`);
    room.add(this);
  }
  override onMessage(message: string | Buffer): void {
    log.push(`broadcast to ${WebSocketHandler.broadcast(room, message)}`);
  }
  override onClose(): void {
    room.delete(this);
  }
}

const ROUTES = [EchoSocket, CompressedSocket, ProtoSocket, SlowSocket, PrivateSocket, LimitedSocket, ClosingSocket, RoomSocket];

/** Messages each client received and nobody has taken yet (they may arrive with the 101). */
const inboxes = new WeakMap<WebSocket, { data: string; binary: boolean }[]>();

function connect(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, options);
    const inbox: { data: string; binary: boolean }[] = [];
    inboxes.set(ws, inbox);
    ws.on("message", (data: Buffer, binary: boolean) => inbox.push({ data: data.toString(), binary }));
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`status ${res.statusCode} ${res.headers.location ?? ""}`)));
  });
}

/** The message of the error `p` rejects with (fails the spec when it resolves). */
async function failure(p: Promise<WebSocket>): Promise<string> {
  try {
    (await p).terminate();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the connection to be refused");
}

async function nextMessage(ws: WebSocket): Promise<{ data: string; binary: boolean }> {
  const inbox = inboxes.get(ws)!;
  await waitFor(() => inbox.length > 0 || ws.readyState === WebSocket.CLOSED);
  if (inbox.length === 0) throw new Error("closed without a message");
  return inbox.shift()!;
}

function closed(ws: WebSocket): Promise<[number, string]> {
  return new Promise((resolve) => ws.once("close", (code: number, reason: Buffer) => resolve([code, reason.toString()])));
}

describe("WebSocketHandler", () => {
  let app: LiveApp;
  before(async () => {
    app = await startApp(ROUTES, { cookieSecret: SECRET, loginUrl: "/login" });
  });
  after(() => app.stop());
  beforeEach(() => (log.length = 0));

  describe("with the ws npm client", () => {
    it("opens with the path arguments and echoes text and binary messages", async () => {
      const ws = await connect(app.url("/echo/lobby"));
      ws.send("héllo");
      expect(await nextMessage(ws)).to.deep.equal({ data: "héllo", binary: false });
      ws.send(Buffer.from([1, 2, 3]));
      const bin = await nextMessage(ws);
      expect(bin.binary).to.equal(true);
      ws.close();
      await closed(ws);
      expect(log[0]).to.equal("open lobby");
    });

    it("sends an object as JSON text", async () => {
      const ws = await connect(app.url("/echo/a"));
      ws.send("json");
      const m = await nextMessage(ws);
      expect(JSON.parse(m.data)).to.deep.equal({ kind: "json", ok: true });
      expect(m.binary).to.equal(false);
      ws.close();
    });

    it("reports the client's close code and reason to onClose", async () => {
      const ws = await connect(app.url("/echo/a"));
      const done = closed(ws);
      ws.close(4100, "leaving now");
      expect((await done)[0]).to.equal(4100);
      await waitFor(() => log.some((l) => l.startsWith("close")));
      expect(log).to.include("close 4100 leaving now");
    });

    it("closes with the code and reason the handler gives", async () => {
      const ws = await connect(app.url("/echo/a"));
      const done = closed(ws);
      ws.send("close-me");
      expect(await done).to.deep.equal([4002, "as you wish"]);
    });

    it("answers pings with pongs and tells onPing", async () => {
      const ws = await connect(app.url("/echo/a"));
      const pong = new Promise<string>((resolve) => ws.once("pong", (d: Buffer) => resolve(d.toString())));
      ws.ping("are you there");
      expect(await pong).to.equal("are you there");
      expect(log).to.include("ping are you there");
      ws.close();
    });

    it("negotiates permessage-deflate when the handler enables it, and round-trips compressible messages", async () => {
      const ws = await connect(app.url("/compressed"), { perMessageDeflate: true });
      expect(ws.extensions).to.match(/^permessage-deflate/);
      const big = "tornado ".repeat(5000);
      ws.send(big);
      expect((await nextMessage(ws)).data).to.equal(big);
      ws.send("small");
      expect((await nextMessage(ws)).data).to.equal("small");
      ws.close();
    });

    it("runs uncompressed when the handler does not enable compression", async () => {
      const ws = await connect(app.url("/echo/a"), { perMessageDeflate: true });
      expect(ws.extensions).to.equal("");
      ws.close();
    });

    it("selects a subprotocol the client offered", async () => {
      const ws = await connect(app.url("/proto"), {}, ["chat.v1", "chat.v2"]);
      expect(ws.protocol).to.equal("chat.v2");
      expect((await nextMessage(ws)).data).to.equal("protocol=chat.v2");
      ws.close();
    });

    it("waits for each onMessage promise before delivering the next message", async () => {
      const ws = await connect(app.url("/slow"));
      for (const m of ["a", "b", "c"]) ws.send(m);
      const got = [(await nextMessage(ws)).data, (await nextMessage(ws)).data, (await nextMessage(ws)).data];
      expect(got).to.deep.equal(["a:1", "b:1", "c:1"]);
      ws.close();
    });

    it("closes with 1009 when a message passes websocketMaxMessageSize", async () => {
      const ws = await connect(app.url("/limited"));
      const done = closed(ws);
      ws.send("x".repeat(2000));
      expect((await done)[0]).to.equal(1009);
    });

    it("rejects writeMessage with WebSocketClosedError once closed", async () => {
      const ws = await connect(app.url("/closing"));
      await closed(ws);
      await waitFor(() => log.length > 0);
      expect(log).to.deep.equal([`write after close: ${WebSocketClosedError.name}`]);
    });
  });

  describe("broadcast", () => {
    it("sends one message to every open socket: the same uncompressed frame, or a compressed one where deflate was negotiated", async () => {
      const plain = await connect(app.url("/room"));
      const raw = await RawSocket.open(app.port, "/room", Buffer.alloc(0), "Sec-WebSocket-Extensions: permessage-deflate\r\n");
      expect(raw.head).to.match(/permessage-deflate/i);
      const leaving = await connect(app.url("/room"));
      await waitFor(() => room.size === 3);
      leaving.terminate();
      await waitFor(() => room.size === 2);
      const text = "news for everyone ".repeat(20);
      plain.send(text);
      expect(await nextMessage(plain)).to.deep.equal({ data: text, binary: false });
      await waitFor(() => raw.frames().length > 0);
      const [frame] = raw.frames();
      expect(frame.rsv1).to.equal(true);
      expect(inflateRawSync(frame.payload, { finishFlush: constants.Z_SYNC_FLUSH }).toString()).to.equal(text);
      plain.send(Buffer.from([7, 8]));
      expect(await nextMessage(plain)).to.deep.include({ binary: true });
      expect(log).to.include("broadcast to 2");
      expect(log[0]).to.equal("open: request.connection released, Host kept");
      plain.close();
      raw.destroy();
    });
  });

  describe("the handshake", () => {
    async function handshake(path: string, headers: Record<string, string>): Promise<string> {
      const raw = await RawSocket.open(app.port, path, Buffer.alloc(0), Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join(""));
      raw.destroy();
      return raw.head;
    }

    /** The server's answer to an upgrade of /echo/a with `headers` (not a handshake a client library would send). */
    async function upgradeAnswer(headers: Record<string, string>): Promise<RawResponse> {
      const c = await RawClient.connect(app.port);
      try {
        const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
        c.send(`GET /echo/a HTTP/1.1\r\nHost: 127.0.0.1:${app.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${lines}\r\n`);
        return await c.readResponse();
      } finally {
        c.close();
      }
    }

    it("answers 101 with the RFC 6455 accept key", async () => {
      const head = await handshake("/echo/a", {});
      expect(head).to.match(/^HTTP\/1\.1 101 /);
      expect(head).to.include("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      expect(head).not.to.match(/Content-Type/i);
    });

    it("refuses a plain GET with 400", async () => {
      const res = await fetch(`http://127.0.0.1:${app.port}/echo/a`);
      expect(res.status).to.equal(400);
      expect(await res.text()).to.include("Upgrade");
    });

    it("refuses a cross-origin page with 403 and accepts the same origin", async () => {
      expect(await failure(connect(app.url("/echo/a"), { origin: "http://evil.example" }))).to.equal("status 403 ");
      const ws = await connect(app.url("/echo/a"), { origin: `http://127.0.0.1:${app.port}` });
      ws.close();
    });

    it("answers an unsupported version with 426 and the version it speaks", async () => {
      const res = await upgradeAnswer({ "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "8" });
      expect(res.code).to.equal(426);
      expect(res.headers["sec-websocket-version"]).to.equal("13");
    });

    it("refuses a malformed Sec-WebSocket-Key with 400", async () => {
      const res = await upgradeAnswer({ "Sec-WebSocket-Key": "c2hvcnQ=", "Sec-WebSocket-Version": "13" });
      expect(res.code).to.equal(400);
    });

    it("applies @Authenticated: anonymous upgrades are redirected to the login page", async () => {
      expect(await failure(connect(app.url("/private")))).to.equal("status 302 /login?next=%2Fprivate");
    });

    it("applies @Authenticated: a signed-in user's upgrade opens", async () => {
      const cookie = `user=${createSignedValue(SECRET, "user", "ada")}`;
      const ws = await connect(app.url("/private"), { headers: { Cookie: cookie } });
      expect((await nextMessage(ws)).data).to.equal("hello ada");
      ws.close();
    });
  });

  describe("raw frames", () => {
    it("keeps frames that arrive in the same packet as the handshake", async () => {
      const raw = await RawSocket.open(app.port, "/echo/a", rawFrame(1, "early"));
      await waitFor(() => raw.frames().length > 0);
      expect(raw.frames()[0].payload.toString()).to.equal("early");
      raw.destroy();
    });

    it("delivers a fragmented message with a ping between its fragments, answering the ping first", async () => {
      const raw = await RawSocket.open(app.port, "/echo/a");
      raw.send(Buffer.concat([rawFrame(1, "frag", { fin: false }), rawFrame(9, "mid"), rawFrame(0, "ments")]));
      await waitFor(() => raw.frames().length >= 2);
      const frames = raw.frames().map((f) => [f.opcode, f.payload.toString()]);
      expect(frames).to.deep.equal([[10, "mid"], [1, "fragments"]]);
      raw.destroy();
    });

    const violations: [string, Buffer, number, string?][] = [
      ["an unmasked frame", rawFrame(1, "x", { mask: false }), 1002],
      ["a reserved opcode", rawFrame(5, "x"), 1002],
      ["a continuation with nothing to continue", rawFrame(0, "x"), 1002],
      ["invalid UTF-8 split across fragments", Buffer.concat([rawFrame(1, Buffer.from([0xe2, 0x82]), { fin: false }), rawFrame(0, Buffer.from([0x28]))]), 1007],
      ["a message over the size limit", rawFrame(2, Buffer.alloc(1025)), 1009, "/limited"],
      ["a close frame with an invalid code", rawFrame(8, closeBody(1005)), 1002],
    ];
    for (const [what, bytes, code, path] of violations) {
      it(`answers ${what} with close ${code} and closes the connection`, async () => {
        const raw = await RawSocket.open(app.port, path ?? "/echo/a");
        raw.send(bytes);
        expect(await raw.closeCode()).to.equal(code);
      });
    }

    it("echoes the client's close code and then closes TCP", async () => {
      const raw = await RawSocket.open(app.port, "/echo/a");
      raw.send(rawFrame(8, closeBody(1001, "going")));
      expect(await raw.closeCode()).to.equal(1001);
    });
  });

  describe("keep-alive pings", () => {
    let pinging: LiveApp;
    before(async () => {
      pinging = await startApp([EchoSocket], { websocketPingInterval: 0.05, websocketPingTimeout: 0.3 });
    });
    after(() => pinging.stop());

    it("pings every websocketPingInterval and keeps a client that answers", async () => {
      const ws = await connect(pinging.url("/echo/a"));
      let pings = 0;
      ws.on("ping", () => pings++);
      await waitFor(() => pings >= 3);
      expect(pings).to.be.at.least(3);
      expect(ws.readyState).to.equal(WebSocket.OPEN);
      ws.close();
    });

    it("drops a client that does not answer within websocketPingTimeout", async () => {
      const raw = await RawSocket.open(pinging.port, "/echo/a");
      await waitFor(() => raw.closed);
      expect(raw.closed).to.equal(true);
      expect(raw.frames().some((f) => f.opcode === 9)).to.equal(true);
    });
  });
});
