import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clearTranslations, loadTranslations, type Locale } from "../../src/locale";
import { DictLoader } from "../../src/template";
import { Application } from "../../src/web/application";
import { Route } from "../../src/web/decorators";
import { RequestHandler } from "../../src/web/handler";
import { UIModule } from "../../src/web/uimodule";
import { runHandler } from "../../src/testing";

describe("RequestHandler#render", () => {
  const templates = new DictLoader({
    "hello.html": "<p>Hello, {{ name }}!</p>",
    "ns.html": "{{ current_user }}|{{ request.path }}|{{ handler.constructor.name }}|{{ locale.code }}|{{ _('Hi') }}",
    "xsrf.html": "{% raw xsrf_form_html() %}",
    "url.html": "{{ reverse_url('item', 5) }}",
    "method.html": "{{ shout('hey') }}",
    "page.html": "<html><head></head><body>{% module Box('x') %}</body></html>",
  });

  class Hello extends RequestHandler {
    async get(): Promise<void> {
      await this.render("hello.html", { name: "<world>" });
    }
  }

  it("finishes with the rendered template, autoescaped", async () => {
    const res = await runHandler(Hello, { settings: { templateLoader: templates } });
    expect(res.body).to.equal("<p>Hello, &lt;world&gt;!</p>");
  });

  it("records the template and its arguments for tests", async () => {
    const res = await runHandler(Hello, { settings: { templateLoader: templates } });
    expect(res.rendered).to.deep.equal({ template: "hello.html", kwargs: { name: "<world>" } });
  });

  it("gives templates current_user, request, handler, locale and _", async () => {
    @Route("/some/path")
    class Ns extends RequestHandler {
      async get(): Promise<void> {
        await this.render("ns.html");
      }
    }
    const res = await runHandler(Ns, { uri: "/some/path", currentUser: "ben", settings: { templateLoader: templates } });
    expect(res.body).to.equal("ben|/some/path|Ns|en_US|Hi");
  });

  it("gives templates xsrf_form_html", async () => {
    class Xsrf extends RequestHandler {
      async get(): Promise<void> {
        await this.render("xsrf.html");
      }
    }
    const res = await runHandler(Xsrf, { settings: { templateLoader: templates } });
    expect(res.body).to.match(/^<input type="hidden" name="_xsrf" value="2\|/);
    expect(res.cookies._xsrf).to.not.equal(undefined);
  });

  it("gives templates reverse_url", async () => {
    class Item extends RequestHandler {
      get(): void {}
    }
    class Url extends RequestHandler {
      async get(): Promise<void> {
        await this.render("url.html");
      }
    }
    const application = new Application([["/item/([0-9]+)", Item, undefined, "item"]], { templateLoader: templates });
    expect((await runHandler(Url, { application })).body).to.equal("/item/5");
  });

  it("gives templates the uiMethods, called with the handler first", async () => {
    class Method extends RequestHandler {
      async get(): Promise<void> {
        await this.render("method.html");
      }
    }
    const shout = (handler: RequestHandler, text: string): string => `${text.toUpperCase()} from ${handler.request.path}`;
    const res = await runHandler(Method, { uri: "/m", settings: { templateLoader: templates, uiMethods: { shout } as never } });
    expect(res.body).to.equal("HEY from /m");
  });

  it("renders UI modules and injects their resources", async () => {
    class Box extends UIModule {
      override render(text: string): string {
        return `<div class="box">${text}</div>`;
      }
      override embeddedCss(): string {
        return ".box { color: red }";
      }
    }
    class Page extends RequestHandler {
      async get(): Promise<void> {
        await this.render("page.html");
      }
    }
    const res = await runHandler(Page, { settings: { templateLoader: templates, uiModules: { Box } } });
    expect(res.body).to.contain('<div class="box">x</div>');
    expect(res.body).to.match(/<style type="text\/css">\n\.box \{ color: red \}\n<\/style>\n<\/head>/);
  });

  it("throws after finish", async () => {
    let message = "";
    class Late extends RequestHandler {
      get(): void {
        this.finish();
        try {
          void this.render("hello.html");
        } catch (err) {
          message = (err as Error).message;
        }
      }
    }
    await runHandler(Late, { settings: { templateLoader: templates } });
    expect(message).to.equal("Cannot render() after finish()");
  });

  describe("with templatePath", () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-ts-render-"));
      fs.writeFileSync(path.join(dir, "t.html"), "v1 {{ x }}");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    class FromDisk extends RequestHandler {
      async get(): Promise<void> {
        await this.render("t.html", { x: 1 });
      }
    }

    it("loads templates from the folder, cached per application", async () => {
      const application = new Application([], { templatePath: dir });
      expect((await runHandler(FromDisk, { application })).body).to.equal("v1 1");
      fs.writeFileSync(path.join(dir, "t.html"), "v2 {{ x }}");
      expect((await runHandler(FromDisk, { application })).body).to.equal("v1 1");
      fs.writeFileSync(path.join(dir, "t.html"), "v1 {{ x }}");
    });

    it("reloads templates on every render in debug mode", async () => {
      const application = new Application([], { templatePath: dir, debug: true });
      expect((await runHandler(FromDisk, { application })).body).to.equal("v1 1");
      fs.writeFileSync(path.join(dir, "t.html"), "v3 {{ x }}");
      expect((await runHandler(FromDisk, { application })).body).to.equal("v3 1");
      fs.writeFileSync(path.join(dir, "t.html"), "v1 {{ x }}");
    });
  });
});

