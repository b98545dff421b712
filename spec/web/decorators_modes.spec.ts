// The decorators in both TypeScript modes: one fixture application, compiled by the project's
// TypeScript once with legacy decorators (experimentalDecorators + emitDecoratorMetadata) and once
// with standard (TC39) decorators, then driven over the in-memory request path.
import { expect } from "chai";
import * as path from "node:path";
import * as ts from "typescript";
import type { Application } from "../../src/web/application";
import { DECORATOR_MODES, compile, makeFixtureDir, removeFixtureDir, transpile, writeFiles } from "../support/tsfixture";

const APP = `
import {
  AddSlash, Application, Asynchronous, Authenticated, PathArgs, RequestHandler, Route, UIModule, UiModule, XsrfExempt,
} from "tornado-ts";

class Base extends RequestHandler {
  override getCurrentUser(): string | null {
    return this.request.headers.get("X-User") ?? null;
  }
}

@Route("/method")
export class MethodGuarded extends Base {
  @Authenticated
  get(): void { this.write("method secret"); }
  @Authenticated
  post(): void { this.write("method posted"); }
  put(): void { this.write("open put"); }
}

@Authenticated
@Route("/class")
export class ClassGuarded extends Base {
  get(): void { this.write("class secret"); }
  post(): void { this.write("class posted"); }
}

@Route("/inherits")
export class InheritsGuard extends ClassGuarded {
  override get(): void { this.write("inherited secret"); }
}

@Route("/convert/([^/]+)/([^/]+)/([^/]+)")
export class Converted extends Base {
  @PathArgs(Number, String, (raw: string) => { if (raw === "bad") throw new Error("no"); return raw.toUpperCase(); })
  get(n: number, s: string, u: string): void { this.write({ n, type: typeof n, s, u }); }
}

@Route("/slow")
export class Slow extends Base {
  @Asynchronous
  get(): void { setTimeout(() => this.finish("late"), 5); }
}

@Route("/form")
export class Form extends Base {
  post(): void { this.write("form"); }
  @XsrfExempt
  put(): void { this.write("exempt put"); }
}

@XsrfExempt
@Route("/api")
export class Api extends Base {
  post(): void { this.write("api"); }
}

@AddSlash
@Route("/dir/?")
export class Dir extends Base {
  get(): void { this.write("dir"); }
}

@UiModule("Hello")
export class HelloModule extends UIModule {
  override render(): string { return "hi"; }
}

export const app = new Application(
  [MethodGuarded, ClassGuarded, InheritsGuard, Converted, Slow, Form, Api, Dir, HelloModule],
  { loginUrl: "/login", xsrfCookies: true, cookieSecret: "secret" },
);
`;

// Only legacy mode records parameter types, so only there may @PathArgs stand bare.
const LEGACY_ONLY = `
import { Application, Authenticated, PathArgs, RequestHandler, Route } from "tornado-ts";

@Route("/bare/([^/]+)")
export class Bare extends RequestHandler {
  @PathArgs
  get(n: number): void { this.write({ n, type: typeof n }); }
}

@Route("/implicit/([^/]+)")
export class Implicit extends RequestHandler {
  override getCurrentUser(): string { return "ann"; }
  @Authenticated
  get(n: number): void { this.write({ n, type: typeof n }); }
}

export const app = new Application([Bare, Implicit]);
`;

const BARE_PATH_ARGS = `
import { PathArgs, RequestHandler } from "tornado-ts";
export class Bare extends RequestHandler {
  @PathArgs
  get(n: number): void { this.write(String(n)); }
}
`;

