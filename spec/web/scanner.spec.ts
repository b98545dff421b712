import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { Authenticated, Route, UiModule } from "../../src/web/decorators";
import { urlSpec, UrlTable, type HandlerClass } from "../../src/web/routing";
import { discover, scan } from "../../src/web/scanner";

const FIXTURES = path.join(__dirname, "..", "fixtures", "discover");

@Route("/")
class MainHandler {
  get(): void {}
}

@Route("/story/([0-9]+)", { name: "story", init: { db: "x" } })
@Route("/s/([0-9]+)", { priority: 2, host: "short\\.example" })
class StoryHandler {
  get(): void {}
}

@Route("/x")
class FooHandler {}

@Route("/x")
class BarHandler {}

@UiModule()
class Entry {}

@UiModule("Entry")
class OtherEntry {}

class Undecorated {}

class InheritsRoutes extends MainHandler {}

const asHandler = (cls: unknown): HandlerClass => cls as HandlerClass;

describe("scan", () => {
  describe("when given decorated classes", () => {
    it("makes one spec per @Route, in the order written, with its options", () => {
      const { specs } = scan([StoryHandler]);
      expect(specs.map((s) => s.pattern)).to.deep.equal(["/story/([0-9]+)$", "/s/([0-9]+)$"]);
      expect(specs[0]).to.include({ name: "story", priority: 0, handlerClass: StoryHandler });
      expect(specs[0].init).to.deep.equal({ db: "x" });
      expect(specs[1]).to.include({ priority: 2, host: "short\\.example" });
    });

    it("keeps the order classes were given in", () => {
      const { specs } = scan([StoryHandler, MainHandler]);
      expect(specs.map((s) => s.handlerClass)).to.deep.equal([StoryHandler, StoryHandler, MainHandler]);
    });

    it("counts a class passed twice once", () => {
      expect(scan([MainHandler, MainHandler]).specs).to.have.length(1);
    });
  });

  describe("when given seed tuples", () => {
    it("reads [pattern, Handler, init?, name?]", () => {
      const { specs } = scan([["/t/(.*)", asHandler(Undecorated), { a: 1 }, "t"], ["/plain", asHandler(Undecorated)]]);
      expect(specs[0]).to.include({ pattern: "/t/(.*)$", name: "t", handlerClass: Undecorated });
      expect(specs[0].init).to.deep.equal({ a: 1 });
      expect(specs[1].literal).to.equal("/plain");
    });

    it("rejects a tuple whose name is not a string", () => {
      expect(() => scan([["/t", asHandler(Undecorated), undefined, 5]])).to.throw(TypeError, "must be a string");
    });

    it("rejects a tuple without a pattern", () => {
      expect(() => scan([[asHandler(Undecorated), "/t"]])).to.throw(TypeError, "string or RegExp pattern");
    });
  });

  describe("when given urlSpec objects", () => {
    it("passes them through", () => {
      const spec = urlSpec("/u", asHandler(Undecorated));
      expect(scan([spec]).specs).to.deep.equal([spec]);
    });
  });

  describe("when given @UiModule classes", () => {
    it("collects them by name, defaulting to the class name", () => {
      expect(scan([Entry, MainHandler]).uiModules).to.deep.equal({ Entry });
    });

    it("rejects two modules of the same name, naming both", () => {
      expect(() => scan([Entry, OtherEntry])).to.throw('UI module "Entry" declared twice: Entry and OtherEntry');
    });
  });

  describe("when a class has neither @Route nor @UiModule", () => {
    it("throws saying to add @Route", () => {
      expect(() => scan([Undecorated])).to.throw('Undecorated has no @Route: add @Route("/path") to it');
    });

    it("explains that routes are not inherited", () => {
      expect(() => scan([InheritsRoutes])).to.throw("routes are not inherited from MainHandler");
    });
  });

  describe("when a method decorator sits on a method that is not a verb", () => {
    it("throws naming the method and the decorator", () => {
      @Route("/helper")
      class Helper {
        get(): void {}
        @Authenticated
        loadSecrets(): void {}
      }
      expect(() => scan([Helper])).to.throw(Error, /Helper\.loadSecrets\(\) has @Authenticated, but only verb methods/);
      expect(() => scan([["/h", Helper]])).to.throw(Error, "move the decorator to the verb, or put it on the class");
    });

    it("accepts a verb the class adds to SUPPORTED_METHODS", () => {
      @Route("/dav")
      class Dav {
        static SUPPORTED_METHODS = ["GET", "PROPFIND"];
        @Authenticated
        propfind(): void {}
      }
      expect(scan([Dav]).specs).to.have.length(1);
    });
  });

  describe("when two routes claim the same literal path", () => {
    it("throws naming both classes", () => {
      expect(() => scan([FooHandler, BarHandler])).to.throw('route "/x" declared twice: FooHandler and BarHandler');
    });

    it("also catches a tuple spelling the path differently", () => {
      expect(() => scan([FooHandler, ["^/x$", asHandler(BarHandler)]])).to.throw(
        'route "/x" declared twice: FooHandler and BarHandler',
      );
    });

    it("allows it on different hosts", () => {
      const other = urlSpec("/x", asHandler(BarHandler), undefined, undefined, { host: "b\\.com" });
      expect(scan([FooHandler, other]).specs).to.have.length(2);
    });
  });

  describe("when two routes have the same regex pattern", () => {
    it("throws naming both classes", () => {
      expect(() => scan([["/r/(.*)", asHandler(FooHandler)], ["/r/(.*)", asHandler(BarHandler)]])).to.throw(
        'route "/r/(.*)$" declared twice: FooHandler and BarHandler',
      );
    });
  });

  describe("when two routes have the same name", () => {
    it("throws naming both classes, even across hosts", () => {
      const a = urlSpec("/a", asHandler(FooHandler), undefined, "n", { host: "a\\.com" });
      const b = urlSpec("/b", asHandler(BarHandler), undefined, "n");
      expect(() => scan([a, b])).to.throw('route name "n" declared twice: FooHandler and BarHandler');
    });
  });

  describe("when an item is not routable", () => {
    it("throws a TypeError describing what is accepted", () => {
      expect(() => scan([42])).to.throw(TypeError, "expected a class decorated with @Route or @UiModule");
    });
  });

  it("produces specs a UrlTable matches literal-first", () => {
    const table = new UrlTable(scan([["/(.*)", asHandler(FooHandler)], MainHandler]).specs);
    expect(table.match("/")?.spec.handlerClass).to.equal(MainHandler);
  });
});

