import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultSecretFile, loadOrCreateSecret } from "../../examples/chat/secret";

describe("examples/chat's cookie secret file", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "chat-secret-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("defaultSecretFile", () => {
    it("lives under $XDG_STATE_HOME when it is an absolute path", () => {
      expect(defaultSecretFile({ XDG_STATE_HOME: "/srv/state" })).to.equal("/srv/state/tornado-ts/chat-cookie-secret");
    });

    it("falls back to ~/.local/state without it, or when it is relative (as the XDG spec says)", () => {
      const fallback = path.join(os.homedir(), ".local", "state", "tornado-ts", "chat-cookie-secret");
      expect(defaultSecretFile({})).to.equal(fallback);
      expect(defaultSecretFile({ XDG_STATE_HOME: "relative/state" })).to.equal(fallback);
    });
  });

  describe("loadOrCreateSecret", () => {
    it("creates a random secret readable only by its owner, in a folder it creates", () => {
      const file = path.join(dir, "nested", "tornado-ts", "chat-cookie-secret");
      const secret = loadOrCreateSecret(file);
      expect(secret).to.have.length.of.at.least(32);
      expect(fs.readFileSync(file, "utf8").trim()).to.equal(secret);
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
      expect(fs.statSync(path.dirname(file)).mode & 0o777).to.equal(0o700);
      expect(fs.readdirSync(path.dirname(file))).to.deep.equal(["chat-cookie-secret"]);
    });

    it("returns the same secret on the next start, and a different one for another file", () => {
      const file = path.join(dir, "secret");
      const first = loadOrCreateSecret(file);
      expect(loadOrCreateSecret(file)).to.equal(first);
      expect(loadOrCreateSecret(path.join(dir, "other"))).to.not.equal(first);
    });

    it("keeps a secret the user wrote, trimmed of its newline", () => {
      const file = path.join(dir, "secret");
      fs.writeFileSync(file, "x".repeat(40) + "\n");
      expect(loadOrCreateSecret(file)).to.equal("x".repeat(40));
    });

    it("refuses a file too short to be a secret, naming it and the fix", () => {
      const file = path.join(dir, "secret");
      fs.writeFileSync(file, "short\n");
      expect(() => loadOrCreateSecret(file)).to.throw(Error, file).with.property("message").that.contains("delete the file");
    });
  });
});
