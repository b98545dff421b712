import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import sinon from "sinon";
import { OptionError, OptionParser, define, options, parseDate, parseDuration } from "../src/options";

// The fixtures stay in the source tree; the compiled spec may run from dist/ or a private build folder.
function fixtureDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, "spec", "fixtures", "options");
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error("spec/fixtures/options not found above " + __dirname);
}

function lineOf(err: Error): number {
  return Number(/:(\d+):\d+\)?$/m.exec(err.stack!.split("\n")[1])![1]);
}

interface Harness {
  parser: OptionParser;
  output: string[];
  exit: sinon.SinonSpy<[number], void>;
}

function makeParser(): Harness {
  const output: string[] = [];
  const exit = sinon.spy((_code: number) => undefined);
  const parser = new OptionParser({ output: { write: (s: string) => output.push(s) }, exit, programName: "app" });
  return { parser, output, exit };
}

describe("OptionParser#define", () => {
  it("infers the type from the default", () => {
    const { parser } = makeParser();
    parser.define("port", { default: 8888 });
    parser.define("debug", { default: false });
    parser.define("name", { default: "x" });
    parser.define("since", { default: new Date(0) });
    parser.define("nothing");
    expect(["port", "debug", "name", "since", "nothing"].map((n) => parser.describe(n).type)).to.deep.equal([
      "number", "boolean", "string", "date", "string",
    ]);
  });

  it("accepts type names and constructors", () => {
    const { parser } = makeParser();
    parser.define("a", { type: Number });
    parser.define("b", { type: "boolean" });
    parser.define("c", { type: Date });
    parser.define("d", { type: "duration", default: "30s" });
    expect(parser.describe("a").type).to.equal("number");
    expect(parser.describe("b").type).to.equal("boolean");
    expect(parser.describe("c").type).to.equal("date");
    expect(parser.d).to.equal(30_000);
  });

  it("starts a multiple option without a default as an empty list", () => {
    const { parser } = makeParser();
    parser.define("ports", { type: Number, multiple: true });
    expect(parser.ports).to.deep.equal([]);
  });

  describe("when the name is already defined", () => {
    it("throws naming the file and line of the first definition", () => {
      const { parser } = makeParser();
      parser.define("port", { default: 1 }); const firstLine = lineOf(new Error());
      expect(() => parser.define("port", { default: 2 })).to.throw(
        OptionError,
        new RegExp(`Option 'port' already defined in \\S*options\\.spec\\.[tj]s:${firstLine}$`),
      );
    });

    it("treats _ and - as the same character", () => {
      const { parser } = makeParser();
      parser.define("log_file", {});
      expect(() => parser.define("log-file", {})).to.throw(OptionError, /'log-file' already defined/);
    });

    it("reports the caller of the global define too", () => {
      define("foundation-spec-probe", { default: 1 }); const firstLine = lineOf(new Error());
      expect(() => define("foundation_spec_probe")).to.throw(OptionError, new RegExp(`options\\.spec\\.[tj]s:${firstLine}$`));
      expect(options.foundation_spec_probe).to.equal(1);
    });
  });

  it("rejects a default of the wrong type", () => {
    const { parser } = makeParser();
    expect(() => parser.define("port", { type: Number, default: "eighty" })).to.throw(OptionError, /'port' has a bad default.*not a number/);
    expect(() => parser.define("ports", { multiple: true, default: 80 })).to.throw(OptionError, /must be an array/);
  });

  it("rejects names that would hide parser methods", () => {
    const { parser } = makeParser();
    expect(() => parser.define("define")).to.throw(OptionError, /collides/);
    expect(() => parser.define("--x")).to.throw(OptionError, /not a valid flag name/);
  });
});

