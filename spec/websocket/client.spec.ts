import { expect } from "chai";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { websocketConnect } from "../../src/websocket/client";
import { WebSocketClosedError, WebSocketHandshakeError } from "../../src/websocket/errors";
import { waitFor } from "./live_helpers";

/** A `ws` server on node:http (the reference implementation) that echoes, or obeys commands. */
async function startWsServer(options: { perMessageDeflate?: boolean; refuse?: boolean } = {}): Promise<{
  port: number; server: WebSocketServer; peers: WebSocket[]; closes: number[]; stop: () => Promise<void>;
}> {
  const httpServer = http.createServer();
  const server = new WebSocketServer({
    server: httpServer,
    perMessageDeflate: options.perMessageDeflate ?? false,
    verifyClient: options.refuse ? (_info, cb) => cb(false, 401, "Unauthorized") : undefined,
    handleProtocols: (protocols) => (protocols.has("b") ? "b" : false),
  });
  const peers: WebSocket[] = [];
  const closes: number[] = [];
  server.on("connection", (ws) => {
    peers.push(ws);
    ws.on("close", (code) => closes.push(code));
    ws.on("message", (data, binary) => {
      const text = data.toString();
      if (!binary && text === "big") ws.send("x".repeat(2000));
      else if (!binary && text === "close") ws.close(4001, "server says bye");
      else ws.send(data, { binary });
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    port: (httpServer.address() as AddressInfo).port,
    server,
    peers,
    closes,
    stop: async () => {
      for (const ws of server.clients) ws.terminate();
      await new Promise((resolve) => server.close(resolve));
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}

describe("websocketConnect", () => {
  describe("against the ws npm server", () => {
    let ref: Awaited<ReturnType<typeof startWsServer>>;
    before(async () => (ref = await startWsServer({ perMessageDeflate: true })));
    after(() => ref.stop());

    it("sends masked frames the server accepts and reads text as strings, binary as Buffers", async () => {
      const ws = await websocketConnect(`ws://127.0.0.1:${ref.port}/`);
      await ws.writeMessage("héllo");
      expect(await ws.readMessage()).to.equal("héllo");
      await ws.writeMessage(Buffer.from([9, 8, 7]));
      const bin = await ws.readMessage();
      expect(Buffer.isBuffer(bin)).to.equal(true);
      expect([...(bin as Buffer)]).to.deep.equal([9, 8, 7]);
      ws.close();
      await ws.waitClosed();
      expect(ws.closed).to.equal(true);
    });

    it("negotiates permessage-deflate when asked to, and round-trips large messages", async () => {
      const ws = await websocketConnect(`ws://127.0.0.1:${ref.port}/`, { compressionOptions: {} });
      const peer = ref.peers[ref.peers.length - 1];
      expect(Object.keys((peer as unknown as { _extensions: object })._extensions)).to.deep.equal(["permessage-deflate"]);
      const big = "compress me ".repeat(20000);
      await ws.writeMessage(big);
      expect(await ws.readMessage()).to.equal(big);
      ws.close();
    });

    it("reports the server's close code and reason, then reads null", async () => {
      const ws = await websocketConnect(`ws://127.0.0.1:${ref.port}/`);
      await ws.writeMessage("close");
      expect(await ws.readMessage()).to.equal(null);
      expect(ws.closeCode).to.equal(4001);
      expect(ws.closeReason).to.equal("server says bye");
      let error: unknown;
      await ws.writeMessage("after").catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(WebSocketClosedError);
    });

    it("closes with 1009 when the server sends more than maxMessageSize", async () => {
      const ws = await websocketConnect(`ws://127.0.0.1:${ref.port}/`, { maxMessageSize: 1000 });
      const before = ref.closes.length;
      await ws.writeMessage("big");
      expect(await ws.readMessage()).to.equal(null);
      await waitFor(() => ref.closes.length > before);
      expect(ref.closes[ref.closes.length - 1]).to.equal(1009);
    });

    it("offers subprotocols and reports the one chosen", async () => {
      const ws = await websocketConnect(`ws://127.0.0.1:${ref.port}/`, { subprotocols: ["a", "b"] });
      expect(ws.selectedSubprotocol).to.equal("b");
      ws.close();
    });

    it("delivers messages to onMessage when given, then null at close", async () => {
      const got: (string | Buffer | null)[] = [];
      const ws = await websocketConnect(`ws://127.0.0.1:${ref.port}/`, { onMessage: (m) => got.push(m) });
      await ws.writeMessage("one");
      await waitFor(() => got.length === 1);
      ws.close(1000);
      await ws.waitClosed();
      expect(got).to.deep.equal(["one", null]);
    });
  });

  describe("when the server refuses", () => {
    let ref: Awaited<ReturnType<typeof startWsServer>>;
    before(async () => (ref = await startWsServer({ refuse: true })));
    after(() => ref.stop());

    it("rejects with WebSocketHandshakeError carrying the status", async () => {
      let error: unknown;
      await websocketConnect(`ws://127.0.0.1:${ref.port}/`).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(WebSocketHandshakeError);
      expect((error as WebSocketHandshakeError).status).to.equal(401);
    });
  });

  it("rejects a URL that is not ws:// or wss://", async () => {
    let error: unknown;
    await websocketConnect("ftp://127.0.0.1/").catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/ws:\/\/ or wss:\/\//);
  });
});
