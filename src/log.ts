/**
 * Logging: Tornado's three loggers (access, application, general), one-line records
 * `[I 261124 15:20:01 web:2250] message`, a global level set by `--logging`, and capture hooks.
 */
import { inspect } from "node:util";
import * as path from "node:path";
import { OptionParser, callerSite, options } from "./options";

export type LogLevel = "debug" | "info" | "warning" | "error";
/** A level, or `none` to write nothing. */
export type LogLevelSetting = LogLevel | "none";

/** One log entry, as handlers receive it. */
export interface LogRecord {
  readonly level: LogLevel;
  /** `tornado.access`, `tornado.application`, `tornado.general`, or a `getLogger` name. */
  readonly logger: string;
  readonly message: string;
  /** The error passed with the message, if any; formatted with its stack. */
  readonly error?: unknown;
  readonly time: Date;
  /** File name (without extension) of the code that logged. */
  readonly module: string;
  readonly line: number | null;
}

/** Where formatted records go: stderr by default. Colour is used only when `isTTY` is true. */
export interface LogOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const SEVERITY: Readonly<Record<LogLevelSetting, number>> = { debug: 10, info: 20, warning: 30, error: 40, none: Infinity };
const LETTER: Readonly<Record<LogLevel, string>> = { debug: "D", info: "I", warning: "W", error: "E" };
const COLOR: Readonly<Record<LogLevel, string>> = { debug: "\x1b[34m", info: "\x1b[32m", warning: "\x1b[33m", error: "\x1b[31m" };
const RESET = "\x1b[0m";

interface Handler {
  fn: (record: LogRecord) => void;
  severity: number;
}

// Until logging is configured (setLogLevel, or parseCommandLine applying --logging), only
// warnings and errors reach stderr, as in Tornado before enable_pretty_logging: a library user
// doesn't get an access line per request unless they ask for it.
let level: LogLevelSetting = "warning";
let threshold = SEVERITY.warning;
let output: LogOutput | null = process.stderr;
let handlers: readonly Handler[] = [];

/**
 * Sets the level below which records are not written to the output (default `warning` until
 * configured; `parseCommandLine()` applies `--logging`, whose default is `info`).
 *
 * @example
 * setLogLevel("debug");
 */
export function setLogLevel(setting: LogLevelSetting): void {
  const normalized = String(setting).toLowerCase() as LogLevelSetting;
  if (!Object.prototype.hasOwnProperty.call(SEVERITY, normalized)) {
    throw new Error(`unknown log level ${JSON.stringify(setting)} (use debug, info, warning, error or none)`);
  }
  level = normalized;
  threshold = SEVERITY[normalized];
}

/** The current output level. */
export function getLogLevel(): LogLevelSetting {
  return level;
}

/**
 * Replaces the output stream (`null`: write nothing) and returns the previous one, so a test can
 * restore it.
 *
 * @example
 * const lines: string[] = [];
 * const previous = setLogOutput({ write: (s) => lines.push(s) });
 */
export function setLogOutput(stream: LogOutput | null): LogOutput | null {
  const previous = output;
  output = stream;
  return previous;
}

/**
 * Calls `fn` with every record at or above `minLevel` (default: all), whatever the output level: the
 * level filters what is written, handlers see everything, so tests capture logs even with `none`.
 * Returns a function that removes the handler.
 *
 * @example
 * const records: LogRecord[] = [];
 * const remove = addLogHandler((r) => records.push(r));
 * try { ... } finally { remove(); }
 */
export function addLogHandler(fn: (record: LogRecord) => void, minLevel: LogLevel = "debug"): () => void {
  const handler: Handler = { fn, severity: SEVERITY[minLevel] };
  // Copy on write: a handler that removes itself while records are delivered does not skip another.
  handlers = [...handlers, handler];
  return () => {
    handlers = handlers.filter((h) => h !== handler);
  };
}

function formatTime(t: Date): string {
  const two = (n: number) => (n < 10 ? "0" + n : String(n));
  return `${two(t.getFullYear() % 100)}${two(t.getMonth() + 1)}${two(t.getDate())} ` +
    `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}`;
}

function describeError(err: unknown): string {
  return typeof err === "string" ? err : inspect(err, { depth: 4 });
}

/**
 * Formats a record as Tornado does: `[I 261124 15:20:01 web:2250] message`, an error's stack on the
 * following lines, and continuation lines indented so each record reads as one block.
 *
 * @example
 * formatLogRecord(record, false) // "[W 261124 15:20:01 handler:88] 404 GET /x (127.0.0.1) 0.31ms"
 */
export function formatLogRecord(record: LogRecord, color = false): string {
  const where = record.line === null ? record.module : `${record.module}:${record.line}`;
  let prefix = `[${LETTER[record.level]} ${formatTime(record.time)} ${where}]`;
  if (color) prefix = COLOR[record.level] + prefix + RESET;
  let text = `${prefix} ${record.message}`;
  if (record.error !== undefined) text += "\n" + describeError(record.error);
  return text.trimEnd().replace(/\n/g, "\n    ");
}

// Whether a record at this level would go anywhere: when not, callers skip building it.
function isWanted(severity: number): boolean {
  if (severity >= threshold && output !== null) return true;
  for (const handler of handlers) if (severity >= handler.severity) return true;
  return false;
}

