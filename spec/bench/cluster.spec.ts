import { expect } from "chai";
import { existsSync } from "node:fs";
import { TINY } from "../../bench/lib/options";
import { runClusterScenario } from "../../bench/scenarios/cluster";
import { commandExists, needs } from "../support/services";

// Keeps the cluster scenario from rotting: nginx in front of 1 and 2 frontends answers, and every
// setup gets a rate; the numbers themselves belong to `npm run bench -- cluster`.
describe("bench: the cluster scenario", function () {
  this.timeout(120_000);

  it("measures tornado-ts and node:http directly and through nginx to 1 and 2 frontends, with the scaling ratio", async function () {
    needs(this, "wrk", commandExists("wrk"), "apt-get install -y wrk");
    needs(this, "nginx", existsSync("/usr/sbin/nginx"), "apt-get install -y nginx");
    const [table] = await runClusterScenario({ ...TINY, seconds: 1 });
    expect(table.rows.map((r) => r[0])).to.deep.equal(["tornado-ts", "node:http"]);
    for (const r of table.rows) {
      for (const cell of r.slice(1, 4)) expect(Number(String(cell).replace(/,/g, "")), `${r[0]}: ${r.join(" | ")}`).to.be.greaterThan(0);
      expect(String(r[4])).to.match(/^\d+\.\d\d×$/);
    }
    expect(table.note).to.include("No errors.");
  });
});
