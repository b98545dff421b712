#!/usr/bin/env node
// Fails (exit 1) when the relative imports of the given folders form a cycle, so a lower layer can
// never come to depend on a higher one. Run by `npm run lint`.
//
//   node scripts/check_cycles.mjs src examples bench
//
// What counts as an edge: every relative `import`/`export … from`/`import x = require()` that can
// load a value at runtime, and every `require("./x")` or `import("./x")` anywhere in a file (a lazy
// require is still a runtime dependency, it only hides the cycle from the module loader). What does
// not: `import type`, `export type`, `typeof import("./x")`, and imports whose every name is marked
// `type` — TypeScript erases those. An import that is only used as a type but not marked `type`
// counts: with emitDecoratorMetadata such a name can become a runtime reference, so the checker
// asks for the explicit marker instead of guessing.
//
// Chosen over eslint-plugin-import-x's no-cycle: this needs no resolver plugin, uses the TypeScript
// parser already installed, sees lazy require() calls, and walks the graph once (no-cycle re-walks it
// per file, which is slow on a shared machine).
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts"];

/** Every TypeScript source under the roots (declaration files and build output excluded). */
export function listSources(roots) {
  const files = [];
  const visit = (entry) => {
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      const base = path.basename(entry);
      if (base === "node_modules" || base === "dist" || base.startsWith(".")) return;
      for (const name of fs.readdirSync(entry).sort()) visit(path.join(entry, name));
    } else if (EXTENSIONS.some((ext) => entry.endsWith(ext)) && !/\.d\.[cm]?ts$/.test(entry)) {
      files.push(path.resolve(entry));
    }
  };
  for (const root of roots) visit(root);
  return files;
}

function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith("./") && !specifier.startsWith("../") && specifier !== "." && specifier !== "..") {
    return undefined;
  }
  const base = path.resolve(path.dirname(fromFile), specifier.replace(/\.[cm]?js$/, ""));
  const candidates = [base, ...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.map((ext) => path.join(base, "index" + ext))];
  return candidates.find((file) => EXTENSIONS.some((ext) => file.endsWith(ext)) && fs.existsSync(file) && fs.statSync(file).isFile());
}

function isTypeOnlyImport(node) {
  const clause = node.importClause;
  if (!clause) return false; // import "./x": runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function isTypeOnlyExport(node) {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** The runtime (value) imports of one file: [{ target, line, text }]. */
export function valueImports(file) {
  const text = fs.readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges = [];
  const add = (node, specifier) => {
    const target = resolveRelative(file, specifier);
    if (!target) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    edges.push({ target, line, text: node.getText(source).split("\n")[0].trim() });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnlyImport(node)) add(node, node.moduleSpecifier.text);
      return;
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!isTypeOnlyExport(node)) add(node, node.moduleSpecifier.text);
      return;
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (!node.isTypeOnly && ts.isStringLiteral(expr)) add(node, expr.text);
      return;
    }
    if (ts.isImportTypeNode(node) || ts.isTypeNode(node)) return; // typeof import("./x"), type positions
    if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === "require") || callee.kind === ts.SyntaxKind.ImportKeyword) {
        add(node, node.arguments[0].text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Strongly connected components with more than one file (or a file importing itself), via Tarjan. */
function cyclicComponents(graph) {
  let index = 0;
  const indices = new Map();
  const lowlinks = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const strongConnect = (v) => {
    indices.set(v, index);
    lowlinks.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        strongConnect(w);
        lowlinks.set(v, Math.min(lowlinks.get(v), lowlinks.get(w)));
      } else if (onStack.has(w)) {
        lowlinks.set(v, Math.min(lowlinks.get(v), indices.get(w)));
      }
    }
    if (lowlinks.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (graph.get(v) ?? []).some((e) => e.target === v);
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) strongConnect(v);
  return components;
}

/** One shortest cycle through the first file of a component, as the edges that make it. */
function oneCycle(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const v = queue.shift();
    for (const edge of graph.get(v)) {
      if (!members.has(edge.target)) continue;
      if (edge.target === start) {
        const cycle = [{ from: v, ...edge }];
        for (let at = v; at !== start; ) {
          const step = previous.get(at);
          cycle.unshift(step);
          at = step.from;
        }
        return cycle;
      }
      if (!seen.has(edge.target)) {
        seen.add(edge.target);
        previous.set(edge.target, { from: v, ...edge });
        queue.push(edge.target);
      }
    }
  }
  return [];
}

/** Finds the import cycles among the sources under `roots`; returns human-readable reports. */
export function findCycles(roots, cwd = process.cwd()) {
  const graph = new Map();
  for (const file of listSources(roots)) graph.set(file, valueImports(file));
  const rel = (file) => path.relative(cwd, file);
  return cyclicComponents(graph).map((component) => {
    const steps = oneCycle(graph, component)
      .map((step) => `    ${rel(step.from)}:${step.line}  ${step.text}`)
      .join("\n");
    return `import cycle among ${component.length} file(s): ${component.map(rel).join(", ")}\n  for example:\n${steps}`;
  });
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (invokedDirectly) {
  const roots = process.argv.slice(2);
  if (roots.length === 0) {
    console.error("usage: node scripts/check_cycles.mjs DIR...");
    process.exit(2);
  }
  const cycles = findCycles(roots);
  for (const report of cycles) console.error(report + "\n");
  if (cycles.length > 0) {
    console.error(
      `${cycles.length} import cycle(s). Move what both sides share into a lower module, or mark imports used only as types with \`import type\`.`,
    );
    process.exit(1);
  }
  console.log(`no import cycles in ${roots.join(", ")}`);
}