describe("RequestHandler#staticUrl", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-ts-static-"));
    fs.writeFileSync(path.join(dir, "app.css"), "body {}");
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  class Urls extends RequestHandler {
    get(): void {
      this.write({ plain: this.staticUrl("app.css"), host: this.staticUrl("app.css", true, false) });
    }
  }

  it("builds a versioned URL under the static prefix", async () => {
    const res = await runHandler(Urls, { headers: { Host: "example.com" }, settings: { staticPath: dir } });
    const urls = res.json<{ plain: string; host: string }>();
    expect(urls.plain).to.match(/^\/static\/app\.css\?v=[0-9a-f]+$/);
    expect(urls.host).to.equal("http://example.com/static/app.css");
  });

  it("fails with a message naming staticPath when it is not set", async () => {
    const res = await runHandler(Urls);
    expect(res.status).to.equal(500);
    expect((res.error as Error).message).to.contain("'staticPath'");
  });
});

describe("RequestHandler#locale", () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tornado-ts-locale-"));
    fs.writeFileSync(path.join(dir, "es_ES.csv"), '"Hi","Hola"\n');
    fs.writeFileSync(path.join(dir, "fr_FR.csv"), '"Hi","Salut"\n');
    loadTranslations(dir);
  });
  after(() => {
    clearTranslations();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  class Greeting extends RequestHandler {
    get(): void {
      this.write(`${this.locale.code} ${this.locale.translate("Hi")}`);
    }
  }

  it("picks the best Accept-Language match by q-value", async () => {
    const res = await runHandler(Greeting, { headers: { "Accept-Language": "fr-FR;q=0.5, es-ES;q=0.9, de" } });
    expect(res.body).to.equal("es_ES Hola");
  });

  it("ignores languages with q=0", async () => {
    const res = await runHandler(Greeting, { headers: { "Accept-Language": "es-ES;q=0, fr-FR;q=0.1" } });
    expect(res.body).to.equal("fr_FR Salut");
  });

  it("falls back to en_US without the header", async () => {
    expect((await runHandler(Greeting)).body).to.equal("en_US Hi");
  });

  it("prefers getUserLocale", async () => {
    class UserChoice extends Greeting {
      override getUserLocale(): Locale | null {
        return this.getBrowserLocale("fr_FR");
      }
    }
    expect((await runHandler(UserChoice, { headers: { "Accept-Language": "es-ES" } })).body).to.equal("es_ES Hola");
    expect((await runHandler(UserChoice)).body).to.equal("fr_FR Salut");
  });
});
