import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { exampleDir } from "../../examples/assets";
import { NGINX, renderNginxConfig } from "../../examples/deploy/layout";
import { needs } from "../support/services";

describe("examples/deploy/nginx.conf", () => {
  it("renders with every placeholder filled in, comments left as written", () => {
    const text = renderNginxConfig({ prefix: "/tmp/p", user: "nobody", listen: "127.0.0.1:8080", upstreams: [8000, 8001], staticPath: "/srv/static" });
    const directives = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(directives).not.to.match(/@[A-Z_]+@/);
    expect(directives).to.include("server 127.0.0.1:8000 max_fails=0;\n        server 127.0.0.1:8001 max_fails=0;");
    expect(directives).to.include("alias /srv/static/;");
    expect(text).to.include("@UPSTREAMS@"); // still documented in the header comment
  });

  it("is accepted by nginx -t", function () {
    needs(this, "nginx", existsSync(NGINX), "apt-get install -y nginx");
    const prefix = mkdtempSync(path.join(os.tmpdir(), "nginx-conf-spec-"));
    try {
      for (const dir of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(prefix, dir));
      writeFileSync(path.join(prefix, "nginx.conf"), renderNginxConfig({
        prefix, user: os.userInfo().username, listen: "127.0.0.1:18080", upstreams: [18000, 18001], staticPath: path.join(exampleDir("chat"), "static"),
      }));
      const check = spawnSync(NGINX, ["-t", "-p", prefix, "-c", path.join(prefix, "nginx.conf")], { encoding: "utf8" });
      expect(check.status, check.stderr).to.equal(0);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
