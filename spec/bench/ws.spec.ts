import { expect } from "chai";
import { TINY } from "../../bench/lib/options";
import { runWsScenario } from "../../bench/scenarios/ws";

// Keeps the WebSocket scenario from rotting: it runs both servers and produces numbers, nothing more.
describe("bench: the ws scenario", function () {
  this.timeout(120_000);

  it("measures echo round trips, memory per idle socket and a broadcast for tornado-ts, ws and the net.Socket floor", async () => {
    const [echo, standing] = await runWsScenario({ ...TINY, seconds: 0.3 });
    expect(echo.rows.map((r) => r[0])).to.deep.equal(["tornado-ts", "ws on node:http", "bare net.Socket (floor)"]);
    for (const r of echo.rows) {
      expect(Number(String(r[1]).replace(/,/g, ""))).to.be.greaterThan(0);
      expect(Number(r[3]), `CPU per round trip of ${r[0]}`).to.satisfy(Number.isFinite);
    }
    for (const r of standing.rows) {
      expect(Number(r[2]), `KB/socket of ${r[0]}`).to.satisfy(Number.isFinite);
      expect(Number(r[3]), `broadcast of ${r[0]}`).to.be.greaterThan(0);
    }
    expect(standing.goals).to.have.length(3);
  });
});
