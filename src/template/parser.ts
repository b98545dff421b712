/**
 * Builds the syntax tree of one template file from the lexer's chunks, checking block structure
 * (`{% end %}`, `elif`/`else`/`except`/`finally` placement, `break`/`continue` inside loops) and
 * tokenizing every expression once.
 */
import { ParseError } from "./errors";
import { ExpressionSyntaxError, isPlainIdentifier, parseForHeader, transformExpression } from "./expression";
import { Lexer } from "./lexer";
import { WHITESPACE_MODES, WhitespaceFilter, type WhitespaceMode } from "./whitespace";

/** A JavaScript expression from the template, rewritten and with its free identifiers. */
export interface Expr {
  source: string;
  code: string;
  names: string[];
}

/** One parsed template file. Nodes point back at it: its name and autoescape apply to them. */
export interface TemplateFile {
  name: string;
  /** The namespace function that escapes `{{ }}` output, or null when off. Per file. */
  autoescape: string | null;
  body: Node[];
  extendsName: string | null;
  extendsLine: number;
}

interface Located {
  line: number;
  file: TemplateFile;
}

export interface LoopNode extends Located {
  kind: "for" | "while";
  targets: string[];
  /** The iterable (for) or the condition (while). */
  expr: Expr;
  body: Node[];
  orelse: Node[] | null;
  /** Set when a `break` belongs to this loop and an `else` clause needs to know. */
  breaks: boolean;
}

export type Node =
  | { kind: "text"; text: string }
  | (Located & { kind: "output"; expr: Expr; raw: boolean })
  | (Located & { kind: "if"; branches: { cond: Expr | null; body: Node[]; line: number }[] })
  | LoopNode
  | (Located & {
      kind: "try"; body: Node[]; handler: { name: string | null; body: Node[]; line: number } | null;
      orelse: Node[] | null; finalizer: Node[] | null;
    })
  | (Located & { kind: "exec"; expr: Expr })
  | (Located & { kind: "jump"; op: "break" | "continue"; loop: LoopNode })
  | (Located & { kind: "apply"; fn: Expr; body: Node[] })
  | (Located & { kind: "include"; name: string })
  | (Located & { kind: "block"; name: string; body: Node[] });

interface Clause {
  op: string;
  suffix: string;
  line: number;
}

const ATTACHABLE: Record<string, readonly string[]> = {
  else: ["if", "for", "while", "try"],
  elif: ["if"],
  except: ["try"],
  finally: ["try"],
};

/**
 * Parses one template file.
 *
 * @example
 * parseTemplate("{% if x %}yes{% end %}", { name: "t.html", autoescape: "xhtml_escape", whitespace: "single" })
 */
export function parseTemplate(
  source: string,
  opts: { name: string; autoescape: string | null; whitespace: WhitespaceMode },
): TemplateFile {
  const file: TemplateFile = { name: opts.name, autoescape: opts.autoescape, body: [], extendsName: null, extendsLine: 0 };
  const parser = new Parser(new Lexer(source, opts.name), file, new WhitespaceFilter(opts.whitespace));
  file.body = parser.parseBody(null, null).nodes;
  return file;
}

class Parser {
  constructor(
    private readonly lexer: Lexer,
    private readonly file: TemplateFile,
    private readonly whitespace: WhitespaceFilter,
  ) {}

  private error(reason: string, line: number): ParseError {
    return new ParseError(reason, this.file.name, line);
  }

  private expr(source: string, line: number, what: string): Expr {
    if (!source.trim()) throw this.error(`Empty ${what}`, line);
    try {
      return { source, ...transformExpression(source) };
    } catch (err) {
      if (err instanceof ExpressionSyntaxError) throw this.error(`${err.message} in ${what} "${source}"`, line);
      throw err;
    }
  }

  /** Parses nodes until `{% end %}` or an attachable clause (returned), or the end of the file. */
  parseBody(open: Clause | null, loop: LoopNode | null): { nodes: Node[]; term: Clause } {
    const nodes: Node[] = [];
    for (let chunk = this.lexer.next(); chunk; chunk = this.lexer.next()) {
      const { line } = chunk;
      if (chunk.kind === "comment") continue;
      if (chunk.kind === "text") {
        const text = this.whitespace.filter(chunk.content);
        if (text) nodes.push({ kind: "text", text });
        continue;
      }
      if (chunk.kind === "expression") {
        nodes.push({ kind: "output", expr: this.expr(chunk.content, line, "expression"), raw: false, line, file: this.file });
        continue;
      }
      const space = chunk.content.search(/\s/);
      const op = space < 0 ? chunk.content : chunk.content.slice(0, space);
      const suffix = space < 0 ? "" : chunk.content.slice(space + 1).trim();
      if (!op) throw this.error("Empty block tag ({% %})", line);
      const clause = { op, suffix, line };
      if (op in ATTACHABLE) {
        if (!open) throw this.error(`${op} outside ${ATTACHABLE[op].join("/")} block`, line);
        if (!ATTACHABLE[op].includes(open.op)) throw this.error(`${op} block cannot be attached to ${open.op} block`, line);
        if ((op === "else" || op === "finally") && suffix) throw this.error(`${op} takes nothing after it${op === "else" ? " (use elif)" : ""}`, line);
        return { nodes, term: clause };
      }
      if (op === "end") {
        if (!open) throw this.error("Extra {% end %} block", line);
        return { nodes, term: clause };
      }
      const node = this.statement(clause, open, loop);
      if (node) nodes.push(node);
    }
    if (open) throw this.error(`Missing {% end %} block for ${open.op}`, open.line);
    return { nodes, term: { op: "eof", suffix: "", line: 0 } };
  }

