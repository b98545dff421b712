/**
 * Compiles small TypeScript programs the way a user's project would: in a temp folder whose
 * node_modules/tornado-ts links to this package (its built dist/ and package.json), with the
 * compiler options under test. Specs then require the output and exercise it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as ts from "typescript";

/** The package root (this file runs from dist/spec/support). */
export const PACKAGE_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Options every fixture shares: strict, Node's types, and where to find them. */
export const BASE_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  types: ["node"],
  typeRoots: [path.join(PACKAGE_ROOT, "node_modules", "@types")],
  skipLibCheck: false,
  noEmitOnError: true,
};

/** A temp folder with node_modules/tornado-ts → this package. Remove it with `removeFixtureDir`. */
export function makeFixtureDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tornado-ts-${prefix}-`));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(PACKAGE_ROOT, path.join(dir, "node_modules", "tornado-ts"), "dir");
  return dir;
}

export function removeFixtureDir(dir: string | undefined): void {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (relative names) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
}

/**
 * Type-checks and emits `roots` (relative to `dir`) with `options` on top of BASE_OPTIONS.
 * Returns the diagnostics as formatted text ("" when there are none).
 */
export function compile(dir: string, roots: readonly string[], options: ts.CompilerOptions): string {
  const merged = { ...BASE_OPTIONS, ...options };
  const program = ts.createProgram({ rootNames: roots.map((r) => path.join(dir, r)), options: merged, host: cachingHost(merged) });
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => dir,
    getNewLine: () => "\n",
  });
}

// Parsed declaration files (lib, @types/node, this package's dist) are the same for every fixture
// compiled in this process: parse each once. Sources under test are always read afresh.
const parsed = new Map<string, ts.SourceFile>();

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    if (!fileName.endsWith(".d.ts")) return read(fileName, languageVersion, onError, shouldCreate);
    const key = `${fileName}\0${JSON.stringify(languageVersion)}`;
    let file = parsed.get(key);
    if (file === undefined) {
      file = read(fileName, languageVersion, onError, shouldCreate);
      if (file !== undefined) parsed.set(key, file);
    }
    return file;
  };
  return host;
}

/** Transpiles one file without type-checking (for sources the type checker rightly refuses). */
export function transpile(dir: string, source: string, outName: string, options: ts.CompilerOptions): string {
  const out = ts.transpileModule(source, { compilerOptions: { ...BASE_OPTIONS, module: ts.ModuleKind.CommonJS, ...options } });
  const file = path.join(dir, outName);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, out.outputText);
  return file;
}

/** The two decorator modes a user's tsconfig can pick. */
export const DECORATOR_MODES: Record<"legacy" | "standard", ts.CompilerOptions> = {
  legacy: { experimentalDecorators: true, emitDecoratorMetadata: true },
  standard: {},
};
