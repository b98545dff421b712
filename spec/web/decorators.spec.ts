import { expect } from "chai";
import {
  AddSlash, Asynchronous, Authenticated, PathArgs, RemoveSlash, Route, UiModule, XsrfExempt,
} from "../../src/web/decorators";
import {
  METADATA_SYMBOL, getDecoratedMethods, getParamTypes, getPathArgTypes, getRoutes, getSlashPolicy, getUiModuleName,
  isAsynchronous, isAuthenticated, isXsrfExempt,
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

describe("@PathArgs", () => {
  const upper = (raw: string): string => raw.toUpperCase();

  class Converted {
    @PathArgs(Number, upper)
    get(id: number, slug: string): void {
      void id;
      void slug;
    }
  }

  class Bare {
    @PathArgs
    get(id: number): void {
      void id;
    }
  }

  it("records the converters it is given, in order", () => {
    expect(getPathArgTypes(Converted, "get")).to.deep.equal({ source: "explicit", types: [Number, upper] });
  });

  it("bare, falls back to the design-time parameter types", () => {
    expect(getPathArgTypes(Bare, "get")).to.deep.equal({ source: "design", types: [Number] });
  });

  it("is null for a method without recorded types", () => {
    expect(getPathArgTypes(class Plain { get(): void {} }, "get")).to.equal(null);
  });

  it("needs at least one converter when called", () => {
    expect(() => PathArgs()).to.throw(TypeError, "@PathArgs(Number, String)");
  });

  it("refuses a converter that is not a function, naming its position", () => {
    expect(() => PathArgs(Number, "x" as unknown as (raw: string) => unknown)).to.throw(TypeError, /converter 2 is "x"/);
  });

  it("refuses a class as a converter, saying how to wrap it", () => {
    class Slug {}
    expect(() => PathArgs(Slug as unknown as (raw: string) => unknown)).to.throw(TypeError, "(raw) => new Slug(raw)");
  });

  it("bare, refuses a method with no recorded parameter types (a compiler without emitDecoratorMetadata)", () => {
    const proto = { get(): void {} };
    const descriptor = Object.getOwnPropertyDescriptor(proto, "get")!;
    expect(() => PathArgs(proto, "get", descriptor)).to.throw(TypeError, "emitDecoratorMetadata");
  });
});

describe("decorators used where they cannot act (legacy mode)", () => {
  it("refuse a static method", () => {
    expect(() => {
      class H {
        @Authenticated
        static get(): void {}
      }
      void H;
    }).to.throw(TypeError, "@Authenticated cannot decorate the static member get");
  });

  it("refuse a property, saying where they belong", () => {
    const call = () => (Authenticated as (t: object, k: string, d: undefined) => void)({}, "secret", undefined);
    expect(call).to.throw(TypeError, /the property or accessor secret: it belongs on a handler class .* or an instance verb method/);
  });

  it("refuse a parameter", () => {
    const call = () => (Asynchronous as unknown as (t: object, k: string, i: number) => void)({}, "get", 0);
    expect(call).to.throw(TypeError, "cannot decorate a parameter of get()");
  });

  it("refuse a class when they only decorate methods", () => {
    expect(() => (PathArgs(Number) as (cls: object) => void)(class Named {})).to.throw(TypeError, "the class Named");
  });

  it("refuse being called with parentheses they do not take", () => {
    expect(() => (Authenticated as () => void)()).to.throw(TypeError, "@Authenticated, not @Authenticated()");
  });
});

describe("decorators in standard (TC39) mode", () => {
  // What TypeScript and esbuild hand a standard decorator: the value and a context whose metadata
  // object inherits from the base class's, exposed afterwards as cls[Symbol.metadata].
  const context = (kind: string, name: string, metadata: object, extra: object = {}) =>
    ({ kind, name, metadata, static: false, private: false, addInitializer() {}, ...extra }) as never;
  type Decorator = (value: unknown, context: never) => void;

  function define<C extends abstract new (...args: never[]) => unknown>(
    cls: C, base: object | null, decorate: (metadata: object) => void,
  ): C {
    const metadata = Object.create(base) as object;
    decorate(metadata);
    Object.defineProperty(cls, METADATA_SYMBOL, { value: metadata });
    return cls;
  }

  class Guarded {
    get(): void {}
    post(): void {}
  }
  define(Guarded, null, (m) => {
    (Route("/guarded") as Decorator)(Guarded, context("class", "Guarded", m));
    (Authenticated as Decorator)(Guarded, context("class", "Guarded", m));
  });

  class Mixed {
    get(): void {}
    post(): void {}
  }
  define(Mixed, null, (m) => {
    (Authenticated as Decorator)(Mixed.prototype.get, context("method", "get", m));
    (Asynchronous as Decorator)(Mixed.prototype.get, context("method", "get", m));
    (PathArgs(Number) as Decorator)(Mixed.prototype.get, context("method", "get", m));
  });

  it("polyfills Symbol.metadata", () => {
    expect(typeof (Symbol as unknown as { metadata: unknown }).metadata).to.equal("symbol");
  });

  it("record class-level @Route and @Authenticated on context.metadata", () => {
    expect(getRoutes(Guarded).map((r) => r.pattern)).to.deep.equal(["/guarded"]);
    expect(isAuthenticated(Guarded, "post")).to.equal(true);
  });

  it("inherit class-level flags but not routes", () => {
    class Sub extends Guarded {
      override get(): void {}
    }
    define(Sub, (Guarded as unknown as Record<symbol, object>)[METADATA_SYMBOL], () => {});
    expect(isAuthenticated(Sub, "get")).to.equal(true);
    expect(getRoutes(Sub)).to.deep.equal([]);
  });

  it("record method flags for that method only", () => {
    expect([isAuthenticated(Mixed, "get"), isAsynchronous(Mixed, "get")]).to.deep.equal([true, true]);
    expect([isAuthenticated(Mixed, "post"), isAsynchronous(Mixed, "post")]).to.deep.equal([false, false]);
    expect(getPathArgTypes(Mixed, "get")).to.deep.equal({ source: "explicit", types: [Number] });
  });

  it("keep method flags with the method: an override without the decorator drops them", () => {
    class Kept extends Mixed {}
    class Overridden extends Mixed {
      override get(): void {}
    }
    define(Overridden, (Mixed as unknown as Record<symbol, object>)[METADATA_SYMBOL], () => {});
    expect(isAuthenticated(Kept, "get")).to.equal(true);
    expect(isAuthenticated(Overridden, "get")).to.equal(false);
  });

  it("refuse a field, a static method and a private method", () => {
    const m = {};
    expect(() => (Authenticated as Decorator)(undefined, context("field", "secret", m))).to.throw(TypeError, "the field secret");
    expect(() => (Authenticated as Decorator)(() => {}, context("method", "get", m, { static: true }))).to.throw(TypeError, "static method get()");
    expect(() => (Authenticated as Decorator)(() => {}, context("method", "#get", m, { private: true }))).to.throw(TypeError, "private");
  });

  it("refuse bare @PathArgs, naming the converter form", () => {
    expect(() => (PathArgs as Decorator)(() => {}, context("method", "get", {}))).to.throw(TypeError, "@PathArgs(Number, String)");
  });

  it("refuse a context without a metadata object, saying which compiler adds one", () => {
    const bare = { kind: "class", name: "X", addInitializer() {} } as never;
    expect(() => (Authenticated as Decorator)(class X {}, bare)).to.throw(TypeError, "TypeScript 5.2 or later");
  });
});

describe("getDecoratedMethods", () => {
  class Base {
    @Authenticated
    get(): void {}
    @XsrfExempt
    helper(): void {}
  }
  class Sub extends Base {
    override get(): void {}
    @Asynchronous
    post(): void {}
  }

  it("lists the methods a class runs that carry decorators, with the decorators' names", () => {
    expect(getDecoratedMethods(Sub)).to.deep.equal([
      { method: "post", decorators: ["@Asynchronous"] },
      { method: "helper", decorators: ["@XsrfExempt"] },
    ]);
  });
});
