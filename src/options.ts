/**
 * Command-line and config-file options, defined where they are used: `define("port", { default: 8888 })`
 * in any module, `parseCommandLine()` once at startup, then `options.port` anywhere.
 */
import * as path from "node:path";
import * as fs from "node:fs";
import {
  OptionError, OptionType, OptionTypeName, TYPE_NAMES, coerceValue, formatValue, inferType, parseList, parseScalar,
} from "./optiontypes";

export { OptionError, parseDate, parseDuration } from "./optiontypes";
export type { OptionScalar, OptionType, OptionTypeName } from "./optiontypes";

/** What `define` accepts. */
export interface OptionSpec {
  /** Value before any parsing; also fixes the type when `type` is not given. */
  default?: unknown;
  type?: OptionType;
  help?: string;
  /** Placeholder shown in help: `--port=PORT`. */
  metavar?: string;
  /** The value is a list: comma-separated on the command line, with integer ranges `1:3` for numbers. */
  multiple?: boolean;
  /** Heading in `--help`; defaults to the file that called `define`. */
  group?: string;
  /** Called with the new value whenever the option is parsed or set. */
  callback?: (value: unknown) => void;
}

/** A defined option as `describe`/`printHelp` see it. */
export interface OptionInfo {
  readonly name: string;
  readonly type: OptionTypeName;
  readonly default: unknown;
  readonly help: string;
  readonly metavar: string;
  readonly multiple: boolean;
  readonly group: string;
  /** `file:line` of the `define` call. */
  readonly definedAt: string;
}

