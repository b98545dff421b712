import { expect } from "chai";
import { Finish, HTTPError, MissingArgumentError } from "../../src/web/errors";

describe("HTTPError", () => {
  it("carries the status, the log message and a readable message", () => {
    const err = new HTTPError(404, "no story 7");
    expect([err.statusCode, err.status, err.logMessage, err.reason]).to.deep.equal([404, 404, "no story 7", undefined]);
    expect(err.message).to.equal("HTTP 404: Not Found (no story 7)");
    expect(err).to.be.instanceOf(Error);
  });

  it("uses a custom reason in its message", () => {
    expect(new HTTPError(429, undefined, { reason: "Slow Down" }).message).to.equal("HTTP 429: Slow Down");
  });

  it("names an unknown status Unknown", () => {
    expect(new HTTPError(599).message).to.equal("HTTP 599: Unknown");
  });

  it("does not %-format the log message", () => {
    expect(new HTTPError(400, "100% %s wrong").logMessage).to.equal("100% %s wrong");
  });

  it("defaults to 500", () => {
    expect(new HTTPError().statusCode).to.equal(500);
  });
});

describe("MissingArgumentError", () => {
  it("is a 400 HTTPError saying which argument is missing", () => {
    const err = new MissingArgumentError("title");
    expect(err).to.be.instanceOf(HTTPError);
    expect([err.statusCode, err.argName, err.message, err.logMessage]).to.deep.equal([400, "title", "Missing argument title", "Missing argument title"]);
  });
});

describe("Finish", () => {
  it("carries an optional last chunk", () => {
    expect(new Finish("bye").chunk).to.equal("bye");
    expect(new Finish().chunk).to.equal(undefined);
  });
});
