/**
 * Turns a parsed template (with its ancestors and includes) into the source of one JavaScript
 * function that builds the output by string concatenation. Inheritance and includes are resolved
 * here, at compile time: `extends` renders the root ancestor with each block replaced by its most
 * derived definition, and `include` inlines the included file (same variables, same output).
 */
import { ParseError } from "./errors";
import { INTERNAL_PREFIX as P } from "./expression";
import type { Expr, LoopNode, Node, TemplateFile } from "./parser";

/** Loads a related template file by name, relative to the file that names it. */
export type FileResolver = (name: string, parentName: string) => TemplateFile;

/** The generated function body and what it needs from the compiler. */
export interface GeneratedCode {
  /** Body of a factory `(__tt_h, __tt_base, __tt_locs, __tt_annotate) => render`. */
  source: string;
  /** Free identifiers read from the namespace. */
  names: string[];
  /** `file:line` for each value the line register takes, for runtime error messages. */
  locations: string[];
  /** Each expression with where it came from, to pin a SyntaxError on its template line. */
  checks: { expr: Expr; statement: boolean; file: string; line: number }[];
}

/**
 * Generates the render function of `file`.
 *
 * @example
 * generateTemplateCode(parseTemplate("Hi {{ name }}", opts), null).names // ["name"]
 */
export function generateTemplateCode(file: TemplateFile, resolve: FileResolver | null): GeneratedCode {
  const ancestors = findAncestors(file, resolve);
  const blocks = new Map<string, Extract<Node, { kind: "block" }>>();
  for (let i = ancestors.length - 1; i >= 0; i--) findBlocks(ancestors[i].body, resolve, blocks, new Set([ancestors[i].name]));
  const writer = new Writer(resolve, blocks);
  const root = ancestors[ancestors.length - 1];
  writer.includeStack.push(root.name);
  writer.nodes(root.body);
  return writer.result();
}

function needLoader(resolve: FileResolver | null, what: string, file: TemplateFile, line: number): FileResolver {
  if (!resolve) throw new ParseError(`{% ${what} %} found, but the template has no loader`, file.name, line);
  return resolve;
}

function findAncestors(file: TemplateFile, resolve: FileResolver | null): TemplateFile[] {
  const chain = [file];
  for (let current = file; current.extendsName !== null;) {
    const load = needLoader(resolve, "extends", current, current.extendsLine);
    const parent = load(current.extendsName, current.name);
    if (chain.some((f) => f.name === parent.name)) {
      throw new ParseError(`Circular {% extends %}: ${[...chain.map((f) => f.name), parent.name].join(" -> ")}`, current.name, current.extendsLine);
    }
    chain.push(parent);
    current = parent;
  }
  return chain;
}

function findBlocks(nodes: Node[], resolve: FileResolver | null, blocks: Map<string, Extract<Node, { kind: "block" }>>, seen: Set<string>): void {
  for (const node of nodes) {
    switch (node.kind) {
      case "block":
        blocks.set(node.name, node);
        findBlocks(node.body, resolve, blocks, seen);
        break;
      case "if":
        for (const branch of node.branches) findBlocks(branch.body, resolve, blocks, seen);
        break;
      case "for":
      case "while":
        findBlocks(node.body, resolve, blocks, seen);
        if (node.orelse) findBlocks(node.orelse, resolve, blocks, seen);
        break;
      case "try":
        for (const part of [node.body, node.handler?.body, node.orelse, node.finalizer]) if (part) findBlocks(part, resolve, blocks, seen);
        break;
      case "apply":
        findBlocks(node.body, resolve, blocks, seen);
        break;
      case "include": {
        if (!resolve) break;
        const target = resolve(node.name, node.file.name);
        if (seen.has(target.name)) break; // the writer reports the cycle with its location
        findBlocks(target.body, resolve, blocks, new Set([...seen, target.name]));
        break;
      }
      default:
        break;
    }
  }
}

class Writer {
  private readonly lines: string[] = [];
  private indent = "    ";
  private readonly names = new Set<string>();
  private readonly locations: string[] = [];
  private readonly locationIds = new Map<string, number>();
  private readonly checks: GeneratedCode["checks"] = [];
  /** Location id last stored in the line register on this straight-line path; -1 after a branch point. */
  private current = -1;
  private counter = 0;
  private readonly loopIds = new Map<LoopNode, number>();
  readonly includeStack: string[] = [];
  private readonly blockStack: string[] = [];