describe("OptionParser option properties", () => {
  it("reads values by name with _ and - interchangeable", () => {
    const { parser } = makeParser();
    parser.define("log-file-prefix", { default: "/tmp/x" });
    expect(parser.log_file_prefix).to.equal("/tmp/x");
    expect(parser["log-file-prefix"]).to.equal("/tmp/x");
    expect("log_file_prefix" in parser).to.equal(true);
    expect("other" in parser).to.equal(false);
  });

  it("sets a value of the right type and calls the callback", () => {
    const callback = sinon.spy();
    const { parser } = makeParser();
    parser.define("port", { default: 80, callback });
    parser.port = 8080;
    expect(parser.port).to.equal(8080);
    expect(callback.calledOnceWithExactly(8080)).to.equal(true);
  });

  describe("when the value has the wrong type", () => {
    it("throws naming the option and keeps the old value", () => {
      const { parser } = makeParser();
      parser.define("port", { default: 80 });
      expect(() => { parser.port = "8080"; }).to.throw(OptionError, /Option 'port' is required to be a number \(string "8080" given\)/);
      expect(parser.port).to.equal(80);
    });

    it("checks every element of a multiple option", () => {
      const { parser } = makeParser();
      parser.define("ports", { type: Number, multiple: true });
      expect(() => { parser.ports = [1, "2"]; }).to.throw(OptionError, /'ports' is required to be a number list/);
      expect(() => { parser.ports = 1; }).to.throw(OptionError, /list of number/);
    });
  });

  it("throws when setting an option that was never defined", () => {
    const { parser } = makeParser();
    expect(() => { parser.prot = 1; }).to.throw(OptionError, /Unrecognized option 'prot'/);
    expect(() => parser.get("prot")).to.throw(OptionError, /Unrecognized option 'prot'/);
  });

  it("lists values with asDict and groupDict", () => {
    const { parser } = makeParser();
    parser.define("a", { default: 1, group: "g" });
    parser.define("b", { default: "x" });
    expect(parser.asDict()).to.deep.equal({ help: undefined, a: 1, b: "x" });
    expect(parser.groupDict("g")).to.deep.equal({ a: 1 });
  });
});

