import { expect } from "chai";
import { SafeString } from "../../src/escape";
import type { HTTPServerRequest } from "../../src/httputil";
import { Loader, Template } from "../../src/template";
import { UIModule, bindUiModules, type UIModuleHost } from "../../src/web/uimodule";
import { templateFixtures } from "./fixtures";

// The templates of the seed README (sections Templates, XSRF, Static files, Localization,
// UI modules), copied verbatim into spec/fixtures/templates/seed, rendered byte for byte.

const XSRF = '<input type="hidden" name="_xsrf" value="2|ab12|cd34|1700000000"/>';
const FRENCH: Record<string, string> = { "Sign in": "Se connecter", Username: "Nom d'utilisateur", Password: "Mot de passe", Home: "Accueil" };

interface SeedEntry { title: string; comments: string[] }

class Entry extends UIModule {
  override embeddedCss(): string {
    return ".entry { margin-bottom: 1em; }";
  }

  override render(entry: SeedEntry, opts: { show_comments?: boolean } = {}): string {
    return this.renderString("module-entry.html", { entry, show_comments: opts.show_comments ?? false });
  }
}

function seedHost(): { host: UIModuleHost; render: (name: string, kwargs?: Record<string, unknown>) => string; inject: (html: string) => string } {
  const loader = new Loader(`${templateFixtures()}/seed`);
  const request = { path: "/login" } as HTTPServerRequest;
  const namespace = {
    request,
    _: (message: string) => FRENCH[message] ?? message,
    static_url: (path: string) => `/static/${path}?v=aae54`,
    xsrf_form_html: () => new SafeString(XSRF),
  };
  let modules: Record<string, unknown> = {};
  const host: UIModuleHost = {
    request,
    staticUrl: (path) => `/static/${path}`,
    renderString: (name, kwargs = {}) => loader.load(name).generate({ ...namespace, modules, ...kwargs }),
  };
  const binding = bindUiModules(host, { Entry });
  modules = binding.modules;
  return { host, render: host.renderString, inject: binding.injectResources };
}

describe("Seed README templates", () => {
  describe("the Templates section's template.html", () => {
    it("renders the title and the escaped items", () => {
      const html = seedHost().render("template.html", { title: "My title", items: ["Item 1", "Item 2", "Item <3>"] });
      expect(html).to.equal(
        "<html>\n<head>\n<title>My title</title>\n</head>\n<body>\n<ul>\n" +
        "\n<li>Item 1</li>\n\n<li>Item 2</li>\n\n<li>Item &lt;3&gt;</li>\n" +
        "\n</ul>\n</body>\n</html>\n",
      );
    });
  });

  describe("the XSRF section's form", () => {
    it("includes the hidden input unescaped", () => {
      expect(seedHost().render("xsrf.html")).to.equal(
        '<form action="/login" method="post">\n' + XSRF + "\n" +
        '<div>Username: <input type="text" name="username"/></div>\n' +
        '<div>Password: <input type="password" name="password"/></div>\n' +
        '<div><input type="submit" value="Sign in"/></div>\n</form>\n',
      );
    });
  });

  describe("the Static files section's page", () => {
    it("translates the title and versions the image URL", () => {
      expect(seedHost().render("static.html")).to.equal(
        "<html>\n<head>\n<title>FriendFeed - Accueil</title>\n</head>\n<body>\n" +
        '<div><img src="/static/images/logo.png?v=aae54"/></div>\n</body>\n</html>\n',
      );
    });
  });

  describe("the Localization section's page", () => {
    it("translates every string and escapes the translations", () => {
      expect(seedHost().render("localized.html")).to.equal(
        "<html>\n<head>\n<title>FriendFeed - Se connecter</title>\n</head>\n<body>\n" +
        '<form action="/login" method="post">\n' +
        '<div>Nom d&#39;utilisateur <input type="text" name="username"/></div>\n' +
        '<div>Mot de passe <input type="password" name="password"/></div>\n' +
        '<div><input type="submit" value="Se connecter"/></div>\n' + XSRF + "\n</form>\n</body>\n</html>\n",
      );
    });

    it("supports the plural form with Python % formatting", () => {
      const t = new Template('{{ _("A person liked this", "%(num)d people liked this", len(people)) % {"num": len(people)} }}');
      const _ = (one: string, many: string, n: number) => (n === 1 ? one : many);
      expect(t.generate({ _, people: ["a", "b", "c"] })).to.equal("3 people liked this");
      expect(t.generate({ _, people: ["a"] })).to.equal("A person liked this");
    });
  });

  describe("the UI modules section's templates", () => {
    const entries: SeedEntry[] = [{ title: "First & best", comments: ["a", "b"] }, { title: "Second", comments: [] }];

    it("renders home.html with one module call per entry", () => {
      expect(seedHost().render("home.html", { entries })).to.equal(
        '\n<div class="entry">\n<h2>First &amp; best</h2>\n\n</div>\n\n' +
        '\n<div class="entry">\n<h2>Second</h2>\n\n</div>\n\n\n',
      );
    });

    it("renders entry.html with show_comments=True passed as a keyword", () => {
      expect(seedHost().render("entry.html", { entry: entries[0] })).to.equal(
        '<div class="entry">\n<h2>First &amp; best</h2>\n<p class="comments">2 comments</p>\n</div>\n\n',
      );
    });

    it("puts the module's CSS in the head once, however often it is used", () => {
      const seed = seedHost();
      const html = seed.inject(seed.render("page.html", { title: "Blog", entries }));
      expect(html).to.equal(
        "<html>\n<head><title>Blog</title>" +
        '<style type="text/css">\n.entry { margin-bottom: 1em; }\n</style>\n</head>\n<body>\n' +
        '\n<div class="entry">\n<h2>First &amp; best</h2>\n\n</div>\n\n' +
        '\n<div class="entry">\n<h2>Second</h2>\n\n</div>\n\n' +
        "\n</body>\n</html>\n",
      );
    });
  });
});
