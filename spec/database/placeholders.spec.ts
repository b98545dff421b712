import { expect } from "chai";
import { translatePlaceholders } from "../../src/database";

describe("database.translatePlaceholders (PostgreSQL)", () => {
  it("numbers each ? in order", () => {
    expect(translatePlaceholders("SELECT * FROM t WHERE a = ? AND b IN (?, ?)")).to.equal("SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)");
  });

  it("leaves ? inside string literals, quoted identifiers and comments alone", () => {
    expect(translatePlaceholders(`SELECT 'a?''b?', "c?" FROM t -- why?\nWHERE x = ? /* and? */ AND y = ?`))
      .to.equal(`SELECT 'a?''b?', "c?" FROM t -- why?\nWHERE x = $1 /* and? */ AND y = $2`);
  });

  it("leaves ? inside dollar-quoted bodies and E'' strings with escaped quotes alone", () => {
    expect(translatePlaceholders("SELECT $$is it?$$, $fn$ ? $fn$, E'it\\'s ?', ?")).to.equal("SELECT $$is it?$$, $fn$ ? $fn$, E'it\\'s ?', $1");
  });

  it("returns SQL without placeholders unchanged, and an unterminated literal as it was", () => {
    expect(translatePlaceholders("SELECT 1")).to.equal("SELECT 1");
    expect(translatePlaceholders("SELECT 'open ?")).to.equal("SELECT 'open ?");
  });
});
