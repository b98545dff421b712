import { expect } from "chai";
import { AsyncHTTPClient, HTTPClientError } from "../../src/httpclient";
import { RequestHandler } from "../../src/web";
import { startTestServer, type TestServer } from "../../src/testing";
import { readBody, startPeer, type PeerServer } from "../support/httpservers";

interface Echo {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

class MovedHandler extends RequestHandler {
  get(): void {
    this.redirect("/landing");
  }
}

class LandingHandler extends RequestHandler {
  get(): void {
    this.write("landed");
  }
}

describe("AsyncHTTPClient redirects", () => {
  let peer: PeerServer;
  let other: PeerServer;
  let tornado: TestServer;
  let client: AsyncHTTPClient;
  let loopHits = 0;

  const echo = (name: string) => async (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse): Promise<void> => {
    const url = new URL(req.url!, "http://x");
    const body = (await readBody(req)).toString();
    const m = /^\/redirect\/(\d+)$/.exec(url.pathname);
    if (m) {
      res.statusCode = Number(m[1]);
      res.setHeader("Location", url.searchParams.get("to")!);
      res.end("redirect body");
      return;
    }
    if (url.pathname === "/loop") {
      loopHits++;
      res.statusCode = 302;
      res.setHeader("Location", "/loop");
      res.end("round and round");
      return;
    }
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ server: name, method: req.method, path: req.url, headers: req.headers, body }));
  };

  before(async () => {
    peer = await startPeer(echo("peer"));
    other = await startPeer(echo("other"));
    tornado = await startTestServer([["/moved", MovedHandler], ["/landing", LandingHandler]]);
    client = new AsyncHTTPClient({ forceInstance: true });
  });

  after(async () => {
    await client.close();
    await peer.close();
    await other.close();
    await tornado.close();
  });

  const via = (code: number, to: string): string => peer.url(`/redirect/${code}?to=${encodeURIComponent(to)}`);

  it("follows a tornado-ts handler's redirect and reports the effective URL", async () => {
    const res = await client.fetch(tornado.url("/moved"));
    expect(res.text()).to.equal("landed");
    expect(res.effectiveUrl).to.equal(tornado.url("/landing"));
  });

  it("turns a 303 after POST into a GET without body or body headers", async () => {
    const res = await client.fetch(via(303, "/echo"), { method: "POST", body: "a=1", headers: { "Content-Type": "text/plain" } });
    const e = res.json<Echo>();
    expect([e.method, e.body, e.headers["content-type"], e.headers["content-length"]]).to.deep.equal(["GET", "", undefined, undefined]);
  });

  it("turns a 303 after PUT into a GET as well", async () => {
    const res = await client.fetch(via(303, "/echo"), { method: "PUT", body: "a=1" });
    expect(res.json<Echo>().method).to.equal("GET");
  });

  for (const code of [301, 302]) {
    it(`turns a ${code} after POST into a GET without body`, async () => {
      const e = (await client.fetch(via(code, "/echo"), { method: "POST", body: "a=1" })).json<Echo>();
      expect([e.method, e.body]).to.deep.equal(["GET", ""]);
    });

    it(`keeps the method and body of a PUT through a ${code}`, async () => {
      const e = (await client.fetch(via(code, "/echo"), { method: "PUT", body: "a=1" })).json<Echo>();
      expect([e.method, e.body]).to.deep.equal(["PUT", "a=1"]);
    });
  }

  for (const code of [307, 308]) {
    it(`keeps POST and its body through a ${code}`, async () => {
      const e = (await client.fetch(via(code, "/echo"), { method: "POST", body: "a=1" })).json<Echo>();
      expect([e.method, e.body]).to.deep.equal(["POST", "a=1"]);
    });
  }

  it("keeps a HEAD a HEAD through a 303", async () => {
    const res = await client.fetch(via(303, "/echo"), { method: "HEAD" });
    expect(res.code).to.equal(200);
    expect(res.body.length).to.equal(0);
  });

  it("keeps Authorization and Cookie on a same-origin redirect", async () => {
    const e = (await client.fetch(via(302, "/echo"), { headers: { Authorization: "Bearer t", Cookie: "a=b" } })).json<Echo>();
    expect([e.headers.authorization, e.headers.cookie]).to.deep.equal(["Bearer t", "a=b"]);
  });

  it("drops Authorization, Cookie and basic auth on a redirect to another origin", async () => {
    const res = await client.fetch(via(302, other.url("/echo")), {
      headers: { Cookie: "a=b", "X-Kept": "1" }, authUsername: "ben", authPassword: "pw",
    });
    const e = res.json<Echo & { server: string }>();
    expect(e.server).to.equal("other");
    expect([e.headers.authorization, e.headers.cookie, e.headers["x-kept"]]).to.deep.equal([undefined, undefined, "1"]);
    expect(res.effectiveUrl).to.equal(other.url("/echo"));
  });

  it("stops a redirect loop at maxRedirects and rejects with the last 3xx response", async () => {
    loopHits = 0;
    const err = (await client.fetch(peer.url("/loop"), { maxRedirects: 3 }).catch((e: unknown) => e)) as HTTPClientError;
    expect(err).to.be.instanceOf(HTTPClientError);
    expect(err.code).to.equal(302);
    expect(err.response?.text()).to.equal("round and round");
    expect(loopHits).to.equal(4);
  });

  it("resolves with the last 3xx response of a loop when raiseError is false", async () => {
    const res = await client.fetch(peer.url("/loop"), { maxRedirects: 2, raiseError: false });
    expect(res.code).to.equal(302);
    expect(res.headers.get("location")).to.equal("/loop");
  });

  it("returns the redirect itself when followRedirects is false", async () => {
    const res = await client.fetch(via(302, "/echo"), { followRedirects: false, raiseError: false });
    expect(res.code).to.equal(302);
    expect(res.text()).to.equal("redirect body");
    expect(res.effectiveUrl).to.equal(via(302, "/echo"));
  });

  it("refuses a redirect to a scheme it cannot fetch", async () => {
    const err = (await client.fetch(via(302, "ftp://127.0.0.1/x")).catch((e: unknown) => e)) as HTTPClientError;
    expect(err.code).to.equal(599);
    expect(err.message).to.match(/unsupported scheme: ftp:/);
  });
});