describe("OptionParser#parseCommandLine", () => {
  let h: Harness;
  beforeEach(() => {
    h = makeParser();
    h.parser.define("port", { default: 80 });
    h.parser.define("host", { default: "localhost" });
    h.parser.define("debug", { default: false });
    h.parser.define("since", { type: Date });
    h.parser.define("timeout", { type: "duration" });
    h.parser.define("workers", { type: Number, multiple: true });
    h.parser.define("tags", { multiple: true });
  });

  it("parses --name=value by type", () => {
    h.parser.parseCommandLine(["--port=8080", "--host=0.0.0.0", "--timeout=1h 30m"]);
    expect(h.parser.port).to.equal(8080);
    expect(h.parser.host).to.equal("0.0.0.0");
    expect(h.parser.timeout).to.equal(90 * 60_000);
  });

  it("accepts --name value for options that take a value", () => {
    expect(h.parser.parseCommandLine(["--port", "81", "-host", "h", "rest"])).to.deep.equal(["rest"]);
    expect(h.parser.port).to.equal(81);
    expect(h.parser.host).to.equal("h");
  });

  it("treats a bare --flag as true for booleans", () => {
    h.parser.parseCommandLine(["--debug"]);
    expect(h.parser.debug).to.equal(true);
  });

  it("reads false, 0 and f in any case as false and anything else as true", () => {
    for (const word of ["false", "FALSE", "0", "f", "F"]) {
      h.parser.parseCommandLine([`--debug=${word}`]);
      expect(h.parser.debug, word).to.equal(false);
    }
    h.parser.parseCommandLine(["--debug=yes"]);
    expect(h.parser.debug).to.equal(true);
  });

  it("treats - and _ in names alike", () => {
    h.parser.define("log_to_stderr", { default: false });
    h.parser.parseCommandLine(["--log-to-stderr"]);
    expect(h.parser.log_to_stderr).to.equal(true);
  });

  describe("when a non-boolean option has no value", () => {
    it("throws saying a value is needed", () => {
      expect(() => h.parser.parseCommandLine(["--port"])).to.throw(OptionError, /'port' requires a value/);
      expect(() => h.parser.parseCommandLine(["--port", "--debug"])).to.throw(OptionError, /'port' requires a value/);
    });
  });

  describe("when a value does not parse", () => {
    it("throws naming the option", () => {
      expect(() => h.parser.parseCommandLine(["--port=eighty"])).to.throw(OptionError, /Option 'port': "eighty" is not a number/);
      expect(() => h.parser.parseCommandLine(["--timeout=5 parsecs"])).to.throw(OptionError, /Option 'timeout'.*not a duration/);
      expect(() => h.parser.parseCommandLine(["--since=2024-02-30"])).to.throw(OptionError, /Option 'since'.*not a date/);
    });
  });

  it("stops at the first non-option and returns the rest", () => {
    expect(h.parser.parseCommandLine(["--port=1", "serve", "--port=2"])).to.deep.equal(["serve", "--port=2"]);
    expect(h.parser.port).to.equal(1);
  });

  it("stops after -- and returns what follows", () => {
    expect(h.parser.parseCommandLine(["--debug", "--", "--port=2", "x"])).to.deep.equal(["--port=2", "x"]);
    expect(h.parser.port).to.equal(80);
  });

  it("treats a lone - as the first positional argument", () => {
    expect(h.parser.parseCommandLine(["-", "--debug"])).to.deep.equal(["-", "--debug"]);
  });

  describe("with a multiple option", () => {
    it("splits on commas", () => {
      h.parser.parseCommandLine(["--tags=a,b,,c"]);
      expect(h.parser.tags).to.deep.equal(["a", "b", "", "c"]);
    });

    it("expands integer ranges, inclusive at both ends", () => {
      h.parser.parseCommandLine(["--workers=1:3,7,10:11"]);
      expect(h.parser.workers).to.deep.equal([1, 2, 3, 7, 10, 11]);
    });

    it("rejects empty and huge ranges instead of hanging", () => {
      expect(() => h.parser.parseCommandLine(["--workers=3:1"])).to.throw(OptionError, /range 3:1 is empty/);
      expect(() => h.parser.parseCommandLine(["--workers=0:1000000000000"])).to.throw(OptionError, /too large/);
    });

    it("parses an empty value as an empty list", () => {
      h.parser.parseCommandLine(["--workers="]);
      expect(h.parser.workers).to.deep.equal([]);
    });
  });

  describe("when the option is unknown", () => {
    it("throws naming it, followed by the usage text", () => {
      expect(() => h.parser.parseCommandLine(["--prot=1"])).to.throw(OptionError, /^Unrecognized command line option: 'prot'\n\nUsage: app \[OPTIONS\][^]*--port/);
    });
  });

  describe("with --help", () => {
    it("prints the usage to the output and exits 0", () => {
      expect(h.parser.parseCommandLine(["--help", "--port=1"])).to.deep.equal([]);
      expect(h.output.join("")).to.match(/^Usage: app \[OPTIONS\]/);
      expect(h.exit.calledOnceWithExactly(0)).to.equal(true);
      expect(h.parser.port).to.equal(80);
    });
  });

  it("calls an option's callback with the parsed value", () => {
    const callback = sinon.spy();
    h.parser.define("level", { default: "info", callback });
    h.parser.parseCommandLine(["--level=debug"]);
    expect(callback.calledOnceWithExactly("debug")).to.equal(true);
  });

  describe("when an option's callback throws", () => {
    it("throws naming the option and keeps the previous value", () => {
      h.parser.define("mode", { default: "a", callback: (v) => { if (v !== "a" && v !== "b") throw new Error("use a or b"); } });
      expect(() => h.parser.parseCommandLine(["--mode=z"])).to.throw(OptionError, /Option 'mode': use a or b/);
      expect(h.parser.mode).to.equal("a");
    });
  });

  it("runs the parse callbacks unless final is false", () => {
    const done = sinon.spy();
    h.parser.addParseCallback(done);
    h.parser.parseCommandLine(["--debug"], { final: false });
    expect(done.called).to.equal(false);
    h.parser.parseCommandLine([]);
    expect(done.calledOnce).to.equal(true);
  });
});