  constructor(
    private readonly resolve: FileResolver | null,
    private readonly blocks: Map<string, Extract<Node, { kind: "block" }>>,
  ) {}

  result(): GeneratedCode {
    const names = [...this.names];
    // An argument given as undefined is defined (it prints nothing); an absent one falls back to
    // the namespace, whose stand-in for an unknown name throws NameError when used.
    const declarations = names.map((n) => `    let ${n} = ${P}ns.${n} !== undefined || "${n}" in ${P}ns ? ${P}ns.${n} : ${P}base.${n};`);
    const helpers = ["e", "s", "c", "it", "ip", "t", "fmt"].map((h) => `${P}${h} = ${P}h.${h}`).join(", ");
    const source = [
      `"use strict";`,
      `const ${helpers};`,
      `return function render(${P}ns) {`,
      `  let ${P}l = 0;`,
      `  try {`,
      ...declarations,
      `    let ${P}o = "";`,
      ...this.lines,
      `    return ${P}o;`,
      `  } catch (${P}err) {`,
      `    throw ${P}annotate(${P}err, ${P}locs[${P}l]);`,
      `  }`,
      `};`,
    ].join("\n");
    return { source, names, locations: this.locations, checks: this.checks };
  }

  private line(code: string): void {
    this.lines.push(this.indent + code);
  }

  private block(open: string, body: () => void, close = "}"): void {
    this.line(open);
    const saved = this.indent;
    this.indent += "  ";
    this.current = -1;
    body();
    this.indent = saved;
    this.current = -1;
    this.line(close);
  }

  private locationId(file: string, line: number): number {
    const key = `${file}:${line}`;
    let id = this.locationIds.get(key);
    if (id === undefined) {
      id = this.locations.length;
      this.locations.push(key);
      this.locationIds.set(key, id);
    }
    return id;
  }

  /** Stores the template line in the register unless it already holds it on this path. */
  private mark(node: { file: TemplateFile; line: number }): void {
    const id = this.locationId(node.file.name, node.line);
    if (id !== this.current) this.line(`${P}l = ${id};`);
    this.current = id;
  }

  /** The expression code, registered for name lookup and syntax checking. */
  private use(expr: Expr, file: TemplateFile, line: number, statement = false): string {
    for (const n of expr.names) this.names.add(n);
    this.checks.push({ expr, statement, file: file.name, line });
    return expr.code;
  }

  nodes(nodes: Node[]): void {
    for (const node of nodes) this.node(node);
  }

  private node(node: Node): void {
    switch (node.kind) {
      case "text":
        this.line(`${P}o += ${JSON.stringify(node.text)};`);
        return;
      case "output":
        this.output(node);
        return;
      case "exec":
        this.mark(node);
        this.line(`${this.use(node.expr, node.file, node.line, true)};`);
        return;
      case "if":
        this.ifStatement(node);
        return;
      case "for":
      case "while":
        this.loop(node);
        return;
      case "jump": {
        const id = this.loopIds.get(node.loop);
        if (node.op === "break" && node.loop.orelse && id !== undefined) this.line(`${P}b${id} = true;`);
        this.line(`${node.op};`);
        return;
      }
      case "try":
        this.tryStatement(node);
        return;
      case "apply":
        this.apply(node);
        return;
      case "include":
        this.include(node);
        return;
      case "block":
        this.namedBlock(node);
        return;
    }
  }

  private output(node: Extract<Node, { kind: "output" }>): void {
    this.mark(node);
    const code = this.use(node.expr, node.file, node.line);
    const escape = node.raw ? null : node.file.autoescape;
    if (escape === null) this.line(`${P}o += ${P}s(${code});`);
    // The default escaper is called directly (fast path); a namespace override of xhtml_escape is not consulted.
    else if (escape === "xhtml_escape") this.line(`${P}o += ${P}e(${code});`);
    else {
      this.names.add(escape);
      this.line(`${P}o += ${P}c(${code}, ${escape});`);
    }
  }

  private condition(expr: Expr, file: TemplateFile, line: number): string {
    return `${P}t(${this.use(expr, file, line)})`;
  }

