import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { addLogHandler, formatLogRecord, type LogRecord } from "../../src/log";
import { NameError } from "../../src/template/errors";
import { DictLoader } from "../../src/template/loader";
import { Template } from "../../src/template/template";
import { startTestServer, type TestServer } from "../../src/testing";
import { RequestHandler } from "../../src/web/handler";

describe("Template names that nothing defines (Tornado's NameError)", () => {
  it("throws NameError naming the variable, the template and the line", () => {
    const template = new Template("<h1>\n{{ titel }}</h1>", { name: "page.html" });
    expect(() => template.generate({ title: "Home" })).to.throw(NameError, "name 'titel' is not defined (in template page.html:2)");
  });

  for (const [what, source] of [
    ["printed raw", "{% raw titel %}"],
    ["tested by if", "{% if titel %}yes{% end %}"],
    ["looped over", "{% for x in titel %}{{ x }}{% end %}"],
    ["read a property of", "{{ titel.length }}"],
    ["passed to a namespace function", "{{ xhtml_escape(titel) }}"],
  ]) {
    it(`throws when the name is ${what}`, () => {
      expect(() => new Template(source).generate({})).to.throw(NameError, /titel/);
    });
  }

  it("throws from an included template with the included file's line", () => {
    const loader = new DictLoader({ "base.html": "a\n{% include 'part.html' %}", "part.html": "\n\n{{ missing }}" });
    expect(() => loader.load("base.html").generate({})).to.throw(NameError, "(in template part.html:3)");
  });

  it("renders a name given as undefined or null as empty text", () => {
    expect(new Template("[{{ a }}|{{ b }}]").generate({ a: undefined, b: null })).to.equal("[|]");
  });

  it("leaves names that are only assigned, looped or never reached alone", () => {
    const source = "{% set x = 2 %}{{ x }}{% for item in [1] %}{{ item }}{% end %}{% if False %}{{ nowhere }}{% end %}";
    expect(new Template(source).generate({})).to.equal("21");
  });

  it("still reads the loader's namespace and JavaScript globals", () => {
    const loader = new DictLoader({ "t.html": "{{ site }} {{ Math.max(1, 2) }} {{ len([1]) }}" }, { namespace: { site: "S" } });
    expect(loader.load("t.html").generate({})).to.equal("S 2 1");
  });
});

describe("A handler rendering a template with an undefined name, over HTTP", () => {
  let server: TestServer;
  let dir: string;
  let records: LogRecord[];
  let removeLog: () => void;

  class Page extends RequestHandler {
    async get(): Promise<void> {
      await this.render("page.html", { title: "Home" });
    }
  }

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-names-"));
    fs.writeFileSync(path.join(dir, "page.html"), "<html>\n<h1>{{ titel }}</h1>\n</html>\n");
    server = await startTestServer([["/", Page]], { settings: { templatePath: dir } });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    records = [];
    removeLog = addLogHandler((r) => records.push(r), "error");
  });
  afterEach(() => removeLog());

  it("answers 500 (not an empty page with 200) and logs the name, template and line once", async () => {
    const response = await server.fetch("/");
    expect(response.status).to.equal(500);
    expect(await response.text()).not.to.contain("<h1></h1>");
    const appRecords = records.filter((r) => r.logger === "tornado.application");
    expect(appRecords).to.have.length(1);
    const logged = formatLogRecord(appRecords[0]);
    expect(logged).to.contain("name 'titel' is not defined");
    expect(logged.split("page.html:2")).to.have.length(2); // the location appears exactly once
  });
});
