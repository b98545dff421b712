// The "Testing your handlers" example of README.md, kept runnable so the README can't drift.
import { expect } from "chai";
import * as sinon from "sinon";
import { Authenticated, RequestHandler, Route } from "../../src/web";
import { runHandler } from "../../src/testing";

interface Entry { id: number; title: string }
interface Store { find(id: number): Entry | null }

@Route("/entry/([0-9]+)")
class EntryHandler extends RequestHandler {
  private store!: Store;

  override initialize(init?: unknown): void {
    this.store = (init as { store: Store } | undefined)?.store ?? { find: () => null };
  }

  @Authenticated
  get(id: number): void {
    this.render("entry.html", { entry: this.store.find(id) });
  }

  @Authenticated
  post(): void {
    this.write("saved");
  }
}

describe("EntryHandler", () => {
  it("redirects anonymous readers to the login page", async () => {
    const res = await runHandler(EntryHandler, { uri: "/entry/7", settings: { loginUrl: "/login" } });
    expect(res.status).to.equal(302);
    expect(res.redirectedTo).to.equal("/login?next=%2Fentry%2F7");
  });

  it("refuses anonymous edits with 403", async () => {
    const res = await runHandler(EntryHandler, { method: "POST", uri: "/entry/7", body: "text=x" });
    expect(res.status).to.equal(403);
  });

  it("renders the entry it loads from the store", async () => {
    const store = { find: sinon.stub().returns({ id: 7, title: "Hi" }) };
    const res = await runHandler(EntryHandler, {
      uri: "/entry/7", init: { store }, currentUser: "ann",
      beforeRun: (handler) => void sinon.stub(handler, "renderString").returns("<html></html>"),
    });
    expect(store.find.calledOnceWithExactly(7)).to.equal(true);
    expect(res.rendered).to.deep.equal({ template: "entry.html", kwargs: { entry: { id: 7, title: "Hi" } } });
  });
});
