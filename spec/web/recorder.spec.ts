import { expect } from "chai";
import { HTTPHeaders } from "../../src/httputil";
import { RecordingConnection, buildRequest, parseSetCookies, withTimeout } from "../../src/web/recorder";

describe("RecordingConnection", () => {
  const start = { version: "HTTP/1.1", code: 200, reason: "OK" };

  it("records the start line, a copy of the headers and the body chunks", async () => {
    const c = new RecordingConnection();
    const headers = new HTTPHeaders({ "X-A": "1" });
    await c.writeHeaders(start, headers, "ab");
    headers.set("X-A", "changed");
    await c.write(Buffer.from("cd"));
    c.finish();
    await c.done;
    const res = c.response();
    expect([res.status, res.reason, res.headers.get("X-A"), res.body]).to.deep.equal([200, "OK", "1", "abcd"]);
  });

  it("rejects a write before the headers", async () => {
    const err = await new RecordingConnection().write("x").catch((e: Error) => e);
    expect((err as Error).message).to.equal("write() before writeHeaders()");
  });

  it("rejects headers written twice", async () => {
    const c = new RecordingConnection();
    await c.writeHeaders(start, new HTTPHeaders());
    expect(((await c.writeHeaders(start, new HTTPHeaders()).catch((e: Error) => e)) as Error).message).to.contain("twice");
  });

  it("runs the close callback once when the client closes an open response", () => {
    const c = new RecordingConnection();
    let calls = 0;
    c.setCloseCallback(() => calls++);
    c.clientClose();
    c.clientClose();
    expect(calls).to.equal(1);
  });

  it("does not run the close callback after finish", () => {
    const c = new RecordingConnection();
    let calls = 0;
    c.setCloseCallback(() => calls++);
    c.finish();
    c.clientClose();
    expect(calls).to.equal(0);
  });

  it("throws from response() when nothing was written", () => {
    expect(() => new RecordingConnection().response()).to.throw("no response was written");
  });
});

describe("buildRequest", () => {
  it("builds method, uri, headers, cookies and a form body", () => {
    const req = buildRequest({ method: "post", uri: "/a?b=1", headers: { "X-Y": "z" }, cookies: { c: "1", d: "2" }, body: { e: ["3", "4"] } }, new RecordingConnection());
    expect([req.method, req.path, req.query, req.headers.get("X-Y")]).to.deep.equal(["POST", "/a", "b=1", "z"]);
    expect(req.cookies).to.deep.equal({ c: "1", d: "2" });
    expect(req.bodyArguments.e).to.deep.equal(["3", "4"]);
    expect(req.headers.get("Content-Length")).to.equal(String(req.body.length));
  });

  it("refuses body and json together", () => {
    expect(() => buildRequest({ body: "x", json: {} }, new RecordingConnection())).to.throw("either body or json");
  });
});

describe("parseSetCookies", () => {
  it("parses values, unquotes them and lower-cases attribute names", () => {
    const cookies = parseSetCookies(['a="x y"; Path=/; HttpOnly', "b=2; Max-Age=0; SameSite=Lax"]);
    expect(cookies).to.deep.equal({
      a: { value: "x y", attributes: { path: "/", httponly: true } },
      b: { value: "2", attributes: { "max-age": "0", samesite: "Lax" } },
    });
  });
});

describe("withTimeout", () => {
  it("resolves with the work's value in time", async () => {
    expect(await withTimeout(Promise.resolve(5), 100, () => "late")).to.equal(5);
  });

  it("rejects with the message and runs onTimeout when too slow", async () => {
    let timedOut = false;
    const err = await withTimeout(new Promise(() => undefined), 5, () => "too slow", () => (timedOut = true)).catch((e: Error) => e);
    expect([(err as Error).message, timedOut]).to.deep.equal(["too slow", true]);
  });
});