describe("parseDate", () => {
  it("reads dates and date-times without a zone as local time", () => {
    expect(parseDate("2024-01-31").getTime()).to.equal(new Date(2024, 0, 31).getTime());
    expect(parseDate("2024-01-31 10:20").getTime()).to.equal(new Date(2024, 0, 31, 10, 20).getTime());
    expect(parseDate("20240131T10:20:30.5").getTime()).to.equal(new Date(2024, 0, 31, 10, 20, 30, 500).getTime());
  });

  it("applies Z and numeric offsets", () => {
    expect(parseDate("2024-01-31T10:20:30Z").toISOString()).to.equal("2024-01-31T10:20:30.000Z");
    expect(parseDate("2024-01-31T01:00:00+02:00").toISOString()).to.equal("2024-01-30T23:00:00.000Z");
    expect(parseDate("2024-01-31T23:30-0130").toISOString()).to.equal("2024-02-01T01:00:00.000Z");
  });

  it("reads years below 100 as written", () => {
    expect(parseDate("0050-06-01T00:00:00Z").getUTCFullYear()).to.equal(50);
  });

  it("rejects impossible dates and other text", () => {
    for (const bad of ["2023-02-29", "2024-13-01", "2024-01-01T24:00", "yesterday", ""]) {
      expect(() => parseDate(bad), bad).to.throw(/not a date/);
    }
  });
});

describe("parseDuration", () => {
  it("converts units to milliseconds", () => {
    expect(parseDuration("1h 30m")).to.equal(5_400_000);
    expect(parseDuration("500ms")).to.equal(500);
    expect(parseDuration("2d")).to.equal(172_800_000);
    expect(parseDuration("45s")).to.equal(45_000);
    expect(parseDuration("1w")).to.equal(604_800_000);
    expect(parseDuration("1.5 minutes")).to.equal(90_000);
    expect(parseDuration("250us")).to.equal(0.25);
  });

  it("reads a bare number as seconds", () => {
    expect(parseDuration("45")).to.equal(45_000);
  });

  it("rejects unknown units and empty text", () => {
    expect(() => parseDuration("5 parsecs")).to.throw(/not a duration/);
    expect(() => parseDuration("h")).to.throw(/not a duration/);
    expect(() => parseDuration(" ")).to.throw(/empty duration/);
  });
});

describe("OptionParser#helpText", () => {
  let text: string;
  before(() => {
    const { parser } = makeParser();
    parser.define("port", { default: 8888, help: "run on the given port", metavar: "PORT" });
    parser.define("timeout", { type: "duration", default: "1h 30m", help: "request timeout" });
    parser.define("ports", { type: Number, multiple: true, default: [1, 2], group: "cluster" });
    parser.define("verbose-name-that-is-really-quite-long", {
      default: "",
      help: "a description long enough that it has to be wrapped onto a second line of the help output",
    });
    text = parser.helpText();
  });

  it("starts with the usage line and the help option", () => {
    expect(text).to.match(/^Usage: app \[OPTIONS\]\n\nOptions:\n\n {2}--help {27}show this help information\n/);
  });

  it("shows flags with their metavar, help and default", () => {
    expect(text).to.include("  --port=PORT                      run on the given port (default 8888)\n");
    expect(text).to.include("(default 1h 30m)");
    expect(text).to.include("--ports                          (default 1,2)");
  });

  it("groups options under their group, by default the defining file", () => {
    expect(text).to.match(/\n\ncluster options:\n\n {2}--ports/);
    expect(text).to.match(/\n\n\S*options\.spec\.[tj]s options:\n\n {2}--port=PORT/);
  });

  it("does not show empty defaults", () => {
    expect(text).not.to.include("(default )");
  });

  it("puts a long flag on its own line and wraps long help at 44 columns", () => {
    const lines = text.split("\n");
    const at = lines.indexOf("  --verbose-name-that-is-really-quite-long");
    expect(at).to.be.greaterThan(0);
    expect(lines[at + 1]).to.match(/^ {35}a description/);
    for (const line of lines.slice(at + 1, at + 4)) expect(line.trim().length).to.be.at.most(44);
  });

  it("is what printHelp writes", () => {
    const { parser, output } = makeParser();
    parser.printHelp();
    expect(output.join("")).to.equal(parser.helpText());
  });
});