/** Where `--help` writes and how it exits; injectable so tests can observe both. */
export interface OptionParserIO {
  output?: { write(text: string): unknown };
  exit?: (code: number) => void;
  /** Program name in the usage line; default: the script's file name. */
  programName?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface OptionState extends Mutable<OptionInfo> {
  callback?: (value: unknown) => void;
  value: unknown;
}

const STATE = Symbol("OptionParser.state");

function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** @internal The first stack frame outside `skip`: where a public entry point was called from. */
export function callerSite(skip: (...args: never[]) => unknown): { file: string; line: number } | null {
  const savedLimit = Error.stackTraceLimit;
  const holder: { stack?: string } = {};
  try {
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, skip);
    // Formatted lazily: read it now, while any source-map support maps it to the .ts source.
    const frame = typeof holder.stack === "string" ? (holder.stack.split("\n")[1] ?? "") : "";
    const m = /(?:\(|at )([^()]+):(\d+):\d+\)?\s*$/.exec(frame);
    return m ? { file: m[1].replace(/^file:\/\//, ""), line: Number(m[2]) } : null;
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/**
 * A set of options. The global one is `options`; tests make their own with `new OptionParser()`.
 * Defined options read and write as properties (`parser.port = 80`), type-checked on write.
 *
 * @example
 * const parser = new OptionParser();
 * parser.define("port", { default: 8888, help: "run on the given port" });
 * parser.parseCommandLine(["--port=80"]);
 * parser.port; // 80
 */
export class OptionParser {
  /** Option values by name (`_` and `-` are interchangeable); `undefined` for names never defined. */
  [name: string]: unknown;
  private declare [STATE]: {
    options: Map<string, OptionState>;
    parseCallbacks: Array<() => void>;
    io: Required<Omit<OptionParserIO, "programName">> & { programName?: string };
  };

  constructor(io: OptionParserIO = {}) {
    this[STATE] = {
      options: new Map(),
      parseCallbacks: [],
      io: { output: io.output ?? process.stderr, exit: io.exit ?? ((code) => process.exit(code)), programName: io.programName },
    };
    this.defineAt("help", { type: "boolean", help: "show this help information", group: "" }, "tornado-ts/options");
    return new Proxy(this, {
      get(target, prop, receiver) {
        if (typeof prop === "string") {
          const option = target[STATE].options.get(normalizeName(prop));
          if (option) return option.value;
        }
        return Reflect.get(target, prop, receiver);
      },
      set(target, prop, value, receiver) {
        if (typeof prop === "string") {
          const option = target[STATE].options.get(normalizeName(prop));
          if (option) {
            target.setValue(option, value);
            return true;
          }
          if (!(prop in target)) throw new OptionError(`Unrecognized option '${normalizeName(prop)}'`);
        }
        return Reflect.set(target, prop, value, receiver);
      },
      has(target, prop) {
        return (typeof prop === "string" && target[STATE].options.has(normalizeName(prop))) || Reflect.has(target, prop);
      },
    });
  }

  /**
   * Defines an option. The type comes from `type` or else from the default (strings when neither).
   * Throws if the name is already defined, naming the file and line of the first definition.
   *
   * @example
   * parser.define("timeout", { type: "duration", default: "30s", help: "request timeout" });
   */
  define(name: string, spec: OptionSpec = {}): void {
    const site = callerSite(OptionParser.prototype.define);
    this.defineAt(name, spec, site ? `${displayPath(site.file)}:${site.line}` : "<unknown>");
  }

  /** @internal `define` with an explicit source location (the global `define` computes its own). */
  defineAt(name: string, spec: OptionSpec, definedAt: string): void {
    const normalized = normalizeName(name);
    const existing = this[STATE].options.get(normalized);
    if (existing) throw new OptionError(`Option '${normalized}' already defined in ${existing.definedAt}`);
    if (!/^[A-Za-z0-9][\w.-]*$/.test(normalized)) throw new OptionError(`Option name '${name}' is not a valid flag name`);
    if (normalized in this || normalized.replace(/-/g, "_") in this) {
      throw new OptionError(`Option name '${name}' collides with an OptionParser member; choose another name`);
    }
    const multiple = spec.multiple ?? false;
    if (multiple && spec.default != null && !Array.isArray(spec.default)) {
      throw new OptionError(`Option '${normalized}' is multiple, so its default must be an array`);
    }
    const sample = Array.isArray(spec.default) ? spec.default[0] : spec.default;
    const type = spec.type === undefined ? inferType(sample) : TYPE_NAMES.get(spec.type);
    if (type === undefined) throw new OptionError(`Option '${normalized}' has an unknown type ${String(spec.type)}`);
    const option: OptionState = {
      name: normalized, type, multiple, definedAt, default: undefined, value: undefined,
      help: spec.help ?? "", metavar: spec.metavar ?? "",
      group: spec.group ?? definedAt.replace(/:\d+$/, ""),
      callback: spec.callback,
    };
    const initial = spec.default ?? (multiple ? [] : undefined);
    try {
      option.value = initial === undefined ? undefined : coerceValue(option, initial, false);
    } catch (err) {
      throw new OptionError(`Option '${normalized}' has a bad default: ${(err as Error).message}`);
    }
    // A copy, so pushing onto the current list never changes what help reports as the default.
    option.default = Array.isArray(option.value) ? [...option.value] : option.value;
    this[STATE].options.set(normalized, option);
  }

  /** The value of a defined option; throws for an unknown name. */
  get(name: string): unknown {
    return this.lookup(name).value;
  }

  /** Sets a defined option, checking the type, and runs its callback. */
  set(name: string, value: unknown): void {
    this.setValue(this.lookup(name), value);
  }

  /** The definition of one option. */
  describe(name: string): OptionInfo {
    const { callback: _callback, value: _value, ...info } = this.lookup(name);
    return info;
  }

  /** Every option's value, by name. */
  asDict(): Record<string, unknown> {
    return Object.fromEntries([...this[STATE].options.values()].map((o) => [o.name, o.value]));
  }

  /** The values of the options in one group. */
  groupDict(group: string): Record<string, unknown> {
    return Object.fromEntries([...this[STATE].options.values()].filter((o) => o.group === group).map((o) => [o.name, o.value]));
  }

  /**
   * Parses `--name=value` arguments (also `--name value`, and bare `--flag` for booleans) until the first
   * argument that is not an option, or `--`, and returns the arguments left over. `--help` prints usage
   * and exits 0. Runs the parse callbacks unless `final` is false.
   *
   * @example
   * parser.parseCommandLine(["--port=80", "--debug", "serve"]) // ["serve"]
   */
  parseCommandLine(argv: readonly string[] = process.argv.slice(2), opts: { final?: boolean } = {}): string[] {
    let rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === "--") {
        rest = argv.slice(i + 1);
        break;
      }
      if (!arg.startsWith("-") || arg === "-") {
        rest = argv.slice(i);
        break;
      }
      const body = arg.replace(/^-+/, "");
      const eq = body.indexOf("=");
      const name = normalizeName(eq < 0 ? body : body.slice(0, eq));
      const option = this[STATE].options.get(name);
      if (!option) throw new OptionError(`Unrecognized command line option: '${name}'\n\n${this.helpText()}`);
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (option.type === "boolean" && !option.multiple) value = "true";
      else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
      else throw new OptionError(`Option '${name}' requires a value: --${name}=${option.metavar || "VALUE"}`);
      this.parseInto(option, value, "");
      if (name === "help" && option.value === true) {
        this.printHelp();
        this[STATE].io.exit(0);
        return [];
      }
    }
    if (opts.final ?? true) this.runParseCallbacks();
    return rest;
  }

  /**
   * Reads option values from a JSON file or a JS module exporting an object. Names that are not defined
   * options are ignored (a config file may serve several programs). Strings are parsed as on the command
   * line; other values must have the option's type.
   *
   * @example
   * parser.parseConfigFile("/etc/myapp.json"); // {"port": 80, "timeout": "30s"}
   */
  parseConfigFile(file: string, opts: { final?: boolean } = {}): void {
    const config = loadConfig(path.resolve(file));
    for (const [key, value] of Object.entries(config)) {
      const option = this[STATE].options.get(normalizeName(key));
      if (!option) continue;
      if (typeof value === "string" && (option.type !== "string" || option.multiple)) {
        this.parseInto(option, value, ` in ${file}`);
      } else {
        try {
          this.setValue(option, value);
        } catch (err) {
          throw new OptionError(`${(err as Error).message} in ${file}`);
        }
      }
    }
    if (opts.final ?? true) this.runParseCallbacks();
  }

  /** The usage text: every option by group, with help and defaults. */
  helpText(): string {
    const program = this[STATE].io.programName ?? path.basename(process.argv[1] ?? "node");
    const lines = [`Usage: ${program} [OPTIONS]`, "", "Options:", ""];
    const groups = new Map<string, OptionState[]>();
    for (const option of this[STATE].options.values()) {
      groups.set(option.group, [...(groups.get(option.group) ?? []), option]);
    }
    const names = [...groups.keys()].sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)));
    for (const group of names) {
      if (group) lines.push("", `${group} options:`, "");
      for (const option of groups.get(group)!.sort((a, b) => a.name.localeCompare(b.name))) {
        const flag = option.metavar ? `${option.name}=${option.metavar}` : option.name;
        let description = option.help;
        const shown = option.default;
        if (shown != null && shown !== "" && !(Array.isArray(shown) && shown.length === 0)) {
          description += `${description ? " " : ""}(default ${formatValue(option.type, shown)})`;
        }
        const wrapped = wrapWords(description, 44);
        if (flag.length > 30 || wrapped.length === 0) wrapped.unshift("");
        lines.push(`  --${flag.padEnd(30)} ${wrapped[0]}`.trimEnd());
        for (const more of wrapped.slice(1)) lines.push(`${" ".repeat(35)}${more}`);
      }
    }
    return lines.join("\n") + "\n";
  }

  /** Writes the usage text (to stderr unless another output was injected). */
  printHelp(output: { write(text: string): unknown } = this[STATE].io.output): void {
    output.write(this.helpText());
  }

  /** Registers a function to run after parsing finishes (`final`). */
  addParseCallback(callback: () => void): void {
    this[STATE].parseCallbacks.push(callback);
  }

  /** Runs the parse callbacks in registration order. */
  runParseCallbacks(): void {
    for (const callback of this[STATE].parseCallbacks) callback();
  }

  private lookup(name: string): OptionState {
    const option = this[STATE].options.get(normalizeName(name));
    if (!option) throw new OptionError(`Unrecognized option '${normalizeName(name)}'`);
    return option;
  }

  private parseInto(option: OptionState, text: string, where: string): void {
    let value: unknown;
    try {
      value = option.multiple ? parseList(option.type, text) : parseScalar(option.type, text);
    } catch (err) {
      throw new OptionError(`Option '${option.name}'${where}: ${(err as Error).message}`);
    }
    this.assign(option, value, where);
  }

  private setValue(option: OptionState, value: unknown): void {
    this.assign(option, value == null ? (option.multiple ? [] : undefined) : coerceValue(option, value, true), "");
  }

  // A callback that rejects the value (it throws) leaves the previous value in place.
  private assign(option: OptionState, value: unknown, where: string): void {
    const previous = option.value;
    option.value = value;
    try {
      option.callback?.(value);
    } catch (err) {
      option.value = previous;
      throw new OptionError(`Option '${option.name}'${where}: ${(err as Error).message}`);
    }
  }
}

