import { expect } from "chai";
import { makeApplication } from "../../examples/walkthrough/app";
import { startTestServer, type TestServer } from "../../src/testing";
import { BrowserLikeClient } from "../support/cookiejar";

describe("examples/walkthrough", () => {
  let server: TestServer;
  let client: BrowserLikeClient;

  before(async () => {
    const app = makeApplication();
    server = await startTestServer(app);
    app.settings.feedUrl = server.url("/api/feed/bret");
  });
  after(() => server.close());
  beforeEach(() => {
    client = new BrowserLikeClient(server.url(""));
  });

  describe("templates", () => {
    it("renders the seed's template with escaped items, versioned static URLs and a UI module", async () => {
      const res = await client.fetch("/");
      const html = await res.text();
      expect(res.status).to.equal(200);
      expect(html).to.contain("<title>My title</title>").and.contain("<li>Item 1</li>");
      expect(html).to.match(/href="\/static\/site\.css\?v=[0-9a-f]+"/);
      expect(html.match(/<div class="entry">/g)).to.have.length(3);
      expect(html.match(/\.entry \{ margin-bottom: 1em; \}/g), "module CSS once, in the head").to.have.length(1);
      expect(html.indexOf(".entry {")).to.be.lessThan(html.indexOf("</head>"));
      expect(html).to.contain('<a href="/story/1">');
    });
  });

  describe("request handlers and arguments", () => {
    it("passes the story id from the URL as a number", async () => {
      expect(await (await client.fetch("/story/42")).text()).to.equal("You requested the story 42 (the number after it is 43)");
    });

    it("answers 404 for a story id that is not a number", async () => {
      expect((await client.fetch("/story/abc")).status).to.equal(404);
    });

    it("echoes a posted form field when the XSRF token matches", async () => {
      expect(await (await client.fetch("/form")).text()).to.contain('name="_xsrf"');
      const res = await client.postForm("/form", { message: "hi <there>" });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal("You wrote hi <there>");
      expect(res.headers.get("content-type")).to.match(/^text\/plain/);
    });

    it("refuses a POST without the XSRF token with 403", async () => {
      await client.fetch("/form");
      expect((await client.postForm("/form", { message: "x" }, false)).status).to.equal(403);
    });

    it("answers an HTTPError(403) thrown by the handler with 403", async () => {
      expect((await client.fetch("/admin")).status).to.equal(403);
    });
  });

  describe("cookies", () => {
    it("sets a plain cookie on the first visit and sees it on the second", async () => {
      expect(await (await client.fetch("/cookie")).text()).to.equal("Your cookie was not set yet!");
      expect(await (await client.fetch("/cookie")).text()).to.equal("Your cookie was set!");
    });

    it("reads back its own signed cookie but not a forged one", async () => {
      expect(await (await client.fetch("/secure-cookie")).text()).to.equal("Your cookie was not set yet!");
      expect(await (await client.fetch("/secure-cookie")).text()).to.equal("Your cookie was set!");
      client.cookies.set("mycookie", client.cookies.get("mycookie")!.replace(/.$/, (c) => (c === "0" ? "1" : "0")));
      expect(await (await client.fetch("/secure-cookie")).text()).to.equal("Your cookie was not set yet!");
    });
  });

  describe("user authentication", () => {
    it("redirects an anonymous GET of an @Authenticated page to the login URL with next", async () => {
      const res = await client.fetch("/hello");
      expect(res.status).to.equal(302);
      expect(res.headers.get("location")).to.equal("/login?next=%2Fhello");
    });

    it("greets the user by the escaped nickname after signing in", async () => {
      await client.fetch("/login");
      const login = await client.postForm("/login", { name: "<ann>", next: "/hello" });
      expect(login.status).to.equal(302);
      expect(login.headers.get("location")).to.equal("/hello");
      expect(await (await client.fetch("/hello")).text()).to.equal("Hello, &lt;ann&gt;");
    });
  });

  describe("asynchronous requests", () => {
    it("finishes an @Asynchronous request from a callback", async () => {
      expect(await (await client.fetch("/async")).text()).to.equal("Fetched 3 entries from the FriendFeed API");
    });

    it("finishes an async/await request when its promise settles", async () => {
      expect(await (await client.fetch("/async-await")).text()).to.equal("Fetched 3 entries");
    });

    it("answers 500 when the fetched API fails, in both forms", async () => {
      const app = makeApplication({ feedUrl: server.url("/api/feed/NOPE") });
      const broken = await startTestServer(app);
      try {
        expect((await broken.fetch("/async")).status).to.equal(500);
        expect((await broken.fetch("/async-await")).status).to.equal(500);
      } finally {
        await broken.close();
      }
    });
  });

  describe("localization", () => {
    it("speaks English by default, with plurals and a relative date", async () => {
      const html = await (await client.fetch("/localized")).text();
      expect(html).to.contain('<p id="liked">3 people liked this</p>');
      expect(html).to.contain('<p id="posted">Posted: 5 minutes ago</p>');
      expect(html).to.contain("<title>tornado-ts - Home</title>");
    });

    it("translates for a Spanish Accept-Language through the CSV catalogue", async () => {
      const res = await client.fetch("/localized", { headers: { "Accept-Language": "de;q=0.2, es-LA;q=0.9" } });
      const html = await res.text();
      expect(html).to.contain('<p id="code">es_LA</p>');
      expect(html).to.contain('<p id="liked">A 3 personas les gustó esto</p>');
      expect(html).to.contain('<p id="posted">Publicado: hace 5 minutos</p>');
    });

    it("adds the UI module's JavaScript once, before </body>", async () => {
      const html = await (await client.fetch("/localized?lang=en_US")).text();
      expect(html.match(/data-ready/g)).to.have.length(1);
      expect(html.indexOf("data-ready")).to.be.greaterThan(html.indexOf("localized entry"));
      expect(html.indexOf("data-ready")).to.be.lessThan(html.indexOf("</body>"));
    });
  });

  describe("static files", () => {
    it("serves robots.txt from the static folder", async () => {
      const res = await client.fetch("/robots.txt");
      expect(res.status).to.equal(200);
      expect(await res.text()).to.contain("User-agent");
    });

    it("sends ten-year cache headers for a versioned static URL", async () => {
      const html = await (await client.fetch("/")).text();
      const url = /href="(\/static\/site\.css\?v=[0-9a-f]+)"/.exec(html)![1];
      const res = await client.fetch(url);
      expect(res.status).to.equal(200);
      expect(res.headers.get("cache-control")).to.equal("max-age=315360000");
      expect(await res.text()).to.contain("font-family");
    });
  });
});