describe("OptionParser#parseConfigFile", () => {
  let h: Harness;
  let tmp: string;
  beforeEach(() => {
    h = makeParser();
    h.parser.define("port", { default: 80 });
    h.parser.define("host_name", { default: "localhost" });
    h.parser.define("debug", { default: false });
    h.parser.define("timeout", { type: "duration", default: 0 });
    h.parser.define("workers", { type: Number, multiple: true });
    h.parser.define("tags", { multiple: true });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "options-spec-"));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  describe("with a JSON file", () => {
    it("sets defined options, parsing strings like the command line, and ignores other keys", () => {
      h.parser.parseConfigFile(path.join(fixtureDir(), "config.json"));
      expect(h.parser.asDict()).to.deep.equal({
        help: undefined, port: 8000, "host-name": "example.com", debug: true, timeout: 90_000, workers: [1, 2, 3, 8], tags: ["a", "b"],
      });
    });

    it("throws naming the option and file when a value has the wrong type", () => {
      const file = path.join(fixtureDir(), "wrong-type.json");
      expect(() => h.parser.parseConfigFile(file)).to.throw(OptionError, /'port' is required to be a number \(boolean given\) in .*wrong-type\.json/);
    });

    it("throws naming the file when it is not an object", () => {
      expect(() => h.parser.parseConfigFile(path.join(fixtureDir(), "not-an-object.json"))).to.throw(OptionError, /must contain an object/);
    });

    it("throws naming the file when the JSON is malformed", () => {
      const file = path.join(tmp, "bad.json");
      fs.writeFileSync(file, '{ "port": ');
      expect(() => h.parser.parseConfigFile(file)).to.throw(OptionError, /Cannot read config file .*bad\.json/);
    });
  });

  describe("with a JS module", () => {
    it("reads the exported object", () => {
      h.parser.parseConfigFile(path.join(fixtureDir(), "config.cjs"));
      expect(h.parser.port).to.equal(9000);
      expect(h.parser.host_name).to.equal("js.example.com");
      expect(h.parser.timeout).to.equal(250);
    });

    it("reads a default export and picks up edits on the next read", () => {
      const file = path.join(tmp, "conf.js");
      fs.writeFileSync(file, 'exports.__esModule = true; exports.default = { port: 1 };');
      h.parser.parseConfigFile(file);
      expect(h.parser.port).to.equal(1);
      fs.writeFileSync(file, "module.exports = { port: 2 };");
      h.parser.parseConfigFile(file);
      expect(h.parser.port).to.equal(2);
    });
  });

  it("throws naming the file when it does not exist", () => {
    expect(() => h.parser.parseConfigFile(path.join(tmp, "missing.json"))).to.throw(OptionError, /Cannot read config file .*missing\.json/);
  });

  it("runs the parse callbacks unless final is false", () => {
    const done = sinon.spy();
    h.parser.addParseCallback(done);
    h.parser.parseConfigFile(path.join(fixtureDir(), "config.json"), { final: false });
    expect(done.called).to.equal(false);
    h.parser.parseConfigFile(path.join(fixtureDir(), "config.json"));
    expect(done.calledOnce).to.equal(true);
  });
});
