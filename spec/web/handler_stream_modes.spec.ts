// @StreamRequestBody under both TypeScript decorator modes: one fixture handler compiled with
// legacy and with standard (TC39) decorators, then driven over a real connection.
import { expect } from "chai";
import * as path from "node:path";
import * as ts from "typescript";
import type { Application } from "../../src/web/application";
import { HTTPServer } from "../../src/httpserver";
import { RawClient } from "../support/rawclient";
import { DECORATOR_MODES, compile, makeFixtureDir, removeFixtureDir, writeFiles } from "../support/tsfixture";

const APP = `
import { Application, RequestHandler, Route, StreamRequestBody } from "tornado-ts";

@Route("/up")
@StreamRequestBody
export class Up extends RequestHandler {
  private events: string[] = [];
  override prepare(): void { this.events.push("prepare:" + this.request.body.length); }
  override dataReceived(chunk: Buffer): void { this.events.push("data:" + chunk.toString()); }
  put(): void { this.write({ events: this.events }); }
}

// Inherited: a subclass of a streaming handler streams too.
@Route("/sub")
export class Sub extends Up {}

export const app = new Application([Up, Sub]);
`;

type Modes = keyof typeof DECORATOR_MODES;

for (const mode of Object.keys(DECORATOR_MODES) as Modes[]) {
  describe(`@StreamRequestBody compiled with ${mode} decorators`, function () {
    this.timeout(120_000);
    let dir: string | undefined;
    let server: HTTPServer;
    let port: number;

    before(async () => {
      dir = makeFixtureDir(`stream-${mode}`);
      writeFiles(dir, { "app.ts": APP });
      const options: ts.CompilerOptions = { ...DECORATOR_MODES[mode], module: ts.ModuleKind.CommonJS, skipLibCheck: true };
      expect(compile(dir, ["app.ts"], { ...options, outDir: path.join(dir, "out") }), "the fixture type-checks").to.equal("");
      const app = (require(path.join(dir, "out", "app.js")) as { app: Application }).app;
      server = new HTTPServer(app);
      await server.listen(0, "127.0.0.1");
      port = server.address()!.port;
    });

    after(async () => {
      server?.closeAllConnections();
      await server?.stop();
      removeFixtureDir(dir);
    });

    for (const uri of ["/up", "/sub"]) {
      it(`hands the body of ${uri} to dataReceived piece by piece, then runs the verb`, async () => {
        const c = await RawClient.connect(port);
        try {
          c.send(`PUT ${uri} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n`);
          const r = await c.readResponse();
          expect(JSON.parse(r.body.toString()).events).to.deep.equal(["prepare:0", "data:ab", "data:cde"]);
        } finally {
          c.close();
        }
      });
    }
  });
}
