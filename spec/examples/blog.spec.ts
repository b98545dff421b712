import { expect } from "chai";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { makeBlogApplication } from "../../examples/blog/app";
import type { BlogStore } from "../../examples/blog/store";
import type { Connection } from "../../src/database";
import { startTestServer, type TestServer } from "../../src/testing";
import { BACKENDS, reachable, uniqueTable } from "../database/backends";
import { BrowserLikeClient } from "../support/cookiejar";
import { needs } from "../support/services";

const PASSWORD = "correct horse battery";

for (const backend of BACKENDS.filter((b) => b.name !== "SQLite in memory")) {
  describe(`examples/blog over HTTP on ${backend.name}`, function () {
    this.timeout(60_000);
    let server: TestServer;
    let db: Connection;
    let store: BlogStore;

    before(async function () {
      needs(this, backend.name, await reachable(backend), backend.howToStart);
      const blog = await makeBlogApplication({ database: backend.url(), tablePrefix: uniqueTable("blog") + "_" });
      db = blog.db;
      store = blog.store;
      server = await startTestServer(blog.app);
    });
    after(async () => {
      await server?.close();
      await store?.dropSchema().catch(() => undefined);
      await db?.close();
      backend.cleanup();
    });

    async function signIn(email: string, password = PASSWORD, name = ""): Promise<{ client: BrowserLikeClient; res: Response }> {
      const client = new BrowserLikeClient(server.url(""));
      await client.fetch("/auth/login");
      const res = await client.postForm("/auth/login", { email, password, name, next: "/compose" });
      return { client, res };
    }

    async function compose(client: BrowserLikeClient, fields: Record<string, string>): Promise<string> {
      const res = await client.postForm("/compose", fields);
      expect(res.status, await res.clone().text()).to.equal(302);
      return res.headers.get("location")!;
    }

    it("shows an empty blog and sends compose to the sign-in page", async () => {
      const client = new BrowserLikeClient(server.url(""));
      expect(await (await client.fetch("/")).text()).to.contain("Nothing here yet").and.match(/href="\/static\/blog\.css\?v=[0-9a-f]+"/);
      const res = await client.fetch("/compose");
      expect(res.status).to.equal(302);
      expect(res.headers.get("location")).to.equal("/auth/login?next=%2Fcompose");
    });

    it("makes the first person to sign in the author, and no one after", async () => {
      const first = await signIn("Writer@Example.com", PASSWORD, "Wren Writer");
      expect(first.res.status).to.equal(302);
      expect(first.res.headers.get("location")).to.equal("/compose");
      expect((await first.client.fetch("/compose")).status).to.equal(200);
      const author = await store.authorByEmail("writer@example.com");
      expect(author!.name).to.equal("Wren Writer");
      expect(author!.hashed_password).to.match(/^\$argon2id\$/);
      expect(author!.hashed_password).to.not.contain(PASSWORD);

      const other = await signIn("someone@example.com");
      expect(other.res.status).to.equal(403);
      expect(await other.res.text()).to.contain("already has its author");
      const wrong = await signIn("writer@example.com", "not the password");
      expect(wrong.res.status).to.equal(403);
      expect((await signIn("writer@example.com")).res.status).to.equal(302);
    });

    it("refuses a compose form posted without the XSRF token", async () => {
      const { client } = await signIn("writer@example.com");
      const res = await client.postForm("/compose", { title: "Forged", markdown: "x" }, false);
      expect(res.status).to.equal(403);
      expect(await store.bySlug("forged")).to.equal(null);
    });

    it("publishes a composed entry under a slug from its title, on its page, the home page and the archive", async () => {
      const { client } = await signIn("writer@example.com");
      const location = await compose(client, { title: "Hello, Wörld!", markdown: "Some *emphasis* and a [link](https://example.com/)." });
      expect(location).to.equal("/entry/hello-world");
      const page = await (await client.fetch(location)).text();
      expect(page).to.contain("<title>Hello, Wörld! &middot;").and.contain("<em>emphasis</em>").and.contain('<a href="https://example.com/">link</a>');
      const shown = /<time datetime="([0-9-]+T[0-9:.]+Z)">([A-Z][a-z]+ [0-9]{1,2}, [0-9]{4})<\/time>/.exec(page);
      expect(shown, "a <time> with the publication date").to.not.equal(null);
      expect(Date.now() - Date.parse(shown![1])).to.be.within(0, 60_000);
      expect(shown![2]).to.equal(new Date(shown![1]).toLocaleDateString("en-US", { month: "long", day: "numeric", year: "numeric", timeZone: "UTC" }));
      const anonymous = new BrowserLikeClient(server.url(""));
      expect(await (await anonymous.fetch("/")).text()).to.contain('<a href="/entry/hello-world">Hello, Wörld!</a>').and.not.contain("Edit</a>");
      expect(await (await anonymous.fetch("/archive")).text()).to.contain('<a href="/entry/hello-world">Hello, Wörld!</a>');
    });

    it("numbers the slug of a second entry with the same title", async () => {
      const { client } = await signIn("writer@example.com");
      expect(await compose(client, { title: "Twice", markdown: "one" })).to.equal("/entry/twice");
      expect(await compose(client, { title: "Twice", markdown: "two" })).to.equal("/entry/twice-2");
      expect(await (await client.fetch("/entry/twice-2")).text()).to.contain("<p>two</p>");
    });

    it("keeps an entry's slug when its title changes on edit", async () => {
      const { client } = await signIn("writer@example.com");
      await compose(client, { title: "First title", markdown: "before" });
      const entry = await store.bySlug("first-title");
      const form = await (await client.fetch(`/compose?id=${entry!.id}`)).text();
      expect(form).to.contain('value="First title"').and.contain(">before</textarea>");
      expect(await compose(client, { id: String(entry!.id), title: "A better title", markdown: "after" })).to.equal("/entry/first-title");
      const page = await (await client.fetch("/entry/first-title")).text();
      expect(page).to.contain("A better title").and.contain("<p>after</p>").and.not.contain("before");
    });

    it("neutralises HTML and javascript: links written in markdown", async () => {
      const { client } = await signIn("writer@example.com");
      const location = await compose(client, { title: "Sneaky", markdown: "<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror=alert(3)>" });
      const page = await (await client.fetch(location)).text();
      expect(page).to.contain("&lt;script&gt;alert(1)&lt;/script&gt;").and.contain("&lt;img src=x onerror=alert(3)&gt;");
      expect(page).to.not.match(/<script>alert|href="javascript:|<img src=x/);
    });

    it("answers 404 for an entry that does not exist and 400 for an empty entry", async () => {
      const { client } = await signIn("writer@example.com");
      expect((await client.fetch("/entry/no-such-entry")).status).to.equal(404);
      const res = await client.postForm("/compose", { title: "  ", markdown: "" });
      expect(res.status).to.equal(400);
      expect(await res.text()).to.contain("needs a title");
    });

    it("serves an Atom feed that parses, newest entry first, with the rendered HTML as content", async () => {
      const { client } = await signIn("writer@example.com");
      await compose(client, { title: "Feed me", markdown: "A **bold** claim & more" });
      const res = await new BrowserLikeClient(server.url("")).fetch("/feed");
      expect(res.headers.get("content-type")).to.equal("application/atom+xml; charset=UTF-8");
      const xml = await res.text();
      expect(XMLValidator.validate(xml)).to.equal(true);
      const feed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === "entry" || name === "link" }).parse(xml).feed;
      expect(feed["@_xmlns"]).to.equal("http://www.w3.org/2005/Atom");
      expect(feed.id).to.equal(server.url("/"));
      const newest = feed.entry[0];
      expect(newest.title["#text"]).to.equal("Feed me");
      expect(newest.id).to.equal(server.url("/entry/feed-me"));
      expect(newest.link[0]["@_href"]).to.equal(server.url("/entry/feed-me"));
      expect(newest.author.name).to.equal("Wren Writer");
      expect(new Date(newest.updated).getTime()).to.be.closeTo(Date.now(), 60_000);
      expect(newest.content["@_type"]).to.equal("html");
      expect(newest.content["#text"]).to.contain("<p>A <strong>bold</strong> claim &amp; more</p>");
      expect(xml).to.contain("&lt;strong&gt;bold&lt;/strong&gt; claim &amp;amp; more");
      expect(feed.entry.map((e: { title: { "#text": string } }) => e.title["#text"])).to.include("A better title");
    });
  });
}
