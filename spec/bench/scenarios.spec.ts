import { expect } from "chai";
import { parseDuration, parseWrkOutput } from "../../bench/lib/wrk";
import { TINY } from "../../bench/lib/options";
import { renderGoalSummary, renderTable, type Table } from "../../bench/lib/report";
import { SCENARIOS } from "../../bench/run";
import { commandExists, needs } from "../support/services";

// The benchmark scenarios run here with tiny durations so they can't rot. These specs check that
// each scenario runs and produces numbers; how big the numbers are is the benchmark's business.

const numeric = (cell: string | number) => Number(String(cell).replace(/[,×]/g, ""));

function firstNumberColumn(t: Table): number[] {
  return t.rows.map((r) => numeric(r[1]));
}

describe("bench", function () {
  this.timeout(120_000);

  describe("parseWrkOutput", () => {
    const sample = [
      "Running 1s test @ http://127.0.0.1:1/",
      "  Latency Distribution",
      "     50%  210.00us",
      "     99%    1.20ms",
      "  12345 requests in 1.00s, 1.2MB read",
      "  Non-2xx or 3xx responses: 3",
      "Requests/sec:  12345.67",
    ].join("\n");

    it("reads requests per second, percentiles and errors", () => {
      expect(parseWrkOutput(sample)).to.deep.equal({ requestsPerSec: 12345.67, p50Ms: 0.21, p99Ms: 1.2, requests: 12345, errors: 3 });
    });

    it("converts every latency unit wrk prints to milliseconds", () => {
      expect([parseDuration("500us"), parseDuration("2ms"), parseDuration("1.5s")]).to.deep.equal([0.5, 2, 1500]);
    });
  });

  describe("renderTable", () => {
    it("prints a Markdown table with its goals", () => {
      const text = renderTable({ title: "t", columns: ["a", "b"], rows: [["x", 1]], goals: ["g: met (1×)"] });
      expect(text).to.contain("| a | b |").and.contain("| x | 1 |").and.contain("- g: met (1×)");
    });
  });

  describe("renderGoalSummary", () => {
    it("lists every met / NOT met goal under its table's title and skips informational lines", () => {
      const text = renderGoalSummary([
        { title: "hello", columns: ["a"], rows: [], goals: ["fast: NOT met (1.01×)", "share of the ceiling: 0.6×"] },
        { title: "templates", columns: ["a"], rows: [], goals: ["quick: met (0.92×)"] },
      ]);
      expect(text.split("\n").filter((l) => l.startsWith("| hello") || l.startsWith("| templates"))).to.deep.equal([
        "| hello | fast: NOT met (1.01×) |",
        "| templates | quick: met (0.92×) |",
      ]);
      expect(renderGoalSummary([{ title: "t", columns: [], rows: [] }])).to.equal("");
    });
  });

  for (const name of ["templates", "routing"]) {
    describe(`the ${name} scenario`, () => {
      it("runs and reports a positive rate for every row", async () => {
        const tables = await SCENARIOS[name]({ ...TINY, seconds: 0.2 });
        expect(tables).to.have.length.greaterThan(0);
        for (const t of tables) {
          expect(t.rows.length).to.be.greaterThan(1);
          for (const v of firstNumberColumn(t)) expect(v).to.be.greaterThan(0);
          expect(t.goals).to.have.length.greaterThan(0);
        }
      });
    });
  }

  describe("the client scenario", () => {
    it("measures AsyncHTTPClient, undici request and fetch against one server, with both goals", async () => {
      const [table] = await SCENARIOS.client({ ...TINY, seconds: 0.1 });
      expect(table.rows.map((r) => r[0])).to.deep.equal(["AsyncHTTPClient", "undici request", "fetch"]);
      for (const r of table.rows) expect(numeric(r[1]), String(r[0])).to.be.greaterThan(0);
      expect(table.goals).to.have.length(2);
    });
  });

  for (const name of ["hello", "json", "static", "standing"]) {
    describe(`the ${name} scenario`, () => {
      it("starts tornado-ts and node:http, loads them, and reports numbers for both", async function () {
        needs(this, "wrk", commandExists("wrk"), "apt-get install -y wrk");
        const tables = await SCENARIOS[name]({ ...TINY, only: ["tornado-ts", "node:http"] });
        const names = new Set(tables.flatMap((t) => t.rows.map((r) => r[0])));
        expect([...names].sort()).to.deep.equal(["node:http", "tornado-ts"]);
        const column = { hello: 1, json: 1, static: 2, standing: 3 }[name]!;
        for (const t of tables) {
          for (const r of t.rows) {
            expect(numeric(r[column]), `${r[0]} ${t.title}`).to.satisfy(Number.isFinite);
            if (name !== "standing") expect(r[r.length - 1], `errors for ${r[0]}`).to.equal(0);
          }
        }
      });
    });
  }

  describe("the instructions scenario", () => {
    it("counts instructions per request under callgrind for the raw floor and tornado-ts, the framework above the floor", async function () {
      // About a minute on a quiet machine; Node under valgrind slows down a lot more on a busy one.
      this.timeout(900_000);
      needs(this, "valgrind", commandExists("valgrind"), "apt-get install -y valgrind");
      const [table] = await SCENARIOS.instructions({ ...TINY, only: ["tornado-ts"] });
      expect(table.rows.map((r) => r[0])).to.deep.equal(["raw net (ceiling) hello", "tornado-ts hello", "tornado-ts JSON /user/7?q=x"]);
      const perRequest = table.rows.map((r) => numeric(r[1]));
      // Node's own socket read and write are thousands of instructions; tornado-ts adds to them.
      expect(perRequest[0]).to.be.greaterThan(1_000);
      expect(perRequest[1]).to.be.greaterThan(perRequest[0]);
      expect(table.goals).to.have.length(2);
    });
  });
});