  private statement(clause: Clause, open: Clause | null, loop: LoopNode | null): Node | null {
    const { op, suffix, line } = clause;
    const file = this.file;
    switch (op) {
      case "comment":
        return null;
      case "extends":
        if (open) throw this.error("{% extends %} must be at the top level of the template", line);
        if (file.extendsName !== null) throw this.error("Only one {% extends %} per template", line);
        file.extendsName = this.fileName(suffix, op, line);
        file.extendsLine = line;
        return null;
      case "include":
        return { kind: "include", name: this.fileName(suffix, op, line), line, file };
      case "set":
        return { kind: "exec", expr: this.expr(suffix, line, "set statement"), line, file };
      case "raw":
        return { kind: "output", expr: this.expr(suffix, line, "raw expression"), raw: true, line, file };
      case "module":
        return { kind: "output", expr: this.expr(suffix && "modules." + suffix, line, "module expression"), raw: true, line, file };
      case "autoescape":
        if (suffix !== "None" && !isPlainIdentifier(suffix)) throw this.error(`autoescape needs a function name or None, got "${suffix}"`, line);
        file.autoescape = suffix === "None" ? null : suffix;
        return null;
      case "whitespace":
        if (!(WHITESPACE_MODES as readonly string[]).includes(suffix)) {
          throw this.error(`Invalid whitespace mode "${suffix}" (use all, single or oneline)`, line);
        }
        this.whitespace.mode = suffix as WhitespaceMode;
        return null;
      case "break":
      case "continue":
        if (!loop) throw this.error(`${op} outside for/while loop`, line);
        if (op === "break") loop.breaks = true;
        return { kind: "jump", op, loop, line, file };
      case "if":
        return this.ifStatement(clause, loop);
      case "for":
      case "while":
        return this.loopStatement(clause, loop);
      case "try":
        return this.tryStatement(clause, loop);
      case "apply": {
        const fn = this.expr(suffix, line, "apply function");
        return { kind: "apply", fn, body: this.parseBody(clause, null).nodes, line, file };
      }
      case "block": {
        if (!suffix) throw this.error("block needs a name", line);
        return { kind: "block", name: suffix, body: this.parseBody(clause, null).nodes, line, file };
      }
      case "import":
      case "from":
        throw this.error(`{% ${op} %} is not supported: pass functions in the namespace instead`, line);
      default:
        throw this.error(`Unknown directive {% ${op} %}`, line);
    }
  }

  private fileName(suffix: string, op: string, line: number): string {
    const name = suffix.replace(/^(["'])(.*)\1$/, "$2").trim();
    if (!name) throw this.error(`{% ${op} %} needs a template name`, line);
    return name;
  }

  private ifStatement(clause: Clause, loop: LoopNode | null): Node {
    const branches: { cond: Expr | null; body: Node[]; line: number }[] = [];
    let current = { cond: this.expr(clause.suffix, clause.line, "if condition") as Expr | null, line: clause.line };
    for (;;) {
      const { nodes, term } = this.parseBody(clause, loop);
      branches.push({ ...current, body: nodes });
      if (term.op === "end") break;
      if (branches[branches.length - 1].cond === null) throw this.error(`${term.op} after else in if block`, term.line);
      if (term.op === "elif") current = { cond: this.expr(term.suffix, term.line, "elif condition"), line: term.line };
      else current = { cond: null, line: term.line };
    }
    return { kind: "if", branches, line: clause.line, file: this.file };
  }

  private loopStatement(clause: Clause, outer: LoopNode | null): Node {
    const { op, suffix, line } = clause;
    let targets: string[] = [];
    let source = suffix;
    if (op === "for") {
      const header = parseForHeader(suffix);
      if (!header) throw this.error(`Invalid for loop "${suffix}" (use: for x in items, or for k, v in entries)`, line);
      targets = header.targets;
      source = header.iterable;
    }
    const node: LoopNode = {
      kind: op as "for" | "while", targets, expr: this.expr(source, line, `${op} expression`),
      body: [], orelse: null, breaks: false, line, file: this.file,
    };
    const first = this.parseBody(clause, node);
    node.body = first.nodes;
    if (first.term.op === "else") {
      // `break` in a loop's else clause belongs to the enclosing loop, as in Python.
      const rest = this.parseBody({ ...clause, op: `${op}-else` }, outer);
      node.orelse = rest.nodes;
    }
    return node;
  }

  private tryStatement(clause: Clause, loop: LoopNode | null): Node {
    const node: Extract<Node, { kind: "try" }> = {
      kind: "try", body: [], handler: null, orelse: null, finalizer: null, line: clause.line, file: this.file,
    };
    let part = this.parseBody(clause, loop);
    node.body = part.nodes;
    let seen = "try";
    while (part.term.op !== "end") {
      const { op, suffix, line } = part.term;
      const order = ["try", "except", "else", "finally"];
      if (order.indexOf(op) <= order.indexOf(seen)) throw this.error(`${op} after ${seen} in try block`, line);
      if (op === "else" && seen !== "except") throw this.error("else in try block needs an except before it", line);
      if (op === "except" && suffix && !isPlainIdentifier(suffix)) {
        throw this.error(`except takes an optional variable name, got "${suffix}"`, line);
      }
      seen = op;
      part = this.parseBody(clause, loop);
      if (op === "except") node.handler = { name: suffix || null, body: part.nodes, line };
      else if (op === "else") node.orelse = part.nodes;
      else node.finalizer = part.nodes;
    }
    if (!node.handler && !node.finalizer) throw this.error("try block needs an except or finally", clause.line);
    return node;
  }
}
