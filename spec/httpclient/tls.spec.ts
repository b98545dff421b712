import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type { TLSSocket } from "node:tls";
import { AsyncHTTPClient, HTTPClientError } from "../../src/httpclient";
import { HTTPServer } from "../../src/httpserver";
import { Application, RequestHandler } from "../../src/web";
import { commandExists, needs } from "../support/services";
import { startPeer, startProxy, type PeerServer } from "../support/httpservers";

interface KeyPair {
  key: string;
  cert: string;
  certPath: string;
}

/** A self-signed EC certificate made by the openssl CLI, valid for 127.0.0.1 and localhost. */
function makeCertificate(dir: string, cn: string): KeyPair {
  const keyPath = path.join(dir, `${cn}.key`);
  const certPath = path.join(dir, `${cn}.crt`);
  const r = spawnSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath, "-days", "2", "-subj", `/CN=${cn}`,
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { key: fs.readFileSync(keyPath, "utf8"), cert: fs.readFileSync(certPath, "utf8"), certPath };
}

class SecureHandler extends RequestHandler {
  get(): void {
    this.write("secure tornado-ts");
  }
}

describe("AsyncHTTPClient over TLS and through proxies", function () {
  let dir: string;
  let server: KeyPair;
  let clientPair: KeyPair;
  let peer: PeerServer;
  let mutual: PeerServer;
  let plain: PeerServer;
  let tornado: HTTPServer;
  let tornadoPort: number;
  let client: AsyncHTTPClient;

  before(async function () {
    needs(this, "the openssl CLI", commandExists("openssl"), "apt-get install openssl");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "httpclient-tls-"));
    server = makeCertificate(dir, "localhost");
    clientPair = makeCertificate(dir, "spec-client");
    peer = await startPeer(() => undefined, https.createServer({ key: server.key, cert: server.cert }, (req, res) => res.end(`tls ${req.url}`)), "https");
    mutual = await startPeer(() => undefined, https.createServer(
      { key: server.key, cert: server.cert, ca: clientPair.cert, requestCert: true, rejectUnauthorized: true },
      (req, res) => res.end("hello " + (req.socket as TLSSocket).getPeerCertificate().subject.CN),
    ), "https");
    plain = await startPeer((req, res) => res.end(`plain ${req.url}`));
    tornado = new HTTPServer(new Application([["/", SecureHandler]]), { ssl: { key: server.key, cert: server.cert } });
    await tornado.listen(0, "127.0.0.1");
    tornadoPort = (tornado.address() as { port: number }).port;
    client = new AsyncHTTPClient({ forceInstance: true });
  });

  after(async () => {
    await client?.close();
    await peer?.close();
    await mutual?.close();
    await plain?.close();
    if (tornado) {
      tornado.closeAllConnections?.();
      await tornado.stop();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fetches from a node:https server whose certificate is given in caCerts (PEM text)", async () => {
    const res = await client.fetch(peer.url("/a"), { caCerts: server.cert });
    expect(res.text()).to.equal("tls /a");
  });

  it("reads caCerts from a file path", async () => {
    const res = await client.fetch(peer.url("/b"), { caCerts: server.certPath });
    expect(res.text()).to.equal("tls /b");
  });

  it("fetches from a tornado-ts HTTPServer with ssl options", async () => {
    const res = await client.fetch(`https://127.0.0.1:${tornadoPort}/`, { caCerts: server.cert });
    expect(res.text()).to.equal("secure tornado-ts");
  });

  it("refuses an untrusted certificate with 599", async () => {
    const err = (await client.fetch(peer.url("/c")).catch((e: unknown) => e)) as HTTPClientError;
    expect(err).to.be.instanceOf(HTTPClientError);
    expect(err.code).to.equal(599);
    expect(err.message).to.match(/TLS error/);
  });

  it("accepts an untrusted certificate when validateCert is false", async () => {
    const res = await client.fetch(peer.url("/d"), { validateCert: false });
    expect(res.text()).to.equal("tls /d");
  });

  it("presents clientCert and clientKey to a server that requires them", async () => {
    const res = await client.fetch(mutual.url("/"), { caCerts: server.cert, clientCert: clientPair.cert, clientKey: clientPair.key });
    expect(res.text()).to.equal("hello spec-client");
    const refused = (await client.fetch(mutual.url("/"), { caCerts: server.cert }).catch((e: unknown) => e)) as HTTPClientError;
    expect(refused.code).to.equal(599);
  });

  describe("proxies", () => {
    let proxy: Awaited<ReturnType<typeof startProxy>>;

    before(async () => {
      proxy = await startProxy();
    });

    after(() => proxy.close());

    it("sends a plain http request through proxyHost/proxyPort in absolute form", async () => {
      const res = await client.fetch(plain.url("/via"), { proxyHost: "127.0.0.1", proxyPort: proxy.port });
      expect(res.text()).to.equal("plain /via");
      expect(proxy.seen.map((s) => s.line)).to.include(`GET ${plain.url("/via")}`);
    });

    it("tunnels https through the proxy with CONNECT", async () => {
      const res = await client.fetch(peer.url("/tunnel"), { proxyHost: "127.0.0.1", proxyPort: proxy.port, caCerts: server.cert });
      expect(res.text()).to.equal("tls /tunnel");
      expect(proxy.seen.map((s) => s.line)).to.include(`CONNECT 127.0.0.1:${peer.port}`);
    });

    it("sends proxyUsername/proxyPassword as Proxy-Authorization", async () => {
      await client.fetch(plain.url("/auth"), { proxyHost: "127.0.0.1", proxyPort: proxy.port, proxyUsername: "p", proxyPassword: "q" });
      const seen = proxy.seen.find((s) => s.line.endsWith("/auth"));
      expect(seen?.auth).to.equal("Basic " + Buffer.from("p:q").toString("base64"));
    });
  });
});
