// initialize() and class fields: the same handlers compiled with and without
// useDefineForClassFields (true is TypeScript's default from target ES2022 on). A field's
// initializer runs after super() returns, so initialize must run after construction.
import { expect } from "chai";
import * as path from "node:path";
import * as ts from "typescript";
import { runHandler } from "../../src/testing";
import type { Application } from "../../src/web/application";
import { RequestHandler } from "../../src/web/handler";
import { DECORATOR_MODES, compile, makeFixtureDir, removeFixtureDir, writeFiles } from "../support/tsfixture";

const HANDLERS = `
import { Application, RequestHandler, Route } from "tornado-ts";

interface Store { name: string }
const defaultStore: Store = { name: "default" };

@Route("/definite")
export class Definite extends RequestHandler {
  store!: Store;
  override initialize(init?: unknown): void {
    this.store = (init as { store: Store }).store;
  }
  get(): void { this.write(this.store.name); }
}

@Route("/defaulted")
export class Defaulted extends RequestHandler {
  store: Store = defaultStore;
  calls = 0;
  override initialize(init?: unknown): void {
    this.calls++;
    const given = (init as { store?: Store } | undefined)?.store;
    if (given !== undefined) this.store = given;
  }
  get(): void { this.write(this.store.name + " " + this.calls); }
}

export function makeApp(init: unknown): Application {
  return new Application([["/definite", Definite, init], ["/defaulted", Defaulted, init]]);
}
`;

type HandlerClass = new (...args: ConstructorParameters<typeof RequestHandler>) => RequestHandler;

interface Fixture {
  Definite: HandlerClass;
  Defaulted: HandlerClass;
  makeApp(init: unknown): Application;
}

for (const useDefineForClassFields of [true, false]) {
  describe(`initialize() with useDefineForClassFields: ${useDefineForClassFields}`, function () {
    this.timeout(120_000);
    let dir: string | undefined;
    let fixture: Fixture;

    before(() => {
      dir = makeFixtureDir(`fields-${useDefineForClassFields}`);
      writeFiles(dir, { "handlers.ts": HANDLERS });
      const diagnostics = compile(dir, ["handlers.ts"], {
        ...DECORATOR_MODES.legacy, module: ts.ModuleKind.CommonJS, skipLibCheck: true, useDefineForClassFields, outDir: path.join(dir, "out"),
      });
      expect(diagnostics, "the fixture type-checks").to.equal("");
      fixture = require(path.join(dir, "out", "handlers.js")) as Fixture;
    });

    after(() => removeFixtureDir(dir));

    it("keeps what initialize assigns to a field declared `store!: Store` (runHandler)", async () => {
      const res = await runHandler(fixture.Definite, { init: { store: { name: "given" } } });
      expect([res.status, res.body]).to.deep.equal([200, "given"]);
    });

    it("keeps what initialize assigns over a field initializer (runHandler)", async () => {
      const res = await runHandler(fixture.Defaulted, { init: { store: { name: "given" } } });
      expect([res.status, res.body]).to.deep.equal([200, "given 1"]);
    });

    it("leaves the initializer's value when initialize does not replace it", async () => {
      const res = await runHandler(fixture.Defaulted, {});
      expect([res.status, res.body]).to.deep.equal([200, "default 1"]);
    });

    it("does the same for handlers the Application creates", async () => {
      const app = fixture.makeApp({ store: { name: "routed" } });
      expect((await app.inject({ uri: "/definite" })).body).to.equal("routed");
      expect((await app.inject({ uri: "/defaulted" })).body).to.equal("routed 1");
    });
  });
}