function emit(
  logger: string,
  recordLevel: LogLevel,
  message: string,
  err: unknown,
  site: { module: string; line: number | null } | ((...args: never[]) => unknown),
): void {
  const severity = SEVERITY[recordLevel];
  if (!isWanted(severity)) return;
  const stream = severity >= threshold ? output : null;
  const listeners = handlers;
  let where: { module: string; line: number | null };
  if (typeof site === "function") {
    const caller = callerSite(site);
    where = caller ? { module: path.basename(caller.file).replace(/\.[cm]?[jt]s$/, ""), line: caller.line } : { module: "?", line: null };
  } else {
    where = site;
  }
  const record: LogRecord = { level: recordLevel, logger, message: String(message), error: err, time: new Date(), ...where };
  if (stream !== null) stream.write(formatLogRecord(record, stream.isTTY === true && !process.env.NO_COLOR) + "\n");
  for (const handler of listeners) {
    if (severity < handler.severity) continue;
    try {
      handler.fn(record);
    } catch (handlerError) {
      // Logging must never break the code that logs; say so where someone will see it.
      output?.write(`log handler failed: ${describeError(handlerError)}\n`);
    }
  }
}

/**
 * A named logger. Each record carries the file and line of the call.
 *
 * @example
 * appLog.error("Uncaught exception in GET /", err); // message, then the stack
 */
export class Logger {
  constructor(readonly name: string) {}

  debug(message: string, err?: unknown): void {
    emit(this.name, "debug", message, err, Logger.prototype.debug);
  }

  info(message: string, err?: unknown): void {
    emit(this.name, "info", message, err, Logger.prototype.info);
  }

  warning(message: string, err?: unknown): void {
    emit(this.name, "warning", message, err, Logger.prototype.warning);
  }

  error(message: string, err?: unknown): void {
    emit(this.name, "error", message, err, Logger.prototype.error);
  }
}

const loggers = new Map<string, Logger>();

/** The logger with this name (created once). */
export function getLogger(name: string): Logger {
  let logger = loggers.get(name);
  if (!logger) loggers.set(name, (logger = new Logger(name)));
  return logger;
}

/** Per-request access lines (`logRequest`). */
export const accessLog = getLogger("tornado.access");
/** Errors from application code: uncaught exceptions in handlers, bad requests. */
export const appLog = getLogger("tornado.application");
/** Everything else: the server, the loop, configuration. */
export const genLog = getLogger("tornado.general");

/** What `logRequest` needs to know about a finished request. */
export interface RequestLogInfo {
  status: number;
  method: string;
  uri: string;
  remoteIp: string;
  /** Seconds. */
  requestTime: number;
  /** Why the server refused the request, when it never reached the application. */
  cause?: string;
}

// Access lines are written once per request: name a fixed module instead of walking the stack.
const ACCESS_SITE = { module: "web", line: null };

/** The access-log level of a response status: info below 400, warning for 4xx, error for 5xx. */
function accessLevel(status: number): LogLevel {
  return status < 400 ? "info" : status < 500 ? "warning" : "error";
}

/** Whether `logRequest` would write anything for this status (so callers can skip building the record). */
export function isAccessLogged(status: number): boolean {
  return isWanted(SEVERITY[accessLevel(status)]);
}

/**
 * Writes the access line `200 GET /path (127.0.0.1) 0.42ms` to `accessLog`: info below 400, warning
 * for 4xx, error for 5xx. A request the server refused itself ends with its cause:
 * `400 POST /up (127.0.0.1) 0.10ms: invalid chunk size line`.
 *
 * @example
 * logRequest({ status: 404, method: "GET", uri: "/x", remoteIp: "127.0.0.1", requestTime: 0.00031 });
 */
export function logRequest(info: RequestLogInfo): void {
  const recordLevel = accessLevel(info.status);
  if (!isWanted(SEVERITY[recordLevel])) return;
  const ms = (info.requestTime * 1000).toFixed(2);
  const cause = info.cause === undefined ? "" : `: ${info.cause}`;
  emit(accessLog.name, recordLevel, `${info.status} ${info.method} ${info.uri} (${info.remoteIp}) ${ms}ms${cause}`, undefined, ACCESS_SITE);
}

/**
 * Defines `--logging=debug|info|warning|error|none` on a parser; setting it sets the log level.
 * Done for the global `options` when this module loads.
 *
 * @example
 * const parser = new OptionParser();
 * defineLoggingOptions(parser);
 * parser.parseCommandLine(["--logging=debug"]);
 */
export function defineLoggingOptions(parser: OptionParser = options): void {
  parser.define("logging", {
    default: "info",
    help: "Set the log level written to stderr. If 'none', logging is not written at all.",
    metavar: "debug|info|warning|error|none",
    group: "logging",
    callback: (value) => setLogLevel(value as LogLevelSetting),
  });
  // The callback runs only for a value given on the command line; the default applies once
  // parsing finishes, as Tornado's parse_command_line turns on logging at `info`.
  parser.addParseCallback(() => setLogLevel(parser.get("logging") as LogLevelSetting));
}

defineLoggingOptions(options);