describe("discover", () => {
  describe("with the fixture folder", () => {
    it("returns the exported decorated classes: files by path, classes in export order, each once", async () => {
      const names = (await discover(FIXTURES)).map((c) => c.name);
      expect(names).to.deep.equal(["StoryHandler", "MainHandler", "EntryModule", "AdminHandler"]);
    });

    it("feeds scan", async () => {
      const { specs, uiModules } = scan(await discover(FIXTURES));
      expect(specs.map((s) => s.name)).to.deep.equal(["story", undefined, "admin"]);
      expect(Object.keys(uiModules)).to.deep.equal(["Entry"]);
    });
  });

  describe("with generated modules", () => {
    let dir: string;
    const decorators = JSON.stringify(path.resolve(__dirname, "../../src/web/decorators.js"));
    const moduleWith = (cls: string, route: string): string =>
      `const { Route } = require(${decorators});\nclass ${cls} {}\nRoute(${JSON.stringify(route)})(${cls});\nexports.${cls} = ${cls};\n`;

    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), "tornado-ts-discover-"));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("sorts files by their path, descending into folders", async () => {
      mkdirSync(path.join(dir, "b"));
      writeFileSync(path.join(dir, "c.js"), moduleWith("C", "/c"));
      writeFileSync(path.join(dir, "b", "z.js"), moduleWith("Bz", "/bz"));
      writeFileSync(path.join(dir, "a.js"), moduleWith("A", "/a"));
      expect((await discover(dir)).map((c) => c.name)).to.deep.equal(["A", "Bz", "C"]);
    });

    it("ignores files that are not .js modules", async () => {
      writeFileSync(path.join(dir, "a.js"), moduleWith("A", "/a"));
      writeFileSync(path.join(dir, "a.d.ts"), "export declare class A {}\n");
      writeFileSync(path.join(dir, "a.js.map"), "{ not json");
      writeFileSync(path.join(dir, "notes.txt"), "throw");
      expect((await discover(dir)).map((c) => c.name)).to.deep.equal(["A"]);
    });

    it("names the file and the cause when a module fails to import", async () => {
      const file = path.join(dir, "boom.js");
      writeFileSync(file, 'throw new Error("kaboom");\n');
      const err = await discover(dir).then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(Error);
      expect(err?.message).to.contain(file).and.to.contain("kaboom");
    });

    it("imports ES modules too", async () => {
      writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }');
      const url = JSON.stringify(pathToFileURL(path.resolve(__dirname, "../../src/web/decorators.js")).href);
      writeFileSync(path.join(dir, "esm.js"), `import { Route } from ${url};\nexport class E {}\nRoute("/e")(E);\n`);
      expect((await discover(dir)).map((c) => c.name)).to.deep.equal(["E"]);
    });

    it("returns an empty list for an empty folder", async () => {
      expect(await discover(dir)).to.deep.equal([]);
    });
  });

  describe("when the folder does not exist", () => {
    it("throws naming it", async () => {
      const missing = path.join(tmpdir(), "tornado-ts-no-such-folder-4711");
      const err = await discover(missing).then(() => null, (e: Error) => e);
      expect(err?.message).to.contain("cannot read the folder").and.to.contain(missing);
    });
  });

  describe("when the path is a file", () => {
    it("throws saying it is not a folder", async () => {
      const err = await discover(__filename).then(() => null, (e: Error) => e);
      expect(err?.message).to.contain("is not a folder");
    });
  });
});
