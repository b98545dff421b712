import { expect } from "chai";
import { SafeString } from "../../src/escape";
import type { HTTPServerRequest } from "../../src/httputil";
import { DictLoader } from "../../src/template";
import { UIModule, bindUiModules, type UIModuleHost } from "../../src/web/uimodule";

const PAGE = "<html><head><title>t</title></head><body><p>x</p></body></html>";

function host(extra: Partial<UIModuleHost> = {}): UIModuleHost & { staticCalls: string[] } {
  const staticCalls: string[] = [];
  return {
    request: { path: "/" } as HTTPServerRequest,
    staticUrl: (path: string) => {
      staticCalls.push(path);
      return `/static/${path}?v=1`;
    },
    renderString: () => "",
    staticCalls,
    ...extra,
  };
}

class Alpha extends UIModule {
  static created = 0;
  constructor(handler: UIModuleHost) {
    super(handler);
    Alpha.created++;
  }
  override render(name: string): string { return `<a>${name}</a>`; }
  override cssFiles(): string[] { return ["a.css", "shared.css"]; }
  override javascriptFiles(): string { return "a.js"; }
  override embeddedCss(): string { return ".a{}"; }
  override embeddedJavascript(): string { return "alpha();"; }
  override htmlHead(): string { return "<meta name=a>"; }
  override htmlBody(): string { return "<div id=a></div>"; }
}

class Beta extends UIModule {
  override render(): SafeString { return new SafeString("<b>"); }
  override cssFiles(): string[] { return ["shared.css", "/abs/b.css", "//cdn.example/b.css", "https://x.example/b.css"]; }
  override javascriptFiles(): string[] { return ["b.js", "a.js", "http://x.example/b.js"]; }
  override embeddedJavascript(): string { return "beta();"; }
}

describe("bindUiModules", () => {
  beforeEach(() => { Alpha.created = 0; });

  describe("modules", () => {
    it("returns each module's render output as a SafeString", () => {
      const { modules } = bindUiModules(host(), { Alpha, Beta });
      const a = modules.Alpha("<x>");
      expect(a).to.be.instanceOf(SafeString);
      expect(String(a)).to.equal("<a><x></a>");
      expect(String(modules.Beta())).to.equal("<b>");
    });

    it("creates one instance per module class per page", () => {
      const { modules } = bindUiModules(host(), { Alpha });
      modules.Alpha("1");
      modules.Alpha("2");
      expect(Alpha.created).to.equal(1);
      bindUiModules(host(), { Alpha }).modules.Alpha("3");
      expect(Alpha.created).to.equal(2);
    });

    it("throws when a module does not override render", () => {
      class Empty extends UIModule {}
      expect(() => bindUiModules(host(), { Empty }).modules.Empty()).to.throw("Empty must override render()");
    });
  });

  describe("injectResources", () => {
    it("leaves the page alone when no module was used", () => {
      expect(bindUiModules(host(), { Alpha }).injectResources(PAGE)).to.equal(PAGE);
    });

    it("puts CSS before </head> and JavaScript before </body>, de-duplicated in first-use order", () => {
      const h = host();
      const { modules, injectResources } = bindUiModules(h, { Alpha, Beta });
      modules.Beta();
      modules.Alpha("x");
      modules.Beta();
      expect(injectResources(PAGE)).to.equal(
        "<html><head><title>t</title>" +
        '<link href="/static/shared.css?v=1" type="text/css" rel="stylesheet"/>' +
        '<link href="/abs/b.css" type="text/css" rel="stylesheet"/>' +
        '<link href="//cdn.example/b.css" type="text/css" rel="stylesheet"/>' +
        '<link href="https://x.example/b.css" type="text/css" rel="stylesheet"/>' +
        '<link href="/static/a.css?v=1" type="text/css" rel="stylesheet"/>\n' +
        '<style type="text/css">\n.a{}\n</style>\n' +
        "<meta name=a>\n" +
        "</head><body><p>x</p>" +
        '<script src="/static/b.js?v=1" type="text/javascript"></script>' +
        '<script src="/static/a.js?v=1" type="text/javascript"></script>' +
        '<script src="http://x.example/b.js" type="text/javascript"></script>\n' +
        '<script type="text/javascript">\n//<![CDATA[\nbeta();\nalpha();\n//]]>\n</script>\n' +
        "<div id=a></div>\n" +
        "</body></html>",
      );
      expect(h.staticCalls).to.deep.equal(["shared.css", "a.css", "b.js", "a.js"]);
    });

    it("escapes resource URLs in attributes", () => {
      class Quote extends UIModule {
        override render(): string { return ""; }
        override javascriptFiles(): string { return '/x".js'; }
      }
      const { modules, injectResources } = bindUiModules(host(), { Quote });
      modules.Quote();
      expect(injectResources("<body></body>")).to.equal('<body><script src="/x&quot;.js" type="text/javascript"></script>\n</body>');
    });

    it("skips the head part when the page has no </head>", () => {
      const { modules, injectResources } = bindUiModules(host(), { Alpha });
      modules.Alpha("x");
      expect(injectResources("<p>fragment</p>")).to.equal("<p>fragment</p>");
    });
  });

  describe("built-in modules", () => {
    it("linkify links and escapes text", () => {
      const { modules } = bindUiModules(host(), {});
      expect(String(modules.linkify("<http://a.example>"))).to.equal('&lt;<a href="http://a.example">http://a.example</a>&gt;');
    });

    it("xsrf_form_html returns the host's hidden input, or nothing without XSRF support", () => {
      const input = '<input type="hidden" name="_xsrf" value="v"/>';
      expect(String(bindUiModules(host({ xsrfFormHtml: () => new SafeString(input) }), {}).modules.xsrf_form_html())).to.equal(input);
      expect(String(bindUiModules(host(), {}).modules.xsrf_form_html())).to.equal("");
    });

    it("Template renders a template file and collects the resources it sets", () => {
      const loader = new DictLoader({
        "box.html": '{{ set_resources(embedded_css=".box{}", javascript_files=["box.js"]) }}<div>{{ label }}</div>',
      });
      const h = host({ renderString: (name, kwargs) => loader.load(name).generate(kwargs) });
      const { modules, injectResources } = bindUiModules(h, {});
      expect(String(modules.Template("box.html", { label: "<1>" }))).to.equal("<div>&lt;1&gt;</div>");
      modules.Template("box.html", { label: "2" });
      expect(injectResources(PAGE)).to.equal(
        '<html><head><title>t</title><style type="text/css">\n.box{}\n</style>\n</head><body><p>x</p>' +
        '<script src="/static/box.js?v=1" type="text/javascript"></script>\n</body></html>',
      );
    });

    it("lets an application module replace a built-in of the same name", () => {
      class MyLinkify extends UIModule {
        override render(): string { return "mine"; }
      }
      expect(String(bindUiModules(host(), { linkify: MyLinkify }).modules.linkify("x"))).to.equal("mine");
    });
  });

  describe("from a template", () => {
    it("is called with {{ modules.X() }} and {% module X() %} without double escaping", () => {
      const { modules } = bindUiModules(host(), { Alpha });
      const loader = new DictLoader({ "p.html": "{{ modules.Alpha('<i>') }}|{% module Alpha('y') %}" });
      expect(loader.load("p.html").generate({ modules })).to.equal("<a><i></a>|<a>y</a>");
    });
  });
});