// Misuses the type checker refuses too; transpiled without it, they must still fail loudly.
const MISUSES: Record<string, { source: string; message: RegExp }> = {
  "on a field": {
    source: `import { Authenticated, RequestHandler } from "tornado-ts";
      export class H extends RequestHandler { @Authenticated secret = 1; }`,
    message: /@Authenticated cannot decorate the (field|property or accessor) secret/,
  },
  "on a static method": {
    source: `import { Authenticated, RequestHandler } from "tornado-ts";
      export class H extends RequestHandler { @Authenticated static get(): void {} }`,
    message: /@Authenticated cannot decorate the static (method|member) get/,
  },
  "on a class when it is a method decorator": {
    source: `import { Asynchronous, RequestHandler } from "tornado-ts";
      @Asynchronous export class H extends RequestHandler {}`,
    message: /@Asynchronous cannot decorate the class H: it belongs on an instance verb method/,
  },
  "with parentheses it does not take": {
    source: `import { Authenticated, RequestHandler } from "tornado-ts";
      export class H extends RequestHandler { @Authenticated() get(): void {} }`,
    message: /write it without parentheses \(@Authenticated, not @Authenticated\(\)\)/,
  },
  "with Boolean as a converter": {
    source: `import { PathArgs, RequestHandler } from "tornado-ts";
      export class H extends RequestHandler { @PathArgs(Boolean) get(): void {} }`,
    message: /converter 1 cannot be Boolean/,
  },
};

type Modes = keyof typeof DECORATOR_MODES;