  private ifStatement(node: Extract<Node, { kind: "if" }>): void {
    this.mark(node);
    node.branches.forEach((branch, i) => {
      let open: string;
      if (i === 0) open = `if (${this.condition(branch.cond as Expr, node.file, branch.line)}) {`;
      else if (branch.cond) {
        const id = this.locationId(node.file.name, branch.line);
        open = `} else if ((${P}l = ${id}, ${this.condition(branch.cond, node.file, branch.line)})) {`;
      } else open = "} else {";
      const last = i === node.branches.length - 1;
      if (i > 0) this.lines.pop();
      this.block(open, () => this.nodes(branch.body), last ? "}" : "");
    });
  }

  private loop(node: LoopNode): void {
    this.mark(node);
    const id = this.counter++;
    this.loopIds.set(node, id);
    const flag = `${P}b${id}`;
    const hasElse = node.orelse !== null;
    if (hasElse) this.line(`let ${flag} = false;`);
    if (node.kind === "while") {
      const where = this.locationId(node.file.name, node.line);
      this.block(`while ((${P}l = ${where}, ${this.condition(node.expr, node.file, node.line)})) {`, () => this.nodes(node.body));
    } else {
      const iterable = this.use(node.expr, node.file, node.line);
      const head = node.targets.length === 1
        ? `for (let ${node.targets[0]} of ${P}it(${iterable})) {`
        : `for (let [${node.targets.join(", ")}] of ${P}ip(${iterable})) {`;
      this.block(head, () => this.nodes(node.body));
    }
    this.loopIds.delete(node);
    if (node.orelse) {
      const orelse = node.orelse;
      this.block(`if (!${flag}) {`, () => this.nodes(orelse));
    }
  }

  private tryStatement(node: Extract<Node, { kind: "try" }>): void {
    const { handler, orelse, finalizer } = node;
    const id = this.counter++;
    const failed = `${P}x${id}`;
    const withFinally = (inner: () => void): void => {
      if (!finalizer) {
        this.block("{", inner);
        return;
      }
      this.block("try {", inner, "");
      this.lines.pop();
      this.block("} finally {", () => this.nodes(finalizer));
    };
    if (!handler) {
      withFinally(() => this.nodes(node.body));
      return;
    }
    withFinally(() => {
      // JavaScript has no try/else: a flag set in catch says whether the else clause runs.
      if (orelse) this.line(`let ${failed} = false;`);
      this.block("try {", () => this.nodes(node.body), "");
      this.lines.pop();
      this.block(`} catch (${handler.name ?? `${P}caught${id}`}) {`, () => {
        if (orelse) this.line(`${failed} = true;`);
        this.nodes(handler.body);
      });
      if (orelse) this.block(`if (!${failed}) {`, () => this.nodes(orelse));
    });
  }

  private apply(node: Extract<Node, { kind: "apply" }>): void {
    const id = this.counter++;
    this.mark(node);
    this.line(`const ${P}f${id} = (${this.use(node.fn, node.file, node.line)});`);
    this.block(`const ${P}a${id} = (() => {`, () => {
      this.line(`let ${P}o = "";`);
      this.nodes(node.body);
      this.line(`return ${P}o;`);
    }, "})();");
    this.mark(node);
    this.line(`${P}o += ${P}s(${P}f${id}(${P}a${id}));`);
  }

  private include(node: Extract<Node, { kind: "include" }>): void {
    const load = needLoader(this.resolve, "include", node.file, node.line);
    const target = load(node.name, node.file.name);
    if (this.includeStack.includes(target.name)) {
      throw new ParseError(`Circular {% include %}: ${[...this.includeStack, target.name].join(" -> ")}`, node.file.name, node.line);
    }
    this.includeStack.push(target.name);
    this.nodes(target.body);
    this.includeStack.pop();
  }

  private namedBlock(node: Extract<Node, { kind: "block" }>): void {
    const chosen = this.blocks.get(node.name) ?? node;
    if (this.blockStack.includes(node.name)) {
      throw new ParseError(`{% block ${node.name} %} contains itself`, chosen.file.name, chosen.line);
    }
    this.blockStack.push(node.name);
    this.nodes(chosen.body);
    this.blockStack.pop();
  }
}
