import { expect } from "chai";
import { startTestServer, type TestServer } from "../../src/testing";
import { RequestHandler } from "../../src/web/handler";

class ReadCookie extends RequestHandler {
  get(): void {
    this.write({ foo: this.getCookie("foo") ?? null });
  }
}

class SetCookie extends RequestHandler {
  get(): void {
    this.setCookie("foo", this.getArgument("value", "", false));
  }
}

describe("RequestHandler cookies over HTTP (Tornado's quoting)", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer([
      ["/read", ReadCookie],
      ["/set", SetCookie],
    ]);
  });
  after(() => server.close());

  async function readWith(cookieHeader: string): Promise<unknown> {
    const response = await server.fetch("/read", { headers: { Cookie: cookieHeader } });
    return ((await response.json()) as { foo: unknown }).foo;
  }

  it('reads foo="a\\073b" as a;b (an octal escape)', async () => {
    expect(await readWith('foo="a\\073b"')).to.equal("a;b");
  });

  it('reads foo="a\\"b" as a"b (a backslash escape)', async () => {
    expect(await readWith('foo="a\\"b"')).to.equal('a"b');
    expect(await readWith('foo="a\\\\b"')).to.equal("a\\b");
  });

  it("reads a quoted value without escapes as its inside, and an unquoted one as it is", async () => {
    expect(await readWith('foo="plain"')).to.equal("plain");
    expect(await readWith("foo=a\\073b")).to.equal("a\\073b");
  });

  for (const value of ["a;b", 'say"hi"', "back\\slash", "é,(1)", "a=b", "\\073"]) {
    it(`round-trips ${JSON.stringify(value)} through setCookie and getCookie`, async () => {
      const set = await server.fetch(`/set?value=${encodeURIComponent(value)}`);
      expect(set.status).to.equal(200);
      const header = set.headers.get("set-cookie") ?? "";
      // The value is quoted and escaped: it never contains a raw ';', so the pair ends at the first.
      const pair = header.slice(0, header.indexOf(";") < 0 ? header.length : header.indexOf(";"));
      expect(pair.startsWith("foo=")).to.equal(true);
      expect(await readWith(pair)).to.equal(value);
    });
  }
});
