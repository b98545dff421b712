// The package as a user installs it: every `exports` subpath type-checks from a consumer under
// each moduleResolution TypeScript offers, the compiled consumer runs from CommonJS and from ESM,
// and `npm pack` ships the built entry points.
import { expect } from "chai";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as ts from "typescript";
import { PACKAGE_ROOT, compile, makeFixtureDir, removeFixtureDir, writeFiles } from "./support/tsfixture";

const run = promisify(execFile);

interface PackageJson {
  exports: Record<string, string | { types: string; default: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
  scripts: Record<string, string>;
  files: string[];
}

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as PackageJson;
/** "tornado-ts", "tornado-ts/web", … — every subpath with types. */
const SPECIFIERS = Object.entries(pkg.exports)
  .filter(([, target]) => typeof target === "object")
  .map(([key]) => (key === "." ? "tornado-ts" : `tornado-ts/${key.slice(2)}`));

/** Imports every subpath, plus a few names used in value and type positions. */
function consumer(): string {
  const lines = SPECIFIERS.map((specifier, i) => `import * as m${i} from "${specifier}";`);
  return `${lines.join("\n")}
import { Application, RequestHandler, Route } from "tornado-ts";
import { runHandler, type HandlerResult } from "tornado-ts/testing";

@Route("/")
class Hello extends RequestHandler {
  get(): void { this.write("hello"); }
}

export const app = new Application([Hello]);
const modules: object[] = [${SPECIFIERS.map((_, i) => `m${i}`).join(", ")}];
const named = modules.filter((m) => Object.keys(m).some((k) => k !== "default" && k !== "__esModule")).length;
void runHandler(Hello).then((res: HandlerResult) => console.log(JSON.stringify({ named, body: res.body })));
`;
}

// The package's own .d.ts are checked in full once (under the default, node10); the other modes
// check how the consumer's imports resolve, which skipLibCheck leaves on, at a fraction of the time.
const MATRIX: { name: string; roots: string[]; options: ts.CompilerOptions }[] = [
  {
    name: "module commonjs (node10 resolution)", roots: ["consumer.ts"],
    options: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: false },
  },
  {
    name: "module node16", roots: ["consumer.ts", "consumer.mts"],
    options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, skipLibCheck: true },
  },
  {
    name: "module nodenext", roots: ["consumer.ts", "consumer.mts"],
    options: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: true },
  },
  {
    name: "moduleResolution bundler", roots: ["consumer.ts"],
    options: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true },
  },
];

const outDirOf = (options: ts.CompilerOptions): string => `out-${options.module}-${options.moduleResolution}`;

describe("the installed package", function () {
  this.timeout(180_000);
  let dir: string | undefined;

  before(() => {
    dir = makeFixtureDir("consumer");
    const source = consumer();
    writeFiles(dir, { "consumer.ts": source, "consumer.mts": source, "package.json": '{ "private": true }\n' });
  });

  after(() => removeFixtureDir(dir));

  it("maps every exports subpath in typesVersions, to the same declaration file", () => {
    const mapped = pkg.typesVersions?.["*"] ?? {};
    for (const [key, target] of Object.entries(pkg.exports)) {
      if (key === "." || typeof target !== "object") continue;
      expect(mapped[key.slice(2)], `typesVersions entry for ${key}`).to.deep.equal([target.types.replace(/^\.\//, "")]);
    }
  });

  for (const { name, roots, options } of MATRIX) {
    it(`type-checks a consumer of every subpath under ${name}`, () => {
      const outDir = path.join(dir!, outDirOf(options));
      // Legacy decorators: the consumer's @Route must compile; the import resolution is what varies.
      const diagnostics = compile(dir!, roots, { ...options, experimentalDecorators: true, emitDecoratorMetadata: true, outDir });
      expect(diagnostics).to.equal("");
    });
  }

  it("runs the compiled consumer as CommonJS and as ESM (named imports of the CommonJS build)", async () => {
    const nodenext = MATRIX.find((m) => m.name === "module nodenext")!;
    const outDir = path.join(dir!, outDirOf(nodenext.options));
    if (!existsSync(path.join(outDir, "consumer.mjs"))) {
      expect(compile(dir!, nodenext.roots, { ...nodenext.options, experimentalDecorators: true, outDir })).to.equal("");
    }
    const expected = { named: SPECIFIERS.length, body: "hello" };
    for (const file of ["consumer.js", "consumer.mjs"]) {
      const { stdout } = await run(process.execPath, [path.join(outDir, file)], { cwd: dir });
      expect(JSON.parse(stdout.trim().split("\n").pop()!), file).to.deep.equal(expected);
    }
  });

  it("builds dist/src on install from git and on npm pack (a prepare script)", () => {
    expect(pkg.scripts.prepare).to.match(/\btsc -p tsconfig\.build\.json\b/);
    const build = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "tsconfig.build.json"), "utf8")) as { include: string[] };
    expect(build.include).to.deep.equal(["src/**/*.ts"]);
    expect(pkg.files).to.include("dist/src");
  });

  it("packs the built entry points of every subpath and no specs", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: PACKAGE_ROOT });
    const files = new Set((JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
    for (const target of Object.values(pkg.exports)) {
      if (typeof target !== "object") continue;
      expect(files, target.default).to.include(target.default.replace(/^\.\//, ""));
      expect(files, target.types).to.include(target.types.replace(/^\.\//, ""));
    }
    expect([...files].filter((f) => f.includes("spec/"))).to.deep.equal([]);
  });
});