function normalizeName(name: string): string {
  return name.replace(/_/g, "-");
}



function loadConfig(file: string): Record<string, unknown> {
  let loaded: unknown;
  try {
    if (/\.c?js$/.test(file)) {
      // Fresh each time, so a reload picks up edits.
      delete require.cache[require.resolve(file)];
      // A config module is chosen at run time, so it is required, not imported.
      const mod = require(file) as { __esModule?: boolean; default?: unknown };
      loaded = mod && mod.__esModule && typeof mod.default === "object" ? mod.default : mod;
    } else {
      loaded = JSON.parse(fs.readFileSync(file, "utf8"));
    }
  } catch (err) {
    throw new OptionError(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  if (loaded === null || typeof loaded !== "object" || Array.isArray(loaded)) {
    throw new OptionError(`Config file ${file} must contain an object of option values`);
  }
  return loaded as Record<string, unknown>;
}

/**
 * The global options. Values are typed by `define` at run time, so statically they are `any`:
 * `app.listen(options.port)` needs no cast.
 */
export const options = new OptionParser() as OptionParser & Record<string, any>;

/**
 * Defines an option on the global parser.
 *
 * @example
 * define("port", { default: 8888, help: "run on the given port" });
 */
export function define(name: string, spec: OptionSpec = {}): void {
  const site = callerSite(define);
  options.defineAt(name, spec, site ? `${displayPath(site.file)}:${site.line}` : "<unknown>");
}

/** Parses the process's command line into the global options; returns the non-option arguments. */
export function parseCommandLine(argv?: readonly string[], opts?: { final?: boolean }): string[] {
  return options.parseCommandLine(argv, opts);
}

/** Reads a JSON or JS config file into the global options. */
export function parseConfigFile(file: string, opts?: { final?: boolean }): void {
  options.parseConfigFile(file, opts);
}

/** Prints the global options' usage text to stderr. */
export function printHelp(output?: { write(text: string): unknown }): void {
  options.printHelp(output);
}

/** Adds a callback run when the global options finish parsing. */
export function addParseCallback(callback: () => void): void {
  options.addParseCallback(callback);
}

/** Runs the global parse callbacks. */
export function runParseCallbacks(): void {
  options.runParseCallbacks();
}
