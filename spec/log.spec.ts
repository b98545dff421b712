import { expect } from "chai";
import { spawnSync } from "node:child_process";
import path from "node:path";
import {
  LogLevelSetting,
  LogOutput,
  LogRecord,
  accessLog,
  addLogHandler,
  appLog,
  defineLoggingOptions,
  formatLogRecord,
  genLog,
  getLogLevel,
  getLogger,
  isAccessLogged,
  logRequest,
  setLogLevel,
  setLogOutput,
} from "../src/log";
import { OptionError, OptionParser, options } from "../src/options";

function lineOf(err: Error): number {
  return Number(/:(\d+):\d+\)?$/m.exec(err.stack!.split("\n")[1])![1]);
}

const record: LogRecord = {
  level: "info",
  logger: "tornado.general",
  message: "hello",
  time: new Date(2026, 10, 24, 15, 20, 1),
  module: "web",
  line: 2250,
};

describe("log", () => {
  // Every test writes to a captured output and restores the level and output the run started with.
  let written: string[];
  let output: LogOutput & { isTTY: boolean };
  let savedLevel: LogLevelSetting;
  let savedOutput: LogOutput | null;
  let removers: Array<() => void>;

  beforeEach(() => {
    written = [];
    output = { write: (s: string) => written.push(s), isTTY: false };
    savedLevel = getLogLevel();
    savedOutput = setLogOutput(output);
    removers = [];
    setLogLevel("info");
  });

  afterEach(() => {
    removers.forEach((remove) => remove());
    setLogLevel(savedLevel);
    setLogOutput(savedOutput);
  });

  function capture(minLevel?: "debug" | "info" | "warning" | "error"): LogRecord[] {
    const records: LogRecord[] = [];
    removers.push(addLogHandler((r) => records.push(r), minLevel));
    return records;
  }

  describe("formatLogRecord", () => {
    it("writes level letter, yymmdd time and module:line in brackets, then the message", () => {
      expect(formatLogRecord(record)).to.equal("[I 261124 15:20:01 web:2250] hello");
    });

    it("uses the letter of each level", () => {
      const letters = (["debug", "info", "warning", "error"] as const).map((level) => formatLogRecord({ ...record, level })[1]);
      expect(letters).to.deep.equal(["D", "I", "W", "E"]);
    });

    it("omits the line when it is unknown", () => {
      expect(formatLogRecord({ ...record, line: null })).to.equal("[I 261124 15:20:01 web] hello");
    });

    it("colours only the prefix when asked", () => {
      expect(formatLogRecord({ ...record, level: "error" }, true)).to.equal("\x1b[31m[E 261124 15:20:01 web:2250]\x1b[0m hello");
    });

    it("appends an error's stack, indenting every continuation line", () => {
      const err = new Error("boom");
      const text = formatLogRecord({ ...record, level: "error", error: err });
      const lines = text.split("\n");
      expect(lines[0]).to.equal("[E 261124 15:20:01 web:2250] hello");
      expect(lines[1]).to.equal("    Error: boom");
      expect(lines[2]).to.match(/^ {4}\s*at /);
      expect(lines.slice(1).every((l) => l.startsWith("    "))).to.equal(true);
    });
  });

  describe("Logger", () => {
    it("writes a formatted line naming the calling file and line", () => {
      appLog.info("started"); const line = lineOf(new Error());
      expect(written).to.have.length(1);
      expect(written[0]).to.match(new RegExp(`^\\[I \\d{6} \\d\\d:\\d\\d:\\d\\d log\\.spec:${line}\\] started\\n$`));
    });

    it("gives records the logger name, level, message and error", () => {
      const records = capture();
      const err = new TypeError("bad");
      genLog.warning("careful", err);
      expect(records).to.have.length(1);
      expect(records[0]).to.include({ logger: "tornado.general", level: "warning", message: "careful", error: err, module: "log.spec" });
    });

    it("prints the stack of an error logged with error()", () => {
      appLog.error("Uncaught exception", new Error("kaput"));
      expect(written[0]).to.match(/\] Uncaught exception\n {4}Error: kaput\n {4}\s*at /);
    });

    it("returns the same logger for the same name", () => {
      expect(getLogger("tornado.access")).to.equal(accessLog);
      expect(getLogger("mine").name).to.equal("mine");
    });
  });

  describe("setLogLevel", () => {
    it("writes only records at or above the level", () => {
      setLogLevel("warning");
      genLog.debug("d");
      genLog.info("i");
      genLog.warning("w");
      genLog.error("e");
      expect(written.map((s) => s.slice(1, 2))).to.deep.equal(["W", "E"]);
    });

    it("writes debug records at debug", () => {
      setLogLevel("debug");
      genLog.debug("d");
      expect(written).to.have.length(1);
    });

    it("writes nothing at none", () => {
      setLogLevel("none");
      genLog.error("e");
      expect(written).to.deep.equal([]);
      expect(getLogLevel()).to.equal("none");
    });

    it("rejects unknown levels", () => {
      expect(() => setLogLevel("loud" as LogLevelSetting)).to.throw(/unknown log level "loud"/);
      expect(getLogLevel()).to.equal("info");
    });
  });

  describe("addLogHandler", () => {
    it("receives records whatever the output level", () => {
      setLogLevel("none");
      const records = capture();
      genLog.debug("quiet");
      expect(records.map((r) => r.message)).to.deep.equal(["quiet"]);
      expect(written).to.deep.equal([]);
    });

    it("receives only records at or above its own minimum level", () => {
      const records = capture("warning");
      genLog.info("i");
      genLog.error("e");
      expect(records.map((r) => r.message)).to.deep.equal(["e"]);
    });

    it("stops receiving records once removed", () => {
      const records: LogRecord[] = [];
      const remove = addLogHandler((r) => records.push(r));
      genLog.info("one");
      remove();
      genLog.info("two");
      expect(records.map((r) => r.message)).to.deep.equal(["one"]);
    });

    describe("when a handler throws", () => {
      it("does not disturb the caller or other handlers and reports the failure", () => {
        removers.push(addLogHandler(() => { throw new Error("handler bug"); }));
        const records = capture();
        expect(() => genLog.info("x")).not.to.throw();
        expect(records).to.have.length(1);
        expect(written.join("")).to.include("log handler failed: Error: handler bug");
      });
    });
  });

  describe("log output colour", () => {
    it("is used when the output is a TTY", () => {
      output.isTTY = true;
      const saved = process.env.NO_COLOR;
      delete process.env.NO_COLOR;
      try {
        genLog.info("tty");
      } finally {
        if (saved !== undefined) process.env.NO_COLOR = saved;
      }
      expect(written[0]).to.match(/^\x1b\[32m\[I .*\]\x1b\[0m tty\n$/);
    });

    it("is not used otherwise", () => {
      genLog.info("pipe");
      expect(written[0]).not.to.include("\x1b");
    });
  });

  describe("logRequest", () => {
    const base = { method: "GET", uri: "/path?x=1", remoteIp: "127.0.0.1", requestTime: 0.00042 };

    it("writes the access line on the access logger", () => {
      const records = capture();
      logRequest({ ...base, status: 200 });
      expect(records[0]).to.include({ logger: "tornado.access", level: "info", message: "200 GET /path?x=1 (127.0.0.1) 0.42ms" });
      expect(written[0]).to.match(/^\[I \d{6} \d\d:\d\d:\d\d web\] 200 GET \/path\?x=1 \(127\.0\.0\.1\) 0\.42ms\n$/);
    });

    it("picks the level from the status", () => {
      const records = capture();
      for (const status of [200, 304, 399, 400, 404, 499, 500, 503]) logRequest({ ...base, status });
      expect(records.map((r) => r.level)).to.deep.equal(["info", "info", "info", "warning", "warning", "warning", "error", "error"]);
    });

    it("isAccessLogged says whether a status would be written at the current level", () => {
      setLogLevel("warning");
      expect([200, 304, 404, 500].map(isAccessLogged)).to.deep.equal([false, false, true, true]);
      setLogLevel("error");
      expect([404, 500].map(isAccessLogged)).to.deep.equal([false, true]);
      setLogLevel("info");
      expect(isAccessLogged(200)).to.equal(true);
    });

    it("formats the time in milliseconds with two decimals", () => {
      const records = capture();
      logRequest({ ...base, status: 200, requestTime: 1.5 });
      expect(records[0].message).to.match(/ 1500\.00ms$/);
    });
  });

  describe("defineLoggingOptions", () => {
    it("defines --logging on the global options", () => {
      expect(options.describe("logging")).to.include({ type: "string", default: "info", group: "logging" });
    });

    it("sets the log level when the option is parsed", () => {
      const parser = new OptionParser();
      defineLoggingOptions(parser);
      parser.parseCommandLine(["--logging=warning"]);
      expect(getLogLevel()).to.equal("warning");
      parser.logging = "error";
      expect(getLogLevel()).to.equal("error");
    });

    it("applies the default level, info, when the command line is parsed without --logging", () => {
      setLogLevel("warning");
      const parser = new OptionParser();
      defineLoggingOptions(parser);
      parser.parseCommandLine([]);
      expect(getLogLevel()).to.equal("info");
    });

    describe("before logging is configured", () => {
      it("writes warnings and errors but no info lines, as Tornado does", () => {
        // A fresh process: the level is module state that this run has already set.
        const script = `const log = require(${JSON.stringify(path.join(__dirname, "../src/log.js"))});
          log.logRequest({ status: 200, method: "GET", uri: "/ok", remoteIp: "127.0.0.1", requestTime: 0.001 });
          log.logRequest({ status: 404, method: "GET", uri: "/missing", remoteIp: "127.0.0.1", requestTime: 0.001 });`;
        const run = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
        expect(run.stderr).to.contain("404 GET /missing").and.not.contain("/ok");
      });
    });

    describe("when the level is not known", () => {
      it("throws naming the option and changes nothing", () => {
        const parser = new OptionParser();
        defineLoggingOptions(parser);
        expect(() => parser.parseCommandLine(["--logging=loud"])).to.throw(OptionError, /Option 'logging': unknown log level "loud"/);
        expect(getLogLevel()).to.equal("info");
        expect(parser.logging).to.equal("info");
      });
    });
  });
});
