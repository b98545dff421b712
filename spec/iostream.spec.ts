import { expect } from "chai";
import * as net from "node:net";
import * as tls from "node:tls";
import { IOStream, StreamBufferFullError, StreamClosedError, UnsatisfiableReadError } from "../src/iostream";
import { makeSelfSignedCert } from "./support/rawclient";

/** A connected pair: `stream` is the IOStream under test, `peer` the raw socket at the other end. */
async function pair(options?: ConstructorParameters<typeof IOStream>[1]): Promise<{ stream: IOStream; peer: net.Socket; done: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const accepted = new Promise<net.Socket>((r) => server.once("connection", r));
  const stream = await IOStream.connect("127.0.0.1", (server.address() as net.AddressInfo).port, options);
  const peer = await accepted;
  peer.on("error", () => undefined);
  return {
    stream,
    peer,
    done: async () => {
      stream.destroy();
      peer.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function tick(ms = 20): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

describe("IOStream", () => {
  describe("#readUntil", () => {
    it("resolves with the data through the delimiter, across packets", async () => {
      const { stream, peer, done } = await pair();
      try {
        const read = stream.readUntil("\r\n\r\n");
        peer.write("GET / HTTP/1.1\r\n");
        await tick();
        peer.write("Host: x\r\n\r\nrest");
        expect((await read).toString()).to.equal("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        expect((await stream.readBytes(4)).toString()).to.equal("rest");
      } finally {
        await done();
      }
    });

    it("answers later reads from the buffer without waiting for the peer", async () => {
      const { stream, peer, done } = await pair();
      try {
        peer.write("a\nb\nc\n");
        expect((await stream.readUntil("\n")).toString()).to.equal("a\n");
        expect(stream.bufferedLength).to.equal(4);
        expect((await stream.readUntil("\n")).toString()).to.equal("b\n");
        expect((await stream.readUntil(Buffer.from("\n"))).toString()).to.equal("c\n");
      } finally {
        await done();
      }
    });

    it("finds a delimiter split between two packets", async () => {
      const { stream, peer, done } = await pair();
      try {
        const read = stream.readUntil("--end--");
        peer.write("data--e");
        await tick();
        peer.write("nd--more");
        expect((await read).toString()).to.equal("data--end--");
      } finally {
        await done();
      }
    });

    it("rejects with UnsatisfiableReadError past maxBytes and leaves the stream open", async () => {
      const { stream, peer, done } = await pair();
      try {
        peer.write("x".repeat(100));
        let error: unknown;
        await stream.readUntil("\n", { maxBytes: 10 }).catch((e) => (error = e));
        expect(error).to.be.instanceOf(UnsatisfiableReadError);
        expect(stream.closed()).to.equal(false);
        const got = new Promise<Buffer>((r) => peer.once("data", r));
        await stream.write("400 sorry");
        expect((await got).toString()).to.equal("400 sorry");
      } finally {
        await done();
      }
    });

    it("calls a trailing callback with the result", async () => {
      const { stream, peer, done } = await pair();
      try {
        const got = new Promise<Buffer>((resolve) => void stream.readUntil("!", resolve));
        peer.write("hi!");
        expect((await got).toString()).to.equal("hi!");
      } finally {
        await done();
      }
    });

    it("refuses a second read while one is pending", async () => {
      const { stream, done } = await pair();
      try {
        void stream.readUntil("\n").catch(() => undefined);
        expect(() => stream.readBytes(1)).to.throw(/already pending/);
      } finally {
        await done();
      }
    });
  });

  describe("#readUntilRegex", () => {
    it("resolves through the end of the first match", async () => {
      const { stream, peer, done } = await pair();
      try {
        peer.write("head\n\nbody");
        expect((await stream.readUntilRegex(/\r?\n\r?\n/)).toString()).to.equal("head\n\n");
      } finally {
        await done();
      }
    });
  });

  describe("#readBytes", () => {
    it("waits for exactly n bytes", async () => {
      const { stream, peer, done } = await pair();
      try {
        const read = stream.readBytes(6);
        peer.write("abc");
        await tick();
        peer.write("defgh");
        expect((await read).toString()).to.equal("abcdef");
        expect(stream.bufferedLength).to.equal(2);
      } finally {
        await done();
      }
    });

    it("resolves with what is there when partial", async () => {
      const { stream, peer, done } = await pair();
      try {
        const read = stream.readBytes(100, { partial: true });
        peer.write("abc");
        expect((await read).toString()).to.equal("abc");
      } finally {
        await done();
      }
    });
  });

  describe("#readUntilClose", () => {
    it("resolves with everything once the peer closes", async () => {
      const { stream, peer, done } = await pair();
      try {
        const read = stream.readUntilClose();
        peer.write("one ");
        peer.end("two");
        expect((await read).toString()).to.equal("one two");
      } finally {
        await done();
      }
    });
  });

  describe("callbacks with a receiver", () => {
    it("readUntilMatchThen and the close callback call methods with the given this", async () => {
      const { stream, peer, done } = await pair();
      try {
        class Owner {
          heads: string[] = [];
          closed = 0;
          onHead(head: Buffer): void { this.heads.push(head.toString()); }
          onError(): void { this.heads.push("error"); }
          onClose(): void { this.closed++; }
        }
        const owner = new Owner();
        stream.setCloseCallback(owner.onClose, owner);
        const finder = (buf: Buffer, from: number, end: number): number => { const i = buf.indexOf(10, from); return i >= 0 && i < end ? i + 1 : -1; };
        stream.readUntilMatchThen(finder, 0, 1024, owner.onHead, owner.onError, owner);
        peer.write("first\n");
        await tick();
        expect(owner.heads).to.deep.equal(["first\n"]);
        peer.end();
        await tick();
        expect(owner.closed).to.equal(1);
      } finally {
        await done();
      }
    });
  });

  describe("when the peer closes", () => {
    it("rejects a pending read with StreamClosedError and runs the close callback", async () => {
      const { stream, peer, done } = await pair();
      try {
        let called = 0;
        stream.setCloseCallback(() => called++);
        const read = stream.readUntil("\n");
        peer.end("no newline");
        let error: unknown;
        await read.catch((e) => (error = e));
        expect(error).to.be.instanceOf(StreamClosedError);
        expect(stream.closed()).to.equal(true);
        expect(called).to.equal(1);
        let writeError: unknown;
        await stream.write("late").catch((e) => (writeError = e));
        expect(writeError).to.be.instanceOf(StreamClosedError);
      } finally {
        await done();
      }
    });
  });

  describe("reading into the shared buffer", () => {
    it("reads a plain socket without a data listener, and what it handed out stays intact", async () => {
      const { stream, peer, done } = await pair();
      try {
        expect(stream.socket.listenerCount("data")).to.equal(0);
        peer.write("first");
        const first = await stream.readBytes(5);
        peer.write("other");
        const second = await stream.readBytes(5);
        expect(first.toString()).to.equal("first");
        expect(second.toString()).to.equal("other");
      } finally {
        await done();
      }
    });

    it("keeps bytes left over from one read when the next read of any stream arrives", async () => {
      const a = await pair();
      const b = await pair();
      try {
        a.peer.write("one\ntwo");
        expect((await a.stream.readUntil("\n")).toString()).to.equal("one\n");
        b.peer.write("xxxxxxxx\n");
        expect((await b.stream.readUntil("\n")).toString()).to.equal("xxxxxxxx\n");
        a.peer.write("\n");
        expect((await a.stream.readUntil("\n")).toString()).to.equal("two\n");
      } finally {
        await a.done();
        await b.done();
      }
    });
  });

  describe("read backpressure", () => {
    it("pauses the socket while no read is pending and resumes for a read", async () => {
      const { stream, peer, done } = await pair({ readPauseThreshold: 16 * 1024 });
      try {
        const big = Buffer.alloc(4 * 1024 * 1024, 7);
        peer.write(big);
        await tick(100);
        expect(stream.socket.isPaused()).to.equal(true);
        expect(stream.bufferedLength).to.be.below(big.length);
        const all = await stream.readBytes(big.length);
        expect(all.equals(big)).to.equal(true);
      } finally {
        await done();
      }
    });
  });

  describe("#write", () => {
    it("resolves once the data is taken and the peer receives it", async () => {
      const { stream, peer, done } = await pair();
      try {
        const got = new Promise<Buffer>((r) => peer.once("data", r));
        expect(stream.writing()).to.equal(false);
        await stream.write(Buffer.from("ping"));
        expect((await got).toString()).to.equal("ping");
      } finally {
        await done();
      }
    });

    it("rejects with StreamBufferFullError past maxWriteBufferSize when the peer stops reading", async () => {
      const { stream, peer, done } = await pair({ maxWriteBufferSize: 256 * 1024 });
      try {
        peer.pause();
        const chunk = Buffer.alloc(64 * 1024);
        let error: unknown;
        for (let i = 0; i < 1000 && error === undefined; i++) {
          void stream.write(chunk).catch((e) => (error = e));
          await new Promise((r) => setImmediate(r));
        }
        expect(error).to.be.instanceOf(StreamBufferFullError);
        expect(stream.socket.writableLength).to.be.at.most(256 * 1024);
      } finally {
        await done();
      }
    });
  });

  describe("over a TLS socket", () => {
    it("reads and writes the decrypted stream", async function () {
      this.timeout(20000);
      const { key, cert } = makeSelfSignedCert();
      const server = tls.createServer({ key, cert }, (socket) => {
        const stream = new IOStream(socket);
        void stream.readUntil("\n").then((line) => stream.write("echo " + line.toString()));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const client = tls.connect({ port: (server.address() as net.AddressInfo).port, host: "127.0.0.1", ca: cert, servername: "localhost" });
      try {
        await new Promise((r) => client.once("secureConnect", r));
        const stream = new IOStream(client);
        expect(stream.socket.listenerCount("data")).to.equal(1); // TLS has no onread mode
        await stream.write("hello\n");
        expect((await stream.readUntil("\n")).toString()).to.equal("echo hello\n");
      } finally {
        client.destroy();
        await new Promise((r) => server.close(r));
      }
    });
  });

  describe(".connect", () => {
    it("rejects with StreamClosedError when nothing listens", async () => {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as net.AddressInfo).port;
      await new Promise((r) => server.close(r));
      let error: unknown;
      await IOStream.connect("127.0.0.1", port).catch((e) => (error = e));
      expect(error).to.be.instanceOf(StreamClosedError);
    });
  });
});