for (const mode of Object.keys(DECORATOR_MODES) as Modes[]) {
  describe(`decorators compiled with ${mode} decorators`, function () {
    // Compiling with the full type checker takes seconds on a busy machine.
    this.timeout(120_000);
    let dir: string | undefined;
    let app: Application;
    // skipLibCheck: the package's own .d.ts are checked by the install spec; here only the app matters.
    const options: ts.CompilerOptions = { ...DECORATOR_MODES[mode], module: ts.ModuleKind.CommonJS, skipLibCheck: true };

    before(() => {
      dir = makeFixtureDir(`decorators-${mode}`);
      writeFiles(dir, { "app.ts": APP, "legacy.ts": LEGACY_ONLY, "bare.ts": BARE_PATH_ARGS });
      const diagnostics = compile(dir, mode === "legacy" ? ["app.ts", "legacy.ts", "bare.ts"] : ["app.ts", "bare.ts"], {
        ...options, outDir: path.join(dir, "out"),
      });
      expect(diagnostics, "the fixture type-checks").to.equal("");
      app = (require(path.join(dir, "out", "app.js")) as { app: Application }).app;
    });

    after(() => removeFixtureDir(dir));

    const anonymous = (method: string, uri: string) => app.inject({ method, uri });
    const as = (user: string, method: string, uri: string) => app.inject({ method, uri, headers: { "X-User": user } });

    describe("@Authenticated on a method", () => {
      it("redirects an anonymous GET to the login page with ?next=", async () => {
        const res = await anonymous("GET", "/method");
        expect(res.status).to.equal(302);
        expect(res.headers.get("Location")).to.equal("/login?next=%2Fmethod");
      });

      it("answers an anonymous POST with 403", async () => {
        expect((await xsrfPost(app, "/method")).status).to.equal(403);
        const loggedIn = await xsrfPost(app, "/method", "ann");
        expect([loggedIn.status, loggedIn.body], "control: the same POST, logged in").to.deep.equal([200, "method posted"]);
      });

      it("lets a logged-in user through", async () => {
        const res = await as("ann", "GET", "/method");
        expect([res.status, res.body]).to.deep.equal([200, "method secret"]);
      });

      it("leaves the undecorated verbs open", async () => {
        const res = await app.inject({ method: "PUT", uri: "/form", body: "" });
        expect([res.status, res.body]).to.deep.equal([200, "exempt put"]);
      });
    });

    describe("@Authenticated on a class", () => {
      it("redirects an anonymous GET to the login page", async () => {
        const res = await anonymous("GET", "/class");
        expect(res.status).to.equal(302);
        expect(res.headers.get("Location")).to.equal("/login?next=%2Fclass");
      });

      it("answers an anonymous POST with 403", async () => {
        expect((await xsrfPost(app, "/class")).status).to.equal(403);
        const loggedIn = await xsrfPost(app, "/class", "ann");
        expect([loggedIn.status, loggedIn.body], "control: the same POST, logged in").to.deep.equal([200, "class posted"]);
      });

      it("covers the verbs of a subclass", async () => {
        expect((await anonymous("GET", "/inherits")).status).to.equal(302);
        expect((await as("ann", "GET", "/inherits")).body).to.equal("inherited secret");
      });

      it("lets a logged-in user through", async () => {
        expect((await as("ann", "GET", "/class")).body).to.equal("class secret");
      });
    });

    describe("@PathArgs(converters)", () => {
      it("converts each positional argument with its converter", async () => {
        const res = await app.inject({ uri: "/convert/42/abc/xyz" });
        expect(JSON.parse(res.body)).to.deep.equal({ n: 42, type: "number", s: "abc", u: "XYZ" });
      });

      it("answers 404 when Number cannot convert", async () => {
        expect((await app.inject({ uri: "/convert/x42/abc/xyz" })).status).to.equal(404);
      });

      it("answers 404 when a converter throws", async () => {
        expect((await app.inject({ uri: "/convert/1/abc/bad" })).status).to.equal(404);
      });
    });

    it("@Asynchronous keeps the request open until finish()", async () => {
      const res = await app.inject({ uri: "/slow" });
      expect([res.status, res.body]).to.deep.equal([200, "late"]);
    });

    it("@XsrfExempt on a class skips the XSRF check, and the others keep it", async () => {
      expect((await app.inject({ method: "POST", uri: "/api", body: "" })).status).to.equal(200);
      expect((await app.inject({ method: "POST", uri: "/form", body: "" })).status).to.equal(403);
    });

    it("@AddSlash redirects to the path with a slash", async () => {
      const res = await app.inject({ uri: "/dir" });
      expect([res.status, res.headers.get("Location")]).to.deep.equal([301, "/dir/"]);
    });

    it("@UiModule registers the module under its name", () => {
      expect(Object.keys(app.uiModules)).to.include("Hello");
    });

    if (mode === "legacy") {
      it("bare @PathArgs converts by the declared parameter types", async () => {
        const legacy = (require(path.join(dir!, "out", "legacy.js")) as { app: Application }).app;
        expect(JSON.parse((await legacy.inject({ uri: "/bare/7" })).body)).to.deep.equal({ n: 7, type: "number" });
        expect((await legacy.inject({ uri: "/bare/seven" })).status).to.equal(404);
      });

      it("any decorator on a verb converts its number parameters (the types are recorded)", async () => {
        const legacy = (require(path.join(dir!, "out", "legacy.js")) as { app: Application }).app;
        expect(JSON.parse((await legacy.inject({ uri: "/implicit/8" })).body)).to.deep.equal({ n: 8, type: "number" });
      });
    } else {
      it("bare @PathArgs throws when the class is defined, naming the converter form", () => {
        expect(() => require(path.join(dir!, "out", "bare.js"))).to.throw(TypeError, "@PathArgs(Number, String)");
      });
    }

    describe("when a decorator is misused, the class definition throws", () => {
      for (const [what, { source, message }] of Object.entries(MISUSES)) {
        it(what, () => {
          const file = transpile(dir!, source, `misuse/${what.replace(/\W+/g, "_")}.js`, DECORATOR_MODES[mode]);
          expect(() => require(file)).to.throw(TypeError, message);
        });
      }
    });
  });
}

/** A POST that passes the XSRF check (a matching cookie and field), so what answers is the login check. */
async function xsrfPost(app: Application, uri: string, user?: string) {
  const token = "0123456789abcdef";
  const headers: Record<string, string> = user === undefined ? {} : { "X-User": user };
  return app.inject({ method: "POST", uri, headers, cookies: { _xsrf: token }, body: { _xsrf: token } });
}
