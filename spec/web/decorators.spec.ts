import { expect } from "chai";
import {
  AddSlash, Asynchronous, Authenticated, RemoveSlash, Route, UiModule, XsrfExempt,
} from "../../src/web/decorators";
import {
  getParamTypes, getRoutes, getSlashPolicy, getUiModuleName, isAsynchronous, isAuthenticated, isXsrfExempt,
} from "../../src/web/metadata";

describe("@Route", () => {
  @Route("/first", { name: "first" })
  @Route("/second/(\\d+)", { priority: 3 })
  @Route(/\/third/)
  class Multi {}

  it("records every route in the order written", () => {
    expect(getRoutes(Multi).map((r) => r.pattern)).to.deep.equal(["/first", "/second/(\\d+)", /\/third/]);
  });

  it("records each route's options", () => {
    expect(getRoutes(Multi).map((r) => r.options)).to.deep.equal([{ name: "first" }, { priority: 3 }, {}]);
  });

  it("copies the options so later changes don't leak in", () => {
    const options: { name?: string } = { name: "a" };
    @Route("/a", options)
    class A {}
    options.name = "changed";
    expect(getRoutes(A)[0].options.name).to.equal("a");
  });

  it("is not inherited by subclasses", () => {
    class Sub extends Multi {}
    expect(getRoutes(Sub)).to.deep.equal([]);
  });

  it("returns no routes for an undecorated class", () => {
    expect(getRoutes(class Plain {})).to.deep.equal([]);
  });

  describe("when the pattern is neither a string nor a RegExp", () => {
    it("throws a TypeError", () => {
      expect(() => Route(42 as unknown as string)).to.throw(TypeError, "string or RegExp");
    });
  });
});

describe("@Authenticated", () => {
  @Authenticated
  class Guarded {
    get(): void {}
    post(): void {}
  }

  class Mixed {
    @Authenticated
    get(): void {}
    post(): void {}
  }

  describe("on a class", () => {
    it("covers every verb", () => {
      expect(isAuthenticated(Guarded, "get")).to.equal(true);
      expect(isAuthenticated(Guarded, "post")).to.equal(true);
    });

    it("is inherited, even by overriding methods", () => {
      class Sub extends Guarded {
        override get(): void {}
      }
      expect(isAuthenticated(Sub, "get")).to.equal(true);
    });
  });

  describe("on a method", () => {
    it("covers only that method", () => {
      expect(isAuthenticated(Mixed, "get")).to.equal(true);
      expect(isAuthenticated(Mixed, "post")).to.equal(false);
    });

    it("still applies in a subclass that does not override the method", () => {
      class Sub extends Mixed {}
      expect(isAuthenticated(Sub, "get")).to.equal(true);
    });

    it("does not apply to an override without the decorator", () => {
      class Sub extends Mixed {
        override get(): void {}
      }
      expect(isAuthenticated(Sub, "get")).to.equal(false);
    });
  });

  it("is off for undecorated classes", () => {
    class Open {
      get(): void {}
    }
    expect(isAuthenticated(Open, "get")).to.equal(false);
  });
});

describe("@Asynchronous", () => {
  class Slow {
    @Asynchronous
    get(): void {}
    post(): void {}
  }

  it("marks only the decorated method", () => {
    expect(isAsynchronous(Slow, "get")).to.equal(true);
    expect(isAsynchronous(Slow, "post")).to.equal(false);
  });

  it("belongs to the method: an override without it is synchronous", () => {
    class Sub extends Slow {
      override get(): void {}
    }
    expect(isAsynchronous(Sub, "get")).to.equal(false);
  });

  it("refuses to decorate a class", () => {
    expect(() => (Asynchronous as (t: object) => void)(class X {})).to.throw(TypeError, "verb method");
  });
});

describe("@XsrfExempt", () => {
  @XsrfExempt
  class Api {
    post(): void {}
  }

  class Form {
    @XsrfExempt
    post(): void {}
    put(): void {}
  }

  it("on a class exempts every verb", () => {
    expect(isXsrfExempt(Api, "post")).to.equal(true);
  });

  it("on a method exempts only that method", () => {
    expect(isXsrfExempt(Form, "post")).to.equal(true);
    expect(isXsrfExempt(Form, "put")).to.equal(false);
  });
});

describe("@RemoveSlash / @AddSlash", () => {
  @RemoveSlash
  class NoSlash {}

  @AddSlash
  class WithSlash {}

  it("records the policy", () => {
    expect(getSlashPolicy(NoSlash)).to.equal("remove");
    expect(getSlashPolicy(WithSlash)).to.equal("add");
  });

  it("is inherited", () => {
    class Sub extends WithSlash {}
    expect(getSlashPolicy(Sub)).to.equal("add");
  });

  it("is undefined without a decorator", () => {
    expect(getSlashPolicy(class Plain {})).to.equal(undefined);
  });
});

describe("@UiModule", () => {
  @UiModule()
  class Entry {}

  @UiModule("Sidebar")
  class SidebarModule {}

  @UiModule
  class Bare {}

  it("defaults the name to the class name", () => {
    expect(getUiModuleName(Entry)).to.equal("Entry");
  });

  it("takes an explicit name", () => {
    expect(getUiModuleName(SidebarModule)).to.equal("Sidebar");
  });

  it("works without parentheses", () => {
    expect(getUiModuleName(Bare)).to.equal("Bare");
  });

  it("is not inherited", () => {
    class Sub extends Entry {}
    expect(getUiModuleName(Sub)).to.equal(undefined);
  });

  it("rejects an empty name", () => {
    expect(() => UiModule("")).to.throw(TypeError, "non-empty");
  });
});

describe("getParamTypes", () => {
  class Typed {
    @Asynchronous
    get(id: number, slug: string): void {
      void id;
      void slug;
    }
  }

  it("returns the design-time parameter types of a decorated method", () => {
    expect(getParamTypes(Typed, "get")).to.deep.equal([Number, String]);
  });

  it("returns [] for an unknown method", () => {
    expect(getParamTypes(Typed, "post")).to.deep.equal([]);
  });
});
